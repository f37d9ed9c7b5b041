#!/bin/sh
# full-disk.sh (run as root by scripts/test.sh): with kiln's state on a full filesystem, a COPY and a RUN that do not fit fail with the cause, leave nothing half-made, and the next build that fits works.
# As root it mounts a small tmpfs for the state and runs itself as the
# test user; the rest is an ordinary integration test.
set -eu
if [ "$(id -u)" = 0 ]; then
	: "${KILN_BUILDDIR:?}" "${KILN_TEST_USER:?}"
	d=$(mktemp -d /tmp/kiln-full.XXXXXX)
	mount -t tmpfs -o "size=40m,mode=0700,uid=$(id -u "$KILN_TEST_USER"),gid=$(id -g "$KILN_TEST_USER")" \
	    kiln-full "$d"
	trap 'umount -l "$d"; rmdir "$d"' EXIT
	home=$(getent passwd "$KILN_TEST_USER" | cut -d: -f6)
	# the staged copy beside the build: the user may not read this one
	src=$(dirname "$KILN_BUILDDIR")
	runuser -u "$KILN_TEST_USER" -- env -i HOME="$home" PATH="$PATH" LANG=C.UTF-8 \
	    KILN_BUILDDIR="$KILN_BUILDDIR" KILN_SRCDIR="$src" \
	    KILN_FULL_DIR="$d" sh "$src/tests/root/full-disk.sh"
	exit
fi
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
kiln_setup
export XDG_DATA_HOME="$KILN_FULL_DIR"
used_kib() { df -k --output=used "$KILN_FULL_DIR" | tail -1 | tr -d ' '; }
# the failed step's snapshot is dropped right after the build answers
back_to_base() { [ "$(used_kib)" -lt $((base + 4096)) ]; }
kiln_start --net=host
import_base
base=$(used_kib)

# a COPY larger than the free space
mkdir -p "$T/ctx"
head -c 48M /dev/zero >"$T/ctx/big"
printf 'FROM kiln-busybox\nCOPY big /big\n' >"$T/ctx/Dockerfile"
build "$T/ctx"
[ "$rc" != 0 ] || fail "a 48 MiB COPY onto 40 MiB succeeded"
grep -qi "no space left on device" "$T/out" || fail "COPY: the cause is not named: $(tail -n 20 "$T/out")"
wait_for 50 back_to_base ||
	fail "the failed COPY left $(( $(used_kib) - base )) KiB behind"
rm "$T/ctx/big"

# a RUN step that fills the disk
printf 'FROM kiln-busybox\nRUN dd if=/dev/zero of=/fill bs=1M count=64\n' >"$T/ctx/Dockerfile"
build "$T/ctx"
[ "$rc" != 0 ] || fail "a 64 MiB RUN onto 40 MiB succeeded"
grep -qi "no space left on device" "$T/out" || fail "RUN: the cause is not named: $(tail -n 20 "$T/out")"
wait_for 50 back_to_base ||
	fail "the failed RUN left $(( $(used_kib) - base )) KiB behind"

# every helper still up, and a build that fits works, then is cached
all_helpers_ready || fail "a helper is down after the full disk: $(kilnctl info)"
printf 'FROM kiln-busybox\nCOPY Dockerfile /d\nRUN echo fits >/ok\n' >"$T/ctx/Dockerfile"
build_ok "$T/ctx"
build_ok "$T/ctx"
cached "RUN echo fits"
kilnctl du >/dev/null || fail "du after the full disk"
kiln_stop
echo ok
