/* args.c: an instruction's arguments, split per command as BuildKit does: words, the rest of the line, JSON, key=value. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "internal.h"

struct actx {
	struct df_lexer		*lx;
	const struct df_src	*src;
	const char		*t;
	size_t			 off, end;	/* the arguments, trimmed */
	struct df_instr		*in;
	size_t			 cap, kvcap;
	size_t			*woff;		/* where args_words found each arg */
};

static int
arg_push(struct actx *c, const char *s, size_t n)
{
	struct df_instr *in = c->in;

	if (df_vec_grow(&in->args, &c->cap, in->nargs, sizeof(*in->args)) < 0)
		return -ENOMEM;
	if ((in->args[in->nargs] = df_strndup(s, n)) == NULL)
		return -ENOMEM;
	in->nargs++;
	return 0;
}

static int
kv_push(struct actx *c, const char *k, size_t kn, const char *v, size_t vn,
    int has_value, size_t at)
{
	struct df_instr *in = c->in;
	struct df_kv *kv;

	if (df_vec_grow(&in->kvs, &c->kvcap, in->nkvs, sizeof(*in->kvs)) < 0)
		return -ENOMEM;
	kv = &in->kvs[in->nkvs];
	kv->pos = df_src_pos(c->src, at);
	if ((kv->key = df_strndup(k, kn)) == NULL)
		return -ENOMEM;
	in->nkvs++;
	if (has_value && (kv->value = df_strndup(v, vn)) == NULL)
		return -ENOMEM;
	return 0;
}

/*
 * A word Docker expands later (ENV values, WORKDIR, COPY sources ...),
 * checked now for its syntax (quotes, ${...}) with no variable known, so
 * the error points at the word before anything runs. at: the word's offset
 * in the line.
 */
static int
arg_check_word(struct actx *c, const char *w, size_t n, size_t at)
{
	struct df_buf b = { 0 };
	char why[256], q[300];
	size_t eoff = 0;
	int r;

	r = df_expand(w, n, c->lx->escape, DF_XP_SKIP_UNSET, NULL, NULL, &b,
	    NULL, why, sizeof(why), &eoff);
	df_buf_free(&b);
	if (r == -EINVAL)
		return df_err_src(c->lx, c->src, at + eoff, "failed to process %s: %s",
		    df_quote(w, n, q, sizeof(q)), why);
	return r;
}

/* BuildKit's whitespace split ([\t\v\f\r ]+): quotes do not group here */
static int
args_words(struct actx *c, int check)
{
	size_t i = c->off, s, *woff;
	int r;

	while (i < c->end) {
		while (i < c->end && df_istokspace((unsigned char)c->t[i]))
			i++;
		if (i >= c->end)
			break;
		for (s = i; i < c->end && !df_istokspace((unsigned char)c->t[i]); i++)
			;
		if ((r = arg_push(c, c->t + s, i - s)) < 0)
			return r;
		if ((woff = realloc(c->woff, c->cap * sizeof(*woff))) == NULL)
			return -ENOMEM;
		c->woff = woff;
		woff[c->in->nargs - 1] = s;
		if (check && (r = arg_check_word(c, c->t + s, i - s, s)) < 0)
			return r;
	}
	return 0;
}

static int
args_rest(struct actx *c, int check)
{
	int r;

	if (c->off >= c->end)
		return 0;
	if ((r = arg_push(c, c->t + c->off, c->end - c->off)) < 0)
		return r;
	return check ? arg_check_word(c, c->t + c->off, c->end - c->off, c->off) : 0;
}

/* 1 and args set for the exec form, 0 for the shell form, or an error */
static int
args_json(struct actx *c, size_t off)
{
	struct df_instr *in = c->in;
	size_t bad = 0;
	int r;

	r = df_json_array(c->t + off, c->end - off, &in->args, &in->nargs, &bad);
	if (r == -EINVAL)
		return df_err_src(c->lx, c->src, off + bad,
		    "when using JSON array syntax, arrays must be comprised of strings only");
	if (r == -EILSEQ)
		return df_err_src(c->lx, c->src, off,
		    "a JSON string holds \\u0000: arguments cannot contain NUL bytes");
	if (r < 0)
		return r;
	if (r == 1)
		in->json = 1;
	return r;
}

