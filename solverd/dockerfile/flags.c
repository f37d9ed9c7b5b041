/* flags.c: an instruction's --flags: split off its text (BuildKit's quoting rules) and checked against the command's list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

enum { F_STR, F_BOOL, F_LIST };

struct flagdef {
	const char	*name;
	int		 kind;
};

static const struct flagdef from_flags[] = {
	{ "platform", F_STR }, { NULL, 0 },
};
static const struct flagdef run_flags[] = {
	{ "mount", F_LIST }, { "network", F_STR }, { "security", F_STR },
	{ NULL, 0 },
};
static const struct flagdef add_flags[] = {
	{ "chown", F_STR }, { "chmod", F_STR }, { "link", F_BOOL },
	{ "keep-git-dir", F_BOOL }, { "checksum", F_STR },
	{ "exclude", F_LIST }, { "unpack", F_BOOL }, { NULL, 0 },
};
static const struct flagdef copy_flags[] = {
	{ "from", F_STR }, { "chown", F_STR }, { "chmod", F_STR },
	{ "link", F_BOOL }, { "parents", F_BOOL }, { "exclude", F_LIST },
	{ NULL, 0 },
};
static const struct flagdef health_flags[] = {
	{ "interval", F_STR }, { "timeout", F_STR }, { "start-period", F_STR },
	{ "start-interval", F_STR }, { "retries", F_STR }, { NULL, 0 },
};
static const struct flagdef no_flags[] = { { NULL, 0 } };

static const struct flagdef *
flags_of(enum df_cmd cmd)
{
	switch (cmd) {
	case DF_FROM:
		return from_flags;
	case DF_RUN:
		return run_flags;
	case DF_ADD:
		return add_flags;
	case DF_COPY:
		return copy_flags;
	case DF_HEALTHCHECK:
		return health_flags;
	default:
		return no_flags;
	}
}

static const struct flagdef *
flag_find(const struct flagdef *defs, const char *name)
{
	for (; defs->name; defs++)
		if (strcmp(defs->name, name) == 0)
			return defs;
	return NULL;
}

static int
flag_add(struct df_instr *in, size_t *cap, const char *word, size_t n,
    struct df_pos pos)
{
	const char *eq = memchr(word, '=', n);
	struct df_flag *f;

	if (df_vec_grow(&in->flags, cap, in->nflags, sizeof(*in->flags)) < 0)
		return -ENOMEM;
	f = &in->flags[in->nflags];
	f->pos = pos;
	f->name = df_strndup(word + 2, (size_t)((eq ? eq : word + n) - word) - 2);
	if (f->name == NULL)
		return -ENOMEM;
	in->nflags++;
	if (eq && (f->value = df_strndup(eq + 1, n - (size_t)(eq + 1 - word))) == NULL)
		return -ENOMEM;
	return 0;
}

/*
 * One --word: quotes group and are removed, \ takes the next character
 * (always \, not the escape directive: BuildKit's rule). *at moves past it.
 * An unterminated quote is an error here (BuildKit takes the rest of the
 * line into the flag, and then fails less clearly).
 */
static int
flag_word(struct df_lexer *lx, const struct df_src *src, size_t *at,
    size_t end, struct df_buf *w)
{
	const char *t = src->text;
	size_t pos = *at, qpos = 0;
	char quote = 0, c;

	for (; pos < end; pos++) {
		c = t[pos];
		if (!quote && df_isspace((unsigned char)c))
			break;
		if (!quote && (c == '\'' || c == '"')) {
			quote = c;
			qpos = pos;
			continue;
		}
		if (quote && c == quote) {
			quote = 0;
			continue;
		}
		if (c == '\\') {
			if (pos + 1 == end)
				continue;
			c = t[++pos];
		}
		df_buf_addc(w, c);
	}
	*at = pos;
	if (quote)
		return df_err_src(lx, src, qpos,
		    "unterminated quote in flag (expected a closing %c)", quote);
	return w->oom ? -ENOMEM : 0;
}

int
df_flags_extract(struct df_lexer *lx, const struct df_src *src, size_t off,
    size_t end, struct df_instr *in, size_t *rest)
{
	const char *t = src->text;
	struct df_buf w = { 0 };
	size_t cap = 0, start;
	int r = 0;

	for (;;) {
		while (off < end && df_isspace((unsigned char)t[off]))
			off++;
		if (off + 1 >= end || t[off] != '-' || t[off + 1] != '-')
			break;
		start = off;
		w.n = 0;
		if ((r = flag_word(lx, src, &off, end, &w)) < 0)
			goto out;
		if (w.n == 2 && memcmp(w.p, "--", 2) == 0)
			break;	/* -- ends the flags */
		/* the word began with --, and quotes and \ came only after */
		if ((r = flag_add(in, &cap, w.p, w.n, df_src_pos(src, start))) < 0)
			goto out;
	}
	while (off < end && df_isspace((unsigned char)t[off]))
		off++;
	*rest = off;
out:
	df_buf_free(&w);
	return r;
}

