#!/bin/sh
# replay-ipc-frame.sh: make check runs the fuzz-ipc-frame harness once over its seed corpus.
b=${KILN_BUILDDIR:-.}
s=${KILN_SRCDIR:-.}
exec "$b/tests/fuzz/replay-ipc-frame" "$s/tests/fuzz/corpus/ipc-frame"
