/* stubs.c: mount points a step's setup creates in its rootfs (with the image's symlinks resolved inside it), and their removal after the step. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "execd.h"
#include "log.h"
#include "util.h"

/*
 * A mount needs a mount point: a file or directory in the rootfs. Where
 * the image has none, one is made and would reach the step's layer as an
 * empty file or directory (a /run/secrets/ID nobody asked for). So every
 * one made is written down here, and the spawner removes it once the
 * step's namespace is gone, if it is still empty, and gives its parent
 * back its times, as BuildKit's mount stub cleaner does.
 */

#define STUB_MAX_HOPS	16
#define STUB_BUSY_TRIES	50
#define STUB_BUSY_WAIT_US	2000

int
stubs_open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* dir = path up to its last '/' ("/" for a top entry); name = the rest */
static int
split_path(const char *path, char *dir, size_t size, const char **name)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL || (size_t)(slash - path) + 2 > size)
		return -ENAMETOOLONG;
	snprintf(dir, size, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	*name = slash + 1;
	return 0;
}

static void
record(struct exec_stubs *st, const char *path, int dir, int parent,
    const struct stat *before)
{
	struct exec_stub *s = &st->s[st->n];	/* room checked by make_one */
	struct stat after;

	snprintf(s->path, sizeof(s->path), "%s", path);
	s->dir = dir;
	s->parent_before[0] = before->st_atim;
	s->parent_before[1] = before->st_mtim;
	if (fstat(parent, &after) == 0)
		s->parent_after = after.st_mtim;
	st->n++;
}

/* A dangling symlink at path: its target, as the path to make instead. */
static int
follow_link(int parent, const char *name, const char *dir, const char *rest,
    char *out, size_t size)
{
	char link[PATH_MAX], next[PATH_MAX];
	ssize_t n = readlinkat(parent, name, link, sizeof(link) - 1);
	int len;

	if (n <= 0)
		return -ENOENT;
	link[n] = '\0';
	/* rest points into out: build aside */
	if (link[0] == '/')
		len = snprintf(next, sizeof(next), "%s%s", link, rest);
	else
		len = snprintf(next, sizeof(next), "%s/%s%s", strcmp(dir, "/") ? dir : "",
		    link, rest);
	if (len < 0 || (size_t)len >= size || (size_t)len >= sizeof(next))
		return -ENAMETOOLONG;
	memcpy(out, next, (size_t)len + 1);
	return 0;
}

/* Makes the one missing entry cur (its parent exists). 1: it was a
 * dangling symlink, followed into path. */
static int
make_one(int rootfd, char *cur, const char *rest, int dir, char *path,
    size_t size, struct exec_stubs *st)
{
	char pdir[PATH_MAX];
	const char *name;
	struct stat sb, before;
	int parent, r;

	if ((r = split_path(cur, pdir, sizeof(pdir), &name)) < 0)
		return r;
	if ((parent = stubs_open_in_root(rootfd, pdir, O_RDONLY | O_DIRECTORY)) < 0)
		return -errno;
	if (fstat(parent, &before) < 0) {
		close(parent);
		return -errno;
	}
	if (fstatat(parent, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode)) {
		r = follow_link(parent, name, pdir, rest, path, size);
		close(parent);
		return r < 0 ? r : 1;
	}
	/* each one made is written down first, or it is not made */
	if (st->n >= EXEC_MAX_STUBS)
		r = -ENOSPC;
	else if (dir)
		r = mkdirat(parent, name, 0755) < 0 ? -errno : 0;
	else {
		int fd = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW |
		    O_CLOEXEC, 0644);

		r = fd < 0 ? -errno : 0;
		if (fd >= 0)
			close(fd);
	}
	if (r == 0)
		record(st, cur, dir, parent, &before);
	close(parent);
	return r;
}

