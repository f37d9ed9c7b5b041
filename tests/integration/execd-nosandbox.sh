#!/bin/sh
# execd-nosandbox.sh: where /proc is masked (kilnd in a user namespace whose /proc has a file mounted over), a step fails naming both fixes; --no-process-sandbox runs it with kiln's /proc and kills its process group.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/execd-lib.sh"
kiln_setup
execd_rootfs

# A masked /proc, as an unprivileged container has it: a mount over a
# /proc file made in a user namespace above kiln's is locked in kiln's,
# and the kernel then refuses a new proc mount (mount_too_revealing).
masked=/proc/timer_list
[ -e "$masked" ] || masked=/proc/keys
cat >"$T/kilnd-masked" <<END
#!/bin/sh
exec unshare -Urm sh -c 'mount --bind /dev/null $masked && exec "\$0" "\$@"' "$KILND" "\$@"
END
chmod +x "$T/kilnd-masked"
KILND="$T/kilnd-masked"

kiln_start --net=host --test-hooks
step -- echo hi
[ "$rc" = 125 ] || fail "a step ran with a masked /proc: $rc $(cat "$T/out")"
for want in "mounting /proc: /proc cannot be mounted here" "Operation not permitted" \
    "security-opt systempaths=unconfined" "securityContext.procMount: Unmasked" \
    "start kilnd with --no-process-sandbox"; do
	assert_grep "$want" "$T/err"
done
kiln_stop

# the same place, without the process sandbox: kiln's /proc, kiln's
# processes visible, the warning logged once
kiln_start --net=host --test-hooks --no-process-sandbox
step -- sh -c 'echo hi; cat /proc/1/cmdline >/dev/null && echo sees-pid-1'
printf 'hi\nsees-pid-1\n' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "no-sandbox step: $rc $(cat "$T/out" "$T/err")"
step -- cat "$masked"
[ -s "$T/out" ] && fail "$masked not masked in the step: $(head -3 "$T/out")"
[ "$(grep -c 'no-process-sandbox: steps share' "$T/kilnd.log")" = 1 ] ||
    fail "the warning is not in kilnd's log once: $(cat "$T/kilnd.log")"
assert_grep "cannot be killed" "$T/kilnd.log"

# what a step leaves in its process group dies with it; cancel kills it all
step -- sh -c 'sleep 4716 & exit 0'
wait_for 20 sh -c "! pgrep -u $(id -u) -f '^sleep 4716'" || fail "a sleeper outlived its step"
"$KILNCTL_BIN" debug run --rootfs "$R" -- sh -c 'sleep 4717 & sleep 4717' >"$T/out" 2>"$T/err" &
kp=$!
wait_for 50 sh -c "[ \$(pgrep -u $(id -u) -f -c '^sleep 4717') = 2 ]" || fail "the sleep step did not start"
kill -INT "$kp"
rc=0
wait "$kp" || rc=$?
[ "$rc" = 130 ] || fail "cancelled step reported $rc: $(cat "$T/err")"
wait_for 20 sh -c "! pgrep -u $(id -u) -f '^sleep 4717'" || fail "sleepers left after cancel"
kiln_stop

# BuildKit's name for the flag, in an ordinary place
KILND="$KILN_BUILDDIR/kilnd"
kiln_start --net=host --test-hooks --oci-worker-no-process-sandbox
# (what is lost: the step reaches kilnd itself)
step -- sh -c "kill -0 $KILND_PID && echo shared"
[ "$(cat "$T/out")" = shared ] || fail "--oci-worker-no-process-sandbox: $(cat "$T/out" "$T/err")"
assert_grep "no-process-sandbox: steps share" "$T/kilnd.log"
kiln_stop
echo ok
