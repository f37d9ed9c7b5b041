#!/bin/sh
# fuzz-ipc-frame.sh: make check (--enable-fuzz) runs the clang libFuzzer build over the corpus, then fuzzes it briefly.
b=${KILN_BUILDDIR:-.}
s=${KILN_SRCDIR:-.}
fuzzer=$b/tests/fuzz/fuzz-ipc-frame
[ -x "$fuzzer" ] || exit 77
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# new inputs go to the first directory, never into the checked-in corpus
"$fuzzer" -max_total_time="${KILN_FUZZ_SECONDS:-5}" -max_len=4096 \
	-artifact_prefix="$tmp/" "$tmp" "$s/tests/fuzz/corpus/ipc-frame" \
	>"$tmp/log" 2>&1
rc=$?
[ $rc = 0 ] || { tail -40 "$tmp/log"; for f in "$tmp"/crash-* "$tmp"/leak-*; do
	[ -f "$f" ] && od -An -tx1 "$f"; done; }
exit $rc
