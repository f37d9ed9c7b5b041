#!/bin/sh
# start-stop.sh: kilnd starts as an unprivileged user, info shows the id maps, SIGTERM leaves nothing behind.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
kiln_start --net=host
kilnctl info >"$T/info"
uid=$(id -u)
sub=$(sed -n "s/^$(id -un):\([0-9]*\):.*/\1/p" /etc/subuid | head -1)
assert_grep "^  $uid -> 0\$" "$T/info"
assert_grep "^  $sub\.\.[0-9]* -> 1\.\.65536\$" "$T/info"
assert_grep "network: host" "$T/info"
for h in solverd execd snapd netd; do
	assert_grep "kiln-$h .* ready .* 0 .* enforce" "$T/info"
	pid=$(helper_pid "$h")
	[ "$(cat "$XDG_RUNTIME_DIR/kiln/kiln-$h.pid")" = "$pid" ] || fail "pid file of kiln-$h"
done
# no mount of ours shows in the host's mount table
grep -q kiln /proc/self/mountinfo && fail "a kiln mount leaked into the host namespace"
kiln_stop
echo "ok"
