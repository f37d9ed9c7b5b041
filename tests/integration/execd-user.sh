#!/bin/sh
# execd-user.sh: a step's user and groups by name or number from the image's /etc/passwd and /etc/group, HOME, the working directory made as that user, umask and rlimits.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/execd-lib.sh"
kiln_setup
execd_rootfs
cat >"$R/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
# a comment and a broken line are skipped
broken:x:notanumber:0::/:/bin/sh
alice:x:1000:1000:Alice:/home/alice:/bin/sh
svc:x:999:998::/var/svc:/bin/false
EOF
cat >"$R/etc/group" <<EOF
root:x:0:
wheel:x:10:alice,bob
staff:x:50:root
alice:x:1000:
svcgrp:x:998:
audio:x:29:bob,alice
EOF
kiln_start --net=host --test-hooks

# by name: passwd's uid, gid and home; the groups listing the name
step --user alice -- sh -c 'id -u; id -g; id -G; echo $HOME'
printf '1000\n1000\n1000 10 29\n/home/alice\n' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "--user alice: $(cat "$T/out" "$T/err")"

# by number with an entry: the same as by name
step --user 1000 -- sh -c 'id -u; id -g; id -G'
printf '1000\n1000\n1000 10 29\n' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "--user 1000: $(cat "$T/out" "$T/err")"

# USER:GROUP by name replaces the gid and adds no groups
step --user alice:svcgrp -- sh -c 'id -u; id -g; id -G'
printf '1000\n998\n998\n' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "--user alice:svcgrp: $(cat "$T/out" "$T/err")"

# a number with no entry: that uid, gid 0, HOME /
step --user 4242 -- sh -c 'id -u; id -g; echo $HOME'
printf '4242\n0\n/\n' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "--user 4242: $(cat "$T/out" "$T/err")"
step --user 4242:4343 -- sh -c 'id -u; id -g'
printf '4242\n4343\n' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "--user 4242:4343: $(cat "$T/out" "$T/err")"

# root (the default) gets root's groups too, and a HOME given wins
step --env HOME=/elsewhere -- sh -c 'id -G; echo $HOME'
printf '0 50\n/elsewhere\n' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "root: $(cat "$T/out" "$T/err")"

# unknown names are setup errors that say so
step --user bob -- true
[ "$rc" = 125 ] || fail "--user bob gave $rc"
assert_grep "unable to find user bob: no matching entries in the image's /etc/passwd" "$T/err"
step --user alice:nogroup -- true
[ "$rc" = 125 ] || fail "--user alice:nogroup gave $rc"
assert_grep "unable to find group nogroup" "$T/err"

# a missing working directory is made as the step's user, 0755
step --user alice --cwd /home/alice/work/deep -- sh -c 'pwd; touch f && echo wrote'
printf '/home/alice/work/deep\nwrote\n' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "cwd as alice: $(cat "$T/out" "$T/err")"
step -- ls -ldn /home/alice /home/alice/work /home/alice/work/deep
[ "$(grep -c '^drwxr-xr-x  *[0-9]*  *1000  *1000 ' "$T/out")" = 3 ] ||
    fail "cwd not made as 1000:1000 0755: $(cat "$T/out")"

# umask 0022 whatever kilnd's is; nofile as Docker's where kiln's hard
# limit allows it (kiln's hard limit otherwise; never lower than soft)
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -gt 1048576 ] && hard=1048576
step -- sh -c 'umask; ulimit -n; ulimit -Hn'
printf '0022\n%s\n%s\n' "$hard" "$hard" >"$T/want"
cmp -s "$T/out" "$T/want" || fail "umask/nofile: $(cat "$T/out" "$T/err") want $hard"

# the image is untrusted: a FIFO for /etc/group must not hang the setup,
# a symlink for /etc/passwd resolves inside the image, never to kiln's
mv "$R/etc/group" "$R/etc/group.real"
mkfifo "$R/etc/group"
step --user alice -- true
[ "$rc" = 125 ] || fail "a FIFO /etc/group gave $rc"
assert_grep "reading the image's /etc/group" "$T/err"
rm "$R/etc/group"
mv "$R/etc/group.real" "$R/etc/group"
mkdir -p "$R/alt"
echo "carol:x:2000:2000::/home/carol:/bin/sh" >"$R/alt/passwd"
mv "$R/etc/passwd" "$R/etc/passwd.real"
ln -s ../../../../../../../alt/passwd "$R/etc/passwd"
step --user carol -- id -u
[ "$rc" = 0 ] && [ "$(cat "$T/out")" = 2000 ] || fail "symlinked passwd: $rc $(cat "$T/out" "$T/err")"
step --user "$(id -un)" -- true
[ "$rc" = 125 ] || fail "a name from kiln's own /etc/passwd was found"

# what the subordinate ids own, kiln-test cannot remove
step -- rm -rf /home
kiln_stop
echo ok
