#!/bin/sh
# test.sh: the one command that runs all of kiln's tests on a fresh Debian 12 machine (as root).
# Builds with ASan+UBSan and -Werror as the unprivileged test user, runs
# make check (unit, fuzz corpus, man lint, integration with the real
# daemon), then a plain build with the unit tests under valgrind, then
# tests/root/ (as root: other users against the daemon), and ends with
# "N passed, M failed".
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
USER_NAME=${KILN_TEST_USER:-kiln-test}
# KILN_STAGE: the copy's name, so that several checkouts can test at once
src=$("$here/scripts/stage.sh" "${KILN_STAGE:-kiln-src}")
home=$(getent passwd "$USER_NAME" | cut -d: -f6)
set +e
runuser -u "$USER_NAME" -- env -i HOME="$home" USER="$USER_NAME" \
	PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 \
	sh -c "cd '$src' && autoreconf -fi >/dev/null 2>&1 && mkdir -p build && cd build &&
	../configure --enable-sanitizers --enable-werror --enable-fuzz >/dev/null &&
	make -j\$(nproc) >make.out 2>&1 || { cat make.out; exit 1; }
	make -j\$(nproc) check"
rc=$?
set -e
log="$src/build/test-suite.log"
if [ -f "$log" ]; then
	pass=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
	fail=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
	err=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
	skip=$(sed -n 's/^# SKIP: *//p' "$log" | head -1)
	fail=$(( ${fail:-0} + ${err:-0} ))
else
	pass=0
	fail=1
	skip=0
fi
[ "$rc" = 0 ] || [ "$fail" -gt 0 ] || fail=1
# A plain build (no sanitizers) of the unit tests, as users and demo.sh
# get them: -Werror there too, and valgrind-clean.
if runuser -u "$USER_NAME" -- env -i HOME="$home" USER="$USER_NAME" \
	PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 \
	sh -c "cd '$src' && mkdir -p build-plain && cd build-plain &&
	../configure --enable-werror >/dev/null &&
	make -j\$(nproc) check-valgrind >valgrind.out 2>&1" ; then
	echo "PASS: plain build and valgrind of the unit tests"
	pass=$(( ${pass:-0} + 1 ))
else
	echo "FAIL: plain build and valgrind of the unit tests"
	tail -n 40 "$src/build-plain/valgrind.out" 2>/dev/null
	fail=$(( fail + 1 ))
fi
# tests that need root beside the daemon's user (another uid connecting)
if [ -x "$src/build/kilnd" ]; then
	for t in "$here"/tests/root/*.sh; do
		if KILN_BUILDDIR="$src/build" KILN_TEST_USER="$USER_NAME" sh "$t" \
		    >"$src/build/root-$(basename "$t").log" 2>&1; then
			echo "PASS: tests/root/$(basename "$t")"
			pass=$(( ${pass:-0} + 1 ))
		else
			echo "FAIL: tests/root/$(basename "$t")"
			tail -n 30 "$src/build/root-$(basename "$t").log"
			fail=$(( fail + 1 ))
		fi
	done
fi
if [ "$fail" != 0 ]; then
	# the failing tests' own logs, so CI output says what broke
	for trs in $(grep -l -E ':test-result: (FAIL|ERROR)' $(find "$src/build" -name '*.trs') 2>/dev/null); do
		echo "==== ${trs%.trs}.log"
		tail -n 60 "${trs%.trs}.log"
	done
fi
echo "${pass:-0} passed, $fail failed, ${skip:-0} skipped"
[ "$fail" = 0 ]
