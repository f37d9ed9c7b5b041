# snapd-lib.sh: sourced by the snapd-*.sh tests after lib.sh: drive kiln-snapd through kilnctl debug call, and reach its mounts.

SNAPD_DIR() { echo "$XDG_DATA_HOME/kiln/snapd"; }

# call TYPE JSON: the answer ("TYPE json") in $out; fails the test on ERROR
call() {
	out=$(kilnctl debug call "$@" 2>&1) || fail "debug call $*: $out"
}

# call_err TYPE JSON: must be an ERROR; the answer in $out
call_err() {
	if out=$(kilnctl debug call "$@" 2>&1); then
		fail "debug call $* should have failed: $out"
	fi
	case $out in ERROR*) ;; *) fail "debug call $*: not an ERROR: $out" ;; esac
}

# field N of the answer's JSON array (strings without their quotes)
field() {
	printf '%s\n' "${out#* }" | jq -r ".[$1]"
}

# prepare PARENT / view ID: the new id in $SID, its mountpoint in $SPATH
prepare() {
	call SNAP_PREPARE "[\"$1\"]"
	SID=$(field 0)
	SPATH=$(field 1)
}
view() {
	call SNAP_VIEW "[\"$1\"]"
	SID=$(field 0)
	SPATH=$(field 1)
}
# commit ID: its size in $SSIZE
commit() {
	call SNAP_COMMIT "[\"$1\"]"
	[ "$(field 0)" = "$1" ] || fail "commit $1 answered $out"
	SSIZE=$(field 1)
}

# in_kiln SCRIPT: runs sh -c SCRIPT in kiln's user and mount namespaces
# (where the snapshots are mounted), as uid 0 there: the test user.
in_kiln() {
	nsenter -t "$(helper_pid snapd)" -U -m --preserve-credentials sh -c "$1"
}

# Mounts under snapd's state dir, as a helper sees them, but the tmpfs
# that holds the mountpoints.
kiln_mounts() {
	in_kiln "grep ' $(SNAPD_DIR)/' /proc/self/mountinfo | grep -v ' $(SNAPD_DIR)/mnt '" ||
	    true
}

# "PID STATE" of kiln-snapd, as kilnd sees it
snapd_state() {
	kilnctl debug --format json |
	    jq -r '.helpers[] | select(.name == "kiln-snapd") | "\(.pid) \(.state)"'
}

# Waits until kiln-snapd runs again after a kill: a new pid, ready.
snapd_restarted() {
	n=200
	while [ "$n" -gt 0 ]; do
		now=$(snapd_state 2>/dev/null || true)
		case $now in
		"$1 "* | "0 "* | "") ;;
		*" ready") return 0 ;;
		esac
		sleep 0.1
		n=$((n - 1))
	done
	fail "kiln-snapd did not come back after the kill (now: $now)"
}
