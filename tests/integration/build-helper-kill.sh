#!/bin/sh
# build-helper-kill.sh: kill -9 of kiln-execd or kiln-snapd in the middle of a build's step fails that build with a message naming the helper, leaves no step process, and once kilnd has restarted the helper the next build works and caches.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
build_test_start
uid=$(id -u)

# kill_mid_step HELPER TAG: a build whose step sleeps, HELPER killed while
# the step runs
kill_mid_step() {
	printf 'FROM kiln-busybox\nRUN echo started; sleep %s\n' "$2" >"$C/Dockerfile"
	"$KILNCTL_BIN" build --progress=plain "$C" >"$T/out" 2>&1 &
	kp=$!
	wait_for 100 pgrep -u "$uid" -f "^sleep $2" || fail "the step did not start: $(cat "$T/out")"
	kill -KILL "$(helper_pid "$1")"
	rc=0
	wait "$kp" || rc=$?
	[ "$rc" = 1 ] || fail "the build exited $rc after kiln-$1 died: $(tail -n 20 "$T/out")"
	grep -q "kiln-$1" "$T/out" || fail "the error does not name kiln-$1: $(tail -n 20 "$T/out")"
	wait_for 100 sh -c "! pgrep -u $uid -f '^sleep $2'" || fail "the step survived kiln-$1"
	wait_for 200 all_helpers_ready || fail "kiln-$1 did not come back"
	kilnctl history -n 1 >"$T/hist"
	grep -q " ok " "$T/hist" && fail "the build is recorded as ok: $(cat "$T/hist")"
	true
}

# after_crash WORD: a build that must work, then come from the cache
after_crash() {
	printf 'FROM kiln-busybox\nRUN echo %s >/after\n' "$1" >"$C/Dockerfile"
	build_ok "$C"
	ran "RUN echo $1"
	build_ok "$C"
	cached "RUN echo $1"
}

kill_mid_step execd 4721
after_crash execd-back
kill_mid_step snapd 4722
after_crash snapd-back
kiln_stop
echo ok
