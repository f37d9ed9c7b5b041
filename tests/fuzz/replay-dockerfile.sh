#!/bin/sh
# replay-dockerfile.sh: make check runs the fuzz-dockerfile harness once over its seed corpus and the error cases.
b=${KILN_BUILDDIR:-.}
s=${KILN_SRCDIR:-.}
"$b/tests/fuzz/replay-dockerfile" "$s/tests/fuzz/corpus/dockerfile" &&
exec "$b/tests/fuzz/replay-dockerfile" "$s/tests/dockerfile/errors"
