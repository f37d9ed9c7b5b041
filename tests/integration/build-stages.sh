#!/bin/sh
# build-stages.sh: multi-stage builds: only the stages the target needs, --target, COPY --from a stage (by name and index) and an imported image, FROM a stage, ONBUILD triggers, global ARGs in FROM.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
build_test_start
cat >"$C/Dockerfile" <<'DF'
ARG BASE=kiln-busybox
FROM ${BASE} AS tools
RUN echo tool > /tool.txt
ONBUILD RUN echo "trigger of tools ran"

FROM ${BASE} AS broken
RUN echo "the broken stage ran"; exit 1

FROM tools AS build
RUN cat /tool.txt > /built.txt && echo built from tools

FROM ${BASE} AS test
COPY --from=build /built.txt /b
COPY --from=0 /tool.txt /t
COPY --from=kiln-busybox /etc/passwd /copied-passwd
RUN cat /b /t && grep -c root /copied-passwd

FROM test
RUN echo final
DF
build_ok "$C"
grep -q "the broken stage ran" "$T/out" && fail "an unneeded stage ran"
assert_grep "trigger of tools ran" "$T/out"
assert_grep "ONBUILD RUN echo" "$T/out"
assert_grep "built from tools" "$T/out"
assert_grep "^#[0-9]* [0-9.]* tool$" "$T/out"
assert_grep "^#[0-9]* [0-9.]* final$" "$T/out"
assert_grep "\[build 2/2\] RUN cat /tool.txt" "$T/out"

# --target: that stage and what it needs, nothing after
build_ok --target build "$C"
grep -q "final" "$T/out" && fail "--target build ran the last stage"
cached "RUN cat /tool.txt"
build --target broken "$C"
[ "$rc" = 1 ] || fail "--target broken exited $rc"
assert_grep "the broken stage ran" "$T/out"
assert_grep "\[broken 2/2\] RUN echo" "$T/out"

# the base ARG changes FROM for every stage
build --build-arg BASE=nope:1 "$C"
assert_grep "nope:1: not in the local store, and the pull failed" "$T/out"
kiln_stop
echo ok