static int
args_need(struct actx *c, const char *what)
{
	return df_err_at(c->lx, c->in->pos, "%s requires %s",
	    df_cmd_name(c->in->cmd), what);
}

int
df_args_cmdline(struct df_lexer *lx, const struct df_src *src, size_t off,
    size_t end, struct df_instr *in)
{
	struct actx c = { lx, src, src->text, off, end, in, 0, 0, NULL };
	int r;

	if (off >= end)
		return 0;
	if ((r = args_json(&c, off)) != 0)
		return r < 0 ? r : 0;
	return args_rest(&c, 0);
}

/* RUN, CMD, ENTRYPOINT: exec form or the rest of the line; CMD [] and
 * ENTRYPOINT [] are how Docker clears them, RUN [] runs nothing */
static int
args_maybe_json(struct actx *c)
{
	int r;

	if ((r = df_args_cmdline(c->lx, c->src, c->off, c->end, c->in)) < 0)
		return r;
	if (c->in->nargs == 0 && (!c->in->json || c->in->cmd == DF_RUN))
		return args_need(c, "at least one argument");
	return 0;
}

static int
args_is_heredoc(const char *w)
{
	char *name = NULL;
	int r, e, t;

	r = df_heredoc_word(w, strlen(w), &name, &e, &t);
	free(name);
	return r;
}

/* ADD, COPY: JSON or words, heredoc markers among the sources only */
static int
args_copy(struct actx *c)
{
	const char *cmd = df_cmd_name(c->in->cmd);
	size_t i;
	int r;

	if ((r = args_json(c, c->off)) < 0)
		return r;
	if (r == 0 && (r = args_words(c, 0)) < 0)
		return r;
	if (c->in->nargs < 2)
		return df_err_at(c->lx, c->in->pos,
		    "%s requires at least two arguments, but only one was provided. Destination could not be determined.",
		    cmd);
	if (c->in->json)
		return 0;
	for (i = 0; i < c->in->nargs; i++) {
		const char *w = c->in->args[i];

		if ((r = args_is_heredoc(w)) < 0)
			return r;
		if (r && i + 1 == c->in->nargs)
			return df_err_src(c->lx, c->src, c->woff[i],
			    "%s cannot accept a heredoc as a destination", cmd);
		if (!r && (r = arg_check_word(c, w, strlen(w), c->woff[i])) < 0)
			return r;
	}
	return 0;
}

static int
args_volume(struct actx *c)
{
	size_t i, k, n;
	int r;

	if ((r = args_json(c, c->off)) < 0)
		return r;
	if (r == 0 && (r = args_words(c, 1)) < 0)
		return r;
	if (c->in->nargs == 0)
		return args_need(c, "at least one argument");
	for (i = 0; i < c->in->nargs; i++) {
		const char *v = c->in->args[i];

		for (k = 0, n = strlen(v); k < n && df_isspace((unsigned char)v[k]); k++)
			;
		if (k == n)
			return df_err_src(c->lx, c->src, c->off,
			    "VOLUME specified can not be an empty string");
	}
	return 0;
}

/*
 * BuildKit's parseWords: blank-separated words where quotes group (and are
 * kept) and the escape character keeps the next character (and itself).
 */
