#!/bin/sh
# snapd-files-image.sh: kilnctl image import of an OCI layout, an OCI tar and a docker-save tar made from busybox-static; images, rm; IMAGE_RESOLVE unpacks the layers once, owners and modes as in the image.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/snapd-files-lib.sh"
kiln_setup
command -v busybox >/dev/null || { echo "SKIP: busybox-static not installed"; exit 77; }
mkbase "$T/oci" --layers 2
mkbase "$T/oci.tar" --format oci-tar --compress zstd --name zbox:1
mkbase "$T/docker.tar" --format docker --layers 3 --name library/dbox:2

kiln_start --test-hooks

# first (before its blobs are in the store): a blob whose content does not match its digest
cp -r "$T/oci" "$T/bad"
cfg=$(jq -r '.manifests[0].digest' "$T/bad/index.json" | cut -c8-)
l=$(jq -r '.layers[0].digest' "$T/bad/blobs/sha256/$cfg" | cut -c8-)
chmod u+w "$T/bad/blobs/sha256/$l"
echo garbage >>"$T/bad/blobs/sha256/$l"
kilnctl image import "$T/bad" --name bad >"$T/err" 2>&1 && fail "a corrupt blob imported"
assert_grep "does not match its digest" "$T/err"

# a forged config: its first diff_id is not its first layer's uncompressed
# digest; applying it fails naming both, and leaves no snapshot
cp -r "$T/oci" "$T/forged"
chmod -R u+w "$T/forged"
blob() { echo "$T/forged/blobs/sha256/$(echo "$1" | cut -c8-)"; }
man=$(jq -r '.manifests[0].digest' "$T/forged/index.json")
cfg=$(jq -r '.config.digest' "$(blob "$man")")
right=$(jq -r '.rootfs.diff_ids[0]' "$(blob "$cfg")")
wrong=sha256:$(echo forged | sha256sum | cut -c1-64)
jq -c ".rootfs.diff_ids[0] = \"$wrong\"" "$(blob "$cfg")" >"$T/f.cfg"
cfg=sha256:$(sha256sum "$T/f.cfg" | cut -c1-64)
cp "$T/f.cfg" "$(blob "$cfg")"
jq -c ".config.digest = \"$cfg\" | .config.size = $(stat -c %s "$T/f.cfg")" "$(blob "$man")" >"$T/f.man"
man=sha256:$(sha256sum "$T/f.man" | cut -c1-64)
cp "$T/f.man" "$(blob "$man")"
jq -c ".manifests[0].digest = \"$man\" | .manifests[0].size = $(stat -c %s "$T/f.man")" \
    "$T/oci/index.json" >"$T/forged/index.json"
kilnctl image import "$T/forged" --name forged >"$T/imp" 2>&1 || fail "import forged: $(cat "$T/imp")"
kilnctl du >"$T/du0" 2>&1 || fail "du: $(cat "$T/du0")"
fcall_err IMAGE_RESOLVE '["forged"]'
case $out in *"$right"*"$wrong"*"rootfs.diff_ids"*) ;; *) fail "a forged diff_id: $out" ;; esac
kilnctl du >"$T/du1" 2>&1 || fail "du: $(cat "$T/du1")"
[ "$(grep -c . "$T/du1")" = "$(grep -c . "$T/du0")" ] || fail "a forged layer left: $(cat "$T/du1")"
kilnctl image rm forged >/dev/null 2>&1 || fail "image rm forged"


kilnctl image import "$T/oci" >"$T/imp" 2>&1 || fail "import oci dir: $(cat "$T/imp")"
assert_grep "^kiln-busybox:latest sha256:" "$T/imp"
want=$(jq -r '.manifests[0].digest' "$T/oci/index.json")
assert_grep "$want" "$T/imp"
kilnctl image import "$T/oci.tar" >"$T/imp" 2>&1 || fail "import oci tar: $(cat "$T/imp")"
assert_grep "^zbox:1 sha256:" "$T/imp"
kilnctl image import "$T/docker.tar" >"$T/imp" 2>&1 || fail "import docker tar: $(cat "$T/imp")"
assert_grep "^library/dbox:2 sha256:" "$T/imp"
kilnctl image import "$T/docker.tar" --name renamed >"$T/imp" 2>&1 || fail "import --name"
assert_grep "^renamed:latest " "$T/imp"

kilnctl images >"$T/list" || fail "images"
for n in kiln-busybox:latest zbox:1 library/dbox:2 renamed:latest; do
	assert_grep "^$n " "$T/list"
done
assert_grep "^NAME " "$T/list"

# bad sources: a clear error each
echo "not an archive" >"$T/junk"
kilnctl image import "$T/junk" >"$T/err" 2>&1 && fail "junk imported"
assert_grep "not an OCI layout" "$T/err"
mkdir "$T/empty"
kilnctl image import "$T/empty" >"$T/err" 2>&1 && fail "an empty dir imported"
assert_grep "neither an index.json" "$T/err"
# hostile import archives, parsed in the jail: each refused, naming the
# member; nothing staged is left behind, no blob made of them
python3 - "$T" <<'PY'
import io, sys, tarfile
t = sys.argv[1]
def put(tf, name, data=b"x", size=None):
    ti = tarfile.TarInfo(name)
    ti.size = len(data) if size is None else size
    tf.addfile(ti, io.BytesIO(data) if size is None else None)
    if size is not None:
        tf.fileobj.write(data)   # a header promising more than follows
