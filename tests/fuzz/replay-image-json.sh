#!/bin/sh
# replay-image-json.sh: make check runs the fuzz-image-json harness once over its seed corpus.
b=${KILN_BUILDDIR:-.}
s=${KILN_SRCDIR:-.}
exec "$b/tests/fuzz/replay-image-json" "$s/tests/fuzz/corpus/image-json"
