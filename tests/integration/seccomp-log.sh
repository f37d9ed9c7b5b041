#!/bin/sh
# seccomp-log.sh: with --seccomp=log a forbidden syscall is let through (for tuning): the helper lives on.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
kiln_start --net=host --test-hooks --seccomp=log
kilnctl info >"$T/info"
assert_grep "kiln-execd .* ready .* 0 .* log" "$T/info"
pid=$(helper_pid execd)
kilnctl debug violate-seccomp execd >/dev/null || fail "violate-seccomp refused"
issued() { grep -q "kiln-execd.*issuing acct" "$T/kilnd.log"; }
wait_for 20 issued || fail "kiln-execd never got the test hook"
sleep 0.3
[ "$(helper_pid execd)" = "$pid" ] || fail "kiln-execd was restarted in log mode"
grep -q "killed by SIGSYS" "$T/kilnd.log" && fail "a helper died of SIGSYS in log mode"
kilnctl info >"$T/info"
assert_grep "kiln-execd .* ready .* 0 " "$T/info"
kiln_stop
echo "ok"