static int
args_quoted_words(struct actx *c, struct df_xwords *w)
{
	struct df_buf b = { 0 };
	size_t i = c->off, start, *off;
	char esc = c->lx->escape, quote = 0, ch;
	int r = 0;

	while (i < c->end) {
		while (i < c->end && df_isspace((unsigned char)c->t[i]))
			i++;
		if (i >= c->end)
			break;
		start = i;
		for (quote = 0; i < c->end; i++) {
			ch = c->t[i];
			if (!quote && df_isspace((unsigned char)ch))
				break;
			if (!quote && (ch == '\'' || ch == '"'))
				quote = ch;
			else if (quote && ch == quote)
				quote = 0;
			else if (ch == esc && quote != '\'') {
				if (i + 1 == c->end)
					continue;	/* dropped at the end */
				df_buf_addc(&b, ch);
				ch = c->t[++i];
			}
			df_buf_addc(&b, ch);
		}
		if (df_vec_grow(&w->v, &w->cap, w->n, sizeof(*w->v)) < 0 ||
		    (off = realloc(w->off, w->cap * sizeof(*off))) == NULL) {
			r = -ENOMEM;
			break;
		}
		w->off = off;
		if ((w->v[w->n] = df_buf_take(&b)) == NULL) {
			r = -ENOMEM;
			break;
		}
		w->off[w->n++] = start;
	}
	df_buf_free(&b);
	return r;
}

/* key=value words; or ENV/LABEL's legacy "key value" */
static int
args_kvs(struct actx *c)
{
	const char *cmd = df_cmd_name(c->in->cmd), *eq;
	struct df_xwords w = { 0 };
	char q[300];
	size_t i, k;
	int r;

	if ((r = args_quoted_words(c, &w)) < 0)
		goto out;
	if (w.n == 0) {
		r = args_need(c, "at least one argument");
		goto out;
	}
	if (strchr(w.v[0], '=') == NULL) {
		for (k = c->off; k < c->end && !df_istokspace((unsigned char)c->t[k]); k++)
			;
		i = k;
		while (i < c->end && df_istokspace((unsigned char)c->t[i]))
			i++;
		if (i >= c->end) {
			r = df_err_at(c->lx, c->in->pos, "%s must have two arguments", cmd);
			goto out;
		}
		r = kv_push(c, c->t + c->off, k - c->off, c->t + i, c->end - i, 1, c->off);
		if (r == 0)
			r = arg_check_word(c, c->t + i, c->end - i, i);
		goto out;
	}
	for (i = 0; i < w.n; i++) {
		if ((eq = strchr(w.v[i], '=')) == NULL) {
			r = df_err_src(c->lx, c->src, w.off[i],
			    "Syntax error - can't find = in %s. Must be of the form: name=value",
			    df_quote(w.v[i], strlen(w.v[i]), q, sizeof(q)));
			goto out;
		}
		if (eq == w.v[i]) {
			r = df_err_src(c->lx, c->src, w.off[i], "%s names can not be blank", cmd);
			goto out;
		}
		k = (size_t)(eq - w.v[i]);
		if ((r = kv_push(c, w.v[i], k, eq + 1, strlen(eq + 1), 1, w.off[i])) < 0 ||
		    (r = arg_check_word(c, w.v[i], k, w.off[i])) < 0 ||
		    (r = arg_check_word(c, eq + 1, strlen(eq + 1), w.off[i] + k + 1)) < 0)
			goto out;
	}
out:
	df_xwords_free(&w);
	return r;
}

/* ARG name[=default] ... */
static int
args_arg(struct actx *c)
{
	struct df_xwords w = { 0 };
	const char *eq;
	size_t i, k;
	int r;

	if ((r = args_quoted_words(c, &w)) < 0)
		goto out;
	if (w.n == 0) {
		r = args_need(c, "at least one argument");
		goto out;
	}
	for (i = 0; i < w.n && r == 0; i++) {
		eq = strchr(w.v[i], '=');
		if (eq == w.v[i]) {
			r = df_err_src(c->lx, c->src, w.off[i], "ARG names can not be blank");
			break;
		}
		k = eq ? (size_t)(eq - w.v[i]) : strlen(w.v[i]);
		r = kv_push(c, w.v[i], k, eq ? eq + 1 : NULL, eq ? strlen(eq + 1) : 0,
		    eq != NULL, w.off[i]);
		if (r == 0 && eq)
			r = arg_check_word(c, eq + 1, strlen(eq + 1), w.off[i] + k + 1);
	}
out:
	df_xwords_free(&w);
	return r;
}

