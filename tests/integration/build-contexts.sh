#!/bin/sh
# build-contexts.sh: --build-context NAME=DIR, =docker-image://REF and =oci-layout://PATH[:TAG] for COPY --from, RUN --mount from= and FROM; cached steps shown in order; build --help without a daemon.
. "$KILN_SRCDIR/tests/integration/lib.sh"
. "$KILN_SRCDIR/tests/integration/build-lib.sh"
kiln_setup
# help needs no daemon
kilnctl build --help >"$T/help" || fail "build --help without a daemon"
assert_grep "^usage: kilnctl build" "$T/help"
kiln_start --net=host
import_base
C=$T/ctx
mkdir -p "$C" "$T/extra"
echo "from the named dir" >"$T/extra/note"
sh "$KILN_SRCDIR/tests/tools/mkbase.sh" "$T/layout" --layers 2 --name other/base:v2 >/dev/null ||
	fail "mkbase.sh"
cat >"$C/Dockerfile" <<'DF'
FROM base
COPY --from=extra /note /note
RUN --mount=from=extra,target=/x cat /x/note; cat /etc/kiln-layer-2
RUN --mount=from=alias,target=/a test -e /a/bin/busybox && echo alias is an image
DF
build_ok --build-context extra="$T/extra" --build-context base=oci-layout://"$T/layout":v2 \
    --build-context alias=docker-image://kiln-busybox "$C"
assert_grep "from the named dir" "$T/out"
assert_grep "layer 2" "$T/out"
assert_grep "alias is an image" "$T/out"
kilnctl images >"$T/images"
assert_grep "^other/base:v2 " "$T/images"

# a layout without the tag asked for
build --build-context base=oci-layout://"$T/layout":nope "$C"
[ "$rc" != 0 ] || fail "a missing tag built"
assert_grep "has no image tagged nope" "$T/out"

# all cached, reported in the steps' order
build_ok --build-context extra="$T/extra" --build-context base=oci-layout://"$T/layout":v2 \
    --build-context alias=docker-image://kiln-busybox "$C"
grep '^#[0-9]* CACHED' "$T/out" | sed 's/^#\([0-9]*\).*/\1/' >"$T/order"
sort -n "$T/order" | cmp -s - "$T/order" || fail "cached steps out of order: $(cat "$T/out")"
kiln_stop
echo ok
