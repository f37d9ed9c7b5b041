#!/bin/sh
# build-bench.sh: kilnctl build beside buildah bud on the same Dockerfiles and base image, interleaved in one run (issue 5's figures).
# Usage (as an unprivileged user with a subuid range):
#   KILN_BUILDDIR=/tmp/build-bench-rel sh bench/build-bench.sh [rounds]
# Environment: BUILDAH=0 leaves buildah out; BUILDAH_DRIVER (default
# overlay) is buildah's storage driver; KEEP=1 keeps the work directory
# (every build's output, kilnd.log) and prints its path; TMPDIR is where
# the work directory goes (all state of both builders: TMPDIR=/dev/shm
# takes the disk out of the figures, about 3 GiB for 3 rounds).
set -eu

: "${KILN_BUILDDIR:?the build directory (configure without --enable-sanitizers)}"
ROUNDS=${1:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
RT="$KILN_BUILDDIR/bench/ready-time"
KILNCTL="$KILN_BUILDDIR/kilnctl"
BUILDAH=${BUILDAH:-1}
BUILDAH_DRIVER=${BUILDAH_DRIVER:-overlay}
FILES=10000		# the COPY context: FILES files of FSIZE bytes
FSIZE=8000
MEM_GOAL_KIB=$((30 * 1024))

say() { echo "build-bench.sh: $*" >&2; }
if [ "$(id -u)" = 0 ]; then
	say "run as an unprivileged user (e.g. runuser -u kiln-test --)"
	exit 2
fi
[ -x "$RT" ] || { say "$RT missing: make bench/ready-time"; exit 2; }
grep -q '^SAN_CFLAGS = -fsanitize' "$KILN_BUILDDIR/Makefile" 2>/dev/null &&
	say "warning: $KILN_BUILDDIR is a sanitizer build; figures will be high"
if [ "$BUILDAH" = 1 ] && ! command -v buildah >/dev/null; then
	say "no buildah (install buildah and runc, or BUILDAH=0)"
	exit 2
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/kiln-build-bench.XXXXXX")
chmod 700 "$W"
KILND_PID=
SAMPLER=
# Files owned by subordinate ids (kiln's snapshots, buildah's layers)
# go only from inside the user's own user namespace.
cleanup() {
	rm -f "$W/sampling"
	[ -z "$SAMPLER" ] || wait "$SAMPLER" 2>/dev/null || true
	stop_kilnd
	if [ "${KEEP:-0}" = 1 ]; then
		say "kept $W"
		return
	fi
	rm -rf "$W" 2>/dev/null || unshare --map-root-user --map-auto rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p -m 700 "$W/run" "$W/data" "$W/config" "$W/bh-run" "$W/log"
export XDG_RUNTIME_DIR="$W/run" XDG_DATA_HOME="$W/data" XDG_CONFIG_HOME="$W/config"
export KILN_HELPER_DIR="$KILN_BUILDDIR" KILN_ADDR="$W/run/kiln/kilnd.sock"

start_kilnd() {
	"$KILN_BUILDDIR/kilnd" --net=host >>"$W/kilnd.log" 2>&1 &
	KILND_PID=$!
	n=200
	until [ "$("$KILNCTL" info 2>/dev/null | grep -c '^  kiln-[a-z]* .* ready ')" = 4 ]; do
		n=$((n - 1))
		if [ "$n" = 0 ] || ! kill -0 "$KILND_PID" 2>/dev/null; then
			say "kilnd's helpers not ready; its log:"
			tail -n 20 "$W/kilnd.log" >&2
			exit 1
		fi
		sleep 0.1
	done
}

stop_kilnd() {
	[ -n "$KILND_PID" ] || return 0
	kill -TERM "$KILND_PID" 2>/dev/null && wait "$KILND_PID" || true
	KILND_PID=
}

# buildah rootless, its storage and runtime dir inside $W, and without
# ready-time's NOTIFY_SOCKET, which buildah would hand to the steps.
BH="env -u NOTIFY_SOCKET XDG_RUNTIME_DIR=$W/bh-run buildah --root $W/bh-storage
    --runroot $W/bh-runroot --storage-driver=$BUILDAH_DRIVER"

# timed NAME CMD...: runs CMD with its output in $W/log/NAME.N, appends
# its fork-to-exit time (ms) to $W/t.NAME; a failure stops the bench.
timed() {
	name=$1
	shift
	n=$(($(cat "$W/t.$name" 2>/dev/null | wc -l) + 1))
	out=$("$RT" -t 900 -o "$W/log/$name.$n" "$@") || true
	case $out in
	*" status=0") ;;
	*)
		say "$name failed ($out): $*"
		tail -n 20 "$W/log/$name.$n" >&2
		exit 1
		;;
	esac
	echo "$out" | sed 's/.*exit_ms=\([0-9.]*\).*/\1/' >>"$W/t.$name"
}

