#!/bin/sh
# image-progress.sh: a FROM that pulls shows each blob's bytes so far and total in the build view: BuildKit's plain lines ("#1 sha256:... 1.05MB / 2.1MB 0.3s"), rawjson progress objects, a few a second at most, and the Dockerfile's steps numbered after the pull.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start plain
reg_push_base "$REG_ADDR/kiln/busybox:latest"
# the blobs come slowly, so that there is progress to see
proxy_start plain slow
P=127.0.0.1:$PROXY_PORT
mkdir -p "$XDG_CONFIG_HOME/kiln" "$T/c"
echo "registry = 127.0.0.1,http" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
export DOCKER_CONFIG="$T/docker"
kiln_start
printf 'FROM %s/kiln/busybox\nRUN echo hi\n' "$P" >"$T/c/Dockerfile"
layer=$(skopeo inspect --raw --tls-verify=false "docker://$REG_ADDR/kiln/busybox:latest" |
    jq -r '.layers[0].digest')
short=$(echo "${layer#sha256:}" | cut -c1-12)

kilnctl build --progress=plain "$T/c" >"$T/out" 2>&1 || fail "plain build: $(cat "$T/out")"
assert_grep "^#1 pulling $P/kiln/busybox" "$T/out"
assert_grep "^#1 sha256:$short [0-9.]*[kM]B / [0-9.]*MB [0-9.]*s$" "$T/out"
assert_grep "^#1 sha256:$short [0-9.]*MB / [0-9.]*MB [0-9.]*s done$" "$T/out"
assert_grep "^#1 DONE" "$T/out"
assert_grep "^#2 \[1/2\] FROM $P/kiln/busybox" "$T/out"
n=$(grep -c "^#1 sha256:$short" "$T/out")
[ "$n" -le 6 ] || fail "plain: $n lines for one blob: $(cat "$T/out")"

# rawjson, with a store that lacks the blobs again
kiln_stop
export XDG_DATA_HOME="$T/data2"
mkdir -p -m 700 "$XDG_DATA_HOME"
kiln_start
kilnctl build --progress=rawjson "$T/c" >"$T/json" 2>&1 || fail "rawjson build: $(cat "$T/json")"
jq -c "select(.type == \"progress\" and .id == \"$layer\")" "$T/json" >"$T/lp" ||
    fail "rawjson is no JSON: $(cat "$T/json")"
n=$(wc -l <"$T/lp")
[ "$n" -ge 3 ] || fail "rawjson: $n progress objects for the layer: $(cat "$T/json")"
[ "$n" -le 20 ] || fail "rawjson: $n progress objects for the layer, not rate-limited"
jq -s -e 'any(.[]; .state == "downloading" and .current > 0 and .current < .total)' "$T/lp" >/dev/null ||
    fail "rawjson: no bytes so far: $(cat "$T/lp")"
tail -1 "$T/lp" | jq -e '.state == "done" and .current == .total and .n == 1' >/dev/null ||
    fail "rawjson: the last is not done: $(cat "$T/lp")"
grep '^{' "$T/json" | jq -s -e 'any(.[]; .type == "vertex" and .n == 1 and (.name | startswith("pulling ")))' >/dev/null ||
    fail "rawjson: no pull vertex: $(cat "$T/json")"
echo ok
