# snap-files-lib.sh: sourced by bench/snap-files-*.sh: the bench tool, a scratch dir, a clock.
set -eu
: "${KILN_BUILDDIR:?set KILN_BUILDDIR to a build without --enable-sanitizers}"
SFB="$KILN_BUILDDIR/bench/snap-files-bench"
[ -x "$SFB" ] || { echo "no $SFB: make bench/snap-files-bench" >&2; exit 1; }
grep -q '^SAN_CFLAGS = .*fsanitize' "$KILN_BUILDDIR/Makefile" 2>/dev/null &&
    echo "warning: a sanitizer build: the figures mean little" >&2
W=$(mktemp -d "${TMPDIR:-/var/tmp}/snap-bench.XXXXXX")
trap 'unshare -r rm -rf "$W"' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }
# files DIR NDIRS NFILES BYTES: NDIRS*NFILES files of BYTES each
files() {
	for d in $(seq 1 "$2"); do
		mkdir -p "$1/d$d"
		head -c $(( $3 * $4 )) /dev/urandom >"$W/blob"
		(cd "$1/d$d" && split -a 4 -b "$4" "$W/blob" f)
	done
	rm -f "$W/blob"
}