# kbuild NAME CTX [FILE]: kilnctl build with no output (the result stays
# in the cache, as with buildctl build and no --output); with FILE,
# -f CTX/FILE -t NAME: the image goes to the local image store as
# buildah's does.
kbuild() {
	if [ $# -gt 2 ]; then
		timed "$1" "$KILNCTL" build --progress=plain -f "$2/$3" -t bench "$2"
	else
		timed "$1" "$KILNCTL" build --progress=plain "$2"
	fi
}
bbuild() {
	[ "$BUILDAH" = 1 ] || return 0
	# shellcheck disable=SC2086
	timed "$1" $BH bud --isolation=rootless --runtime=/usr/bin/runc \
	    --layers -t bench "$2"
}

# trio NAME CTX: kiln on CTX/Dockerfile, kiln -t on CTX/Dockerfile.t
# (markers of its own, so that it is as cold as the first), buildah on
# CTX/Dockerfile; the order turns each round, so that none always runs
# on the page cache or the load another left.
trio() {
	case $((r % 3)) in
	1) kbuild "kiln-$1" "$2"; kbuild "kilnt-$1" "$2" Dockerfile.t; bbuild "bh-$1" "$2" ;;
	2) kbuild "kilnt-$1" "$2" Dockerfile.t; bbuild "bh-$1" "$2"; kbuild "kiln-$1" "$2" ;;
	0) bbuild "bh-$1" "$2"; kbuild "kiln-$1" "$2"; kbuild "kilnt-$1" "$2" Dockerfile.t ;;
	esac
}

# The same base image for both: one OCI layout.
say "making the base image and the $FILES-file context"
sh "$here/tests/tools/mkbase.sh" "$W/base" >/dev/null
start_kilnd
"$KILNCTL" image import "$W/base" >"$W/log/import" 2>&1 ||
	{ cat "$W/log/import" >&2; exit 1; }
if [ "$BUILDAH" = 1 ]; then
	# the same layout as an archive: buildah names an oci: directory's
	# image after its path, an oci-archive: one after its annotation
	tar -C "$W/base" -cf "$W/base.tar" .
	$BH pull "oci-archive:$W/base.tar" >"$W/log/bh-pull" 2>&1 ||
		{ cat "$W/log/bh-pull" >&2; exit 1; }
fi

# 100 directories of FILES/100 files of FSIZE random bytes.
mkdir "$W/src"
d=0
while [ "$d" -lt 100 ]; do
	dd=$(printf 'd%02d' "$d")
	mkdir "$W/src/$dd"
	head -c $((FILES / 100 * FSIZE)) /dev/urandom |
	    split -b "$FSIZE" -a 3 -d - "$W/src/$dd/f"
	d=$((d + 1))
done

# Dockerfiles: each round's differ from the earlier rounds' (a marker in
# every step), so the first build of a round is cold for every builder.
run30() {
	mkdir -p "$W/run30-$1"
	for f in Dockerfile Dockerfile.t; do
		{
			echo "FROM kiln-busybox:latest"
			i=1
			while [ "$i" -le 30 ]; do
				echo "RUN echo round $1 step $i $f"
				i=$((i + 1))
			done
		} >"$W/run30-$1/$f"
	done
}
par() {
	mkdir -p "$W/par-$1"
	for f in Dockerfile Dockerfile.t; do
		cat >"$W/par-$1/$f" <<EOF
FROM kiln-busybox:latest AS a
RUN sleep 1 && echo a $1 $f >/a
FROM kiln-busybox:latest AS b
RUN sleep 1 && echo b $1 $f >/b
FROM kiln-busybox:latest
COPY --from=a /a /a
COPY --from=b /b /b
EOF
	done
}

