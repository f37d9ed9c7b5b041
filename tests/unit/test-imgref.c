/* test-imgref.c: unit tests of image reference parsing and Docker Hub normalisation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "imgref.h"

const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=1";
}

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
expect_ref(const char *in, const char *domain, const char *path,
    const char *tag, const char *digest, const char *canonical)
{
	struct imgref r;
	const char *why = NULL;
	char buf[IMGREF_STR_MAX];

	if (imgref_parse(in, &r, &why) != 0)
		fail_msg("'%s' refused: %s", in, why);
	assert_string_equal(r.domain, domain);
	assert_string_equal(r.path, path);
	assert_string_equal(r.tag, tag);
	assert_string_equal(r.digest, digest);
	assert_int_equal(imgref_format(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, canonical);
}

static void
expect_bad(const char *in, const char *why_part)
{
	struct imgref r;
	const char *why = NULL;

	if (imgref_parse(in, &r, &why) != -EINVAL)
		fail_msg("'%s' accepted", in);
	assert_non_null(why);
	if (why_part && strstr(why, why_part) == NULL)
		fail_msg("'%s': '%s' does not say '%s'", in, why, why_part);
}

static void
test_docker_hub(void **state)
{
	expect_ref("alpine", "docker.io", "library/alpine", "latest", "",
	    "docker.io/library/alpine:latest");
	expect_ref("alpine:3.19", "docker.io", "library/alpine", "3.19", "",
	    "docker.io/library/alpine:3.19");
	expect_ref("library/alpine", "docker.io", "library/alpine", "latest", "",
	    "docker.io/library/alpine:latest");
	expect_ref("user/repo", "docker.io", "user/repo", "latest", "",
	    "docker.io/user/repo:latest");
	expect_ref("index.docker.io/busybox", "docker.io", "library/busybox",
	    "latest", "", "docker.io/library/busybox:latest");
	expect_ref("docker.io/a/b/c:v1", "docker.io", "a/b/c", "v1", "",
	    "docker.io/a/b/c:v1");
	assert_string_equal(imgref_api_host("docker.io"), "registry-1.docker.io");
	assert_string_equal(imgref_api_host("ghcr.io"), "ghcr.io");
}

static void
test_domains(void **state)
{
	expect_ref("localhost/foo", "localhost", "foo", "latest", "",
	    "localhost/foo:latest");
	expect_ref("localhost:5000/foo/bar:v1", "localhost:5000", "foo/bar", "v1",
	    "", "localhost:5000/foo/bar:v1");
	expect_ref("127.0.0.1:5000/x@sha256:" D64, "127.0.0.1:5000", "x", "",
	    "sha256:" D64, "127.0.0.1:5000/x@sha256:" D64);
	expect_ref("ghcr.io/o/r:t@sha256:" D64, "ghcr.io", "o/r", "t",
	    "sha256:" D64, "ghcr.io/o/r:t@sha256:" D64);
	expect_ref("[::1]:5000/foo:bar", "[::1]:5000", "foo", "bar", "",
	    "[::1]:5000/foo:bar");
	expect_ref("Registry/foo", "Registry", "foo", "latest", "",
	    "Registry/foo:latest");
	/* a port-like tag without a domain is a tag */
	expect_ref("localhost:5000", "docker.io", "library/localhost", "5000", "",
	    "docker.io/library/localhost:5000");
}

static void
test_paths(void **state)
{
	expect_ref("a_b__c-d---e.f", "docker.io", "library/a_b__c-d---e.f",
	    "latest", "", "docker.io/library/a_b__c-d---e.f:latest");
	expect_bad("Alpine", "lowercase");
	expect_bad("example.com/Foo/bar", "lowercase");
	expect_bad("a//b", "path component");
	expect_bad("-a", "path component");
	expect_bad("a-", "path component");
	expect_bad("a..b", "path component");
	expect_bad("a___b", "path component");
	expect_bad("example.com/", "path component");
	expect_bad("exa..mple.com/a", "domain");
	expect_bad("example.com:port/a", "domain");
}

static void
test_tags_digests(void **state)
{
	char tag[200];

	expect_bad("", "empty");
	expect_bad(":tag", "empty");
	expect_bad("foo:", "tag");
	expect_bad("foo:.x", "tag");
	expect_bad("foo:a/b", NULL);
	expect_bad("foo@sha256:abc", "digest");
	expect_bad("foo@md5:" D64, "digest");
	expect_bad("foo@sha256:" D64 "0", "digest");
	expect_bad("foo@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	    "digest");
	memset(tag, 'a', 128);
	tag[128] = '\0';
	{
		char in[300], want[300];

		snprintf(in, sizeof(in), "foo:%s", tag);
		snprintf(want, sizeof(want), "docker.io/library/foo:%s", tag);
		expect_ref(in, "docker.io", "library/foo", tag, "", want);
	}
}

/* a 129-character tag and a 256-character name are refused */
static void
test_long(void **state)
{
	char in[400], name[300];
	struct imgref r;

	memset(in, 0, sizeof(in));
	strcpy(in, "foo:");
	memset(in + 4, 'a', 129);
	assert_int_equal(imgref_parse(in, &r, NULL), -EINVAL);
	memset(name, 'a', 256);
	name[256] = '\0';
	assert_int_equal(imgref_parse(name, &r, NULL), -EINVAL);
	assert_true(imgref_digest_valid("sha256:" D64));
	assert_false(imgref_digest_valid("sha256:" D64 "x"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_hub),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_tags_digests),
		cmocka_unit_test(test_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
