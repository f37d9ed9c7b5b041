#!/bin/sh
# exec-step.sh: kiln-execd's per-step overhead (`true` as a step) beside unshare -Urmpf --mount-proc true and runc run of the same rootfs, and execd's memory idle and during 8 parallel steps.
# Usage (as an unprivileged user): KILN_BUILDDIR=/tmp/build-bench-rel sh bench/exec-step.sh [runs]
set -eu

: "${KILN_BUILDDIR:?the build directory (configure without --enable-sanitizers)}"
RUNS=${1:-200}
RT="$KILN_BUILDDIR/bench/ready-time"
KILNCTL="$KILN_BUILDDIR/kilnctl"

if [ "$(id -u)" = 0 ]; then
	echo "exec-step.sh: run as an unprivileged user (e.g. runuser -u kilntest --)" >&2
	exit 2
fi
[ -x "$RT" ] || { echo "exec-step.sh: $RT missing: make bench/ready-time" >&2; exit 2; }
grep -q '^SAN_CFLAGS = -fsanitize' "$KILN_BUILDDIR/Makefile" 2>/dev/null &&
	echo "exec-step.sh: warning: $KILN_BUILDDIR is a sanitizer build; figures will be high" >&2

W=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench.XXXXXX")
KILND_PID=
cleanup() {
	[ -n "$KILND_PID" ] && kill "$KILND_PID" 2>/dev/null && wait "$KILND_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# the same busybox rootfs for kiln and runc (runc's bundle holds it)
R="$W/bundle/rootfs"
# /proc, /dev and /sys as every image has them
mkdir -p "$R/bin" "$R/tmp" "$R/etc" "$R/proc" "$R/dev" "$R/sys"
cp "$(command -v busybox)" "$R/bin/busybox"
for a in sh true sleep; do ln -s busybox "$R/bin/$a"; done
have_runc=0
if command -v runc >/dev/null; then
	(cd "$W/bundle" && runc spec --rootless &&
	    sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' config.json) &&
	    have_runc=1
fi

export XDG_RUNTIME_DIR="$W/run" XDG_DATA_HOME="$W/data" XDG_CONFIG_HOME="$W/config"
export KILN_HELPER_DIR="$KILN_BUILDDIR" KILN_ADDR="$W/run/kiln/kilnd.sock"
mkdir -p -m 700 "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
"$KILN_BUILDDIR/kilnd" --net=host --test-hooks --log-level=debug >"$W/kilnd.log" 2>&1 &
KILND_PID=$!
n=0
until [ "$("$KILNCTL" info 2>/dev/null | grep -c '^  kiln-[a-z]* .* ready ')" = 4 ]; do
	n=$((n + 1))
	[ $n -lt 200 ] || { echo "kilnd did not start: $(tail "$W/kilnd.log")" >&2; exit 1; }
	sleep 0.1
done
execd=$(sed -n 's/.*"name":"kiln-execd","pid":\([0-9]*\).*/\1/p' <<EOF
$("$KILNCTL" debug --format json)
EOF
)
spawner=$(pgrep -P "$execd" -x execd-spawner)

# ms from fork to exit of one command, appended to file $1
timed() {
	f=$1
	shift
	"$RT" -t 20 "$@" | sed -n 's/.*exit_ms=\([0-9.]*\) status=0$/\1/p' >>"$f"
}

# warm up, then round robin so that load hits all alike
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$KILNCTL" debug run --rootfs "$R" -- true
done
sleep 0.5
skip=$(grep -c 'reaped .* us after EXEC_RUN' "$W/kilnd.log" || true)
for i in $(seq "$RUNS"); do
	timed "$W/kilnctl" "$KILNCTL" debug run --rootfs "$R" -- true
	timed "$W/unshare" unshare -Urmpf --mount-proc true
	# runc would relay a NOTIFY_SOCKET and wait for the container to notify
	[ $have_runc = 1 ] && timed "$W/runc" env -u NOTIFY_SOCKET runc --root "$W/runc-state" run -b "$W/bundle" "b$i"
done
grep 'reaped .* us after EXEC_RUN' "$W/kilnd.log" | sed "1,${skip}d" |
    sed -n 's/.*setup \([0-9]*\) us, reaped \([0-9]*\) us.*/\1 \2/p' >"$W/execd"
awk '{ print $1 / 1000 }' "$W/execd" >"$W/execd-setup"
awk '{ print $2 / 1000 }' "$W/execd" >"$W/execd-total"

# "median p90 count" of the numbers in file $1 (nearest rank)
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 }
	    END {
		if (NR == 0) { printf "%8s %8s %5d", "-", "-", 0; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		p = int(NR * 0.9 + 0.999); if (p > NR) p = NR
		printf "%8.2f %8.2f %5d", m, v[p], NR
	    }'
}

echo "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each, ms"
printf '%-58s %8s %8s %5s\n' "" median p90 n
printf '%-58s %s\n' "kiln-execd: EXEC_RUN to execve of true (spawner)" "$(stats "$W/execd-setup")"
printf '%-58s %s\n' "kiln-execd: EXEC_RUN to reaped exit of true (spawner)" "$(stats "$W/execd-total")"
printf '%-58s %s\n' "kilnctl debug run -- true (fork to exit, whole path)" "$(stats "$W/kilnctl")"
printf '%-58s %s\n' "unshare -Urmpf --mount-proc true (fork to exit)" "$(stats "$W/unshare")"
if [ $have_runc = 1 ]; then
	printf '%-58s %s\n' "runc run, rootless, same rootfs (fork to exit)" "$(stats "$W/runc")"
else
	echo "runc: not installed (scripts/deps.sh installs it)"
fi
echo "crun: not measured; it does not run on this machine's hybrid (v1 + named systemd) cgroups"

# memory of execd and its spawner, idle and while 8 steps run at once
pss() { sed -n 's/^Pss:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/smaps_rollup"; }
echo "kiln-execd Pss idle: $(pss "$execd") KiB, execd-spawner: $(pss "$spawner") KiB"
pids=
for i in 1 2 3 4 5 6 7 8; do
	"$KILNCTL" debug run --rootfs "$R" -- sleep 3 &
	pids="$pids $!"
done
n=0
while [ "$(pgrep -c -f '^sleep 3$' || true)" -lt 8 ] && [ $n -lt 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
steps=$(pgrep -f '^sleep 3$' | while read -r p; do pss "$p"; done | awk '{ s += $1 } END { print s + 0 }')
echo "during 8 parallel steps: kiln-execd $(pss "$execd") KiB, execd-spawner $(pss "$spawner") KiB, the 8 steps' sleep processes $steps KiB together"
wait $pids
