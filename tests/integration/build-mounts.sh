#!/bin/sh
# build-mounts.sh: RUN --mount=type=secret (file and env), bind from a stage and from the context (a directory or one file, its content in the key), tmpfs; --network=none; RUN heredocs with and without #!; secrets stay out of the image and the cache key.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
build_test_start
mkdir -p "$C/data"
echo "from the context" >"$C/data/file"
echo "s3cr3t-file" >"$T/secret"
cat >"$C/Dockerfile" <<'DF'
FROM kiln-busybox AS stage
RUN echo "in the stage" > /stage.txt

FROM kiln-busybox
RUN --mount=type=secret,id=tok cat /run/secrets/tok; ls -l /run/secrets/tok | cut -c1-10
RUN --mount=type=secret,id=tok,target=/s,mode=0444 --mount=type=secret,id=api,env=API_KEY \
    cat /s; echo "key=$API_KEY"
RUN --mount=type=secret,id=absent test ! -e /run/secrets/absent && echo optional secret skipped
RUN --mount=type=bind,from=stage,target=/mnt cat /mnt/stage.txt
RUN --mount=type=bind,source=data,target=/ctx cat /ctx/file
RUN --mount=type=tmpfs,target=/scratch echo x > /scratch/y && cat /scratch/y && grep -c " /scratch tmpfs" /proc/mounts
RUN --network=none cat /proc/net/dev | grep -c ":"
RUN <<EOT
echo "heredoc one"
echo "heredoc two"
EOT
RUN <<EOT
#!/bin/sh
echo "shebang script as $0"
EOT
RUN ls /run/secrets 2>&1 | wc -l; test ! -e /s && echo no secret left
DF
export API_KEY=k3y-env
build_ok --secret id=tok,src="$T/secret" --secret id=api,env=API_KEY "$C"
assert_grep "s3cr3t-file" "$T/out"
assert_grep "^#[0-9]* [0-9.]* -r--------" "$T/out"
assert_grep "key=k3y-env" "$T/out"
assert_grep "optional secret skipped" "$T/out"
assert_grep "in the stage" "$T/out"
assert_grep "from the context" "$T/out"
assert_grep "^#[0-9]* [0-9.]* x$" "$T/out"
assert_grep "heredoc two" "$T/out"
assert_grep "shebang script as /dev/pipes/EOT" "$T/out"
assert_grep "no secret left" "$T/out"
# only lo in --network=none
assert_grep "RUN --network=none" "$T/out"
n=$(awk '/RUN --network=none/ { s = $1 } s && $1 == s && $3 == "1" { print "one" }' "$T/out")
[ -n "$n" ] || fail "--network=none saw more than lo: $(cat "$T/out")"

# a secret's content is not part of the key: another value, all cached
echo "another" >"$T/secret"
API_KEY=other build_ok --secret id=tok,src="$T/secret" --secret id=api,env=API_KEY "$C"
cached "RUN --mount=type=secret,id=tok cat"

# a required secret that is not given is an error before anything runs
printf 'FROM kiln-busybox\nRUN --mount=type=secret,id=need,required=true true\n' \
    >"$C/Dockerfile"
build "$C"
[ "$rc" = 1 ] || fail "a missing required secret exited $rc"
assert_grep "secret need: not found" "$T/out"
# a bind of one file from the context is that file, and editing it
# invalidates the step (the key holds its content, not only its path)
mkdir -p "$T/bind"
echo one >"$T/bind/f"
printf 'FROM kiln-busybox\nRUN --mount=type=bind,source=f,target=/m/f cat /m/f\n' \
    >"$T/bind/Dockerfile"
build_ok "$T/bind"
assert_grep "one" "$T/out"
build_ok "$T/bind"
cached "cat /m/f"
echo two >"$T/bind/f"
build_ok "$T/bind"
ran "cat /m/f"
assert_grep "two" "$T/out"
kiln_stop
echo ok
