/* layer_apply.c: unpacks an image layer (tar, tar+gzip, tar+zstd) into a mounted snapshot, whiteouts as removals, nothing outside it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <archive.h>
#include <archive_entry.h>
#include "files.h"
#include "log.h"
#include "strset.h"

#define WH_PREFIX	".wh."
#define WH_OPAQUE	".wh..wh..opq"
#define WH_META		".wh..wh."	/* aufs's own files: never unpacked */

/* A directory whose mode and times are set once all its entries are in. */
struct dir_fix {
	char		*path;
	mode_t		 mode;
	struct timespec	 ts[2];
};

struct apply {
	struct archive		*a;
	struct archive		*raw;	/* with on_data: the decompressed stream */
	struct archive_entry	*e;
	int			 root;
	const char		*what;
	struct layer_stats	*st;
	struct snap_err		*err;
	struct layer_opts	 o;
	struct strset		 seen;		/* paths this layer made */
	struct dir_fix		*dirs;
	size_t			 ndirs, capdirs;
	char			 cache_path[PATH_MAX];	/* last parent opened */
	int			 cache_fd;
	char			 first_device[PATH_MAX];
	int			 xattr_warned;
	/* the entry at hand */
	char			 path[PATH_MAX];
	const char		*name;		/* as the archive has it */
};

