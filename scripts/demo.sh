#!/bin/sh
# demo.sh: README's first command: installs what kiln needs, builds it, and builds contrib/example/Dockerfile rootless on a base image made locally from busybox-static.
# As the unprivileged user kiln-test: start kilnd, make the base image
# with tests/tools/mkbase.sh (no network), import it, build the example
# into out/ and as the image kiln-example, build it again (all cached),
# list the history, stop kilnd.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
USER_NAME=${KILN_TEST_USER:-kiln-test}
src=$("$here/scripts/stage.sh" kiln-demo)
home=$(getent passwd "$USER_NAME" | cut -d: -f6)
runuser -u "$USER_NAME" -- env -i HOME="$home" USER="$USER_NAME" \
	PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 sh -eu -c "
cd '$src'
autoreconf -fi >/dev/null 2>&1
mkdir -p build && cd build
../configure --prefix='$home/.local' >/dev/null
make -j\$(nproc) >/dev/null
make install >/dev/null
export XDG_RUNTIME_DIR=\$(mktemp -d /tmp/kiln-demo.XXXXXX)
export XDG_DATA_HOME=\$XDG_RUNTIME_DIR/data
PATH=\$HOME/.local/bin:\$PATH
echo '== kilnd --check'
kilnd --check || true
echo '== starting kilnd as' \$(id -un) '(uid' \$(id -u)')'
kilnd >\$XDG_RUNTIME_DIR/kilnd.log 2>&1 &
pid=\$!
i=0
until kilnctl ping >/dev/null 2>&1; do
	i=\$((i + 1)); [ \$i -lt 100 ] || { cat \$XDG_RUNTIME_DIR/kilnd.log; exit 1; }
	sleep 0.1
done
kilnctl info
echo '== a base image from busybox-static, imported'
sh '$src/tests/tools/mkbase.sh' \$XDG_RUNTIME_DIR/base.oci
kilnctl image import \$XDG_RUNTIME_DIR/base.oci
echo '== kilnctl build contrib/example'
kilnctl build --progress=plain -t kiln-example \
	--output type=local,dest=\$XDG_RUNTIME_DIR/out '$src/contrib/example'
echo '== the result, owned by' \$(id -un)
ls -ln \$XDG_RUNTIME_DIR/out/app
cat \$XDG_RUNTIME_DIR/out/app/greeting.txt
echo '== again: every step from the cache'
kilnctl build --progress=plain '$src/contrib/example'
kilnctl images
kilnctl history -n 2
kill -TERM \$pid
wait \$pid
# the snapshots hold files of subordinate ids (the image's uid 1000): only
# the user's own user namespace can remove them
rm -rf \$XDG_RUNTIME_DIR 2>/dev/null || unshare --map-root-user --map-auto rm -rf \$XDG_RUNTIME_DIR
"
