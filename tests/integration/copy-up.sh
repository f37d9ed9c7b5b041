#!/bin/sh
# copy-up.sh: --copy-up=/etc puts a replaceable copy of /etc in the kiln mount namespace and leaves the host's alone.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
kiln_start --net=host --copy-up=/etc
pid=$(helper_pid solverd)
inside() { nsenter -t "$pid" -U -m --preserve-credentials "$@"; }
inside /bin/busybox stat -f -c %T /etc >"$T/fstype"
assert_grep "tmpfs" "$T/fstype"
inside /bin/busybox readlink /etc/hostname >"$T/link"
assert_grep "^/etc/.kiln-ro/hostname$" "$T/link"
host_before=$(cat /etc/hostname)
inside /bin/busybox sh -c 'rm /etc/hostname && echo kiln-copy-up >/etc/hostname'
[ "$(inside /bin/busybox cat /etc/hostname)" = kiln-copy-up ] || fail "replaced file not visible inside"
[ "$(cat /etc/hostname)" = "$host_before" ] || fail "the host's /etc/hostname changed"
inside /bin/busybox cat /etc/passwd | grep -q "^root:" || fail "original entries not reachable through the links"
kiln_stop
echo "ok"
