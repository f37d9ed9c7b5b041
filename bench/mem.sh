#!/bin/sh
# mem.sh: resident memory (Pss) of kilnd and its helpers when idle, per process, in total and per mapping.
# Usage (as an unprivileged user): KILN_BUILDDIR=/tmp/build-bench-rel sh bench/mem.sh [kilnd flags]
set -eu

: "${KILN_BUILDDIR:?the build directory (configure without --enable-sanitizers)}"
[ $# -eq 0 ] && set -- --net=host
IDLE=${IDLE:-2}		# seconds to let kilnd settle before reading
GOAL_KIB=$((15 * 1024))

if [ "$(id -u)" = 0 ]; then
	echo "mem.sh: run as an unprivileged user (e.g. runuser -u kilntest --)" >&2
	exit 2
fi
grep -q '^SAN_CFLAGS = -fsanitize' "$KILN_BUILDDIR/Makefile" 2>/dev/null &&
	echo "mem.sh: warning: $KILN_BUILDDIR is a sanitizer build; figures will be high" >&2

W=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench.XXXXXX")
KILND_PID=
cleanup() {
	[ -n "$KILND_PID" ] && kill -TERM "$KILND_PID" 2>/dev/null && wait "$KILND_PID" || true
	rm -rf "$W"
}
trap cleanup EXIT
chmod 700 "$W"
mkdir -p -m 700 "$W/run" "$W/data" "$W/config"
export XDG_RUNTIME_DIR="$W/run" XDG_DATA_HOME="$W/data" XDG_CONFIG_HOME="$W/config"
export KILN_HELPER_DIR="$KILN_BUILDDIR" KILN_ADDR="$W/run/kiln/kilnd.sock"
KILNCTL="$KILN_BUILDDIR/kilnctl"

"$KILN_BUILDDIR/kilnd" "$@" >"$W/kilnd.log" 2>&1 &
KILND_PID=$!
n=100
until "$KILNCTL" ping >/dev/null 2>&1; do
	n=$((n - 1))
	if [ "$n" -eq 0 ] || ! kill -0 "$KILND_PID" 2>/dev/null; then
		echo "mem.sh: kilnd did not answer; its log:" >&2
		cat "$W/kilnd.log" >&2
		exit 1
	fi
	sleep 0.1
done

# kilnd and every process below it (helpers, and slirp4netns once it runs).
tree_pids() {
	for s in /proc/[0-9]*/stat; do
		# comm may hold spaces: the fields after the last ')' are safe
		sed -n 's/^\([0-9]*\) (.*) [A-Za-z] \([0-9]*\) .*/\1 \2/p' "$s" 2>/dev/null
	done | awk -v root="$KILND_PID" '
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
	    }' | sort -n
}

# Per process: pid name Rss Pss Pss_Anon Pss_File Private_Dirty (KiB).
table() {
	printf "%-8s %-14s %7s %7s %8s %8s %8s\n" pid process Rss Pss Pss_Anon Pss_File Priv_Dirty
	for p in $(tree_pids); do
		awk -v pid="$p" -v name="$(cat "/proc/$p/comm")" '
		    { v[$1] = $2 }
		    END { printf "%-8s %-14s %7d %7d %8d %8d %8d\n", pid, name,
			v["Rss:"], v["Pss:"], v["Pss_Anon:"], v["Pss_File:"], v["Private_Dirty:"] }' \
		    "/proc/$p/smaps_rollup"
	done | tee "$W/procs"
	awk '{ r += $3; p += $4; a += $5; f += $6; d += $7 }
	    END { printf "%-8s %-14s %7d %7d %8d %8d %8d\n", "", "total", r, p, a, f, d }' "$W/procs"
}

# Pss summed over all the processes per mapping: file basename, [heap],
# [stack], "X bss" for the anonymous mapping right after file X, [anon].
by_mapping() {
	for p in $(tree_pids); do cat "/proc/$p/smaps"; done | awk '
	    /^[0-9a-f]+-[0-9a-f]+ / {
		split($1, r, "-")
		if ($6 ~ /^\//) {
			name = $6; sub(".*/", "", name); file = name
		} else if ($6 == "" && r[1] == prev_end && file != "") {
			name = file " bss"; file = ""
		} else {
			name = $6 == "" ? "[anon]" : $6; file = ""
		}
		prev_end = r[2]
		next
	    }
	    $1 == "Pss:" { pss[name] += $2 }
	    $1 == "Rss:" { rss[name] += $2 }
	    END { for (n in pss) printf "%7d %7d  %s\n", pss[n], rss[n], n }' |
	    sort -rn | head -n "${TOP:-14}"
}

sleep "$IDLE"
echo "kilnd $*: idle ${IDLE}s after start; KiB"
table
total=$(awk '{ p += $4 } END { print p }' "$W/procs")
echo "total Pss: $total KiB ($(awk -v k="$total" 'BEGIN { printf "%.2f", k / 1024 }') MiB)," \
    "goal < 15 MiB: $([ "$total" -lt "$GOAL_KIB" ] && echo met || echo MISSED)"
echo
echo "Pss and Rss per mapping over all the processes (KiB), largest first:"
by_mapping
i=0
while [ "$i" -lt 200 ]; do
	"$KILNCTL" info >/dev/null
	i=$((i + 1))
done
sleep "$IDLE"
echo
echo "the same after 200 kilnctl info (each: client -> solverd -> kilnd and back):"
table
