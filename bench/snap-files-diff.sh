#!/bin/sh
# snap-files-diff.sh [runs]: the diff of a snapshot that changed 1,000 files (its overlay upper dir) against tar -c of those files. Goal: within 1.3x.
. "$(dirname "$0")/snap-files-lib.sh"
runs=${1:-9}
files "$W/upper" 10 100 10240
best_tar= best_kiln=
for i in $(seq 1 "$runs"); do
	t0=$(ms); tar -C "$W/upper" --numeric-owner -cf "$W/t.tar" .; t=$(( $(ms) - t0 ))
	[ -z "$best_tar" ] || [ "$t" -lt "$best_tar" ] && best_tar=$t
	t0=$(ms); "$SFB" diff "$W/upper" "$W/k.tar" >/dev/null; t=$(( $(ms) - t0 ))
	[ -z "$best_kiln" ] || [ "$t" -lt "$best_kiln" ] && best_kiln=$t
done
echo "1,000 files, $(du -m "$W/t.tar" | cut -f1) MiB: tar -c $best_tar ms; kiln diff $best_kiln ms (best of $runs)"
