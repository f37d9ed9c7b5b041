/* tar_write.c: writes trees as reproducible tar streams (sorted by the caller, numeric owners, clamped times), hashing what it writes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include "tar_write.h"
#include "util.h"

#define TARW_BUF	(1024 * 1024)	/* libarchive's 10 KiB blocks, gathered */

static int
flush(struct tarw *t)
{
	for (size_t o = 0; o < t->nbuf;) {
		ssize_t k = write(t->out, t->buf + o, t->nbuf - o);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		o += (size_t)k;
	}
	t->nbuf = 0;
	return 0;
}

static la_ssize_t
on_write(struct archive *a, void *arg, const void *buf, size_t n)
{
	struct tarw *t = arg;
	int r;

	EVP_DigestUpdate(t->md, buf, n);
	t->bytes += n;
	if (t->nbuf + n > TARW_BUF && (r = flush(t)) < 0) {
		archive_set_error(a, -r, "writing the tar: %s", strerror(-r));
		return -1;
	}
	if (n > TARW_BUF) {
		const char *p = buf;

		for (size_t o = 0; o < n;) {
			ssize_t k = write(t->out, p + o, n - o);

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				archive_set_error(a, errno, "writing the tar: %s", strerror(errno));
				return -1;
			}
			o += (size_t)k;
		}
		return (la_ssize_t)n;
	}
	memcpy(t->buf + t->nbuf, buf, n);
	t->nbuf += n;
	return (la_ssize_t)n;
}

int
tarw_open(struct tarw *t, int out, int64_t epoch, struct snap_err *err)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->epoch = epoch;
	t->err = err;
	t->md = EVP_MD_CTX_new();
	t->a = archive_write_new();
	t->buf = malloc(TARW_BUF);
	if (t->md == NULL || t->a == NULL || t->buf == NULL)
		return snap_errf(err, -ENOMEM, "out of memory");
	EVP_DigestInit_ex(t->md, EVP_sha256(), NULL);
	archive_write_set_format_pax_restricted(t->a);
	archive_write_set_bytes_in_last_block(t->a, 1);
	if (archive_write_open(t->a, t, NULL, on_write, NULL) != ARCHIVE_OK)
		return snap_errf(err, -EIO, "starting a tar: %s", archive_error_string(t->a));
	return 0;
}

static int
keep_xattr(const char *name)
{
	/* overlay's own say what the upper dir is, not what the image has */
	return strncmp(name, "user.overlay.", 13) != 0 &&
	    strncmp(name, "trusted.", 8) != 0 && strncmp(name, "security.selinux", 16) != 0;
}

static void
add_xattrs(struct archive_entry *e, int fd)
{
	char names[4096], value[4096];
	ssize_t n = flistxattr(fd, names, sizeof(names));

	for (ssize_t o = 0; n > 0 && o < n; o += (ssize_t)strlen(names + o) + 1) {
		ssize_t v;

		if (!keep_xattr(names + o))
			continue;
		v = fgetxattr(fd, names + o, value, sizeof(value));
		if (v >= 0)
			archive_entry_xattr_add_entry(e, names + o, value, (size_t)v);
	}
}

static int
link_seen(struct tarw *t, const struct stat *st, const char *path, const char **first)
{
	struct tarw_link *l;

	*first = NULL;
	if (st->st_nlink < 2)
		return 0;
	for (size_t i = 0; i < t->nlinks; i++)
		if (t->links[i].dev == st->st_dev && t->links[i].ino == st->st_ino) {
			*first = t->links[i].path;
			return 0;
		}
	l = realloc(t->links, (t->nlinks + 1) * sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	t->links = l;
	l[t->nlinks].dev = st->st_dev;
	l[t->nlinks].ino = st->st_ino;
	l[t->nlinks].path = strdup(path);
	if (l[t->nlinks].path == NULL)
		return -ENOMEM;
	t->nlinks++;
	return 0;
}

static struct archive_entry *
entry_for(struct tarw *t, const char *path, const struct stat *st)
{
	struct archive_entry *e = archive_entry_new();
	time_t mt = st->st_mtim.tv_sec;
	long ns = st->st_mtim.tv_nsec;

	if (t->epoch >= 0 && mt >= t->epoch) {
		mt = t->epoch;
		ns = 0;
	}
	archive_entry_set_pathname(e, path);
	archive_entry_set_mode(e, st->st_mode);
	archive_entry_set_uid(e, st->st_uid);
	archive_entry_set_gid(e, st->st_gid);
	archive_entry_set_mtime(e, mt, t->epoch >= 0 ? 0 : ns);
	return e;
}

static int
write_body(struct tarw *t, int fd, const char *path)
{
	static char buf[256 * 1024];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(t->a, buf, (size_t)n) != n)
			return snap_errf(t->err, -EIO, "'%s' into the tar: %s", path,
			    archive_error_string(t->a));
	return n < 0 ? snap_errf(t->err, -errno, "reading '%s': %s", path,
	    strerror(errno)) : 0;
}

