#!/bin/sh
# snapd-sweep.sh: after kill -9 of kiln-snapd, the restarted one unmounts what was left, drops prepared snapshots, removes half-made dirs and blobs, and works.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-lib.sh"
kiln_setup
kiln_start --net=host --test-hooks

prepare ""
in_kiln "echo a >$SPATH/a"
base=$SID
commit "$base"
prepare "$base"
busy=$SID
view "$base"
[ "$(kiln_mounts | wc -l)" = 2 ] || fail "expected 2 mounts: $(kiln_mounts)"

# what a kill in the middle of a commit or a blob write leaves
d=$(SNAPD_DIR)
mkdir -p "$d/snapshots/999/fs" "$d/mnt/s999"
echo half >"$d/blobs/tmp/blob.half"

old=$(helper_pid snapd)
kill -KILL "$old"
snapd_restarted "$old"
[ -z "$(kiln_mounts)" ] || fail "mounts left after the restart: $(kiln_mounts)"
assert_grep "unmounting $d/mnt/$busy, left mounted before" "$T/kilnd.log"
assert_grep "dropping $busy, prepared when kiln-snapd stopped" "$T/kilnd.log"
[ ! -e "$d/snapshots/${busy#s}" ] || fail "the dropped $busy's dir is left"
[ ! -e "$d/snapshots/999" ] || fail "a dir no record names is left"
[ ! -e "$d/mnt/s999" ] || fail "a stale mountpoint is left"
[ ! -e "$d/blobs/tmp/blob.half" ] || fail "a half-written blob is left"
call_err SNAP_STAT "[\"$busy\"]"

# the store works: the committed base is there and takes children
call SNAP_STAT "[\"$base\"]"
prepare "$base"
in_kiln "test \"\$(cat $SPATH/a)\" = a" || fail "the base's content after the restart"
commit "$SID"
kiln_stop
echo ok
