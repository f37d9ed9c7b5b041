#!/bin/sh
# snapd-crash.sh: kill -9 of kiln-snapd in a prepare, in a commit (before and after its record), and in GC: after the restart the store is consistent, nothing stays mounted, and the next prepare works.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-lib.sh"
kiln_setup
kiln_start --net=host --test-hooks --gc-keep-storage=1500kB
d=$(SNAPD_DIR)

# stall POINT TYPE JSON: the request stalls at POINT (a --test-hooks file),
# is killed there with SIGKILL, and kilnd restarts snapd
stall() {
	echo "$1" >"$d/test-stall"
	old=$(helper_pid snapd)
	"$KILNCTL_BIN" debug call "$2" "$3" >"$T/stalled" 2>&1 &
	wait_for 100 grep -q "test hook: stalling at $1\"" "$T/kilnd.log" ||
	    fail "snapd did not reach $1"
	kill -KILL "$old"
	wait $! 2>/dev/null || true
	snapd_restarted "$old"
}

# every record has its directory and every directory its record, and
# nothing is mounted
consistent() {
	[ -z "$(kiln_mounts)" ] || fail "$1: mounts left: $(kiln_mounts)"
	kilnctl du | sed -n 's/^s\([0-9]*\) .*/\1/p' | sort >"$T/rows"
	ls "$d/snapshots" | sort >"$T/dirs"
	cmp -s "$T/rows" "$T/dirs" ||
	    fail "$1: records $(cat "$T/rows" | tr '\n' ' ') but dirs $(cat "$T/dirs" | tr '\n' ' ')"
	ls "$d/mnt" | grep -q . && fail "$1: mountpoints left: $(ls "$d/mnt")"
	prepare ""
	in_kiln "echo ok >$SPATH/ok" || fail "$1: the next prepare does not work"
	call SNAP_REMOVE "[\"$SID\"]"
}

prepare ""
in_kiln "echo base >$SPATH/base"
base=$SID
commit "$base"

# in a prepare: its record and directory exist, its mount not yet
stall prepare SNAP_PREPARE "[\"$base\"]"
consistent "killed in a prepare"

# in a commit, after the unmount, before the record says committed: the
# snapshot was never committed
prepare "$base"
s=$SID
in_kiln "echo lost >$SPATH/f"
stall commit SNAP_COMMIT "[\"$s\"]"
call_err SNAP_STAT "[\"$s\"]"
consistent "killed in a commit"

# just after the record: committed, with its content
prepare "$base"
s=$SID
in_kiln "echo kept >$SPATH/f"
stall committed SNAP_COMMIT "[\"$s\"]"
call SNAP_STAT "[\"$s\"]"
view "$s"
in_kiln "test \"\$(cat $SPATH/f)\" = kept" || fail "the committed snapshot lost its file"
call SNAP_REMOVE "[\"$SID\"]"
consistent "killed after a commit"

# in GC, between the record and the directory: over 1.5 MB GC removes the
# oldest free snapshot ($base) and is killed before its directory goes
echo gc >"$d/test-stall"
old=$(helper_pid snapd)
for i in 1 2; do
	prepare ""
	in_kiln "head -c 1048576 /dev/zero >$SPATH/m"
	commit "$SID"
done
wait_for 100 grep -q "test hook: stalling at gc\"" "$T/kilnd.log" || fail "GC did not run"
kill -KILL "$old"
snapd_restarted "$old"
assert_grep "no snapshot record names it" "$T/kilnd.log"
consistent "killed in GC"
kiln_stop
echo ok
