# build-lib.sh: sourced by the build-*.sh tests after lib.sh: a base image made from busybox-static, and builds with their output kept.

command -v busybox >/dev/null || { echo "SKIP: busybox-static not installed"; exit 77; }

# import_base [NAME]: tests/tools/mkbase.sh's image, imported as NAME
# (kiln-busybox:latest by default)
import_base() {
	sh "$KILN_SRCDIR/tests/tools/mkbase.sh" "$T/base.oci" --name "${1:-kiln-busybox:latest}" \
	    >/dev/null 2>&1 || fail "mkbase.sh"
	kilnctl image import "$T/base.oci" >"$T/import" 2>&1 ||
	    fail "image import: $(cat "$T/import")"
	rm -rf "$T/base.oci"
}

# build_test_start [KILND FLAGS...]: what most build tests begin with: a
# private kilnd (--net=host, then the flags) with the base image, and $C,
# an empty context directory
build_test_start() {
	kiln_setup
	kiln_start --net=host "$@"
	import_base
	C=$T/ctx
	mkdir -p "$C"
}

# build [ARGS...]: kilnctl build --progress=plain ARGS, its output in $T/out,
# its status in $rc
build() {
	rc=0
	kilnctl build --progress=plain "$@" >"$T/out" 2>&1 || rc=$?
}

# build_ok ARGS...: the same, and the build must succeed
build_ok() {
	build "$@"
	[ "$rc" = 0 ] || fail "build $*: status $rc: $(tail -n 30 "$T/out")"
}

# ran STEP / cached STEP: the plain output shows the step (a pattern of
# its name) run, or taken from the cache
step_n() {
	awk -v s="$1" '/^#[0-9]+ \[/ && index($0, s) { sub(/^#/, "", $1); print $1; exit }' \
	    "$T/out"
}
ran() {
	n=$(step_n "$1")
	[ -n "$n" ] || fail "no step '$1' in: $(cat "$T/out")"
	grep -q "^#$n DONE " "$T/out" || fail "step '$1' did not run: $(cat "$T/out")"
}
cached() {
	n=$(step_n "$1")
	[ -n "$n" ] || fail "no step '$1' in: $(cat "$T/out")"
	grep -q "^#$n CACHED" "$T/out" || fail "step '$1' was not cached: $(cat "$T/out")"
}
