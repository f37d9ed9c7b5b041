#!/bin/sh
# fuzz-cache-json.sh: make check (--enable-fuzz) runs the clang libFuzzer build of the build cache document harness over its corpus, then fuzzes it briefly.
b=${KILN_BUILDDIR:-.}
s=${KILN_SRCDIR:-.}
fuzzer=$b/tests/fuzz/fuzz-cache-json
[ -x "$fuzzer" ] || exit 77
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$fuzzer" -max_total_time="${KILN_FUZZ_SECONDS:-5}" -max_len=8192 \
	-artifact_prefix="$tmp/" "$tmp" "$s/tests/fuzz/corpus/cache-json" \
	>"$tmp/log" 2>&1
rc=$?
[ $rc = 0 ] || { tail -40 "$tmp/log"; ls -l "$tmp"; }
exit $rc
