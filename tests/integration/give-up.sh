#!/bin/sh
# give-up.sh: a helper that dies more than 5 times in 30 s makes kilnd stop everything and exit non-zero, saying why.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
kiln_start --net=host --test-hooks
others=$(for h in solverd snapd netd; do helper_pid "$h"; done)
i=0
while [ $i -lt 6 ] && kill -0 "$KILND_PID" 2>/dev/null; do
	before=$(grep -c "kiln-execd killed by SIGSYS" "$T/kilnd.log" || true)
	kilnctl debug violate-seccomp execd >/dev/null 2>&1 || true
	died() { [ "$(grep -c "kiln-execd killed by SIGSYS" "$T/kilnd.log")" -gt "$before" ]; }
	wait_for 30 died || fail "kiln-execd did not die on violation $i"
	i=$((i + 1))
	# the daemon answers between restarts (until it gives up)
	execd_back() { kilnctl info 2>/dev/null | grep -q "kiln-execd .* ready .* $i "; }
	[ $i -lt 6 ] && { wait_for 30 execd_back || fail "kiln-execd not back after death $i"; }
done
n=100
while kill -0 "$KILND_PID" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
kill -0 "$KILND_PID" 2>/dev/null && fail "kilnd still running after 6 deaths in 30 s"
rc=0
wait "$KILND_PID" || rc=$?
KILND_PID=
[ "$rc" -ne 0 ] || fail "kilnd exited 0 after giving up"
assert_grep "kiln-execd died more than 5 times in 30 s .*giving up" "$T/kilnd.log"
for p in $others; do
	kill -0 "$p" 2>/dev/null && fail "helper pid $p left behind after giving up"
done
[ -e "$XDG_RUNTIME_DIR/kiln/kilnd.sock" ] && fail "socket left behind"
echo "ok"
