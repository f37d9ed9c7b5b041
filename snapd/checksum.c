/* checksum.c: SNAP_CHECKSUM: sha256 over the names, types, modes, link targets and contents a COPY would read, contents remembered per inode state. */
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
#include "copy.h"
#include "ipc_msg.h"

#define CK_MAX_ENTRIES	(1 << 20)	/* then the cache starts again */
#define CK_DENTS	(32 * 1024)	/* getdents64 buffer, grown for big dirs */

/* What a file's content digest is remembered by: if any of these
 * changed, the file may have. */
struct ck_key {
	dev_t		dev;
	ino_t		ino;
	off_t		size;
	struct timespec	mtime, ctime;
};

struct ck_slot {
	struct ck_key	k;
	unsigned char	md[32];
	int		used;
};

static struct ck_slot *slots;
static size_t cap, used;
static uint64_t hits, misses;

struct ck {
	EVP_MD_CTX		*ctx;
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

void
checksum_stats(uint64_t *h, uint64_t *m)
{
	*h = hits;
	*m = misses;
}

/* splitmix64's finaliser: inode numbers come in runs */
static size_t
key_hash(const struct ck_key *k)
{
	uint64_t h = (uint64_t)k->ino ^ ((uint64_t)k->dev << 40) ^
	    ((uint64_t)k->mtime.tv_nsec << 20) ^ (uint64_t)k->size;

	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return (size_t)(h ^ (h >> 31));
}

static int
key_eq(const struct ck_key *a, const struct ck_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	    a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static struct ck_slot *
lookup(const struct ck_key *k)
{
	size_t i;

	if (cap == 0)
		return NULL;
	for (i = key_hash(k) & (cap - 1); slots[i].used; i = (i + 1) & (cap - 1))
		if (key_eq(&slots[i].k, k))
			return &slots[i];
	return &slots[i];
}

static void
remember(const struct ck_key *k, const unsigned char md[32])
{
	struct ck_slot *s;

	if ((used + 1) * 2 > cap) {
		size_t ncap = cap ? cap * 2 : 4096;
		struct ck_slot *old = slots, *n;
		size_t ocap = cap;

		if (ncap > 2 * CK_MAX_ENTRIES)
			ncap = 4096, ocap = 0;	/* too many: forget them all */
		if ((n = calloc(ncap, sizeof(*n))) == NULL)
			return;
		slots = n;
		cap = ncap;
		used = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].used) {
				*lookup(&old[i].k) = old[i];
				used++;
			}
		free(old);
	}
	s = lookup(k);
	if (!s->used)
		used++;
	s->k = *k;
	memcpy(s->md, md, 32);
	s->used = 1;
}

int
checksum_file_digest(int dir, const char *name, const struct stat *st, unsigned char md[32])
{
	struct ck_key k = { st->st_dev, st->st_ino, st->st_size, st->st_mtim, st->st_ctim };
	struct ck_slot *s = lookup(&k);
	static unsigned char buf[256 * 1024];
	EVP_MD_CTX *ctx;
	unsigned int n;
	ssize_t got;
	int fd, r = 0;

	if (s && s->used) {
		memcpy(md, s->md, 32);
		hits++;
		return 0;
	}
	misses++;
	/* name "": dir is the (followed) file itself */
	fd = *name ? openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) :
	    fcntl(dir, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)got);
	if (got < 0)
		r = -errno;
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	close(fd);
	if (r == 0)
		remember(&k, md);
	return r;
}

int
checksum_content(int dir, const char *name, const struct stat *st, unsigned char md[32])
{
	return checksum_file_digest(dir, name, st, md);
}

/* One record: "TYPE MODE PATH\0" then the link target or content digest,
 * and "\n"; formatted by hand, as snprintf was a tenth of a cached walk. */
static int
record(struct ck *c, int dir, const char *name, const struct stat *st)
{
	char rec[PATH_MAX + PATH_MAX + 48], *o = rec, type;
	size_t plen = strlen(c->path);
	unsigned int mode = (unsigned)(st->st_mode & 07777);
	ssize_t len;
	int r;

	type = S_ISDIR(st->st_mode) ? 'd' : S_ISREG(st->st_mode) ? 'f' :
	    S_ISLNK(st->st_mode) ? 'l' : S_ISFIFO(st->st_mode) ? 'p' : 0;
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
	} else if (type == 'f') {
		if ((r = checksum_file_digest(dir, name, st, (unsigned char *)o)) < 0)
			return snap_errf(c->err, r, "source '%s': %s", c->path, strerror(-r));
		o += 32;
	}
	*o++ = '\n';
	EVP_DigestUpdate(c->ctx, rec, (size_t)(o - rec));
	return 0;
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

/* c->path is dir's path; each entry's is made in place, then cut back. */
static int
walk(struct ck *c, int dir)
{
	size_t plen = strlen(c->path);
	struct ck_dir d;
	struct stat st;
	int r = list_dir(dir, &d), fd, excluded;

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
		if (excluded && !c->ex->has_negate)
			continue;	/* nor watched: what it holds is not read */
		if (fstatat(dir, d.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = snap_errf(c->err, -errno, "source '%s': %s", c->path, strerror(errno));
			break;
		}
		/* watched before it is read: a change from here on is an event */
		ckw_watch(c->w, dir, d.v[i], &st);
		if (excluded && !S_ISDIR(st.st_mode))
			continue;
		if (!excluded)
			r = record(c, dir, d.v[i], &st);
		if (r == 0 && S_ISDIR(st.st_mode)) {
			fd = openat(dir, d.v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				r = snap_errf(c->err, -errno, "source '%s': %s", c->path,
				    strerror(errno));
			else {
				r = walk(c, fd);
				close(fd);
			}
		}
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
		r = record(c, fd, ".", &st);
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
		r = record(c, fd, "", &st);
		close(fd);
		return r;
	}
	pfd = src_open(root, parent, 1, O_PATH | O_DIRECTORY);
	if (pfd < 0)
		return snap_errf(c->err, pfd, "source '%s': %s", src, strerror(-pfd));
	r = record(c, pfd, name, &st);
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

	if (c == NULL || (c->ctx = EVP_MD_CTX_new()) == NULL) {
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
	EVP_DigestFinal_ex(c->ctx, md, &n);
	if (r == 0) {
		memcpy(out, "sha256:", 7);
		for (int i = 0; i < 32; i++)
			snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	}
	ckw_end(c->w, r == 0 ? out : NULL);
	src_list_free(&l);
out:
	EVP_MD_CTX_free(c->ctx);
	free(c);
	return r;
}
