/* test-netd-fetch.c: the headers ADD of a URL reads (netd/fetch_headers.c): HTTP dates and Content-Disposition file names, hostile ones included. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "fetch.h"

static void
test_http_date(void **state)
{
	(void)state;
	assert_int_equal(fetch_http_date("Thu, 04 Mar 2021 05:06:07 GMT"), 1614834367);
	assert_int_equal(fetch_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
	assert_int_equal(fetch_http_date(""), -1);
	assert_int_equal(fetch_http_date("yesterday"), -1);
	assert_int_equal(fetch_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing"), -1);
	assert_int_equal(fetch_http_date("Sun, 06 Nov 1994 08:49:37"), -1);
}

static void
test_disposition_name(void **state)
{
	static const struct {
		const char *cd, *name;
	} cases[] = {
		{ "attachment; filename=\"report.pdf\"", "report.pdf" },
		{ "attachment; filename=plain.txt", "plain.txt" },
		{ "attachment; filename=plain.txt; size=3", "plain.txt" },
		{ "inline; FILENAME=\"Up.TXT\"", "Up.TXT" },
		{ "attachment", "" },
		{ "", "" },
		{ "attachment; filename=\"\"", "" },
		{ "attachment; filename=\"../../etc/passwd\"", "" },
		{ "attachment; filename=\"a/b\"", "" },
		{ "attachment; filename=\"a\\\\b\"", "" },
		{ "attachment; filename=..", "" },
		{ "attachment; filename=.", "" },
		{ "attachment; filename=\"unterminated", "unterminated" },
	};
	char out[256], small[4];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = fetch_disposition_name(cases[i].cd, out, sizeof(out));

		assert_string_equal(out, cases[i].name);
		assert_int_equal(r, *cases[i].name != '\0');
	}
	/* a name longer than the buffer is no name, never a cut one */
	assert_int_equal(fetch_disposition_name("attachment; filename=long.txt", small,
	    sizeof(small)), 0);
	assert_string_equal(small, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_date),
		cmocka_unit_test(test_disposition_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
