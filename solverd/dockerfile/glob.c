/* glob.c: the shell patterns of ${v#p} ${v%p} ${v/p/r}, as BuildKit turns them into regexps: *, ?, \ escapes. */
#include <stddef.h>
#include "internal.h"

/* \ escapes only *, ? and \ (and drops itself before } and /) */
int
df_glob_check(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != '\\')
			continue;
		if (i + 1 >= n)
			return -1;
		i++;
		if (p[i] != '*' && p[i] != '?' && p[i] != '\\' && p[i] != '}' &&
		    p[i] != '/')
			return -1;
	}
	return 0;
}

/* The pattern's next element at *pi: 1 with *lit set for a literal (an
 * escaped one, or any other character), 0 for ?, and *pi moved past it. */
static int
glob_elem(const char *p, size_t pn, size_t *pi, char *lit)
{
	char c = p[(*pi)++];

	if (c == '\\' && *pi < pn) {
		*lit = p[(*pi)++];
		return 1;
	}
	*lit = c;
	return c != '?';
}

/* Whether all of s matches the pattern: * runs of any bytes, ? one byte. */
int
df_glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0, save;
	char lit;
	int islit;

	while (si < sn) {
		if (pi < pn && p[pi] == '*') {
			star_p = ++pi;
			star_s = si;
			continue;
		}
		if (pi < pn) {
			save = pi;
			islit = glob_elem(p, pn, &pi, &lit);
			if (!islit || lit == s[si]) {
				si++;
				continue;
			}
			pi = save;
		}
		if (star_p == (size_t)-1)
			return 0;
		pi = star_p;
		si = ++star_s;
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}
