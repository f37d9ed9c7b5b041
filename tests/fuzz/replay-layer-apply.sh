#!/bin/sh
# replay-layer-apply.sh: make check runs the fuzz-layer-apply harness once over its seed corpus.
b=${KILN_BUILDDIR:-.}
s=${KILN_SRCDIR:-.}
exec "$b/tests/fuzz/replay-layer-apply" "$s/tests/fuzz/corpus/layer-apply"
