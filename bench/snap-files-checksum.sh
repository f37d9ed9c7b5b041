#!/bin/sh
# snap-files-checksum.sh: SNAP_CHECKSUM of a 10,000-file context: the walk (first run reads, later ones hit the per-inode cache), then with the inotify watch set (first run walks and watches, later ones answer from it); then the first-ever (cold, watched) checksum of a 10,000-file, 80 MB context of 8 KiB files, median of RUNS fresh processes. Goals: under 20 ms the second time; the cold one near the floor of reading and hashing 80 MB.
# Usage: KILN_BUILDDIR=/tmp/build-bench-rel sh bench/snap-files-checksum.sh [RUNS]
. "$(dirname "$0")/snap-files-lib.sh"
RUNS=${1:-9}
files "$W/ctx" 100 100 2048
"$SFB" checksum "$W/ctx" 5
# the floor of any walk that stats every file: find(1) doing just that
t0=$(ms); find "$W/ctx" -printf '%s %m %T@ %C@\n' >/dev/null; t1=$(ms)
echo "find -printf of the same tree (one stat per file): $((t1 - t0)) ms"
rm -rf "$W/ctx"
files "$W/ctx80" 100 100 8192
for r in $(seq "$RUNS"); do
	"$SFB" checksum-cold "$W/ctx80"
done | tee "$W/cold"
sed 's/.*: \([0-9.]*\) ms .*/\1/' "$W/cold" | sort -n |
    awk '{ t[NR] = $1 } END { printf "cold watched, 80 MB of 8 KiB files: median %s ms of %d\n", t[int((NR + 1) / 2)], NR }'
