/* parse.c: df_parse: a Dockerfile's instructions, each checked (keyword, flags, arguments, heredocs), and the tree's freeing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "internal.h"

static const char *const cmd_names[] = {
	[DF_FROM] = "FROM", [DF_RUN] = "RUN", [DF_CMD] = "CMD",
	[DF_LABEL] = "LABEL", [DF_MAINTAINER] = "MAINTAINER",
	[DF_EXPOSE] = "EXPOSE", [DF_ENV] = "ENV", [DF_ADD] = "ADD",
	[DF_COPY] = "COPY", [DF_ENTRYPOINT] = "ENTRYPOINT",
	[DF_VOLUME] = "VOLUME", [DF_USER] = "USER", [DF_WORKDIR] = "WORKDIR",
	[DF_ARG] = "ARG", [DF_ONBUILD] = "ONBUILD",
	[DF_STOPSIGNAL] = "STOPSIGNAL", [DF_HEALTHCHECK] = "HEALTHCHECK",
	[DF_SHELL] = "SHELL",
};
#define NCMDS	(sizeof(cmd_names) / sizeof(cmd_names[0]))

const char *
df_cmd_name(enum df_cmd cmd)
{
	return (size_t)cmd < NCMDS && cmd_names[cmd] ? cmd_names[cmd] : "?";
}

static enum df_cmd
cmd_lookup(const char *s, size_t n)
{
	size_t k;

	for (k = 1; k < NCMDS; k++)
		if (strlen(cmd_names[k]) == n && strncasecmp(cmd_names[k], s, n) == 0)
			return (enum df_cmd)k;
	return 0;
}

static size_t
edit_distance(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b), row[16], i, j, prev, cur;

	if (an >= 16 || bn >= 16)
		return 99;
	for (j = 0; j <= bn; j++)
		row[j] = j;
	for (i = 1; i <= an; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= bn; j++) {
			cur = row[j];
			row[j] = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? prev :
			    1 + (prev < row[j] ? (prev < row[j - 1] ? prev : row[j - 1]) :
			    (row[j] < row[j - 1] ? row[j] : row[j - 1]));
			prev = cur;
		}
	}
	return row[bn];
}

static int
cmd_unknown(struct df_lexer *lx, struct df_pos pos, const char *s, size_t n)
{
	char word[68], list[256], hint[64] = "";
	size_t k, o = 0, best = 3, d;

	for (k = 0; k < n && k < 64; k++)
		word[k] = (char)(s[k] >= 'a' && s[k] <= 'z' ? s[k] - 0x20 : s[k]);
	word[k] = '\0';
	for (k = 1; k < NCMDS; k++) {
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
		    k > 1 ? ", " : "", cmd_names[k]);
		d = edit_distance(s, n, cmd_names[k]);
		if (d < best && d < n) {
			best = d;
			snprintf(hint, sizeof(hint), "did you mean %s? ", cmd_names[k]);
		}
	}
	return df_err_at(lx, pos, "unknown instruction: %s (%sexpected one of %s)",
	    word, hint, list);
}

int
df_instr_parse(struct df_lexer *lx, const struct df_src *src, size_t off,
    size_t end, struct df_instr *in, int nested)
{
	const char *t = src->text;
	size_t kw, rest;
	int r;

	while (off < end && df_isspace((unsigned char)t[off]))
		off++;
	while (end > off && df_isspace((unsigned char)t[end - 1]))
		end--;
	in->pos = df_src_pos(src, off);
	in->end_line = src->end_line;
	if ((in->original = df_strndup(t + off, end - off)) == NULL)
		return -ENOMEM;
	for (kw = off; kw < end && !df_istokspace((unsigned char)t[kw]); kw++)
		;
	if ((in->cmd = cmd_lookup(t + off, kw - off)) == 0)
		return cmd_unknown(lx, in->pos, t + off, kw - off);
	/* ONBUILD's trigger: one level only, so no recursion past it */
	if (nested && in->cmd == DF_ONBUILD)
		return df_err_at(lx, in->pos,
		    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
	if (nested && (in->cmd == DF_FROM || in->cmd == DF_MAINTAINER))
		return df_err_at(lx, in->pos, "%s isn't allowed as an ONBUILD trigger",
		    df_cmd_name(in->cmd));
	if ((r = df_flags_extract(lx, src, kw, end, in, &rest)) < 0 ||
	    (r = df_flags_check(lx, src, in)) < 0 ||
	    (r = df_args_parse(lx, src, rest, end, in)) < 0 ||
	    (r = df_heredocs_read(lx, src, in)) < 0)
		return r;
	/* ONBUILD RUN <<EOF: the trigger read the heredoc's lines */
	if (in->onbuild)
		in->end_line = in->onbuild->end_line;
	return 0;
}

