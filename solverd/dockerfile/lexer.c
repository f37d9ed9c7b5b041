/* lexer.c: a Dockerfile's physical lines into instructions: parser directives, comments, continuations. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "internal.h"

enum {
	DIR_SYNTAX = 1 << 0,
	DIR_ESCAPE = 1 << 1,
	DIR_CHECK = 1 << 2,
};

void
df_lex_init(struct df_lexer *lx, const char *name, const char *text,
    size_t len, struct df_file *f, struct df_error *err)
{
	memset(lx, 0, sizeof(*lx));
	lx->name = name;
	lx->text = text;
	lx->len = len;
	lx->escape = '\\';
	lx->file = f;
	lx->err = err;
}

int
df_lex_raw_line(struct df_lexer *lx, const char **s, size_t *n)
{
	const char *nl;

	if (lx->off >= lx->len)
		return 0;
	*s = lx->text + lx->off;
	nl = memchr(*s, '\n', lx->len - lx->off);
	*n = nl ? (size_t)(nl - *s) + 1 : lx->len - lx->off;
	lx->off += *n;
	lx->line++;
	return 1;
}

/* The next physical line without its line ending (BuildKit trims every
 * trailing \r and \n) and, on the first line, without a UTF-8 BOM. */
static int
lex_line(struct df_lexer *lx, const char **s, size_t *n)
{
	if (!df_lex_raw_line(lx, s, n))
		return 0;
	while (*n && ((*s)[*n - 1] == '\n' || (*s)[*n - 1] == '\r'))
		(*n)--;
	if (lx->line == 1 && *n >= 3 && memcmp(*s, "\xef\xbb\xbf", 3) == 0) {
		*s += 3;
		*n -= 3;
	}
	return 1;
}

/* Go's regexp \s: no \v */
static int
re_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
check_bool(const char *s, size_t n)
{
	static const char *const ok[] = { "1", "t", "T", "TRUE", "true",
	    "True", "0", "f", "F", "FALSE", "false", "False" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strlen(ok[i]) == n && memcmp(ok[i], s, n) == 0)
			return 0;
	return -1;
}

static void
trim(const char **s, size_t *n)
{
	while (*n && df_isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && df_isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* # check=skip=A,B;error=true, as BuildKit's linter reads it */
static int
lex_check(struct df_lexer *lx, const char *v, size_t n, unsigned col)
{
	const char *p = v, *end = v + n, *semi, *eq, *k, *val;
	size_t kn, vn;
	char q[300];
	int parts = 0;

	while (p <= end && parts++ < 2) {
		semi = parts == 1 ? memchr(p, ';', (size_t)(end - p)) : NULL;
		if (semi == NULL)
			semi = end;
		eq = memchr(p, '=', (size_t)(semi - p));
		if (eq == NULL)
			return df_err_at(lx, (struct df_pos){ lx->line, col },
			    "invalid check option %s (expected skip=RULE,... or error=true|false)",
			    df_quote(p, (size_t)(semi - p), q, sizeof(q)));
		k = p;
		kn = (size_t)(eq - p);
		trim(&k, &kn);
		val = eq + 1;
		vn = (size_t)(semi - val);
		trim(&val, &vn);
		if (kn == 5 && memcmp(k, "error", 5) == 0) {
			if (check_bool(val, vn) < 0)
				return df_err_at(lx, (struct df_pos){ lx->line, col },
				    "failed to parse check option %s: expected true or false",
				    df_quote(p, (size_t)(semi - p), q, sizeof(q)));
		} else if (!(kn == 4 && memcmp(k, "skip", 4) == 0)) {
			return df_err_at(lx, (struct df_pos){ lx->line, col },
			    "invalid check option %s (expected skip or error)",
			    df_quote(k, kn, q, sizeof(q)));
		}
		p = semi + 1;
	}
	return 0;
}

static int
lex_set_directive(struct df_lexer *lx, unsigned bit, const char *v,
    size_t vn, unsigned col)
{
	char **dst = bit == DIR_SYNTAX ? &lx->file->syntax : &lx->file->check;
	int r;

	if (bit == DIR_ESCAPE) {
		if (vn != 1 || (v[0] != '\\' && v[0] != '`'))
			return df_err_at(lx, (struct df_pos){ lx->line, col },
			    "invalid escape token '%.*s' does not match ` or \\",
			    (int)(vn > 64 ? 64 : vn), v);
		lx->escape = v[0];
		return 0;
	}
	if (bit == DIR_CHECK && (r = lex_check(lx, v, vn, col)) < 0)
		return r;
	*dst = df_strndup(v, vn);
	return *dst ? 0 : -ENOMEM;
}

/*
 * A parser directive: ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$ on a line
 * before anything else. The first line that is not one (an instruction, a
 * comment, a blank line, an unknown directive) ends them.
 */
static int
lex_directive(struct df_lexer *lx, const char *s, size_t n, unsigned col)
{
	static const char *const names[] = { "syntax", "escape", "check" };
	size_t i = 1, k0, kn, v0, vn, ws;
	unsigned bit;

	if (lx->directives_done)
		return 0;
	lx->directives_done = 1;
	if (n == 0 || s[0] != '#')
		return 0;
	while (i < n && re_space((unsigned char)s[i]))
		i++;
	if (i >= n || !is_alpha((unsigned char)s[i]))
		return 0;
	k0 = i;
	while (i < n && (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i])))
		i++;
	kn = i - k0;
	while (i < n && re_space((unsigned char)s[i]))
		i++;
	if (i >= n || s[i] != '=')
		return 0;
	for (ws = 0, i++; i < n && re_space((unsigned char)s[i]); i++)
		ws++;
	v0 = i;
	vn = n - i;
	while (vn && re_space((unsigned char)s[v0 + vn - 1]))
		vn--;
	if (vn == 0) {
		/* (.+?) takes the last blank when there is nothing else */
		if (ws == 0 && v0 == n)
			return 0;
		v0 = n - 1;
		vn = 1;
	}
	for (bit = 0; bit < 3; bit++)
		if (strlen(names[bit]) == kn && strncasecmp(names[bit], s + k0, kn) == 0)
			break;
	if (bit == 3)
		return 0;	/* unknown: a comment, and the end of directives */
	if (lx->seen & (1u << bit))
		return df_err_at(lx, (struct df_pos){ lx->line, col },
		    "only one %s parser directive can be used", names[bit]);
	lx->seen |= 1u << bit;
	lx->directives_done = 0;
	return lex_set_directive(lx, 1u << bit, s + v0, vn, col + (unsigned)v0);
}

