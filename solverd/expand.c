/* expand.c: word expansion with a stage's environment, and the frontend's error messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend.h"

/* The instruction's first line, for the error's excerpt. */
static void
copy_line(char *dst, size_t size, const char *text)
{
	size_t n = strcspn(text, "\n");

	snprintf(dst, size, "%.*s", (int)(n < size ? n : size - 1), text);
}

int
fe_errorf(struct fe *fe, const struct df_instr *in, const char *fmt, ...)
{
	va_list ap;

	memset(&fe->err, 0, sizeof(fe->err));
	/* "-f sub/app.Dockerfile" errors name it, as the parser's do */
	if (fe->opts && fe->opts->file)
		snprintf(fe->err.file, sizeof(fe->err.file), "%s", fe->opts->file);
	va_start(ap, fmt);
	vsnprintf(fe->err.msg, sizeof(fe->err.msg), fmt, ap);
	va_end(ap);
	if (in) {
		fe->err.pos = in->pos;
		if (in->original)
			copy_line(fe->err.line, sizeof(fe->err.line), in->original);
	}
	return -EINVAL;
}

char *
fe_error_format(const struct fe *fe, char *buf, size_t size)
{
	if (fe->err.pos.line == 0) {
		snprintf(buf, size, "%s", fe->err.msg);
		return buf;
	}
	return df_error_format(&fe->err, buf, size);
}

/* Positions of an expansion error are the instruction's. */
static int
expand_failed(struct fe *fe, const struct df_instr *in, struct df_error *e, int r)
{
	if (r == -ENOMEM)
		return r;
	return fe_errorf(fe, in, "%s", e->msg[0] ? e->msg : "bad variable substitution");
}

int
fe_expand(struct fe *fe, const struct df_instr *in, const struct vars *env,
    const char *word, char **out)
{
	struct df_error e;
	int r;

	memset(&e, 0, sizeof(e));
	r = df_expand_word(word, fe->df->escape, vars_lookup, (void *)env, out, &e);
	if (r < 0)
		return expand_failed(fe, in, &e, r);
	return 0;
}

/* Heredoc contents as BuildKit expands them: quotes are literal, and a
 * backslash escapes the next character whatever the escape directive says
 * (\$ is a literal $, \\ one backslash). So each unescaped quote is
 * escaped for the lexer, and everything else left to it. */
int
fe_expand_raw(struct fe *fe, const struct df_instr *in, const struct vars *env,
    const char *text, char **out)
{
	size_t n = strlen(text);
	char *q = malloc(2 * n + 1), *w = q;
	struct df_error e;
	int r;

	if (q == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\\' && i + 1 < n) {
			*w++ = text[i++];
		} else if (text[i] == '\'' || text[i] == '"')
			*w++ = '\\';
		*w++ = text[i];
	}
	*w = '\0';
	memset(&e, 0, sizeof(e));
	r = df_expand_word(q, '\\', vars_lookup, (void *)env, out, &e);
	free(q);
	if (r < 0)
		return expand_failed(fe, in, &e, r);
	return 0;
}

int
fe_expand_split(struct fe *fe, const struct df_instr *in, const struct vars *env,
    const char *text, struct strv *out)
{
	struct df_error e;
	char **words = NULL;
	size_t n = 0;
	int r;

	memset(&e, 0, sizeof(e));
	r = df_expand_words(text, fe->df->escape, vars_lookup, (void *)env, &words, &n, &e);
	if (r < 0)
		return expand_failed(fe, in, &e, r);
	for (size_t i = 0; i < n && r == 0; i++)
		r = strv_add(out, words[i]);
	df_words_free(words);
	return r;
}
