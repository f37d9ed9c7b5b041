# build-lib.sh: sourced by bench/build-*.sh: a private kilnd (release build), the base image for kiln and for buildah, timers.
set -eu
: "${KILN_BUILDDIR:?the build directory (configure without --enable-sanitizers)}"
: "${KILN_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
if [ "$(id -u)" = 0 ]; then
	echo "$0: run as an unprivileged user (e.g. runuser -u kiln-test --)" >&2
	exit 2
fi
grep -q '^SAN_CFLAGS = -fsanitize' "$KILN_BUILDDIR/Makefile" 2>/dev/null &&
	echo "$0: warning: $KILN_BUILDDIR is a sanitizer build; figures will be slow" >&2
# lower case only: buildah names an oci: image after its path
W=${TMPDIR:-/tmp}/kiln-bench-$$
mkdir "$W"
KILND_PID=
bench_cleanup() {
	[ -n "$KILND_PID" ] && kill -TERM "$KILND_PID" 2>/dev/null && wait "$KILND_PID" || true
	[ -n "${BUILDAH_HOME:-}" ] && bah unshare rm -rf "$BUILDAH_HOME" 2>/dev/null || true
	rm -rf "$W" 2>/dev/null || true
}
trap bench_cleanup EXIT
chmod 700 "$W"
mkdir -p -m 700 "$W/run" "$W/data" "$W/config"
export XDG_RUNTIME_DIR="$W/run" XDG_DATA_HOME="$W/data" XDG_CONFIG_HOME="$W/config"
export KILN_HELPER_DIR="$KILN_BUILDDIR" KILN_ADDR="$W/run/kiln/kilnd.sock"
KILNCTL="$KILN_BUILDDIR/kilnctl"

kiln_up() {
	"$KILN_BUILDDIR/kilnd" --net=host "$@" >"$W/kilnd.log" 2>&1 &
	KILND_PID=$!
	n=200
	until [ "$("$KILNCTL" info 2>/dev/null | grep -c '^  kiln-[a-z]* .* ready ')" = 4 ]; do
		n=$((n - 1))
		[ "$n" -gt 0 ] && kill -0 "$KILND_PID" 2>/dev/null ||
			{ echo "kilnd did not start:" >&2; cat "$W/kilnd.log" >&2; exit 1; }
		sleep 0.1
	done
}

# the base image, for kiln (kiln-busybox:latest) and for buildah
# (localhost/kiln-busybox:latest) from the same OCI layout
base_images() {
	sh "$KILN_SRCDIR/tests/tools/mkbase.sh" "$W/base.oci" >/dev/null
	"$KILNCTL" image import "$W/base.oci" >/dev/null
	if [ -z "${NO_BUILDAH:-}" ] && command -v buildah >/dev/null; then
		BUILDAH_HOME=$W/buildah
		mkdir -p "$BUILDAH_HOME"
		bah pull -q "oci:$W/base.oci:kiln-busybox:latest" >"$W/bah.id" 2>"$W/bah.err" ||
			{ echo "buildah pull: $(cat "$W/bah.err")" >&2; BUILDAH_HOME=; return; }
		bah tag "$(cat "$W/bah.id")" localhost/kiln-busybox:latest
	fi
}

# buildah with its own storage under $W
bah() {
	HOME=$BUILDAH_HOME XDG_RUNTIME_DIR=$W/run XDG_DATA_HOME=$BUILDAH_HOME/data \
	    XDG_CONFIG_HOME=$BUILDAH_HOME/config buildah --storage-driver=overlay "$@"
}

have_buildah() {
	[ -n "${BUILDAH_HOME:-}" ]
}

# ms CMD...: runs CMD, prints its wall time in ms
ms() {
	t0=$(date +%s%N)
	"$@" >"$W/last.out" 2>&1 || { echo "failed: $*" >&2; tail -n 20 "$W/last.out" >&2; exit 1; }
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}

# us_each N CMD...: runs CMD N times, prints the mean wall time of one in µs
us_each() {
	n=$1
	shift
	t0=$(date +%s%N)
	i=0
	while [ $i -lt "$n" ]; do
		"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000 / n ))
}

# frac N D: N/D with two decimals (shell arithmetic is integer)
frac() {
	printf '%d.%02d' $(($1 / $2)) $(( ($1 % $2) * 100 / $2 ))
}

kbuild() {
	"$KILNCTL" build --progress=plain "$@"
}

bbuild() {
	bah bud --isolation=rootless --runtime=/usr/sbin/runc --layers -q "$@"
}
