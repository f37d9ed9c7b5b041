/* test-layer-apply.c: unit tests of layer unpacking: kinds of entries, whiteouts, opaque dirs, and hostile archives refused with nothing written outside. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <cmocka.h>
#include "files.h"
#include "sandbox.h"
#include "tarbuild.h"
#include "testns.h"

static char top[256], rootp[512], outp[512];
static int root = -1;

static int
setup(void **state)
{
	snprintf(top, sizeof(top), "%s/kiln-la.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(top));
	snprintf(rootp, sizeof(rootp), "%s/root", top);
	snprintf(outp, sizeof(outp), "%s/outside", top);
	assert_int_equal(mkdir(rootp, 0755), 0);
	assert_int_equal(mkdir(outp, 0755), 0);
	root = open(rootp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);
	return 0;
}

static int
teardown(void **state)
{
	int fd = open(top, O_RDONLY | O_DIRECTORY);

	close(root);
	fs_rm_rf(fd, "root");
	fs_rm_rf(fd, "outside");
	close(fd);
	rmdir(top);
	return 0;
}

static int
apply(int fd, struct snap_err *err)
{
	struct layer_stats st;
	int r;

	memset(err, 0, sizeof(*err));
	r = layer_apply(root, fd, "test", NULL, &st, err);
	close(fd);
	if (r < 0)
		print_message("apply: %s\n", err->msg);
	return r;
}

static int
outside_empty(void)
{
	int fd = open(outp, O_RDONLY | O_DIRECTORY);
	struct stat st;
	int n = 0;
	char probe[PATH_MAX];

	close(fd);
	/* anything written through a symlink or .. would land here or in top */
	for (const char **p = (const char *[]){ "x", "pwned", "abs", NULL }; *p; p++) {
		snprintf(probe, sizeof(probe), "%s/%s", outp, *p);
		n += stat(probe, &st) == 0;
		snprintf(probe, sizeof(probe), "%s/%s", top, *p);
		n += stat(probe, &st) == 0;
	}
	return n == 0;
}

static void
path_of(char *buf, const char *rel)
{
	snprintf(buf, PATH_MAX, "%s/%s", rootp, rel);
}

static void
assert_mode(const char *rel, mode_t want)
{
	char p[PATH_MAX];
	struct stat st;

	path_of(p, rel);
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, want);
}

static int
exists(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	path_of(p, rel);
	return lstat(p, &st) == 0;
}

static void
test_kinds(void **state)
{
	struct snap_err err;
	struct tb t;
	struct stat st, st2;
	char p[PATH_MAX], buf[64];
	struct archive_entry *e;

	tb_open(&t, "gzip");
	tb_dir(&t, "./", 0755);
	tb_dir(&t, "./etc/", 0750);
	tb_file(&t, "./etc/passwd", 0644, "root:x:0:0\n");
	tb_file(&t, "./etc/suid", 04755, "x");
	tb_symlink(&t, "./etc/link", "/etc/passwd");
	tb_hardlink(&t, "./etc/hard", "./etc/passwd");
	e = tb_entry("./etc/fifo", AE_IFIFO, 0600, 0, 0);
	tb_put(&t, e, NULL, 0);
	e = tb_entry("./etc/x", AE_IFREG, 0600, 0, 0);
	archive_entry_xattr_add_entry(e, "user.kiln", "yes", 3);
	archive_entry_xattr_add_entry(e, "trusted.overlay.opaque", "y", 1);
	archive_entry_set_size(e, 1);
	tb_put(&t, e, "x", 1);
	e = tb_entry("./dev/null", AE_IFCHR, 0666, 0, 0);
	archive_entry_set_rdev(e, makedev(1, 3));
	tb_put(&t, e, NULL, 0);
	/* no directory entry for a/b: made as needed */
	tb_file(&t, "a/b/c", 0600, "deep");
	tb_dir(&t, "ro/", 0555);
	tb_file(&t, "ro/inside", 0444, "made before ro's mode");
	assert_int_equal(apply(tb_close(&t), &err), 0);

	assert_mode("etc", 0750);
	assert_mode("etc/passwd", 0644);
	assert_mode("etc/suid", 04755);
	assert_mode("ro", 0555);
	assert_mode("ro/inside", 0444);
	path_of(p, "etc/link");
	assert_int_equal(readlink(p, buf, sizeof(buf)), 11);
	path_of(p, "etc/passwd");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mtime, 1000000000);
	path_of(p, "etc/hard");
	assert_int_equal(stat(p, &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	path_of(p, "etc/fifo");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	path_of(p, "etc/x");
	/* user xattrs need a filesystem that has them (tmpfs does since 6.6) */
	if (getxattr(p, "user.kiln", buf, sizeof(buf)) >= 0)
		assert_memory_equal(buf, "yes", 3);
	assert_true(getxattr(p, "trusted.overlay.opaque", buf, sizeof(buf)) < 0);
	assert_false(exists("dev/null"));
	assert_true(exists("a/b/c"));
	path_of(p, "etc");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mtime, 1000000000);
}

