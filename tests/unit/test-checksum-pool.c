/* test-checksum-pool.c: unit tests of checksums whose contents are hashed by worker threads: the same digest as in line, a read error named, a change through a hard link seen, records held behind a big file, a file replaced by a directory mid-walk. */
#include <dirent.h>
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

/*
 * The digests below are those of the implementation before the pool
 * (one thread, every file read to a read of 0 bytes), on the tree
 * make_tree builds: they say the records and their order did not change.
 */
#define SUM_ALL		"sha256:7482966e04b74d1e2f83b9134977d9cb57bb6973ae06f0add726de3b90c434ff"
#define SUM_EXCLUDED	"sha256:ce4759ab3099a2ae02ad67a0d1f4c1297d1b7f31a9fe2b17feef41c5047b47f0"
#define READ_BUF	(256 * 1024)	/* checksum.h's CK_READ_BUF */
#define BAD_SIZE	4242		/* a file of this size fails to read */

static char top[256], ctx[512];
static struct snap_err err;
static int fail_reads;

/* A read of a BAD_SIZE file fails while fail_reads is set (the workers
 * call it too: fstat is thread-safe). */
ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);
ssize_t
__wrap_read(int fd, void *buf, size_t n)
{
	struct stat st;

	if (fail_reads && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == BAD_SIZE) {
		errno = EIO;
		return -1;
	}
	return __real_read(fd, buf, n);
}

/* The walk's open of a file named "swap" while swap_to_dir is set: the
 * file is replaced by a directory holding "in" first, as if between the
 * walk's lstat and its open. */
static int swap_to_dir;
int __real_openat(int dir, const char *path, int flags, ...);
int __wrap_openat(int dir, const char *path, int flags, ...);
int
__wrap_openat(int dir, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int d, f;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (swap_to_dir && strcmp(path, "swap") == 0 && !(flags & O_DIRECTORY)) {
		swap_to_dir = 0;
		assert_int_equal(unlinkat(dir, "swap", 0), 0);
		assert_int_equal(mkdirat(dir, "swap", 0755), 0);
		d = __real_openat(dir, "swap", O_RDONLY | O_DIRECTORY);
		f = __real_openat(d, "in", O_WRONLY | O_CREAT, 0644);
		assert_int_equal(write(f, "in", 2), 2);
		close(f);
		close(d);
	}
	return __real_openat(dir, path, flags, mode);
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

/* size bytes made from seed, mode set whatever the umask */
static void
put(const char *rel, size_t size, unsigned seed, mode_t mode)
{
	static unsigned char buf[4 * READ_BUF];
	int fd;

	assert_true(size <= sizeof(buf));
	for (size_t i = 0; i < size; i++)
		buf[i] = (unsigned char)((i * 31 + seed * 7 + (i >> 9)) & 0xff);
	fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	close(fd);
	assert_int_equal(chmod(at(rel), mode), 0);
}

static void
dir(const char *rel, mode_t mode)
{
	assert_int_equal(mkdir(at(rel), 0700), 0);
	assert_int_equal(chmod(at(rel), mode), 0);
}

/* Five directories of 60 files (more than the pool has slots), and the
 * sizes around the read buffer's, hard links, symlinks, a fifo. */
static void
make_tree(void)
{
	char rel[64];
	static const size_t edge[] = { 0, 1, READ_BUF - 1, READ_BUF, READ_BUF + 1,
	    3 * READ_BUF, 3 * READ_BUF + 7 };

	dir("ctx", 0755);
	for (int d = 0; d < 5; d++) {
		snprintf(rel, sizeof(rel), "ctx/d%02d", d);
		dir(rel, d == 2 ? 0700 : 0755);
		for (int f = 0; f < 60; f++) {
			snprintf(rel, sizeof(rel), "ctx/d%02d/f%03d", d, f);
			put(rel, (size_t)(f * 397 + d * 1013) % 20000, (unsigned)(d * 60 + f),
			    f % 7 == 0 ? 0600 : 0644);
		}
	}
	dir("ctx/edge", 0755);
	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		snprintf(rel, sizeof(rel), "ctx/edge/s%zu", edge[i]);
		put(rel, edge[i], (unsigned)i, 0644);
	}
	dir("ctx/edge/deep", 0750);
	dir("ctx/edge/deep/er", 0755);
	put("ctx/edge/deep/er/x", 5, 1, 0755);
	assert_int_equal(link(at("ctx/d00/f001"), at("ctx/edge/hard")), 0);
	assert_int_equal(link(at("ctx/edge/s262144"), at("ctx/d04/zz")), 0);
	assert_int_equal(symlink("../d00/f002", at("ctx/edge/sym")), 0);
	assert_int_equal(symlink("nowhere", at("ctx/edge/dangling")), 0);
	assert_int_equal(mkfifo(at("ctx/edge/fifo"), 0600), 0);
	assert_int_equal(chmod(at("ctx/edge/fifo"), 0640), 0);
	dir("outside", 0755);
}

