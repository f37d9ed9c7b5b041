#!/bin/sh
# build-cache.sh: FROM an imported image, WORKDIR, ENV, COPY, RUN end to end; the rebuild is all cached, a touched file stays cached, a changed one re-runs only what follows, the cache survives a restart, --no-cache runs everything, a pruned snapshot is rebuilt.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
build_test_start
mkdir -p "$C/sub"
echo apple >"$C/a.txt"
echo berry >"$C/sub/b.txt"
echo secret >"$C/ignored.txt"
printf 'ignored.txt\n' >"$C/.dockerignore"
cat >"$C/Dockerfile" <<'DF'
FROM kiln-busybox
WORKDIR /app
ENV GREETING=hello
COPY a.txt ./
RUN echo "$GREETING $(cat a.txt) from $(pwd)" > out.txt && cat out.txt
COPY sub/ ./sub/
RUN ls sub; cat sub/b.txt; ls /app
DF

build_ok "$C"
assert_grep "hello apple from /app" "$T/out"
assert_grep "^#[0-9]* [0-9.]* berry" "$T/out"
grep -q "ignored.txt" "$T/out" && fail ".dockerignore'd file reached the build"
assert_grep "done in .*: 6 steps, 1 cached" "$T/out"

# the same again: all cached, nothing runs
build_ok "$C"
for s in "WORKDIR /app" "COPY a.txt" "RUN echo" "COPY sub" "RUN ls"; do
	cached "$s"
done
assert_grep ": 6 steps, 6 cached" "$T/out"

# a touched file is not a changed one
touch -d "2001-01-01" "$C/a.txt" "$C/sub/b.txt"
build_ok "$C"
assert_grep ": 6 steps, 6 cached" "$T/out"

# one file changed: the COPY that reads it and what follows run again
echo cherry >"$C/sub/b.txt"
build_ok "$C"
cached "COPY a.txt"
cached "RUN echo"
ran "COPY sub"
ran "RUN ls"
assert_grep "^#[0-9]* [0-9.]* cherry" "$T/out"

# the cache survives a restart of the daemon
kiln_stop
kiln_start --net=host
build_ok "$C"
assert_grep ": 6 steps, 6 cached" "$T/out"

# --no-cache runs every step; the next build takes the new results
build_ok --no-cache "$C"
ran "RUN echo"
ran "COPY a.txt"
assert_grep ": 6 steps, 1 cached" "$T/out"

# an entry whose snapshot was pruned is a miss, not an error: it runs again
kilnctl prune --all >/dev/null || fail "prune"
build_ok "$C"
ran "RUN echo"
ran "COPY sub"
assert_grep "is gone, rebuilding" "$T/kilnd.log"
build_ok "$C"
assert_grep ": 6 steps, 6 cached" "$T/out"

# a prune during a build spares what the build uses (its leases)
printf 'FROM kiln-busybox\nRUN echo leased > /l\nRUN sleep 2; cat /l\n' >"$T/lease.Dockerfile"
build_ok -f "$T/lease.Dockerfile" "$C"
printf 'FROM kiln-busybox\nRUN echo leased > /l\nRUN sleep 2; cat /l; echo again\n' \
    >"$T/lease.Dockerfile"
"$KILNCTL_BIN" build --progress=plain -f "$T/lease.Dockerfile" "$C" >"$T/lease.out" 2>&1 &
kp=$!
wait_for 100 grep -q "RUN sleep 2; cat /l; echo again" "$T/lease.out" || fail "no step"
kilnctl prune --all >/dev/null || fail "prune during a build"
wait "$kp" || fail "a prune broke the build: $(cat "$T/lease.out")"
assert_grep "^#[0-9]* [0-9.]* again" "$T/lease.out"
build_ok -f "$T/lease.Dockerfile" "$C"
assert_grep ": 3 steps, 3 cached" "$T/out"

# a failing step fails the build with the command and its status
printf 'FROM kiln-busybox\nRUN echo about to fail; exit 3\n' >"$C/Dockerfile"
build "$C"
[ "$rc" = 1 ] || fail "a failing RUN exited $rc"
assert_grep "about to fail" "$T/out"
assert_grep 'process "/bin/sh -c echo about to fail; exit 3" did not complete successfully: exit code: 3' \
    "$T/out"
kilnctl history -n 1 >"$T/hist"
assert_grep " error " "$T/hist"
kiln_stop
echo ok
