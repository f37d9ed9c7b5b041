#!/bin/sh
# status.sh: each helper reports who it is as it sees itself (kilnctl debug status): pid, id maps, seccomp mode, capabilities.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
kiln_start --net=host
kilnctl debug status >"$T/out" 2>"$T/err" || fail "debug status: $(cat "$T/err")"
first=$(grep "^$(id -un):" /etc/subuid | head -1 | cut -d: -f2)
for h in solverd execd snapd netd; do
	line=$(grep "^kiln-$h " "$T/out") || fail "no line for kiln-$h: $(cat "$T/out")"
	pid=$(echo "$line" | sed -n 's/.* pid=\([0-9]*\) .*/\1/p')
	[ "$pid" = "$(helper_pid "$h")" ] || fail "kiln-$h says pid $pid, kilnd knows $(helper_pid "$h")"
	echo "$line" | grep -q "seccomp=enforce" || fail "kiln-$h: $line"
done
# the helpers in the kiln namespaces see 0 -> the user, 1 -> the first subordinate id
[ "$(grep -c "uid_map: \[0 $(id -u) 1\] \[1 $first " "$T/out")" -ge 3 ] ||
    fail "uid maps: $(cat "$T/out")"
# solverd needs no capability at all
grep "^kiln-solverd " "$T/out" | grep -q "caps=0x0$" || fail "solverd caps: $(cat "$T/out")"
rc=0
kilnctl debug call STATUS '["nobody"]' >"$T/out2" 2>&1 || rc=$?
[ "$rc" = 1 ] && assert_grep "not a helper" "$T/out2"
kiln_stop
echo ok
