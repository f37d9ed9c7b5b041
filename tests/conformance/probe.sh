# probe.sh: reads owners inside a build: one probe Dockerfile bind-mounts each case's image and stats the paths its expect gives an owner.
# Sourced by run.sh. A type=local output belongs to the calling user, so this
# is where UID:GID as the image has them can be seen.

# conf_probe_file NAME...: the probe Dockerfile for these cases, on stdout.
conf_probe_file() {
	for n in "$@"; do
		printf 'FROM conf-%s AS p%s\n' "${n%%-*}" "${n%%-*}"
	done
	printf 'FROM busybox\nRUN mkdir /o\n'
	for n in "$@"; do
		num=${n%%-*}
		printf 'RUN --mount=type=bind,from=p%s,target=/r stat -c "%%u:%%g %%n"' "$num"
		while read -r own path; do
			printf " '/r%s'" "$path"
		done <"$T/c/$n/owners.want"
		printf ' >/o/%s 2>&1; true\n' "$num"
	done
}

# conf_probe_build DIR NAME...: builds the probe for these cases into DIR.
conf_probe_build() {
	dir=$1
	shift
	mkdir -p "$dir"
	conf_probe_file "$@" >"$dir/Dockerfile"
	mkdir -p "$dir/ctx"
	kilnctl build --progress=plain -f "$dir/Dockerfile" \
	    --output "type=local,dest=$dir/out" "$dir/ctx" >"$dir/log" 2>&1
}

# conf_probe_check DIR NAME: the owners the probe saw against the wanted ones.
conf_probe_check() {
	W=$T/c/$2
	got=$1/out/o/${2%%-*}
	[ -f "$got" ] || { why "owners: the probe wrote nothing"; return; }
	sed 's| /r/| /|; s| /r$| /|' "$got" >"$W/owners.got"
	while read -r own path; do
		grep -Fxq "$own $path" "$W/owners.got" && continue
		have=$(grep -F " $path" "$W/owners.got" | head -1)
		why "owners: $path is '${have%% *}', want $own"
	done <"$W/owners.want"
}

# conf_probe NAME...: all at once; one at a time when the batch fails, so
# one case's image that cannot be mounted blames that case alone.
conf_probe() {
	[ $# -gt 0 ] || return 0
	if conf_probe_build "$T/probe" "$@"; then
		for n in "$@"; do
			conf_probe_check "$T/probe" "$n"
		done
		return 0
	fi
	for n in "$@"; do
		W=$T/c/$n
		if conf_probe_build "$T/probe-$n" "$n"; then
			conf_probe_check "$T/probe-$n" "$n"
		else
			why "owners: probe build failed: $(tail -n 5 "$T/probe-$n/log" | tr '\n' ' ')"
		fi
	done
}
