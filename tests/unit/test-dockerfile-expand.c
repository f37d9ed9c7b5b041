/* test-dockerfile-expand.c: unit tests of df_expand_word and df_expand_words against Docker's shell-lexer rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "dockerfile.h"

const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=1";
}

/* set, empty, unset (NULL), and one with blanks for splitting */
static const char *const env[][2] = {
	{ "PWD", "/home" }, { "SHELL", "bash" }, { "EMPTY", "" },
	{ "SP", "a b  c" }, { "KOREAN", "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4" },
	{ "FILE", "archive.tar.gz" }, { "P", "/usr/local/bin" },
	{ "1", "one" }, { "_x9", "under" },
};

static char long_value[20001];

static const char *
lookup(const char *name, void *arg)
{
	size_t i;

	(void)arg;
	if (strcmp(name, "LONG") == 0)
		return long_value;
	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		if (strcmp(env[i][0], name) == 0)
			return env[i][1];
	return NULL;
}

struct wcase {
	const char	*in;
	const char	*out;	/* NULL: an error whose message contains err */
	const char	*err;
};

static const struct wcase word_cases[] = {
	{ "hello", "hello", NULL },
	{ "he'll'o", "hello", NULL },
	{ "he\"ll\"o", "hello", NULL },
	{ "'$PWD'", "$PWD", NULL },
	{ "\"$PWD\"", "/home", NULL },
	{ "$PWD", "/home", NULL },
	{ "${PWD}", "/home", NULL },
	{ "x${PWD}y", "x/homey", NULL },
	{ "$PWD/x", "/home/x", NULL },
	{ "\\$PWD", "$PWD", NULL },
	{ "\"\\$PWD\"", "$PWD", NULL },
	{ "'\\$PWD'", "\\$PWD", NULL },
	{ "\\\\", "\\", NULL },
	{ "a\\ b", "a b", NULL },
	{ "\"a\\ b\"", "a\\ b", NULL },		/* in "" \ escapes only " $ \ */
	{ "\"a\\\"b\"", "a\"b", NULL },
	{ "\"a\\\\b\"", "a\\b", NULL },
	{ "abc\\", "abc", NULL },		/* a trailing escape is dropped */
	{ "'a\"b'", "a\"b", NULL },
	{ "\"a'b\"", "a'b", NULL },
	{ "$", "$", NULL },
	{ "$ x", "$ x", NULL },
	{ "a$", "a$", NULL },
	{ "$.x", "$.x", NULL },
	{ "$/", "$/", NULL },
	{ "$UNSET", "", NULL },
	{ "${UNSET}", "", NULL },
	{ "$1", "one", NULL },
	{ "$12", "", NULL },
	{ "$_x9!", "under!", NULL },
	{ "$KOREAN", "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", NULL },
	/* :- and - : empty counts as unset only with the colon */
	{ "${UNSET:-def}", "def", NULL },
	{ "${EMPTY:-def}", "def", NULL },
	{ "${SHELL:-def}", "bash", NULL },
	{ "${UNSET-def}", "def", NULL },
	{ "${EMPTY-def}", "", NULL },
	{ "${SHELL-def}", "bash", NULL },
	{ "${UNSET:+alt}", "", NULL },
	{ "${EMPTY:+alt}", "", NULL },
	{ "${SHELL:+alt}", "alt", NULL },
	{ "${UNSET+alt}", "", NULL },
	{ "${EMPTY+alt}", "alt", NULL },
	{ "${SHELL+alt}", "alt", NULL },
	{ "${UNSET:-$PWD}", "/home", NULL },
	{ "${UNSET:-${SHELL:-x}y}", "bashy", NULL },
	{ "${UNSET:-\"a b\"}", "a b", NULL },
	{ "${UNSET:-'$PWD'}", "$PWD", NULL },
	{ "${UNSET:-a\\}b}", "a}b", NULL },
	{ "\"${UNSET:-x y}\"", "x y", NULL },
	{ "${SHELL:?}", "bash", NULL },
	{ "${EMPTY?}", "", NULL },
	{ "${UNSET:?}", NULL, "UNSET: is not allowed to be unset" },
	{ "${UNSET?}", NULL, "UNSET: is not allowed to be unset" },
	{ "${EMPTY:?}", NULL, "EMPTY: is not allowed to be empty" },
	{ "${UNSET:?need it}", NULL, "UNSET: need it" },
	/* patterns */
	{ "${FILE#*.}", "tar.gz", NULL },
	{ "${FILE##*.}", "gz", NULL },
	{ "${FILE%.*}", "archive.tar", NULL },
	{ "${FILE%%.*}", "archive", NULL },
	{ "${FILE#nomatch}", "archive.tar.gz", NULL },
	{ "${P#/usr}", "/local/bin", NULL },
	{ "${FILE#a?c}", "hive.tar.gz", NULL },
	{ "${FILE/tar/zip}", "archive.zip.gz", NULL },
	{ "${FILE//a/A}", "Archive.tAr.gz", NULL },
	{ "${P//\\//:}", ":usr:local:bin", NULL },
	{ "${UNSET/a/b}", "", NULL },
	{ "${P##*/}", "bin", NULL },
	{ "${P%/*}", "/usr/local", NULL },
	{ "${P%%/*}", "", NULL },
	{ "${P//*/x}", "x", NULL },		/* no empty match after the match */
	{ "${FILE/*./}", "gz", NULL },
	{ "${FILE/r?h/RCH}", "aRCHive.tar.gz", NULL },
	{ "${FILE//\\*/x}", "archive.tar.gz", NULL },
	{ "${EMPTY//x/y}", "", NULL },
	{ "${SHELL%}", "bash", NULL },
	{ "${SHELL#*}", "bash", NULL },
	{ "${SHELL##*}", "", NULL },
	{ "${FILE:#x}", NULL, "unsupported modifier (:#) in substitution" },
	{ "${FILE#\\x}", NULL, "invalid pattern" },
	/* syntax errors */
	{ "'abc", NULL, "unexpected end of statement while looking for matching single-quote" },
	{ "\"abc", NULL, "unexpected end of statement while looking for matching double-quote" },
	{ "\"abc\\\"", NULL, "matching double-quote" },
	{ "${", NULL, "syntax error: missing '}'" },
	{ "${PWD", NULL, "syntax error: missing '}'" },
	{ "${PWD:-x", NULL, "syntax error: missing '}'" },
	{ "${}", NULL, "syntax error: bad substitution" },
	{ "${:}", NULL, "syntax error: bad substitution" },
	{ "${{x}", NULL, "syntax error: bad substitution" },
	{ "${a b}", NULL, "missing ':' in substitution" },
	{ "${PWD:x}", NULL, "unsupported modifier (:x) in substitution" },
	{ "${FILE/a", NULL, "syntax error: missing '/' in ${}" },
};

