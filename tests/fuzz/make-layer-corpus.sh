#!/bin/sh
# make-layer-corpus.sh: writes the seed corpus of fuzz-layer-apply: plain, gzip and zstd layers, whiteouts, and hostile archives.
# Usage: tests/fuzz/make-layer-corpus.sh [dir]   (default: corpus/layer-apply beside it)
set -eu
dir=$(cd "$(dirname "$0")" && pwd)/corpus/layer-apply
[ $# -lt 1 ] || dir=$1
mkdir -p "$dir"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
TAR="tar --format=gnu --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0"
cd "$w"

mkdir -p t/etc t/bin t/d/sub
echo root:x:0:0 >t/etc/passwd
echo data >t/d/sub/f
ln -s ../etc/passwd t/bin/link
ln t/etc/passwd t/etc/hard
mkfifo t/fifo
: >t/d/.wh.gone
: >t/d/sub/.wh..wh..opq
(cd t && $TAR -cf "$dir/plain.tar" .)
gzip -n -9 <"$dir/plain.tar" >"$dir/plain.tar.gz"
zstd -q <"$dir/plain.tar" >"$dir/plain.tar.zst"
(cd t && tar --format=posix --pax-option=delete=atime,delete=ctime \
    --sort=name --owner=0 --group=0 --mtime=@0 -cf "$dir/pax.tar" .)

# ../x and /abs as names (-P keeps them)
mkdir -p h/a && echo x >h/x && cd h/a
tar --format=gnu -cPf "$dir/dotdot.tar" ../x
cd "$w"
tar --format=gnu -cPf "$dir/abs.tar" "$w/h/x"
# a symlink out, then a file through it
mkdir s && ln -s /tmp s/evil && mkdir s/evil2 && echo pwned >s/evil2/pwned
(cd s && tar --format=gnu -cf "$dir/symlink-through.tar" evil evil2/pwned \
    --transform 's,^evil2,evil,')
# a hard link whose target leaves the root
mkdir l && echo secret >l/f && ln l/f l/hl
(cd l && tar --format=gnu -cPf "$dir/hardlink-out.tar" f hl \
    --transform 's,^f$,../outside/f,h')
# truncated gzip, a header claiming 8 GiB
n=$(wc -c <"$dir/plain.tar.gz"); head -c $((n / 2)) "$dir/plain.tar.gz" >"$dir/truncated.tar.gz"
head -c 512 "$dir/plain.tar" | sed 's/^/x/' | head -c 512 >"$dir/bad-header.tar" || true
