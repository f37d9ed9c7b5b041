# execd-lib.sh: sourced by the execd-*.sh tests after lib.sh: a busybox rootfs and a step runner.

# A rootfs in $T/rootfs: busybox-static and the applets the tests use.
execd_rootfs() {
	bb=$(command -v busybox || true)
	[ -n "$bb" ] || { echo "SKIP: busybox-static not installed"; exit 77; }
	file -L "$bb" 2>/dev/null | grep -q "dynamically" &&
	    { echo "SKIP: $bb is not static"; exit 77; }
	R="$T/rootfs"
	mkdir -p "$R/bin" "$R/tmp" "$R/etc"
	cp "$bb" "$R/bin/busybox"
	for a in sh cat echo id ls sleep ps mount unshare true false seq grep \
	    hostname mkdir pwd kill wc head umask stat dd touch rm env cut tr; do
		ln -s busybox "$R/bin/$a"
	done
}

# step ARGS...: kilnctl debug run in $R; output in $T/out and $T/err,
# its status in $rc.
step() {
	rc=0
	kilnctl debug run --rootfs "$R" "$@" >"$T/out" 2>"$T/err" || rc=$?
}
