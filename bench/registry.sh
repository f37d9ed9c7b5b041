#!/bin/sh
# registry.sh: pull and push of a ~100 MiB, 5-layer image with a local docker-registry, kiln against skopeo; and kilnctl save (type=oci) against tar -c of the rootfs.
# Usage (as an unprivileged user): KILN_BUILDDIR=/tmp/build-bench-rel sh bench/registry.sh [runs] [MiB per layer]
# KILN_BENCH_REGISTRY: words added to kilnd.conf's registry line, e.g.
# ",chunk-size=8MiB" to push in chunks.
set -eu

: "${KILN_BUILDDIR:?the build directory (configure without --enable-sanitizers)}"
RUNS=${1:-5}
MIB=${2:-20}
KILND="$KILN_BUILDDIR/kilnd"
KILNCTL="$KILN_BUILDDIR/kilnctl"

if [ "$(id -u)" = 0 ]; then
	echo "registry.sh: run as an unprivileged user (e.g. runuser -u kiln-test --)" >&2
	exit 2
fi
for p in docker-registry skopeo curl sha256sum; do
	command -v $p >/dev/null || { echo "registry.sh: no $p (scripts/deps.sh)" >&2; exit 2; }
done
grep -q '^SAN_CFLAGS = -fsanitize' "$KILN_BUILDDIR/Makefile" 2>/dev/null &&
	echo "registry.sh: warning: $KILN_BUILDDIR is a sanitizer build; figures will be high" >&2

W=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT

