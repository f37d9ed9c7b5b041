#!/bin/sh
# restart.sh: kill -9 of each helper in turn: restarted within 1 s, info shows it, the daemon keeps answering.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
kiln_start --net=host
for h in solverd execd snapd netd; do
	old=$(helper_pid "$h")
	[ -n "$old" ] || fail "no pid for kiln-$h"
	kill -KILL "$old"
	restarted() {
		kilnctl info >"$T/info" 2>/dev/null && grep -q "kiln-$h .* ready .* 1 " "$T/info"
	}
	wait_for 10 restarted || fail "kiln-$h not restarted within 1 s: $(cat "$T/info")"
	new=$(helper_pid "$h")
	[ "$new" != "$old" ] || fail "kiln-$h has the same pid"
	kilnctl ping >/dev/null || fail "daemon stopped answering after kiln-$h died"
done
assert_grep "kiln-execd killed by signal KILL" "$T/kilnd.log"
kiln_stop
echo "ok"
