#!/bin/sh
# execd-output.sh: a step printing 100 MiB to stdout streams through to the client while kiln-execd and its spawner stay at their size (the pipe goes from the step to the client; execd never reads it).
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/execd-lib.sh"
kiln_setup
execd_rootfs
kiln_start --net=host --test-hooks

execd=$(helper_pid execd)
spawner=$(pgrep -P "$execd" -x execd-spawner) || fail "no execd-spawner under kiln-execd $execd"
# kB: the high-water mark of the resident set, and the proportional set
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
pss() { sed -n 's/^Pss: *\([0-9]*\) kB/\1/p' "/proc/$1/smaps_rollup"; }
step -- true
before="$(hwm "$execd") $(hwm "$spawner") $(pss "$execd") $(pss "$spawner")"

n=$(kilnctl debug run --rootfs "$R" -- dd if=/dev/zero bs=1048576 count=100 2>"$T/err" | wc -c)
[ "$n" = 104857600 ] || fail "100 MiB came out as $n bytes: $(cat "$T/err")"
after="$(hwm "$execd") $(hwm "$spawner") $(pss "$execd") $(pss "$spawner")"
echo "execd, spawner: VmHWM kB and Pss kB before: $before; after: $after"
set -- $before $after
for i in 1 2 3 4; do
	eval "b=\${$i} a=\${$((i + 4))}"
	[ $((a - b)) -lt 2048 ] || fail "execd's memory grew by $((a - b)) kB streaming 100 MiB ($before -> $after)"
done

# stderr too, and both at once, without one blocking the other
kilnctl debug run --rootfs "$R" -- sh -c \
    'dd if=/dev/zero bs=65536 count=160 >&2 & dd if=/dev/zero bs=65536 count=160; wait' \
    >"$T/out" 2>"$T/err2" || fail "both streams: $(tail -c 300 "$T/err2")"
[ "$(wc -c <"$T/out")" = 10485760 ] || fail "stdout: $(wc -c <"$T/out") bytes"
# stderr carries dd's own lines after its 10 MiB
[ "$(wc -c <"$T/err2")" -ge 10485760 ] || fail "stderr: $(wc -c <"$T/err2") bytes"
kiln_stop
echo ok
