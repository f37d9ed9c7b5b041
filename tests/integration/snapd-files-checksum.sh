#!/bin/sh
# snapd-files-checksum.sh: SNAP_CHECKSUM answered from inotify watches in the real kiln-snapd (its filter allows them, /proc/self/fd is there): unchanged is a hit, a change or a write through a hard link outside is seen; contents hashed by its threads give one sum.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-files-lib.sh"
kiln_setup
C="$T/ctx"
mkdir -p "$C/src/sub" "$T/out"
echo hello >"$C/hello.txt"
echo deep >"$C/src/sub/deep.h"
kiln_start --test-hooks --log-level=debug
req='[["."], [], "", 0]'
nhits() { grep -c 'no change since its walk' "$T/kilnd.log" || true; }

fcall SNAP_CHECKSUM "$req" --fd-dir "$C"
s1=$(ffield 0)
grep -q "checksum $s1: [0-9]* watches keep it" "$T/kilnd.log" || fail "no watches: $(grep -i 'checksum\|inotify' "$T/kilnd.log")"
fcall SNAP_CHECKSUM "$req" --fd-dir "$C"
[ "$(ffield 0)" = "$s1" ] || fail "unchanged, another checksum"
[ "$(nhits)" = 1 ] || fail "the second checksum walked"

echo changed >"$C/src/sub/deep.h"
fcall SNAP_CHECKSUM "$req" --fd-dir "$C"
s2=$(ffield 0)
[ "$s2" != "$s1" ] || fail "a changed file, the same checksum"
[ "$(nhits)" = 1 ] || fail "a change answered from the watches"

# a hard link made outside, then a write through it
ln "$C/hello.txt" "$T/out/h"
fcall SNAP_CHECKSUM "$req" --fd-dir "$C"
fcall SNAP_CHECKSUM "$req" --fd-dir "$C"
[ "$(nhits)" = 2 ] || fail "no hit after the link"
echo other >"$T/out/h"
fcall SNAP_CHECKSUM "$req" --fd-dir "$C"
[ "$(ffield 0)" != "$s2" ] || fail "a write through a hard link outside went unseen"
[ "$(nhits)" = 2 ] || fail "a write through a link answered from the watches"

# switched off: every checksum walks
kiln_stop
kiln_start --test-hooks --log-level=debug --checksum-watch=off
fcall SNAP_CHECKSUM "$req" --fd-dir "$C"
fcall SNAP_CHECKSUM "$req" --fd-dir "$C"
[ "$(nhits)" = 0 ] || fail "--checksum-watch=off answered from watches"
kiln_stop

# 300 files: hashed by the pool's threads inside snapd's filter, first
# with their watches added, then from the per-inode cache: one sum
B="$T/big"
mkdir -p "$B/a" "$B/b"
for i in $(seq 1 150); do
	echo "a $i" >"$B/a/f$i"
	head -c $((i * 100)) /dev/zero >"$B/b/f$i"
done
kiln_start --test-hooks --log-level=debug
fcall SNAP_CHECKSUM "$req" --fd-dir "$B"
b1=$(ffield 0)
kiln_stop
kiln_start --test-hooks --log-level=debug --checksum-watch=off
fcall SNAP_CHECKSUM "$req" --fd-dir "$B"
[ "$(ffield 0)" = "$b1" ] || fail "300 files: another sum without watches"
fcall SNAP_CHECKSUM "$req" --fd-dir "$B"
[ "$(ffield 0)" = "$b1" ] || fail "300 files: another sum from the cache"
kiln_stop
echo ok
