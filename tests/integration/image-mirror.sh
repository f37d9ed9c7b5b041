#!/bin/sh
# image-mirror.sh: kilnd.conf's registry=HOST,mirror=...: pulls come from the mirror when it has the image, from the registry when the mirror lacks it or is down, pushes go to the registry only, and the log says who served.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start up
UP=$REG_ADDR
reg_start mir
MIR=$REG_ADDR
# the same name, two different images: the digest tells who served
reg_push_base "$MIR/kiln/busybox:latest"
reg_push_base "$UP/kiln/busybox:latest" --layers 2
reg_push_base "$UP/kiln/only-up:1"
mdigest=$(skopeo inspect --tls-verify=false "docker://$MIR/kiln/busybox:latest" | jq -r .Digest)
udigest=$(skopeo inspect --tls-verify=false "docker://$UP/kiln/busybox:latest" | jq -r .Digest)
[ "$mdigest" != "$udigest" ] || fail "the two test images are one"

mkdir -p "$XDG_CONFIG_HOME/kiln" "$T/c"
cat >"$XDG_CONFIG_HOME/kiln/kilnd.conf" <<CONF
registry = 127.0.0.1,http
registry = $UP,http,mirror=127.0.0.1:1,mirror=http://$MIR
CONF
export DOCKER_CONFIG="$T/docker"
kiln_start

# the first mirror refuses connections, the second has it
kilnctl pull "$UP/kiln/busybox:latest" >"$T/out" 2>"$T/err" || fail "pull through the mirror: $(cat "$T/err")"
assert_grep "Digest: $mdigest" "$T/err"
assert_grep "manifest $UP/kiln/busybox:latest: mirror 127.0.0.1:1 failed: .*cannot reach" "$T/kilnd.log"
assert_grep "manifest $UP/kiln/busybox:latest: served by mirror $MIR" "$T/kilnd.log"
assert_grep "blob sha256:[0-9a-f]* of $UP/kiln/busybox: served by mirror $MIR" "$T/kilnd.log"

# the mirror lacks it: the registry serves
kilnctl pull "$UP/kiln/only-up:1" >"$T/out" 2>"$T/err" || fail "pull past the mirror: $(cat "$T/err")"
assert_grep "manifest $UP/kiln/only-up:1: mirror $MIR failed: .*answered 404" "$T/kilnd.log"
assert_grep "manifest $UP/kiln/only-up:1: served by registry $UP" "$T/kilnd.log"

# a push goes to the registry, never to a mirror
printf 'FROM %s/kiln/only-up:1\nRUN echo pushed > /p\n' "$UP" >"$T/c/Dockerfile"
kilnctl build -t "$UP/kiln/pushed:1" --push "$T/c" >"$T/out" 2>&1 || fail "push: $(cat "$T/out")"
curl -sf -o /dev/null -H "Accept: application/vnd.oci.image.manifest.v1+json" "http://$UP/v2/kiln/pushed/manifests/1" || fail "the push is not on the registry"
curl -sf -o /dev/null -H "Accept: application/vnd.oci.image.manifest.v1+json" "http://$MIR/v2/kiln/pushed/manifests/1" && fail "the push went to the mirror"

# the mirror down: the registry serves a build's FROM
reg_stop mir
printf 'FROM %s/kiln/busybox:latest\nRUN cat /etc/kiln-layer-2 > /which\n' "$UP" >"$T/c/Dockerfile"
kilnctl build --pull --output "type=local,dest=$T/rootfs" "$T/c" >"$T/out" 2>&1 ||
    fail "build with the mirror down: $(cat "$T/out")"
[ "$(cat "$T/rootfs/which")" = "layer 2" ] || fail "not the registry's image: $(ls "$T/rootfs/etc")"
assert_grep "mirror $MIR failed: .*cannot reach" "$T/kilnd.log"

# a bad mirror word: kilnd says so at start
kiln_stop
echo "registry = $UP,mirror=http://$MIR/some/path" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
timeout 20 "$KILND" >"$T/bad.log" 2>&1 && fail "kilnd took a mirror with a path"
assert_grep "a mirror is" "$T/bad.log"
echo ok
