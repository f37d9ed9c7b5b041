#!/bin/sh
# slirp.sh: --net=slirp4netns: kiln-netd runs slirp4netns, host loopback on and off, resolv.conf, restart after kill -9, nothing left after stop.
. "$KILN_SRCDIR/tests/integration/lib.sh"
command -v slirp4netns >/dev/null 2>&1 || { echo "SKIP: slirp4netns is not installed"; exit 77; }
if ! (exec 3<>/dev/net/tun) 2>/dev/null; then
	echo "SKIP: /dev/net/tun cannot be opened (chmod 666 /dev/net/tun)"
	exit 77
fi
kiln_setup

# A server on the host's loopback that answers "hello" to each connection.
NC_PID=
PORT=
for try in 1 2 3 4 5; do
	PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000))
	/bin/busybox nc -ll -p "$PORT" -e /bin/echo hello >/dev/null 2>&1 &
	NC_PID=$!
	if wait_for 20 sh -c "/bin/busybox nc -w 1 127.0.0.1 $PORT </dev/null | grep -q hello"; then
		break
	fi
	kill "$NC_PID" 2>/dev/null || true
	NC_PID=
done
[ -n "$NC_PID" ] || fail "could not start a server on 127.0.0.1"
trap 'kill "$NC_PID" 2>/dev/null; kiln_cleanup' EXIT

# Dead or a zombie waiting for init (an orphan killed by PDEATHSIG).
gone() {
	[ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) [ZX]' "/proc/$1/stat" 2>/dev/null
}
slirp_pid() {
	kilnctl info | sed -n 's/.*slirp4netns pid \([0-9]*\).*/\1/p'
}
# Connects from inside the kiln network namespace to the host's loopback.
reach_host() {
	nsenter -t "$(helper_pid solverd)" -U -n --preserve-credentials \
	    /bin/busybox nc -w 2 10.0.2.2 "$PORT" </dev/null 2>/dev/null | grep -q hello
}

# (a) host loopback enabled: 10.0.2.2 is the host's 127.0.0.1
# The API answers before the network is up; READY=1 and "ready" wait for it.
start_slirp() {
	kiln_start --net=slirp4netns "$@"
	wait_for 100 grep -q "ready: .*network slirp4netns" "$T/kilnd.log" ||
	    fail "kilnd not ready with slirp4netns within 10 s"
}
start_slirp --disable-host-loopback=false
kilnctl info >"$T/info"
assert_grep "^network: slirp4netns (--net=slirp4netns; slirp4netns pid [0-9]*, .*host loopback enabled)" "$T/info"
wait_for 30 reach_host || fail "no connection to the host's 127.0.0.1:$PORT through 10.0.2.2"
inside() { nsenter -t "$(helper_pid solverd)" -U -m --preserve-credentials "$@"; }
[ "$(inside /bin/busybox cat /etc/resolv.conf)" = "nameserver 10.0.2.3" ] ||
    fail "resolv.conf inside is not slirp's: $(inside /bin/busybox cat /etc/resolv.conf)"
inside /bin/busybox test -L /etc/resolv.conf && fail "resolv.conf inside is still a link"

# kill -9: kiln-netd restarts slirp4netns and the connection works again
old=$(slirp_pid)
[ -n "$old" ] || fail "no slirp4netns pid in kilnctl info"
kill -KILL "$old"
restarted() { new=$(slirp_pid) && [ -n "$new" ] && [ "$new" != "$old" ]; }
wait_for 50 restarted || fail "slirp4netns not restarted within 5 s: $(kilnctl info)"
wait_for 30 reach_host || fail "no connection after slirp4netns was restarted"
assert_grep "slirp4netns (pid $old) killed by signal KILL" "$T/kilnd.log"

# kill -9 of kiln-netd: its slirp4netns dies with it, the new one runs another
old=$(slirp_pid)
kill -KILL "$(helper_pid netd)"
wait_for 50 restarted || fail "no new slirp4netns after kiln-netd restarted: $(kilnctl info)"
wait_for 10 gone "$old" || fail "slirp4netns (pid $old) outlived its kiln-netd"
wait_for 30 reach_host || fail "no connection after kiln-netd was restarted"
last=$(slirp_pid)
kiln_stop
gone "$last" || fail "slirp4netns (pid $last) left behind"

# (b) the default in slirp4netns mode: host loopback disabled
start_slirp
kilnctl info >"$T/info"
assert_grep "host loopback disabled" "$T/info"
nsenter -t "$(helper_pid solverd)" -U -n --preserve-credentials /bin/busybox ip addr show tap0 |
    grep -q "inet 10.0.2.100/" || fail "tap0 is not configured inside"
reach_host && fail "the host's 127.0.0.1 is reachable with --disable-host-loopback"
last=$(slirp_pid)
kiln_stop
gone "$last" || fail "slirp4netns (pid $last) left behind"
echo "ok"
