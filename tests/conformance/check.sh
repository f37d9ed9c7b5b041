# check.sh: the conformance suite's comparisons: expect lines against a type=local output, config subsets, owners from the probe build.
# Sourced by run.sh; each conf_* function appends what is wrong to $W/why and
# returns non-zero when something is.

# why MESSAGE: one reason a case failed
why() {
	printf '%s\n' "$*" >>"$W/why"
}

# The octal mode of $1, four digits.
conf_mode() {
	printf '%04o' "0$(stat -c %a "$1")"
}

# Up to 80 bytes of file $1, escaped, on one line.
conf_show() {
	head -c 80 "$1" | od -An -c | tr -d '\n' | tr -s ' '
}

# Checks the CONTENT column of an f line: $1 file, $2 spec, $3 its path.
conf_content() {
	case $2 in
	'') return 0 ;;
	=*)
		printf '%b' "${2#=}" >"$W/want.tmp"
		cmp -s "$1" "$W/want.tmp" && return 0
		why "$3: content '$(conf_show "$1")', want '$(conf_show "$W/want.tmp")'"
		return 1 ;;
	sha256:*)
		[ "sha256:$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ] && return 0
		why "$3: sha256 $(sha256sum "$1" | cut -d' ' -f1), want ${2#sha256:}"
		return 1 ;;
	size:*)
		[ "$(wc -c <"$1" | tr -d ' ')" = "${2#size:}" ] && return 0
		why "$3: size $(wc -c <"$1" | tr -d ' '), want ${2#size:}"
		return 1 ;;
	esac
	why "$3: bad content spec '$2' in expect"
	return 1
}

# One typed line: $1 type, $2 mode, $3 owner, $4 path (decoded), $5 content.
conf_typed() {
	p=$OUT$4
	case $1 in
	f) [ -f "$p" ] && [ ! -L "$p" ] ;;
	d) [ -d "$p" ] && [ ! -L "$p" ] ;;
	p) [ -p "$p" ] ;;
	esac || {
		if [ -L "$p" ] || [ -e "$p" ]; then
			why "$4: is $(stat -c %F "$p"), want type $1"
		else
			why "$4: missing"
		fi
		return 1
	}
	if [ "$2" != - ] && [ "$(conf_mode "$p")" != "$2" ]; then
		why "$4: mode $(conf_mode "$p"), want $2"
		return 1
	fi
	[ "$3" = - ] || printf '%s %s\n' "$3" "$4" >>"$W/owners.want"
	[ "$1" = f ] || return 0
	conf_content "$p" "$5" "$4"
}

# Adds $1 and its parents to the list of named paths.
conf_named() {
	n=$1
	while [ -n "$n" ] && [ "$n" != / ]; do
		printf '%s\n' "$n" >>"$W/named"
		n=${n%/*}
	done
}

# conf_expect EXPECT: every line of EXPECT holds in $OUT.
conf_expect() {
	: >"$W/named"
	: >"$W/only"
	bad=0
	while read -r t a b c rest; do
		case $t in
		''|'#'*) continue ;;
		l)
			path=$(printf '%b' "$a")
			conf_named "$path"
			if [ ! -L "$OUT$path" ]; then
				why "$path: not a symlink"
				bad=1
			elif [ "$(readlink "$OUT$path")" != "$c" ]; then
				why "$path: -> $(readlink "$OUT$path"), want -> $c"
				bad=1
			fi ;;
		'!')
			path=$(printf '%b' "$a")
			if [ -e "$OUT$path" ] || [ -L "$OUT$path" ]; then
				why "$path: exists ($(stat -c %F "$OUT$path")), want nothing"
				bad=1
			fi ;;
		only)
			printf '%b\n' "$a" >>"$W/only" ;;
		f|d|p)
			path=$(printf '%b' "$c")
			conf_named "$path"
			conf_typed "$t" "$a" "$b" "$path" "$rest" || bad=1 ;;
		*)
			why "bad expect line: $t $a $b $c $rest"
			bad=1 ;;
		esac
	done <"$1"
	conf_only || bad=1
	return $bad
}

# The `only` lines: nothing under those paths but what expect names.
conf_only() {
	ok=0
	sort -u "$W/named" >"$W/named.s"
	while read -r o; do
		[ -d "$OUT$o" ] || { why "only $o: not a directory"; ok=1; continue; }
		(cd "$OUT$o" && find . -mindepth 1) | sed "s|^\.|${o%/}|" | sort >"$W/found"
		extra=$(comm -23 "$W/found" "$W/named.s" | head -5 | tr '\n' ' ')
		[ -z "$extra" ] || { why "only $o: also has $extra"; ok=1; }
	done <"$W/only"
	return $ok
}

# conf_config EXPECTED-JSON IMAGE: the image's config has the expected subset.
conf_config() {
	if ! kilnctl debug call IMAGE_RESOLVE "[\"$2\"]" >"$W/resolved" 2>&1 ||
	    ! grep -q '^IMAGE_RESOLVED ' "$W/resolved"; then
		why "config: IMAGE_RESOLVE $2: $(head -c 300 "$W/resolved")"
		return 1
	fi
	sed 's/^IMAGE_RESOLVED //' "$W/resolved" | jq -r '.[1]' >"$W/config.json"
	if ! jq -e --slurpfile want "$1" '
	    def sub($e; $a):
	        if ($e | type) == "object" then
	            ($a | type) == "object" and
	            all($e | to_entries[]; . as $kv | sub($kv.value; $a[$kv.key]))
	        else $e == $a end;
	    ($want[0] | with_entries(select(.key | test("^[A-Z]")))) as $c |
	    ($want[0] | with_entries(select(.key | test("^[A-Z]") | not))) as $t |
	    sub($t; .) and sub($c; .config // {})' "$W/config.json" >/dev/null 2>&1; then
		why "config: want $(jq -c . "$1")"
		why "config: have $(jq -c '.config + {author}' "$W/config.json" 2>&1 | head -c 1500)"
		return 1
	fi
}
