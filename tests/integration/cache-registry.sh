#!/bin/sh
# cache-registry.sh: --cache-to type=registry (mode=max) and type=inline, --cache-from type=registry between two daemons through Debian's docker-registry: a fresh daemon rebuilds with every step cached, pulling only the record its result needs; a changed file misses from its step on; an unreachable cache only warns.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/registry-lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"

reg_start plain
R=$REG_ADDR
reg_push_base "$R/kiln/busybox:latest"
mkdir -p "$XDG_CONFIG_HOME/kiln" "$T/c"
echo "registry = 127.0.0.1,http" >"$XDG_CONFIG_HOME/kiln/kilnd.conf"
export DOCKER_CONFIG="$T/docker"
kiln_start

cat >"$T/c/Dockerfile" <<EOF
FROM $R/kiln/busybox AS builder
RUN echo built > /artifact && head -c 65536 /dev/urandom > /big
FROM $R/kiln/busybox
RUN echo one > /one
COPY f /f
COPY --from=builder /artifact /artifact
RUN cat /f /artifact > /two
EOF
echo v1 >"$T/c/f"
build_ok --cache-to "type=registry,ref=$R/kiln/cache:max,mode=max" --cache-to type=inline \
    -t "$R/kiln/app:1" --push "$T/c"
# skopeo reads both: the cache's document, and the image's inline records
skopeo inspect --tls-verify=false --config --raw "docker://$R/kiln/cache:max" >"$T/doc.json" \
    2>"$T/err" || fail "skopeo cannot read the cache: $(cat "$T/err")"
[ "$(jq '."kiln.cache.v1".records | length' "$T/doc.json")" = 5 ] ||
    fail "max records: $(cat "$T/doc.json")"
skopeo inspect --tls-verify=false --config --raw "docker://$R/kiln/app:1" >"$T/img.json" \
    2>"$T/err" || fail "skopeo cannot read the image: $(cat "$T/err")"
[ "$(jq '."kiln.cache.v1".records | length' "$T/img.json")" = 4 ] ||
    fail "inline records: $(cat "$T/img.json")"
kilnctl images >"$T/images"
grep -q "^sha256:" "$T/images" && fail "record images left in the store: $(cat "$T/images")"
for d in $(jq -r '."kiln.cache.v1".records[].image' "$T/doc.json" "$T/img.json"); do
	skopeo inspect --tls-verify=false --raw "docker://$R/kiln/cache@$d" >/dev/null 2>&1 ||
	    skopeo inspect --tls-verify=false --raw "docker://$R/kiln/app@$d" >/dev/null 2>&1 ||
	    fail "record image $d is in neither repository"
done

fresh() {
	kiln_stop
	export XDG_DATA_HOME="$T/data-$1"
	mkdir -p -m 700 "$XDG_DATA_HOME"
	kiln_start
}

# a fresh daemon, an empty store: every step from the registry's cache,
# and only the result's record pulled
fresh reg
build_ok --cache-from "type=registry,ref=$R/kiln/cache:max" --output "type=local,dest=$T/rootfs" \
    "$T/c"
for s in "RUN echo built" "RUN echo one" "COPY f" "COPY --from=builder" "RUN cat"; do
	cached "$s"
done
[ "$(cat "$T/rootfs/two")" = "v1
built" ] || fail "the result: $(ls "$T/rootfs")"
[ "$(grep -c 'fetching record' "$T/kilnd.log")" = 1 ] ||
    fail "records fetched: $(grep 'fetching record' "$T/kilnd.log")"
# its config and the result's five layers at most (four when the base
# layer is the blob the FROM pulled, SNAP_DIFF_REUSE), never the builder's
grep -q "pulled [^ ]*kiln/cache@sha256:.*: \(5 blobs fetched, 1\|6 blobs fetched, 0\) present" \
    "$T/kilnd.log" || fail "the record's pull: $(grep 'pulled' "$T/kilnd.log")"
kilnctl images >"$T/images"
grep -q "@sha256:" "$T/images" && fail "pulled records left as images: $(cat "$T/images")"
# a changed file: from its step on; the builder stage's record now
echo v2 >"$T/c/f"
build_ok --cache-from "type=registry,ref=$R/kiln/cache:max" "$T/c"
cached "RUN echo one"
ran "COPY f"
ran "RUN cat"
n=$(step_n "RUN echo built")
grep -q "^#$n DONE" "$T/out" && fail "the builder step ran: $(cat "$T/out")"

# another fresh daemon: the image's inline records (a bare ref)
echo v1 >"$T/c/f"
fresh inline
build_ok --cache-from "$R/kiln/app:1" "$T/c"
for s in "RUN echo one" "COPY f" "COPY --from=builder" "RUN cat"; do
	cached "$s"
done
# unreachable and missing caches: warnings, the build goes on
build_ok --cache-from "type=registry,ref=127.0.0.1:9/none:1" \
    --cache-from "type=registry,ref=$R/kiln/none:1" "$T/c"
assert_grep "cache-from 127.0.0.1:9/none:1: .*building without it" "$T/out"
assert_grep "cache-from $R/kiln/none:1: .*building without it" "$T/out"
kiln_stop
