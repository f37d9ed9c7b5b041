#!/bin/sh
# execd-run.sh: steps through kiln-execd: output, exit codes, setup errors, cwd, network none, cancel, and the test-hooks guard.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/execd-lib.sh"
kiln_setup
execd_rootfs

# without --test-hooks no client may start a step
kiln_start --net=host
step -- echo hello
[ "$rc" != 0 ] || fail "a step ran without --test-hooks"
assert_grep "test-hooks" "$T/err"
kiln_stop

kiln_start --net=host --test-hooks
step -- echo hello
[ "$rc" = 0 ] || fail "echo hello: status $rc: $(cat "$T/err")"
[ "$(cat "$T/out")" = hello ] || fail "echo hello printed '$(cat "$T/out")'"

step -- sh -c 'echo out; echo err >&2; exit 3'
[ "$rc" = 3 ] || fail "exit 3 reported as $rc"
[ "$(cat "$T/out")" = out ] || fail "stdout: $(cat "$T/out")"
[ "$(cat "$T/err")" = err ] || fail "stderr: $(cat "$T/err")"

# pid 1 of the step ignores signals it has no handler for, even SIGKILL
# from inside, as in any pid namespace
step -- sh -c 'kill -9 $$; echo alive'
[ "$rc" = 0 ] && [ "$(cat "$T/out")" = alive ] || fail "kill -9 \$\$: $rc $(cat "$T/out")"

# the working directory is created, the hostname set, the env passed
step --cwd /work/dir --env FOO=bar -- sh -c 'pwd; hostname; echo $FOO; umask'
printf '/work/dir\nkiln\nbar\n0022\n' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "cwd/hostname/env/umask: $(cat "$T/out" "$T/err")"

# a non-root user has no capability
step --user 1000:1000 -- sh -c 'id -u; id -g; grep CapEff /proc/self/status'
printf '1000\n1000\nCapEff:\t0000000000000000\n' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "user 1000: $(cat "$T/out" "$T/err")"

# a missing program is a setup error naming the step
step -- /bin/nope
[ "$rc" = 125 ] || fail "a missing program gave status $rc"
assert_grep "exec /bin/nope: No such file or directory" "$T/err"

# --network none: only lo, and it is up
step --network none -- cat /proc/net/dev
grep -q "lo:" "$T/out" || fail "no lo in the step's netns: $(cat "$T/out")"
[ "$(grep -c ':' "$T/out")" = 1 ] || fail "more than lo: $(cat "$T/out")"
step --network none -- cat /sys/class/net/lo/operstate /sys/class/net/lo/flags
grep -q "0x9" "$T/out" || fail "lo is not up: $(cat "$T/out" "$T/err")"

# cancel: SIGINT to kilnctl kills the step's whole namespace quickly
# (the binary itself, so that $! is kilnctl and not a subshell)
"$KILNCTL_BIN" debug run --rootfs "$R" -- sh -c 'sleep 4711 & sleep 4711' \
    >"$T/out" 2>"$T/err" &
kp=$!
wait_for 50 pgrep -u "$(id -u)" -f "^sleep 4711" || fail "the sleep step did not start"
kill -INT "$kp"
rc=0
wait "$kp" || rc=$?
[ "$rc" = 130 ] || fail "cancelled step reported $rc: $(cat "$T/err")"
assert_grep "cancelled" "$T/err"
wait_for 10 sh -c "! pgrep -u $(id -u) -f '^sleep 4711'" || fail "sleepers left after cancel"

kiln_stop
echo ok
