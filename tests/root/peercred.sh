#!/bin/sh
# peercred.sh (run as root by scripts/test.sh): kilnd's API refuses every other user: the 0700 directory stops ordinary users, SO_PEERCRED stops root.
set -eu
: "${KILN_BUILDDIR:?}" "${KILN_TEST_USER:?}"
T=$(runuser -u "$KILN_TEST_USER" -- mktemp -d /tmp/kiln-root-test.XXXXXX)
sock="$T/run/kiln/kilnd.sock"
fail() { echo "FAIL: $*" >&2; tail -n 20 "$T/kilnd.log" >&2 || true; exit 1; }
cleanup() {
	# kilnd itself, not runuser, which would pass the signal to our group
	[ -s "$T/kilnd.pid" ] && kill -TERM "$(cat "$T/kilnd.pid")" 2>/dev/null
	[ -n "${pid:-}" ] && wait "$pid" 2>/dev/null
	rm -rf "$T"
	true
}
trap cleanup EXIT
runuser -u "$KILN_TEST_USER" -- env XDG_RUNTIME_DIR="$T/run" XDG_DATA_HOME="$T/data" \
    XDG_CONFIG_HOME="$T/config" KILN_HELPER_DIR="$KILN_BUILDDIR" \
    ASAN_OPTIONS=detect_leaks=0 sh -c "mkdir -p -m 700 $T/run && echo \$\$ >$T/kilnd.pid && exec '$KILN_BUILDDIR/kilnd' --net=host" \
    >"$T/kilnd.log" 2>&1 &
pid=$!
n=0
until runuser -u "$KILN_TEST_USER" -- "$KILN_BUILDDIR/kilnctl" --addr "$sock" ping >/dev/null 2>&1; do
	n=$((n + 1)); [ $n -lt 200 ] || fail "kilnd did not answer its own user"
	sleep 0.1
done
# root reaches the socket (it ignores the directory's mode) but is not
# the daemon's user: refused by SO_PEERCRED, and the log says who
if ASAN_OPTIONS=detect_leaks=0 "$KILN_BUILDDIR/kilnctl" --addr "$sock" ping >"$T/out" 2>&1; then
	fail "root was served: $(cat "$T/out")"
fi
grep -q "refused API connection from pid .*is not the daemon's user" "$T/kilnd.log" ||
    fail "no refusal logged"
# any other user cannot even reach it
if runuser -u nobody -- env ASAN_OPTIONS=detect_leaks=0 "$KILN_BUILDDIR/kilnctl" --addr "$sock" ping >"$T/out" 2>&1; then
	fail "nobody was served"
fi
grep -q "Permission denied" "$T/out" || fail "nobody: $(cat "$T/out")"
# and the daemon still serves its user
runuser -u "$KILN_TEST_USER" -- "$KILN_BUILDDIR/kilnctl" --addr "$sock" ping >/dev/null ||
    fail "kilnd stopped answering its user"
echo ok
