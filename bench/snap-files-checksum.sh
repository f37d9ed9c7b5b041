#!/bin/sh
# snap-files-checksum.sh: SNAP_CHECKSUM of a 10,000-file context: the walk (first run reads, later ones hit the per-inode cache), then with the inotify watch set (first run walks and watches, later ones answer from it). Goal: under 20 ms the second time.
. "$(dirname "$0")/snap-files-lib.sh"
files "$W/ctx" 100 100 2048
"$SFB" checksum "$W/ctx" 5
# the floor of any walk that stats every file: find(1) doing just that
t0=$(ms); find "$W/ctx" -printf '%s %m %T@ %C@\n' >/dev/null; t1=$(ms)
echo "find -printf of the same tree (one stat per file): $((t1 - t0)) ms"
