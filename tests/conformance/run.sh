#!/bin/sh
# run.sh: the Dockerfile conformance suite: builds every case with the real daemon and compares rootfs and config with Docker's documented behaviour (README.md).
. "$KILN_SRCDIR/tests/integration/lib.sh"
CONF=$KILN_SRCDIR/tests/conformance
. "$CONF/check.sh"
. "$CONF/probe.sh"
kiln_setup
kiln_start --net=host --test-hooks

sh "$KILN_SRCDIR/tests/tools/mkbase.sh" "$T/base" >/dev/null ||
    fail "mkbase.sh failed"
kilnctl image import "$T/base" --name busybox >"$T/import" 2>&1 ||
    fail "image import: $(cat "$T/import")"
# for cases that pass --secret id=...,env=KILN_CONF_SECRET
export KILN_CONF_SECRET=secret-from-env

# conf_selected NAME: whether CONFORMANCE_ONLY (patterns) lets NAME run
conf_selected() {
	[ -n "${CONFORMANCE_ONLY:-}" ] || return 0
	for pat in $CONFORMANCE_ONLY; do
		# shellcheck disable=SC2254
		case $1 in $pat|$pat-*) return 0 ;; esac
	done
	return 1
}

# The case's own build, from its work directory (args may name files there).
conf_build() {
	set --
	if [ -f "$D/args" ]; then
		eval "set -- $(cat "$D/args")"
	fi
	df=
	[ -f "$W/Dockerfile" ] && df="-f $W/Dockerfile"
	# shellcheck disable=SC2086
	(cd "$W" && kilnctl build --progress=plain $df -t "conf-$NUM" \
	    --output "type=local,dest=$OUT" "$@" "$W/ctx")
}

# The copy of the context a case builds, with deterministic modes.
conf_context() {
	if [ -d "$D/context" ]; then
		cp -R "$D/context" "$W/ctx"
	else
		mkdir "$W/ctx"
	fi
	find "$W/ctx" -type d -exec chmod 0755 {} +
	find "$W/ctx" -type f -exec chmod 0644 {} +
	for f in "$D"/*Dockerfile*; do
		[ -f "$f" ] && cp "$f" "$W/"
	done
	[ -f "$D/setup" ] || return 0
	(cd "$W/ctx" && W=$W sh "$D/setup") >"$W/setup.log" 2>&1 ||
	    { why "setup failed: $(tail -n 5 "$W/setup.log")"; return 1; }
}

# conf_case DIR: builds one case and checks all but owners.
conf_case() {
	D=$1
	NAME=$(basename "$D")
	NUM=${NAME%%-*}
	W=$T/c/$NAME
	OUT=$W/out
	mkdir -p "$W"
	: >"$W/why"
	: >"$W/owners.want"
	echo "== $NAME"
	conf_context || return 0
	if [ -f "$W/Dockerfile.pre" ] &&
	    ! kilnctl build --progress=plain -f "$W/Dockerfile.pre" \
	    -t "conf-pre-$NUM" "$W/ctx" >"$W/pre.log" 2>&1; then
		why "Dockerfile.pre failed: $(tail -n 10 "$W/pre.log")"
		return 0
	fi
	rc=0
	conf_build >"$W/build.log" 2>&1 || rc=$?
	if [ -f "$D/error" ]; then
		[ "$rc" != 0 ] || why "the build succeeded, want an error"
		while IFS= read -r e; do
			[ -z "$e" ] || grep -Fq -e "$e" "$W/build.log" ||
			    why "error: no '$e' in: $(tail -n 5 "$W/build.log")"
		done <"$D/error"
		return 0
	fi
	if [ "$rc" != 0 ]; then
		why "build failed ($rc): $(tail -n 15 "$W/build.log")"
		return 0
	fi
	if [ -f "$D/expect" ]; then
		conf_expect "$D/expect" || :
	fi
	if [ -f "$D/config" ]; then
		conf_config "$D/config" "conf-$NUM" || :
	fi
	return 0
}

# conf_chunk K J: every J-th selected case from the K-th on, one after the
# other; J chunks run at once (the daemon builds them side by side).
conf_chunk() {
	i=0
	for d in "$CONF/${CONFORMANCE_DIR:-cases}"/*/; do
		conf_selected "$(basename "$d")" || continue
		i=$((i + 1))
		[ $((i % $2)) = "$1" ] || continue
		conf_case "${d%/}"
		: >"$W/done"
	done
}

mkdir -p "$T/c"
jobs=${CONFORMANCE_JOBS:-2}
k=0
pids=
while [ "$k" -lt "$jobs" ]; do
	conf_chunk "$k" "$jobs" >"$T/chunk-$k.log" 2>&1 &
	pids="$pids $!"
	k=$((k + 1))
done
for p in $pids; do
	wait "$p" || echo "a chunk of cases stopped with status $?: $(tail -n 3 "$T"/chunk-*.log)"
done
probe=
for w in "$T"/c/*/; do
	[ -s "$w/owners.want" ] && [ ! -s "$w/why" ] && probe="$probe $(basename "$w")"
done
# shellcheck disable=SC2086
conf_probe $probe

n=0
bad=
for w in "$T"/c/*/; do
	name=$(basename "$w")
	n=$((n + 1))
	[ -f "$w/done" ] || echo "the driver stopped in this case" >>"$w/why"
	if [ -s "$w/why" ]; then
		echo "FAIL $name: $(head -n 12 "$w/why")"
		bad="$bad $name"
	else
		echo "ok $name"
	fi
done
chmod -R u+rwX "$T/c" "$T"/probe* 2>/dev/null || :
if [ -n "${CONFORMANCE_KEEP:-}" ]; then
	mkdir -p "$CONFORMANCE_KEEP"
	cp -R "$T/c" "$T/probe"* "$CONFORMANCE_KEEP/" 2>/dev/null || true
fi
nbad=$(echo "$bad" | wc -w)
echo "$n cases, $((n - nbad)) passed, $nbad failed"
[ "$n" -gt 0 ] || fail "no case ran"
[ -z "$bad" ] || fail "conformance cases failed:$bad"
kiln_stop
echo ok
