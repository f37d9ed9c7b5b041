#!/bin/sh
# snap-files-apply.sh [runs]: unpacking a 100 MiB, 10,000-file layer with kiln's layer apply against tar -x of the same tar into an empty dir. Goal: within 1.3x.
. "$(dirname "$0")/snap-files-lib.sh"
runs=${1:-3}
files "$W/src" 100 100 10485
tar -C "$W/src" --numeric-owner --owner=0 --group=0 -cf "$W/layer.tar" .
echo "layer: $(du -m "$W/layer.tar" | cut -f1) MiB, $(tar -tf "$W/layer.tar" | wc -l) entries"
# both as root of a user namespace, so both keep owners
best_tar= best_kiln=
for i in $(seq 1 "$runs"); do
	unshare -r sh -c "rm -rf '$W/x' && mkdir '$W/x'"
	t0=$(ms); unshare -r tar -C "$W/x" --numeric-owner -xf "$W/layer.tar"; t=$(( $(ms) - t0 ))
	[ -z "$best_tar" ] || [ "$t" -lt "$best_tar" ] && best_tar=$t
	unshare -r sh -c "rm -rf '$W/y' && mkdir '$W/y'"
	t0=$(ms); unshare -r "$SFB" apply "$W/layer.tar" "$W/y" >/dev/null; t=$(( $(ms) - t0 ))
	[ -z "$best_kiln" ] || [ "$t" -lt "$best_kiln" ] && best_kiln=$t
	echo "run $i: tar -x ${best_tar} ms best, kiln apply ${best_kiln} ms best"
done
echo "tar -x: $best_tar ms; kiln layer apply: $best_kiln ms; ratio $(echo "scale=2; $best_kiln / $best_tar" | bc 2>/dev/null || echo "?")"
