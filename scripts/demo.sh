#!/bin/sh
# demo.sh: README's first command: installs what kiln needs, builds it, and runs kilnd rootless as a normal user.
# Until the build path lands, kiln's main job shown here is the daemon
# itself: start it as the unprivileged user, print `kilnctl info`, stop it.
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
echo '== kilnctl info'
kilnctl info
kill -TERM \$pid
wait \$pid
echo '== kilnd log'
cat \$XDG_RUNTIME_DIR/kilnd.log
rm -rf \$XDG_RUNTIME_DIR
"
