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
