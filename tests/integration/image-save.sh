#!/bin/sh
# image-save.sh: kilnctl save as an OCI layout tar and a docker load archive, read back by skopeo (oci-archive:, docker-archive:) and by kiln's own import.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
for p in skopeo jq; do
	command -v $p >/dev/null 2>&1 || { echo "SKIP: no $p (scripts/deps.sh)"; exit 77; }
done
kiln_start

sh "$KILN_SRCDIR/tests/tools/mkbase.sh" "$T/base.tar" --format oci-tar --layers 2 \
    --name local/base:1 >/dev/null || fail "mkbase.sh"
kilnctl image import "$T/base.tar" >"$T/out" 2>&1 || fail "import: $(cat "$T/out")"
digest=$(tar -xOf "$T/base.tar" ./index.json | jq -r '.manifests[0].digest')

# type oci: skopeo reads it, by the tag or alone
kilnctl save -o "$T/oci.tar" local/base:1 >"$T/out" 2>&1 || fail "save: $(cat "$T/out")"
skopeo inspect "oci-archive:$T/oci.tar" >"$T/inspect" 2>&1 || fail "skopeo: $(cat "$T/inspect")"
skopeo inspect --raw "oci-archive:$T/oci.tar:1" | sha256sum | grep -q "^${digest#sha256:} " ||
    fail "the archive's manifest is not $digest"
tar -tf "$T/oci.tar" >"$T/list"
assert_grep "^oci-layout$" "$T/list"
assert_grep "^index.json$" "$T/list"
assert_grep "^blobs/sha256/${digest#sha256:}$" "$T/list"
tar -xOf "$T/oci.tar" index.json | grep -q '"io.containerd.image.name":"docker.io/local/base:1"' ||
    fail "index.json: $(tar -xOf "$T/oci.tar" index.json)"
skopeo copy -q "oci-archive:$T/oci.tar" "oci:$T/layout:x" >"$T/out" 2>&1 ||
    fail "skopeo copy: $(cat "$T/out")"

# the same image gives the same bytes
kilnctl save -o "$T/oci2.tar" local/base:1 || fail "second save"
cmp -s "$T/oci.tar" "$T/oci2.tar" || fail "two saves differ"

# type docker: docker load's manifest.json too
kilnctl save --format docker --name kiln/other:7 -o "$T/docker.tar" local/base:1 ||
    fail "save docker"
skopeo inspect "docker-archive:$T/docker.tar" >"$T/inspect" 2>&1 ||
    fail "skopeo docker-archive: $(cat "$T/inspect")"
tar -xOf "$T/docker.tar" manifest.json | grep -q '"RepoTags":\["kiln/other:7"\]' ||
    fail "manifest.json: $(tar -xOf "$T/docker.tar" manifest.json)"
skopeo copy -q "docker-archive:$T/docker.tar" "oci:$T/layout2:y" >"$T/out" 2>&1 ||
    fail "skopeo copy docker-archive: $(cat "$T/out")"

# to a pipe, and back in through kiln's own import
kilnctl save local/base:1 | tar -t >"$T/list" || fail "save to a pipe"
assert_grep "^index.json$" "$T/list"
kilnctl image import "$T/docker.tar" >"$T/out" 2>&1 || fail "import docker.tar: $(cat "$T/out")"
kilnctl images >"$T/images"
assert_grep "^kiln/other:7 *$(echo "$digest" | cut -c1-19)" "$T/images"

# a missing image: an error, and no file
kilnctl save -o "$T/none.tar" nosuch:1 >"$T/out" 2>&1 && fail "saved a missing image"
assert_grep "nosuch:1: no such image here" "$T/out"
ls "$T"/none.tar* >/dev/null 2>&1 && fail "a failed save left a file"
kiln_stop
