#!/bin/sh
# systemd-activation.sh: kilnd started on the first client by systemd-socket-activate: READY=1, info, STOPPING=1, exit 0.
. "$KILN_SRCDIR/tests/integration/lib.sh"

if ! command -v systemd-socket-activate >/dev/null 2>&1; then
	echo "SKIP: systemd-socket-activate is not installed (package systemd)"
	exit 77
fi
LISTEN="$KILN_BUILDDIR/tests/tools/notify-listen"
[ -x "$LISTEN" ] || fail "$LISTEN is missing: make check builds it"
kiln_setup
# a socket where kilnd would not put its own: the log must name this one
sock="$XDG_RUNTIME_DIR/activated/api.sock"
mkdir -p -m 700 "$XDG_RUNTIME_DIR/activated"
export KILN_ADDR="$sock"

# stands in for the service manager's notify socket; it exits at STOPPING=1
export NOTIFY_SOCKET="$T/notify"
"$LISTEN" -t 18 -u STOPPING=1 "$NOTIFY_SOCKET" >"$T/notify.out" 2>&1 &
LISTEN_PID_=$!
trap 'kill "$LISTEN_PID_" 2>/dev/null || true; kiln_cleanup' EXIT
wait_for 50 test -S "$NOTIFY_SOCKET" || fail "notify-listen did not bind $NOTIFY_SOCKET"

# as systemd would: the socket exists before kilnd, which is exec'd (same
# pid) on the first connection with LISTEN_FDS=1 and only -E's variables
systemd-socket-activate --seqpacket -l "$sock" \
    -E PATH -E HOME -E XDG_RUNTIME_DIR -E XDG_DATA_HOME -E XDG_CONFIG_HOME \
    -E KILN_HELPER_DIR -E NOTIFY_SOCKET -E ASAN_OPTIONS -E UBSAN_OPTIONS \
    "$KILND" --net=host >"$T/kilnd.log" 2>&1 &
KILND_PID=$!
wait_for 50 test -S "$sock" || fail "systemd-socket-activate did not create $sock"
grep -q READY=1 "$T/notify.out" && fail "READY=1 before any client connected"

# the first client starts kilnd and is answered once kiln-solverd is up
kilnctl info >"$T/info" 2>&1 || fail "kilnctl info through the activated socket: $(cat "$T/info")"
grep -q "kiln-solverd .* ready" "$T/info" || fail "info: $(cat "$T/info")"
ready() { grep -q '^READY=1' "$T/notify.out"; }
wait_for 50 ready || fail "no READY=1 on NOTIFY_SOCKET: $(cat "$T/notify.out")"
grep -q "kilnd\[$KILND_PID\]" "$T/kilnd.log" || fail "kilnd is not pid $KILND_PID (no exec in place?)"
kilnctl ping >/dev/null || fail "second client not answered"

kill -TERM "$KILND_PID"
wait "$KILND_PID" && rc=0 || rc=$?
KILND_PID=
[ "$rc" = 0 ] || fail "kilnd exited $rc after SIGTERM"
wait "$LISTEN_PID_" || fail "notify-listen saw no STOPPING=1: $(cat "$T/notify.out")"
grep -q '^STOPPING=1' "$T/notify.out" || fail "no STOPPING=1: $(cat "$T/notify.out")"
# systemd owns an activated socket: kilnd must leave it in place
[ -S "$sock" ] || fail "kilnd removed the socket systemd passed it"
assert_grep "ready: API socket $sock," "$T/kilnd.log"
echo "ok"
