#!/bin/sh
# start-trace.sh: where kilnd's start-up time goes, from scheduler tracepoints (perf, no ptrace), per phase.
# Usage (as root; kilnd runs as USER): KILN_BUILDDIR=/tmp/build-bench-rel sh bench/start-trace.sh [runs] [user]
set -eu

: "${KILN_BUILDDIR:?the build directory (configure without --enable-sanitizers)}"
RUNS=${1:-10}
USER_=${2:-kilntest}
RT="$KILN_BUILDDIR/bench/ready-time"

[ "$(id -u)" = 0 ] || { echo "start-trace.sh: perf -a needs root; kilnd still runs as $USER_" >&2; exit 2; }
command -v perf >/dev/null || { echo "start-trace.sh: perf is not installed" >&2; exit 77; }

W=$(mktemp -d /tmp/kiln-trace.XXXXXX)
trap 'rm -rf "$W"' EXIT
chmod 755 "$W"
cat >"$W/runs.sh" <<EOF
i=0
while [ \$i -lt $RUNS ]; do
	d=\$(mktemp -d)
	mkdir -p -m 700 "\$d/run" "\$d/data" "\$d/config"
	XDG_RUNTIME_DIR="\$d/run" XDG_DATA_HOME="\$d/data" XDG_CONFIG_HOME="\$d/config" \
	    KILN_HELPER_DIR="$KILN_BUILDDIR" "$RT" "$KILN_BUILDDIR/kilnd" --net=host
	rm -rf "\$d"
	i=\$((i + 1))
done
EOF
perf record -q -o "$W/perf.data" -a -e sched:sched_process_fork \
    -e sched:sched_process_exec -e sched:sched_process_exit -- \
    runuser -u "$USER_" -- env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME=/tmp \
    sh "$W/runs.sh" >"$W/ready" 2>/dev/null
perf script -i "$W/perf.data" 2>/dev/null >"$W/events"

# Milliseconds from ready-time's fork of kilnd to each event, one row a run.
awk -v readyfile="$W/ready" '
function ms(t) { return (t - t0) * 1000 }
function val(k,   i) { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
/sched_process_fork/ && val("comm") == "ready-time" {
	if (n) flush()
	n++; t0 = $4 + 0; kpid = val("child_pid"); forks = 0; delete e; next
}
!n { next }
/sched_process_fork/ && val("pid") == kpid {
	forks++
	if (forks == 1) e["nsfork"] = ms($4)
	if ("gidexit" in e && !("hfork" in e)) e["hfork"] = ms($4)
	next
}
/sched_process_exec/ {
	f = val("filename"); sub(".*/", "", f)
	if (f == "kilnd") e["exec"] = ms($4)
	else if (f == "newuidmap") e["uid"] = ms($4)
	else if (f == "newgidmap") e["gid"] = ms($4)
	else if (f ~ /^kiln-/) { e[f] = ms($4); e["hlast"] = ms($4) }
	next
}
/sched_process_exit/ {
	c = val("comm")
	if (c == "newuidmap") e["uidexit"] = ms($4)
	if (c == "newgidmap") e["gidexit"] = ms($4)
}
function flush(   line) {
	getline line <readyfile
	split(line, kv, "[= ]")
	printf "%6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f\n",
	    e["exec"], e["nsfork"], e["uid"], e["uidexit"], e["gid"], e["gidexit"],
	    e["hfork"], e["kiln-snapd"], e["kiln-execd"], e["kiln-netd"],
	    e["kiln-solverd"], kv[2]
}
END { if (n) flush() }' "$W/events" >"$W/rows"

echo "kilnd --net=host, $RUNS runs, $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg);"
echo "median ms after fork (perf sched tracepoints; READY=1 from ready-time):"
for c in 1 2 3 4 5 6 7 8 9 10 11 12; do
	sort -n -k"$c" "$W/rows" | awk -v c="$c" '{ v[NR] = $c }
	    END { printf "%s ", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
done | awk '{
	printf "  %-44s %6.1f\n", "exec kilnd", $1
	printf "  %-44s %6.1f  (+%.1f)\n", "fork of the namespace child", $2, $2 - $1
	printf "  %-44s %6.1f  (+%.1f)\n", "exec newuidmap", $3, $3 - $2
	printf "  %-44s %6.1f  (newuidmap ran %.1f)\n", "newuidmap exited", $4, $4 - $3
	printf "  %-44s %6.1f  (newgidmap ran %.1f)\n", "newgidmap exited", $6, $6 - $5
	printf "  %-44s %6.1f  (+%.1f)\n", "fork of the first helper", $7, $7 - $6
	printf "  %-44s %6.1f\n", "exec kiln-snapd", $8
	printf "  %-44s %6.1f\n", "exec kiln-execd", $9
	printf "  %-44s %6.1f\n", "exec kiln-netd", $10
	printf "  %-44s %6.1f\n", "exec kiln-solverd", $11
	printf "  %-44s %6.1f  (+%.1f after the last exec)\n", "READY=1", $12, $12 - $11
}'
