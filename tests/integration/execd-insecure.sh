#!/bin/sh
# execd-insecure.sh: security=insecure is refused without kilnd --allow-insecure-entitlement security.insecure; with it a step keeps every capability and runs with no seccomp profile, and other steps stay sandboxed.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/execd-lib.sh"
kiln_setup
execd_rootfs

kiln_start --net=host --test-hooks
step --security insecure -- true
[ "$rc" = 125 ] || fail "an insecure step ran without the entitlement"
assert_grep "needs kilnd --allow-insecure-entitlement security.insecure" "$T/err"
step --security bogus -- true
[ "$rc" = 125 ] && assert_grep "sandbox or insecure" "$T/err"
kiln_stop

# every capability: bits 0..cap_last_cap
last=$(cat /proc/sys/kernel/cap_last_cap)
all=$(printf '%016x' $(( (1 << (last + 1)) - 1 )))
kiln_start --net=host --test-hooks --allow-insecure-entitlement security.insecure
assert_grep "security.insecure allowed" "$T/kilnd.log"
step --security insecure -- cat /proc/self/status
for want in "CapEff:	$all" "CapBnd:	$all" "Seccomp:	0" "NoNewPrivs:	0"; do
	grep -q "^$want\$" "$T/out" || fail "no '$want' in the insecure step: $(grep -E 'Cap|Secc|NoNew' "$T/out")"
done
step --security insecure -- sh -c 'mount -t tmpfs none /tmp && unshare -U true && echo done'
[ "$(cat "$T/out")" = done ] || fail "insecure step could not mount/unshare: $(cat "$T/err")"
# the others keep the sandbox although the spawner holds everything
step -- cat /proc/self/status
for want in "CapEff:	00000000a80425fb" "CapBnd:	00000000a80425fb" "Seccomp:	2" "NoNewPrivs:	1"; do
	grep -q "^$want\$" "$T/out" || fail "no '$want' in a default step: $(grep -E 'Cap|Secc|NoNew' "$T/out")"
done
kiln_stop
echo ok
