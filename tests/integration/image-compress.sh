#!/bin/sh
# image-compress.sh: an image output's compression=gzip|zstd|uncompressed, compression-level=, force-compression= and oci-mediatypes= : the pushed manifest's, config's and layers' media types follow, base layers keep their blobs unless forced, skopeo reads the result, a fresh daemon builds FROM it.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"

reg_start plain
R=$REG_ADDR
reg_push_base "$R/kiln/busybox:latest"
mkdir -p "$XDG_CONFIG_HOME/kiln" "$T/c"
echo "registry = 127.0.0.1,http" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
export DOCKER_CONFIG="$T/docker"
kiln_start

ACCEPT="application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json"
# manifest REPO:TAG -> $T/m.json
manifest() {
	curl -sf -H "Accept: $ACCEPT" -o "$T/m.json" "http://$R/v2/$1/manifests/$2" ||
	    fail "no manifest $1:$2 on the registry"
}
mt() { jq -r "$1" "$T/m.json"; }
base_layer=$(skopeo inspect --raw --tls-verify=false "docker://$R/kiln/busybox:latest" |
    jq -r '.layers[0].digest')

printf 'FROM %s/kiln/busybox\nRUN echo zz > /z\n' "$R" >"$T/c/Dockerfile"

# zstd: OCI types, the new layer zstd, the base layer's own blob kept
kilnctl build --output "type=image,name=$R/kiln/z:1,push=true,compression=zstd,compression-level=3" \
    "$T/c" >"$T/out" 2>&1 || fail "compression=zstd: $(cat "$T/out")"
manifest kiln/z 1
[ "$(mt .mediaType)" = application/vnd.oci.image.manifest.v1+json ] || fail "zstd manifest: $(cat "$T/m.json")"
[ "$(mt .config.mediaType)" = application/vnd.oci.image.config.v1+json ] || fail "zstd config: $(cat "$T/m.json")"
[ "$(mt '.layers[1].mediaType')" = application/vnd.oci.image.layer.v1.tar+zstd ] ||
    fail "zstd layer: $(cat "$T/m.json")"
[ "$(mt '.layers[0].digest')" = "$base_layer" ] || fail "the base layer was not kept: $(cat "$T/m.json")"
# the blob is zstd indeed
curl -sf "http://$R/v2/kiln/z/blobs/$(mt '.layers[1].digest')" | zstd -dc | tar -t | grep -q '^z$' ||
    fail "the zstd layer does not unpack to /z"
skopeo copy -q --src-tls-verify=false "docker://$R/kiln/z:1" "oci:$T/skz:1" >"$T/sk" 2>&1 ||
    fail "skopeo copy of the zstd image: $(cat "$T/sk")"

# force-compression: the base layer recompressed too
kilnctl build --output "type=registry,name=$R/kiln/z:2,compression=zstd,force-compression=true" \
    "$T/c" >"$T/out" 2>&1 || fail "force-compression: $(cat "$T/out")"
manifest kiln/z 2
[ "$(mt '.layers[0].mediaType')" = application/vnd.oci.image.layer.v1.tar+zstd ] &&
    [ "$(mt '.layers[0].digest')" != "$base_layer" ] || fail "force-compression: $(cat "$T/m.json")"

# oci-mediatypes=false: Docker v2 schema 2 all through
kilnctl build --output "type=registry,name=$R/kiln/d:1,oci-mediatypes=false" \
    --metadata-file "$T/meta.json" "$T/c" >"$T/out" 2>&1 || fail "oci-mediatypes=false: $(cat "$T/out")"
manifest kiln/d 1
[ "$(mt .mediaType)" = application/vnd.docker.distribution.manifest.v2+json ] || fail "docker manifest: $(cat "$T/m.json")"
[ "$(mt .config.mediaType)" = application/vnd.docker.container.image.v1+json ] || fail "docker config: $(cat "$T/m.json")"
[ "$(mt '[.layers[].mediaType] | unique | join(" ")')" = application/vnd.docker.image.rootfs.diff.tar.gzip ] ||
    fail "docker layers: $(cat "$T/m.json")"
[ "$(jq -r '."containerimage.descriptor".mediaType' "$T/meta.json")" = \
    application/vnd.docker.distribution.manifest.v2+json ] || fail "metadata: $(cat "$T/meta.json")"
skopeo inspect --raw --tls-verify=false "docker://$R/kiln/d:1" | jq -e '.schemaVersion == 2' >/dev/null ||
    fail "skopeo inspect --raw of the docker image"
skopeo copy -q --src-tls-verify=false "docker://$R/kiln/d:1" "oci:$T/skd:1" >"$T/sk" 2>&1 ||
    fail "skopeo copy of the docker image: $(cat "$T/sk")"

# uncompressed with Docker types
kilnctl build --output "type=registry,name=$R/kiln/u:1,compression=uncompressed,oci-mediatypes=false" \
    "$T/c" >"$T/out" 2>&1 || fail "uncompressed: $(cat "$T/out")"
manifest kiln/u 1
[ "$(mt '.layers[1].mediaType')" = application/vnd.docker.image.rootfs.diff.tar ] || fail "uncompressed: $(cat "$T/m.json")"
curl -sf "http://$R/v2/kiln/u/blobs/$(mt '.layers[1].digest')" | tar -t | grep -q '^z$' ||
    fail "the uncompressed layer is no tar with /z"

# an OCI archive in zstd
kilnctl build --output "type=oci,dest=$T/o.tar,compression=zstd,force-compression=true" \
    "$T/c" >"$T/out" 2>&1 || fail "type=oci,compression=zstd: $(cat "$T/out")"
skopeo inspect --raw "oci-archive:$T/o.tar" | jq -r '.layers[].mediaType' | grep -qv zstd &&
    fail "type=oci,compression=zstd: a layer not zstd"

# what BuildKit refuses
for bad in "compression=zstd,oci-mediatypes=false:conflicts with oci-mediatypes=false" \
    "compression=lz4:image option 'compression=lz4'" \
    "compression=gzip,compression-level=12:gzip takes 0 to 9"; do
	kilnctl build --output "type=registry,name=$R/kiln/x:1,${bad%%:*}" "$T/c" >"$T/out" 2>&1 &&
	    fail "${bad%%:*} was taken"
	assert_grep "${bad#*:}" "$T/out"
done
kilnctl build --output "type=local,dest=$T/l,compression=zstd" "$T/c" >"$T/out" 2>&1 &&
    fail "compression= on type=local was taken"

# a fresh daemon pulls the zstd and the Docker images and builds FROM them
kiln_stop
export XDG_DATA_HOME="$T/data-fresh"
mkdir -p -m 700 "$XDG_DATA_HOME"
kiln_start
for img in z:1 d:1 u:1; do
	printf 'FROM %s/kiln/%s\nRUN cat /z > /again\n' "$R" "$img" >"$T/c/Dockerfile"
	rm -rf "$T/rootfs"
	kilnctl build --output "type=local,dest=$T/rootfs" "$T/c" >"$T/out" 2>&1 ||
	    fail "build FROM $img: $(cat "$T/out")"
	[ "$(cat "$T/rootfs/again")" = zz ] || fail "FROM $img: $(ls "$T/rootfs")"
done
echo ok
