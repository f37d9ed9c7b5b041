#!/bin/sh
# snapd-auto.sh: --snapshotter=auto picks overlayfs here, falls back to the next driver when one is refused and says why; a named driver that fails is an error.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-lib.sh"
kiln_setup

kiln_start --net=host
kilnctl info >"$T/info"
assert_grep "^snapshotter: overlayfs (auto: the first choice" "$T/info"
assert_grep "level=info msg=\"snapshotter: overlayfs (auto" "$T/kilnd.log"
kiln_stop

# the test switch is only obeyed with --test-hooks
KILN_SNAPD_TEST_REFUSE=overlayfs kiln_start --net=host
kilnctl info >"$T/info"
assert_grep "^snapshotter: overlayfs" "$T/info"
kiln_stop

# overlayfs refused: auto takes the next that works, and says why
KILN_SNAPD_TEST_REFUSE=overlayfs kiln_start --net=host --test-hooks
kilnctl info >"$T/info"
assert_grep "^snapshotter: fuse-overlayfs (auto: overlayfs rejected: refused by the test hook" "$T/info"
assert_grep "level=info msg=\"snapshotter: fuse-overlayfs (auto: overlayfs rejected" "$T/kilnd.log"
prepare ""
in_kiln "echo x >$SPATH/x"
commit "$SID"
kiln_stop

# both refused: native, with both reasons
KILN_SNAPD_TEST_REFUSE=overlayfs,fuse-overlayfs kiln_start --net=host --test-hooks
kilnctl info >"$T/info"
assert_grep "^snapshotter: native (auto: overlayfs rejected: refused by the test hook.*; fuse-overlayfs rejected: refused by the test hook" "$T/info"
prepare ""
in_kiln "echo x >$SPATH/x"
commit "$SID"
kiln_stop

# without fuse-overlayfs on PATH, the reason names the package
path_without_uidmap
rm -f "$T/bin/fuse-overlayfs"
PATH="$T/bin" KILN_SNAPD_TEST_REFUSE=overlayfs kiln_start --net=host --test-hooks
kilnctl info >"$T/info"
assert_grep "fuse-overlayfs rejected: fuse-overlayfs is not on PATH (package fuse-overlayfs)" "$T/info"
kiln_stop

# a driver asked for by name must work: snapd refuses to start, kilnd
# gives up after its restarts, and the log says why
rc=0
KILN_SNAPD_TEST_REFUSE=overlayfs "$KILND" --net=host --test-hooks \
    --oci-worker-snapshotter=overlayfs >"$T/kilnd.log" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "kilnd ran with a snapshotter that does not work"
assert_grep "snapshotter: overlayfs does not work here: refused by the test hook" \
    "$T/kilnd.log"

# a name kilnd does not know
rc=0
"$KILND" --snapshotter=zfs >"$T/bad.log" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--snapshotter=zfs exited $rc"
assert_grep "snapshotter is auto, overlayfs, fuse-overlayfs or native" "$T/bad.log"
echo ok
