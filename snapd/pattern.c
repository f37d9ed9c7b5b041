/* pattern.c: .dockerignore and COPY source patterns: Go filepath.Match per character, ** across directories, ! exceptions, last match wins. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "pattern.h"

#define PAT_MAX_STEPS	100000	/* a backtracking bound for hostile patterns */

/* One [...] class at *pp against c; advances *pp past it. -1 if malformed. */
static int
match_class(const char **pp, char c)
{
	const char *p = *pp + 1;
	int neg = 0, hit = 0, first = 1;

	if (*p == '^' || *p == '!') {
		neg = 1;
		p++;
	}
	for (; *p && (*p != ']' || first); first = 0) {
		char lo = *p, hi;

		if (lo == '\\' && p[1])
			lo = *++p;
		p++;
		hi = lo;
		if (*p == '-' && p[1] && p[1] != ']') {
			p++;
			if (*p == '\\' && p[1])
				p++;
			hi = *p++;
		}
		if (c >= lo && c <= hi)
			hit = 1;
	}
	if (*p != ']')
		return -1;
	*pp = p + 1;
	return hit != neg;
}

static int
match_at(const char *p, const char *s, int *steps)
{
	while (*p) {
		if (++*steps > PAT_MAX_STEPS)
			return 0;
		if (p[0] == '*' && p[1] == '*') {
			/* ** crosses directories; "**" + "/" may match nothing */
			const char *rest = p + 2;

			if (*rest == '/' && match_at(rest + 1, s, steps))
				return 1;
			for (const char *t = s;; t++) {
				if (match_at(rest, t, steps))
					return 1;
				if (!*t)
					return 0;
			}
		}
		if (*p == '*') {
			for (const char *t = s;; t++) {
				if (match_at(p + 1, t, steps))
					return 1;
				if (!*t || *t == '/')
					return 0;
			}
		}
		if (!*s)
			return 0;
		if (*p == '?') {
			if (*s == '/')
				return 0;
			/* one character, as Go counts them: a whole UTF-8 sequence */
			while (((unsigned char)s[1] & 0xc0) == 0x80)
				s++;
			p++;
		} else if (*p == '[') {
			int r;

			if (*s == '/' || (r = match_class(&p, *s)) <= 0)
				return 0;
		} else {
			if (*p == '\\' && p[1])
				p++;
			if (*p != *s)
				return 0;
			p++;
		}
		s++;
	}
	return *s == '\0';
}

int
pattern_match(const char *pattern, const char *path)
{
	int steps = 0;

	return match_at(pattern, path, &steps);
}

int
pattern_has_magic(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

/* Go's filepath.Clean of a pattern, without a leading "/" or "./". */
static int
clean(const char *in, char **out)
{
	size_t n = strlen(in), o = 0;
	char *buf = malloc(n + 2);
	const char *p = in;

	if (buf == NULL)
		return -ENOMEM;
	while (*p) {
		const char *c;
		size_t len;

		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - c);
		if (len == 0 || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			/* drop the last component, never above the root */
			while (o > 0 && buf[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o)
			buf[o++] = '/';
		memcpy(buf + o, c, len);
		o += len;
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
}

int
patterns_init(struct patterns *ps, char *const *pats, size_t n)
{
	memset(ps, 0, sizeof(*ps));
	ps->v = calloc(n ? n : 1, sizeof(*ps->v));
	if (ps->v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *p = pats[i];
		struct pattern *x = &ps->v[ps->n];

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || !*p)
			continue;	/* comments and blank lines of .dockerignore */
		if (*p == '!') {
			x->negate = 1;
			ps->has_negate = 1;
			p++;
		}
		if (clean(p, &x->pat) < 0) {
			patterns_free(ps);
			return -ENOMEM;
		}
		if (!*x->pat) {
			free(x->pat);
			continue;
		}
		ps->n++;
	}
	return 0;
}

void
patterns_free(struct patterns *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i].pat);
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

/* The pattern matches path or one of its parent directories. */
static int
matches_or_parent(const char *pat, const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (pattern_match(pat, path))
		return 1;
	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, path, n + 1);
	while (n > 0) {
		while (n > 0 && buf[n] != '/')
			n--;
		if (n == 0)
			break;
		buf[n] = '\0';
		if (pattern_match(pat, buf))
			return 1;
	}
	return 0;
}

int
patterns_excluded(const struct patterns *ps, const char *path)
{
	int excluded = 0;

	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].negate == excluded &&
		    matches_or_parent(ps->v[i].pat, path))
			excluded = !ps->v[i].negate;
	return excluded;
}