/* A NUL byte would cut every string of the tree short: refused. */
static int
parse_nul(struct df_lexer *lx, const char *text, size_t len)
{
	const char *z = memchr(text, '\0', len), *p, *bol = text;
	unsigned line = 1;

	if (z == NULL)
		return 0;
	for (p = text; p < z; p++)
		if (*p == '\n') {
			line++;
			bol = p + 1;
		}
	return df_err_at(lx, (struct df_pos){ line, (unsigned)(z - bol) + 1 },
	    "the Dockerfile holds a NUL byte (expected text)");
}

static int
parse_order(struct df_lexer *lx, const struct df_instr *in, int *seen_from)
{
	if (in->cmd == DF_FROM)
		*seen_from = 1;
	else if (!*seen_from && in->cmd != DF_ARG)
		return df_err_at(lx, in->pos,
		    "no build stage in current context: %s comes before the first FROM (only ARG may)",
		    df_cmd_name(in->cmd));
	return 0;
}

int
df_parse(const char *name, const char *text, size_t len,
    struct df_file *out, struct df_error *err)
{
	struct df_lexer lx;
	struct df_src src;
	size_t cap = 0;
	int r, seen_from = 0;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	df_lex_init(&lx, name, text, len, out, err);
	if ((r = parse_nul(&lx, text, len)) < 0)
		goto fail;
	for (;;) {
		if ((r = df_lex_next(&lx, &src)) <= 0)
			break;
		out->escape = lx.escape;
		r = df_vec_grow(&out->instrs, &cap, out->ninstrs, sizeof(*out->instrs));
		if (r == 0)
			r = df_instr_parse(&lx, &src, 0, src.len,
			    &out->instrs[out->ninstrs++], 0);
		df_src_free(&src);
		if (r < 0 || (r = parse_order(&lx, &out->instrs[out->ninstrs - 1],
		    &seen_from)) < 0)
			goto fail;
	}
	if (r < 0)
		goto fail;
	out->escape = lx.escape;
	if (out->ninstrs == 0) {
		r = df_err_at(&lx, (struct df_pos){ 1, 1 },
		    "file with no instructions (expected FROM)");
		goto fail;
	}
	if (!seen_from) {
		r = df_err_at(&lx, out->instrs[0].pos,
		    "dockerfile contains no stages to build (expected a FROM instruction)");
		goto fail;
	}
	return 0;
fail:
	df_file_free(out);
	return r;
}

void
df_instr_free(struct df_instr *in)
{
	size_t i;

	if (in == NULL)
		return;
	free(in->original);
	for (i = 0; i < in->nflags; i++) {
		free(in->flags[i].name);
		free(in->flags[i].value);
	}
	free(in->flags);
	for (i = 0; i < in->nargs; i++)
		free(in->args[i]);
	free(in->args);
	for (i = 0; i < in->nkvs; i++) {
		free(in->kvs[i].key);
		free(in->kvs[i].value);
	}
	free(in->kvs);
	for (i = 0; i < in->nheredocs; i++) {
		free(in->heredocs[i].name);
		free(in->heredocs[i].content);
	}
	free(in->heredocs);
	if (in->onbuild) {
		df_instr_free(in->onbuild);
		free(in->onbuild);
	}
	memset(in, 0, sizeof(*in));
}

void
df_file_free(struct df_file *f)
{
	size_t i;

	for (i = 0; i < f->ninstrs; i++)
		df_instr_free(&f->instrs[i]);
	free(f->instrs);
	free(f->syntax);
	free(f->check);
	memset(f, 0, sizeof(*f));
}
