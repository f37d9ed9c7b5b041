#!/bin/sh
# mkbase.sh: makes a busybox-static base image as an OCI layout (dir or tar) or a `docker save` tar, with no network.
#
# usage: tests/tools/mkbase.sh OUT [--format oci|oci-tar|docker] [--layers N]
#            [--name REF] [--compress gzip|zstd|none] [--busybox PATH]
#
#   OUT         oci: a directory (created; must not exist or be empty);
#               oci-tar, docker: the tar file to write.
#   --format    oci (default): an OCI image layout directory
#               (oci-layout, index.json, blobs/sha256/...);
#               oci-tar: the same layout as one tar;
#               docker: what `docker save` writes (manifest.json,
#               repositories, <id>.json config, <id>/layer.tar).
#   --layers N  1 (default): the busybox rootfs alone; each further layer
#               adds /etc/kiln-layer-K (content "layer K") over it.
#   --name REF  the image's name, default kiln-busybox:latest (the
#               index.json annotations io.containerd.image.name and
#               org.opencontainers.image.ref.name, or RepoTags).
#   --compress  OCI layers' compression, default gzip (docker: always none).
#   --busybox   the static busybox to use, default the one on $PATH.
#
# The rootfs of layer 1: /bin/busybox and a symlink per applet, /bin/sh
# among them, /etc/passwd and /etc/group (root and user 1000), /etc/shadow
# (0640), /root (0700), /tmp (1777), /home/user owned by 1000:1000 with a
# file .profile (0600, 1000:1000), /usr/bin/env as a hardlink of busybox.
# Everything else is owned by 0:0. Times are SOURCE_DATE_EPOCH (default 0),
# so the same busybox gives the same digests. Digests: sha256sum.
set -eu

usage() {
	echo "usage: mkbase.sh OUT [--format oci|oci-tar|docker] [--layers N] [--name REF] [--compress gzip|zstd|none] [--busybox PATH]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
out=$1
shift
format=oci
layers=1
name=kiln-busybox:latest
compress=gzip
bb=$(command -v busybox || true)
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--format) format=$2 ;;
	--layers) layers=$2 ;;
	--name) name=$2 ;;
	--compress) compress=$2 ;;
	--busybox) bb=$2 ;;
	*) usage ;;
	esac
	shift 2
done
case $format in oci|oci-tar|docker) ;; *) usage ;; esac
case $compress in gzip|zstd|none) ;; *) usage ;; esac
case $layers in ''|*[!0-9]*) usage ;; esac
[ "$layers" -ge 1 ] || usage
[ -n "$bb" ] && [ -x "$bb" ] || { echo "mkbase.sh: no busybox (install busybox-static)" >&2; exit 1; }
[ "$format" = docker ] && compress=none
epoch=${SOURCE_DATE_EPOCH:-0}

work=$(mktemp -d "${TMPDIR:-/tmp}/mkbase.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/blobs"

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { wc -c <"$1" | tr -d ' '; }
TAR="tar --format=gnu --sort=name --numeric-owner --mtime=@$epoch"

# The rootfs of layer 1 as $work/layer1.tar.
make_rootfs() {
	r=$work/rootfs
	mkdir -p "$r/bin" "$r/etc" "$r/root" "$r/tmp" "$r/usr/bin" "$r/home/user"
	cp "$bb" "$r/bin/busybox"
	chmod 0755 "$r/bin/busybox"
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	rm -f "$r/usr/bin/env" "$r/bin/env"
	ln "$r/bin/busybox" "$r/usr/bin/env"
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\nuser:x:1000:\n' >"$r/etc/group"
	printf 'root:*:0:0:99999:7:::\nuser:*:0:0:99999:7:::\n' >"$r/etc/shadow"
	echo 'export PS1="$ "' >"$r/home/user/.profile"
	chmod 0644 "$r/etc/passwd" "$r/etc/group"
	chmod 0640 "$r/etc/shadow"
	chmod 0700 "$r/root"
	chmod 1777 "$r/tmp"
	chmod 0755 "$r/bin" "$r/etc" "$r/usr" "$r/usr/bin" "$r/home" "$r/home/user"
	chmod 0600 "$r/home/user/.profile"
	(cd "$r" && $TAR --owner=0 --group=0 --exclude=./home/user \
	    -cf "$work/layer1.tar" .)
	(cd "$r" && $TAR --owner=1000 --group=1000 -rf "$work/layer1.tar" \
	    ./home/user)
}

make_layer() {
	k=$1
	d=$work/l$k
	mkdir -p "$d/etc"
	echo "layer $k" >"$d/etc/kiln-layer-$k"
	chmod 0644 "$d/etc/kiln-layer-$k"
	chmod 0755 "$d/etc"
	(cd "$d" && $TAR --owner=0 --group=0 -cf "$work/layer$k.tar" ./etc)
}

# Moves FILE into blobs/ under its digest; prints the digest's hex.
to_blob() {
	h=$(sha "$1")
	mv "$1" "$work/blobs/$h"
	echo "$h"
}

make_rootfs
k=2
while [ "$k" -le "$layers" ]; do
	make_layer "$k"
	k=$((k + 1))
done

case $compress in
gzip) ext=.gz; lmt=application/vnd.oci.image.layer.v1.tar+gzip ;;
zstd) ext=.zst; lmt=application/vnd.oci.image.layer.v1.tar+zstd ;;
none) ext=; lmt=application/vnd.oci.image.layer.v1.tar ;;
esac

