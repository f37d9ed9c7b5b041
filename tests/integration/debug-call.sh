#!/bin/sh
# debug-call.sh: kilnctl debug call sends any message with a JSON body; snapshot calls reach kiln-snapd only with --test-hooks.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup

kiln_start --net=host
kilnctl debug call PING >"$T/out" 2>"$T/err" || fail "PING: $(cat "$T/err")"
[ "$(cat "$T/out")" = "PONG null" ] || fail "PING answered '$(cat "$T/out")'"
rc=0
kilnctl debug call SNAP_STAT '["s1"]' >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "SNAP_STAT without --test-hooks: status $rc"
assert_grep "needs kilnd --test-hooks" "$T/out"
# a body that is not JSON, an unknown type, a missing fd path
rc=0; kilnctl debug call SNAP_STAT '[' 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "bad JSON: status $rc"
rc=0; kilnctl debug call NO_SUCH_TYPE 2>"$T/err" || rc=$?
[ "$rc" = 2 ] || fail "unknown type: status $rc"
rc=0; kilnctl debug call IMAGE_IMPORT '[""]' --fd-read "$T/nope" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] && assert_grep "nope" "$T/err"
kiln_stop

# with --test-hooks the frame reaches snapd, which answers it (or says it
# does not know it yet) under the client's id
kiln_start --net=host --test-hooks
rc=0
kilnctl debug call SNAP_STAT '["s-nonexistent"]' >"$T/out" 2>"$T/err" || rc=$?
grep -q "^ERROR \[" "$T/out" || grep -q "^SNAP_STAT_REPLY" "$T/out" ||
    fail "SNAP_STAT with --test-hooks: $(cat "$T/out" "$T/err")"
grep -q "needs kilnd --test-hooks" "$T/out" && fail "refused with --test-hooks"
kiln_stop
echo ok
