#!/bin/sh
# execd-mounts.sh: a step's bind, cache, tmpfs and secret mounts; mount points it lacks are made and removed again, and none leaves the rootfs.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/execd-lib.sh"
kiln_setup
execd_rootfs
kiln_start --net=host --test-hooks
mkdir -p "$T/src/sub" "$T/outside"
echo hello >"$T/src/f"
echo one-file >"$T/single"
# the image's own tree, to compare with after every step
snapshot() { (cd "$R" && find . | sort) >"$T/tree.$1"; }
snapshot before

# bind: read-only unless rw; a file binds onto a file
step --mount "type=bind,source=$T/src,target=/mnt/src" -- sh -c 'cat /mnt/src/f; echo x >/mnt/src/g'
[ "$rc" != 0 ] || fail "a read-only bind was writable"
assert_grep "hello" "$T/out"
assert_grep "Read-only file system" "$T/err"
step --mount "type=bind,source=$T/src,target=/mnt/src,rw" -- sh -c 'echo x >/mnt/src/g'
[ "$rc" = 0 ] && [ "$(cat "$T/src/g")" = x ] || fail "rw bind: $rc $(cat "$T/err")"
step --mount "type=bind,source=$T/single,target=/etc/one" -- cat /etc/one
[ "$(cat "$T/out")" = one-file ] || fail "file bind: $(cat "$T/out" "$T/err")"
step --mount "type=bind,source=$T/nope,target=/mnt" -- true
[ "$rc" = 125 ] || fail "a missing bind source gave $rc"
assert_grep "bind mount $T/nope on /mnt" "$T/err"

# tmpfs: its size, 1777 by default, gone after the step
step --mount "type=tmpfs,target=/scratch,size=1048576" -- sh -c \
    'grep " /scratch " /proc/mounts; stat -c %a /scratch; dd if=/dev/zero of=/scratch/big bs=1024 count=2048 2>&1'
assert_grep "size=1024k" "$T/out"
assert_grep "^1777$" "$T/out"
assert_grep "No space left" "$T/out"

# cache: made with uid, gid and mode when missing, kept between steps
step --mount "type=cache,source=$T/cache/a,target=/cache,mode=0750" -- sh -c \
    'stat -c "%a %u %g" /cache; echo kept >/cache/x'
[ "$(cat "$T/out")" = "750 0 0" ] || fail "new cache dir: $(cat "$T/out" "$T/err")"
step --mount "type=cache,source=$T/cache/a,target=/cache,mode=0700" -- sh -c \
    'stat -c %a /cache; cat /cache/x'
printf '750\nkept\n' >"$T/want"
cmp -s "$T/out" "$T/want" || fail "cache not kept as it was: $(cat "$T/out" "$T/err")"
step --mount "type=cache,source=$T/cache/b,target=/cache,uid=1000,gid=1000,mode=0700" \
    -- stat -c "%a %u %g" /cache
[ "$(cat "$T/out")" = "700 1000 1000" ] || fail "cache with uid/gid: $(cat "$T/out" "$T/err")"

# secret: at /run/secrets/ID, 0400, root's, read-only, on no disk
printf 's3cret-value' >"$T/secret"
step --secret "id=token,src=$T/secret" -- sh -c \
    'cat /run/secrets/token; echo; stat -c "%a %u %g" /run/secrets/token; echo x >/run/secrets/token'
assert_grep "^s3cret-value$" "$T/out"
assert_grep "^400 0 0$" "$T/out"
[ "$rc" != 0 ] || fail "a secret was writable"
step --mount "type=secret,id=token,src=$T/secret,target=/root/.token,mode=0440,uid=1000" \
    -- stat -c "%a %u" /root/.token
[ "$(cat "$T/out")" = "440 1000" ] || fail "secret target/mode/uid: $(cat "$T/out" "$T/err")"
head -c 600000 /dev/zero >"$T/huge"
step --secret "id=huge,src=$T/huge" -- true
[ "$rc" = 125 ] || fail "a 600 kB secret gave $rc"
assert_grep "larger than" "$T/err"
grep -rqs "s3cret-value" "$R" && fail "the secret reached the rootfs"

# several at once, nested under one another, in order
step --mount "type=tmpfs,target=/a" --mount "type=bind,source=$T/src,target=/a/b/c" \
    --secret "id=s,src=$T/secret" -- sh -c 'cat /a/b/c/f /run/secrets/s'
[ "$(tr -d "\n" <"$T/out")" = "hellos3cret-value" ] || fail "nested mounts: $(cat "$T/out" "$T/err")"

# a symlink in the image cannot send a mount outside the root
ln -s /../../../../../../"$T/outside" "$R/escape"
step --mount "type=tmpfs,target=/escape/t" -- sh -c 'touch /escape/t/x'
[ "$rc" = 0 ] || fail "tmpfs under a symlink: $rc $(cat "$T/err")"
[ -z "$(ls -A "$T/outside")" ] || fail "a mount point was made outside the root: $(ls -A "$T/outside")"
rm "$R/escape"

# the mount points made for all this are gone; the image is as it was
# (a directory of the image keeps its times too)
step -- true
snapshot after
diff "$T/tree.before" "$T/tree.after" >"$T/diff" || fail "mount points left in the rootfs: $(cat "$T/diff")"

# a bind of a directory fd: one opened in kiln's own mount namespace,
# as snapd's would be (the client joins kiln's namespaces for that)
nsenter -t "$(helper_pid solverd)" -U -m --preserve-credentials "$KILNCTL_BIN" debug run \
    --rootfs "$R" --mount "type=bind,source=$T/src,target=/fd,fd" -- cat /fd/f \
    >"$T/out" 2>"$T/err" || fail "bind of an fd: $(cat "$T/err")"
[ "$(cat "$T/out")" = hello ] || fail "bind of an fd: $(cat "$T/out")"
# one from another mount namespace cannot be cloned, and says so
step --mount "type=bind,source=$T/src,target=/fd,fd" -- true
[ "$rc" = 125 ] || fail "a foreign fd bind gave $rc"
assert_grep "not in kiln's mount namespace" "$T/err"

# the cache dirs the subordinate ids own, kiln-test cannot remove
step --mount "type=bind,source=$T/cache,target=/c,rw" -- rm -rf /c/a /c/b
kiln_stop
echo ok
