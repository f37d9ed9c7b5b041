#!/bin/sh
# snapd-cache.sh: SNAP_CACHE directories: shared, private and locked holds, owner and mode, and a closed connection letting go of what it held.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-lib.sh"
kiln_setup
kiln_start --net=host --test-hooks

cache() {
	call SNAP_CACHE "[\"$1\", \"$2\", ${3:--1}, ${4:--1}, ${5:--1}]"
	SID=$(field 0)
	SPATH=$(field 1)
}

# shared: two holds, one directory, and it persists after both let go
cache apt shared
h1=$SID p1=$SPATH
cache apt shared
[ "$SPATH" = "$p1" ] && [ "$SID" != "$h1" ] || fail "shared: $h1 $p1, then $out"
in_kiln "echo kept >$p1/f"
call SNAP_REMOVE "[\"$h1\"]"
call SNAP_REMOVE "[\"$SID\"]"
cache apt shared
in_kiln "test \"\$(cat $SPATH/f)\" = kept" || fail "the cache lost its file"
call SNAP_REMOVE "[\"$SID\"]"

# owner and mode of a new cache directory, as the step's ids see them
cache owned shared 1000 1001 448	# 0700
[ "$(in_kiln "stat -c '%u %g %a' $SPATH")" = "1000 1001 700" ] ||
    fail "owner and mode: $(in_kiln "stat -c '%u %g %a' $SPATH")"
call SNAP_REMOVE "[\"$SID\"]"

# private: a second holder at once gets a directory of its own
cache priv private
a=$SID pa=$SPATH
cache priv private
b=$SID pb=$SPATH
[ "$pa" != "$pb" ] || fail "private: both holders got $pa"
call SNAP_REMOVE "[\"$a\"]"
cache priv private
[ "$SPATH" = "$pa" ] || fail "private: the free first instance was not reused"
call SNAP_REMOVE "[\"$SID\"]"
call SNAP_REMOVE "[\"$b\"]"

# locked: the second waits until the first lets go
cache lk locked
first=$SID
"$KILNCTL_BIN" debug call SNAP_CACHE '["lk", "locked", -1, -1, -1]' >"$T/second" 2>&1 &
second_pid=$!
sleep 0.5
[ ! -s "$T/second" ] || fail "a locked cache was given twice: $(cat "$T/second")"
call SNAP_REMOVE "[\"$first\"]"
wait "$second_pid" || fail "the waiting holder: $(cat "$T/second")"
assert_grep '^SNAP_MOUNTED \["c' "$T/second"

# bad requests are refused with a reason
call_err SNAP_CACHE '["x", "sometimes", -1, -1, -1]'
case $out in *"shared, private or locked"*) ;; *) fail "bad sharing: $out" ;; esac
call_err SNAP_REMOVE '["c999"]'

# du knows the records
call DU
printf '%s\n' "$out" | grep -q '"apt","cache"' || fail "du: no apt cache: $out"

# when solverd's connection closes, its holds, waiters and prepared
# snapshots go: a restarted solverd finds the lock free, nothing mounted
cache lk2 locked
prepare ""
old=$(helper_pid solverd)
kill -KILL "$old"
wait_for 200 sh -c "[ \"\$($KILNCTL_BIN info 2>/dev/null | grep -c ' ready ')\" = 4 ]" ||
    fail "solverd did not come back"
[ -z "$(kiln_mounts)" ] || fail "mounts of the closed connection: $(kiln_mounts)"
cache lk2 locked
call SNAP_REMOVE "[\"$SID\"]"
kiln_stop
echo ok
