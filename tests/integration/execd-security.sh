#!/bin/sh
# execd-security.sh: what a step may not do: see the daemon, mount, unshare, write sysctls; its credentials; no process outlives it, even a kill -9 of kiln-execd.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/execd-lib.sh"
kiln_setup
execd_rootfs
kiln_start --net=host --test-hooks

# the reduced sets, no_new_privs, two filters: the spawner's (the step
# profile plus the setup calls) and the step profile, not execd's
step -- cat /proc/self/status
for want in "NoNewPrivs:	1" "Seccomp:	2" "Seccomp_filters:	2" \
    "CapEff:	00000000a80425fb" "CapPrm:	00000000a80425fb" \
    "CapBnd:	00000000a80425fb" "CapInh:	0000000000000000" \
    "CapAmb:	0000000000000000"; do
	grep -q "^$want\$" "$T/out" || fail "no '$want' in the step's status: $(cat "$T/out")"
done

# the spawner runs under its filter too, execd under its own
spawner=$(pgrep -P "$(helper_pid execd)" -x execd-spawner) || fail "no execd-spawner"
grep -q "^Seccomp:	2$" "/proc/$spawner/status" || fail "execd-spawner has no seccomp filter"
grep -q "^Seccomp_filters:	1$" "/proc/$spawner/status" || fail "execd-spawner: not one filter"

# its own pid namespace: only itself, and the daemon is out of reach
# (busybox sh execs its last command: ps is pid 1)
step -- sh -c 'sleep 4714 & ps -o pid,comm'
[ "$(sed 1d "$T/out" | wc -l)" = 2 ] || fail "ps sees more than the step: $(cat "$T/out")"
grep -q kiln "$T/out" && fail "the step sees kiln's processes: $(cat "$T/out")"
step -- kill -0 "$KILND_PID"
[ "$rc" != 0 ] || fail "the step could signal kilnd (pid $KILND_PID)"

# no mount, no new user namespace (EPERM from the profile, not a crash)
step -- mount -t tmpfs none /tmp
[ "$rc" != 0 ] || fail "the step could mount"
step -- unshare -U true
[ "$rc" != 0 ] || fail "the step could unshare -U"
assert_grep "Operation not permitted" "$T/err"
kilnctl info | grep -q "kiln-execd .* ready .* 0 " || fail "execd restarted after a denied syscall"

# sysctls read-only, masked /proc files empty, /sys read-only
step -- sh -c 'echo 1 >/proc/sys/kernel/panic'
[ "$rc" != 0 ] || fail "the step could write a sysctl"
step -- sh -c 'cat /proc/kcore | wc -c; ls /sys/firmware | wc -l'
[ "$(cat "$T/out" | tr -d ' \n')" = 00 ] || fail "masked paths: $(cat "$T/out" "$T/err")"
step -- mkdir /sys/kiln-test
[ "$rc" != 0 ] || fail "the step could write to /sys"
step -- sh -c 'mount | grep " /sys" | grep -v "[(]ro[,)]"'
[ -s "$T/out" ] && fail "writable mounts under /sys: $(cat "$T/out")"

# 100 background sleepers and an exit: none is left once it is reported
step -- sh -c 'for i in $(seq 100); do sleep 4712 & done; exit 0'
[ "$rc" = 0 ] || fail "sleepers step: $rc $(cat "$T/err")"
pgrep -u "$(id -u)" -f "^sleep 4712" >/dev/null && fail "sleepers outlived their step"

# kill -9 of kiln-execd mid-step: the step dies, the client hears of it,
# execd comes back and the next step runs
"$KILNCTL_BIN" debug run --rootfs "$R" -- sh -c 'sleep 4713 & sleep 4713' \
    >"$T/out" 2>"$T/err" &
kp=$!
wait_for 50 pgrep -u "$(id -u)" -f "^sleep 4713" || fail "the sleep step did not start"
kill -KILL "$(helper_pid execd)"
rc=0
wait "$kp" || rc=$?
[ "$rc" = 125 ] || fail "kilnctl status $rc after execd died: $(cat "$T/err")"
assert_grep "kiln-execd went away" "$T/err"
wait_for 20 sh -c "! pgrep -u $(id -u) -f '^sleep 4713'" || fail "the step outlived kiln-execd"
restarted() {
	kilnctl info >"$T/info" 2>/dev/null && grep -q "kiln-execd .* ready .* 1 " "$T/info"
}
wait_for 30 restarted || fail "kiln-execd not restarted: $(cat "$T/info")"
step -- echo again
[ "$rc" = 0 ] && [ "$(cat "$T/out")" = again ] || fail "no step after the restart: $rc $(cat "$T/err")"

kiln_stop
echo ok
