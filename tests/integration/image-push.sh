#!/bin/sh
# image-push.sh: kilnctl push and tag to a local docker-registry: uploads, blobs present or mounted skipped, skopeo reads the result, a fresh daemon pulls it back.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start plain
R=$REG_ADDR
mkdir -p "$XDG_CONFIG_HOME/kiln"
echo "registry = 127.0.0.1,http" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
export DOCKER_CONFIG="$T/docker"
kiln_start

# an image that never saw a registry: imported from an OCI archive
sh "$KILN_SRCDIR/tests/tools/mkbase.sh" "$T/base.tar" --format oci-tar --layers 2 \
    --name local/base:1 >/dev/null || fail "mkbase.sh"
kilnctl image import "$T/base.tar" >"$T/out" 2>&1 || fail "import: $(cat "$T/out")"
digest=$(tar -xOf "$T/base.tar" ./index.json | jq -r '.manifests[0].digest')

kilnctl tag local/base:1 "$R/kiln/pushed:v1" >"$T/out" 2>&1 || fail "tag: $(cat "$T/out")"
kilnctl images >"$T/images"
assert_grep "^$R/kiln/pushed:v1 " "$T/images"
kilnctl tag nosuch:1 x:1 >"$T/out" 2>&1 && fail "tagged a missing image"
assert_grep "no such image here" "$T/out"

kilnctl push "$R/kiln/pushed:v1" >"$T/out" 2>"$T/err" || fail "push: $(cat "$T/err")"
assert_grep "^3 blobs uploaded, 0 already there" "$T/err"
full=$(cat "$T/out")
case $full in "$R/kiln/pushed:v1@sha256:"*) ;; *) fail "push printed '$full'" ;; esac
skopeo inspect --tls-verify=false "docker://$R/kiln/pushed:v1" >"$T/inspect" 2>&1 ||
    fail "skopeo cannot read the push: $(cat "$T/inspect")"
assert_grep "\"Digest\": \"${full#*@}\"" "$T/inspect"
[ "$(jq '.Layers | length' "$T/inspect")" = 2 ] || fail "layers: $(cat "$T/inspect")"
skopeo copy -q --src-tls-verify=false "docker://$R/kiln/pushed:v1" "oci:$T/copy:x" >"$T/out" 2>&1 ||
    fail "skopeo copy of the push: $(cat "$T/out")"

# again: the registry has every blob
kilnctl push "$R/kiln/pushed:v1" >"$T/out" 2>"$T/err" || fail "push again: $(cat "$T/err")"
assert_grep "^0 blobs uploaded, 3 already there" "$T/err"
assert_grep ": present " "$T/err"

# another repository of the same registry: the blobs are mounted, not sent
kilnctl push "$R/kiln/pushed:v1" "$R/other/mounted:v2" >"$T/out" 2>"$T/err" ||
    fail "push elsewhere: $(cat "$T/err")"
assert_grep "^0 blobs uploaded, 3 already there" "$T/err"
assert_grep ": mounted " "$T/err"
skopeo inspect --tls-verify=false "docker://$R/other/mounted:v2" >/dev/null 2>&1 ||
    fail "skopeo cannot read the mounted push"

# a push needs a registry: a local name is refused with the reason
kilnctl push nosuch:1 >"$T/out" 2>"$T/err" && fail "pushed a missing image"
assert_grep "pushing nosuch:1: no such image here" "$T/err"

# a fresh daemon pulls back what kiln pushed
kiln_stop
rm -rf "$XDG_DATA_HOME"
mkdir -p -m 700 "$XDG_DATA_HOME"
kiln_start
kilnctl pull "$R/other/mounted:v2" >"$T/out" 2>"$T/err" || fail "pull back: $(cat "$T/err")"
assert_grep "^Digest: $digest" "$T/err"
assert_grep "^3 blobs fetched, 0 already here" "$T/err"
kiln_stop
