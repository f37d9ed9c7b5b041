#!/bin/sh
# execd-etc.sh: a step's /etc/hosts (localhost, its hostname, extra hosts), /etc/hostname and the daemon's /etc/resolv.conf (10.0.2.3 with slirp4netns), none of which reaches the rootfs.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/execd-lib.sh"
kiln_setup
execd_rootfs
kiln_start --net=host --test-hooks

step --hostname box --add-host db:10.1.2.3 --add-host v6=fd00::1 -- sh -c \
    'cat /etc/hosts; echo --; cat /etc/hostname; hostname'
cat >"$T/want" <<EOF
127.0.0.1	localhost box
::1	localhost ip6-localhost ip6-loopback
10.1.2.3	db
fd00::1	v6
--
box
box
EOF
cmp -s "$T/out" "$T/want" || fail "hosts/hostname: $(cat "$T/out" "$T/err")"

# the default hostname, and the daemon's resolv.conf (host mode: the host's)
step -- sh -c 'hostname; cat /etc/resolv.conf'
[ "$(head -1 "$T/out")" = kiln ] || fail "default hostname: $(cat "$T/out")"
sed 1d "$T/out" | cmp -s - /etc/resolv.conf || fail "resolv.conf is not the daemon's: $(cat "$T/out")"

# bad names and addresses are refused before anything runs
step --add-host 'db:not-an-address' -- true
[ "$rc" = 125 ] && assert_grep "extra host" "$T/err"
step --hostname 'bad name' -- true
[ "$rc" = 125 ] && assert_grep "hostname" "$T/err"

# the image's own files stay as they were, whatever the step writes;
# where it has none, none is left behind
[ ! -e "$R/etc/hosts" ] || fail "the test rootfs already has /etc/hosts"
step -- sh -c 'echo "1.1.1.1 evil" >>/etc/hosts; cat /etc/hosts'
assert_grep evil "$T/out"
[ ! -e "$R/etc/hosts" ] && [ ! -e "$R/etc/hostname" ] && [ ! -e "$R/etc/resolv.conf" ] ||
    fail "the step's /etc files reached the rootfs: $(ls "$R/etc")"
echo "10.9.9.9 mine" >"$R/etc/hosts"
step -- sh -c 'echo "1.1.1.1 evil" >>/etc/hosts; grep -c mine /etc/hosts'
[ "$(cat "$T/out")" = 0 ] || fail "the image's /etc/hosts showed through: $(cat "$T/out")"
[ "$(cat "$R/etc/hosts")" = "10.9.9.9 mine" ] || fail "the image's /etc/hosts changed: $(cat "$R/etc/hosts")"
rm "$R/etc/hosts"
# a symlink of the image's is followed inside the root (Ubuntu's
# resolv.conf -> ../run/systemd/resolve/stub-resolv.conf), and what was
# made for it goes again
ln -s ../run/systemd/resolve/stub-resolv.conf "$R/etc/resolv.conf"
step -- cat /run/systemd/resolve/stub-resolv.conf
cmp -s "$T/out" /etc/resolv.conf || fail "resolv.conf through a symlink: $(cat "$T/out" "$T/err")"
[ ! -e "$R/run" ] || fail "the symlink's target dirs were left: $(find "$R/run")"
rm "$R/etc/resolv.conf"
kiln_stop

# slirp4netns: the daemon's resolv.conf names slirp4netns's DNS
if [ -c /dev/net/tun ] && command -v slirp4netns >/dev/null; then
	kiln_start --net=slirp4netns --test-hooks
	step -- cat /etc/resolv.conf
	assert_grep "^nameserver 10.0.2.3" "$T/out"
	kiln_stop
fi
echo ok
