/* heredoc.c: <<EOF, <<-EOF and quoted delimiters in RUN, COPY and ADD: found in the line, their bodies read from the lines after it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static size_t
count_quotes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\'' || *s == '"';
	return n;
}

/* The words of s as BuildKit's lexer sees them with opts. */
static int
heredoc_lex(const char *s, size_t n, unsigned opts, struct df_xwords *w)
{
	struct df_buf b = { 0 };
	char why[256];
	int r;

	r = df_expand(s, n, '\\', opts, NULL, NULL, &b, w, why, sizeof(why), NULL);
	df_buf_free(&b);
	return r;
}

/*
 * ^(\d*)<<(-?)([^<]*)$ with a non-empty rest that is one word; the content
 * expands unless some of the word is quoted (the word has fewer quotes once
 * the lexer removed them).
 */
int
df_heredoc_word(const char *word, size_t len, char **name, int *expand,
    int *strip_tabs)
{
	struct df_xwords plain = { 0 }, raw = { 0 };
	size_t i = 0;
	int r = 0;

	*name = NULL;
	while (i < len && word[i] >= '0' && word[i] <= '9')
		i++;
	if (len - i < 2 || word[i] != '<' || word[i + 1] != '<')
		return 0;
	i += 2;
	*strip_tabs = i < len && word[i] == '-';
	i += (size_t)*strip_tabs;
	if (i == len || memchr(word + i, '<', len - i))
		return 0;
	r = heredoc_lex(word + i, len - i, DF_XP_SKIP_UNSET, &plain);
	if (r == 0 && plain.n == 1)
		r = heredoc_lex(word + i, len - i,
		    DF_XP_SKIP_UNSET | DF_XP_RAW_QUOTES, &raw);
	if (r == -ENOMEM)
		goto out;
	if (r < 0 || plain.n != 1 || raw.n != 1) {
		r = 0;		/* not one word: not a heredoc */
		goto out;
	}
	*expand = count_quotes(plain.v[0]) == count_quotes(raw.v[0]);
	*name = plain.v[0];
	plain.v[0] = NULL;
	plain.n = 0;
	r = 1;
out:
	df_xwords_free(&plain);
	df_xwords_free(&raw);
	return r;
}

static int
heredoc_add(struct df_instr *in, size_t *cap, char *name, int expand,
    int strip)
{
	struct df_heredoc *h;

	if (df_vec_grow(&in->heredocs, cap, in->nheredocs, sizeof(*h)) < 0) {
		free(name);
		return -ENOMEM;
	}
	h = &in->heredocs[in->nheredocs++];
	h->name = name;
	h->expand = expand;
	h->strip_tabs = strip;
	return 0;
}

/* Lines up to the one that is the delimiter (after its tabs with <<-). */
static int
heredoc_body(struct df_lexer *lx, struct df_heredoc *h)
{
	struct df_buf b = { 0 };
	const char *s, *t;
	size_t n, tn, tabs;

	while (df_lex_raw_line(lx, &s, &n)) {
		for (tabs = 0; h->strip_tabs && tabs < n && s[tabs] == '\t'; tabs++)
			;
		t = s + tabs;
		tn = n - tabs;
		while (tn && (t[tn - 1] == '\n' || t[tn - 1] == '\r'))
			tn--;
		if (tn == strlen(h->name) && memcmp(t, h->name, tn) == 0) {
			h->content = df_buf_take(&b);
			return h->content ? 1 : -ENOMEM;
		}
		df_buf_add(&b, s + tabs, n - tabs);
	}
	df_buf_free(&b);
	return 0;
}

static int
heredocs_want(const struct df_instr *in)
{
	return (in->cmd == DF_RUN || in->cmd == DF_COPY || in->cmd == DF_ADD) &&
	    !in->json;
}

int
df_heredocs_read(struct df_lexer *lx, const struct df_src *src,
    struct df_instr *in)
{
	struct df_xwords w = { 0 };
	size_t i, cap = 0, *at = NULL, *nat_p, nat = 0;
	int r, expand = 0, strip = 0;
	char *name;

	if (!heredocs_want(in))
		return 0;
	/* BuildKit ignores a line its lexer cannot read: then no heredoc */
	r = heredoc_lex(src->text, src->len,
	    DF_XP_RAW_QUOTES | DF_XP_RAW_ESCAPES | DF_XP_SKIP_UNSET, &w);
	if (r == -ENOMEM)
		goto out;
	for (i = 0, r = 0; i < w.n; i++) {
		if ((r = df_heredoc_word(w.v[i], strlen(w.v[i]), &name, &expand, &strip)) < 0)
			goto out;
		if (r == 0)
			continue;
		if ((r = heredoc_add(in, &cap, name, expand, strip)) < 0)
			goto out;
		if ((nat_p = realloc(at, cap * sizeof(*at))) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		at = nat_p;
		at[nat++] = w.off[i];
	}
	for (i = 0, r = 0; i < in->nheredocs; i++) {
		if ((r = heredoc_body(lx, &in->heredocs[i])) < 0)
			goto out;
		if (r == 0) {
			r = df_err_src(lx, src, at[i],
			    "unterminated heredoc: no line \"%s\" ends it (expected the delimiter alone on a line)",
			    in->heredocs[i].name);
			goto out;
		}
		r = 0;
	}
	in->end_line = lx->line;
out:
	free(at);
	df_xwords_free(&w);
	return r;
}

const struct df_heredoc *
df_heredoc_find(const struct df_instr *in, const char *word)
{
	const struct df_heredoc *h = NULL;
	int expand, strip;
	char *name;
	size_t i;

	if (df_heredoc_word(word, strlen(word), &name, &expand, &strip) != 1)
		return NULL;
	for (i = 0; i < in->nheredocs && h == NULL; i++)
		if (strcmp(in->heredocs[i].name, name) == 0)
			h = &in->heredocs[i];
	free(name);
	return h;
}
