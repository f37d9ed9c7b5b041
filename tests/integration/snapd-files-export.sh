#!/bin/sh
# snapd-files-export.sh: an EXPORT_TAR whose reader stalls runs in its own child: kiln-snapd answers du and a prepare meanwhile, and the export ends whole once read.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-files-lib.sh"
kiln_setup
kiln_start --test-hooks
fprepare ""
P=$SID
# 4 MiB: far more than a pipe holds
in_kiln "head -c 4194304 /dev/urandom >'$SPATH/big' && echo small >'$SPATH/small'" ||
    fail "writing the snapshot"
fcommit "$P"
C=$SID

# answers CMD...: CMD ends within 10 s
answers() {
	"$@" >"$T/ans" 2>&1 &
	a=$!
	n=100
	while kill -0 "$a" 2>/dev/null && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	if kill -0 "$a" 2>/dev/null; then
		kill "$a"
		return 1
	fi
	wait "$a"
}

mkfifo "$T/fifo"
kilnctl debug call EXPORT_TAR "[\"$C\"]" --fd-write "$T/fifo" >"$T/exp.out" 2>&1 &
EXP=$!
exec 3<"$T/fifo"	# a reader that reads nothing yet
sleep 1
kill -0 "$EXP" 2>/dev/null || fail "the export did not stall: $(cat "$T/exp.out")"
answers kilnctl du || fail "kilnctl du stalled behind an export: $(cat "$T/ans")"
answers kilnctl debug call SNAP_PREPARE '[""]' ||
    fail "a prepare stalled behind an export: $(cat "$T/ans")"
out=$(cat "$T/ans")
fcall SNAP_REMOVE "[\"$(ffield 0)\"]"
kill -0 "$EXP" 2>/dev/null || fail "the export ended unread: $(cat "$T/exp.out")"

cat <&3 >"$T/got.tar"
exec 3<&-
wait "$EXP" || fail "the export: $(cat "$T/exp.out")"
assert_grep "^OK" "$T/exp.out"
[ "$(tar -xOf "$T/got.tar" big | wc -c)" = 4194304 ] || fail "big: $(tar -tvf "$T/got.tar")"
[ "$(tar -xOf "$T/got.tar" small)" = small ] || fail "small: $(tar -tvf "$T/got.tar")"
# the view it used is gone, as before
kilnctl du | grep -q "view" && fail "a view left: $(kilnctl du)"

# the same with its asker gone: the export's end is logged, nothing left
kilnctl debug call EXPORT_TAR "[\"$C\"]" --fd-write "$T/fifo" >"$T/exp.out" 2>&1 &
EXP=$!
exec 3<"$T/fifo"
sleep 0.5
kill "$EXP"
wait "$EXP" 2>/dev/null || true
cat <&3 >/dev/null
exec 3<&-
answers kilnctl du || fail "du after an abandoned export: $(cat "$T/ans")"
kiln_stop
echo ok
