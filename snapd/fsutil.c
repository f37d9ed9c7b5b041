/* fsutil.c: kiln-snapd's path handling that never leaves its root: clean names, openat2 beneath, rm -rf, hole-keeping copies, id maps. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "files.h"
#include "util.h"

#define FS_RESOLVE	(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
#define FS_MAX_RANGES	32

struct idrange {
	uint64_t	inside, count;
};

static struct idrange uid_ranges[FS_MAX_RANGES], gid_ranges[FS_MAX_RANGES];
static int nuid = -1, ngid = -1;
static char uid_text[256];

int
snap_errf(struct snap_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int
fs_clean_path(const char *in, int allow_abs, char *out, size_t size)
{
	size_t o = 0;
	const char *p = in;

	if (*p == '/' && !allow_abs)
		return -EINVAL;
	while (*p) {
		const char *c;
		size_t n;

		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return -EINVAL;
		if (o + n + 2 > size)
			return -ENAMETOOLONG;
		if (o)
			out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

void
fs_split(char *path, const char **parent, const char **base)
{
	char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*parent = "";
		*base = path;
		return;
	}
	*slash = '\0';
	*parent = path;
	*base = slash + 1;
}

static int
openat2_beneath(int dir, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = FS_RESOLVE,
	};
	long fd;

	do
		fd = syscall(SYS_openat2, dir, *rel ? rel : ".", &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd < 0 ? -errno : (int)fd;
}

int
fs_open_in_root(int root, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	do
		fd = syscall(SYS_openat2, root, *rel ? rel : ".", &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd < 0 ? -errno : (int)fd;
}

int
fs_open_beneath(int root, const char *rel, int flags)
{
	return openat2_beneath(root, rel, flags | O_NOFOLLOW);
}

/* mkdir -p, one component at a time, each opened beneath the last. */
static int
make_dirs(int root, const char *rel, uid_t uid, gid_t gid)
{
	char buf[PATH_MAX], *save = NULL, *comp;
	int cur, next;

	if (strlen(rel) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, rel);
	cur = openat2_beneath(root, "", O_PATH | O_DIRECTORY);
	for (comp = strtok_r(buf, "/", &save); cur >= 0 && comp;
	    comp = strtok_r(NULL, "/", &save)) {
		next = openat2_beneath(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW);
		if (next == -ENOENT) {
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
				next = -errno;
			else {
				if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
				    fchownat(cur, comp, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
					next = -errno;
				else
					next = openat2_beneath(cur, comp,
					    O_PATH | O_DIRECTORY | O_NOFOLLOW);
			}
		}
		close(cur);
		cur = next;
	}
	return cur;
}

int
fs_open_dir(int root, const char *rel, int mkparents, uid_t uid, gid_t gid)
{
	int fd = openat2_beneath(root, rel, O_PATH | O_DIRECTORY);

	if (fd == -ENOENT && mkparents)
		fd = make_dirs(root, rel, uid, gid);
	return fd;
}

static int
rm_children(int dirfd)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;
	int r = 0;

	if (d == NULL) {
		r = -errno;
		close(dirfd);
		return r;
	}
	while (r == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		r = fs_rm_rf(dirfd, e->d_name);
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	return r;
}

int
fs_rm_rf(int dir, const char *name)
{
	int fd, r;

	if (unlinkat(dir, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = rm_children(fd);
	if (r < 0)
		return r;
	if (unlinkat(dir, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Copies len bytes at off; returns how many it copied (fewer if the
 * file shrank under us) or -errno. */
static off_t
copy_range(int in, int out, off_t off, off_t len)
{
	static char buf[256 * 1024];
	off_t done = 0;

	while (done < len) {
		loff_t io = off + done, oo = off + done;
		ssize_t n = copy_file_range(in, &io, out, &oo, (size_t)(len - done), 0);

		if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
		    errno == EOPNOTSUPP || errno == EPERM))
			break;
		if (n < 0)
			return -errno;
		if (n == 0)
			return done;	/* the file shrank under us */
		done += n;
	}
	while (done < len) {
		size_t want = (size_t)(len - done) < sizeof(buf) ?
		    (size_t)(len - done) : sizeof(buf);
		ssize_t n = pread(in, buf, want, off + done);

		if (n < 0)
			return -errno;
		if (n == 0)
			return done;
		for (ssize_t w = 0; w < n;) {
			ssize_t k = pwrite(out, buf + w, (size_t)(n - w), off + done + w);

			if (k < 0)
				return -errno;
			w += k;
		}
		done += n;
	}
	return done;
}

int
fs_copy_data(int in, int out, off_t size)
{
	struct stat st;
	off_t pos = 0, end = 0, data, hole, r;

	if (size < 0) {
		if (fstat(in, &st) < 0)
			return -errno;
		size = st.st_size;
	}
	while (pos < size) {
		data = lseek(in, pos, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break;			/* a hole to the end */
		if (data < 0) {
			data = pos;		/* no SEEK_DATA here */
			hole = size;
		} else if ((hole = lseek(in, data, SEEK_HOLE)) < 0)
			hole = size;
		if (hole > size)
			hole = size;
		r = copy_range(in, out, data, hole - data);
		if (r < 0)
			return (int)r;
		end = data + r;
		pos = hole;
	}
	/* a hole at the end, or a file that shrank: the size is still
	 * the one asked for. Otherwise the last write made it, and a
	 * truncate would only cost a setattr (through the overlay, a
	 * slow one) per file. */
	if (end < size && ftruncate(out, size) < 0)
		return -errno;
	return 0;
}

int
fs_copy_dense(int in, int out, off_t size)
{
	off_t r = size > 0 ? copy_range(in, out, 0, size) : 0;

	if (r < 0)
		return (int)r;
	/* a file that shrank under us: the size is still the one asked for */
	if (r < size && ftruncate(out, size) < 0)
		return -errno;
	return 0;
}

static int
load_map(const char *path, struct idrange *rs)
{
	char buf[2048], *line, *save = NULL;
	int n = 0;

	if (util_read_small_file(path, buf, sizeof(buf)) < 0) {
		rs[0].inside = 0;
		rs[0].count = 1ULL << 32;	/* no user namespace: all */
		return 1;
	}
	for (line = strtok_r(buf, "\n", &save); line && n < FS_MAX_RANGES;
	    line = strtok_r(NULL, "\n", &save)) {
		unsigned long long in, outside, count;

		if (sscanf(line, "%llu %llu %llu", &in, &outside, &count) == 3) {
			rs[n].inside = in;
			rs[n].count = count;
			n++;
		}
	}
	return n;
}

void
fs_idmap_load(void)
{
	size_t o = 0;

	nuid = load_map("/proc/self/uid_map", uid_ranges);
	ngid = load_map("/proc/self/gid_map", gid_ranges);
	uid_text[0] = '\0';
	for (int i = 0; i < nuid && o < sizeof(uid_text) - 48; i++)
		o += (size_t)snprintf(uid_text + o, sizeof(uid_text) - o, "%s%llu-%llu",
		    i ? "," : "", (unsigned long long)uid_ranges[i].inside,
		    (unsigned long long)(uid_ranges[i].inside + uid_ranges[i].count - 1));
}

static int
in_ranges(const struct idrange *rs, int n, uint64_t id)
{
	for (int i = 0; i < n; i++)
		if (id >= rs[i].inside && id - rs[i].inside < rs[i].count)
			return 1;
	return 0;
}

int
fs_uid_mapped(uint64_t uid)
{
	if (nuid < 0)
		fs_idmap_load();
	return in_ranges(uid_ranges, nuid, uid);
}

int
fs_gid_mapped(uint64_t gid)
{
	if (ngid < 0)
		fs_idmap_load();
	return in_ranges(gid_ranges, ngid, gid);
}

const char *
fs_uid_ranges(void)
{
	if (nuid < 0)
		fs_idmap_load();
	return uid_text;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
fs_list_dir(int dirfd, char ***names, size_t *n)
{
	DIR *d = fdopendir(dup(dirfd));
	struct dirent *e;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == cap) {
			char **v = realloc(*names, (cap = cap ? cap * 2 : 32) * sizeof(char *));

			if (v == NULL)
				break;
			*names = v;
		}
		if (((*names)[*n] = strdup(e->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	if (e != NULL) {
		fs_free_names(*names, *n);
		*names = NULL;
		*n = 0;
		return -ENOMEM;
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(char *), cmp_str);
	lseek(dirfd, 0, SEEK_SET);
	return 0;
}

void
fs_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void
fs_link_target(const char *link, const char *target, char *out, size_t size)
{
	char joined[2 * PATH_MAX + 2], *save = NULL, *c;
	const char *slash = strrchr(link, '/');
	size_t o = 0;

	snprintf(joined, sizeof(joined), "%.*s/%s", target[0] == '/' || !slash ? 0 :
	    (int)(slash - link), link, target);
	out[0] = '\0';
	for (c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *last = strrchr(out, '/');

			o = last ? (size_t)(last - out) : 0;
			out[o] = '\0';
			continue;
		}
		if (o + strlen(c) + 2 > size) {
			out[0] = '\0';
			return;
		}
		o += (size_t)snprintf(out + o, size - o, "%s%s", o ? "/" : "", c);
	}
}
