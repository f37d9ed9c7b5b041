/* test-snap-meta.c: unit tests of kiln-snapd's metadata (meta.c), tree helpers (tree.c) and size parsing. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <cmocka.h>
#include "meta.h"
#include "snapd.h"
#include "util.h"

static char dir[64];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/kiln-unit-meta.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	meta_close();
	assert_int_equal(tree_remove(dir), 0);
	return 0;
}

static void
db_open(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/meta.db", dir);
	assert_int_equal(meta_open(path), 0);
}

static int
count_row(const struct meta_snap *s, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

/* a chain, the foreign key that keeps a parent, ids never reused */
static void
test_snapshots(void **state)
{
	struct meta_snap s;
	int64_t a, b, c, chain[4];
	int n, rows = 0;

	db_open();
	assert_int_equal(meta_snap_insert(0, STORE_PREPARED, "overlayfs", &a), 0);
	assert_int_equal(meta_snap_set_committed(a, 4096), 0);
	assert_int_equal(meta_snap_insert(a, STORE_PREPARED, "overlayfs", &b), 0);
	assert_int_equal(meta_snap_chain(b, chain, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_true(chain[0] == b && chain[1] == a);
	assert_int_equal(meta_snap_chain(b, chain, 1, &n), -E2BIG);
	assert_int_equal(meta_snap_children(a, &n), 0);
	assert_int_equal(n, 1);
	/* a parent with a child cannot go */
	assert_int_equal(meta_snap_delete(a), -EBUSY);
	assert_int_equal(meta_snap_get(a, &s), 0);
	assert_int_equal(s.kind, STORE_COMMITTED);
	assert_int_equal(s.size, 4096);
	assert_int_equal(s.parent, 0);
	assert_int_equal(meta_snap_delete(b), 0);
	assert_int_equal(meta_snap_delete(a), 0);
	assert_int_equal(meta_snap_get(a, &s), -ENOENT);
	assert_int_equal(meta_snap_set_committed(a, 1), -ENOENT);
	/* AUTOINCREMENT: a cache that remembers s2 never finds another s2 */
	assert_int_equal(meta_snap_insert(0, STORE_VIEW, "native", &c), 0);
	assert_true(c > b);
	/* the rows outlive the process */
	meta_close();
	db_open();
	assert_int_equal(meta_snap_each("", count_row, &rows), 0);
	assert_int_equal(rows, 1);
	assert_int_equal(meta_snap_get(c, &s), 0);
	assert_string_equal(s.driver, "native");
}

static int
cache_row(const char *key, uint64_t size, int64_t last_used, void *arg)
{
	assert_string_equal(key, "apt");
	assert_int_equal(size, 123);
	assert_true(last_used > 0);
	(*(int *)arg)++;
	return 0;
}

static void
test_refs_and_caches(void **state)
{
	int n = 0;

	db_open();
	assert_int_equal(meta_ref_add("image:a", "s1"), 0);
	assert_int_equal(meta_ref_add("image:a", "s1"), 0);	/* once */
	assert_int_equal(meta_ref_add("image:b", "s1"), 0);
	assert_int_equal(meta_ref_add("image:b", "sha256:x"), 0);
	assert_int_equal(meta_ref_count("s1", &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(meta_ref_drop_holder("image:b"), 0);
	assert_int_equal(meta_ref_count("s1", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(meta_ref_count("sha256:x", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(meta_ref_drop("image:a", "s1"), 0);
	assert_int_equal(meta_ref_count("s1", &n), 0);
	assert_int_equal(n, 0);

	assert_int_equal(meta_cache_touch("apt"), 0);
	assert_int_equal(meta_cache_touch("apt"), 0);
	assert_int_equal(meta_cache_set_size("apt", 123), 0);
	n = 0;
	assert_int_equal(meta_cache_each(cache_row, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(meta_cache_delete("apt"), 0);
	n = 0;
	assert_int_equal(meta_cache_each(cache_row, &n), 0);
	assert_int_equal(n, 0);
}

static void
write_at(const char *path, off_t off, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0640);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, text, strlen(text), off), (ssize_t)strlen(text));
	close(fd);
}

/* what native snapshots keep: modes, hardlinks, symlinks, holes, xattrs */
static void
test_tree_copy(void **state)
{
	char src[128], dst[128], p[192], q[192], buf[16];
	struct stat a, b;
	uint64_t used;

	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(dst, sizeof(dst), "%s/dst", dir);
	assert_int_equal(mkdir(src, 0751), 0);
	assert_int_equal(mkdir(dst, 0755), 0);
	snprintf(p, sizeof(p), "%s/sparse", src);
	write_at(p, 64 << 20, "end");		/* 64 MiB, almost all hole */
	snprintf(q, sizeof(q), "%s/hard", src);
	assert_int_equal(link(p, q), 0);
	snprintf(p, sizeof(p), "%s/sub", src);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/sub/link", src);
	assert_int_equal(symlink("../sparse", p), 0);
	snprintf(p, sizeof(p), "%s/sub/fifo", src);
	assert_int_equal(mkfifo(p, 0600), 0);
	snprintf(p, sizeof(p), "%s/sparse", src);
	/* user xattrs: not every filesystem under /tmp has them */
	int have_xattr = setxattr(p, "user.kiln", "v", 1, 0) == 0;

	assert_int_equal(tree_copy(src, dst), 0);
	assert_int_equal(stat(dst, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0751);
	snprintf(p, sizeof(p), "%s/sparse", dst);
	snprintf(q, sizeof(q), "%s/hard", dst);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(stat(q, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_nlink == 2);
	assert_int_equal(a.st_size, (64 << 20) + 3);
	assert_true(a.st_blocks * 512 < (1 << 20));	/* the hole stayed one */
	assert_int_equal(a.st_mode & 07777, 0640);
	if (have_xattr) {
		assert_int_equal(getxattr(p, "user.kiln", buf, sizeof(buf)), 1);
		assert_int_equal(buf[0], 'v');
	}
	snprintf(p, sizeof(p), "%s/sub", dst);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0700);
	snprintf(p, sizeof(p), "%s/sub/link", dst);
	assert_int_equal(readlink(p, buf, sizeof(buf)), 9);
	assert_memory_equal(buf, "../sparse", 9);
	snprintf(p, sizeof(p), "%s/sub/fifo", dst);
	assert_int_equal(lstat(p, &a), 0);
	assert_true(S_ISFIFO(a.st_mode));
	/* the hardlinked file counts once */
	assert_int_equal(tree_usage(dst, &used), 0);
	assert_true(used < (1 << 20));
	assert_int_equal(tree_remove(dst), 0);
	assert_int_equal(stat(dst, &a), -1);
	assert_int_equal(tree_remove(dst), 0);	/* gone already: fine */
}

static void
test_parse_size(void **state)
{
	uint64_t v;

	assert_int_equal(util_parse_size("1000", &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(util_parse_size("10GB", &v), 0);
	assert_int_equal(v, 10000000000ULL);
	assert_int_equal(util_parse_size("512MiB", &v), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(util_parse_size("2g", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(util_parse_size("1.5MB", &v), 0);
	assert_int_equal(v, 1500000);
	assert_int_equal(util_parse_size("lots", &v), -EINVAL);
	assert_int_equal(util_parse_size("-1", &v), -EINVAL);
	assert_int_equal(util_parse_size("5 parsecs", &v), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refs_and_caches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_copy, setup, teardown),
		cmocka_unit_test(test_parse_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
