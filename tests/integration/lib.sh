# lib.sh: shared by the integration tests: a private kilnd as the calling (unprivileged) user.
# Each test: . "$KILN_SRCDIR/tests/integration/lib.sh"; kiln_setup; kiln_start; ...
set -eu

: "${KILN_BUILDDIR:?run through make check}"
: "${KILN_SRCDIR:?run through make check}"

if [ "$(id -u)" = 0 ]; then
	echo "SKIP: integration tests run kilnd as an unprivileged user; use scripts/test.sh"
	exit 77
fi

KILND="$KILN_BUILDDIR/kilnd"
KILNCTL_BIN="$KILN_BUILDDIR/kilnctl"
KILND_PID=

fail() {
	echo "FAIL: $*" >&2
	if [ -n "${T:-}" ] && [ -f "$T/kilnd.log" ]; then
		echo "---- kilnd log" >&2
		tail -n 40 "$T/kilnd.log" >&2
	fi
	exit 1
}

kiln_cleanup() {
	if [ -n "$KILND_PID" ] && kill -0 "$KILND_PID" 2>/dev/null; then
		kill -KILL "$KILND_PID" 2>/dev/null || true
	fi
	# files owned by subordinate ids (an image's uid 1000) need the
	# user's own user namespace to go
	[ -z "${T:-}" ] || rm -rf "$T" 2>/dev/null ||
	    unshare --map-root-user --map-auto rm -rf "$T"
}

# A private runtime, state and config dir per test, removed at exit.
kiln_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/kiln-test.XXXXXX")
	chmod 700 "$T"
	export XDG_RUNTIME_DIR="$T/run" XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config"
	mkdir -p -m 700 "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
	export KILN_HELPER_DIR="$KILN_BUILDDIR"
	export KILN_ADDR="$XDG_RUNTIME_DIR/kiln/kilnd.sock"
	# ASan's leak checker cannot trace a helper under seccomp; unit tests
	# under valgrind and ASan check leaks instead
	export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
	trap kiln_cleanup EXIT
}

kilnctl() {
	"$KILNCTL_BIN" "$@"
}

# Waits until COMMAND succeeds, for at most $1 tenths of a second.
wait_for() {
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

all_helpers_ready() {
	[ "$(kilnctl info 2>/dev/null | grep -c '^  kiln-[a-z]* .* ready ')" -eq 4 ]
}

# Starts kilnd with the given flags and waits until all four helpers are
# ready (the API answers as soon as kiln-solverd is). 20 s: CI machines
# run ASan builds of several tests at once.
kiln_start() {
	"$KILND" "$@" >"$T/kilnd.log" 2>&1 &
	KILND_PID=$!
	wait_for 200 all_helpers_ready || fail "kilnd's helpers not all ready within 20 s"
}

helper_pid() {
	kilnctl debug --format json | sed -n "s/.*\"name\":\"kiln-$1\",\"pid\":\([0-9]*\).*/\1/p"
}

# Stops kilnd with SIGTERM and checks nothing it made is left.
kiln_stop() {
	pids=$(for h in solverd execd snapd netd; do helper_pid "$h"; done)
	kill -TERM "$KILND_PID"
	n=100
	while kill -0 "$KILND_PID" 2>/dev/null && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	kill -0 "$KILND_PID" 2>/dev/null && fail "kilnd still running 10 s after SIGTERM"
	wait "$KILND_PID" || fail "kilnd exited with status $? after SIGTERM"
	KILND_PID=
	for p in $pids; do
		# 0: a helper waiting out its restart backoff has no process
		[ "$p" -gt 0 ] || continue
		kill -0 "$p" 2>/dev/null && fail "helper pid $p left behind"
	done
	[ -e "$XDG_RUNTIME_DIR/kiln/kilnd.sock" ] && fail "socket left behind"
	ls "$XDG_RUNTIME_DIR"/kiln/*.pid >/dev/null 2>&1 && fail "pid files left behind"
	return 0
}

# $T/bin: every program of $PATH but newuidmap and newgidmap
path_without_uidmap() {
	mkdir "$T/bin"
	for d in $(echo "$PATH" | tr : ' '); do
		[ -d "$d" ] && ln -s "$d"/* "$T/bin/" 2>/dev/null || true
	done
	rm -f "$T/bin/newuidmap" "$T/bin/newgidmap"
	[ -x "$T/bin/sh" ] || fail "no symlinks made in $T/bin"
}

assert_grep() {
	grep -q -e "$1" "$2" || fail "expected '$1' in $2: $(tail -n 20 "$2")"
}
