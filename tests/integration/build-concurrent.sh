#!/bin/sh
# build-concurrent.sh: 8 builds at once sharing a base and a first step: the step runs once and all succeed; a failing step fails only the builds that need it; two independent stages run at the same time.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
build_test_start --max-parallelism=4

pids=
for i in 1 2 3 4 5 6 7 8; do
	mkdir "$T/c$i"
	printf 'FROM kiln-busybox\nRUN sleep 1; echo shared first step\nRUN echo build %s\n' \
	    "$i" >"$T/c$i/Dockerfile"
	"$KILNCTL_BIN" build --progress=plain "$T/c$i" >"$T/out$i" 2>&1 &
	pids="$pids $!"
done
i=0
for p in $pids; do
	i=$((i + 1))
	wait "$p" || fail "build $i failed: $(cat "$T/out$i")"
	assert_grep "build $i\$" "$T/out$i"
	assert_grep "shared first step" "$T/out$i"
done
n=$(grep -c 'running \[2/3\] RUN sleep 1; echo shared first step' "$T/kilnd.log" || true)
[ "$n" = 1 ] || fail "the shared step ran $n times: $(grep running "$T/kilnd.log")"

# a failing step fails the builds that need it, not the others
printf 'FROM kiln-busybox\nRUN sleep 1; echo doomed; exit 7\n' >"$T/c1/Dockerfile"
printf 'FROM kiln-busybox\nRUN sleep 1; echo doomed; exit 7\nRUN true\n' >"$T/c2/Dockerfile"
printf 'FROM kiln-busybox\nRUN sleep 1; echo fine\n' >"$T/c3/Dockerfile"
for i in 1 2 3; do
	"$KILNCTL_BIN" build --progress=plain "$T/c$i" >"$T/out$i" 2>&1 &
	eval "p$i=\$!"
done
wait "$p1" && fail "build 1 did not fail"
wait "$p2" && fail "build 2 did not fail"
wait "$p3" || fail "build 3 failed: $(cat "$T/out3")"
assert_grep "exit code: 7" "$T/out1"
assert_grep "exit code: 7" "$T/out2"
n=$(grep -c 'running \[2/[23]\] RUN sleep 1; echo doomed' "$T/kilnd.log" || true)
[ "$n" = 1 ] || fail "the failing step ran $n times"

# two independent stages of one build run in parallel
cat >"$T/c4/Dockerfile" <<'DF'
FROM kiln-busybox AS a
RUN sleep 2; echo a > /a
FROM kiln-busybox AS b
RUN sleep 2; echo b > /b
FROM kiln-busybox
COPY --from=a /a /a
COPY --from=b /b /b
RUN cat /a /b
DF
build_ok "$T/c4"
assert_grep "running \[[ab] 2/2\] RUN sleep 2.*, 2 at once)" "$T/kilnd.log"
assert_grep "^#[0-9]* [0-9.]* a$" "$T/out"
kiln_stop
echo ok
