#!/bin/sh
# ipc.sh: runs bench/ipc-bench a few times: ipc_request round trip, and 1 MiB moved through a passed pipe fd.
# Usage: KILN_BUILDDIR=/tmp/build-bench-rel sh bench/ipc.sh [runs]
set -eu

: "${KILN_BUILDDIR:?the build directory (configure without --enable-sanitizers)}"
RUNS=${1:-3}
BENCH="$KILN_BUILDDIR/bench/ipc-bench"

[ -x "$BENCH" ] || { echo "ipc.sh: $BENCH missing: make bench/ipc-bench" >&2; exit 2; }
grep -q '^SAN_CFLAGS = -fsanitize' "$KILN_BUILDDIR/Makefile" 2>/dev/null &&
	echo "ipc.sh: warning: $KILN_BUILDDIR is a sanitizer build; figures will be slow" >&2

echo "$(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg); each run: 10000 round trips (after 100 unmeasured)," \
    "200 x 1 MiB through a fresh pipe each, then 200 MiB through one pipe"
i=1
while [ "$i" -le "$RUNS" ]; do
	echo "run $i:"
	"$BENCH" -n 10000 -m 200 -s 200 | sed 's/^/  /'
	i=$((i + 1))
done