load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD0=$(load)
say "load average $LOAD0; $ROUNDS rounds"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	say "round $r of $ROUNDS (load $(load))"
	i=0
	while [ "$i" -lt 5 ]; do
		timed unshare unshare -Urmpf --mount-proc true
		i=$((i + 1))
	done
	run30 "$r"
	trio run30-cold "$W/run30-$r"
	trio run30-cached "$W/run30-$r"

	# a fresh copy of the context: cold for kiln's per-inode checksums
	# too; a destination per round: cold for every cache. sync first
	# (not timed), so that no copy pays for another's writeback.
	sync
	timed cp-a cp -a "$W/src" "$W/ctx-$r"
	printf 'FROM kiln-busybox:latest\nCOPY . /c%s/\n' "$r" >"$W/ctx-$r/Dockerfile"
	printf 'FROM kiln-busybox:latest\nCOPY . /t%s/\n' "$r" >"$W/ctx-$r/Dockerfile.t"
	sync
	trio copy-cold "$W/ctx-$r"
	trio copy-cached "$W/ctx-$r"
	echo "edit $r" >>"$W/ctx-$r/d42/f042"
	sync
	trio copy-edit "$W/ctx-$r"
	[ "$r" = 1 ] || rm -rf "$W/ctx-$((r - 1))"

	par "$r"
	trio par-cold "$W/par-$r"
	r=$((r + 1))
done

# Peak memory: a fresh kilnd (so VmHWM covers this build only) builds a
# cold 10,000-file COPY while every process below kilnd is sampled; then
# another fresh one the same with -t (the layer's tar, digest and gzip).
tree_pids() {
	ps -e -o pid=,ppid= | awk -v root="$KILND_PID" '
	    { parent[$1] = $2 }
	    END {
		keep[root] = 1; print root
		do {
			more = 0
			for (p in parent)
				if (!(p in keep) && (parent[p] in keep)) {
					keep[p] = 1; print p; more = 1
				}
		} while (more)
	    }'
}
sample() {
	while [ -f "$W/sampling" ]; do
		for p in $(tree_pids); do
			cat "/proc/$p/smaps_rollup" 2>/dev/null
		done | awk '$1 == "Pss:" { s += $2 } END { print s + 0 }' >>"$W/pss.$1"
		sleep 0.02
	done
}
cp -a "$W/src" "$W/ctx-mem"
printf 'FROM kiln-busybox:latest\nCOPY . /mem/\n' >"$W/ctx-mem/Dockerfile"
printf 'FROM kiln-busybox:latest\nCOPY . /memt/\n' >"$W/ctx-mem/Dockerfile.t"
for v in kiln kilnt; do
	stop_kilnd
	start_kilnd
	sync
	: >"$W/sampling"
	sample "$v" &
	SAMPLER=$!
	if [ "$v" = kiln ]; then
		kbuild kiln-mem "$W/ctx-mem"
	else
		kbuild kilnt-mem "$W/ctx-mem" Dockerfile.t
	fi
	for p in $(tree_pids); do
		printf '%s %s ' "$(cat "/proc/$p/comm")" \
		    "$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$p/status")"
	done >"$W/hwm.$v"
	rm -f "$W/sampling"
	wait "$SAMPLER" || true
	SAMPLER=
done
LOAD1=$(load)

