#!/bin/sh
# snap-commit.sh: prepare + commit of an unchanged snapshot, per snapshotter: the per-step cost kiln-snapd adds (goal: median under 2 ms on overlayfs).
# Usage: KILN_BUILDDIR=/tmp/build-bench-rel sh bench/snap-commit.sh [rounds] [drivers...]
set -eu

: "${KILN_BUILDDIR:?the build directory (configure without --enable-sanitizers)}"
ROUNDS=${1:-500}
[ $# -gt 0 ] && shift
DRIVERS=${*:-overlayfs fuse-overlayfs native}
BENCH="$KILN_BUILDDIR/bench/snap-bench"

[ -x "$BENCH" ] || { echo "snap-commit.sh: $BENCH missing: make bench/snap-bench" >&2; exit 2; }
grep -q '^SAN_CFLAGS = -fsanitize' "$KILN_BUILDDIR/Makefile" 2>/dev/null &&
	echo "snap-commit.sh: warning: $KILN_BUILDDIR is a sanitizer build; figures will be slow" >&2

T=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench.XXXXXX")
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$T"' EXIT
export KILN_HELPER_DIR="$KILN_BUILDDIR" KILN_ADDR="$T/run/kiln/kilnd.sock"
echo "$(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg), $(df -T "$T" | awk 'NR == 2 { print $2 }') under $T"
for d in $DRIVERS; do
	export XDG_RUNTIME_DIR="$T/run" XDG_DATA_HOME="$T/data-$d" XDG_CONFIG_HOME="$T/config"
	mkdir -p -m 700 "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
	"$KILN_BUILDDIR/kilnd" --net=host --test-hooks --snapshotter="$d" \
	    --log-level=warn >"$T/kilnd-$d.log" 2>&1 &
	pid=$!
	n=100
	# the driver chosen, and all four helpers wired
	until "$KILN_BUILDDIR/kilnctl" info >"$T/info" 2>/dev/null &&
	    grep -q "^snapshotter: $d" "$T/info" &&
	    [ "$(grep -c '^  kiln-[a-z]* .* ready ' "$T/info")" = 4 ]; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || { echo "kilnd did not start: $(cat "$T/kilnd-$d.log")"; exit 1; }
		sleep 0.1
	done
	echo "$d:"
	"$BENCH" -n "$ROUNDS" | sed 's/^/  /'
	kill -TERM "$pid"
	wait "$pid" || true
done
