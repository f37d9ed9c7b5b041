#!/bin/sh
# snapd-store.sh: prepare/commit/view chains on each snapshotter: contents, removals, read-only views, usage numbers, stat, and nothing left mounted.
# fuse-overlayfs: its daemons are children of snapd's spawner, and none is
# left once kilnd stops.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-lib.sh"
kiln_setup

for driver in overlayfs fuse-overlayfs native; do
	kiln_start --net=host --test-hooks --snapshotter=$driver
	kilnctl info >"$T/info"
	assert_grep "^snapshotter: $driver (asked for with --snapshotter)" "$T/info"

	# a base from the empty root: a file, a dir, 1 MiB of data
	prepare ""
	base=$SID
	in_kiln "echo base >$SPATH/a && mkdir $SPATH/dir && echo x >$SPATH/dir/x &&
	    head -c 1048576 /dev/urandom >$SPATH/big && ln $SPATH/a $SPATH/hard" ||
	    fail "$driver: writing into $SPATH"
	commit "$base"
	[ "$SSIZE" -ge 1048576 ] && [ "$SSIZE" -lt 1200000 ] ||
	    fail "$driver: a 1 MiB base has size $SSIZE"
	[ -z "$(kiln_mounts | grep "/mnt/$base ")" ] || fail "$driver: $base still mounted"

	# a child: removes a file and replaces a dir
	prepare "$base"
	child=$SID
	in_kiln "test \"\$(cat $SPATH/a)\" = base && rm $SPATH/a && echo b >$SPATH/b &&
	    rm -r $SPATH/dir && mkdir $SPATH/dir && echo y >$SPATH/dir/y" ||
	    fail "$driver: changing $SPATH"
	commit "$child"
	if [ $driver != native ]; then
		# its own layer only, not the parent's megabyte
		[ "$SSIZE" -lt 65536 ] || fail "$driver: a small change has size $SSIZE"
		up=$(SNAPD_DIR)/snapshots/${child#s}/fs
		[ -c "$up/a" ] || fail "$driver: no whiteout for a in $up"
	else
		[ "$SSIZE" -ge 1048576 ] || fail "native: a full copy has size $SSIZE"
	fi
	call SNAP_STAT "[\"$child\"]"
	[ "$(field 0) $(field 1) $(field 2)" = "$child $base $SSIZE" ] ||
	    fail "$driver: stat $child: $out"

	# a view of the chain: the child's tree, read-only
	view "$child"
	v=$SID
	in_kiln "test ! -e $SPATH/a && test \"\$(cat $SPATH/b)\" = b &&
	    test ! -e $SPATH/dir/x && test \"\$(cat $SPATH/dir/y)\" = y &&
	    test \"\$(cat $SPATH/hard)\" = base && test -s $SPATH/big" ||
	    fail "$driver: the view of $child: $(in_kiln "ls -lR $SPATH")"
	in_kiln "echo no >$SPATH/c" 2>/dev/null && fail "$driver: a view is writable"
	call_err SNAP_COMMIT "[\"$v\"]"
	call SNAP_REMOVE "[\"$v\"]"
	[ -z "$(kiln_mounts | grep "/mnt/$v ")" ] || fail "$driver: view $v still mounted"

	# three deep, and a prepared snapshot dropped unused
	prepare "$child"
	in_kiln "echo c >$SPATH/c"
	third=$SID
	commit "$third"
	view "$third"
	in_kiln "test \"\$(cat $SPATH/b)\$(cat $SPATH/c)\" = bc && test ! -e $SPATH/a" ||
	    fail "$driver: three deep"
	call SNAP_REMOVE "[\"$SID\"]"
	prepare "$third"
	call SNAP_REMOVE "[\"$SID\"]"
	[ ! -e "$(SNAPD_DIR)/snapshots/${SID#s}" ] || fail "$driver: $SID's dir left"

	# errors a solver meets: gone ids are ENOENT, a committed one stays
	call_err SNAP_STAT '["s999"]'
	case $out in "ERROR [2,"*) ;; *) fail "stat of s999: $out" ;; esac
	call_err SNAP_PREPARE '["s999"]'
	call_err SNAP_REMOVE "[\"$base\"]"
	call_err SNAP_VIEW '["nonsense"]'

	# a lease is taken and let go; letting go twice is an error
	call SNAP_LEASE "[\"$child\", true]"
	call SNAP_LEASE "[\"$child\", false]"
	call_err SNAP_LEASE "[\"$child\", false]"

	prepare "$base"
	[ -n "$(kiln_mounts)" ] || fail "$driver: nothing mounted while $SID is prepared"
	if [ $driver = fuse-overlayfs ]; then
		prepare "$child"
		fpid=$(pgrep -u "$(id -u)" -f "^fuse-overlayfs -f -o .*$SPATH\$") ||
		    fail "no fuse-overlayfs for $SPATH"
		[ "$(ps -o ppid= -p "$fpid" | tr -d ' ')" != "$(helper_pid snapd)" ] ||
		    fail "fuse-overlayfs is snapd's own child, not its spawner's"
	fi
	kiln_stop
	[ $driver != fuse-overlayfs ] || ! kill -0 "$fpid" 2>/dev/null ||
	    fail "fuse-overlayfs $fpid outlived kilnd"
	# a new kiln: nothing of the last one is mounted, the prepared one
	# was dropped, the committed ones are there
	kiln_start --net=host --test-hooks --snapshotter=$driver
	[ -z "$(kiln_mounts)" ] || fail "$driver: mounts left after a restart: $(kiln_mounts)"
	call_err SNAP_STAT "[\"$SID\"]"
	call SNAP_STAT "[\"$third\"]"
	kiln_stop
	rm -rf "$XDG_DATA_HOME/kiln"
done
echo ok
