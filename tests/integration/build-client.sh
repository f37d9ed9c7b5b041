#!/bin/sh
# build-client.sh: kilnctl build's requests and answers without a step to run: parse errors with their position, --platform, targets, -f -, warnings, rawjson, the metadata file, exit codes, history.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
kiln_start --net=host
C=$T/ctx
mkdir "$C"

# a build with no layer: config only
printf 'FROM scratch\nENV A=1\nLABEL x=y\n' >"$C/Dockerfile"
kilnctl build --progress=plain --metadata-file "$T/meta.json" "$C" >"$T/out" 2>&1 ||
	fail "config-only build: $(cat "$T/out")"
assert_grep "done in .*: 0 steps, 0 cached" "$T/out"
assert_grep '"buildx.build.ref": "' "$T/meta.json"

# a syntax error names the file, line and column, shows the line
printf 'FROM scratch\nRUN true\nFORM x\n' >"$C/Dockerfile"
rc=0
kilnctl build --progress=plain "$C" >"$T/out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a syntax error exited $rc"
assert_grep "Dockerfile:3:1: unknown instruction: FORM" "$T/out"
assert_grep "   3 | FORM x" "$T/out"

# a named Dockerfile and one from standard input
printf 'FROM scratch\nLABEL from=stdin\n' >"$T/other.Dockerfile"
kilnctl build -f "$T/other.Dockerfile" --progress=plain "$C" >"$T/out" 2>&1 ||
	fail "-f FILE: $(cat "$T/out")"
kilnctl build -f - --progress=plain "$C" <"$T/other.Dockerfile" >"$T/out" 2>&1 ||
	fail "-f -: $(cat "$T/out")"
printf 'FROM scratch\nBOGUS\n' | kilnctl build -f - "$C" >"$T/out" 2>&1 &&
	fail "a bad Dockerfile on stdin built"
assert_grep "Dockerfile:2:1: unknown instruction: BOGUS" "$T/out"
# errors found after parsing name the -f file too, not "Dockerfile"
printf 'FROM scratch\nCOPY --chmod=999 a /\n' >"$T/app.Dockerfile"
kilnctl build -f "$T/app.Dockerfile" "$C" >"$T/out" 2>&1 && fail "--chmod=999 built"
assert_grep "app.Dockerfile:2:1: invalid chmod parameter: '999'" "$T/out"

# another platform is refused, naming what is supported
printf 'FROM scratch\n' >"$C/Dockerfile"
kilnctl build --platform linux/s390x "$C" >"$T/out" 2>&1 && fail "linux/s390x built"
assert_grep "platform linux/s390x is not supported: this daemon builds for linux/" "$T/out"
printf 'FROM --platform=linux/s390x scratch\n' >"$C/Dockerfile"
kilnctl build "$C" >"$T/out" 2>&1 && fail "FROM --platform=linux/s390x built"
assert_grep "Dockerfile:1:1: platform linux/s390x is not supported" "$T/out"

# targets, and build args no ARG takes
printf 'ARG V=1\nFROM scratch AS one\nARG V\nLABEL v=$V\nFROM scratch AS two\n' \
    >"$C/Dockerfile"
kilnctl build --target nope "$C" >"$T/out" 2>&1 && fail "an unknown target built"
assert_grep 'target stage "nope" could not be found' "$T/out"
kilnctl build --target one --build-arg V=2 --build-arg EXTRA=3 --progress=rawjson \
    "$C" >"$T/out" 2>&1 || fail "--target one: $(cat "$T/out")"
assert_grep '^{"type":"warning","message":"One or more build-args \[EXTRA\] were not consumed"}$' \
    "$T/out"
assert_grep '^{"type":"result","message":"build ' "$T/out"

# an image that is not in the store
printf 'FROM nosuchimage:1\nRUN true\n' >"$C/Dockerfile"
kilnctl build "$C" >"$T/out" 2>&1 && fail "a missing base image built"
assert_grep "nosuchimage:1: not in the local store, and the pull failed" "$T/out"

# bad command lines exit 2 without a daemon round trip
rc=0
kilnctl build --output type=registry,dest=x "$C" >"$T/out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "a bad --output exited $rc"
assert_grep "type=image takes name=REF" "$T/out"
rc=0
kilnctl build --secret id=s "$C" >"$T/out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a secret from an unset variable exited $rc: $(cat "$T/out")"
assert_grep "secret s: environment variable s" "$T/out"

kilnctl history >"$T/hist" || fail "history"
assert_grep "^BUILD " "$T/hist"
[ "$(grep -c ' ok ' "$T/hist")" -ge 4 ] || fail "ok builds: $(cat "$T/hist")"
assert_grep " error .*FORM" "$T/hist"
kilnctl history -n 1 --format json >"$T/hist" || fail "history json"
assert_grep '^\[{"id":"[0-9a-f]*","started":"' "$T/hist"
kiln_stop
echo ok
