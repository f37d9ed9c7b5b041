/* fuzz-dockerfile.c: libFuzzer harness of the Dockerfile frontend: df_parse, then df_expand_word(s) on every word it kept. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dockerfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* set, empty or unset by the name's first byte, so every branch of the
 * modifiers is reached; values with blanks, quotes and $ to re-split */
static const char *
lookup(const char *name, void *arg)
{
	static const char *const values[] = { NULL, "", "a b", "x", "$y '\"",
	    "archive.tar.gz" };

	(void)arg;
	return values[(unsigned char)name[0] % 6];
}

static void
expand_one(const char *s, char escape)
{
	struct df_error err;
	char *out, **words, buf[2048];
	size_t n;

	if (df_expand_word(s, escape, lookup, NULL, &out, &err) == 0)
		free(out);
	else
		df_error_format(&err, buf, sizeof(buf));
	if (df_expand_words(s, escape, lookup, NULL, &words, &n, &err) == 0)
		df_words_free(words);
}

static void
expand_instr(const struct df_instr *in, char escape)
{
	size_t i;

	for (i = 0; i < in->nargs; i++) {
		expand_one(in->args[i], escape);
		(void)df_heredoc_find(in, in->args[i]);
	}
	for (i = 0; i < in->nkvs; i++) {
		expand_one(in->kvs[i].key, escape);
		if (in->kvs[i].value)
			expand_one(in->kvs[i].value, escape);
	}
	for (i = 0; i < in->nflags; i++)
		if (in->flags[i].value)
			expand_one(in->flags[i].value, escape);
	if (in->onbuild)
		expand_instr(in->onbuild, escape);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct df_error err;
	struct df_file f;
	char buf[2048], *text;
	size_t i;

	if (size > 1 << 16)
		return 0;
	if (df_parse("Dockerfile", (const char *)data, size, &f, &err) == 0) {
		for (i = 0; i < f.ninstrs; i++)
			expand_instr(&f.instrs[i], f.escape);
		df_file_free(&f);
	} else {
		df_error_format(&err, buf, sizeof(buf));
	}
	/* the whole input as one word too, with either escape character */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	expand_one(text, size && data[0] & 1 ? '`' : '\\');
	free(text);
	return 0;
}
