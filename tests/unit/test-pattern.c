/* test-pattern.c: unit tests of .dockerignore and COPY patterns, cases taken from Go's filepath.Match and Docker's patternmatcher. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "pattern.h"

static void
test_match(void **state)
{
	static const struct { const char *p, *s; int want; } cases[] = {
		{ "abc", "abc", 1 }, { "*", "abc", 1 }, { "*c", "abc", 1 },
		{ "a*", "a", 1 }, { "a*", "abc", 1 }, { "a*", "ab/c", 0 },
		{ "a*/b", "abc/b", 1 }, { "a*/b", "a/c/b", 0 },
		{ "a*b*c*d*e*/f", "axbxcxdxe/f", 1 }, { "a*b*c*d*e*/f", "axbxcxdxexxx/f", 1 },
		{ "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0 }, { "a*b?c*x", "abxbbxdbxebxczzx", 1 },
		{ "a*b?c*x", "abxbbxdbxebxczzy", 0 }, { "ab[c]", "abc", 1 },
		{ "ab[b-d]", "abc", 1 }, { "ab[e-g]", "abc", 0 }, { "ab[^c]", "abc", 0 },
		{ "ab[^b-d]", "abc", 0 }, { "ab[^e-g]", "abc", 1 }, { "a\\*b", "a*b", 1 },
		{ "a\\*b", "ab", 0 }, { "a?b", "a☺b", 1 }, { "a???b", "a☺b", 0 },
		{ "[\\]a]", "]", 1 }, { "[\\-]", "-", 1 }, { "[x\\-]", "z", 0 },
		{ "a?b", "a/b", 0 }, { "a*b", "a/b", 0 }, { "*x", "xxx", 1 },
		{ "**", "a/b/c", 1 }, { "**/*.go", "main.go", 1 }, { "**/*.go", "a/b/c.go", 1 },
		{ "a/**/b", "a/b", 1 }, { "a/**/b", "a/x/y/b", 1 }, { "a/**", "a/x/y", 1 },
		{ "*.go", "a/b.go", 0 }, { "a[", "a", 0 }, { "[]a]", "]", 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (pattern_match(cases[i].p, cases[i].s) != cases[i].want)
			fail_msg("match(%s, %s) != %d", cases[i].p, cases[i].s, cases[i].want);
}

static void
test_dockerignore(void **state)
{
	char *pats[] = { "# a comment", "", "*.md", "!README.md", "node_modules",
	    "/build/", "**/*.tmp", "docs", "!docs/keep/**", "./x/../y" };
	struct patterns ps;

	assert_int_equal(patterns_init(&ps, pats, sizeof(pats) / sizeof(pats[0])), 0);
	assert_true(ps.has_negate);
	assert_int_equal(ps.n, 8);
	assert_true(patterns_excluded(&ps, "CHANGES.md"));
	assert_false(patterns_excluded(&ps, "README.md"));
	assert_false(patterns_excluded(&ps, "sub/CHANGES.md"));
	assert_true(patterns_excluded(&ps, "node_modules"));
	assert_true(patterns_excluded(&ps, "node_modules/x/y.js"));
	assert_false(patterns_excluded(&ps, "src/node_modules"));
	assert_true(patterns_excluded(&ps, "build/out.o"));
	assert_true(patterns_excluded(&ps, "a/b/c.tmp"));
	assert_true(patterns_excluded(&ps, "c.tmp"));
	assert_true(patterns_excluded(&ps, "docs/a.txt"));
	assert_false(patterns_excluded(&ps, "docs/keep/a.txt"));
	assert_true(patterns_excluded(&ps, "y"));
	assert_false(patterns_excluded(&ps, "x"));
	assert_false(patterns_excluded(&ps, "main.c"));
	patterns_free(&ps);
}

static void
test_last_wins(void **state)
{
	char *pats[] = { "!a", "a", "*", "!b*", "bc" };
	struct patterns ps;

	assert_int_equal(patterns_init(&ps, pats, 5), 0);
	assert_true(patterns_excluded(&ps, "a"));
	assert_false(patterns_excluded(&ps, "bb"));
	assert_true(patterns_excluded(&ps, "bc"));
	assert_true(patterns_excluded(&ps, "z"));
	patterns_free(&ps);
}

static void
test_hostile(void **state)
{
	/* exponential backtracking is cut off, not run to the end */
	assert_false(pattern_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_false(pattern_match("[", "["));
	assert_false(pattern_match("[a-", "a"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_dockerignore),
		cmocka_unit_test(test_last_wins),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
