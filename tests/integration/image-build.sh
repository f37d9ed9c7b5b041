#!/bin/sh
# image-build.sh: builds FROM a registry image (pulled when not local), --output type=oci and type=docker archives, --push and type=image,push=true, --metadata-file, SOURCE_DATE_EPOCH reproducibility, a fresh daemon building FROM what was pushed.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start plain
R=$REG_ADDR
reg_push_base "$R/kiln/busybox:latest"
mkdir -p "$XDG_CONFIG_HOME/kiln" "$T/c"
echo "registry = 127.0.0.1,http" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
export DOCKER_CONFIG="$T/docker"
kiln_start

# FROM an image the store lacks: pulled, then built on
printf 'FROM %s/kiln/busybox\nRUN echo built > /hello\n' "$R" >"$T/c/Dockerfile"
kilnctl build --progress=plain -t "$R/kiln/built:1" --push --metadata-file "$T/meta.json" \
    "$T/c" >"$T/out" 2>&1 || fail "build FROM the registry: $(cat "$T/out")"
assert_grep "pulling $R/kiln/busybox" "$T/kilnd.log"
kilnctl images >"$T/images"
assert_grep "^$R/kiln/busybox:latest " "$T/images"
digest=$(jq -r '."containerimage.digest"' "$T/meta.json")
[ "$(jq -r '."containerimage.descriptor".digest' "$T/meta.json")" = "$digest" ] ||
    fail "metadata: $(cat "$T/meta.json")"
[ "$(jq -r '."containerimage.descriptor".size' "$T/meta.json")" -gt 100 ] ||
    fail "metadata size: $(cat "$T/meta.json")"
# --push: skopeo reads what kiln pushed
skopeo inspect --tls-verify=false "docker://$R/kiln/built:1" >"$T/inspect" 2>&1 ||
    fail "skopeo cannot read the push: $(cat "$T/inspect")"
assert_grep "\"Digest\": \"$digest\"" "$T/inspect"

# type=image,push=true
kilnctl build --output "type=image,name=$R/kiln/built:2,push=true" "$T/c" >"$T/out" 2>&1 ||
    fail "type=image: $(cat "$T/out")"
skopeo inspect --tls-verify=false "docker://$R/kiln/built:2" >/dev/null 2>&1 ||
    fail "type=image,push=true pushed nothing"

# archives: type=oci to a file, type=docker to standard output
kilnctl build --output "type=oci,dest=$T/o.tar,name=kiln/out:3" "$T/c" >"$T/out" 2>&1 ||
    fail "type=oci: $(cat "$T/out")"
skopeo inspect "oci-archive:$T/o.tar" >"$T/inspect" 2>&1 || fail "oci-archive: $(cat "$T/inspect")"
tar -xOf "$T/o.tar" index.json | grep -q '"org.opencontainers.image.ref.name":"3"' ||
    fail "index.json: $(tar -xOf "$T/o.tar" index.json)"
kilnctl build --output type=docker,dest=- "$T/c" >"$T/d.tar" 2>"$T/err" ||
    fail "type=docker: $(cat "$T/err")"
skopeo inspect "docker-archive:$T/d.tar" >"$T/inspect" 2>&1 ||
    fail "docker-archive: $(cat "$T/inspect")"
kilnctl build --output type=registry "$T/c" >"$T/out" 2>&1 && fail "type=registry without a name"
kilnctl build --push "$T/c" >"$T/out" 2>&1 && fail "--push without a name"
assert_grep "push needs a name" "$T/out"

# SOURCE_DATE_EPOCH: twice from scratch, the same digest
printf 'FROM %s/kiln/busybox\nRUN touch /t && mkdir /d\n' "$R" >"$T/c/Dockerfile"
for i in 1 2; do
	SOURCE_DATE_EPOCH=1700000000 kilnctl build --no-cache --metadata-file "$T/m$i.json" \
	    "$T/c" >"$T/out" 2>&1 || fail "epoch build $i: $(cat "$T/out")"
done
d1=$(jq -r '."containerimage.digest"' "$T/m1.json")
[ "$d1" = "$(jq -r '."containerimage.digest"' "$T/m2.json")" ] ||
    fail "SOURCE_DATE_EPOCH builds differ: $(cat "$T/m1.json" "$T/m2.json")"

# a missing base image: the pull's answer
printf 'FROM %s/kiln/none:1\n' "$R" >"$T/c/Dockerfile"
kilnctl build "$T/c" >"$T/out" 2>&1 && fail "built FROM a missing image"
assert_grep "not in the local store, and the pull failed: .*answered 404" "$T/out"
# Docker Hub, unreachable here: a clear error, and netd lives on
printf 'FROM alpine:3.19\n' >"$T/c/Dockerfile"
kilnctl build "$T/c" >"$T/out" 2>&1 && fail "built FROM an unreachable registry"
assert_grep "alpine:3.19: not in the local store, and the pull failed: .*registry docker.io" "$T/out"
kilnctl info | grep -q 'kiln-netd .* ready *0 ' || fail "netd restarted: $(kilnctl info)"

# a fresh daemon builds FROM what kiln pushed
kiln_stop
export XDG_DATA_HOME="$T/data-fresh"
mkdir -p -m 700 "$XDG_DATA_HOME"
kiln_start
printf 'FROM %s/kiln/built:1\nRUN cat /hello > /again\n' "$R" >"$T/c/Dockerfile"
kilnctl build --progress=plain --output "type=local,dest=$T/rootfs" "$T/c" >"$T/out" 2>&1 ||
    fail "build FROM the pushed image: $(cat "$T/out")"
[ "$(cat "$T/rootfs/again")" = built ] || fail "the pushed image's file: $(ls "$T/rootfs")"
kiln_stop