static void
test_words_table(void **state)
{
	struct df_error err;
	char *out;
	size_t i;
	int r;

	for (i = 0; i < sizeof(word_cases) / sizeof(word_cases[0]); i++) {
		const struct wcase *c = &word_cases[i];

		r = df_expand_word(c->in, '\\', lookup, NULL, &out, &err);
		if (c->out) {
			if (r != 0)
				fail_msg("%s: error %s", c->in, err.msg);
			if (strcmp(out, c->out) != 0)
				fail_msg("%s: got [%s], want [%s]", c->in, out, c->out);
			free(out);
		} else {
			if (r != -EINVAL)
				fail_msg("%s: no error (got [%s])", c->in, out);
			assert_null(out);
			if (strstr(err.msg, c->err) == NULL)
				fail_msg("%s: message [%s], want [%s]", c->in, err.msg, c->err);
			assert_int_equal(err.pos.line, 0);
		}
	}
}

static void
test_error_message(void **state)
{
	struct df_error err;
	char *out, buf[512];

	assert_int_equal(df_expand_word("a${b", '\\', lookup, NULL, &out, &err), -EINVAL);
	assert_string_equal(err.msg, "failed to process \"a${b\": syntax error: missing '}'");
	/* not placed: the message alone */
	assert_string_equal(df_error_format(&err, buf, sizeof(buf)),
	    "Dockerfile: failed to process \"a${b\": syntax error: missing '}'");
}

static void
test_backtick_escape(void **state)
{
	struct df_error err;
	char *out;

	/* with # escape=` the backslash is an ordinary character */
	assert_int_equal(df_expand_word("C:\\dir\\$PWD", '`', lookup, NULL, &out, &err), 0);
	assert_string_equal(out, "C:\\dir\\/home");
	free(out);
	assert_int_equal(df_expand_word("`$PWD a` b", '`', lookup, NULL, &out, &err), 0);
	assert_string_equal(out, "$PWD a b");
	free(out);
	assert_int_equal(df_expand_word("\"a`\"b\"", '`', lookup, NULL, &out, &err), 0);
	assert_string_equal(out, "a\"b");
	free(out);
}

