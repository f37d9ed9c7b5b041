#!/bin/sh
# test-user.sh: creates the unprivileged user the tests run kilnd as, with subordinate ids.
set -e
USER_NAME=${KILN_TEST_USER:-kiln-test}
if ! id "$USER_NAME" >/dev/null 2>&1; then
	useradd --create-home --shell /bin/bash "$USER_NAME"
fi
# useradd may have added a range already; add ours only when none is there
grep -q "^$USER_NAME:" /etc/subuid 2>/dev/null || echo "$USER_NAME:200000:65536" >> /etc/subuid
grep -q "^$USER_NAME:" /etc/subgid 2>/dev/null || echo "$USER_NAME:200000:65536" >> /etc/subgid
# slirp4netns needs to open the tun device as that user
[ -c /dev/net/tun ] && chmod 666 /dev/net/tun
[ -c /dev/fuse ] && chmod 666 /dev/fuse
exit 0
