#!/bin/sh
# replay-registry-auth.sh: make check runs the fuzz-registry-auth harness once over its seed corpus.
b=${KILN_BUILDDIR:-.}
s=${KILN_SRCDIR:-.}
exec "$b/tests/fuzz/replay-registry-auth" "$s/tests/fuzz/corpus/registry-auth"
