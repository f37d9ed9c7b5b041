#!/bin/sh
# debug-wrap.sh: --debug-wrap starts one helper under strace, and the user can strace -p a running helper.
. "$KILN_SRCDIR/tests/integration/lib.sh"
command -v strace >/dev/null || { echo "SKIP: strace not installed"; exit 77; }
kiln_setup
kiln_start --net=host "--debug-wrap=execd:strace -f -o $T/execd.trace"
kilnctl info >"$T/info"
assert_grep "kiln-execd .* ready" "$T/info"
assert_grep 'execve(".*kiln-execd"' "$T/execd.trace"
assert_grep "seccomp\|prctl(PR_SET_NO_NEW_PRIVS" "$T/execd.trace"
# strace -p on a helper that was not wrapped (PR_SET_PTRACER lets it)
pid=$(helper_pid snapd)
timeout 2 strace -p "$pid" -o "$T/snapd.trace" 2>/dev/null &
tracer=$!
sleep 0.5
kilnctl info >/dev/null
wait "$tracer" || true
assert_grep "attached\|epoll_wait\|recvmsg\|+++\|---" "$T/snapd.trace"
kiln_stop
echo "ok"
