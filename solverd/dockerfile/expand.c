/* expand.c: Docker's shell lexer: quotes, the escape character, $v ${v} ${v:-w} ${v-w} ${v:+w} ${v+w} ${v:?w} ${v#p} ${v%p} ${v/p/r}. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* ${a:-${b:-${c...}}} nests: bounded, as every recursion here */
#define XP_MAX_DEPTH	64

struct xp {
	const char	*s;
	size_t		 n, i;
	char		 esc;
	unsigned	 opts;
	df_lookup_fn	 lookup;
	void		*arg;
	unsigned	 depth;
	char		*err;
	size_t		 errsize;
	size_t		 erroff;	/* where the failing construct began */
};

/* Words being split: a word ends at unquoted, unescaped blanks. */
struct xw {
	struct df_xwords *out;
	struct df_buf	 cur;
	size_t		 start;		/* where cur began in the text */
	int		 oom;
};

static int
xp_peek(const struct xp *x)
{
	return x->i < x->n ? (unsigned char)x->s[x->i] : -1;
}

static int
xp_next(struct xp *x)
{
	return x->i < x->n ? (unsigned char)x->s[x->i++] : -1;
}

static int xp_fail(struct xp *x, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
xp_fail(struct xp *x, size_t at, const char *fmt, ...)
{
	va_list ap;

	if (x->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(x->err, x->errsize, fmt, ap);
		va_end(ap);
		x->erroff = at;
	}
	return -EINVAL;
}

static void
xw_end(struct xw *w)
{
	struct df_xwords *o;
	size_t *off;
	char *s;

	if (w == NULL || w->cur.n == 0)
		return;
	o = w->out;
	if (df_vec_grow(&o->v, &o->cap, o->n, sizeof(*o->v)) < 0) {
		w->oom = 1;
		return;
	}
	/* off grows with v: same count, its own allocation */
	if ((off = realloc(o->off, o->cap * sizeof(*off))) == NULL) {
		w->oom = 1;
		return;
	}
	o->off = off;
	if ((s = df_buf_take(&w->cur)) == NULL) {
		w->oom = 1;
		return;
	}
	o->off[o->n] = w->start;
	o->v[o->n++] = s;
	o->v[o->n] = NULL;
}

/* a character that is part of a word whatever it is (quoted, escaped) */
static void
xw_raw(struct xw *w, const char *s, size_t n, size_t at)
{
	if (w == NULL)
		return;
	if (w->cur.n == 0)
		w->start = at;
	df_buf_add(&w->cur, s, n);
}

/* characters that split on blanks (plain text, expanded variables) */
static void
xw_split(struct xw *w, const char *s, size_t n, size_t at)
{
	size_t k;

	if (w == NULL)
		return;
	for (k = 0; k < n; k++) {
		if (df_isspace((unsigned char)s[k]))
			xw_end(w);
		else
			xw_raw(w, s + k, 1, at);
	}
}

static int xp_stop_on(struct xp *x, int stop, struct df_buf *res,
    struct xw *w);

static int
xp_single(struct xp *x, struct df_buf *out)
{
	size_t start = x->i;
	int c;

	xp_next(x);
	if (x->opts & DF_XP_RAW_QUOTES)
		df_buf_addc(out, '\'');
	for (;;) {
		c = xp_next(x);
		if (c == -1)
			return xp_fail(x, start, "unexpected end of statement while looking for matching single-quote");
		if (c == '\'')
			break;
		df_buf_addc(out, (char)c);
	}
	if (x->opts & DF_XP_RAW_QUOTES)
		df_buf_addc(out, '\'');
	return 0;
}

static int xp_dollar(struct xp *x, struct df_buf *out);

/* In double quotes the escape character escapes only ", $ and itself. */
static int
xp_double(struct xp *x, struct df_buf *out)
{
	size_t start = x->i;
	int c, r;

	xp_next(x);
	if (x->opts & DF_XP_RAW_QUOTES)
		df_buf_addc(out, '"');
	for (;;) {
		c = xp_peek(x);
		if (c == -1)
			return xp_fail(x, start, "unexpected end of statement while looking for matching double-quote");
		if (c == '"')
			break;
		if (c == '$') {
			if ((r = xp_dollar(x, out)) < 0)
				return r;
			continue;
		}
		xp_next(x);
		if (c == x->esc) {
			c = xp_peek(x);
			if (c == -1)
				continue;	/* then the missing quote */
			if (c == '"' || c == '$' || c == x->esc) {
				if (x->opts & DF_XP_RAW_ESCAPES)
					df_buf_addc(out, x->esc);
				xp_next(x);
			} else {
				c = x->esc;
			}
		}
		df_buf_addc(out, (char)c);
	}
	xp_next(x);
	if (x->opts & DF_XP_RAW_QUOTES)
		df_buf_addc(out, '"');
	return 0;
}

static int
is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* A name: digits ($1, $10), one special parameter ($@ $* $# $? $- $$ $!),
 * or letters, digits and _. */
static void
xp_name(struct xp *x, struct df_buf *name)
{
	int c = xp_peek(x);

	if (c >= '0' && c <= '9') {
		while ((c = xp_peek(x)) >= '0' && c <= '9')
			df_buf_addc(name, (char)xp_next(x));
		return;
	}
	if (c != -1 && strchr("@*#?-$!", c)) {
		df_buf_addc(name, (char)xp_next(x));
		return;
	}
	while (is_name_char(xp_peek(x)))
		df_buf_addc(name, (char)xp_next(x));
}

static const char *
xp_get(struct xp *x, const struct df_buf *name)
{
	return x->lookup && name->p ? x->lookup(name->p, x->arg) : NULL;
}

/* ${v#p} ${v##p} ${v%p} ${v%%p}: the shortest (longest) match removed */
static void
xp_trim(const char *v, const char *pat, size_t pn, int suffix, int longest,
    struct df_buf *out)
{
	struct df_glob *g = df_glob_compile(pat, pn);
	size_t n = strlen(v);
	long k;

	if (g == NULL) {
		out->oom = 1;
		return;
	}
	k = df_glob_prefix(g, v, n, longest, suffix);
	df_glob_free(g);
	if (k < 0)
		df_buf_adds(out, v);
	else if (suffix)
		df_buf_add(out, v, n - (size_t)k);
	else
		df_buf_adds(out, v + k);
}

/* ${v/p/r} ${v//p/r}: leftmost, longest matches replaced; as Go's
 * ReplaceAll, an empty match right after a match is not one */
static void
xp_replace(const char *v, const char *pat, size_t pn, const char *rep,
    int all, struct df_buf *out)
{
	struct df_glob *g = df_glob_compile(pat, pn);
	size_t n = strlen(v), i = 0, last = (size_t)-1;
	int done = 0;
	long k;

	if (g == NULL) {
		out->oom = 1;
		return;
	}
	while (i <= n) {
		k = done ? -1 : df_glob_prefix(g, v + i, n - i, 1, 0);
		if (k < 0 || (k == 0 && i == last)) {
			if (i < n)
				df_buf_addc(out, v[i]);
			i++;
			continue;
		}
		df_buf_adds(out, rep);
		done = !all;
		last = i + (size_t)k;
		if (k == 0) {
			if (i < n)
				df_buf_addc(out, v[i]);
			i++;
		} else {
			i += (size_t)k;
		}
	}
	df_glob_free(g);
}

/* The word after ${v:- (up to }), or the pattern of ${v/ (up to /). */
static int
xp_sub_word(struct xp *x, size_t start, int stop, int raw,
    struct df_buf *word)
{
	unsigned save = x->opts;
	int r;

	if (raw)
		x->opts |= DF_XP_RAW_ESCAPES;
	r = xp_stop_on(x, stop, word, NULL);
	x->opts = save;
	if (r < 0 && xp_peek(x) == -1) {
		x->err[0] = '\0';
		return xp_fail(x, start, stop == '/' ? "syntax error: missing '/' in ${}" :
		    "syntax error: missing '}'");
	}
	return r;
}

static int
xp_modifier(struct xp *x, size_t start, const struct df_buf *name, int op,
    int colon, struct df_buf *out)
{
	struct df_buf word = { 0 };
	const char *v;
	char chs[3] = { ':', (char)op, '\0' };
	int r, raw = op == '#' || op == '%', empty;

	if (op == -1)
		chs[1] = '\0';
	if (colon && raw)
		return xp_fail(x, start, "unsupported modifier (%s) in substitution", chs);
	if ((r = xp_sub_word(x, start, '}', raw, &word)) < 0)
		goto out;
	if (colon && op != '-' && op != '+' && op != '?') {
		r = xp_fail(x, start, "unsupported modifier (%s) in substitution", chs);
		goto out;
	}
	if (raw && df_glob_check(word.p ? word.p : "", word.n) < 0) {
		r = xp_fail(x, start, "invalid pattern (%s) in substitution: invalid escape", word.p ? word.p : "");
		goto out;
	}
	v = xp_get(x, name);
	if (v == NULL && (x->opts & DF_XP_SKIP_UNSET)) {
		df_buf_adds(out, "${");
		df_buf_adds(out, name->p ? name->p : "");
		df_buf_adds(out, colon ? chs : chs + 1);
		df_buf_add(out, word.p, word.n);
		df_buf_addc(out, '}');
		goto out;
	}
	empty = v == NULL || (colon && v[0] == '\0');
	switch (op) {
	case '-':
		if (empty)
			df_buf_add(out, word.p, word.n);
		else
			df_buf_adds(out, v);
		break;
	case '+':
		if (!empty)
			df_buf_add(out, word.p, word.n);
		break;
	case '?':
		if (empty) {
			r = xp_fail(x, start, "%s: %s", name->p ? name->p : "", word.n ? word.p :
			    v == NULL ? "is not allowed to be unset" : "is not allowed to be empty");
			goto out;
		}
		df_buf_adds(out, v);
		break;
	default:	/* # and %, ## and %% */
		r = word.n && word.p[0] == op;
		xp_trim(v ? v : "", word.p ? word.p + r : "", word.n - (size_t)r,
		    op == '%', r, out);
		r = 0;
		break;
	}
out:
	df_buf_free(&word);
	return r;
}

static int
xp_slash(struct xp *x, size_t start, const struct df_buf *name,
    struct df_buf *out)
{
	struct df_buf pat = { 0 }, rep = { 0 };
	const char *v;
	int all = 0, r;

	if (xp_peek(x) == '/') {
		xp_next(x);
		all = 1;
	}
	if ((r = xp_sub_word(x, start, '/', 1, &pat)) < 0 ||
	    (r = xp_sub_word(x, start, '}', 1, &rep)) < 0)
		goto out;
	if (df_glob_check(pat.p ? pat.p : "", pat.n) < 0) {
		r = xp_fail(x, start, "invalid pattern (%s) in substitution: invalid escape", pat.p ? pat.p : "");
		goto out;
	}
	v = xp_get(x, name);
	if (v == NULL && (x->opts & DF_XP_SKIP_UNSET)) {
		df_buf_adds(out, "${");
		df_buf_adds(out, name->p ? name->p : "");
		df_buf_adds(out, all ? "//" : "/");
		df_buf_add(out, pat.p, pat.n);
		df_buf_addc(out, '/');
		df_buf_add(out, rep.p, rep.n);
		df_buf_addc(out, '}');
		goto out;
	}
	xp_replace(v ? v : "", pat.p ? pat.p : "", pat.n, rep.p ? rep.p : "",
	    all, out);
out:
	df_buf_free(&pat);
	df_buf_free(&rep);
	return r;
}

static int
xp_braces(struct xp *x, size_t start, struct df_buf *name,
    struct df_buf *out)
{
	const char *v;
	int c;

	xp_next(x);
	c = xp_peek(x);
	if (c == -1)
		return xp_fail(x, start, "syntax error: missing '}'");
	if (c == '{' || c == '}' || c == ':')
		return xp_fail(x, start, "syntax error: bad substitution");
	xp_name(x, name);
	c = xp_next(x);
	switch (c) {
	case '}':
		v = xp_get(x, name);
		if (v == NULL && (x->opts & DF_XP_SKIP_UNSET)) {
			df_buf_adds(out, "${");
			df_buf_adds(out, name->p ? name->p : "");
			df_buf_addc(out, '}');
		} else if (v) {
			df_buf_adds(out, v);
		}
		return 0;
	case ':':
		return xp_modifier(x, start, name, xp_next(x), 1, out);
	case '+': case '-': case '?': case '#': case '%':
		return xp_modifier(x, start, name, c, 0, out);
	case '/':
		return xp_slash(x, start, name, out);
	case -1:
		return xp_fail(x, start, "syntax error: missing '}'");
	default:
		return xp_fail(x, start, "missing ':' in substitution");
	}
}

static int
xp_dollar(struct xp *x, struct df_buf *out)
{
	struct df_buf name = { 0 };
	size_t start = x->i;
	const char *v;
	int r = 0;

	if (++x->depth > XP_MAX_DEPTH) {
		r = xp_fail(x, start, "syntax error: substitutions nested too deeply");
		goto out;
	}
	xp_next(x);
	if (xp_peek(x) == '{') {
		r = xp_braces(x, start, &name, out);
		goto out;
	}
	xp_name(x, &name);
	if (name.n == 0) {
		df_buf_addc(out, '$');
		goto out;
	}
	v = xp_get(x, &name);
	if (v == NULL && (x->opts & DF_XP_SKIP_UNSET)) {
		df_buf_addc(out, '$');
		df_buf_add(out, name.p, name.n);
	} else if (v) {
		df_buf_adds(out, v);
	}
out:
	x->depth--;
	if (name.oom)
		out->oom = 1;
	df_buf_free(&name);
	return r;
}

/* The text up to stop (-1: the end): the result into res, words into w. */
static int
xp_stop_on(struct xp *x, int stop, struct df_buf *res, struct xw *w)
{
	struct df_buf tmp = { 0 };
	size_t at;
	int c, r = 0;
	char ch;

	while ((c = xp_peek(x)) != -1) {
		at = x->i;
		if (c == stop) {
			xp_next(x);
			goto out;
		}
		if (c == '\'' || c == '"' || c == '$') {
			tmp.n = 0;
			r = c == '\'' ? xp_single(x, &tmp) : c == '"' ?
			    xp_double(x, &tmp) : xp_dollar(x, &tmp);
			if (r < 0)
				goto out;
			df_buf_add(res, tmp.p, tmp.n);
			if (c == '$')
				xw_split(w, tmp.p, tmp.n, at);
			else
				xw_raw(w, tmp.p ? tmp.p : "", tmp.n, at);
			continue;
		}
		xp_next(x);
		if (c == x->esc) {
			if (x->opts & DF_XP_RAW_ESCAPES) {
				ch = (char)c;
				xw_raw(w, &ch, 1, at);
				df_buf_addc(res, ch);
			}
			/* escapes the next character; dropped at the end */
			if ((c = xp_next(x)) == -1)
				break;
			ch = (char)c;
			xw_raw(w, &ch, 1, at);
		} else {
			ch = (char)c;
			xw_split(w, &ch, 1, at);
		}
		df_buf_addc(res, ch);
	}
	if (stop != -1) {
		ch = (char)stop;
		r = xp_fail(x, x->i, "unexpected end of statement while looking for matching %c", ch);
	}
out:
	if (tmp.oom)
		res->oom = 1;
	df_buf_free(&tmp);
	return r;
}

int
df_expand(const char *text, size_t len, char escape, unsigned opts,
    df_lookup_fn lookup, void *arg, struct df_buf *word,
    struct df_xwords *words, char *errbuf, size_t errsize, size_t *erroff)
{
	struct xp x = { text, len, 0, escape, opts, lookup, arg, 0, errbuf,
	    errsize, 0 };
	struct xw w = { words, { 0 }, 0, 0 };
	int r;

	errbuf[0] = '\0';
	r = xp_stop_on(&x, -1, word, words ? &w : NULL);
	if (r == 0 && words)
		xw_end(&w);
	if (r == 0 && (word->oom || w.oom || w.cur.oom))
		r = -ENOMEM;
	df_buf_free(&w.cur);
	if (erroff)
		*erroff = x.erroff;
	return r;
}

void
df_xwords_free(struct df_xwords *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	free(w->off);
	memset(w, 0, sizeof(*w));
}

static void
xp_error(struct df_error *err, const char *word, size_t n, const char *why)
{
	char q[300];

	memset(err, 0, sizeof(*err));
	snprintf(err->msg, sizeof(err->msg), "failed to process %s: %s",
	    df_quote(word, n, q, sizeof(q)), why);
}

int
df_expand_word(const char *word, char escape, df_lookup_fn lookup,
    void *arg, char **out, struct df_error *err)
{
	struct df_buf b = { 0 };
	char why[256];
	int r;

	*out = NULL;
	r = df_expand(word, strlen(word), escape, 0, lookup, arg, &b, NULL,
	    why, sizeof(why), NULL);
	if (r == -EINVAL)
		xp_error(err, word, strlen(word), why);
	if (r < 0) {
		df_buf_free(&b);
		return r;
	}
	*out = df_buf_take(&b);
	return *out ? 0 : -ENOMEM;
}

int
df_expand_words(const char *text, char escape, df_lookup_fn lookup,
    void *arg, char ***out, size_t *n, struct df_error *err)
{
	struct df_xwords w = { 0 };
	struct df_buf b = { 0 };
	char why[256];
	int r;

	*out = NULL;
	*n = 0;
	r = df_expand(text, strlen(text), escape, 0, lookup, arg, &b, &w,
	    why, sizeof(why), NULL);
	df_buf_free(&b);
	if (r == -EINVAL)
		xp_error(err, text, strlen(text), why);
	if (r == 0 && w.v == NULL && (w.v = calloc(1, sizeof(*w.v))) == NULL)
		r = -ENOMEM;
	if (r < 0) {
		df_xwords_free(&w);
		return r;
	}
	free(w.off);
	*out = w.v;
	*n = w.n;
	return 0;
}

void
df_words_free(char **words)
{
	size_t i;

	if (words == NULL)
		return;
	for (i = 0; words[i]; i++)
		free(words[i]);
	free(words);
}
