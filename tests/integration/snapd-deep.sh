#!/bin/sh
# snapd-deep.sh: a 100-layer chain on overlayfs: each layer mounts, a view and a prepare on top see every layer, past the old one-page option limit.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-lib.sh"
kiln_setup
kiln_start --net=host --test-hooks --snapshotter=overlayfs

parent=""
i=1
while [ $i -le 100 ]; do
	prepare "$parent"
	in_kiln "echo $i >$SPATH/layer$i" || fail "writing layer $i"
	commit "$SID"
	parent=$SID
	i=$((i + 1))
done

# 100 layers of about 60 bytes of path each: well past 4096
view "$parent"
n=$(in_kiln "grep -o 'lowerdir+=' /proc/self/mountinfo | wc -l")
[ "$n" -ge 100 ] || fail "the view has $n lower layers, not 100"
in_kiln "cd $SPATH && test \$(ls | wc -l) = 100 && test \"\$(cat layer1 layer50 layer100)\" = \"\$(printf '1\n50\n100')\"" ||
    fail "the view does not show every layer: $(in_kiln "ls $SPATH" | head)"
call SNAP_REMOVE "[\"$SID\"]"

# a writable snapshot on top of the 100
prepare "$parent"
in_kiln "echo top >$SPATH/top && rm $SPATH/layer1 && test ! -e $SPATH/layer1 &&
    test \"\$(cat $SPATH/layer99)\" = 99" || fail "writing on 100 layers"
commit "$SID"
kiln_stop
echo ok
