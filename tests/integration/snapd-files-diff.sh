#!/bin/sh
# snapd-files-diff.sh: a layer with whiteouts, an opaque dir, links and owners is applied through IMAGE_RESOLVE and diffed back with SNAP_DIFF; reproducible digests; IMAGE_CREATE, EXPORT_TAR, EXPORT_LOCAL.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-files-lib.sh"
kiln_setup
command -v busybox >/dev/null || { echo "SKIP: busybox-static not installed"; exit 77; }
O="$T/oci"
mkbase "$O" --layers 2

# the layer: removes etc/kiln-layer-2, makes home/user opaque, adds files
L="$T/layer"
mkdir -p "$L/etc" "$L/home/user" "$L/new/sub"
: >"$L/etc/.wh.kiln-layer-2"
: >"$L/home/user/.wh..wh..opq"
echo fresh >"$L/home/user/new.txt"
echo data >"$L/new/file"
ln "$L/new/file" "$L/new/hard"
ln -s file "$L/new/link"
chmod 0700 "$L/new/sub"
chmod 0755 "$L/etc" "$L/home" "$L/home/user" "$L/new"
(cd "$L" && tar --format=gnu --sort=name --numeric-owner --owner=0 --group=0 \
    --mtime=@100 --exclude=./new/sub -cf "$T/layer.tar" ./etc ./home ./new) || fail "tar"
(cd "$L" && tar --numeric-owner --owner=1000 --group=1000 --mtime=@100 \
    -rf "$T/layer.tar" ./new/sub) || fail "tar -r"