static int
setup(void **state)
{
	snprintf(top, sizeof(top), "%s/kiln-ckp.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(top));
	snprintf(ctx, sizeof(ctx), "%s/ctx", top);
	make_tree();
	ckw_disable(0);
	fail_reads = 0;
	(void)state;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	(void)state;
	return system(cmd) == 0 ? 0 : -1;
}

static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The sum of "." with excludes ex; r its return. */
static int
sum_ex(char out[80], char *const *ex, size_t nex)
{
	struct patterns ps;
	int fd = open(ctx, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	assert_true(fd >= 0);
	assert_int_equal(patterns_init(&ps, ex, nex), 0);
	r = snap_checksum(fd, (char *[]){ "." }, 1, &ps, 0, out, &err);
	patterns_free(&ps);
	close(fd);
	return r;
}

static void
sum(char out[80])
{
	assert_int_equal(sum_ex(out, NULL, 0), 0);
}

static void
test_same_digest(void **state)
{
	char a[80], b[80];
	char *ex[] = { "d01", "!d01/f007", "edge/deep" };
	uint64_t h0, m0, h1, m1;

	/* read, without and with watches, then from the cache */
	ckw_disable(1);
	checksum_stats(&h0, &m0);
	sum(a);
	checksum_stats(&h1, &m1);
	assert_string_equal(a, SUM_ALL);
	assert_true(m1 - m0 >= 300);
	sum(b);
	assert_string_equal(b, SUM_ALL);
	ckw_disable(0);
	sum(b);
	assert_string_equal(b, SUM_ALL);
	/* excluded, a directory brought back in part (walked, not counted) */
	assert_int_equal(sum_ex(b, ex, 3), 0);
	assert_string_equal(b, SUM_EXCLUDED);
	(void)state;
}

static void
test_cold_watched(void **state)
{
	char a[80];

	/* the first walk of all adds its watches through the reads' opens */
	sum(a);
	assert_string_equal(a, SUM_ALL);
	sum(a);
	assert_string_equal(a, SUM_ALL);
	(void)state;
}

static void
test_read_error(void **state)
{
	char a[80];
	int n = open_fds();

	put("ctx/d03/bad", BAD_SIZE, 9, 0644);
	fail_reads = 1;
	assert_int_equal(sum_ex(a, NULL, 0), -EIO);
	assert_non_null(strstr(err.msg, "'d03/bad'"));
	assert_non_null(strstr(err.msg, strerror(EIO)));
	assert_int_equal(open_fds(), n);	/* every file given to the pool closed */
	fail_reads = 0;
	sum(a);
	assert_string_not_equal(a, SUM_ALL);
	(void)state;
}

/* A write through a name outside the context, to a file among hundreds
 * hashed by the workers: only the file's own watch sees it. */
static void
test_hard_link_outside(void **state)
{
	char a[80], b[80];

	assert_int_equal(link(at("ctx/d03/f040"), at("outside/before")), 0);
	sum(a);
	assert_int_equal(link(at("ctx/d02/f059"), at("outside/after")), 0);
	sum(b);
	assert_string_equal(a, b);	/* a link count is not in the sum */
	put("outside/before", 10, 77, 0644);
	sum(b);
	assert_string_not_equal(a, b);
	sum(a);
	assert_string_equal(a, b);
	put("outside/after", 10, 78, 0644);
	sum(b);
	assert_string_not_equal(a, b);
	(void)state;
}

/* A big file first, then records enough to pass the bound on those
 * waiting behind it (2000 names of 200 bytes, all cached): the same sum
 * as when every file was read. */
static void
test_records_behind_big_file(void **state)
{
	char a[80], b[80], rel[300], name[201];

	memset(name, 'n', 196);
	name[200] = '\0';
	dir("ctx/many", 0755);
	for (int i = 0; i < 2000; i++) {
		snprintf(name + 196, 5, "%04d", i);
		snprintf(rel, sizeof(rel), "ctx/many/%s", name);
		put(rel, 3, (unsigned)i, 0644);
	}
	put("ctx/a-big", 4 * READ_BUF, 5, 0644);
	ckw_disable(1);
	sum(a);
	put("ctx/a-big", 4 * READ_BUF, 5, 0644);	/* the same bytes, not cached */
	sum(b);
	assert_string_equal(a, b);
	ckw_disable(0);
	(void)state;
}

/* A file that is a directory by the time the walk opens it: walked as
 * the directory it is, and the sum is the one of a tree that had it
 * from the start (and not kept: its parent's watch saw the change). */
static void
test_replaced_by_dir(void **state)
{
	char a[80], b[80];

	put("ctx/swap", 4, 1, 0644);
	swap_to_dir = 1;
	sum(a);
	assert_int_equal(swap_to_dir, 0);
	sum(b);
	assert_string_equal(a, b);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cold_watched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hard_link_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records_behind_big_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_by_dir, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
