/* test-copy.c: unit tests of COPY and ADD with Docker's rules, mkdir, mkfile and checksums, over plain directories. */
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
#include "ipc_msg.h"
#include "sandbox.h"
#include "tarbuild.h"
#include "testns.h"

static char top[256], srcp[512], dstp[512];
static int src = -1, dst = -1;
static struct snap_err err;

static void
put(const char *base, const char *rel, const char *content, mode_t mode)
{
	char p[PATH_MAX], *slash;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	for (slash = strchr(p + strlen(base) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(p, 0755);
		*slash = '/';
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	fchmod(fd, mode);
	close(fd);
}

static int
setup(void **state)
{
	snprintf(top, sizeof(top), "%s/kiln-cp.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(top));
	snprintf(srcp, sizeof(srcp), "%s/ctx", top);
	snprintf(dstp, sizeof(dstp), "%s/root", top);
	mkdir(srcp, 0755);
	mkdir(dstp, 0755);
	put(srcp, "a.txt", "a", 0644);
	put(srcp, "b.txt", "b", 0600);
	put(srcp, "run.sh", "#!/bin/sh\n", 0755);
	put(srcp, "dir/f1", "one", 0644);
	put(srcp, "dir/sub/f2", "two", 0640);
	put(srcp, "x.log", "log", 0644);
	put(srcp, "keep.log", "keep", 0644);
	put(srcp, "skip/out", "out", 0644);
	put(srcp, "skip/in", "in", 0644);
	{
		char ln[PATH_MAX];

		snprintf(ln, sizeof(ln), "%s/ln", srcp);
		assert_int_equal(symlink("a.txt", ln), 0);
	}
	src = open(srcp, O_RDONLY | O_DIRECTORY);
	dst = open(dstp, O_RDONLY | O_DIRECTORY);
	return 0;
}

static int
teardown(void **state)
{
	int fd = open(top, O_RDONLY | O_DIRECTORY);

	close(src);
	close(dst);
	fs_rm_rf(fd, "ctx");
	fs_rm_rf(fd, "root");
	fs_rm_rf(fd, "outside");
	close(fd);
	rmdir(top);
	return 0;
}

static int
copy_ex(const char *dest, uint32_t flags, const char *chmod, char *const *ex, size_t nex,
    int64_t mtime, size_t n, ...)
{
	char *srcs[8];
	struct chmod_spec cs;
	struct patterns ps;
	struct copy_req rq = {
		.src_root = src, .from_context = 1, .dst_root = dst, .dest = dest,
		.srcs = srcs, .nsrcs = n, .uid = -1, .gid = -1, .flags = flags,
		.mtime = mtime,
	};
	va_list ap;
	int r;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		srcs[i] = va_arg(ap, char *);
	va_end(ap);
	if (chmod) {
		assert_int_equal(chmod_parse(chmod, &cs), 0);
		rq.chmod = &cs;
	}
	assert_int_equal(patterns_init(&ps, ex, nex), 0);
	rq.ex = &ps;
	memset(&err, 0, sizeof(err));
	r = snap_copy(&rq, &err);
	if (r < 0)
		print_message("copy: %s\n", err.msg);
	patterns_free(&ps);
	return r;
}

#define COPY(dest, ...) copy_ex(dest, 0, NULL, NULL, 0, -1, \
	sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *), __VA_ARGS__)

static int
dst_stat(const char *rel, struct stat *st)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dstp, rel);
	return lstat(p, st);
}

