/* glob.c: the shell patterns of ${v#p} ${v%p} ${v/p/r} (*, ?, \ escapes, as BuildKit turns them into regexps), matched in linear time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

/* elements: '*' any run, '?' one byte, 'l' the literal c */
struct gel {
	char	kind, c;
};

struct df_glob {
	struct gel	*el;
	size_t		 n;
	unsigned char	*cur, *nxt;	/* NFA state sets, n + 1 each */
};

void
df_glob_free(struct df_glob *g)
{
	if (g == NULL)
		return;
	free(g->el);
	free(g->cur);
	free(g->nxt);
	free(g);
}

struct df_glob *
df_glob_compile(const char *p, size_t n)
{
	struct df_glob *g = calloc(1, sizeof(*g));
	size_t i;

	if (g == NULL)
		return NULL;
	g->el = malloc((n + 1) * sizeof(*g->el));
	g->cur = malloc(n + 1);
	g->nxt = malloc(n + 1);
	if (g->el == NULL || g->cur == NULL || g->nxt == NULL) {
		df_glob_free(g);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n)
			g->el[g->n++] = (struct gel){ 'l', p[++i] };
		else if (p[i] == '*' || p[i] == '?')
			g->el[g->n++] = (struct gel){ p[i], 0 };
		else
			g->el[g->n++] = (struct gel){ 'l', p[i] };
	}
	return g;
}

/* the element k steps into the pattern, from its end when rev */
static const struct gel *
glob_el(const struct df_glob *g, size_t k, int rev)
{
	return &g->el[rev ? g->n - 1 - k : k];
}

/* a * matches nothing too: its state implies the next one */
static void
glob_close(const struct df_glob *g, unsigned char *set, int rev)
{
	size_t k;

	for (k = 0; k < g->n; k++)
		if (set[k] && glob_el(g, k, rev)->kind == '*')
			set[k + 1] = 1;
}

static int
glob_step(const struct df_glob *g, char c, int rev)
{
	const struct gel *e;
	size_t k;
	int any = 0;

	memset(g->nxt, 0, g->n + 1);
	for (k = 0; k < g->n; k++) {
		if (!g->cur[k])
			continue;
		e = glob_el(g, k, rev);
		if (e->kind == '*')
			g->nxt[k] = 1;
		else if (e->kind == '?' || e->c == c)
			g->nxt[k + 1] = 1;
	}
	glob_close(g, g->nxt, rev);
	memcpy(g->cur, g->nxt, g->n + 1);
	for (k = 0; k <= g->n; k++)
		any |= g->cur[k];
	return any;
}

/*
 * The length of the shortest (longest) prefix of s the pattern matches,
 * or -1; with rev, of the suffix (the pattern and s read backwards).
 */
long
df_glob_prefix(const struct df_glob *g, const char *s, size_t n, int longest,
    int rev)
{
	long best = -1;
	size_t k;

	memset(g->cur, 0, g->n + 1);
	g->cur[0] = 1;
	glob_close(g, g->cur, rev);
	for (k = 0;; k++) {
		if (g->cur[g->n]) {
			best = (long)k;
			if (!longest)
				return best;
		}
		if (k == n || !glob_step(g, s[rev ? n - 1 - k : k], rev))
			return best;
	}
}
