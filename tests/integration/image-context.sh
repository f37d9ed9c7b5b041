#!/bin/sh
# image-context.sh: --build-context NAME=docker-image://REF against a local registry: FROM NAME and COPY --from=NAME use the pulled images, by tag and by digest.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start plain
R=$REG_ADDR
reg_push_base "$R/kiln/busybox:latest"
reg_push_base "$R/kiln/other:2" --layers 2
odigest=$(skopeo inspect --tls-verify=false "docker://$R/kiln/other:2" | jq -r .Digest)
mkdir -p "$XDG_CONFIG_HOME/kiln" "$T/c"
echo "registry = 127.0.0.1,http" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
export DOCKER_CONFIG="$T/docker"
kiln_start

cat >"$T/c/Dockerfile" <<'DF'
FROM base
COPY --from=other /etc/kiln-layer-2 /copied
RUN test ! -e /etc/kiln-layer-2 && cat /copied > /ran
DF
kilnctl build --progress=plain --build-context base="docker-image://$R/kiln/busybox" \
    --build-context other="docker-image://$R/kiln/other:2" \
    --output "type=local,dest=$T/out1" "$T/c" >"$T/out" 2>&1 ||
    fail "docker-image:// contexts: $(cat "$T/out")"
[ "$(cat "$T/out1/ran")" = "layer 2" ] || fail "the contexts' files: $(ls "$T/out1")"
assert_grep "pulling $R/kiln/busybox" "$T/kilnd.log"
assert_grep "pulling $R/kiln/other:2" "$T/kilnd.log"
kilnctl images >"$T/images"
assert_grep "^$R/kiln/other:2 " "$T/images"

# by digest, in a fresh daemon that has neither image, and FROM the
# context's name in a later stage
kiln_stop
export XDG_DATA_HOME="$T/data-fresh"
mkdir -p -m 700 "$XDG_DATA_HOME"
kiln_start
cat >"$T/c/Dockerfile" <<'DF'
FROM scratch AS empty
FROM other AS s2
RUN cat /etc/kiln-layer-2 > /from-s2
FROM base
COPY --from=s2 /from-s2 /final
DF
kilnctl build --build-context base="docker-image://$R/kiln/busybox:latest" \
    --build-context other="docker-image://$R/kiln/other@$odigest" \
    --output "type=local,dest=$T/out2" "$T/c" >"$T/out" 2>&1 ||
    fail "by digest: $(cat "$T/out")"
[ "$(cat "$T/out2/final")" = "layer 2" ] || fail "by digest: $(ls "$T/out2")"
[ ! -e "$T/out2/etc/kiln-layer-2" ] || fail "the last stage is not base's image"

# a context image the registry lacks: the pull's answer
kilnctl build --build-context base="docker-image://$R/kiln/none:1" \
    --build-context other="docker-image://$R/kiln/other:2" "$T/c" >"$T/out" 2>&1 &&
    fail "built with a missing context image"
assert_grep "kiln/none:1.*answered 404" "$T/out"
echo ok