ms() { echo $(($(date +%s%N) / 1000000)); }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# The image: 5 layers of $MIB MiB of random bytes each (gzip cannot shrink
# them), as an OCI layout in $W/img.
make_image() {
	mkdir -p "$W/img/blobs/sha256" "$W/layers"
	ls= ids=
	for k in 1 2 3 4 5; do
		mkdir -p "$W/layers/$k/data"
		head -c "$((MIB * 1024 * 1024))" /dev/urandom >"$W/layers/$k/data/blob$k"
		tar --sort=name --mtime=@0 --owner=0 --group=0 -C "$W/layers/$k" -cf "$W/l.tar" data
		ids="$ids${ids:+,}\"sha256:$(sha "$W/l.tar")\""
		gzip -1 -n <"$W/l.tar" >"$W/l.tgz"
		h=$(sha "$W/l.tgz")
		ls="$ls${ls:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$h\",\"size\":$(stat -c %s "$W/l.tgz")}"
		mv "$W/l.tgz" "$W/img/blobs/sha256/$h"
	done
	printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
	    "$ids" >"$W/c.json"
	ch=$(sha "$W/c.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
	    "$ch" "$(stat -c %s "$W/c.json")" "$ls" >"$W/m.json"
	mv "$W/c.json" "$W/img/blobs/sha256/$ch"
	mh=$(sha "$W/m.json")
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' \
	    "$mh" "$(stat -c %s "$W/m.json")" >"$W/img/index.json"
	mv "$W/m.json" "$W/img/blobs/sha256/$mh"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$W/img/oci-layout"
}

# A registry with its own empty storage: reg NAME -> prints its address.
reg() {
	d=$W/reg-$1
	rm -rf "$d"
	mkdir -p "$d/data"
	for try in 1 2 3 4 5; do
		port=$(shuf -i 20000-60000 -n 1)
		printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
		    "$d/data" "$port" >"$d/config.yml"
		docker-registry serve "$d/config.yml" >"$d/log" 2>&1 &
		echo $! >"$d/pid"
		n=50
		while [ $n -gt 0 ]; do
			curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && { echo "127.0.0.1:$port"; return 0; }
			sleep 0.1
			n=$((n - 1))
		done
		kill -KILL "$(cat "$d/pid")" 2>/dev/null || true
	done
	echo "registry.sh: docker-registry did not start" >&2
	exit 1
}
reg_stop() { kill -KILL "$(cat "$W/reg-$1/pid")" 2>/dev/null || true; }

# kilnd with an empty store each time
kiln_up() {
	[ -n "${KPID:-}" ] && { kill -TERM "$KPID"; wait "$KPID" 2>/dev/null || true; }
	rm -rf "$W/k"
	mkdir -p -m 700 "$W/k/run" "$W/k/data" "$W/k/config/kiln"
	echo "registry = 127.0.0.1,http${KILN_BENCH_REGISTRY:-}" >"$W/k/config/kiln/kilnd.conf"
	export XDG_RUNTIME_DIR="$W/k/run" XDG_DATA_HOME="$W/k/data" XDG_CONFIG_HOME="$W/k/config"
	export KILN_HELPER_DIR="$KILN_BUILDDIR" KILN_ADDR="$W/k/run/kiln/kilnd.sock"
	export DOCKER_CONFIG="$W/docker"
	"$KILND" --net=host >"$W/kilnd.log" 2>&1 &
	KPID=$!
	PIDS="$PIDS $KPID"
	n=200
	until "$KILNCTL" info 2>/dev/null | grep -q 'kiln-netd .* ready'; do
		sleep 0.1
		n=$((n - 1))
		[ $n -gt 0 ] || { tail "$W/kilnd.log" >&2; exit 1; }
	done
	"$KILNCTL" info 2>/dev/null | grep -q 'kiln-snapd .* ready' || sleep 1
}

median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

make_image
SRC=$(reg src)
PIDS="$PIDS $(cat "$W/reg-src/pid")"
skopeo copy -q --dest-tls-verify=false "oci:$W/img:bench" "docker://$SRC/bench/img:1"
size=$(du -sm "$W/img/blobs" | cut -f1)
echo "image: 5 layers, $size MiB of blobs; $RUNS runs each, median ms"

for i in $(seq "$RUNS"); do
	kiln_up
	t=$(ms); "$KILNCTL" pull -q "$SRC/bench/img:1" >/dev/null; echo $(($(ms) - t)) >>"$W/kiln-pull"
	rm -rf "$W/sk"
	t=$(ms); skopeo copy -q --src-tls-verify=false "docker://$SRC/bench/img:1" "oci:$W/sk:x"
	echo $(($(ms) - t)) >>"$W/skopeo-pull"

	DST=$(reg dst)
	t=$(ms); "$KILNCTL" push -q "$SRC/bench/img:1" "$DST/bench/img:1" >/dev/null
	echo $(($(ms) - t)) >>"$W/kiln-push"
	reg_stop dst
	DST=$(reg dst)
	t=$(ms); skopeo copy -q --dest-tls-verify=false "oci:$W/img:bench" "docker://$DST/bench/img:1"
	echo $(($(ms) - t)) >>"$W/skopeo-push"
	reg_stop dst

	rm -f "$W/save.tar" "$W/rootfs.tar"
	t=$(ms); "$KILNCTL" save -o "$W/save.tar" "$SRC/bench/img:1"; echo $(($(ms) - t)) >>"$W/kiln-save"
	t=$(ms); tar -cf "$W/rootfs.tar" -C "$W/layers" .; echo $(($(ms) - t)) >>"$W/tar-c"
done

printf '%-44s %8s\n' "pull: kilnctl pull (empty store)" "$(median <"$W/kiln-pull")"
printf '%-44s %8s\n' "pull: skopeo copy docker:// oci:" "$(median <"$W/skopeo-pull")"
printf '%-44s %8s\n' "push: kilnctl push (empty registry)" "$(median <"$W/kiln-push")"
printf '%-44s %8s\n' "push: skopeo copy oci: docker://" "$(median <"$W/skopeo-push")"
printf '%-44s %8s\n' "export: kilnctl save (type=oci tar)" "$(median <"$W/kiln-save")"
printf '%-44s %8s\n' "export: tar -c of the rootfs" "$(median <"$W/tar-c")"