# "median min max" of a file of numbers, "- - -" for none
stat3() {
	[ -s "$W/t.$1" ] || { echo "- - -"; return; }
	sort -n "$W/t.$1" | awk '{ v[NR] = $1 }
	    END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f %.1f\n", m, v[1], v[NR]
	    }'
}
med() { stat3 "$1" | cut -d' ' -f1; }
fmt() {
	stat3 "$1" | awk '$1 == "-" { print "-"; exit }
	    $1 >= 1000 { printf "%.2fs (%.1f-%.1f)\n", $1 / 1000, $2 / 1000, $3 / 1000; exit }
	    { printf "%.1f (%.0f-%.0f)\n", $1, $2, $3 }'
}
# verdict EXPR: "met" or "MISSED" by awk's reading of EXPR
verdict() { awk "BEGIN { exit !($1) }" && echo met || echo MISSED; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
row() {
	printf '%-30s %20s %20s %20s  %s\n' "$1" "$(fmt "kiln-$2")" "$(fmt "kilnt-$2")" \
	    "$(fmt "bh-$2")" "$3"
}

echo
echo "build-bench.sh: $(nproc) CPUs, load average $LOAD0 before, $LOAD1 after;" \
    "$ROUNDS rounds, interleaved"
echo "ms (or s), median (min-max); kiln: kilnctl build, no output; kiln -t: with -t" \
    "(image store);"
echo "buildah $(buildah --version 2>/dev/null | cut -d' ' -f3): bud --isolation=rootless" \
    "--runtime=/usr/bin/runc --layers -t, storage driver $BUILDAH_DRIVER"
printf '%-30s %20s %20s %20s  %s\n' "" kiln "kiln -t" buildah "goal (kiln)"
K=$(med kiln-run30-cold) KC=$(med kiln-run30-cached) F=$(med unshare)
x=$(div "$(med bh-run30-cold)" "$K")
row "30 RUN echo, cold" run30-cold \
    "buildah/kiln ${x}x; >= 20x: $([ "$x" = - ] && echo - || verdict "$x >= 20")"
step() { awk -v k="$(med "$1-run30-cold")" -v c="$(med "$1-run30-cached")" \
    'BEGIN { if (k == "-") print "-"; else printf "%.1f", (k - c) / 30 }'; }
printf '%-30s %20s %20s %20s  %s\n' "  a step ((cold-cached)/30)" "$(step kiln)" \
    "$(step kilnt)" "$(step bh)" \
    "$(div "$(step kiln)" "$F")x unshare; <= 2x: $(verdict "$(step kiln) <= 2 * $F")"
printf '%-30s %20s\n' "  unshare -Urmpf --mount-proc" "$(fmt unshare)"
row "30 RUN echo, fully cached" run30-cached "< 50 ms: $(verdict "$KC < 50")"
CP=$(med cp-a)
x=$(div "$(med kiln-copy-cold)" "$CP")
row "COPY $FILES files $((FILES * FSIZE / 1000000)) MB, cold" copy-cold \
    "${x}x cp -a; <= 1.3x: $(verdict "$x <= 1.3")"
printf '%-30s %20s\n' "  cp -a of the context" "$(fmt cp-a)"
row "  fully cached" copy-cached "< 50 ms: $(verdict "$(med kiln-copy-cached) < 50")"
row "  after a one-file edit" copy-edit "< 200 ms: $(verdict "$(med kiln-copy-edit) < 200")"
row "2 stages each RUN sleep 1" par-cold "in parallel, < 1.5 s: $(verdict "$(med kiln-par-cold) < 1500")"
echo
echo "peak memory of kilnd and every process below it, cold $FILES-file COPY; KiB:"
for v in kiln kilnt; do
	peak=$(sort -n "$W/pss.$v" | tail -n 1)
	hwm=$(awk '{ for (i = 2; i <= NF; i += 2) s += $i } END { print s + 0 }' "$W/hwm.$v")
	echo "  $([ "$v" = kiln ] && echo "kiln   " || echo "kiln -t") ($(fmt "$v-mem")):" \
	    "Pss summed over the processes, highest of $(wc -l <"$W/pss.$v") samples: $peak" \
	    "($(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }') MiB); < 30 MiB:" \
	    "$(verdict "$peak < $MEM_GOAL_KIB")"
	echo "    VmHWM (peak Rss; shared pages count in each process): $(cat "$W/hwm.$v")"
	echo "    sum of VmHWM: $hwm ($(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }') MiB)"
done
