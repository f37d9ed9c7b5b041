#!/bin/sh
# journald.sh: with --log-target=journal each helper logs under its own identifier: journalctl -t kiln-execd shows its lines.
# A private systemd-journald runs in a user+mount+pid namespace of the
# unprivileged test user (unshare -Urpm), with a tmpfs on /run; kilnd runs
# in the same namespaces, so its nested user namespace maps only its own id.

# Inside the namespaces: uid 0 there, so lib.sh (which refuses root) is not used.
inner() {
	set -eu
	jd_pid=
	kd_pid=
	trap 'kill -KILL $kd_pid $jd_pid 2>/dev/null || true' EXIT
	wait_until() {
		n=$1
		shift
		while ! "$@" >/dev/null 2>&1; do
			n=$((n - 1))
			[ "$n" -gt 0 ] || return 1
			sleep 0.1
		done
	}
	# a journal of our own: the host's /run and /var/log/journal stay untouched
	mount -t tmpfs -o mode=0755 tmpfs /run
	if [ -d /var/log/journal ]; then
		mount -t tmpfs -o mode=0755 tmpfs /var/log/journal
	fi
	mkdir -p /run/systemd/journal /run/log/journal
	"$JOURNALD" >"$T/journald.log" 2>&1 &
	jd_pid=$!
	wait_until 50 test -S /run/systemd/journal/socket ||
	    { echo "journald did not create its socket: $(cat "$T/journald.log")"; exit 1; }

	"$KILN_BUILDDIR/kilnd" --net=host --log-target=journal --log-level=debug \
	    >"$T/kilnd.log" 2>&1 &
	kd_pid=$!
	wait_until 100 "$KILN_BUILDDIR/kilnctl" ping ||
	    { echo "kilnd did not answer within 10 s"; exit 1; }
	# solverd answers before the others may be ready (snapd's trial mounts)
	wait_until 100 sh -c "[ \$('$KILN_BUILDDIR/kilnctl' info | grep -c ' ready ') = 4 ]" ||
	    { echo "the helpers were not all ready within 10 s"; exit 1; }
	"$KILN_BUILDDIR/kilnctl" info >"$T/info" 2>&1 || true
	kill -TERM "$kd_pid"
	wait "$kd_pid" && rc=0 || rc=$?
	kd_pid=
	[ "$rc" = 0 ] || { echo "kilnd exited $rc after SIGTERM"; exit 1; }
	# journald writes each entry on arrival; SIGTERM closes the files cleanly
	kill -TERM "$jd_pid"
	wait "$jd_pid" || true
	jd_pid=
	for id in kiln-execd kiln-solverd kiln-snapd kiln-netd kilnd; do
		journalctl -D /run/log/journal --no-pager -o short -t "$id" \
		    >"$T/journal-$id.txt" 2>&1 || true
	done
	journalctl -D /run/log/journal --no-pager -o verbose -t kiln-execd \
	    >"$T/journal-verbose.txt" 2>&1 || true
}

if [ "${1:-}" = --inner ]; then
	inner
	exit 0
fi

. "$KILN_SRCDIR/tests/integration/lib.sh"
JOURNALD=
for j in /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
	[ -x "$j" ] && JOURNALD=$j && break
done
if [ -z "$JOURNALD" ] || ! command -v journalctl >/dev/null 2>&1; then
	echo "SKIP: systemd-journald or journalctl is not installed (package systemd)"
	exit 77
fi
# with a pid namespace, whatever the test leaves running dies with it;
# where /proc cannot be mounted (a masked /proc), the inner trap cleans up
set -- unshare -Urpm --fork --mount-proc
if ! "$@" true 2>/dev/null; then
	set -- unshare -Urm
	if ! "$@" true 2>/dev/null; then
		echo "SKIP: unshare -Urm is refused: unprivileged user namespaces are disabled"
		exit 77
	fi
fi
kiln_setup
export JOURNALD T
"$@" sh "$0" --inner >"$T/inner.log" 2>&1 ||
    fail "in the namespace: $(cat "$T/inner.log"); journald: $(cat "$T/journald.log" 2>/dev/null)"

# the helper's own lines, under its own identifier, in the journal
j="$T/journal-kiln-execd.txt"
assert_grep 'kiln-execd\[[0-9]*\]: setup done, seccomp enforce' "$j"
assert_grep 'kiln-execd\[[0-9]*\]: shutdown requested' "$j"
assert_grep 'PRIORITY=7' "$T/journal-verbose.txt"
for id in kiln-solverd kiln-snapd kiln-netd; do
	assert_grep "$id\[[0-9]*\]: setup done" "$T/journal-$id.txt"
done
assert_grep 'kilnd\[[0-9]*\]: ready: API socket' "$T/journal-kilnd.txt"
# and not on stderr: the journal target replaces it
grep -q 'kiln-execd\[' "$T/kilnd.log" && fail "kiln-execd logged to stderr: $(cat "$T/kilnd.log")"
grep -q 'kiln-execd .* ready' "$T/info" || fail "info: $(cat "$T/info")"
echo "ok"
