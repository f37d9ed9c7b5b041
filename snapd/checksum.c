/* checksum.c: SNAP_CHECKSUM: sha256 over the names, types, modes, link targets and contents a COPY would read, walked in order (contents: checksum_cache.c, checksum_pool.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include "checksum.h"
#include "ipc_msg.h"
#include "util.h"

#define CK_DENTS	(32 * 1024)	/* getdents64 buffer, grown for big dirs */

struct ck {
	EVP_MD_CTX		*ctx;
	struct ckp		*pool;	/* the records, in order, into ctx */
	const struct patterns	*ex;
	struct snap_err		*err;
	struct ckw_tree		*w;	/* the watch set being made, or NULL */
	char			 path[PATH_MAX];	/* of the entry at hand */
};

/* One directory's names, sorted: pointers into the getdents64 buffer. */
struct ck_dir {
	char	*buf, **v;
	size_t	 n;
};

/* One record: "TYPE MODE PATH\0" then the link target or content digest,
 * and "\n"; formatted by hand, as snprintf was a tenth of a cached walk.
 * A regular file's content: read from fd when one is given (the pool's
 * from here on, unless cached), else from name in dir. */
static int
record(struct ck *c, int dir, const char *name, const struct stat *st, int fd)
{
	char rec[PATH_MAX + PATH_MAX + 48], *o = rec, type;
	size_t plen = strlen(c->path);
	unsigned int mode = (unsigned)(st->st_mode & 07777);
	ssize_t len;
	int r;

