#!/bin/sh
# build-cache-from.sh: RUN --mount=type=cache,from=STAGE,source=DIR: seeded once when made, kept across builds, one cache per seed, from a --build-context directory, a symlinked source stays inside the stage, a missing source is an error.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
build_test_start
mkdir -p "$C/ctxseed"
echo "from the context" >"$C/ctxseed/c"
df() {
	cat >"$C/Dockerfile" <<DF
FROM kiln-busybox AS seed
RUN mkdir -p /seed/sub && echo "$1" > /seed/f && chmod 0750 /seed && ln -s /etc /seed/sub/up && ln -s /seed /link

FROM kiln-busybox
RUN --mount=type=cache,id=cf,target=/c,from=seed,source=/seed \\
    echo "seed=\$(cat /c/f) mode=\$(stat -c %a /c) runs=\$(cat /c/runs 2>/dev/null)" && \\
    echo x >>/c/runs && test -L /c/sub/up && echo "$2"
RUN --mount=type=cache,id=cl,target=/l,from=seed,source=/link cat /l/f
RUN --mount=type=cache,id=cc,target=/cc,from=seedctx,source=/ cat /cc/c
DF
}
df one first
build_ok --build-context seedctx="$C/ctxseed" "$C"
assert_grep "seed=one mode=750 runs=$" "$T/out"
assert_grep "^#[0-9]* [0-9.]* first$" "$T/out"
assert_grep "from the context" "$T/out"

# the cache outlives the build and is not seeded again
df one second
build_ok --build-context seedctx="$C/ctxseed" "$C"
cached "[seed 2/2] RUN mkdir"
assert_grep "seed=one mode=750 runs=x$" "$T/out"

# another seed is another cache, seeded afresh
df two third
build_ok --build-context seedctx="$C/ctxseed" "$C"
assert_grep "seed=two mode=750 runs=$" "$T/out"
kilnctl du >"$T/du" 2>&1 || fail "du: $(cat "$T/du")"
assert_grep "cf from s[0-9]*:/seed" "$T/du"

# a source that is not in the stage fails the step, naming the reason
cat >"$C/Dockerfile" <<'DF'
FROM kiln-busybox AS seed
RUN true
FROM kiln-busybox
RUN --mount=type=cache,id=cm,target=/c,from=seed,source=/absent true
DF
build "$C"
[ "$rc" != 0 ] || fail "a missing seed directory: the build succeeded"
assert_grep "cache mount" "$T/out"
kiln_stop
echo ok