static int
args_from(struct actx *c)
{
	struct df_instr *in = c->in;
	const char *name;
	char q[300];
	size_t i;
	int r;

	if ((r = args_words(c, 0)) < 0)
		return r;
	if (!(in->nargs == 1 || (in->nargs == 3 && strcasecmp(in->args[1], "as") == 0)))
		return df_err_at(c->lx, in->pos,
		    "FROM requires either one or three arguments (expected FROM [--platform=P] IMAGE [AS NAME])");
	if ((r = arg_check_word(c, in->args[0], strlen(in->args[0]), c->off)) < 0)
		return r;
	if (in->nargs < 3)
		return 0;
	name = in->args[2];
	for (i = 0; name[i]; i++) {
		char ch = (char)(name[i] | (name[i] >= 'A' && name[i] <= 'Z' ? 0x20 : 0));

		if ((ch >= 'a' && ch <= 'z') || (i > 0 && ((ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.')))
			continue;
		return df_err_src(c->lx, c->src, c->woff[2],
		    "invalid name for build stage: %s, name can't start with a number or contain symbols",
		    df_quote(name, strlen(name), q, sizeof(q)));
	}
	return 0;
}

static int
args_shell(struct actx *c)
{
	size_t bad = 0;
	int r;

	if (c->off >= c->end)
		return args_need(c, "at least one argument");
	r = args_json(c, c->off);
	if (r < 0)
		return r;
	if (r == 0) {
		/* where the JSON went wrong, when it looked like JSON */
		if (c->t[c->off] == '[') {
			char **v;
			size_t n;

			df_json_array(c->t + c->off, c->end - c->off, &v, &n, &bad);
		}
		return df_err_src(c->lx, c->src, c->off + bad,
		    "SHELL requires the arguments to be in JSON form (expected a JSON array of strings, like SHELL [\"/bin/sh\", \"-c\"])");
	}
	if (c->in->nargs == 0)
		return args_need(c, "at least one argument");
	return 0;
}

static int
args_dispatch(struct actx *c)
{
	struct df_instr *in = c->in;

	switch (in->cmd) {
	case DF_FROM:
		return args_from(c);
	case DF_RUN:
	case DF_CMD:
	case DF_ENTRYPOINT:
		return args_maybe_json(c);
	case DF_SHELL:
		return args_shell(c);
	case DF_ADD:
	case DF_COPY:
		return args_copy(c);
	case DF_VOLUME:
		return args_volume(c);
	case DF_EXPOSE:
		return c->off >= c->end ? args_need(c, "at least one argument") :
		    args_words(c, 1);
	case DF_USER:
	case DF_WORKDIR:
	case DF_STOPSIGNAL:
	case DF_MAINTAINER:
		if (c->off >= c->end)
			return args_need(c, "exactly one argument");
		return args_rest(c, in->cmd != DF_MAINTAINER);
	case DF_ENV:
	case DF_LABEL:
		return args_kvs(c);
	case DF_ARG:
		return args_arg(c);
	case DF_HEALTHCHECK:
		return df_health_parse(c->lx, c->src, c->off, c->end, in);
	case DF_ONBUILD:
		if (c->off >= c->end)
			return args_need(c, "at least one argument");
		if ((in->onbuild = calloc(1, sizeof(*in->onbuild))) == NULL)
			return -ENOMEM;
		return df_instr_parse(c->lx, c->src, c->off, c->end, in->onbuild, 1);
	}
	return -EINVAL;
}

int
df_args_parse(struct df_lexer *lx, const struct df_src *src, size_t off,
    size_t end, struct df_instr *in)
{
	struct actx c = { lx, src, src->text, off, end, in, 0, 0, NULL };
	int r;

	r = args_dispatch(&c);
	free(c.woff);
	return r;
}