int
tarw_add(struct tarw *t, int dir, const char *name, const char *path,
    const struct stat *st)
{
	struct archive_entry *e;
	const char *first;
	char target[PATH_MAX], p[PATH_MAX];
	int fd = -1, r = 0;
	ssize_t n;

	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode) && !S_ISLNK(st->st_mode) &&
	    !S_ISFIFO(st->st_mode))
		return 0;	/* devices and sockets: not in images made here */
	snprintf(p, sizeof(p), "%s%s", path, S_ISDIR(st->st_mode) && *path ? "/" : "");
	e = entry_for(t, *p ? p : "./", st);
	if (S_ISREG(st->st_mode) && (r = link_seen(t, st, path, &first)) == 0 && first) {
		archive_entry_set_hardlink(e, first);
		archive_entry_set_size(e, 0);
		goto header;
	}
	if (S_ISLNK(st->st_mode)) {
		n = readlinkat(dir, name, target, sizeof(target) - 1);
		if (n < 0) {
			r = snap_errf(t->err, -errno, "reading the link '%s': %s", path,
			    strerror(errno));
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	} else if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)) {
		fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = snap_errf(t->err, -errno, "opening '%s': %s", path, strerror(errno));
			goto out;
		}
		add_xattrs(e, fd);
		if (S_ISREG(st->st_mode))
			archive_entry_set_size(e, st->st_size);
	}
header:
	if (r == 0 && archive_write_header(t->a, e) != ARCHIVE_OK)
		r = snap_errf(t->err, -EIO, "'%s' into the tar: %s", path,
		    archive_error_string(t->a));
	if (r == 0 && fd >= 0 && S_ISREG(st->st_mode))
		r = write_body(t, fd, path);
	t->entries++;
out:
	if (fd >= 0)
		close(fd);
	archive_entry_free(e);
	return r;
}

int
tarw_whiteout(struct tarw *t, const char *path, const struct stat *parent)
{
	struct stat st = { .st_mode = S_IFREG, .st_nlink = 1 };
	struct archive_entry *e;
	int r = 0;

	if (parent)
		st.st_mtim = parent->st_mtim;
	e = entry_for(t, path, &st);
	archive_entry_set_size(e, 0);
	if (archive_write_header(t->a, e) != ARCHIVE_OK)
		r = snap_errf(t->err, -EIO, "'%s' into the tar: %s", path,
		    archive_error_string(t->a));
	archive_entry_free(e);
	t->entries++;
	return r;
}

int
tarw_close(struct tarw *t, char digest[80])
{
	unsigned char md[32];
	unsigned int n;
	int r = 0;

	if (t->a && archive_write_close(t->a) != ARCHIVE_OK)
		r = snap_errf(t->err, -EIO, "ending the tar: %s", archive_error_string(t->a));
	if (r == 0 && t->buf && flush(t) < 0)
		r = snap_errf(t->err, -errno, "writing the tar: %s", strerror(errno));
	free(t->buf);
	if (t->md) {
		EVP_DigestFinal_ex(t->md, md, &n);
		util_sha256_str(md, digest);
		EVP_MD_CTX_free(t->md);
	}
	if (t->a)
		archive_write_free(t->a);
	for (size_t i = 0; i < t->nlinks; i++)
		free(t->links[i].path);
	free(t->links);
	memset(t, 0, sizeof(*t));
	return r;
}

int
tar_compress(int in, int out, const char *compression, int level, struct snap_err *err)
{
	char lv[16];
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	static char buf[256 * 1024];
	ssize_t n;
	int r = 0;

	archive_write_set_format_raw(a);
	if (strcmp(compression, "gzip") == 0) {
		archive_write_add_filter_gzip(a);
		/* no time in the gzip header: the same tar, the same blob */
		archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
	} else
		archive_write_add_filter_zstd(a);
	snprintf(lv, sizeof(lv), "%d", level);
	if (level >= 0 && archive_write_set_filter_option(a, NULL, "compression-level", lv) !=
	    ARCHIVE_OK)
		r = snap_errf(err, -EINVAL, "compression level %d: %s", level,
		    archive_error_string(a));
	archive_write_set_bytes_in_last_block(a, 1);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_pathname(e, "layer.tar");
	if (r == 0 && (archive_write_open_fd(a, out) != ARCHIVE_OK ||
	    archive_write_header(a, e) != ARCHIVE_OK))
		r = snap_errf(err, -EIO, "compressing: %s", archive_error_string(a));
	while (r == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (archive_write_data(a, buf, (size_t)n) != n)
			r = snap_errf(err, -EIO, "compressing: %s", archive_error_string(a));
	if (r == 0 && n < 0)
		r = snap_errf(err, -errno, "compressing: %s", strerror(errno));
	if (archive_write_close(a) != ARCHIVE_OK && r == 0)
		r = snap_errf(err, -EIO, "compressing: %s", archive_error_string(a));
	archive_write_free(a);
	archive_entry_free(e);
	return r;
}