static int entry_err(struct apply *ap, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
entry_err(struct apply *ap, int code, const char *fmt, ...)
{
	char what[512];
	va_list va;

	va_start(va, fmt);
	vsnprintf(what, sizeof(what), fmt, va);
	va_end(va);
	return snap_errf(ap->err, code, "layer %s: entry '%s': %s", ap->what,
	    ap->name, what);
}

static void
cache_drop(struct apply *ap)
{
	if (ap->cache_fd >= 0)
		close(ap->cache_fd);
	ap->cache_fd = -1;
	ap->cache_path[0] = '\0';
}

/* The parent directory of the entry, made when missing; a borrowed fd. */
static int
parent_fd(struct apply *ap, const char *parent)
{
	int fd;

	if (ap->cache_fd >= 0 && strcmp(ap->cache_path, parent) == 0)
		return ap->cache_fd;
	cache_drop(ap);
	fd = fs_open_dir(ap->root, parent, 1, 0, 0);
	if (fd == -ELOOP || fd == -EXDEV)
		return entry_err(ap, -ELOOP, "its path goes through a symlink (%s/...); "
		    "a layer may not write through a symlink", parent);
	if (fd == -ENOTDIR)
		return entry_err(ap, fd, "a parent of it (%s) is not a directory", parent);
	if (fd < 0)
		return entry_err(ap, fd, "opening its directory: %s", strerror(-fd));
	snprintf(ap->cache_path, sizeof(ap->cache_path), "%s", parent);
	ap->cache_fd = fd;
	return fd;
}

static int
remember(struct apply *ap, const char *path)
{
	char buf[PATH_MAX], *slash;

	if (strset_add(&ap->seen, path) < 0)
		return snap_errf(ap->err, -ENOMEM, "layer %s: out of memory", ap->what);
	/* the ancestors too, so an opaque marker keeps what lies below */
	snprintf(buf, sizeof(buf), "%s", path);
	while ((slash = strrchr(buf, '/')) != NULL) {
		*slash = '\0';
		if (strset_has(&ap->seen, buf))
			break;
		if (strset_add(&ap->seen, buf) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int
check_owner(struct apply *ap)
{
	int64_t uid = archive_entry_uid(ap->e), gid = archive_entry_gid(ap->e);

	if (uid >= 0 && uid < UINT32_MAX && fs_uid_mapped((uint64_t)uid) &&
	    gid >= 0 && gid < UINT32_MAX && fs_gid_mapped((uint64_t)gid))
		return 0;
	return snap_errf(ap->err, -ERANGE, "layer %s: entry '%s' is owned by "
	    "uid %lld gid %lld, outside kiln's user namespace (mapped uids: %s); "
	    "give your user a larger subordinate range in /etc/subuid and "
	    "/etc/subgid (e.g. 'USER:100000:65536') and restart kilnd",
	    ap->what, ap->name, (long long)uid, (long long)gid, fs_uid_ranges());
}

static int
skip_xattr(const char *name)
{
	/* overlay's own (trusted.overlay.*, user.overlay.*) would fake
	 * whiteouts; trusted.* cannot be set in a user namespace anyway */
	return strncmp(name, "trusted.", 8) == 0 ||
	    strncmp(name, "user.overlay.", 13) == 0 ||
	    strncmp(name, "security.selinux", 16) == 0;
}

static int
set_xattrs(struct apply *ap, int fd)
{
	const char *name;
	const void *value;
	size_t size;

	if (archive_entry_xattr_reset(ap->e) == 0)
		return 0;
	while (archive_entry_xattr_next(ap->e, &name, &value, &size) == ARCHIVE_OK) {
		if (skip_xattr(name)) {
			ap->st->xattrs_skipped++;
			continue;
		}
		if (fsetxattr(fd, name, value, size, 0) == 0)
			continue;
		if (errno != EOPNOTSUPP && errno != EPERM)
			return entry_err(ap, -errno, "setting xattr %s", name);
		ap->st->xattrs_skipped++;
		if (!ap->xattr_warned++)
			log_warn("layer %s: xattr %s of '%s' not kept: %s", ap->what,
			    name, ap->name, strerror(errno));
	}
	return 0;
}

static void
entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	} else
		ts[0] = ts[1];
}

/* Owner, then mode (chown clears set-id bits), xattrs, times. */
static int
set_meta_fd(struct apply *ap, int fd)
{
	struct timespec ts[2];

	if (fchown(fd, (uid_t)archive_entry_uid(ap->e), (gid_t)archive_entry_gid(ap->e)) < 0)
		return entry_err(ap, -errno, "chown: %s", strerror(errno));
	if (fchmod(fd, archive_entry_mode(ap->e) & 07777) < 0)
		return entry_err(ap, -errno, "chmod: %s", strerror(errno));
	if (set_xattrs(ap, fd) < 0)
		return -EIO;
	entry_times(ap->e, ts);
	if (futimens(fd, ts) < 0)
		return entry_err(ap, -errno, "setting times: %s", strerror(errno));
	return 0;
}

/* Makes room for a non-directory at base: whatever is there goes. */
static int
clear_spot(struct apply *ap, int pfd, const char *base)
{
	int r;

	if (unlinkat(pfd, base, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return entry_err(ap, -errno, "replacing what is there: %s", strerror(errno));
	/* the cached fd is base's parent, which stays */
	r = fs_rm_rf(pfd, base);
	return r < 0 ? entry_err(ap, r, "replacing a directory: %s", strerror(-r)) : 0;
}

static int
write_data(struct apply *ap, int fd)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(ap->a, &buf, &size, &off)) == ARCHIVE_OK) {
		for (size_t w = 0; w < size;) {
			ssize_t n = pwrite(fd, (const char *)buf + w, size - w, off + (off_t)w);

			if (n < 0)
				return entry_err(ap, -errno, "writing: %s", strerror(errno));
			w += (size_t)n;
		}
		ap->st->bytes += size;
	}
	if (r != ARCHIVE_EOF)
		return entry_err(ap, -EIO, "%s", archive_error_string(ap->a));
	/* a sparse file's trailing hole */
	if (ftruncate(fd, archive_entry_size(ap->e)) < 0)
		return entry_err(ap, -errno, "setting its size: %s", strerror(errno));
	return 0;
}

static int
do_file(struct apply *ap, int pfd, const char *base)
{
	int fd, r;

	fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		if ((r = clear_spot(ap, pfd, base)) < 0)
			return r;
		fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return entry_err(ap, -errno, "creating: %s", strerror(errno));
	r = write_data(ap, fd);
	if (r == 0)
		r = set_meta_fd(ap, fd);
	close(fd);
	return r;
}

static int
add_dir_fix(struct apply *ap)
{
	struct dir_fix *d;

	if (ap->ndirs == ap->capdirs) {
		size_t cap = ap->capdirs ? ap->capdirs * 2 : 64;

		d = realloc(ap->dirs, cap * sizeof(*d));
		if (d == NULL)
			return -ENOMEM;
		ap->dirs = d;
		ap->capdirs = cap;
	}
	d = &ap->dirs[ap->ndirs];
	if ((d->path = strdup(ap->path)) == NULL)
		return -ENOMEM;
	d->mode = archive_entry_mode(ap->e) & 07777;
	entry_times(ap->e, d->ts);
	ap->ndirs++;
	return 0;
}

static int
do_dir(struct apply *ap, int pfd, const char *base)
{
	struct stat st;
	int fd, r;

	if (*base && mkdirat(pfd, base, 0700) < 0) {
		if (errno != EEXIST)
			return entry_err(ap, -errno, "mkdir: %s", strerror(errno));
		if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return entry_err(ap, -errno, "stat: %s", strerror(errno));
		if (!S_ISDIR(st.st_mode) && ((r = clear_spot(ap, pfd, base)) < 0 ||
		    mkdirat(pfd, base, 0700) < 0))
			return r < 0 ? r : entry_err(ap, -errno, "mkdir: %s", strerror(errno));
	}
	fd = openat(pfd, *base ? base : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return entry_err(ap, -errno, "opening: %s", strerror(errno));
	r = 0;
	if (fchown(fd, (uid_t)archive_entry_uid(ap->e), (gid_t)archive_entry_gid(ap->e)) < 0)
		r = entry_err(ap, -errno, "chown: %s", strerror(errno));
	if (r == 0)
		r = set_xattrs(ap, fd);
	close(fd);
	if (r == 0 && add_dir_fix(ap) < 0)
		r = snap_errf(ap->err, -ENOMEM, "layer %s: out of memory", ap->what);
	return r;
}

static int
do_symlink(struct apply *ap, int pfd, const char *base)
{
	const char *target = archive_entry_symlink(ap->e);
	struct timespec ts[2];
	int r;

	if (target == NULL)
		return entry_err(ap, -EINVAL, "%s", "a symlink without a target");
	if ((r = clear_spot(ap, pfd, base)) < 0)
		return r;
	/* the target is never followed here: later entries refuse to go
	 * through any symlink, and the file ops use O_NOFOLLOW */
	if (symlinkat(target, pfd, base) < 0)
		return entry_err(ap, -errno, "symlink: %s", strerror(errno));
	if (fchownat(pfd, base, (uid_t)archive_entry_uid(ap->e),
	    (gid_t)archive_entry_gid(ap->e), AT_SYMLINK_NOFOLLOW) < 0)
		return entry_err(ap, -errno, "chown: %s", strerror(errno));
	entry_times(ap->e, ts);
	if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_err(ap, -errno, "setting times: %s", strerror(errno));
	return 0;
}

static int
do_hardlink(struct apply *ap, int pfd, const char *base, const char *link)
{
	char target[PATH_MAX];
	const char *tparent, *tbase;
	struct stat st;
	int tfd, r;

	if (fs_clean_path(link, 0, target, sizeof(target)) < 0 || !*target)
		return entry_err(ap, -EINVAL, "a hard link to '%s', outside the layer's "
		    "root, refused", link);
	fs_split(target, &tparent, &tbase);
	tfd = fs_open_dir(ap->root, tparent, 0, 0, 0);
	if (tfd < 0)
		return entry_err(ap, tfd, "a hard link to '%s', which cannot be reached "
		    "without leaving the layer or following a symlink", link);
	if (fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode)) {
		r = entry_err(ap, -EINVAL, "a hard link to '%s', which is missing or "
		    "a directory", link);
		goto out;
	}
	if ((r = clear_spot(ap, pfd, base)) < 0)
		goto out;
	if (linkat(tfd, tbase, pfd, base, 0) < 0)
		r = entry_err(ap, -errno, "link: %s", strerror(errno));
out:
	close(tfd);
	return r;
}

static int
do_fifo(struct apply *ap, int pfd, const char *base)
{
	int r, fd;

	if ((r = clear_spot(ap, pfd, base)) < 0)
		return r;
	if (mknodat(pfd, base, S_IFIFO | 0600, 0) < 0)
		return entry_err(ap, -errno, "mkfifo: %s", strerror(errno));
	fd = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return entry_err(ap, -errno, "opening: %s", strerror(errno));
	r = 0;
	if (fchownat(fd, "", (uid_t)archive_entry_uid(ap->e),
	    (gid_t)archive_entry_gid(ap->e), AT_EMPTY_PATH) < 0 ||
	    fchmodat(pfd, base, archive_entry_mode(ap->e) & 07777, 0) < 0)
		r = entry_err(ap, -errno, "setting owner and mode: %s", strerror(errno));
	close(fd);
	return r;
}

/* Whether this layer made something under dir already. */
static int
made_below(struct apply *ap, const char *dir, DIR *d)
{
	char child[PATH_MAX];
	struct dirent *de;
	int found = 0;

	while (!found && (de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s%s%s", dir, *dir ? "/" : "", de->d_name);
		found = strset_has(&ap->seen, child);
	}
	rewinddir(d);
	return found;
}

/* A directory made anew where one was removed: overlayfs marks it
 * opaque itself, so the layer's opaque dir diffs back as one. */
static int
remake_dir(struct apply *ap, const char *dir)
{
	char buf[PATH_MAX];
	const char *parent, *base;
	struct stat st;
	int pfd, r;

	snprintf(buf, sizeof(buf), "%s", dir);
	fs_split(buf, &parent, &base);
	cache_drop(ap);
	pfd = fs_open_dir(ap->root, parent, 0, 0, 0);
	if (pfd < 0)
		return entry_err(ap, pfd, "opening its directory: %s", strerror(-pfd));
	r = fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : fs_rm_rf(pfd, base);
	if (r == 0 && (mkdirat(pfd, base, st.st_mode & 07777) < 0 ||
	    fchownat(pfd, base, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(pfd, base, st.st_mode & 07777, 0) < 0))
		r = -errno;
	close(pfd);
	return r < 0 ? entry_err(ap, r, "making the directory opaque: %s", strerror(-r)) : 0;
}

/* .wh..wh..opq: what lower layers had in this directory goes, what this
 * layer put there stays. */
static int
do_opaque(struct apply *ap, const char *parent)
{
	char child[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	fd = parent_fd(ap, parent);
	if (fd < 0)
		return fd;
	fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		r = entry_err(ap, -errno, "reading the directory: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	ap->st->whiteouts++;
	if (*parent && !made_below(ap, parent, d)) {
		closedir(d);
		return remake_dir(ap, parent);
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s%s%s", parent, *parent ? "/" : "",
		    de->d_name);
		if (strset_has(&ap->seen, child))
			continue;
		if ((r = fs_rm_rf(dirfd(d), de->d_name)) < 0)
			r = entry_err(ap, r, "making the directory opaque: %s", strerror(-r));
	}
	closedir(d);
	return r;
}

static int
do_whiteout(struct apply *ap, const char *parent, const char *base)
{
	const char *victim = base + strlen(WH_PREFIX);
	int pfd, r;

	if (strcmp(base, WH_OPAQUE) == 0)
		return do_opaque(ap, parent);
	if (strncmp(base, WH_META, strlen(WH_META)) == 0)
		return 0;
	if (!*victim || !strcmp(victim, ".") || !strcmp(victim, ".."))
		return entry_err(ap, -EINVAL, "%s", "a whiteout of nothing");
	pfd = parent_fd(ap, parent);
	if (pfd < 0)
		return pfd;
	r = fs_rm_rf(pfd, victim);
	ap->st->whiteouts++;
	return r < 0 ? entry_err(ap, r, "removing what it hides: %s", strerror(-r)) : 0;
}

static int
do_entry(struct apply *ap)
{
	const char *parent, *base, *link = archive_entry_hardlink(ap->e);
	char split[PATH_MAX];
	mode_t type = archive_entry_filetype(ap->e);
	int pfd, r;

	r = fs_clean_path(ap->name, 0, ap->path, sizeof(ap->path));
	if (r == -ENAMETOOLONG)
		return entry_err(ap, r, "%s", "its path is too long");
	if (r < 0)
		return entry_err(ap, -EINVAL, "%s", "its path leaves the layer's root "
		    "(absolute, or with '..'); refused");
	if (!*ap->path && type != AE_IFDIR)
		return 0;	/* "./" of something else: nothing to do */
	snprintf(split, sizeof(split), "%s", ap->path);
	fs_split(split, &parent, &base);
	if (!*ap->path)
		parent = base = "";
	if (!ap->o.no_whiteouts && strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0)
		return do_whiteout(ap, parent, base);
	if (ap->o.uid >= 0)
		archive_entry_set_uid(ap->e, ap->o.uid);
	if (ap->o.gid >= 0)
		archive_entry_set_gid(ap->e, ap->o.gid);
	if (!link && (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFSOCK)) {
		if (!ap->st->devices++)
			snprintf(ap->first_device, sizeof(ap->first_device), "%s", ap->path);
		return 0;
	}
	if ((r = check_owner(ap)) < 0)
		return r;
	pfd = parent_fd(ap, parent);
	if (pfd < 0)
		return pfd;
	if ((r = remember(ap, ap->path)) < 0)
		return r;
	ap->st->entries++;
	if (link)
		return do_hardlink(ap, pfd, base, link);
	switch (type) {
	case AE_IFREG:
		return do_file(ap, pfd, base);
	case AE_IFDIR:
		return do_dir(ap, pfd, base);
	case AE_IFLNK:
		return do_symlink(ap, pfd, base);
	case AE_IFIFO:
		return do_fifo(ap, pfd, base);
	default:
		return entry_err(ap, -EINVAL, "%s", "an entry of an unknown type");
	}
}

/* Directories last: their mode may forbid writing, their times change
 * with every entry made in them. */
static int
fix_dirs(struct apply *ap)
{
	for (size_t i = ap->ndirs; i-- > 0;) {
		struct dir_fix *d = &ap->dirs[i];
		int fd = *d->path ? fs_open_beneath(ap->root, d->path, O_RDONLY | O_DIRECTORY)
		    : fs_open_beneath(ap->root, "", O_RDONLY | O_DIRECTORY);

		if (fd == -ENOENT)
			continue;	/* removed by a later whiteout */
		if (fd < 0)
			return snap_errf(ap->err, fd, "layer %s: directory '%s': %s",
			    ap->what, d->path, strerror(-fd));
		if (fchmod(fd, d->mode) < 0 || futimens(fd, d->ts) < 0) {
			int e = errno;

			close(fd);
			return snap_errf(ap->err, -e, "layer %s: directory '%s': %s",
			    ap->what, d->path, strerror(e));
		}
		close(fd);
	}
	return 0;
}

static void
add_filters(struct apply *ap, struct archive *a)
{
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	if (ap->o.any_format) {
		archive_read_support_filter_bzip2(a);
		archive_read_support_filter_xz(a);
	}
}

/* The tar reader's input with on_data: the raw reader's blocks, each
 * shown to on_data (libarchive keeps a block until the next call). */
static la_ssize_t
raw_read(struct archive *a, void *arg, const void **buf)
{
	struct apply *ap = arg;
	la_int64_t off;
	size_t n;
	int r = archive_read_data_block(ap->raw, buf, &n, &off);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		archive_set_error(a, archive_errno(ap->raw) ? archive_errno(ap->raw) : EIO,
		    "%s", archive_error_string(ap->raw));
		return -1;
	}
	ap->o.on_data(ap->o.data_arg, *buf, n);
	return (la_ssize_t)n;
}

/* With on_data: decompression (format "raw") feeding a plain tar reader. */
static int
open_raw(struct apply *ap, int fd)
{
	struct archive_entry *e;
	int h;

	if ((ap->raw = archive_read_new()) == NULL)
		return snap_errf(ap->err, -ENOMEM, "layer %s: out of memory", ap->what);
	add_filters(ap, ap->raw);
	archive_read_support_format_raw(ap->raw);
	archive_read_support_format_empty(ap->raw);
	if (archive_read_open_fd(ap->raw, fd, 128 * 1024) != ARCHIVE_OK ||
	    (h = archive_read_next_header(ap->raw, &e)) < ARCHIVE_WARN)
		return snap_errf(ap->err, -EINVAL, "layer %s: cannot be read as a tar, "
		    "tar+gzip or tar+zstd archive: %s", ap->what,
		    archive_error_string(ap->raw));
	if (h == ARCHIVE_EOF) {
		archive_read_free(ap->raw);	/* empty: the tar reader gets nothing */
		ap->raw = NULL;
	}
	return 0;
}

static la_ssize_t
no_read(struct archive *a, void *arg, const void **buf)
{
	(void)a;
	(void)arg;
	*buf = NULL;
	return 0;
}

static int
open_archive(struct apply *ap, int fd)
{
	int r = ARCHIVE_OK;

	if (ap->o.on_data && (r = open_raw(ap, fd)) < 0)
		return r;
	ap->a = archive_read_new();
	if (ap->a == NULL)
		return snap_errf(ap->err, -ENOMEM, "layer %s: out of memory", ap->what);
	if (!ap->o.on_data)
		add_filters(ap, ap->a);
	archive_read_support_format_tar(ap->a);
	archive_read_support_format_empty(ap->a);
	if (!ap->o.on_data)
		r = archive_read_open_fd(ap->a, fd, 128 * 1024);
	else
		r = archive_read_open(ap->a, ap, NULL, ap->raw ? raw_read : no_read, NULL);
	if (r != ARCHIVE_OK)
		return snap_errf(ap->err, -EINVAL, "layer %s: cannot be read as a tar, "
		    "tar+gzip or tar+zstd archive: %s", ap->what, archive_error_string(ap->a));
	return 0;
}

/* What follows the tar's end counts in the digest too. */
static int
raw_drain(struct apply *ap)
{
	const void *buf;
	la_int64_t off;
	size_t n;
	int r;

	while (ap->raw && (r = archive_read_data_block(ap->raw, &buf, &n, &off)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN)
			return snap_errf(ap->err, -EINVAL, "layer %s: after its last entry: %s",
			    ap->what, archive_error_string(ap->raw));
		ap->o.on_data(ap->o.data_arg, buf, n);
	}
	return 0;
}

static int
run(struct apply *ap, int fd)
{
	const char *last = "(start)";
	char lastbuf[256];
	int r, h;

	if ((r = open_archive(ap, fd)) < 0)
		return r;
	while ((h = archive_read_next_header(ap->a, &ap->e)) != ARCHIVE_EOF) {
		if (h < ARCHIVE_WARN || (ap->name = archive_entry_pathname(ap->e)) == NULL)
			return snap_errf(ap->err, -EINVAL, "layer %s: after entry '%s': %s",
			    ap->what, last, h < ARCHIVE_WARN ?
			    archive_error_string(ap->a) : "an entry without a name");
		if ((r = do_entry(ap)) < 0)
			return r;
		snprintf(lastbuf, sizeof(lastbuf), "%s", ap->name);
		last = lastbuf;
	}
	if ((r = raw_drain(ap)) < 0)
		return r;
	return fix_dirs(ap);
}

int
layer_apply(int root, int archive_fd, const char *what, const struct layer_opts *o,
    struct layer_stats *st, struct snap_err *err)
{
	struct apply ap = {
		.root = root, .what = what, .st = st, .err = err, .cache_fd = -1,
		.o = { 0, -1, -1, 0, NULL, NULL },
	};
	int r;

	if (o)
		ap.o = *o;
	memset(st, 0, sizeof(*st));
	r = run(&ap, archive_fd);
	if (r == 0 && st->devices)
		log_warn("layer %s: %llu device nodes skipped (the first: %s): a user "
		    "namespace cannot make them", what,
		    (unsigned long long)st->devices, ap.first_device);
	cache_drop(&ap);
	for (size_t i = 0; i < ap.ndirs; i++)
		free(ap.dirs[i].path);
	free(ap.dirs);
	strset_free(&ap.seen);
	if (ap.a)
		archive_read_free(ap.a);
	if (ap.raw)
		archive_read_free(ap.raw);
	return r;
}