for kind, name in (("dotdot", "../x"), ("abs", "/abs/index.json")):
    with tarfile.open(f"{t}/{kind}.tar", "w", format=tarfile.USTAR_FORMAT) as tf:
        put(tf, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        put(tf, name)
with open(f"{t}/huge.tar", "wb") as f:
    tf = tarfile.open(fileobj=f, mode="w", format=tarfile.GNU_FORMAT)
    put(tf, "blobs/sha256/" + "a" * 64, b"y" * 1024, size=1 << 40)
    f.flush()
PY
head -c 20000 "$T/oci.tar" >"$T/cut.tar"
ls "$T/data/kiln/snapd/blobs/sha256" | sort >"$T/blobs0"
for k in dotdot:"archive member '../x': a path with '..'" \
    abs:"archive member '/abs/index.json': an absolute path, refused" \
    huge:"archive member blobs/sha256/aaaa.*runcated" cut:"runcated"; do
	kilnctl image import "$T/${k%%:*}.tar" --name hostile >"$T/err" 2>&1 &&
	    fail "${k%%:*}.tar imported"
	assert_grep "${k#*:}" "$T/err"
done
ls "$T/data/kiln/snapd/blobs/sha256" | sort >"$T/blobs1"
cmp -s "$T/blobs0" "$T/blobs1" || fail "hostile archives left blobs: $(diff "$T/blobs0" "$T/blobs1")"
[ -z "$(ls "$T/data/kiln/snapd/blobs/tmp")" ] || fail "staging left: $(ls "$T/data/kiln/snapd/blobs/tmp")"
kilnctl images | grep -q '^hostile' && fail "a hostile archive named an image"

# resolve: one snapshot per layer, the second time the same
fcall IMAGE_RESOLVE '["kiln-busybox"]'
top=$(ffield 2)
[ "$(ffield 0)" = "$want" ] || fail "resolved digest: $out"
ffield 1 | jq -e '.config.Cmd[0] == "sh"' >/dev/null || fail "config: $out"
case $top in s[0-9]*) ;; *) fail "top snapshot: $out" ;; esac
fcall IMAGE_RESOLVE '["kiln-busybox:latest"]'
[ "$(ffield 2)" = "$top" ] || fail "second resolve made a new chain: $out"
fcall IMAGE_RESOLVE "[\"$want\"]"
[ "$(ffield 2)" = "$top" ] || fail "resolve by digest: $out"
fcall_err IMAGE_RESOLVE '["nosuch"]'
case $out in *"no image 'nosuch'"*) ;; *) fail "missing image: $out" ;; esac

# the tree, as a RUN step would see it
fview "$top"
in_kiln "ls -ln '$SPATH/home' '$SPATH/etc/shadow' '$SPATH/etc/kiln-layer-2';
    stat -c '%a %u:%g %n' '$SPATH/tmp' '$SPATH/root' '$SPATH/home/user/.profile';
    readlink '$SPATH/bin/sh'; stat -c %h '$SPATH/bin/busybox'" >"$T/tree" 2>&1 ||
    fail "looking at the view: $(cat "$T/tree")"
assert_grep "1000 *1000 .* user" "$T/tree"
assert_grep "^-rw-r----- .* 0 *0 .*shadow" "$T/tree"
assert_grep "kiln-layer-2" "$T/tree"
assert_grep "^1777 0:0 .*/tmp" "$T/tree"
assert_grep "^700 0:0 .*/root" "$T/tree"
assert_grep "^600 1000:1000 .*/.profile" "$T/tree"
assert_grep "^busybox$" "$T/tree"
assert_grep "^2$" "$T/tree"
in_kiln "'$SPATH/bin/busybox' true" || fail "busybox in the image does not run"
fcall SNAP_REMOVE "[\"$SID\"]"

# docker-save layers share nothing with the OCI one (other tars), but
# two names of one archive share the chain
fcall IMAGE_RESOLVE '["library/dbox:2"]'
d1=$(ffield 2)
fcall IMAGE_RESOLVE '["renamed"]'
[ "$(ffield 2)" = "$d1" ] || fail "same layers, another chain: $out"
fview "$d1"
in_kiln "cat '$SPATH/etc/kiln-layer-3'" >"$T/l3" || fail "layer 3 missing"
assert_grep "layer 3" "$T/l3"
fcall SNAP_REMOVE "[\"$SID\"]"
fcall IMAGE_RESOLVE '["zbox:1"]'

kilnctl image rm renamed >/dev/null || fail "image rm"
kilnctl images >"$T/list"
grep -q "^renamed" "$T/list" && fail "renamed still listed"
kilnctl image rm renamed >"$T/err" 2>&1 && fail "removed twice"
assert_grep "no image 'renamed'" "$T/err"
fcall IMAGE_RESOLVE '["library/dbox:2"]'

kiln_stop
echo ok