diff_ids=
mlayers=
k=1
while [ "$k" -le "$layers" ]; do
	t=$work/layer$k.tar
	diff_ids="$diff_ids${diff_ids:+,}\"sha256:$(sha "$t")\""
	case $compress in
	gzip) gzip -n -9 <"$t" >"$t$ext" ;;
	zstd) zstd -q -19 <"$t" >"$t$ext" ;;
	esac
	[ "$format" = docker ] || {
		s=$(size "$t$ext")
		h=$(to_blob "$t$ext")
		mlayers="$mlayers${mlayers:+,}{\"mediaType\":\"$lmt\",\"digest\":\"sha256:$h\",\"size\":$s}"
	}
	k=$((k + 1))
done

date=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
printf '{"architecture":"amd64","os":"linux","created":"%s","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[{"created":"%s","created_by":"tests/tools/mkbase.sh"}]}' \
    "$date" "$diff_ids" "$date" >"$work/config.json"

oci_layout() {
	dst=$1
	cs=$(size "$work/config.json")
	ch=$(to_blob "$work/config.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
	    "$ch" "$cs" "$mlayers" >"$work/manifest.json"
	ms=$(size "$work/manifest.json")
	mh=$(to_blob "$work/manifest.json")
	mkdir -p "$dst/blobs/sha256"
	mv "$work"/blobs/* "$dst/blobs/sha256/"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$dst/oci-layout"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
	    "$mh" "$ms" "$name" "$name" >"$dst/index.json"
}

docker_save() {
	dst=$1
	ch=$(sha "$work/config.json")
	mv "$work/config.json" "$dst/$ch.json"
	ls=
	k=1
	while [ "$k" -le "$layers" ]; do
		id=$(printf '%s %s' "$ch" "$k" | sha256sum | cut -d' ' -f1)
		mkdir "$dst/$id"
		mv "$work/layer$k.tar" "$dst/$id/layer.tar"
		echo 1.0 >"$dst/$id/VERSION"
		printf '{"id":"%s"}' "$id" >"$dst/$id/json"
		ls="$ls${ls:+,}\"$id/layer.tar\""
		k=$((k + 1))
	done
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' "$ch" "$name" "$ls" >"$dst/manifest.json"
	repo=${name%:*}
	tag=${name##*:}
	[ "$repo" != "$name" ] || tag=latest
	printf '{"%s":{"%s":"%s"}}' "$repo" "$tag" "${id:-}" >"$dst/repositories"
}

case $format in
oci)
	mkdir -p "$out"
	[ -z "$(ls -A "$out")" ] || { echo "mkbase.sh: $out is not empty" >&2; exit 1; }
	oci_layout "$out"
	;;
oci-tar)
	mkdir "$work/out"
	oci_layout "$work/out"
	(cd "$work/out" && $TAR --owner=0 --group=0 -cf - .) >"$out"
	;;
docker)
	mkdir "$work/out"
	docker_save "$work/out"
	(cd "$work/out" && $TAR --owner=0 --group=0 -cf - .) >"$out"
	;;
esac
