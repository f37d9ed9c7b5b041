#!/bin/sh
# fuzz-dockerfile.sh: make check (--enable-fuzz) runs the clang libFuzzer build of the Dockerfile parser over its corpus, then fuzzes it briefly.
b=${KILN_BUILDDIR:-.}
s=${KILN_SRCDIR:-.}
fuzzer=$b/tests/fuzz/fuzz-dockerfile
[ -x "$fuzzer" ] || exit 77
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# new inputs go to the first directory, never into the checked-in corpus;
# the dictionary steers it to keywords, flags and expansions
"$fuzzer" -max_total_time="${KILN_FUZZ_SECONDS:-5}" -max_len=4096 \
	-dict="$s/tests/fuzz/dockerfile.dict" \
	-artifact_prefix="$tmp/" "$tmp" "$s/tests/fuzz/corpus/dockerfile" \
	>"$tmp/log" 2>&1
rc=$?
[ $rc = 0 ] || { tail -40 "$tmp/log"; for f in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-*; do
	[ -f "$f" ] && od -c "$f" | head -40; done; }
exit $rc
