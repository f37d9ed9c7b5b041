# snapd-files-lib.sh: sourced by the snapd-files-*.sh tests after lib.sh: kiln-snapd's file and image messages through kilnctl debug call.

command -v jq >/dev/null || { echo "SKIP: jq not installed (scripts/deps.sh)"; exit 77; }

# fcall TYPE JSON [--fd-... PATH]...: the answer ("TYPE json") in $out;
# fails the test on ERROR
fcall() {
	out=$(kilnctl debug call "$@" 2>&1) || fail "debug call $*: $out"
}

# fcall_err TYPE JSON ...: must be an ERROR; its answer in $out
fcall_err() {
	if out=$(kilnctl debug call "$@" 2>&1); then
		fail "debug call $* should have failed: $out"
	fi
	case $out in ERROR*) ;; *) fail "debug call $*: not an ERROR: $out" ;; esac
}

# ffield N: field N of the last answer's JSON array
ffield() {
	printf '%s\n' "${out#* }" | jq -r ".[$1]"
}

# in_kiln SCRIPT: sh -c SCRIPT in kiln's user and mount namespaces, where
# snapshots are mounted and ids are the image's (uid 0 is the test user)
in_kiln() {
	nsenter -t "$(helper_pid snapd)" -U -m --preserve-credentials sh -c "$1"
}

# fprepare PARENT / fview ID / fcommit ID: $SID and $SPATH
fprepare() {
	fcall SNAP_PREPARE "[\"$1\"]"
	SID=$(ffield 0)
	SPATH=$(ffield 1)
}
fview() {
	fcall SNAP_VIEW "[\"$1\"]"
	SID=$(ffield 0)
	SPATH=$(ffield 1)
}
fcommit() {
	fcall SNAP_COMMIT "[\"$1\"]"
	SID=$(ffield 0)
}

# A base image made by tests/tools/mkbase.sh: mkbase OUT ARGS...
mkbase() {
	sh "$KILN_SRCDIR/tests/tools/mkbase.sh" "$@" || fail "mkbase.sh $*"
}
