#!/bin/sh
# image-chunked.sh: a push with kilnd.conf's chunk-size=: blobs above it go up as PATCHes with Content-Range and a closing PUT ?digest=, smaller ones in one PUT; skopeo and a fresh daemon read the result.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start plain
R=$REG_ADDR
reg_push_base "$R/kiln/busybox:latest"
mkdir -p "$XDG_CONFIG_HOME/kiln" "$T/c"
cat >"$XDG_CONFIG_HOME/kiln/kilnd.conf" <<CONF
registry = 127.0.0.1,http
registry = $R,http,chunk-size=64KiB
CONF
export DOCKER_CONFIG="$T/docker"
kiln_start

# about 300 KiB that gzip cannot shrink: five chunks of 64 KiB
head -c 300000 /dev/urandom >"$T/c/random"
printf 'FROM %s/kiln/busybox\nCOPY random /random\n' "$R" >"$T/c/Dockerfile"
kilnctl build -t "$R/kiln/big:1" --push "$T/c" >"$T/out" 2>&1 || fail "chunked push: $(cat "$T/out")"
layer=$(curl -sf -H "Accept: application/vnd.oci.image.manifest.v1+json" \
    "http://$R/v2/kiln/big/manifests/1" | jq -r '.layers[1].digest')
assert_grep "blob $layer of $R/kiln/big: uploaded in 5 chunks" "$T/kilnd.log"
# the base layer (1 MiB) in chunks too, the config (small) in one PUT
grep -c "uploaded in" "$T/kilnd.log" | grep -qx 2 || fail "a small blob went in chunks: $(grep 'uploaded in' "$T/kilnd.log")"
# what the registry holds is the blob, whole
curl -sf "http://$R/v2/kiln/big/blobs/$layer" | sha256sum | grep -q "^${layer#sha256:} " ||
    fail "the registry's blob has another digest"
skopeo copy -q --src-tls-verify=false "docker://$R/kiln/big:1" "oci:$T/skc:1" >"$T/sk.out" 2>&1 ||
    fail "skopeo copy of the chunked push: $(cat "$T/sk.out")"

# a fresh daemon pulls it back
kiln_stop
export XDG_DATA_HOME="$T/data-fresh"
mkdir -p -m 700 "$XDG_DATA_HOME"
kiln_start
printf 'FROM %s/kiln/big:1\n' "$R" >"$T/c/Dockerfile"
kilnctl build --output "type=local,dest=$T/rootfs" "$T/c" >"$T/out" 2>&1 ||
    fail "build FROM the chunked push: $(cat "$T/out")"
cmp -s "$T/rootfs/random" "$T/c/random" || fail "the pulled file differs"

# chunk-size= is checked
kiln_stop
echo "registry = $R,http,chunk-size=1KiB" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
timeout 20 "$KILND" >"$T/bad.log" 2>&1 && fail "kilnd took chunk-size=1KiB"
assert_grep "chunk-size= is 0 or at least 64KiB" "$T/bad.log"
echo ok
