#!/bin/sh
# build-run.sh: 30 RUN steps, cold and fully cached, kiln beside buildah bud --layers on the same Dockerfile and base image; and the floor, unshare -Urmpf --mount-proc true.
# Usage (unprivileged): KILN_BUILDDIR=/tmp/build-bench-rel sh bench/build-run.sh [runs]
. "$(dirname "$0")/build-lib.sh"
RUNS=${1:-3}
kiln_up
base_images
C=$W/ctx
mkdir -p "$C"
gen() {
	echo "ARG BASE"
	echo "FROM \${BASE}"
	i=1
	while [ $i -le 30 ]; do
		echo "RUN echo step $i $1"
		i=$((i + 1))
	done
}
# the floor in µs, from 100 runs: one run is about 2 ms, below ms's grain
floor=$(us_each 100 unshare -Urmpf --mount-proc true)
echo "unshare -Urmpf --mount-proc true: $(frac "$floor" 1000) ms each"
for r in $(seq "$RUNS"); do
	gen "run$r" >"$C/Dockerfile"
	k_cold=$(ms kbuild --build-arg BASE=kiln-busybox "$C")
	k_warm=$(ms kbuild --build-arg BASE=kiln-busybox "$C")
	step=$((k_cold * 1000 / 30))
	line="run $r: kiln 30 RUN cold ${k_cold} ms ($(frac "$step" 1000) ms a step, $(frac $((step * 100 / floor)) 100)x the floor), cached ${k_warm} ms"
	if have_buildah; then
		b_cold=$(ms bbuild --build-arg BASE=localhost/kiln-busybox:latest "$C")
		b_warm=$(ms bbuild --build-arg BASE=localhost/kiln-busybox:latest "$C")
		line="$line | buildah cold ${b_cold} ms, cached ${b_warm} ms; kiln $((b_cold / k_cold))x faster cold"
	fi
	echo "$line"
done
