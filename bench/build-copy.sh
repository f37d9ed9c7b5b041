#!/bin/sh
# build-copy.sh: a 10,000-file, 80 MB COPY: cold, fully cached, after a one-file edit, beside cp -a of the context and buildah bud --layers; and the peak memory of all kiln processes during the cold build.
# Usage (unprivileged): KILN_BUILDDIR=/tmp/build-bench-rel sh bench/build-copy.sh [runs]
. "$(dirname "$0")/build-lib.sh"
RUNS=${1:-3}
kiln_up
base_images
C=$W/ctx
mkdir -p "$C/tree"
# 100 directories of 100 files of 8 KiB: 80 MB
i=0
while [ $i -lt 100 ]; do
	mkdir "$C/tree/d$i"
	j=0
	while [ $j -lt 100 ]; do
		head -c 8192 /dev/urandom >"$C/tree/d$i/f$j"
		j=$((j + 1))
	done
	i=$((i + 1))
done
printf 'ARG BASE\nFROM ${BASE}\nCOPY tree /tree\n' >"$C/Dockerfile"

# the kiln processes: kilnd and everything under it
kiln_pids() {
	for s in /proc/[0-9]*/stat; do
		sed -n 's/^\([0-9]*\) (.*) [A-Za-z] \([0-9]*\) .*/\1 \2/p' "$s" 2>/dev/null
	done | awk -v root="$KILND_PID" '{ parent[$1] = $2 }
	    END { keep[root] = 1; print root
		do { more = 0; for (p in parent) if (!(p in keep) && (parent[p] in keep)) {
			keep[p] = 1; print p; more = 1 } } while (more) }'
}
pss_kib() {
	t=0
	for p in $(kiln_pids); do
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
		t=$((t + ${v:-0}))
	done
	echo $t
}
hwm_kib() {
	t=0
	for p in $(kiln_pids); do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
		t=$((t + ${v:-0}))
	done
	echo $t
}

cpa=$(ms cp -a "$C" "$W/cpa")
rm -rf "$W/cpa"
echo "cp -a of the context: ${cpa} ms"
for r in $(seq "$RUNS"); do
	# a new line in the Dockerfile: a cold COPY each run
	printf 'ARG BASE\nFROM ${BASE}\nRUN echo run %s\nCOPY tree /tree\n' "$r" >"$C/Dockerfile"
	peak=0
	( while :; do pss_kib; sleep 0.05; done ) >"$W/pss" 2>/dev/null &
	sampler=$!
	cold=$(ms kbuild --build-arg BASE=kiln-busybox "$C")
	kill "$sampler" 2>/dev/null || true
	wait "$sampler" 2>/dev/null || true
	peak=$(sort -n "$W/pss" | tail -n 1)
	warm=$(ms kbuild --build-arg BASE=kiln-busybox "$C")
	head -c 8192 /dev/urandom >"$C/tree/d50/f50"
	edit=$(ms kbuild --build-arg BASE=kiln-busybox "$C")
	line="run $r: kiln cold ${cold} ms, cached ${warm} ms, one-file edit ${edit} ms; peak Pss of kiln $((peak / 1024)) MiB, sum of peak RSS $(( $(hwm_kib) / 1024 )) MiB"
	if have_buildah; then
		bc=$(ms bbuild --build-arg BASE=localhost/kiln-busybox:latest "$C")
		bw=$(ms bbuild --build-arg BASE=localhost/kiln-busybox:latest "$C")
		head -c 8192 /dev/urandom >"$C/tree/d50/f51"
		be=$(ms bbuild --build-arg BASE=localhost/kiln-busybox:latest "$C")
		line="$line | buildah cold ${bc} ms, cached ${bw} ms, one-file edit ${be} ms"
	fi
	echo "$line"
done
