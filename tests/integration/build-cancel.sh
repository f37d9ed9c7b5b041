#!/bin/sh
# build-cancel.sh: Ctrl-C cancels on the daemon (exit 130, no process, no mount, no cache entry left); kill -9 of kiln-solverd mid-build fails the build plainly and the next build works.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
build_test_start
uid=$(id -u)

# the steps' mounts, as kiln's mount namespace has them
step_mounts() {
	nsenter -t "$(helper_pid snapd)" -U -m --preserve-credentials \
	    cat /proc/self/mountinfo | grep -c "/snapd/mnt/" || true
}
sleepers() {
	pgrep -u "$uid" -f "^sleep 471[0-9]" >/dev/null
}

base_mounts=$(step_mounts)
printf 'FROM kiln-busybox\nRUN echo started; sleep 4711\n' >"$C/Dockerfile"
"$KILNCTL_BIN" build --progress=plain "$C" >"$T/out" 2>&1 &
kp=$!
wait_for 100 sleepers || fail "the step did not start: $(cat "$T/out")"
kill -INT "$kp"
rc=0
wait "$kp" || rc=$?
[ "$rc" = 130 ] || fail "a cancelled build exited $rc: $(cat "$T/out")"
assert_grep "cancelled" "$T/out"
wait_for 50 sh -c "! pgrep -u $uid -f '^sleep 4711'" || fail "the step's process survived"
wait_for 50 sh -c "[ \$(nsenter -t $(helper_pid snapd) -U -m --preserve-credentials cat /proc/self/mountinfo | grep -c /snapd/mnt/ || true) -le $base_mounts ]" ||
	fail "a step's mount is left: $(step_mounts) > $base_mounts"
kilnctl history -n 1 >"$T/hist"
assert_grep " cancelled " "$T/hist"

# nothing half-made was kept: the same step runs again, to its end
printf 'FROM kiln-busybox\nRUN sleep 1; echo slept\n' >"$C/Dockerfile"
"$KILNCTL_BIN" build --progress=plain "$C" >"$T/out" 2>&1 &
kp=$!
wait_for 100 grep -q "RUN sleep 1" "$T/out" || fail "no step: $(cat "$T/out")"
kill -INT "$kp"
wait "$kp" || true
build_ok "$C"
ran "RUN sleep 1"
assert_grep "slept" "$T/out"

# kill -9 of kiln-solverd: the build fails with a clear message, the
# step dies, kilnd restarts solverd and the next build works
printf 'FROM kiln-busybox\nRUN sleep 4712\n' >"$C/Dockerfile"
"$KILNCTL_BIN" build --progress=plain "$C" >"$T/out" 2>&1 &
kp=$!
wait_for 100 sleepers || fail "the step did not start: $(cat "$T/out")"
kill -KILL "$(helper_pid solverd)"
rc=0
wait "$kp" || rc=$?
[ "$rc" = 1 ] || fail "the build exited $rc after solverd died"
assert_grep "kiln-solverd went away during the build" "$T/out"
wait_for 100 sh -c "! pgrep -u $uid -f '^sleep 4712'" || fail "the step survived solverd"
wait_for 200 all_helpers_ready || fail "solverd did not come back"
printf 'FROM kiln-busybox\nRUN echo after the crash\n' >"$C/Dockerfile"
build_ok "$C"
assert_grep "after the crash" "$T/out"
kilnctl history >"$T/hist"
assert_grep " interrupted " "$T/hist"
kiln_stop
echo ok
