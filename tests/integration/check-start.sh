#!/bin/sh
# check-start.sh: without newuidmap kilnd still starts, maps only uid 0, and its log and kilnctl info say what is lost and the fix.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
uid=$(id -u)

path_without_uidmap

saved=$PATH
PATH="$T/bin"
kiln_start --net=host
PATH=$saved

assert_grep "only uid 0 is mapped" "$T/kilnd.log"
assert_grep "USER steps will fail" "$T/kilnd.log"
assert_grep "^WARN newuidmap: not found on PATH (package uidmap).* — sudo apt-get install uidmap" "$T/kilnd.log"

kilnctl info >"$T/info"
sed -n '/^uid map/,/^gid map/p' "$T/info" >"$T/uidmap"
assert_grep "^  $uid -> 0\$" "$T/uidmap"
[ "$(wc -l <"$T/uidmap")" = 3 ] || fail "uid map has more than uid 0: $(cat "$T/info")"
assert_grep "^warning: only uid 0 is mapped" "$T/info"
kiln_stop
echo "ok"
