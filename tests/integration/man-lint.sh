#!/bin/sh
# man-lint.sh: every man page lints clean with mandoc -Tlint -W warning (STYLE rule 20).
set -eu
: "${KILN_SRCDIR:?run through make check}"

if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP: mandoc is not installed (apt-get install mandoc)"
	exit 77
fi
out=$(mktemp "${TMPDIR:-/tmp}/kiln-man-lint.XXXXXX")
trap 'rm -f "$out"' EXIT
n=0
bad=0
for page in "$KILN_SRCDIR"/man/*.[158]; do
	[ -f "$page" ] || continue
	n=$((n + 1))
	# mandoc exits 0 even for some messages: any output is a failure
	if ! mandoc -Tlint -W warning "$page" >"$out" 2>&1 || [ -s "$out" ]; then
		echo "FAIL: $page:"
		cat "$out"
		bad=$((bad + 1))
	fi
done
[ "$n" -ge 7 ] || { echo "FAIL: expected 7 man pages in $KILN_SRCDIR/man, found $n"; exit 1; }

# every flag kilnd --help lists has its entry in kilnd.8 and its key in
# kilnd.conf.5 (mdoc writes --net-mode as "Fl \-net\-mode")
if [ -x "${KILN_BUILDDIR:-}/kilnd" ]; then
	flags=$("$KILN_BUILDDIR/kilnd" --help | grep -o -e '--[a-z][a-z-]*' | sort -u)
	[ -n "$flags" ] || { echo "FAIL: no flags in kilnd --help"; exit 1; }
	for f in $flags; do
		key=${f#--}
		mdoc=$(printf '%s' "$key" | sed 's/-/\\\\-/g')
		grep -q "^\.It Fl \\\\-$mdoc\( \|$\)" "$KILN_SRCDIR/man/kilnd.8" ||
		    { echo "FAIL: kilnd.8 has no .It entry for $f"; bad=$((bad + 1)); }
		[ "$key" = config ] && continue
		grep -q "^\.It Cm $mdoc\( \|$\)" "$KILN_SRCDIR/man/kilnd.conf.5" ||
		    { echo "FAIL: kilnd.conf.5 has no key $key"; bad=$((bad + 1)); }
	done
fi
[ "$bad" = 0 ] || exit 1
echo "ok: $n pages lint clean"
