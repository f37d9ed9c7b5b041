#!/bin/sh
# image-resume.sh: a blob download cut short resumes with Range; a registry killed mid-pull gives a clear error, names nothing, and the retry succeeds.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start plain
reg_push_base "$REG_ADDR/kiln/busybox:latest" --layers 2
mkdir -p "$XDG_CONFIG_HOME/kiln"
echo "registry = 127.0.0.1,http" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
export DOCKER_CONFIG="$T/docker"
kiln_start

# every big blob's first GET ends halfway: resumed where it stopped
proxy_start plain cut
P=127.0.0.1:$PROXY_PORT
kilnctl pull "$P/kiln/busybox" >"$T/out" 2>"$T/err" || fail "pull through cuts: $(cat "$T/err")"
assert_grep "^3 blobs fetched" "$T/err"
assert_grep "proxy: cut /v2/kiln/busybox/blobs/" "$T/proxy.log"
assert_grep "trying again in" "$T/kilnd.log"
grep -q '"GET /v2/kiln/busybox/blobs/sha256:[0-9a-f]* HTTP/1.1" 206' "$T/proxy.log" ||
    fail "no Range request resumed the blob: $(cat "$T/proxy.log")"
kill "$PROXY_PID"

# the registry dies mid-blob: a clear error, nothing named, then a retry works
kiln_stop
rm -rf "$XDG_DATA_HOME"
mkdir -p -m 700 "$XDG_DATA_HOME"
kiln_start
proxy_start plain die
P=127.0.0.1:$PROXY_PORT
kilnctl pull "$P/kiln/busybox" >"$T/out" 2>"$T/err" && fail "a pull from a dead registry succeeded"
assert_grep "cannot reach registry $P" "$T/err"
assert_grep "is it running" "$T/err"
kilnctl images >"$T/images" 2>&1
grep -q "kiln/busybox" "$T/images" && fail "a half-pulled image was named: $(cat "$T/images")"
proxy_start plain pass "$PROXY_PORT"
kilnctl pull "$P/kiln/busybox" >"$T/out" 2>"$T/err" || fail "the retry: $(cat "$T/err")"
kilnctl images >"$T/images" 2>&1
assert_grep "$P/kiln/busybox:latest" "$T/images"
kiln_stop
