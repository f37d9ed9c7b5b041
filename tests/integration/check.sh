#!/bin/sh
# check.sh: kilnd --check passes here, warns about a user without subordinate ids, names package uidmap when newuidmap is missing.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
me=$(id -un)

# the overlayfs trial runs where the snapshots will live, and cleans up
mkdir -p "$XDG_DATA_HOME/kiln"
"$KILND" --check >"$T/out" 2>&1 || fail "kilnd --check failed: $(cat "$T/out")"
assert_grep "^OK   overlayfs: .*(tried in $XDG_DATA_HOME/kiln)" "$T/out"
[ -z "$(ls -A "$XDG_DATA_HOME/kiln")" ] || fail "the overlayfs trial left $(ls -A "$XDG_DATA_HOME/kiln")"
for c in subuid newuidmap userns overlayfs; do
	assert_grep "^OK   $c: " "$T/out"
done
assert_grep "^[0-9]* ok, [0-9]* warnings, 0 failures: kilnd can run" "$T/out"
grep -v -q -E "^(OK   |WARN |FAIL )[a-z_.]*: |^[0-9]* ok, " "$T/out" &&
	fail "a line of kilnd --check is not 'OK|WARN|FAIL name: detail': $(cat "$T/out")"

: >"$T/empty"
KILN_SUBUID_FILE="$T/empty" "$KILND" --check >"$T/out" 2>&1 ||
	fail "kilnd --check failed without subuids: $(cat "$T/out")"
assert_grep "^WARN subuid: no range for $me in /etc/subuid: only one id will be mapped.* — sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $me\$" "$T/out"
assert_grep "^OK   subgid: " "$T/out"

path_without_uidmap
PATH="$T/bin" "$KILND" --check >"$T/out" 2>&1 ||
	fail "kilnd --check failed without newuidmap: $(cat "$T/out")"
assert_grep "^WARN newuidmap: not found on PATH (package uidmap).* — sudo apt-get install uidmap" "$T/out"
assert_grep "^WARN newgidmap: not found on PATH (package uidmap)" "$T/out"
echo "ok"
