#!/bin/sh
# image-regclient.sh: kiln-netd's registry transport against a local docker-registry: manifests, blobs into fds, HEAD, push with mount, and its errors.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start plain
R=$REG_ADDR
reg_push_base "$R/kiln/busybox:latest" --layers 2

mkdir -p "$XDG_CONFIG_HOME/kiln"
echo "registry = 127.0.0.1,http" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
export DOCKER_CONFIG="$T/docker"
kiln_start --test-hooks

call() {
	kilnctl debug call "$@" >"$T/out" 2>&1
}

# a tag resolves to the manifest, written into the fd; its digest is right
call REG_MANIFEST_GET "[\"$R/kiln/busybox\",\"\"]" --fd-write "$T/m.json" ||
    fail "manifest get: $(cat "$T/out")"
assert_grep "^REG_MANIFEST \[\"$R/kiln/busybox:latest\",\"application/vnd.oci.image.manifest.v1+json\",\"sha256:" "$T/out"
want=$(sed -n 's/.*"\(sha256:[0-9a-f]*\)".*/\1/p' "$T/out")
got=sha256:$(sha256sum "$T/m.json" | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "manifest digest $want, file $got"

# by digest too
call REG_MANIFEST_GET "[\"$R/kiln/busybox@$got\",\"\"]" --fd-write "$T/m2.json" ||
    fail "manifest by digest: $(cat "$T/out")"
cmp -s "$T/m.json" "$T/m2.json" || fail "the manifest by digest differs"

# each blob streams into its fd with its digest and size
for d in $(jq -r '.config.digest, .layers[].digest' "$T/m.json"); do
	size=$(jq -r --arg d "$d" '[.config] + .layers | .[] | select(.digest == $d) | .size' "$T/m.json")
	call REG_BLOB_GET "[\"$R/kiln/busybox\",\"$d\",$size]" --fd-write "$T/blob" ||
	    fail "blob get $d: $(cat "$T/out")"
	assert_grep "^REG_BLOB \[$size\]" "$T/out"
	[ "sha256:$(sha256sum "$T/blob" | cut -d' ' -f1)" = "$d" ] || fail "blob $d corrupt"
done
layer=$(jq -r '.layers[0].digest' "$T/m.json")
lsize=$(jq -r '.layers[0].size' "$T/m.json")

# a size smaller than what the registry sends is refused
call REG_BLOB_GET "[\"$R/kiln/busybox\",\"$layer\",10]" --fd-write "$T/blob" &&
    fail "an oversized blob was taken"
assert_grep "sent more than it should" "$T/out"

# HEAD: there, and not
call REG_BLOB_HEAD "[\"$R/kiln/busybox\",\"$layer\"]" || fail "head: $(cat "$T/out")"
assert_grep "^REG_BLOB_STAT \[true,$lsize\]" "$T/out"
none=sha256:0000000000000000000000000000000000000000000000000000000000000000
call REG_BLOB_HEAD "[\"$R/kiln/busybox\",\"$none\"]" || fail "head absent: $(cat "$T/out")"
assert_grep "^REG_BLOB_STAT \[false,0\]" "$T/out"

# push: a mount from the other repository, an upload, then present
call REG_BLOB_GET "[\"$R/kiln/busybox\",\"$layer\",$lsize]" --fd-write "$T/layer"
call REG_BLOB_PUT "[\"$R/other/one\",\"$layer\",$lsize,\"$R/kiln/busybox\"]" \
    --fd-read "$T/layer" || fail "mount: $(cat "$T/out")"
assert_grep '^REG_BLOB_PUT_REPLY \["mounted"\]' "$T/out"
call REG_BLOB_PUT "[\"$R/other/two\",\"$layer\",$lsize,\"\"]" --fd-read "$T/layer" ||
    fail "upload: $(cat "$T/out")"
assert_grep '^REG_BLOB_PUT_REPLY \["uploaded"\]' "$T/out"
call REG_BLOB_PUT "[\"$R/other/two\",\"$layer\",$lsize,\"\"]" --fd-read "$T/layer" ||
    fail "present: $(cat "$T/out")"
assert_grep '^REG_BLOB_PUT_REPLY \["present"\]' "$T/out"
for d in $(jq -r '.config.digest, .layers[1].digest' "$T/m.json"); do
	size=$(jq -r --arg d "$d" '[.config] + .layers | .[] | select(.digest == $d) | .size' "$T/m.json")
	call REG_BLOB_GET "[\"$R/kiln/busybox\",\"$d\",$size]" --fd-write "$T/b"
	call REG_BLOB_PUT "[\"$R/other/two\",\"$d\",$size,\"\"]" --fd-read "$T/b" ||
	    fail "upload $d: $(cat "$T/out")"
done
call REG_MANIFEST_PUT "[\"$R/other/two:v1\",\"application/vnd.oci.image.manifest.v1+json\"]" \
    --fd-read "$T/m.json" || fail "manifest put: $(cat "$T/out")"
assert_grep "^REG_MANIFEST_PUT_REPLY \[\"$got\"\]" "$T/out"
skopeo inspect --tls-verify=false "docker://$R/other/two:v1" >"$T/inspect" 2>&1 ||
    fail "skopeo cannot read what kiln pushed: $(cat "$T/inspect")"
assert_grep "\"Digest\": \"$got\"" "$T/inspect"

# errors: which registry, which reference, what it answered, what to do
call REG_MANIFEST_GET "[\"$R/kiln/busybox:nope\",\"\"]" --fd-write "$T/x" &&
    fail "a missing tag was found"
assert_grep "manifest $R/kiln/busybox:nope: registry $R answered 404 (MANIFEST_UNKNOWN" "$T/out"
assert_grep "check the name" "$T/out"
call REG_MANIFEST_GET "[\"$R/Bad\",\"\"]" --fd-write "$T/x" && fail "a bad name was taken"
assert_grep "not a valid reference: repository name must be lowercase" "$T/out"
reg_start gone
reg_stop gone
call REG_MANIFEST_GET "[\"$REG_ADDR/kiln/busybox\",\"\"]" --fd-write "$T/x" &&
    fail "a dead registry answered"
assert_grep "cannot reach registry $REG_ADDR" "$T/out"
assert_grep "is it running" "$T/out"
# https is the default: a plain registry elsewhere than 127.0.0.1 needs ",http"
call REG_MANIFEST_GET "[\"localhost:${R#*:}/kiln/busybox\",\"\"]" --fd-write "$T/x" &&
    fail "https to a plain registry worked"
assert_grep "TLS with localhost:${R#*:} failed" "$T/out"
assert_grep "registry = localhost:${R#*:},http" "$T/out"

kiln_stop
