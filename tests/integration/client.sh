#!/bin/sh
# client.sh: kilnctl without a daemon says, in one line, which socket it tried and how to start kilnd; logout needs none.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
rc=0
kilnctl info >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 1 ] || fail "kilnctl info without a daemon exited $rc, not 1"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "expected one line, got: $(cat "$T/err")"
assert_grep "cannot reach kilnd at $XDG_RUNTIME_DIR/kiln/kilnd.sock" "$T/err"
assert_grep "Start it with 'kilnd &' or 'systemctl --user start kilnd'" "$T/err"
# logout edits only the Docker config file: it needs no daemon
mkdir -p "$T/docker"
printf '{"auths":{"reg.example:5000":{"auth":"dTpw"}}}\n' >"$T/docker/config.json"
DOCKER_CONFIG="$T/docker" kilnctl logout reg.example:5000 >"$T/out" 2>&1 ||
	fail "logout without a daemon: $(cat "$T/out")"
grep -q "reg.example" "$T/docker/config.json" && fail "logout left the entry"
# a second kilnd on the same socket refuses to start and says why
kiln_start --net=host
rc=0
"$KILND" --net=host >"$T/second.log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "a second kilnd started on a live socket"
assert_grep "another kilnd is already serving" "$T/second.log"
kilnctl ping >/dev/null || fail "the first kilnd stopped answering"
kiln_stop
echo "ok"
