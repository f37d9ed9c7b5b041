/* test-checksum-watch.c: unit tests of checksums answered from inotify watches: every kind of change seen, through hard links too, nothing kept that cannot be watched. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "copy.h"

static char top[256], ctx[512];
static int root = -1;
static struct snap_err err;

static void
put(const char *rel, const char *content, mode_t mode)
{
	char p[PATH_MAX], *slash;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	for (slash = strchr(p + strlen(top) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(p, 0755);
		*slash = '/';
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static const char *
at(const char *rel)
{
	static char p[4][PATH_MAX];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", top, rel);
	return p[k];
}

static int
setup(void **state)
{
	snprintf(top, sizeof(top), "%s/kiln-ckw.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(top));
	snprintf(ctx, sizeof(ctx), "%s/ctx", top);
	put("ctx/a.txt", "a", 0644);
	put("ctx/dir/f1", "one", 0644);
	put("ctx/dir/sub/f2", "two", 0644);
	put("ctx/logs/x.log", "log", 0644);
	put("ctx/other/y", "y", 0644);
	put("outside/o", "o", 0644);
	mkfifo(at("ctx/dir/fifo"), 0644);
	assert_int_equal(symlink("a.txt", at("ctx/link")), 0);
	root = open(ctx, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);
	ckw_disable(0);
	(void)state;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	close(root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	(void)state;
	return system(cmd) == 0 ? 0 : -1;
}

/* The sum of srcs (excluding ex) and whether it came without a walk. */
static int
sum2(char out[80], char *const *srcs, size_t n, char *const *ex, size_t nex)
{
	struct patterns ps;
	uint64_t h0, h1, k, w;
	int fd = open(ctx, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* a new fd each time, as each build's context is */
	assert_true(fd >= 0);
	assert_int_equal(patterns_init(&ps, ex, nex), 0);
	ckw_stats(&h0, &k, &w);
	assert_int_equal(snap_checksum(fd, srcs, n, &ps, 0, out, &err), 0);
	ckw_stats(&h1, &k, &w);
	patterns_free(&ps);
	close(fd);
	return h1 != h0;
}

static int
sum(char out[80])
{
	return sum2(out, (char *[]){ "." }, 1, NULL, 0);
}

static void
test_unchanged(void **state)
{
	char a[80], b[80];
	uint64_t h, k, w0, w1;

	assert_false(sum(a));	/* walked, and watched */
	assert_true(sum(b));	/* reading it raised no event of its own */
	assert_string_equal(a, b);
	assert_true(sum(b));
	/* a change, then the walk again: the watches are still there */
	ckw_stats(&h, &k, &w0);
	assert_int_equal(utimensat(AT_FDCWD, at("ctx/a.txt"), (struct timespec[]){ { 1, 0 },
	    { 1, 0 } }, AT_SYMLINK_NOFOLLOW), 0);
	assert_false(sum(b));
	assert_string_equal(a, b);	/* times do not count, but were looked at */
	ckw_stats(&h, &k, &w1);
	assert_int_equal(w0, w1);
	assert_true(sum(b));
	(void)state;
}

/* Each change: the next sum walks and differs, the one after is kept. */
static void
changed(const char *before)
{
	char b[80];

	assert_false(sum(b));
	assert_string_not_equal(before, b);
	assert_true(sum(b));
}

/* A change that does not count: the next sum walks and is the same. */
static void
rewalked(const char *before)
{
	char b[80];

	assert_false(sum(b));
	assert_string_equal(before, b);
	assert_true(sum(b));
}

static void
test_changes(void **state)
{
	char a[80], b[80];
	int fd;

	assert_false(sum(a));
	put("ctx/dir/sub/f2", "TWO", 0644);	/* content, deep down */
	changed(a);
	put("ctx/dir/sub/f2", "two", 0644);
	assert_false(sum(b));
	assert_string_equal(a, b);
	assert_int_equal(chmod(at("ctx/dir/f1"), 0600), 0);
	changed(a);
	assert_int_equal(chmod(at("ctx/dir/f1"), 0644), 0);
	assert_int_equal(chmod(at("ctx/dir/fifo"), 0600), 0);	/* a fifo's mode */
	changed(a);
	assert_int_equal(chmod(at("ctx/dir/fifo"), 0644), 0);
	put("ctx/dir/sub/new", "", 0644);	/* a new file */
	changed(a);
	assert_int_equal(unlink(at("ctx/dir/sub/new")), 0);
	assert_int_equal(rename(at("ctx/dir/sub"), at("ctx/dir/sub2")), 0);
	changed(a);
	assert_int_equal(rename(at("ctx/dir/sub2"), at("ctx/dir/sub")), 0);
	assert_int_equal(unlink(at("ctx/link")), 0);	/* a symlink's target */
	assert_int_equal(symlink("dir", at("ctx/link")), 0);
	changed(a);
	assert_int_equal(unlink(at("ctx/link")), 0);
	assert_int_equal(symlink("a.txt", at("ctx/link")), 0);
	/* an append through an fd opened before the sum */
	fd = open(at("ctx/a.txt"), O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_false(sum(b));
	assert_string_equal(a, b);
	assert_int_equal(write(fd, "x", 1), 1);
	changed(a);
	assert_int_equal(ftruncate(fd, 1), 0);
	close(fd);
	assert_false(sum(b));
	assert_string_equal(a, b);
	(void)state;
}

/* A hard link made outside the context after the walk: a write through it
 * raises no event on the context's directories, only on the file's own
 * watch. */
static void
test_hard_link_outside(void **state)
{
	char a[80];

	assert_false(sum(a));
	assert_int_equal(link(at("ctx/dir/f1"), at("outside/f1")), 0);
	rewalked(a);	/* its link count and ctime: looked at again */
	put("outside/f1", "ONE", 0644);
	changed(a);
	/* and one that was there before the first walk */
	put("outside/f1", "one", 0644);
	assert_false(sum(a));
	put("outside/f1", "1", 0644);
	changed(a);
	(void)state;
}

static void
test_not_kept(void **state)
{
	char a[80], b[80];
	char *glob[] = { "dir/*" }, *via[] = { "lnk/f1" };

	/* a wildcard's expansion reads what the walk does not watch */
	assert_false(sum2(a, glob, 1, NULL, 0));
	assert_false(sum2(b, glob, 1, NULL, 0));
	assert_string_equal(a, b);
	/* a symlink on a source's path */
	assert_int_equal(symlink("dir", at("ctx/lnk")), 0);
	assert_false(sum2(a, via, 1, NULL, 0));
	assert_false(sum2(b, via, 1, NULL, 0));
	/* switched off */
	assert_false(sum(a));
	assert_true(sum(a));
	ckw_disable(1);
	assert_false(sum(b));
	assert_string_equal(a, b);
	ckw_disable(0);
	(void)state;
}

static void
test_excludes_and_sources(void **state)
{
	char a[80], b[80], c[80];
	char *all[] = { "." }, *ex[] = { "logs" }, *two[] = { "dir/sub", "a.txt" };

	assert_false(sum2(a, all, 1, ex, 1));
	assert_true(sum2(b, all, 1, ex, 1));
	/* what is excluded is not watched: changes in it keep the answer */
	put("ctx/logs/x.log", "more", 0644);
	assert_true(sum2(b, all, 1, ex, 1));
	assert_string_equal(a, b);
	/* another request on the same root is another answer */
	assert_false(sum2(c, two, 2, NULL, 0));
	assert_true(sum2(b, two, 2, NULL, 0));
	assert_string_equal(b, c);
	assert_true(sum2(b, all, 1, ex, 1));
	/* a change in no directory of two's leaves it, not the whole one */
	put("ctx/other/y", "Y", 0644);
	assert_true(sum2(b, two, 2, NULL, 0));
	assert_false(sum2(b, all, 1, ex, 1));
	assert_string_not_equal(a, b);
	/* an excluded one brought back under another name */
	assert_int_equal(rename(at("ctx/logs"), at("ctx/logs2")), 0);
	assert_false(sum2(c, all, 1, ex, 1));
	assert_string_not_equal(b, c);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hard_link_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_excludes_and_sources, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
