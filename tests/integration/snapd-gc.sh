#!/bin/sh
# snapd-gc.sh: du per record, prune (never what a lease, a child or a held cache keeps), and automatic GC under --gc-keep-storage.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-lib.sh"
kiln_setup
kiln_start --net=host --test-hooks --gc-keep-storage=3MB
assert_grep "gc: keeping the store under 3000000 bytes" "$T/kilnd.log"

# one committed snapshot of about 1 MiB on the empty root: its id in $SID
mib() {
	prepare ""
	in_kiln "head -c 1048576 /dev/zero >$SPATH/m"
	commit "$SID"
}
# not in du (a SNAP_STAT would count as a use, and change GC's order)
gone() {
	! kilnctl du | grep -q "^$1 "
}

mib; s1=$SID
call SNAP_LEASE "[\"$s1\", true]"
mib; s2=$SID
sleep 1.1	# last used: s2 older than s3 and s4
mib; s3=$SID
mib; s4=$SID

# about 4.2 MB: GC removes the least recently used that nothing holds
# (s2, then s3) until the store is under 3 MB (in one run, or two when
# a slow machine let it run after s3); the leased s1 stays
wait_for 100 gone "$s3" || fail "GC did not remove $s3: $(kilnctl du)"
gone "$s2" || fail "GC did not remove $s2"
gone "$s1" && fail "GC removed the leased $s1"
gone "$s4" && fail "GC removed the newest, $s4"
assert_grep "gc: the store used .* over --gc-keep-storage 3000000: removed" "$T/kilnd.log"

kilnctl du >"$T/du" || fail "kilnctl du: $(cat "$T/du")"
assert_grep "^ID  *KIND  *RECLAIMABLE  *SIZE  *LAST USED  *DESCRIPTION" "$T/du"
assert_grep "^$s1  *snapshot  *no  *1.0[0-9]MB .*leased by a build" "$T/du"
assert_grep "^$s4  *snapshot  *yes " "$T/du"
assert_grep "^Total: 2.1[0-9]MB" "$T/du"

# nothing older than an hour: nothing goes
kilnctl prune --keep-duration 1h >"$T/prune" || fail "prune: $(cat "$T/prune")"
assert_grep "^Total: 0B reclaimed, 0 records removed" "$T/prune"
# a prune takes s4, not the leased s1
kilnctl prune >"$T/prune"
assert_grep "1 records removed" "$T/prune"
gone "$s4" || fail "prune left $s4"
call SNAP_STAT "[\"$s1\"]"

# a child keeps its parent; once both are free one prune takes both
prepare "$s1"
child=$SID
call SNAP_LEASE "[\"$s1\", false]"
kilnctl prune >"$T/prune"
call SNAP_STAT "[\"$s1\"]"
commit "$child"
kilnctl prune >"$T/prune"
assert_grep "2 records removed" "$T/prune"
gone "$s1" || fail "prune left $s1"

# cache mounts: kept by a plain prune, taken by --all, never while held
call SNAP_CACHE '["keep", "shared", -1, -1, -1]'
held=$(field 0)
call SNAP_CACHE '["free", "shared", -1, -1, -1]'
call SNAP_REMOVE "[\"$(field 0)\"]"
kilnctl prune >"$T/prune"
kilnctl du >"$T/du"
assert_grep "^free  *cache  *yes" "$T/du"
kilnctl prune --all >"$T/prune"
kilnctl du >"$T/du"
grep -q "^free " "$T/du" && fail "prune --all left the free cache: $(cat "$T/du")"
assert_grep "^keep  *cache  *no" "$T/du"
call SNAP_REMOVE "[\"$held\"]"

# --keep-storage: stop once under the bound
mib; a=$SID
mib; b=$SID
kilnctl prune --all --keep-storage 1.5MB >"$T/prune"
gone "$a" || fail "--keep-storage: the older $a should have gone"
gone "$b" && fail "--keep-storage: $b should have stayed"
kilnctl du >"$T/du"
assert_grep "^Total: 1.0[0-9]MB" "$T/du"

kilnctl prune --keep-storage lots >"$T/bad" 2>&1 && fail "a bad size was taken"
assert_grep "usage: kilnctl prune" "$T/bad"
kiln_stop
echo ok