/* "--a, --b or --c" */
static void
flag_list(const struct flagdef *defs, char *buf, size_t size)
{
	size_t o = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; defs[k].name && o < size; k++)
		o += (size_t)snprintf(buf + o, size - o, "%s--%s", k == 0 ? "" :
		    defs[k + 1].name ? ", " : " or ", defs[k].name);
}

static int
flag_unknown(struct df_lexer *lx, const struct df_instr *in,
    const struct df_flag *f)
{
	static const enum df_cmd with[] = { DF_FROM, DF_RUN, DF_ADD, DF_COPY,
	    DF_HEALTHCHECK };
	const struct flagdef *defs = flags_of(in->cmd);
	const char *owner = NULL;
	char list[256];
	size_t k;

	for (k = 0; k < sizeof(with) / sizeof(with[0]) && !owner; k++)
		if (flag_find(flags_of(with[k]), f->name))
			owner = df_cmd_name(with[k]);
	flag_list(defs, list, sizeof(list));
	if (defs[0].name == NULL)
		return df_err_at(lx, f->pos, "unknown flag: %s (%s takes no flags)",
		    f->name, df_cmd_name(in->cmd));
	if (owner)
		return df_err_at(lx, f->pos,
		    "unknown flag: %s (--%s is a flag of %s; %s expects %s)",
		    f->name, f->name, owner, df_cmd_name(in->cmd), list);
	return df_err_at(lx, f->pos, "unknown flag: %s (expected %s)", f->name,
	    list);
}

static int
flag_bool(const char *v)
{
	static const char *const ok[] = { "true", "false" };
	size_t k, i;

	for (k = 0; k < 2; k++) {
		for (i = 0; v[i] && ok[k][i]; i++)
			if ((v[i] | 0x20) != ok[k][i])
				break;
		if (v[i] == '\0' && ok[k][i] == '\0')
			return 0;
	}
	return -1;
}

static int
flag_check_one(struct df_lexer *lx, struct df_instr *in, size_t i)
{
	struct df_flag *f = &in->flags[i];
	const struct flagdef *d = flag_find(flags_of(in->cmd), f->name);
	size_t k;

	if (d == NULL)
		return flag_unknown(lx, in, f);
	if (d->kind != F_LIST)
		for (k = 0; k < i; k++)
			if (strcmp(in->flags[k].name, f->name) == 0)
				return df_err_at(lx, f->pos,
				    "duplicate flag specified: %s", f->name);
	if (d->kind == F_BOOL) {
		if (f->value && f->value[0] == '\0')
			return df_err_at(lx, f->pos,
			    "missing a value on flag: %s (expected --%s, --%s=true or --%s=false)",
			    f->name, f->name, f->name, f->name);
		if (f->value && flag_bool(f->value) < 0)
			return df_err_at(lx, f->pos,
			    "expecting boolean value for flag %s, not: %s", f->name,
			    f->value);
		/* TRUE, False ...: one spelling for the solver */
		for (k = 0; f->value && f->value[k]; k++)
			f->value[k] = (char)(f->value[k] | 0x20);
		return 0;
	}
	if (f->value == NULL)
		return df_err_at(lx, f->pos,
		    "missing a value on flag: %s (expected --%s=VALUE)", f->name,
		    f->name);
	return 0;
}

int
df_flags_check(struct df_lexer *lx, const struct df_src *src,
    struct df_instr *in)
{
	size_t i;
	int r;

	(void)src;
	for (i = 0; i < in->nflags; i++)
		if ((r = flag_check_one(lx, in, i)) < 0)
			return r;
	return 0;
}

const struct df_flag *
df_flag_next(const struct df_instr *in, const struct df_flag *prev,
    const char *name)
{
	size_t i = prev ? (size_t)(prev - in->flags) + 1 : 0;

	for (; i < in->nflags; i++)
		if (strcmp(in->flags[i].name, name) == 0)
			return &in->flags[i];
	return NULL;
}

const struct df_flag *
df_flag_get(const struct df_instr *in, const char *name)
{
	return df_flag_next(in, NULL, name);
}

int
df_flag_bool(const struct df_instr *in, const char *name)
{
	const struct df_flag *f = df_flag_get(in, name);

	return f && (f->value == NULL || strcmp(f->value, "true") == 0);
}