/* Walks path from the root, making what is missing. */
static int
make_path(int rootfd, char *path, size_t size, int dir, struct exec_stubs *st)
{
	char cur[PATH_MAX];

	for (int hops = 0; hops < STUB_MAX_HOPS; hops++) {
		int r = 1, fd;

		for (char *s = path + 1; r == 1 || *s; ) {
			char *slash = strchr(s, '/');
			size_t len = slash ? (size_t)(slash - path) : strlen(path);

			r = 0;
			if (len >= sizeof(cur))
				return -ENAMETOOLONG;
			snprintf(cur, sizeof(cur), "%.*s", (int)len, path);
			fd = stubs_open_in_root(rootfd, cur, O_PATH);
			if (fd >= 0)
				close(fd);
			else if (errno != ENOENT)
				return -errno;
			else if ((r = make_one(rootfd, cur, path + len, slash ? 1 : dir,
			    path, size, st)) < 0)
				return r;
			if (r == 1)
				break;	/* path is the link's target now: again */
			if (slash == NULL)
				return 0;
			s = slash + 1;
		}
	}
	return -ELOOP;
}

int
stubs_open(int rootfd, const char *target, int dir, struct exec_stubs *st,
    struct exec_fail *f)
{
	char path[PATH_MAX];
	int fd, r;

	fd = stubs_open_in_root(rootfd, target, O_PATH);
	if (fd >= 0 || errno != ENOENT) {
		if (fd < 0)
			return exec_fail_set(f, errno, "mount point %s", target);
		return fd;
	}
	snprintf(path, sizeof(path), "%s", target);
	if ((r = make_path(rootfd, path, sizeof(path), dir, st)) < 0)
		return exec_fail_set(f, -r, "creating the mount point %s", target);
	fd = stubs_open_in_root(rootfd, target, O_PATH);
	if (fd < 0)
		return exec_fail_set(f, errno, "mount point %s", target);
	return fd;
}

/* EBUSY: a mount on it in the step's namespace is still being torn
 * down, which takes the kernel a moment after the step's last exit. */
static int
unlink_stub(int parent, const char *name, int flags)
{
	for (int tries = 0; tries < STUB_BUSY_TRIES; tries++) {
		if (unlinkat(parent, name, flags) == 0)
			return 0;
		if (errno != EBUSY)
			return -errno;
		usleep(STUB_BUSY_WAIT_US);
	}
	return -EBUSY;
}

/* Only what is still empty goes (a file with content or a directory
 * with entries is the step's own doing); its parent gets its times back
 * unless the step changed it too. */
static void
remove_one(int rootfd, const struct exec_stub *s)
{
	char pdir[PATH_MAX];
	const char *name;
	struct stat sb, pst;
	int parent, r;

	if (split_path(s->path, pdir, sizeof(pdir), &name) < 0)
		return;
	parent = stubs_open_in_root(rootfd, pdir, O_RDONLY | O_DIRECTORY);
	if (parent < 0)
		return;
	if (fstat(parent, &pst) < 0 || fstatat(parent, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		goto out;
	if (s->dir && S_ISDIR(sb.st_mode))
		r = unlink_stub(parent, name, AT_REMOVEDIR);
	else if (!s->dir && S_ISREG(sb.st_mode) && sb.st_size == 0)
		r = unlink_stub(parent, name, 0);
	else
		goto out;
	if (r < 0 && r != -ENOTEMPTY)
		log_warn("the mount point %s stays in the rootfs: %s", s->path,
		    strerror(-r));
	if (r == 0 && pst.st_mtim.tv_sec == s->parent_after.tv_sec &&
	    pst.st_mtim.tv_nsec == s->parent_after.tv_nsec)
		(void)futimens(parent, s->parent_before);
out:
	close(parent);
}

void
stubs_remove(const char *rootfs, const struct exec_stubs *st)
{
	int rootfd;

	if (st->n == 0)
		return;
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return;
	for (int i = st->n - 1; i >= 0; i--)
		remove_one(rootfd, &st->s[i]);
	close(rootfd);
}