# an OCI image: the base's layers, then this one
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { wc -c <"$1" | tr -d ' '; }
B="$O/blobs/sha256"
lh=$(sha "$T/layer.tar")
cp "$T/layer.tar" "$B/$lh"
mh=$(jq -r '.manifests[0].digest' "$O/index.json" | cut -c8-)
ch=$(jq -r '.config.digest' "$B/$mh" | cut -c8-)
jq -c ".rootfs.diff_ids += [\"sha256:$lh\"]" "$B/$ch" >"$T/img-config"
nch=$(sha "$T/img-config")
cp "$T/img-config" "$B/$nch"
jq -c ".config.digest = \"sha256:$nch\" | .config.size = $(size "$T/img-config") |
    .layers += [{\"mediaType\": \"application/vnd.oci.image.layer.v1.tar\",
    \"digest\": \"sha256:$lh\", \"size\": $(size "$T/layer.tar")}]" "$B/$mh" >"$T/img-manifest"
nmh=$(sha "$T/img-manifest")
cp "$T/img-manifest" "$B/$nmh"
jq -c ".manifests[0].digest = \"sha256:$nmh\" | .manifests[0].size = $(size "$T/img-manifest")" \
    "$O/index.json" >"$T/img-index" && cp "$T/img-index" "$O/index.json"

kiln_start --test-hooks
kilnctl image import "$O" --name rt >/dev/null || fail "import"
fcall IMAGE_RESOLVE '["rt"]'
S=$(ffield 2)
fview "$S"
in_kiln "cd '$SPATH' && ls -a home/user etc new; stat -c '%a %u:%g %h %n' new/sub new/file" >"$T/applied" 2>&1 ||
    fail "$(cat "$T/applied")"
grep -q "kiln-layer-2\|\.profile\|\.wh\." "$T/applied" && fail "whiteouts not applied: $(cat "$T/applied")"
assert_grep "new.txt" "$T/applied"
assert_grep "^700 1000:1000 .* new/sub$" "$T/applied"
assert_grep "^644 0:0 2 new/file$" "$T/applied"
fcall SNAP_REMOVE "[\"$SID\"]"

# diff it back: the same entries, owners and modes as the layer had
fcall SNAP_DIFF "[\"$S\", \"none\", -1]"
diff_id=$(ffield 0)
blob=$(ffield 1)
[ "$diff_id" = "$blob" ] || fail "uncompressed: diff_id $diff_id, blob $blob"
[ "$(ffield 3)" = "application/vnd.oci.image.layer.v1.tar" ] || fail "media: $out"
bf="$XDG_DATA_HOME/kiln/snapd/blobs/sha256/${blob#sha256:}"
[ -f "$bf" ] || fail "no blob $bf"
[ "sha256:$(sha "$bf")" = "$blob" ] || fail "blob digest"
list() {
	tar --numeric-owner -tvf "$1" | awk '{ n = $6; for (i = 7; i <= NF; i++) n = n " " $i;
	    sub(/^\.\//, "", n); sub(/\/$/, "", n); sub(/link to \.\//, "link to ", n);
	    # whiteouts: their names are what counts
	    if (n ~ /(^|\/)\.wh\./) print "whiteout", n; else print $1, $2, n }' | sort
}
list "$T/layer.tar" >"$T/want"
list "$bf" >"$T/got"
diff "$T/want" "$T/got" >"$T/d" || fail "the diff is not the layer: $(cat "$T/d")"

# reproducible: the memo, and the same tree made twice with an epoch
fcall SNAP_DIFF "[\"$S\", \"gzip\", -1]"
g1=$(ffield 1)
[ "$(ffield 0)" = "$diff_id" ] || fail "gzip changed the diff_id: $out"
[ "$(ffield 3)" = "application/vnd.oci.image.layer.v1.tar+gzip" ] || fail "media: $out"
fcall SNAP_DIFF "[\"$S\", \"gzip\", -1]"
[ "$(ffield 1)" = "$g1" ] || fail "the same diff twice: $out"
mkdir "$T/ctx" && echo same >"$T/ctx/f"
for i in 1 2; do
	fprepare ""
	fcall SNAP_COPY "[\"$SID\", \"/d/\", [\"f\"], [], \"\", -1, -1, \"\", 0, -1]" --fd-dir "$T/ctx"
	fcommit "$SID"
	eval "c$i=\$SID"
	touch "$T/ctx/f"
done
fcall SNAP_DIFF "[\"$c1\", \"zstd\", 1000]"
z1=$(ffield 1)
fcall SNAP_DIFF "[\"$c2\", \"zstd\", 1000]"
[ "$(ffield 1)" = "$z1" ] || fail "same tree, same epoch, another digest: $z1 / $out"
fcall SNAP_DIFF "[\"$c2\", \"zstd\", -1]"
[ "$(ffield 1)" != "$z1" ] || fail "without the epoch the times should differ"

# IMAGE_CREATE names it; IMAGE_RESOLVE finds the same snapshot
layers=$(jq -c '[.layers[] | [.digest, .size, .mediaType]]' "$T/img-manifest")
cfg=$(jq -c . "$T/img-config" | jq -R .)
fcall IMAGE_CREATE "[\"made:1\", $cfg, $layers, \"$S\"]"
made=$(ffield 0)
case $made in sha256:*) ;; *) fail "IMAGE_CREATE: $out" ;; esac
kilnctl images | grep -q "^made:1 " || fail "made:1 not listed"
fcall IMAGE_RESOLVE '["made:1"]'
[ "$(ffield 2)" = "$S" ] || fail "made:1 resolved to another chain: $out"
fcall_err IMAGE_CREATE "[\"bad\", \"{}\", [[\"sha256:$(printf '%064d' 0)\", 1, \"application/vnd.oci.image.layer.v1.tar\"]], \"\"]"

# exports
fcall EXPORT_TAR "[\"$S\"]" --fd-write "$T/export.tar"
tar -tf "$T/export.tar" >"$T/names" || fail "export tar unreadable"
assert_grep "^bin/busybox$" "$T/names"
assert_grep "^home/user/new.txt$" "$T/names"
grep -q "kiln-layer-2\|\.wh\.\|\.profile" "$T/names" && fail "export has removed files"
mkdir "$T/out"
fcall EXPORT_LOCAL "[\"$S\"]" --fd-dir "$T/out"
[ -x "$T/out/bin/busybox" ] || fail "EXPORT_LOCAL: no busybox"
[ "$(cat "$T/out/home/user/new.txt")" = fresh ] || fail "EXPORT_LOCAL: new.txt"
[ ! -e "$T/out/etc/kiln-layer-2" ] || fail "EXPORT_LOCAL: removed file exported"
[ "$(stat -c %u "$T/out/new/sub")" = "$(id -u)" ] || fail "EXPORT_LOCAL: not owned by the user"
[ "$(stat -c %a "$T/out/new/sub")" = 700 ] || fail "EXPORT_LOCAL: mode"

kiln_stop
echo ok
