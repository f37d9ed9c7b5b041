#!/bin/sh
# build-copy-xattr.sh: COPY keeps the user.* xattrs of files and directories of the context (as Docker does), and security.capability where the user namespace allows; they reach the layer, the local output and an incremental COPY's new files.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
kiln_setup
C=$T/ctx
mkdir -p "$C/d"
echo data >"$C/d/f"
echo plain >"$C/d/g"
setx() {
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())' "$@"
}
setx "$C/d/f" user.kiln.test "file value" 2>/dev/null ||
    { echo "SKIP: no user xattrs on $T"; exit 77; }
setx "$C/d" user.kiln.dir "dir value"
cap=0
if command -v setcap >/dev/null && unshare -Ur setcap cap_net_raw+ep "$C/d/g" 2>/dev/null; then
	cap=1
fi
kiln_start --net=host
import_base
printf 'FROM kiln-busybox\nCOPY d/ /app/d/\n' >"$T/Dockerfile"

# the xattrs of the last layer's entries in an OCI archive: "path name value"
layer_xattrs() {
	python3 - "$1" <<'PY'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
idx = json.load(t.extractfile("index.json"))
m = json.load(t.extractfile("blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
layer = t.extractfile("blobs/sha256/" + m["layers"][-1]["digest"][7:])
for e in tarfile.open(fileobj=layer, mode="r:gz"):
    for k, v in sorted(e.pax_headers.items()):
        if k.startswith("SCHILY.xattr."):
            print(e.name, k[13:], v if k[13:].startswith("user.") else "set")
PY
}

build_ok -f "$T/Dockerfile" --output "type=oci,dest=$T/a.tar" "$C"
layer_xattrs "$T/a.tar" >"$T/x" || fail "reading the layer"
assert_grep "^app/d/f user.kiln.test file value$" "$T/x"
assert_grep "^app/d/\? user.kiln.dir dir value$" "$T/x"
[ "$cap" = 0 ] || assert_grep "^app/d/g security.capability set$" "$T/x"

# the local output is made by the same copy
mkdir "$T/rootfs"
build_ok -f "$T/Dockerfile" --output "type=local,dest=$T/rootfs" "$C"
python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.kiln.test").decode())' \
    "$T/rootfs/app/d/f" >"$T/v" || fail "no xattr in the local output"
assert_grep "^file value$" "$T/v"

# an incremental COPY: a new file keeps its xattr, the kept one too
echo new >"$C/d/h"
setx "$C/d/h" user.kiln.new "new value"
build_ok -f "$T/Dockerfile" --output "type=oci,dest=$T/b.tar" "$C"
assert_grep "incremental COPY into .* written" "$T/kilnd.log"
layer_xattrs "$T/b.tar" >"$T/x" || fail "reading the layer"
assert_grep "^app/d/h user.kiln.new new value$" "$T/x"
assert_grep "^app/d/f user.kiln.test file value$" "$T/x"
assert_grep "^app/d/\? user.kiln.dir dir value$" "$T/x"
kiln_stop