	type = S_ISDIR(st->st_mode) ? 'd' : S_ISREG(st->st_mode) ? 'f' :
	    S_ISLNK(st->st_mode) ? 'l' : S_ISFIFO(st->st_mode) ? 'p' : 0;
	if (type != 'f' && fd >= 0)
		close(fd);
	if (!type)
		return 0;	/* not copied, not counted */
	*o++ = type;
	*o++ = ' ';
	for (int i = 9; i >= 0; i -= 3)
		*o++ = (char)('0' + ((mode >> i) & 7));
	*o++ = ' ';
	memcpy(o, c->path, plen + 1);
	o += plen + 1;
	if (type == 'l') {
		len = readlinkat(dir, name, o, PATH_MAX);
		if (len < 0)
			return snap_errf(c->err, -errno, "source '%s': %s", c->path,
			    strerror(errno));
		o += len;
	} else if (type == 'f' && fd >= 0) {
		if (!checksum_cached(st, (unsigned char *)o))
			return ckp_record_fd(c->pool, rec, (size_t)(o - rec), fd, st);
		close(fd);
		o += 32;
	} else if (type == 'f') {
		if ((r = checksum_file_digest(dir, name, st, (unsigned char *)o)) < 0)
			return snap_errf(c->err, r, "source '%s': %s", c->path, strerror(-r));
		o += 32;
	}
	*o++ = '\n';
	return ckp_record(c->pool, rec, (size_t)(o - rec)) < 0 ?
	    snap_errf(c->err, -ENOMEM, "checksum: %s", strerror(ENOMEM)) : 0;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir (not . and ..), sorted: one buffer, no copy per name. */
static int
list_dir(int dir, struct ck_dir *d)
{
	size_t size = CK_DENTS, off = 0, ncap = 0;
	ssize_t got;
	char **v;

	memset(d, 0, sizeof(*d));
	if ((d->buf = malloc(size)) == NULL)
		return -ENOMEM;
	for (;;) {
		if (size - off < 1024) {
			char *nb = realloc(d->buf, size *= 2);

			if (nb == NULL)
				return -ENOMEM;
			d->buf = nb;
		}
		if ((got = getdents64(dir, d->buf + off, size - off)) < 0)
			return -errno;
		if (got == 0)
			break;
		off += (size_t)got;
	}
	for (size_t o = 0; o < off; ) {
		struct dirent64 *e = (struct dirent64 *)(d->buf + o);

		o += e->d_reclen;
		if (e->d_name[0] == '.' && (!e->d_name[1] ||
		    (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (d->n == ncap) {
			if ((v = realloc(d->v, (ncap = ncap ? ncap * 2 : 64) * sizeof(*v))) == NULL)
				return -ENOMEM;
			d->v = v;
		}
		d->v[d->n++] = e->d_name;
	}
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), cmp_name);
	return 0;
}

static void
free_dir(struct ck_dir *d)
{
	free(d->buf);
	free(d->v);
}

static int walk(struct ck *c, int dir);
static int entry_of_type(struct ck *c, int dir, const char *name, struct stat *st,
    int excluded);

/* Each entry is watched before it is read: a change from then on is an
 * event. A directory, or a file whose content is to be read, is opened
 * once, for its watch and its reading both. */
static int
entry_dir(struct ck *c, int dir, const char *name, struct stat *st, int excluded)
{
	int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r = 0;

	if (fd < 0)
		return snap_errf(c->err, -errno, "source '%s': %s", c->path, strerror(errno));
	ckw_watch_fd(c->w, fd, st);
	if (!excluded)
		r = record(c, fd, ".", st, -1);
	if (r == 0)
		r = walk(c, fd);
	close(fd);
	return r;
}

static int
entry_file(struct ck *c, int dir, const char *name, struct stat *st)
{
	unsigned char md[32];
	int fd;

	/* watched since before this lstat (or no watch wanted), and cached:
	 * no open at all */
	if (!ckw_wants_fd(c->w, st)) {
		ckw_watch(c->w, dir, name, st);
		if (checksum_cached(st, md))
			return record(c, dir, name, st, -1);
	}
	if ((fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return snap_errf(c->err, -errno, "source '%s': %s", c->path, strerror(errno));
	ckw_watch_fd(c->w, fd, st);
	if (!S_ISREG(st->st_mode)) {
		/* replaced since the lstat (its directory's watch saw it):
		 * taken as what it is now */
		close(fd);
		return entry_of_type(c, dir, name, st, 0);
	}
	return record(c, dir, name, st, fd);
}

/* name in dir by its type in *st */
static int
entry_of_type(struct ck *c, int dir, const char *name, struct stat *st, int excluded)
{
	if (S_ISDIR(st->st_mode))
		return entry_dir(c, dir, name, st, excluded);
	if (S_ISREG(st->st_mode) && !excluded)
		return entry_file(c, dir, name, st);
	ckw_watch(c->w, dir, name, st);
	return excluded ? 0 : record(c, dir, name, st, -1);
}

static int
entry(struct ck *c, int dir, const char *name, int excluded)
{
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return snap_errf(c->err, -errno, "source '%s': %s", c->path, strerror(errno));
	return entry_of_type(c, dir, name, &st, excluded);
}

/* c->path is dir's path; each entry's is made in place, then cut back. */
static int
walk(struct ck *c, int dir)
{
	size_t plen = strlen(c->path);
	struct ck_dir d;
	int r = list_dir(dir, &d), excluded;

	if (r < 0) {
		free_dir(&d);
		return snap_errf(c->err, r, "source '%s': %s", c->path, strerror(-r));
	}
	for (size_t i = 0; r == 0 && i < d.n; i++) {
		size_t nlen = strlen(d.v[i]);

		if (plen + nlen + 2 > sizeof(c->path)) {
			r = snap_errf(c->err, -ENAMETOOLONG, "source '%s/%s': name too long",
			    c->path, d.v[i]);
			break;
		}
		c->path[plen] = '/';
		memcpy(c->path + (plen ? plen + 1 : 0), d.v[i], nlen + 1);
		excluded = c->ex && patterns_excluded(c->ex, c->path);
		/* nor watched: what it holds is not read */
		if (!excluded || c->ex->has_negate)
			r = entry(c, dir, d.v[i], excluded);
		c->path[plen] = '\0';
	}
	c->path[plen] = '\0';
	free_dir(&d);
	return r;
}

static int
one_source(struct ck *c, int root, const char *src, int follow)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(src, '/'), *name = slash ? slash + 1 : src;
	struct stat st;
	int fd, pfd, r;

	snprintf(c->path, sizeof(c->path), "%s", src);
	ckw_watch_path(c->w, root, src);
	fd = src_open(root, src, follow, O_PATH);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		return snap_errf(c->err, r, "source '%s': %s", src, strerror(-r));
	}
	close(fd);
	if (S_ISDIR(st.st_mode)) {
		fd = src_open(root, src, follow, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return snap_errf(c->err, fd, "source '%s': %s", src, strerror(-fd));
		r = record(c, fd, ".", &st, -1);
		if (r == 0)
			r = walk(c, fd);
		close(fd);
		return r;
	}
	/* a file: by its own name, in its parent (followed or not) */
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - src) : 0, src);
	if (follow && S_ISREG(st.st_mode)) {
		fd = src_open(root, src, 1, O_RDONLY);
		if (fd < 0)
			return snap_errf(c->err, fd, "source '%s': %s", src, strerror(-fd));
		r = record(c, fd, "", &st, -1);
		close(fd);
		return r;
	}
	pfd = src_open(root, parent, 1, O_PATH | O_DIRECTORY);
	if (pfd < 0)
		return snap_errf(c->err, pfd, "source '%s': %s", src, strerror(-pfd));
	r = record(c, pfd, name, &st, -1);
	close(pfd);
	return r;
}

int
snap_checksum(int root, char *const *srcs, size_t nsrcs, const struct patterns *ex,
    uint32_t flags, char out[80], struct snap_err *err)
{
	struct ck *c = calloc(1, sizeof(*c));
	struct src_list l = { 0 };
	unsigned char md[32];
	unsigned int n;
	int r;

	if (c == NULL || (c->ctx = EVP_MD_CTX_new()) == NULL ||
	    (c->pool = ckp_new(c->ctx, err)) == NULL) {
		if (c)
			EVP_MD_CTX_free(c->ctx);
		free(c);
		return snap_errf(err, -ENOMEM, "checksum: %s", strerror(ENOMEM));
	}
	c->ex = ex;
	c->err = err;
	/* unchanged since the last walk (no inotify event): that walk's sum */
	if (ckw_begin(root, srcs, nsrcs, ex, flags, out, &c->w) == 1) {
		r = 0;
		goto out;
	}
	EVP_DigestInit_ex(c->ctx, EVP_sha256(), NULL);
	r = src_expand(root, srcs, nsrcs, ex, &l, err);
	for (size_t i = 0; r == 0 && i < l.n; i++)
		r = one_source(c, root, l.v[i], (flags & SNAP_COPY_FOLLOW) != 0);
	if (r == 0)
		r = ckp_end(c->pool);
	EVP_DigestFinal_ex(c->ctx, md, &n);
	if (r == 0) {
		util_sha256_str(md, out);
	}
	ckw_end(c->w, r == 0 ? out : NULL);
	src_list_free(&l);
out:
	ckp_free(c->pool);
	EVP_MD_CTX_free(c->ctx);
	free(c);
	return r;
}
