/* tree.c: whole-tree work inside kiln-snapd's store: remove, measure, and copy with everything a layer keeps. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <linux/fs.h>
#include "snapd.h"
#include "util.h"

#define TREE_MAX_DEPTH	512

/* --- remove --- */

static int remove_at(int at, const char *name, int depth);

static int
remove_entries(int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int r = 0;

	if (d == NULL) {
		r = -errno;
		close(fd);
		return r;
	}
	while (r == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		r = remove_at(dirfd(d), e->d_name, depth + 1);
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	return r;
}

static int
remove_at(int at, const char *name, int depth)
{
	int fd;

	if (unlinkat(at, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (depth > TREE_MAX_DEPTH)
		return -ELOOP;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	int r = remove_entries(fd, depth);
	if (r == 0 && unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

int
tree_remove(const char *path)
{
	return remove_at(AT_FDCWD, path, 0);
}

/* --- usage --- */

/* Inodes seen with more than one link, so hardlinks count once. */
struct seen {
	struct {
		dev_t	dev;
		ino_t	ino;
	} *v;
	size_t	n, cap;
};

static int
seen_add(struct seen *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dev == st->st_dev && s->v[i].ino == st->st_ino)
			return 1;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *v = realloc(s->v, cap * sizeof(*s->v));
		if (v == NULL)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].dev = st->st_dev;
	s->v[s->n++].ino = st->st_ino;
	return 0;
}

static int
usage_at(int at, const char *name, struct seen *seen, uint64_t *bytes, int depth)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int fd, r = 0;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && (r = seen_add(seen, &st)) != 0)
		return r < 0 ? r : 0;
	*bytes += (uint64_t)st.st_blocks * 512;
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (depth > TREE_MAX_DEPTH)
		return -ELOOP;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return r;
	}
	while (r == 0 && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			r = usage_at(dirfd(d), e->d_name, seen, bytes, depth + 1);
	closedir(d);
	return r;
}

int
tree_usage(const char *path, uint64_t *bytes)
{
	struct seen seen = { 0 };
	int r;

	*bytes = 0;
	r = usage_at(AT_FDCWD, path, &seen, bytes, 0);
	free(seen.v);
	return r;
}

/* --- copy --- */

/* Source inode -> the path of its first copy, for hardlinks. */
struct links {
	struct {
		dev_t	 dev;
		ino_t	 ino;
		char	*path;
	} *v;
	size_t	n, cap;
};

static const char *
links_find(struct links *l, const struct stat *st)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].dev == st->st_dev && l->v[i].ino == st->st_ino)
			return l->v[i].path;
	return NULL;
}

static int
links_add(struct links *l, const struct stat *st, const char *path)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *v = realloc(l->v, cap * sizeof(*l->v));
		if (v == NULL)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n].path = strdup(path)) == NULL)
		return -ENOMEM;
	l->v[l->n].dev = st->st_dev;
	l->v[l->n++].ino = st->st_ino;
	return 0;
}

static int
copy_xattrs(const char *src, const char *dst)
{
	char names[8192], value[65536];
	ssize_t n = llistxattr(src, names, sizeof(names));

	if (n < 0)
		return errno == ENOTSUP ? 0 : -errno;
	for (char *k = names; k < names + n; k += strlen(k) + 1) {
		ssize_t v = lgetxattr(src, k, value, sizeof(value));
		if (v < 0)
			return -errno;
		if (lsetxattr(dst, k, value, (size_t)v, 0) < 0)
			return -errno;
	}
	return 0;
}

/* read and write, where copy_file_range cannot go (from an overlay
 * mount to another filesystem: EXDEV) */
static int
copy_range_rw(int in, int out, off_t o, off_t end)
{
	char buf[65536];

	while (o < end) {
		size_t want = end - o < (off_t)sizeof(buf) ? (size_t)(end - o) : sizeof(buf);
		ssize_t n = pread(in, buf, want, o), w;

		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		for (ssize_t k = 0; k < n; k += w)
			if ((w = pwrite(out, buf + k, (size_t)(n - k), o + k)) <= 0)
				return w < 0 ? -errno : -EIO;
		o += n;
	}
	return 0;
}

