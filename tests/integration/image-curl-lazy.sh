#!/bin/sh
# image-curl-lazy.sh: kiln-netd maps libcurl only from its first registry request on; without a loadable libcurl.so.4 a pull fails saying what to install and kiln-netd lives on.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start plain
R=$REG_ADDR
reg_push_base "$R/kiln/busybox:latest" --layers 1
mkdir -p "$XDG_CONFIG_HOME/kiln"
echo "registry = 127.0.0.1,http" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
export DOCKER_CONFIG="$T/docker"

maps_curl() {
	grep -q 'libcurl\.so' "/proc/$1/maps" || return 1
}

kiln_start
pid=$(helper_pid netd)
[ -n "$pid" ] && [ "$pid" -gt 0 ] || fail "no kiln-netd pid"
[ -r "/proc/$pid/maps" ] || fail "cannot read /proc/$pid/maps"
maps_curl "$pid" && fail "an idle kiln-netd maps libcurl: $(grep libcurl "/proc/$pid/maps")"
kilnctl pull "$R/kiln/busybox" >"$T/out" 2>"$T/err" || fail "pull: $(cat "$T/err")"
assert_grep "^$R/kiln/busybox:latest$" "$T/out"
assert_grep "^2 blobs fetched, 0 already here" "$T/err"
maps_curl "$pid" || fail "kiln-netd pulled without mapping libcurl"
[ "$(helper_pid netd)" = "$pid" ] || fail "kiln-netd was restarted"
kiln_stop

# libcurl.so.4 that does not load (an empty file found first): the
# request fails with the library's name and the package to install
mkdir "$T/lib"
: >"$T/lib/libcurl.so.4"
LD_LIBRARY_PATH=$T/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} kiln_start
pid=$(helper_pid netd)
kilnctl pull "$R/kiln/busybox" >"$T/out" 2>"$T/err" && fail "pulled without libcurl"
assert_grep "registry and ADD URL transfers need libcurl.so.4, which did not load (.*libcurl.so.4: file too short): install the libcurl4 package" "$T/err"
# again: the load is tried again, and kiln-netd is still the same process
kilnctl pull "$R/kiln/busybox" >"$T/out" 2>"$T/err" && fail "pulled without libcurl"
assert_grep "install the libcurl4 package" "$T/err"
[ "$(helper_pid netd)" = "$pid" ] || fail "kiln-netd was restarted after a failed load"
grep -q "killed by\|SIGSYS" "$T/kilnd.log" && fail "a helper died: $(cat "$T/kilnd.log")"
all_helpers_ready || fail "not all helpers ready after a failed load"
kiln_stop
echo "ok"
