#!/bin/sh
# seccomp-violation.sh: a helper that issues a forbidden syscall dies of SIGSYS; kilnd names it and the syscall.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
kiln_start --net=host --test-hooks
for h in execd snapd solverd netd; do
	kilnctl debug violate-seccomp "$h" >/dev/null 2>&1 || true
	named() { grep -q "kiln-$h killed by SIGSYS: seccomp forbade syscall acct" "$T/kilnd.log"; }
	wait_for 20 named || fail "no log line naming kiln-$h and acct"
	wait_for 20 kilnctl ping || fail "daemon stopped answering after kiln-$h died"
done
kiln_stop
echo "ok"
