/* test-dockerfile-errors.c: every tests/dockerfile/errors/NAME.Dockerfile fails to parse with exactly the message in NAME.err. */
#include <dirent.h>
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

static char dir[4096];

/* The file, NUL-terminated (and *n its length); NULL when unreadable. */
static char *
slurp(const char *path, size_t *n)
{
	char *buf = NULL, *p;
	size_t cap = 0, len = 0, got;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if ((p = realloc(buf, cap)) == NULL)
				break;
			buf = p;
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	fclose(f);
	if (buf)
		buf[len] = '\0';
	*n = len;
	return buf;
}

static int
one_case(const char *name)
{
	char path[8192], got[2048], *text, *want;
	struct df_error err;
	struct df_file f;
	size_t n, wn;
	int r, bad = 0;

	snprintf(path, sizeof(path), "%s/%s.Dockerfile", dir, name);
	if ((text = slurp(path, &n)) == NULL) {
		print_error("%s: %s\n", path, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s.err", dir, name);
	if ((want = slurp(path, &wn)) == NULL) {
		print_error("%s: %s\n", path, strerror(errno));
		free(text);
		return 1;
	}
	while (wn && want[wn - 1] == '\n')
		want[--wn] = '\0';
	r = df_parse("Dockerfile", text, n, &f, &err);
	if (r == 0) {
		print_error("%s: parsed without an error\n", name);
		df_file_free(&f);
		bad = 1;
	} else if (r != -EINVAL) {
		print_error("%s: %s\n", name, strerror(-r));
		bad = 1;
	} else if (strcmp(df_error_format(&err, got, sizeof(got)), want) != 0) {
		print_error("%s: got\n%s\nwant\n%s\n", name, got, want);
		bad = 1;
	}
	free(text);
	free(want);
	return bad;
}

static void
test_error_cases(void **state)
{
	struct dirent *e;
	int cases = 0, bad = 0;
	size_t len;
	DIR *d;
	char name[256];

	d = opendir(dir);
	if (d == NULL)
		fail_msg("%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len <= 11 || strcmp(e->d_name + len - 11, ".Dockerfile") != 0 ||
		    len - 11 >= sizeof(name))
			continue;
		memcpy(name, e->d_name, len - 11);
		name[len - 11] = '\0';
		cases++;
		bad += one_case(name);
	}
	closedir(d);
	print_message("%d error cases, %d wrong\n", cases, bad);
	assert_true(cases >= 30);
	assert_int_equal(bad, 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_cases),
	};
	const char *src = getenv("KILN_SRCDIR");

	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else if (src)
		snprintf(dir, sizeof(dir), "%s/tests/dockerfile/errors", src);
	else
		snprintf(dir, sizeof(dir), "%s", KILN_DF_ERRORS_DIR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