/* Data regions only, so holes stay holes. */
static int
copy_data(int in, int out, off_t size)
{
	off_t pos = 0;
	int rw = 0, r;

	if (ioctl(out, FICLONE, in) == 0)
		return 0;
	while (pos < size) {
		off_t data = lseek(in, pos, SEEK_DATA), hole;

		if (data < 0)
			return errno == ENXIO ? 0 : -errno;
		hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		for (off_t o = data; o < hole;) {
			loff_t ri = o, wo = o;
			ssize_t n = rw ? -1 : copy_file_range(in, &ri, out, &wo,
			    (size_t)(hole - o), 0);

			if (n < 0 && (rw || errno == EXDEV || errno == EOPNOTSUPP ||
			    errno == EINVAL)) {
				rw = 1;
				if ((r = copy_range_rw(in, out, o, hole)) < 0)
					return r;
				break;
			}
			if (n <= 0)
				return n < 0 ? -errno : -EIO;
			o += n;
		}
		pos = hole;
	}
	return 0;
}

static int
copy_file(const char *src, const char *dst, const struct stat *st)
{
	int in, out, r;

	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	r = ftruncate(out, st->st_size) < 0 ? -errno : copy_data(in, out, st->st_size);
	close(in);
	if (close(out) < 0 && r == 0)
		r = -errno;
	return r;
}

/* Owner before mode (chown clears set-id bits), xattrs after the owner
 * (security.capability is cleared by chown too), times last. */
static int
copy_meta(const char *src, const char *dst, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	int r;

	if (lchown(dst, st->st_uid, st->st_gid) < 0)
		return -errno;
	if (!S_ISLNK(st->st_mode) && chmod(dst, st->st_mode & 07777) < 0)
		return -errno;
	if ((r = copy_xattrs(src, dst)) < 0)
		return r;
	if (utimensat(AT_FDCWD, dst, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int copy_node(const char *src, const char *dst, struct links *l, int depth);

static int
copy_dir(const char *src, const char *dst, struct links *l, int depth)
{
	char s[PATH_MAX], d[PATH_MAX];
	struct dirent *e;
	DIR *dir;
	int r = 0;

	if (depth > TREE_MAX_DEPTH)
		return -ELOOP;
	if ((dir = opendir(src)) == NULL)
		return -errno;
	while (r == 0 && (e = readdir(dir)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(s, sizeof(s), "%s/%s", src, e->d_name) >= sizeof(s) ||
		    (size_t)snprintf(d, sizeof(d), "%s/%s", dst, e->d_name) >= sizeof(d))
			r = -ENAMETOOLONG;
		else
			r = copy_node(s, d, l, depth + 1);
	}
	closedir(dir);
	return r;
}

static int
make_node(const char *src, const char *dst, const struct stat *st, struct links *l,
    int depth)
{
	char target[PATH_MAX];
	ssize_t n;
	int r;

	switch (st->st_mode & S_IFMT) {
	case S_IFDIR:
		if (depth > 0 && mkdir(dst, 0700) < 0)
			return -errno;
		return copy_dir(src, dst, l, depth);
	case S_IFREG:
		return copy_file(src, dst, st);
	case S_IFLNK:
		n = readlink(src, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		return symlink(target, dst) < 0 ? -errno : 0;
	default:
		r = mknod(dst, st->st_mode & (S_IFMT | 0777), st->st_rdev);
		return r < 0 ? -errno : 0;
	}
}

static int
copy_node(const char *src, const char *dst, struct links *l, int depth)
{
	struct stat st;
	const char *first;
	int r;

	if (lstat(src, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		if ((first = links_find(l, &st)) != NULL)
			return link(first, dst) < 0 ? -errno : 0;
		if ((r = links_add(l, &st, dst)) < 0)
			return r;
	}
	if ((r = make_node(src, dst, &st, l, depth)) < 0)
		return r;
	return copy_meta(src, dst, &st);
}

int
tree_copy(const char *src, const char *dst)
{
	struct links l = { 0 };
	int r = copy_node(src, dst, &l, 0);

	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].path);
	free(l.v);
	return r;
}
