/* test-execd-user.c: unit tests of kiln-execd's /etc/passwd and /etc/group reader, with runc's rules and hostile files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "execd.h"

const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=1";
}

/* user.c's one outside call, as container.c has it */
int
exec_fail_set(struct exec_fail *f, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->what, sizeof(f->what), fmt, ap);
	va_end(ap);
	f->err = err;
	return -err;
}

static const char passwd[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# comment\n"
    "broken:x:abc:0::/:/bin/sh\n"
    "short:x:5\n"
    "big:x:4294967295:0::/:/bin/sh\n"
    "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
    "nohome:x:1001:1001\n"
    "svc:x:999:998::/var/svc:/bin/false";	/* no final newline */
static const char group[] =
    "root:x:0:\n"
    "wheel:x:10:alice,bob\n"
    "staff:x:50:root\n"
    "alice:x:1000:\n"
    "svcgrp:x:998:\n"
    "bad:x:-1:alice\n"
    "audio:x:29:bob,alice\n"
    "alicex:x:30:alicex,xalice\n";

static void
lookup_ok(const char *spec, uid_t uid, gid_t gid, const char *groups,
    const char *home)
{
	struct exec_ids ids;
	char why[256] = "", got[256] = "";
	size_t n = 0;

	assert_int_equal(user_lookup(spec, passwd, group, &ids, why, sizeof(why)), 0);
	assert_int_equal(ids.uid, uid);
	assert_int_equal(ids.gid, gid);
	for (size_t i = 0; i < ids.ngroups; i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%u", i ? " " : "",
		    (unsigned)ids.groups[i]);
	assert_string_equal(got, groups);
	assert_string_equal(ids.home, home);
}

static void
test_names_and_numbers(void **state)
{
	lookup_ok("", 0, 0, "50", "/root");
	lookup_ok("root", 0, 0, "50", "/root");
	lookup_ok("alice", 1000, 1000, "10 29", "/home/alice");
	lookup_ok("1000", 1000, 1000, "10 29", "/home/alice");
	lookup_ok("svc", 999, 998, "", "/var/svc");
	lookup_ok("nohome", 1001, 1001, "", "");
	/* a number with no entry: that uid, gid 0 */
	lookup_ok("4242", 4242, 0, "", "");
}

static void
test_groups(void **state)
{
	lookup_ok("alice:svcgrp", 1000, 998, "", "/home/alice");
	lookup_ok("alice:10", 1000, 10, "", "/home/alice");
	lookup_ok("alice:777", 1000, 777, "", "/home/alice");
	lookup_ok("4242:4343", 4242, 4343, "", "");
	lookup_ok("4242:wheel", 4242, 10, "", "");
}

static void
lookup_fails(const char *spec, const char *pw, const char *gr, const char *why_has)
{
	struct exec_ids ids;
	char why[256] = "";

	assert_int_equal(user_lookup(spec, pw, gr, &ids, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, why_has));
}

static void
test_unknown(void **state)
{
	lookup_fails("bob", passwd, group, "unable to find user bob");
	lookup_fails("alice:nogroup", passwd, group, "unable to find group nogroup");
	/* malformed lines name nobody */
	lookup_fails("broken", passwd, group, "unable to find user broken");
	lookup_fails("short", passwd, group, "unable to find user short");
	lookup_fails("big", passwd, group, "unable to find user big");
	/* no files at all: only root and numbers */
	lookup_fails("alice", NULL, NULL, "unable to find user alice");
	lookup_ok("", 0, 0, "50", "/root");
}

static void
test_no_files(void **state)
{
	struct exec_ids ids;
	char why[256];

	assert_int_equal(user_lookup("", NULL, NULL, &ids, why, sizeof(why)), 0);
	assert_int_equal(ids.uid, 0);
	assert_int_equal(ids.ngroups, 0);
	assert_int_equal(user_lookup("7:8", "", "", &ids, why, sizeof(why)), 0);
	assert_int_equal(ids.uid, 7);
	assert_int_equal(ids.gid, 8);
}

/* Hostile files: long lines, many fields, more groups than fit. */
static void
test_hostile(void **state)
{
	size_t size = 2 * 1024 * 1024, n = 0;
	char *pw = malloc(size), *gr = malloc(size);
	struct exec_ids ids;
	char why[256];

	assert_non_null(pw);
	assert_non_null(gr);
	memset(pw, 'a', 100000);
	n = 100000;
	n += (size_t)snprintf(pw + n, size - n, ":x:1:1::/:/bin/sh\n::::::::::::\n:\n"
	    "eve:x:2000:2000:%0300d:/home/eve:/bin/sh:extra:fields\n", 0);
	pw[n] = '\0';
	n = 0;
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(gr + n, size - n, "g%d:x:%d:x,eve,y\n", i, 5000 + i);
	assert_int_equal(user_lookup("eve", pw, gr, &ids, why, sizeof(why)), 0);
	assert_int_equal(ids.uid, 2000);
	assert_int_equal(ids.ngroups, EXEC_MAX_GROUPS);
	assert_string_equal(ids.home, "/home/eve");
	free(pw);
	free(gr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_numbers),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_no_files),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