static void
test_no_lookup(void **state)
{
	struct df_error err;
	char *out;

	/* every variable unset */
	assert_int_equal(df_expand_word("a$b${c:-d}", '\\', NULL, NULL, &out, &err), 0);
	assert_string_equal(out, "ad");
	free(out);
}

struct xcase {
	const char	*in;
	const char	*words[6];
};

static const struct xcase words_cases[] = {
	{ "a b c", { "a", "b", "c" } },
	{ "  a   b  ", { "a", "b" } },
	{ "\"a b\" c", { "a b", "c" } },
	{ "'a b'c d", { "a bc", "d" } },
	{ "a\\ b c", { "a b", "c" } },
	{ "$SP", { "a", "b", "c" } },		/* expanded values split */
	{ "\"$SP\"", { "a b  c" } },		/* not when quoted */
	{ "x$SP", { "xa", "b", "c" } },
	{ "$EMPTY", { NULL } },
	{ "\"\"", { NULL } },			/* an empty quoted word is no word */
	{ "a \"\" b", { "a", "b" } },
	{ "", { NULL } },
	{ "${UNSET:-x y} z", { "x", "y", "z" } },
	{ "a\tb\nc", { "a", "b", "c" } },
};

static void
test_words_split(void **state)
{
	struct df_error err;
	char **w;
	size_t i, k, n;

	for (i = 0; i < sizeof(words_cases) / sizeof(words_cases[0]); i++) {
		const struct xcase *c = &words_cases[i];

		if (df_expand_words(c->in, '\\', lookup, NULL, &w, &n, &err) != 0)
			fail_msg("%s: %s", c->in, err.msg);
		for (k = 0; c->words[k]; k++) {
			if (k >= n)
				fail_msg("%s: %zu words, want more", c->in, n);
			if (strcmp(w[k], c->words[k]) != 0)
				fail_msg("%s: word %zu [%s], want [%s]", c->in, k, w[k], c->words[k]);
		}
		if (k != n)
			fail_msg("%s: %zu words, want %zu", c->in, n, k);
		assert_null(w[n]);
		df_words_free(w);
	}
}

static void
test_words_error(void **state)
{
	struct df_error err;
	char **w = (char **)&err;
	size_t n = 7;

	assert_int_equal(df_expand_words("a 'b", '\\', lookup, NULL, &w, &n, &err), -EINVAL);
	assert_null(w);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err.msg, "single-quote"));
	df_words_free(NULL);
}

/* patterns stay linear in the value: 20000 bytes take no time */
static void
test_long_value(void **state)
{
	struct df_error err;
	char *out;

	memset(long_value, 'a', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 2] = 'b';
	assert_int_equal(df_expand_word("${LONG//a*b/x}", '\\', lookup, NULL, &out, &err), 0);
	assert_string_equal(out, "x");
	free(out);
	assert_int_equal(df_expand_word("${LONG%%*c}", '\\', lookup, NULL, &out, &err), 0);
	assert_int_equal(strlen(out), 20000);
	free(out);
	assert_int_equal(df_expand_word("${LONG//?/}", '\\', lookup, NULL, &out, &err), 0);
	assert_string_equal(out, "");
	free(out);
}

static void
test_deep_nesting(void **state)
{
	struct df_error err;
	char buf[4096], *out;
	size_t i, o = 0;

	/* bounded recursion: 500 nested ${a:-...} fail cleanly */
	for (i = 0; i < 500; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "${a:-");
	buf[o] = '\0';
	assert_int_equal(df_expand_word(buf, '\\', lookup, NULL, &out, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "nested too deeply"));
	/* 20 are fine */
	for (o = 0, i = 0; i < 20; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "${a:-");
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "x");
	for (i = 0; i < 20; i++)
		buf[o++] = '}';
	buf[o] = '\0';
	assert_int_equal(df_expand_word(buf, '\\', lookup, NULL, &out, &err), 0);
	assert_string_equal(out, "x");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_table),
		cmocka_unit_test(test_error_message),
		cmocka_unit_test(test_backtick_escape),
		cmocka_unit_test(test_no_lookup),
		cmocka_unit_test(test_words_split),
		cmocka_unit_test(test_words_error),
		cmocka_unit_test(test_long_value),
		cmocka_unit_test(test_deep_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