static int
is_file(const char *rel, const char *content)
{
	char p[PATH_MAX], buf[64] = "";
	int fd;
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", dstp, rel);
	fd = open(p, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n >= 0 && strcmp(buf, content) == 0;
}

static mode_t
mode_of(const char *rel)
{
	struct stat st;

	return dst_stat(rel, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void
test_file_rules(void **state)
{
	struct stat st;

	assert_int_equal(COPY("/x", "a.txt"), 0);
	assert_true(is_file("x", "a"));
	assert_int_equal(COPY("/d/e/", "a.txt"), 0);
	assert_true(is_file("d/e/a.txt", "a"));
	assert_int_equal(mode_of("d"), 0755);
	/* an existing directory without the slash: into it */
	assert_int_equal(COPY("/d", "b.txt"), 0);
	assert_true(is_file("d/b.txt", "b"));
	assert_int_equal(mode_of("d/b.txt"), 0600);
	/* leading ./ and / in sources are the context's root */
	assert_int_equal(COPY("/y", "/./a.txt"), 0);
	assert_true(is_file("y", "a"));
	/* a file over a file replaces it */
	assert_int_equal(COPY("/x", "b.txt"), 0);
	assert_true(is_file("x", "b"));
	assert_int_equal(dst_stat("x", &st), 0);
	assert_int_equal(st.st_uid, 0);
}

static void
test_dir_rules(void **state)
{
	assert_int_equal(COPY("/app", "dir"), 0);
	assert_true(is_file("app/f1", "one"));
	assert_true(is_file("app/sub/f2", "two"));
	assert_int_equal(mode_of("app/sub/f2"), 0640);
	assert_int_equal(mode_of("app/dir"), (mode_t)-1);
	/* "." is the whole context */
	assert_int_equal(COPY("/all/", "."), 0);
	assert_true(is_file("all/dir/sub/f2", "two"));
	assert_true(is_file("all/a.txt", "a"));
}

static void
test_several(void **state)
{
	assert_true(COPY("/m", "a.txt", "b.txt") < 0);
	assert_non_null(strstr(err.msg, "ending in '/'"));
	assert_int_equal(COPY("/m/", "a.txt", "b.txt"), 0);
	assert_true(is_file("m/a.txt", "a") && is_file("m/b.txt", "b"));
	assert_true(COPY("/w", "*.txt") < 0);
	assert_non_null(strstr(err.msg, "wildcard"));
	assert_int_equal(COPY("/w/", "*.txt"), 0);
	assert_true(is_file("w/a.txt", "a") && is_file("w/b.txt", "b"));
	assert_int_equal(mode_of("w/run.sh"), (mode_t)-1);
	/* a wildcard matching nothing is fine, a missing literal is not */
	assert_int_equal(COPY("/n/", "*.nothing"), 0);
	assert_true(COPY("/n/", "missing.txt") < 0);
	assert_non_null(strstr(err.msg, "'missing.txt' not found"));
	/* ../ and a leading / never leave the context: they are cleaned away
	 * (path.Clean("/" + src), the Dockerfile reference) */
	assert_int_equal(COPY("/up", "../a.txt"), 0);
	assert_true(is_file("up", "a"));
	assert_int_equal(COPY("/up2", "/sub/../../a.txt"), 0);
	assert_true(is_file("up2", "a"));
	/* a single match of a wildcard is like a literal */
	assert_int_equal(COPY("/single", "r?n.sh"), 0);
	assert_true(is_file("single", "#!/bin/sh\n"));
	/* wildcards in directories */
	assert_int_equal(COPY("/g/", "d*/s*/f?"), 0);
	assert_true(is_file("g/f2", "two"));
}

static void
test_chmod_chown_mtime(void **state)
{
	struct chmod_spec cs;
	struct stat st;

	assert_int_equal(copy_ex("/c/", 0, "0700", NULL, 0, 1234567, 2, "a.txt", "dir"), 0);
	assert_int_equal(mode_of("c/a.txt"), 0700);
	assert_int_equal(mode_of("c/sub"), 0700);
	assert_int_equal(dst_stat("c/sub/f2", &st), 0);
	assert_int_equal(st.st_mtime, 1234567);
	assert_int_equal(copy_ex("/s/", 0, "u+x,g-r,o=", NULL, 0, -1, 1, "a.txt"), 0);
	assert_int_equal(mode_of("s/a.txt"), 0700);
	assert_int_equal(copy_ex("/s2/", 0, "a+X", NULL, 0, -1, 2, "a.txt", "run.sh"), 0);
	assert_int_equal(mode_of("s2/a.txt"), 0644);
	assert_int_equal(mode_of("s2/run.sh"), 0755);
	/* the copy form: a class takes another's bits as they are (0755 run.sh) */
	assert_int_equal(copy_ex("/s3/", 0, "g=u,o=g", NULL, 0, -1, 1, "run.sh"), 0);
	assert_int_equal(mode_of("s3/run.sh"), 0777);
	assert_int_equal(copy_ex("/s4/", 0, "go-u", NULL, 0, -1, 1, "run.sh"), 0);
	assert_int_equal(mode_of("s4/run.sh"), 0700);
	assert_true(chmod_parse("g=uw", &cs) < 0);
}

static void
test_parents(void **state)
{
	assert_int_equal(copy_ex("/p/", SNAP_COPY_PARENTS, NULL, NULL, 0, -1, 2,
	    "dir/sub/f2", "a.txt"), 0);
	assert_true(is_file("p/dir/sub/f2", "two"));
	assert_true(is_file("p/a.txt", "a"));
	/* the path is kept from its last "/./" on; ** is any depth, none too */
	assert_int_equal(copy_ex("/p2/", SNAP_COPY_PARENTS, NULL, NULL, 0, -1, 1,
	    "./dir/./sub/f2"), 0);
	assert_true(is_file("p2/sub/f2", "two"));
	assert_int_equal(mode_of("p2/dir"), (mode_t)-1);
	assert_int_equal(copy_ex("/p3/", SNAP_COPY_PARENTS, NULL, NULL, 0, -1, 1,
	    "dir/**/f?"), 0);
	assert_true(is_file("p3/dir/f1", "one"));
	assert_true(is_file("p3/dir/sub/f2", "two"));
}

static void
test_excludes(void **state)
{
	char *ex[] = { "*.log", "!keep.log", "skip", "!skip/in" };

	assert_int_equal(copy_ex("/e/", 0, NULL, ex, 4, -1, 1, "."), 0);
	assert_false(is_file("e/x.log", "log"));
	assert_true(is_file("e/keep.log", "keep"));
	assert_false(is_file("e/skip/out", "out"));
	assert_true(is_file("e/skip/in", "in"));
	assert_true(is_file("e/a.txt", "a"));
	/* an excluded literal source is not there */
	assert_true(copy_ex("/e2/", 0, NULL, ex, 4, -1, 1, "x.log") < 0);
	assert_non_null(strstr(err.msg, ".dockerignore"));
}

static void
test_symlinks(void **state)
{
	char p[PATH_MAX], buf[64];
	struct stat st;

	assert_int_equal(COPY("/l1", "ln"), 0);
	assert_int_equal(dst_stat("l1", &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(copy_ex("/l2", SNAP_COPY_FOLLOW, NULL, NULL, 0, -1, 1, "ln"), 0);
	assert_true(is_file("l2", "a"));
	/* inside a copied directory, links stay links */
	snprintf(p, sizeof(p), "%s/dir/up", srcp);
	assert_int_equal(symlink("../a.txt", p), 0);
	assert_int_equal(COPY("/t", "dir"), 0);
	snprintf(p, sizeof(p), "%s/t/up", dstp);
	assert_int_equal(readlink(p, buf, sizeof(buf)), 8);
	/* a followed source stays inside the context */
	snprintf(p, sizeof(p), "%s/esc", srcp);
	assert_int_equal(symlink("../../../../../../../etc/hostname", p), 0);
	assert_true(copy_ex("/esc", SNAP_COPY_FOLLOW, NULL, NULL, 0, -1, 1, "esc") < 0);
}

static void
test_dest_symlinks(void **state)
{
	char p[PATH_MAX], o[PATH_MAX];
	struct stat st;

	/* merged /usr: /bin -> usr/bin is followed inside the root */
	snprintf(p, sizeof(p), "%s/usr/bin", dstp);
	mkdir(strcat(strcpy(o, dstp), "/usr"), 0755);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/bin", dstp);
	assert_int_equal(symlink("usr/bin", p), 0);
	assert_int_equal(COPY("/bin/", "run.sh"), 0);
	assert_true(is_file("usr/bin/run.sh", "#!/bin/sh\n"));
	/* one pointing out is followed as if the root were / */
	snprintf(o, sizeof(o), "%s/outside", top);
	mkdir(o, 0755);
	snprintf(p, sizeof(p), "%s/evil", dstp);
	assert_int_equal(symlink("../../../../../outside", p), 0);
	assert_int_equal(COPY("/evil/", "a.txt"), 0);
	strcat(o, "/a.txt");
	assert_true(stat(o, &st) < 0);
	assert_true(is_file("outside/a.txt", "a"));
}

static void
test_hardlinks(void **state)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat s1, s2;

	snprintf(a, sizeof(a), "%s/dir/f1", srcp);
	snprintf(b, sizeof(b), "%s/dir/f1-link", srcp);
	assert_int_equal(link(a, b), 0);
	assert_int_equal(COPY("/h", "dir"), 0);
	assert_int_equal(dst_stat("h/f1", &s1), 0);
	assert_int_equal(dst_stat("h/f1-link", &s2), 0);
	assert_int_equal(s1.st_ino, s2.st_ino);
}

static void
test_add_unpack(void **state)
{
	struct tb t;
	char p[PATH_MAX];
	int fd;

	tb_open(&t, "gzip");
	tb_file(&t, "pkg/bin/tool", 0755, "tool");
	tb_file(&t, "pkg/.wh.kept", 0644, "a whiteout is a file in ADD");
	fd = tb_close(&t);
	snprintf(p, sizeof(p), "%s/pkg.tar.gz", srcp);
	{
		int out = open(p, O_WRONLY | O_CREAT, 0644);
		char buf[65536];
		ssize_t n;

		while ((n = read(fd, buf, sizeof(buf))) > 0)
			assert_int_equal(write(out, buf, (size_t)n), n);
		close(out);
	}
	close(fd);
	jail_set_mode(SANDBOX_SECCOMP_ENFORCE);
	assert_int_equal(copy_ex("/opt", SNAP_COPY_UNPACK, NULL, NULL, 0, -1, 1,
	    "pkg.tar.gz"), 0);
	assert_true(is_file("opt/pkg/bin/tool", "tool"));
	assert_true(is_file("opt/pkg/.wh.kept", "a whiteout is a file in ADD"));
	/* not an archive: copied as it is; COPY never unpacks */
	assert_int_equal(copy_ex("/opt2/", SNAP_COPY_UNPACK, NULL, NULL, 0, -1, 1, "a.txt"), 0);
	assert_true(is_file("opt2/a.txt", "a"));
	assert_int_equal(COPY("/opt3/", "pkg.tar.gz"), 0);
	assert_int_equal(mode_of("opt3/pkg.tar.gz"), 0644);
}

static void
test_mkdir_mkfile(void **state)
{
	struct stat st;
	int p[2];

	assert_int_equal(snap_mkdir(dst, "/w/x/y", 0750, 0, 0, &err), 0);
	assert_int_equal(mode_of("w/x/y"), 0750);
	assert_int_equal(snap_mkdir(dst, "/w/x/y", 0700, 0, 0, &err), 0);
	assert_int_equal(mode_of("w/x/y"), 0750);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "hello\n", 6), 6);
	close(p[1]);
	assert_int_equal(snap_mkfile(dst, "/etc/motd", p[0], 0640, 0, 0, 42, &err), 0);
	close(p[0]);
	assert_true(is_file("etc/motd", "hello\n"));
	assert_int_equal(mode_of("etc/motd"), 0640);
	assert_int_equal(mode_of("etc"), 0755);
	assert_int_equal(dst_stat("etc/motd", &st), 0);
	assert_int_equal(st.st_mtime, 42);
	assert_true(snap_mkdir(dst, "/etc/motd/x", 0755, 0, 0, &err) < 0);
}

static void
sum(char out[80], char *const *srcs, size_t n, char *const *ex, size_t nex)
{
	struct patterns ps;

	assert_int_equal(patterns_init(&ps, ex, nex), 0);
	assert_int_equal(snap_checksum(src, srcs, n, &ps, 0, out, &err), 0);
	patterns_free(&ps);
}

static void
test_checksum(void **state)
{
	char a[80], b[80], p[PATH_MAX];
	char *all[] = { "." }, *ex[] = { "x.log" };
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	uint64_t h0, m0, h1, m1;

	ckw_disable(1);	/* the per-inode cache's walk (test-checksum-watch.c: the rest) */
	sum(a, all, 1, NULL, 0);
	checksum_stats(&h0, &m0);
	sum(b, all, 1, NULL, 0);
	checksum_stats(&h1, &m1);
	assert_string_equal(a, b);
	assert_int_equal(m1, m0);	/* the second time reads nothing */
	assert_true(h1 - h0 >= 8);
	/* times do not count */
	snprintf(p, sizeof(p), "%s/a.txt", srcp);
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	sum(b, all, 1, NULL, 0);
	assert_string_equal(a, b);
	/* content, mode and excludes do */
	put(srcp, "a.txt", "A", 0644);
	sum(b, all, 1, NULL, 0);
	assert_string_not_equal(a, b);
	put(srcp, "a.txt", "a", 0644);
	sum(b, all, 1, NULL, 0);
	assert_string_equal(a, b);
	chmod(p, 0600);
	sum(b, all, 1, NULL, 0);
	assert_string_not_equal(a, b);
	chmod(p, 0644);
	sum(b, all, 1, ex, 1);
	assert_string_not_equal(a, b);
	assert_true(snap_checksum(src, (char *[]){ "nope" }, 1, NULL, 0, b, &err) < 0);
	assert_non_null(strstr(err.msg, "'nope'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chmod_chown_mtime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_excludes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dest_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_unpack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_mkfile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checksum, setup, teardown),
	};

	testns_enter();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