/*
 * BuildKit's ([^E])E[ \t]*$|^E[ \t]*$ with E the escape character: the line
 * goes on when it ends in E, unless E is itself escaped. Drops E and the
 * blanks after it.
 */
static int
lex_trim_continuation(const struct df_lexer *lx, const char *s, size_t *n)
{
	size_t e = *n;

	while (e && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	if (e == 0 || s[e - 1] != lx->escape)
		return 0;
	if (e >= 2 && s[e - 2] == lx->escape)
		return 0;
	*n = e - 1;
	return 1;
}

static int
src_add(struct df_src *src, const char *s, size_t n, unsigned line,
    unsigned col)
{
	char *p;

	if (df_vec_grow(&src->segs, &src->segcap, src->nsegs,
	    sizeof(*src->segs)) < 0)
		return -ENOMEM;
	src->segs[src->nsegs++] = (struct df_seg){ src->len, line, col };
	p = realloc(src->text, src->len + n + 1);
	if (p == NULL)
		return -ENOMEM;
	memcpy(p + src->len, s, n);
	src->len += n;
	p[src->len] = '\0';
	src->text = p;
	return 0;
}

static int
lex_blank_or_comment(const char *s, size_t n)
{
	while (n && df_isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	return n == 0 || s[0] == '#';
}

/* Comment lines and blank lines inside a continuation are skipped (BuildKit
 * warns of the blank ones, and so do we not: they are allowed). */
static int
lex_continue(struct df_lexer *lx, struct df_src *src)
{
	const char *s;
	size_t n;
	int more = 1, r;

	while (more && lex_line(lx, &s, &n)) {
		if (lex_blank_or_comment(s, n))
			continue;
		more = lex_trim_continuation(lx, s, &n);
		if ((r = src_add(src, s, n, lx->line, 1)) < 0)
			return r;
	}
	return 0;
}

int
df_lex_next(struct df_lexer *lx, struct df_src *src)
{
	const char *s;
	size_t n, lead;
	int more, r;

	memset(src, 0, sizeof(*src));
	for (;;) {
		if (!lex_line(lx, &s, &n))
			return 0;
		for (lead = 0; lead < n && df_isspace((unsigned char)s[lead]); lead++)
			;
		s += lead;
		n -= lead;
		if ((r = lex_directive(lx, s, n, (unsigned)lead + 1)) < 0)
			return r;
		if (n && s[0] == '#')
			continue;
		more = lex_trim_continuation(lx, s, &n);
		if (more || n)
			break;
	}
	src->start_line = lx->line;
	if ((r = src_add(src, s, n, lx->line, (unsigned)lead + 1)) < 0 ||
	    (more && (r = lex_continue(lx, src)) < 0)) {
		df_src_free(src);
		return r;
	}
	src->end_line = lx->line;
	return 1;
}

struct df_pos
df_src_pos(const struct df_src *src, size_t off)
{
	size_t lo = 0, hi = src->nsegs, mid;
	const struct df_seg *sg;

	if (src->nsegs == 0)
		return (struct df_pos){ src->start_line, 1 };
	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (src->segs[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	/* a position past a segment's end is its last byte's neighbour */
	sg = &src->segs[lo];
	return (struct df_pos){ sg->line, sg->col + (unsigned)(off - sg->off) };
}

void
df_src_free(struct df_src *src)
{
	free(src->text);
	free(src->segs);
	memset(src, 0, sizeof(*src));
}
