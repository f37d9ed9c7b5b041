#!/bin/sh
# build-copy-first.sh: the first-ever build of a new 10,000-file, 80 MB context (a COPY of it, cold: a fresh kilnd and store, the base unpacked by another context's build, so snapd knows neither the context's contents nor its watches) beside cp -a of it; median of RUNS. KILN_BUILDDIR_B: a second build, alternated with the first run by run (A/B).
# Usage (unprivileged): KILN_BUILDDIR=/tmp/build-bench-rel [KILN_BUILDDIR_B=...] sh bench/build-copy-first.sh [runs]
# The stores' files belong to the user namespace's ids: remove $TMPDIR/kiln-bench-* as root after.
. "$(dirname "$0")/build-lib.sh"
RUNS=${1:-5}
BUILDS="$KILN_BUILDDIR ${KILN_BUILDDIR_B:-}"
sh "$KILN_SRCDIR/tests/tools/mkbase.sh" "$W/base.oci" >/dev/null

# 100 directories of 100 files of 8 KiB, new random bytes each time
new_context() {
	rm -rf "$W/ctx"
	mkdir -p "$W/ctx/tree"
	for d in $(seq 0 99); do
		mkdir "$W/ctx/tree/d$d"
		head -c 819200 /dev/urandom >"$W/blob"
		(cd "$W/ctx/tree/d$d" && split -a 4 -b 8192 "$W/blob" f)
	done
	rm -f "$W/blob"
	printf 'ARG BASE\nFROM ${BASE}\nCOPY tree /tree\n' >"$W/ctx/Dockerfile"
}

# kilnd of build $1 on an empty store holding only the base image
fresh_kiln() {
	if [ -n "$KILND_PID" ]; then
		kill -TERM "$KILND_PID" 2>/dev/null && wait "$KILND_PID" || true
		KILND_PID=
	fi
	# a new store each time: the old one's files are the user namespace's
	XDG_DATA_HOME=$W/data.$r.$bi
	rm -rf "$W/run/kiln"
	mkdir -p -m 700 "$XDG_DATA_HOME"
	KILN_HELPER_DIR=$1 KILNCTL=$1/kilnctl
	export KILN_HELPER_DIR
	KILN_BUILDDIR=$1 kiln_up
	"$KILNCTL" image import "$W/base.oci" >/dev/null
	# the base unpacked by a build of another context, as a store in use has it
	mkdir -p "$W/warm"
	echo warm >"$W/warm/w"
	printf 'ARG BASE\nFROM ${BASE}\nCOPY w /w\n' >"$W/warm/Dockerfile"
	kbuild --build-arg BASE=kiln-busybox "$W/warm" >/dev/null 2>&1
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# bi, not n: kiln_up counts down its own n
for r in $(seq "$RUNS"); do
	bi=0
	for b in $BUILDS; do
		bi=$((bi + 1))
		new_context
		fresh_kiln "$b"
		# written back first: on a disk, the context just made would
		# otherwise throttle whichever of the two runs next
		sync
		cold=$(ms kbuild --build-arg BASE=kiln-busybox "$W/ctx")
		sync
		cpa=$(ms cp -a "$W/ctx" "$W/cpa")
		rm -rf "$W/cpa"
		echo "$cold $cpa" >>"$W/times.$bi"
		echo "run $r, $b: first-ever build ${cold} ms, cp -a ${cpa} ms"
	done
done
bi=0
for b in $BUILDS; do
	bi=$((bi + 1))
	k=$(cut -d' ' -f1 "$W/times.$bi" | median)
	c=$(cut -d' ' -f2 "$W/times.$bi" | median)
	echo "$b: median first-ever build ${k} ms, cp -a ${c} ms, $(awk -v k="$k" -v c="$c" 'BEGIN { printf "%.2f", k / c }')x (TMPDIR=${TMPDIR:-/tmp}, $RUNS runs)"
done
