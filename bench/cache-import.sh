#!/bin/sh
# cache-import.sh: a fresh daemon's fully cached rebuild from another daemon's exported cache (--cache-to/--cache-from type=local, mode=min and max) against the cold build (with and without the export) and the same daemon's warm rebuild: 22 RUN steps and a COPY --from, two steps writing 4 MiB each.
# Usage (unprivileged): KILN_BUILDDIR=/tmp/build-bench-rel sh bench/cache-import.sh [runs]
# STEP_MS=N: each RUN step also sleeps N ms, as a step that does work would.
. "$(dirname "$0")/build-lib.sh"
RUNS=${1:-3}
SLEEP=
[ "${STEP_MS:-0}" -gt 0 ] && SLEEP=" && sleep $(awk "BEGIN { print ${STEP_MS} / 1000 }")"
C=$W/ctx
mkdir -p "$C"
gen() {
	echo "FROM kiln-busybox AS tools"
	echo "RUN head -c 4194304 /dev/urandom > /tool"
	echo "FROM kiln-busybox"
	echo "COPY --from=tools /tool /tool"
	i=1
	while [ $i -le 20 ]; do
		[ $i = 10 ] && echo "RUN head -c 4194304 /dev/urandom > /data"
		echo "RUN echo step $i $1 > /s$i$SLEEP"
		i=$((i + 1))
	done
}
# fresh NAME: a daemon with an empty store of its own, the base imported
fresh() {
	[ -n "$KILND_PID" ] && kill -TERM "$KILND_PID" && wait "$KILND_PID" || true
	KILND_PID=
	export XDG_DATA_HOME="$W/data-$1"
	mkdir -p -m 700 "$XDG_DATA_HOME"
	kiln_up
	rm -rf "$W/base.oci"
	base_images
}
for r in $(seq "$RUNS"); do
	gen "run$r" >"$C/Dockerfile"
	NO_BUILDAH=1 fresh "p$r"
	plain=$(ms kbuild "$C")
	NO_BUILDAH=1 fresh "a$r"
	cold=$(ms kbuild --cache-to "type=local,dest=$W/cmax$r,mode=max" \
	    --cache-to "type=local,dest=$W/cmin$r" "$C")
	warm=$(ms kbuild "$C")
	sz=$(du -sk "$W/cmax$r" | cut -f1)
	NO_BUILDAH=1 fresh "b$r"
	imin=$(ms kbuild --cache-from "type=local,src=$W/cmin$r" "$C")
	grep -q " \([0-9]*\) steps, \1 cached" "$W/last.out" ||
	    { echo "not all cached:" >&2; tail -3 "$W/last.out" >&2; }
	NO_BUILDAH=1 fresh "c$r"
	imax=$(ms kbuild --cache-from "type=local,src=$W/cmax$r" "$C")
	echo "run $r: cold build ${plain} ms, with --cache-to min and max ${cold} ms, warm on the same daemon ${warm} ms;" \
	    "fresh daemon from the cache: mode=min ${imin} ms, mode=max ${imax} ms (cache ${sz} KiB)"
done
