#!/bin/sh
# start.sh: kilnd's start-to-READY=1 and stop time, host and slirp4netns modes, beside rootlesskit's.
# Usage (as an unprivileged user): KILN_BUILDDIR=/tmp/build-bench-rel sh bench/start.sh [runs]
set -eu

: "${KILN_BUILDDIR:?the build directory (configure without --enable-sanitizers)}"
RUNS=${1:-20}
RT="$KILN_BUILDDIR/bench/ready-time"
KILND="$KILN_BUILDDIR/kilnd"

if [ "$(id -u)" = 0 ]; then
	echo "start.sh: run as an unprivileged user (e.g. runuser -u kilntest --)" >&2
	exit 2
fi
[ -x "$RT" ] || { echo "start.sh: $RT missing: make bench/ready-time" >&2; exit 2; }
grep -q '^SAN_CFLAGS = -fsanitize' "$KILN_BUILDDIR/Makefile" 2>/dev/null &&
	echo "start.sh: warning: $KILN_BUILDDIR is a sanitizer build; figures will be high" >&2

W=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

# The commands, one a line: label|command. Each run of each gets a fresh
# XDG_RUNTIME_DIR, XDG_DATA_HOME and XDG_CONFIG_HOME. rootlesskit sends no
# READY=1 itself: "true" gives its fork-to-exit time, "ready-time -n"
# (sends READY=1 from inside) its start time as kilnd's is measured.
RK_SLIRP="rootlesskit --net=slirp4netns --disable-host-loopback --copy-up=/etc"
cat >"$W/cmds" <<EOF
kilnd --net=host|$KILND --net=host
kilnd --net=slirp4netns|$KILND --net=slirp4netns
rootlesskit --net=host true|rootlesskit --net=host true
rootlesskit --net=slirp4netns ... true|$RK_SLIRP true
rootlesskit --net=host <notify>|rootlesskit --net=host $RT -n
rootlesskit --net=slirp4netns ... <notify>|$RK_SLIRP $RT -n
EOF

# One run: appends "ready stop total status" (ms; "-" when absent) to $W/N.
run_one() {
	n=$1 cmd=$2 d="$W/run"
	rm -rf "$d"
	mkdir -p -m 700 "$d/run" "$d/data" "$d/config"
	out=$(XDG_RUNTIME_DIR="$d/run" XDG_DATA_HOME="$d/data" \
	    XDG_CONFIG_HOME="$d/config" KILN_HELPER_DIR="$KILN_BUILDDIR" \
	    "$RT" -t 20 -o "$W/$n.log" $cmd) || true
	echo "$out" | awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["ready_ms"] != "none")
			printf "%s %s %.2f %s\n", v["ready_ms"], v["stop_ms"],
			    v["ready_ms"] + v["stop_ms"], v["status"]
		else
			printf "- - %s %s\n", v["exit_ms"], v["status"]
	}' >>"$W/$n"
}

# Prints "median p90" of column $2 of file $1, over the numeric entries.
stats() {
	awk -v c="$2" '$c != "-" && $c != "none" { print $c }' "$1" | sort -n |
	    awk '{ v[NR] = $1 }
	    END {
		if (NR == 0) { printf "%7s %7s", "-", "-"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		p = int(NR * 0.9); if (p < NR * 0.9) p++
		printf "%7.1f %7.1f", m, v[p]
	    }'
}

LOAD0=$(cut -d' ' -f1 /proc/loadavg)
# Round robin, so that a noisy moment hits every command alike.
i=0
while [ "$i" -lt "$RUNS" ]; do
	n=0
	while IFS='|' read -r label cmd; do
		n=$((n + 1))
		run_one "$n" "$cmd"
	done <"$W/cmds"
	i=$((i + 1))
done

echo "$(nproc) CPUs, load average $LOAD0 before, $(cut -d' ' -f1 /proc/loadavg) after;" \
    "$RUNS runs each, ms; ready: fork to READY=1; stop: SIGTERM to exit; total: fork to exit"
printf "%-42s %6s %15s %15s %15s\n" "" "ok" "ready med p90" "stop med p90" "total med p90"
n=0
while IFS='|' read -r label cmd; do
	n=$((n + 1))
	ok=$(awk '$1 != "-"' "$W/$n" | wc -l)
	printf "%-42s %3d/%-2d %s %s %s\n" "$label" "$ok" "$RUNS" \
	    "$(stats "$W/$n" 1)" "$(stats "$W/$n" 2)" "$(stats "$W/$n" 3)"
done <"$W/cmds"
n=0
while IFS='|' read -r label cmd; do
	n=$((n + 1))
	case $label in kilnd*) ;; *) continue ;; esac
	bad=$(awk '$1 == "-" || $4 != 0' "$W/$n" | wc -l)
	[ "$bad" -eq 0 ] && continue
	echo "$label: $bad of $RUNS runs without READY=1 or with a non-zero exit; last log lines:"
	grep -v 'level=info' "$W/$n.log" | sed 's/\[[0-9]*\]//' | sort | uniq -c |
	    sort -rn | head -n 3
done <"$W/cmds"
