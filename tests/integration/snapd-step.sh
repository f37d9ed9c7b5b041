#!/bin/sh
# snapd-step.sh: SNAP_PREPARE for a step (its mount points in a layer beneath, never in its own), SNAP_COMMIT ahead (the next step's snapshot in the same answer, held like a prepared one), the spare snapshot directory made after an answer, and both across a kill -9 of snapd.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-lib.sh"
kiln_setup
kiln_start --net=host --test-hooks

# a step on the empty root sees /proc, /dev, /sys and the /etc files
call SNAP_PREPARE '["", true]'
SID=$(field 0) SPATH=$(field 1)
in_kiln "test -d $SPATH/proc && test -d $SPATH/dev && test -d $SPATH/sys &&
    test -f $SPATH/etc/hosts && test -f $SPATH/etc/hostname &&
    test -f $SPATH/etc/resolv.conf" || fail "a step's mount points are missing"
in_kiln "echo made >$SPATH/made"
S1=$SID
# once it answered, the next prepare's directory is made ahead
wait_for 50 in_kiln "test -d $(SNAPD_DIR)/snapshots/spare/fs &&
    test -d $(SNAPD_DIR)/snapshots/spare/work" || fail "no spare snapshot directory after a prepare"
# ...which never reach its own layer
up="$(SNAPD_DIR)/snapshots/${S1#s}/fs"
[ "$(in_kiln "ls -A $up")" = "made" ] || fail "the upper dir holds: $(in_kiln "ls -A $up")"

# commit ahead: committed, and the next step's snapshot on it
call SNAP_COMMIT "[\"$S1\", true]"
[ "$(field 0)" = "$S1" ] || fail "commit ahead answered $out"
S2=$(field 2) P2=$(field 3)
[ -n "$S2" ] && [ "$S2" != null ] || fail "no snapshot ahead: $out"
in_kiln "test \"\$(cat $P2/made)\" = made && test -d $P2/proc" ||
    fail "the snapshot ahead is not on $S1 with the mount points"
call SNAP_STAT "[\"$S1\"]"
# it is this connection's: committed like any prepared one
# removing one in a snapshot whites it out there; the layer beneath stays
in_kiln "rmdir $P2/sys && test ! -e $P2/sys && test -d $(SNAPD_DIR)/stubs/sys" ||
    fail "removing a mount point in a snapshot"
in_kiln "echo two >$P2/two"
call SNAP_COMMIT "[\"$S2\"]"
[ "$(printf '%s\n' "${out#* }" | jq length)" = 2 ] || fail "a commit without ahead: $out"
view "$S2"
in_kiln "test -f $SPATH/two && test -f $SPATH/made && test ! -e $SPATH/proc &&
    test ! -e $SPATH/sys &&
    test ! -e $SPATH/etc" || fail "the view shows: $(in_kiln "ls -A $SPATH")"
call SNAP_REMOVE "[\"$SID\"]"

# a plain prepare has no mount points; false is the same as leaving it out
call SNAP_PREPARE "[\"$S2\", false]"
in_kiln "test ! -e $(field 1)/proc" || fail "a plain prepare shows /proc"
call SNAP_REMOVE "[\"$(field 0)\"]"
call_err SNAP_PREPARE "[\"$S2\", \"yes\"]"

# an ahead snapshot nobody commits goes with the connection; after a
# kill -9 of snapd the layer beneath is still whole
call SNAP_PREPARE "[\"$S2\", true]"
call SNAP_COMMIT "[\"$(field 0)\", true]"
S4=$(field 0) S5=$(field 2)
old=$(snapd_state | cut -d' ' -f1)
kill -KILL "$(helper_pid snapd)"
snapd_restarted "$old"
# the spare of the last run is swept like any half-made directory
in_kiln "test ! -e $(SNAPD_DIR)/snapshots/spare" || fail "the spare outlived the kill"
[ -z "$(kiln_mounts)" ] || fail "mounts after the kill: $(kiln_mounts)"
call SNAP_STAT "[\"$S4\"]"
call_err SNAP_COMMIT "[\"$S5\"]"
call SNAP_PREPARE "[\"$S4\", true]"
in_kiln "test -d $(field 1)/proc && test -f $(field 1)/etc/hosts && test -f $(field 1)/two" ||
    fail "a step after the restart: $(in_kiln "ls -A $(field 1)")"
call SNAP_REMOVE "[\"$(field 0)\"]"
kiln_stop
echo ok