static void
test_sparse(void **state)
{
	struct snap_err err;
	struct archive_entry *e;
	struct stat st;
	struct tb t;
	char p[PATH_MAX];
	static char data[4096];

	memset(data, 'z', sizeof(data));
	tb_open(&t, "none");
	e = tb_entry("sparse", AE_IFREG, 0644, 0, 0);
	archive_entry_set_size(e, 64 << 20);
	archive_entry_sparse_add_entry(e, 1 << 20, sizeof(data));
	archive_entry_sparse_add_entry(e, (64 << 20) - 4096, sizeof(data));
	archive_write_header(t.a, e);
	archive_write_data(t.a, data, sizeof(data));
	archive_write_data(t.a, data, sizeof(data));
	archive_entry_free(e);
	assert_int_equal(apply(tb_close(&t), &err), 0);
	path_of(p, "sparse");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 64 << 20);
	/* far fewer blocks than 64 MiB: the holes stayed holes */
	assert_true(st.st_blocks * 512 < (16 << 20));
}

static void
test_whiteouts(void **state)
{
	struct snap_err err;
	struct tb t;

	tb_open(&t, "none");
	tb_file(&t, "a/x", 0644, "x");
	tb_file(&t, "a/y", 0644, "y");
	tb_file(&t, "b/old", 0644, "old");
	tb_file(&t, "b/sub/old", 0644, "old");
	tb_file(&t, "c/z", 0644, "z");
	assert_int_equal(apply(tb_close(&t), &err), 0);

	tb_open(&t, "zstd");
	tb_file(&t, ".wh.c", 0644, "");
	tb_file(&t, "a/.wh.x", 0644, "");
	tb_dir(&t, "b/", 0755);
	tb_file(&t, "b/before", 0644, "kept: this layer made it");
	tb_file(&t, "b/.wh..wh..opq", 0644, "");
	tb_file(&t, "b/after", 0644, "new");
	tb_file(&t, "a/.wh..wh.plnk", 0644, "");
	assert_int_equal(apply(tb_close(&t), &err), 0);
	assert_false(exists("c"));
	assert_false(exists("a/x"));
	assert_true(exists("a/y"));
	assert_false(exists("b/old"));
	assert_false(exists("b/sub"));
	assert_true(exists("b/before"));
	assert_true(exists("b/after"));
	assert_false(exists("a/.wh..wh.plnk"));
}

