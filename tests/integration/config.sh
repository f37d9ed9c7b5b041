#!/bin/sh
# config.sh: every flag is also a key of kilnd.conf; a bad key names the file and line.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
mkdir -p "$XDG_CONFIG_HOME/kiln"
cat >"$XDG_CONFIG_HOME/kiln/kilnd.conf" <<CONF
# kilnd.conf for the test
net = host
log-level = debug
copy-up = /etc
CONF
kiln_start
assert_grep "level=debug" "$T/kilnd.log"
kilnctl info >"$T/info"
assert_grep "network: host (--net=host)" "$T/info"
kiln_stop
printf 'net = host\nno-such-key = 1\n' >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
rc=0
"$KILND" >"$T/bad.log" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "bad config exited $rc, not 2"
assert_grep "kilnd.conf:2: unknown key or missing value 'no-such-key'" "$T/bad.log"
# a switch given a value is refused, not taken as "on"
printf 'test-hooks = no\n' >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
rc=0
"$KILND" >"$T/bad.log" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "a switch with a value exited $rc, not 2"
assert_grep "kilnd.conf:1: 'test-hooks' is a switch" "$T/bad.log"
# a flag overrides the file
printf 'net = slirp4netns\n' >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
kiln_start --net=host
kilnctl info >"$T/info"
assert_grep "network: host (--net=host)" "$T/info"
kiln_stop
echo "ok"
