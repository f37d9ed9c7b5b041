#!/bin/sh
# build-add-url.sh: ADD of http:// URLs through kiln-netd: the file's name, mode 0600, Last-Modified as its mtime, --chmod and --chown, a redirect, Content-Disposition, --checksum, a 404 and a mismatch as clear errors, and the cache: the same body is cached (asked with If-None-Match, a 304, no download), a changed one runs again, a step that runs after a 304 fetches the body then.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
build_test_start
S=$T/srv
mkdir -p "$S"
echo "fetched body one" >"$S/file.txt"
echo "the named one" >"$S/body.txt"
touch -d '2021-03-04 05:06:07 UTC' "$S/file.txt"
python3 "$KILN_SRCDIR/tests/integration/http-files.py" "$S" >"$T/port" 2>>"$T/http.log" &
HTTP_PID=$!
trap 'kill $HTTP_PID 2>/dev/null; kiln_cleanup' EXIT
wait_for 50 test -s "$T/port" || fail "http-files.py did not start: $(cat "$T/http.log")"
U=http://127.0.0.1:$(cat "$T/port")
sum=sha256:$(sha256sum "$S/file.txt" | cut -d' ' -f1)
cat >"$C/Dockerfile" <<DF
FROM kiln-busybox
ADD $U/file.txt /dl/
ADD --chmod=0644 --chown=12:34 $U/file.txt /dl/renamed.txt
ADD $U/moved/file.txt /dl/moved/
ADD $U/named/from-header.txt /dl/named/
ADD --checksum=$sum $U/file.txt /dl/checked
RUN mkdir /existing
ADD $U/file.txt /existing
RUN stat -c "%n %a %u:%g %Y" /dl/file.txt /dl/renamed.txt /dl/moved/file.txt && cat /dl/named/from-header.txt && { cat /dl/checked 2>/dev/null || true; }
DF
build_ok --output type=local,dest="$T/out1" "$C"
assert_grep "^#[0-9]* [0-9.]* /dl/file.txt 600 0:0 1614834367" "$T/out"
assert_grep "/dl/renamed.txt 644 12:34 1614834367" "$T/out"
assert_grep "/dl/moved/file.txt 600 0:0" "$T/out"
assert_grep "the named one" "$T/out"
[ "$(cat "$T/out1/dl/checked")" = "fetched body one" ] || fail "checked: $(cat "$T/out1/dl/checked")"
# a destination that is a directory without the / gets the file in it
[ "$(cat "$T/out1/existing/file.txt")" = "fetched body one" ] || fail "into /existing"

# the same bodies again: every step from the cache, each URL asked with
# its ETag and answered 304, nothing downloaded
: >"$T/http.log"
build_ok "$C"
cached "ADD $U/file.txt /dl/"
cached "RUN stat"
assert_grep '"GET /file.txt HTTP/1.1" 304' "$T/http.log"
grep -q '"GET /file.txt HTTP/1.1" 200' "$T/http.log" && fail "an unchanged body came again"
# a step that runs anyway (--no-cache) after a 304 fetches the body then
build_ok --no-cache --output type=local,dest="$T/out2" "$C"
ran "ADD $U/file.txt /dl/"
[ "$(cat "$T/out2/dl/file.txt")" = "fetched body one" ] || fail "after a 304: $(cat "$T/out2/dl/file.txt")"
[ "$(stat -c %Y "$T/out2/dl/file.txt")" = 1614834367 ] || fail "the time after a 304"
# a daemon restart keeps the ETags (solverd's database)
kiln_stop
kiln_start --net=host
: >"$T/http.log"
build_ok "$C"
cached "RUN stat"
assert_grep '"GET /file.txt HTTP/1.1" 304' "$T/http.log"
# a new body at the same URL: its ADD and what follows run again; the
# --checksum one now fails, saying what it expected and what came
sed -i "/--checksum/d" "$C/Dockerfile"
build_ok "$C"
cached "ADD $U/file.txt /dl/"
echo "fetched body two" >"$S/file.txt"
build_ok "$C"
ran "ADD $U/file.txt /dl/"
ran "RUN stat"
printf 'FROM kiln-busybox\nADD --checksum=%s %s/file.txt /x\n' "$sum" "$U" >"$C/Dockerfile"
build "$C"
[ "$rc" != 0 ] || fail "a --checksum mismatch built"
assert_grep "checksum mismatch: --checksum is $sum, what came is sha256:" "$T/out"

# errors name the URL and what went wrong
printf 'FROM kiln-busybox\nADD %s/nope.txt /x\n' "$U" >"$C/Dockerfile"
build "$C"
[ "$rc" != 0 ] || fail "a 404 built"
assert_grep "ADD $U/nope.txt: GET $U/nope.txt: the server answered 404" "$T/out"
printf 'FROM kiln-busybox\nADD %s/nameless/ /dir/\n' "$U" >"$C/Dockerfile"
build "$C"
[ "$rc" != 0 ] || fail "a URL without a file name built into a directory"
assert_grep "the URL names no file and the server sent no file name" "$T/out"
printf 'FROM kiln-busybox\nADD %s/nameless/ /dir/file\nRUN cat /dir/file\n' "$U" >"$C/Dockerfile"
build_ok "$C"
assert_grep "the named one" "$T/out"
printf 'FROM kiln-busybox\nADD http://127.0.0.1:1/x /x\n' >"$C/Dockerfile"
build "$C"
[ "$rc" != 0 ] || fail "a refused connection built"
assert_grep "ADD http://127.0.0.1:1/x: GET http://127.0.0.1:1/x: .*onnect" "$T/out"
# every helper is still up
all_helpers_ready || fail "a helper went down"
echo "ok"
