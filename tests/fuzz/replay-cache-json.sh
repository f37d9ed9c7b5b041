#!/bin/sh
# replay-cache-json.sh: make check runs the fuzz-cache-json harness once over its seed corpus.
b=${KILN_BUILDDIR:-.}
s=${KILN_SRCDIR:-.}
exec "$b/tests/fuzz/replay-cache-json" "$s/tests/fuzz/corpus/cache-json"
