#!/bin/sh
# build-copy.sh: a 10,000-file, 80 MB COPY: cold, fully cached, after a one-file edit, beside cp -a of the context and buildah bud --layers; and the peak memory of all kiln processes during the cold build.
# Usage (unprivileged): KILN_BUILDDIR=/tmp/build-bench-rel sh bench/build-copy.sh [runs]
. "$(dirname "$0")/build-lib.sh"
RUNS=${1:-3}
kiln_up
base_images
C=$W/ctx
# tree DIR: 100 directories of 100 files of 8 KiB, 80 MB
tree() {
	mkdir -p "$1"
	i=0
	while [ $i -lt 100 ]; do
		mkdir "$1/d$i"
		j=0
		while [ $j -lt 100 ]; do
			head -c 8192 /dev/urandom >"$1/d$i/f$j"
			j=$((j + 1))
		done
		i=$((i + 1))
	done
}
tree "$C/tree"
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

# cp -a right before each cold build, so both meet the disk in the
# same state (the writeback of the runs before goes on under both)
cpa_now() {
	rm -rf "$W/cpa"
	ms cp -a "$C" "$W/cpa"
}
ratio() {
	frac $(($1 * 100 / $2)) 100
}
# first ever: a context kiln has not seen, so the COPY's key waits for
# SNAP_CHECKSUM to read and hash all 80 MB (BuildKit does the same)
cpa=$(cpa_now)
first=$(ms kbuild --build-arg BASE=kiln-busybox "$C")
echo "first build of the context: cp -a ${cpa} ms, kiln ${first} ms ($(ratio "$first" "$cpa")x)"
for r in $(seq "$RUNS"); do
	# a new line in the Dockerfile: a cold COPY each run
	printf 'ARG BASE\nFROM ${BASE}\nRUN echo run %s\nCOPY tree /tree\n' "$r" >"$C/Dockerfile"
	cpa=$(cpa_now)
	cold=$(ms kbuild --build-arg BASE=kiln-busybox "$C")
	warm=$(ms kbuild --build-arg BASE=kiln-busybox "$C")
	head -c 8192 /dev/urandom >"$C/tree/d50/f50"
	edit=$(ms kbuild --build-arg BASE=kiln-busybox "$C")
	line="run $r: cp -a ${cpa} ms, kiln cold ${cold} ms ($(ratio "$cold" "$cpa")x), cached ${warm} ms, one-file edit ${edit} ms"
	if have_buildah; then
		bc=$(ms bbuild --build-arg BASE=localhost/kiln-busybox:latest "$C")
		bw=$(ms bbuild --build-arg BASE=localhost/kiln-busybox:latest "$C")
		head -c 8192 /dev/urandom >"$C/tree/d50/f51"
		be=$(ms bbuild --build-arg BASE=localhost/kiln-busybox:latest "$C")
		line="$line | buildah cold ${bc} ms, cached ${bw} ms, one-file edit ${be} ms"
	fi
	echo "$line"
done
rm -rf "$W/cpa"
# the peak memory in a cold build of its own, untimed: the sampler forks
# a few processes every 50 ms, which would slow the timed builds
printf 'ARG BASE\nFROM ${BASE}\nRUN echo peak\nCOPY tree /tree\n' >"$C/Dockerfile"
( while :; do pss_kib; sleep 0.05; done ) >"$W/pss" 2>/dev/null &
sampler=$!
ms kbuild --build-arg BASE=kiln-busybox "$C" >/dev/null
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
peak=$(sort -n "$W/pss" | tail -n 1)
echo "a cold build: peak Pss of all kiln processes $((peak / 1024)) MiB, sum of their peak RSS $(( $(hwm_kib) / 1024 )) MiB"
