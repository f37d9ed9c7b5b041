#!/bin/sh
# image-pull.sh: kilnctl pull from a local docker-registry: OCI and Docker media types, a multi-platform index, by digest, present blobs skipped, a corrupt blob refused.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start plain
R=$REG_ADDR
reg_push_base "$R/kiln/busybox:latest" --layers 2
# the same image with Docker's media types
skopeo copy -q --src-tls-verify=false --dest-tls-verify=false --format v2s2 \
    "docker://$R/kiln/busybox:latest" "docker://$R/kiln/busybox:docker" >"$T/skopeo.out" 2>&1 ||
    fail "skopeo v2s2: $(cat "$T/skopeo.out")"

mkdir -p "$XDG_CONFIG_HOME/kiln"
echo "registry = 127.0.0.1,http" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
export DOCKER_CONFIG="$T/docker"
kiln_start

mdigest() {
	skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum | sed 's/^/sha256:/; s/ .*//'
}
oci=$(mdigest "$R/kiln/busybox:latest")
dock=$(mdigest "$R/kiln/busybox:docker")

kilnctl pull "$R/kiln/busybox" >"$T/out" 2>"$T/err" || fail "pull: $(cat "$T/err")"
assert_grep "^$R/kiln/busybox:latest$" "$T/out"
assert_grep "^Digest: $oci" "$T/err"
assert_grep "^3 blobs fetched, 0 already here" "$T/err"
kilnctl images >"$T/images" 2>&1 || fail "images: $(cat "$T/images")"
assert_grep "$R/kiln/busybox:latest" "$T/images"
assert_grep "$(echo "$oci" | cut -c1-19)" "$T/images"

# again: nothing to fetch but the manifest
kilnctl pull -q "$R/kiln/busybox:latest" >"$T/out" 2>"$T/err" || fail "pull again: $(cat "$T/err")"
[ -s "$T/err" ] && fail "-q printed: $(cat "$T/err")"
kilnctl pull "$R/kiln/busybox:latest" >"$T/out" 2>"$T/err"
assert_grep "^0 blobs fetched, 3 already here" "$T/err"

# Docker v2 schema 2 media types; the layers are the same blobs
kilnctl pull "$R/kiln/busybox:docker" >"$T/out" 2>"$T/err" || fail "docker pull: $(cat "$T/err")"
assert_grep "^Digest: $dock" "$T/err"

# a multi-platform index: the daemon's platform, or --platform's
cat >"$T/index.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$oci","size":$(skopeo inspect --raw --tls-verify=false "docker://$R/kiln/busybox:latest" | wc -c),"platform":{"os":"linux","architecture":"arm64"}},
{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"$dock","size":$(skopeo inspect --raw --tls-verify=false "docker://$R/kiln/busybox:docker" | wc -c),"platform":{"os":"linux","architecture":"amd64"}}]}
EOF
curl -sf -X PUT -H "Content-Type: application/vnd.oci.image.index.v1+json" \
    --data-binary "@$T/index.json" "http://$R/v2/kiln/busybox/manifests/multi" >/dev/null ||
    fail "could not push the index"
kilnctl pull "$R/kiln/busybox:multi" >"$T/out" 2>"$T/err" || fail "index pull: $(cat "$T/err")"
assert_grep "^Digest: $dock" "$T/err"
kilnctl pull --platform linux/arm64 "$R/kiln/busybox:multi" >"$T/out" 2>"$T/err" ||
    fail "arm64 pull: $(cat "$T/err")"
assert_grep "^Digest: $oci" "$T/err"
kilnctl pull --platform linux/s390x "$R/kiln/busybox:multi" >"$T/out" 2>"$T/err" &&
    fail "s390x found"
assert_grep "has no image for linux/s390x (it has: linux/arm64, linux/amd64)" "$T/err"

# by digest, under that name
kilnctl pull "$R/kiln/busybox@$oci" >"$T/out" 2>"$T/err" || fail "by digest: $(cat "$T/err")"
assert_grep "^$R/kiln/busybox@$oci$" "$T/out"

# a missing tag: the registry's words and what to do
kilnctl pull "$R/kiln/busybox:nope" >"$T/out" 2>"$T/err" && fail "a missing tag pulled"
assert_grep "kilnctl: pulling manifest $R/kiln/busybox:nope: registry $R answered 404" "$T/err"

# a blob whose bytes are not its digest is refused, and nothing is named
reg_push_base "$R/kiln/corrupt:latest" --layers 3
skopeo inspect --raw --tls-verify=false "docker://$R/kiln/corrupt:latest" >"$T/cm.json"
bad=$(jq -r '.layers[2].digest' "$T/cm.json")
hex=${bad#sha256:}
f=$T/reg-plain/data/docker/registry/v2/blobs/sha256/$(echo "$hex" | cut -c1-2)/$hex/data
[ -f "$f" ] || fail "no blob file $f"
size=$(stat -c %s "$f")
head -c "$size" /dev/zero >"$f"
kilnctl pull "$R/kiln/corrupt:latest" >"$T/out" 2>"$T/err" && fail "a corrupt blob was taken"
assert_grep "blob $bad: registry $R sent bytes of another digest" "$T/err"
kilnctl images >"$T/images" 2>&1
grep -q "kiln/corrupt" "$T/images" && fail "a half-pulled image was named"

kiln_stop
