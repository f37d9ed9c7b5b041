#!/bin/sh
# cache-local.sh: --cache-to type=local (mode=max and min) and --cache-from type=local between two daemons: a fresh daemon with an empty store rebuilds with every step cached and fetches only the layers its result needs; a changed file misses from its step on; a missing source only warns.
. "$KILN_SRCDIR/tests/integration/lib.sh"
kiln_setup
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: no jq (scripts/deps.sh)"; exit 77; }
kiln_start
import_base

mkdir -p "$T/c"
cat >"$T/c/Dockerfile" <<'EOF'
FROM kiln-busybox AS builder
RUN echo built > /artifact && head -c 65536 /dev/urandom > /big
FROM kiln-busybox
RUN echo one > /one
COPY f /f
COPY --from=builder /artifact /artifact
RUN cat /f /artifact > /two
EOF
echo v1 >"$T/c/f"
build_ok --cache-to "type=local,dest=$T/cache,mode=max" \
    --cache-to "type=local,dest=$T/cmin" "$T/c"
for f in index.json oci-layout; do
	[ -f "$T/cache/$f" ] || fail "the cache has no $f: $(ls -R "$T/cache")"
done
# an OCI layout: its one image is the cache's document (kiln-cache.5)
skopeo inspect --raw "oci:$T/cache:cache" >"$T/root.json" 2>"$T/err" ||
    fail "skopeo cannot read the cache layout: $(cat "$T/err")"
cfg=$(jq -r .config.digest "$T/root.json" | sed 's/sha256://')
doc() { jq '."kiln.cache.v1"' "$1/blobs/sha256/$(jq -r .config.digest "$2" | sed 's/sha256://')"; }
doc "$T/cache" "$T/root.json" >"$T/doc.json"
[ "$(jq -r .mode "$T/doc.json")" = max ] || fail "mode: $(cat "$T/doc.json")"
# max: the five steps (FROM's image is no record); min: the target's chain
[ "$(jq '.records | length' "$T/doc.json")" = 5 ] || fail "max records: $(cat "$T/doc.json")"
skopeo inspect --raw "oci:$T/cmin:cache" >"$T/rmin.json" 2>&1 || fail "min: $(cat "$T/rmin.json")"
doc "$T/cmin" "$T/rmin.json" >"$T/dmin.json"
[ "$(jq '.records | length' "$T/dmin.json")" = 4 ] || fail "min records: $(cat "$T/dmin.json")"
for d in $(jq -r '.records[].image' "$T/doc.json"); do
	[ -f "$T/cache/blobs/sha256/${d#sha256:}" ] || fail "record image $d is not in the layout"
done
# the layers of the biggest record (the target) and the others' own
jq -r '(.records | max_by(.layers | length) | .layers) as $t |
    [.layers[$t[]].digest] | .[]' "$T/doc.json" | sort >"$T/need"
jq -r '.layers[].digest' "$T/doc.json" | sort | comm -23 - "$T/need" >"$T/unused"
[ -s "$T/unused" ] || fail "no layer is the builder stage's own: $(cat "$T/doc.json")"
# the record images served; the store does not keep them as images
kilnctl images >"$T/images"
grep -q "^sha256:" "$T/images" && fail "record images left in the store: $(cat "$T/images")"
[ "$cfg" != "" ] || fail "no config"

# a fresh daemon, an empty store: every step from the cache
kiln_stop
export XDG_DATA_HOME="$T/data-fresh"
mkdir -p -m 700 "$XDG_DATA_HOME"
kiln_start
import_base
build_ok --cache-from "type=local,src=$T/cache" --output "type=local,dest=$T/rootfs" "$T/c"
for s in "RUN echo built" "RUN echo one" "COPY f" "COPY --from=builder" "RUN cat"; do
	cached "$s"
done
[ "$(cat "$T/rootfs/two")" = "v1
built" ] || fail "the result: $(ls "$T/rootfs")"
kilnctl images >"$T/images"
grep -q "^sha256:" "$T/images" && fail "imported records left as images: $(cat "$T/images")"
# only the target's layers came; the builder stage's own did not (du
# shows 12 digits of a digest)
kilnctl du >"$T/du"
while read -r d; do
	grep -q "^$(echo "$d" | cut -c1-19) " "$T/du" &&
	    fail "fetched $d, which the result does not need"
done <"$T/unused"
while read -r d; do
	grep -q "^$(echo "$d" | cut -c1-19) " "$T/du" || fail "did not fetch $d: $(cat "$T/du")"
done <"$T/need"

# a changed file: the steps from it on miss; the others are the cache's,
# the builder stage's result among them (mode=max)
echo v2 >"$T/c/f"
build_ok --cache-from "type=local,src=$T/nowhere" --cache-from "type=local,src=$T/cache" \
    --output "type=local,dest=$T/rootfs2" "$T/c"
assert_grep "warning: --cache-from $T/nowhere" "$T/out"
cached "RUN echo one"
ran "COPY f"
ran "COPY --from=builder"
ran "RUN cat"
n=$(step_n "RUN echo built")
grep -q "^#$n RUN echo built" "$T/out" && fail "the builder step ran: $(cat "$T/out")"
[ "$(cat "$T/rootfs2/two")" = "v2
built" ] || fail "the changed result: $(cat "$T/rootfs2/two")"

# mode=min has no builder record: a fresh daemon runs the builder step
kiln_stop
export XDG_DATA_HOME="$T/data-min"
mkdir -p -m 700 "$XDG_DATA_HOME"
kiln_start
import_base
build_ok --cache-from "type=local,src=$T/cmin" "$T/c"
cached "RUN echo one"
ran "RUN echo built"
# not a cache: a warning, the build goes on
mkdir -p "$T/bad"
echo '{}' >"$T/bad/index.json"
build_ok --cache-from "type=local,src=$T/bad" "$T/c"
assert_grep "cache-from type=local: .*building without it" "$T/out"
kiln_stop
