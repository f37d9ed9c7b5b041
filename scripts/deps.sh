#!/bin/sh
# deps.sh: installs, on Debian 12, everything kiln needs to build, run, test and benchmark.
set -e
export DEBIAN_FRONTEND=noninteractive
PKGS="build-essential autoconf automake libtool pkg-config clang
libevent-dev libseccomp-dev libcap-dev libmsgpack-dev libnl-3-dev libnl-route-3-dev
libcmocka-dev libarchive-dev libssl-dev libjansson-dev libcurl4-openssl-dev
libsqlite3-dev uidmap slirp4netns fuse-overlayfs busybox-static mandoc
systemd rsync procps psmisc iproute2 util-linux valgrind rootlesskit strace jq
docker-registry skopeo apache2-utils curl openssl python3 runc buildah"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing
fi
