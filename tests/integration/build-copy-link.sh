#!/bin/sh
# build-copy-link.sh: COPY --link is a layer of its own: on a new base image the vertex runs again but takes its layer from the cache (the context is not copied again), and the image's layer for it has the same digest; what the COPY wrote is there, on the new base.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
build_test_start
mkdir -p "$C/d/sub"
echo one >"$C/d/one"
echo two >"$C/d/sub/two"
chmod 600 "$C/d/sub/two"
printf 'FROM kiln-busybox\nRUN echo other base >/base.txt\n' >"$T/base2.Dockerfile"
build_ok -f "$T/base2.Dockerfile" -t base2:1 "$C"

# the last layer's digest of an OCI archive
last_layer() {
	rm -rf "$T/x"
	mkdir "$T/x"
	tar -xf "$1" -C "$T/x" || fail "unpacking $1"
	m=$(sed -n 's/.*"digest":"sha256:\([0-9a-f]*\)".*/\1/p' "$T/x/index.json")
	grep -o '"digest":"sha256:[0-9a-f]*"' "$T/x/blobs/sha256/$m" | tail -1
}

printf 'FROM kiln-busybox\nCOPY --link --chown=7:8 d/ /app/\n' >"$T/a.Dockerfile"
printf 'FROM base2:1\nCOPY --link --chown=7:8 d/ /app/\nRUN cat /base.txt /app/one; stat -c "%%u:%%g %%a" /app/sub/two\n' \
    >"$T/b.Dockerfile"
build_ok -f "$T/a.Dockerfile" --output "type=oci,dest=$T/a.tar" "$C"
la=$(last_layer "$T/a.tar")
grep -q "its --link layer .* from the cache" "$T/kilnd.log" &&
    fail "the first --link COPY found a layer in the cache"
build_ok -f "$T/b.Dockerfile" --output "type=oci,dest=$T/b.tar" "$C"
assert_grep "COPY --link.* its --link layer s[0-9]* from the cache" "$T/kilnd.log"
assert_grep "the layer of s[0-9]* put on s[0-9]* by hard links" "$T/kilnd.log"
assert_grep "^#[0-9]* [0-9.]* other base" "$T/out"
assert_grep "^#[0-9]* [0-9.]* one" "$T/out"
assert_grep "^#[0-9]* [0-9.]* 7:8 600" "$T/out"
rm -rf "$T/y"
mkdir "$T/y"
tar -xf "$T/b.tar" -C "$T/y"
m=$(sed -n 's/.*"digest":"sha256:\([0-9a-f]*\)".*/\1/p' "$T/y/index.json")
grep -q "$la" "$T/y/blobs/sha256/$m" ||
    fail "the --link layer $la is not in the image on the new base: $(cat "$T/y/blobs/sha256/$m")"
# the same base again: all cached
build_ok -f "$T/a.Dockerfile" "$C"
cached "COPY --link"
# a changed context makes a new layer
echo changed >"$C/d/one"
build_ok -f "$T/b.Dockerfile" "$C"
assert_grep "^#[0-9]* [0-9.]* changed" "$T/out"
kiln_stop
