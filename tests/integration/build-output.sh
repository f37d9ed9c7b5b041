#!/bin/sh
# build-output.sh: --output type=local (owned by the calling user) and type=tar (file and standard output), -t NAME into the image store and a later FROM NAME, the metadata file's digests and config.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq not installed (scripts/deps.sh)"; exit 77; }
build_test_start
echo apple >"$C/a.txt"
cat >"$C/Dockerfile" <<'DF'
FROM kiln-busybox
COPY --chown=1000:1000 a.txt /data/a.txt
RUN echo made > /data/made && rm /etc/shadow
ENV MADE=1
CMD ["cat", "/data/made"]
DF
build_ok --output "type=local,dest=$T/rootfs" -t app:1 -t app:latest \
    --metadata-file "$T/meta.json" "$C"
[ "$(cat "$T/rootfs/data/a.txt")" = apple ] || fail "local output: $(ls -lR "$T/rootfs/data")"
[ "$(cat "$T/rootfs/data/made")" = made ] || fail "local output lacks the RUN's file"
[ -e "$T/rootfs/etc/shadow" ] && fail "a deleted file is in the output"
[ -x "$T/rootfs/bin/busybox" ] || fail "no busybox in the output"
[ "$(stat -c %u "$T/rootfs/data/a.txt")" = "$(id -u)" ] || fail "the output is not the caller's"
jq -e '."containerimage.digest" | startswith("sha256:")' "$T/meta.json" >/dev/null ||
	fail "no image digest: $(cat "$T/meta.json")"
jq -e '."image.name" == "app:1,app:latest"' "$T/meta.json" >/dev/null || fail "image.name"
jq -e '."kiln.image.config".config.Env[1] == "MADE=1"' "$T/meta.json" >/dev/null ||
	fail "config: $(cat "$T/meta.json")"
jq -e '."kiln.image.config".rootfs.diff_ids | length == 3' "$T/meta.json" >/dev/null ||
	fail "diff_ids: $(jq -c '."kiln.image.config".rootfs' "$T/meta.json")"
kilnctl images >"$T/images"
assert_grep "^app:1 " "$T/images"
assert_grep "^app:latest " "$T/images"

# a later FROM uses the stored image, its config and its layers
printf 'FROM app:1\nRUN cat /data/made /data/a.txt; echo "MADE=$MADE"\n' >"$C/Dockerfile"
build_ok --metadata-file "$T/meta2.json" "$C"
assert_grep "^#[0-9]* [0-9.]* made$" "$T/out"
assert_grep "MADE=1" "$T/out"
jq -e '."kiln.image.config".config.Cmd == ["cat","/data/made"]' "$T/meta2.json" >/dev/null ||
	fail "FROM app:1 lost its Cmd"

# type=tar to a file keeps owners; to standard output as a stream
build_ok --output "type=tar,dest=$T/root.tar" "$C"
tar --numeric-owner -tvf "$T/root.tar" >"$T/list"
assert_grep "1000/1000 .* \\(\\./\\)\\?data/a.txt" "$T/list"
kilnctl build --progress=plain -o - "$C" >"$T/stream.tar" 2>"$T/out" || fail "-o -: $(cat "$T/out")"
tar -tf "$T/stream.tar" | grep -q "data/made" || fail "the tar stream lacks data/made"

# FROM scratch with nothing: an empty root
printf 'FROM scratch\nENV A=1\n' >"$C/Dockerfile"
build_ok --output "type=local,dest=$T/empty" -t empty:1 "$C"
[ -z "$(ls -A "$T/empty")" ] || fail "scratch output not empty: $(ls -A "$T/empty")"
kiln_stop
echo ok
