#!/bin/sh
# systemd-units.sh: kilnd.service and kilnd.socket pass systemd-analyze --user verify, without a running user manager.
set -eu
: "${KILN_BUILDDIR:?run through make check}"
: "${KILN_SRCDIR:?run through make check}"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze is not installed"
	exit 77
fi
svc="$KILN_BUILDDIR/contrib/systemd/kilnd.service"
sock="$KILN_SRCDIR/contrib/systemd/kilnd.socket"
[ -f "$svc" ] || fail "$svc is missing: run make"
D=$(mktemp -d "${TMPDIR:-/tmp}/kiln-units.XXXXXX")
trap 'rm -rf "$D"' EXIT
mkdir -p "$D/units" "$D/run" "$D/man/man1" "$D/man/man5" "$D/man/man8"
chmod 700 "$D/run"

# make filled in the install prefix; verify also wants ExecStart to exist
grep -q '^ExecStart=/.*/kilnd$' "$svc" || fail "ExecStart in $svc: $(grep ExecStart "$svc")"
grep -q '@' "$svc" && fail "unsubstituted @...@ in $svc"
sed "s|^ExecStart=.*|ExecStart=$KILN_BUILDDIR/kilnd|" "$svc" >"$D/units/kilnd.service"
cp "$sock" "$D/units/kilnd.socket"

for want in Type=notify NotifyAccess=main Restart=on-failure KillMode=mixed \
    TimeoutStopSec= WantedBy=default.target; do
	grep -q "^$want" "$svc" || fail "kilnd.service lacks $want"
done
for want in 'ListenSequentialPacket=%t/kiln/kilnd.sock' SocketMode=0600 DirectoryMode=0700; do
	grep -q "^$want" "$sock" || fail "kilnd.socket lacks $want"
done

# Documentation=man:... is checked with man(1) when it is there: point it
# at the pages of this tree
man=--man=no
if command -v man >/dev/null 2>&1; then
	man=--man=yes
	for p in "$KILN_SRCDIR"/man/*.[158]; do
		s=${p##*.}
		ln -s "$p" "$D/man/man$s/"
	done
fi

# --user needs $XDG_RUNTIME_DIR for its lookup paths, but no user manager
# and no D-Bus: verify loads the units into a manager of its own
env XDG_RUNTIME_DIR="$D/run" XDG_CONFIG_HOME="$D/config" HOME="$D" MANPATH="$D/man" \
    SYSTEMD_LOG_LEVEL=notice systemd-analyze --user "$man" verify \
    "$D/units/kilnd.socket" "$D/units/kilnd.service" >"$D/out" 2>&1 && rc=0 || rc=$?
if [ "$rc" != 0 ] || [ -s "$D/out" ]; then
	cat "$D/out" >&2
	fail "systemd-analyze verify exited $rc"
fi
echo "ok"
