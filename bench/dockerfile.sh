#!/bin/sh
# dockerfile.sh: runs bench/dockerfile-bench: df_parse of a typical and of a 10,000-instruction Dockerfile, and df_expand_word.
# Usage: KILN_BUILDDIR=/tmp/build-bench-rel sh bench/dockerfile.sh [runs]
set -eu

: "${KILN_BUILDDIR:?the build directory (configure without --enable-sanitizers)}"
RUNS=${1:-3}
BENCH="$KILN_BUILDDIR/bench/dockerfile-bench"

[ -x "$BENCH" ] || { echo "dockerfile.sh: $BENCH missing: make bench/dockerfile-bench" >&2; exit 2; }
grep -q '^SAN_CFLAGS = -fsanitize' "$KILN_BUILDDIR/Makefile" 2>/dev/null &&
	echo "dockerfile.sh: warning: $KILN_BUILDDIR is a sanitizer build; figures will be slow" >&2

echo "$(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)"
i=1
while [ "$i" -le "$RUNS" ]; do
	echo "run $i:"
	"$BENCH" | sed 's/^/  /'
	i=$((i + 1))
done