static void
test_replace(void **state)
{
	struct snap_err err;
	struct tb t;
	char p[PATH_MAX];
	struct stat st;

	tb_open(&t, "none");
	tb_file(&t, "d/f", 0644, "in a dir");
	tb_file(&t, "f", 0644, "a file");
	assert_int_equal(apply(tb_close(&t), &err), 0);
	tb_open(&t, "none");
	tb_file(&t, "d", 0600, "now a file");
	tb_dir(&t, "f", 0700);
	assert_int_equal(apply(tb_close(&t), &err), 0);
	path_of(p, "d");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	path_of(p, "f");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void
expect_refused(int fd, const char *name, const char *words)
{
	struct snap_err err;
	int r = apply(fd, &err);

	assert_true(r < 0);
	if (name && strstr(err.msg, name) == NULL)
		fail_msg("error does not name '%s': %s", name, err.msg);
	if (words && strstr(err.msg, words) == NULL)
		fail_msg("error lacks '%s': %s", words, err.msg);
	assert_true(outside_empty());
}

static void
test_dotdot(void **state)
{
	struct tb t;

	tb_open(&t, "none");
	tb_file(&t, "../x", 0644, "escaped");
	expect_refused(tb_close(&t), "'../x'", "leaves the layer's root");
	tb_open(&t, "none");
	tb_file(&t, "a/../../outside/x", 0644, "escaped");
	expect_refused(tb_close(&t), "'a/../../outside/x'", "refused");
}

static void
test_absolute(void **state)
{
	char abs[PATH_MAX + 8];
	struct tb t;

	snprintf(abs, sizeof(abs), "%s/abs", outp);
	tb_open(&t, "none");
	tb_file(&t, abs, 0644, "escaped");
	expect_refused(tb_close(&t), abs, "absolute");
}

static void
test_symlink_through(void **state)
{
	struct tb t;

	/* relative and absolute symlinks out, then a write through them */
	tb_open(&t, "none");
	tb_symlink(&t, "evil", "../outside");
	tb_file(&t, "evil/pwned", 0644, "escaped");
	expect_refused(tb_close(&t), "'evil/pwned'", "symlink");
	tb_open(&t, "none");
	tb_symlink(&t, "evil2", outp);
	tb_file(&t, "evil2/pwned", 0644, "escaped");
	expect_refused(tb_close(&t), "'evil2/pwned'", "symlink");
	/* a symlink inside the root is refused as a path too */
	tb_open(&t, "none");
	tb_dir(&t, "real", 0755);
	tb_symlink(&t, "alias", "real");
	tb_file(&t, "alias/x", 0644, "through");
	expect_refused(tb_close(&t), "'alias/x'", "symlink");
	/* and replacing the symlink itself is fine */
	tb_open(&t, "none");
	tb_symlink(&t, "evil3", "../outside/x");
	tb_file(&t, "evil3", 0644, "replaces the link, not its target");
	{
		struct snap_err err;

		assert_int_equal(apply(tb_close(&t), &err), 0);
	}
	assert_true(outside_empty());
}

static void
test_hardlink_out(void **state)
{
	char p[PATH_MAX];
	struct tb t;
	int fd;

	snprintf(p, sizeof(p), "%s/secret", outp);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	close(fd);
	tb_open(&t, "none");
	tb_hardlink(&t, "hl", "../outside/secret");
	expect_refused(tb_close(&t), "'hl'", "hard link");
	tb_open(&t, "none");
	tb_hardlink(&t, "hl2", p);
	expect_refused(tb_close(&t), "'hl2'", "hard link");
	/* a hard link through a symlink of the layer */
	tb_open(&t, "none");
	tb_symlink(&t, "out", "../outside");
	tb_hardlink(&t, "hl3", "out/secret");
	expect_refused(tb_close(&t), "'hl3'", "symlink");
	assert_false(exists("hl"));
	assert_false(exists("hl2"));
	assert_false(exists("hl3"));
	unlink(p);
}

/* A ustar header by hand, its size field as given. */
static void
raw_header(unsigned char *h, const char *name, const char *size_field)
{
	unsigned sum = 0;

	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	memcpy(h + 124, size_field, strlen(size_field));
	memcpy(h + 136, "00000000000", 11);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

static void
test_huge_size(void **state)
{
	static unsigned char buf[2048];

	/* 8 GiB claimed, 1 KiB there */
	raw_header(buf, "huge", "77777777777");
	memset(buf + 512, 'A', 1024);
	expect_refused(tb_raw(buf, sizeof(buf)), "huge", NULL);
	/* a base-256 size of 2^62 */
	raw_header(buf, "huge2", "");
	buf[124] = 0x80;
	buf[128] = 0x40;
	{
		unsigned sum = 0;

		memset(buf + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += buf[i];
		snprintf((char *)buf + 148, 8, "%06o", sum);
	}
	expect_refused(tb_raw(buf, sizeof(buf)), NULL, "layer test");
	assert_false(exists("huge2") && 0);
}

static void
test_truncated_gzip(void **state)
{
	struct tb t;
	struct stat st;
	static char big[200000];
	int fd;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7919 % 251);
	big[sizeof(big) - 1] = '\0';
	tb_open(&t, "gzip");
	tb_file(&t, "big", 0644, big);
	tb_file(&t, "after", 0644, "after");
	fd = tb_close(&t);
	fstat(fd, &st);
	assert_int_equal(ftruncate(fd, st.st_size / 2), 0);
	expect_refused(fd, "layer test", "truncated");
	assert_false(exists("after"));
}

static void
test_garbage(void **state)
{
	expect_refused(tb_raw("this is not a tar file at all, not even close", 45),
	    "layer test", "cannot be read as a tar");
}

static void
test_owner_outside_map(void **state)
{
	struct archive_entry *e;
	struct tb t;

	if (!testns_active)
		skip();
	tb_open(&t, "none");
	e = tb_entry("home/user", AE_IFDIR, 0755, 200000, 200000);
	tb_put(&t, e, NULL, 0);
	expect_refused(tb_close(&t), "'home/user/'", "uid 200000");
}

struct jailed {
	int	root, fd;
};

static int
jailed_apply(void *arg, struct jail_out *out)
{
	struct jailed *j = arg;
	struct layer_stats st;

	return layer_apply(j->root, j->fd, "jailed", NULL, &st, &out->err);
}

/* The same layers under the jail's seccomp filter: every call it makes
 * is allowed there. */
static void
test_in_jail(void **state)
{
	struct jail_out out;
	struct jailed j = { root, -1 };
	struct tb t;
	int keep[2];

	tb_open(&t, "zstd");
	tb_dir(&t, "./", 0755);
	tb_file(&t, "etc/passwd", 0644, "root:x:0:0\n");
	tb_symlink(&t, "etc/link", "passwd");
	tb_hardlink(&t, "etc/hard", "etc/passwd");
	tb_put(&t, tb_entry("etc/fifo", AE_IFIFO, 0600, 0, 0), NULL, 0);
	tb_file(&t, "b/old", 0644, "old");
	j.fd = tb_close(&t);
	keep[0] = root;
	keep[1] = j.fd;
	jail_set_mode(SANDBOX_SECCOMP_ENFORCE);
	assert_int_equal(jail_run(jailed_apply, &j, keep, 2, &out), 0);
	close(j.fd);
	tb_open(&t, "gzip");
	tb_file(&t, "etc/.wh.passwd", 0644, "");
	tb_file(&t, "b/.wh..wh..opq", 0644, "");
	tb_file(&t, "../x", 0644, "");
	j.fd = tb_close(&t);
	keep[1] = j.fd;
	assert_int_equal(jail_run(jailed_apply, &j, keep, 2, &out), -EINVAL);
	assert_non_null(strstr(out.err.msg, "'../x'"));
	close(j.fd);
	assert_false(exists("etc/passwd"));
	assert_false(exists("b/old"));
	assert_true(exists("etc/hard"));
}

/* on_data: every byte of the uncompressed stream, what follows the tar's
 * end too (a diff_id is their digest), through gzip and zstd alike. */
struct seen {
	char	*buf;
	size_t	 n;
};

static void
collect(void *arg, const void *buf, size_t n)
{
	struct seen *s = arg;

	s->buf = realloc(s->buf, s->n + n);
	memcpy(s->buf + s->n, buf, n);
	s->n += n;
}

static void
test_on_data(void **state)
{
	const char *filters[] = { "cat", "gzip -c", "zstd -q -c" };
	char plain[600], packed[600], cmd[1400], *want;
	struct layer_opts o = { 0, -1, -1, 0, collect, NULL };
	struct layer_stats st;
	struct snap_err err;
	struct tb t;
	off_t n;
	int fd, out;

	tb_open(&t, "none");
	tb_dir(&t, "d", 0755);
	tb_file(&t, "d/f", 0644, "hello");
	fd = tb_close(&t);
	snprintf(plain, sizeof(plain), "%s/plain.tar", top);
	out = open(plain, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	n = lseek(fd, 0, SEEK_END);
	want = malloc((size_t)n + 7);
	assert_int_equal(pread(fd, want, (size_t)n, 0), n);
	memcpy(want + n, "trailer", 7);	/* after the end, still the layer's */
	assert_int_equal(write(out, want, (size_t)n + 7), n + 7);
	close(out);
	close(fd);
	for (size_t i = 0; i < sizeof(filters) / sizeof(*filters); i++) {
		struct seen s = { NULL, 0 };

		snprintf(packed, sizeof(packed), "%s/packed", top);
		snprintf(cmd, sizeof(cmd), "%s <'%s' >'%s'", filters[i], plain, packed);
		assert_int_equal(system(cmd), 0);
		fd = open(packed, O_RDONLY | O_CLOEXEC);
		o.data_arg = &s;
		assert_int_equal(layer_apply(root, fd, "test", &o, &st, &err), 0);
		close(fd);
		assert_int_equal(s.n, (size_t)n + 7);
		assert_memory_equal(s.buf, want, s.n);
		assert_true(exists("d/f"));
		free(s.buf);
		unlink(packed);
	}
	/* an empty one is an empty stream */
	{
		struct seen s = { NULL, 0 };

		fd = tb_raw("", 0);
		o.data_arg = &s;
		assert_int_equal(layer_apply(root, fd, "test", &o, &st, &err), 0);
		close(fd);
		assert_int_equal(s.n, 0);
	}
	/* a truncated one is still an error */
	fd = tb_raw(want, 700);
	o.data_arg = &(struct seen){ NULL, 0 };
	assert_true(layer_apply(root, fd, "test", &o, &st, &err) < 0);
	close(fd);
	free(((struct seen *)o.data_arg)->buf);
	unlink(plain);
	free(want);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_on_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sparse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whiteouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotdot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absolute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlink_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_gzip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_outside_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_jail, setup, teardown),
	};

	testns_enter();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
