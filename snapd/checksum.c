/* checksum.c: SNAP_CHECKSUM: sha256 over the names, types, modes, link targets and contents a COPY would read, contents remembered per inode state. */
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
};

void
checksum_stats(uint64_t *h, uint64_t *m)
{
	*h = hits;
	*m = misses;
}

static size_t
key_hash(const struct ck_key *k)
{
	uint64_t h = (uint64_t)k->ino * 0x9e3779b97f4a7c15ULL;

	h ^= (uint64_t)k->dev + (uint64_t)k->size * 31 + (uint64_t)k->mtime.tv_nsec;
	return (size_t)(h ^ (h >> 29));
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

static int
content_digest(int dir, const char *name, const struct stat *st, unsigned char md[32])
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
	ctx = EVP_MD_CTX_new();
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

/* One record: "TYPE MODE NAME\0" then the link target or content digest. */
static int
record(struct ck *c, int dir, const char *name, const char *path, const struct stat *st)
{
	char head[PATH_MAX + 32], target[PATH_MAX], type;
	unsigned char md[32];
	int n, r;
	ssize_t len;

	type = S_ISDIR(st->st_mode) ? 'd' : S_ISREG(st->st_mode) ? 'f' :
	    S_ISLNK(st->st_mode) ? 'l' : S_ISFIFO(st->st_mode) ? 'p' : 0;
	if (!type)
		return 0;	/* not copied, not counted */
	n = snprintf(head, sizeof(head), "%c %04o %s", type,
	    (unsigned)(st->st_mode & 07777), path);
	EVP_DigestUpdate(c->ctx, head, (size_t)n + 1);
	if (type == 'l') {
		len = readlinkat(dir, name, target, sizeof(target));
		if (len < 0)
			return snap_errf(c->err, -errno, "source '%s': %s", path, strerror(errno));
		EVP_DigestUpdate(c->ctx, target, (size_t)len);
	} else if (type == 'f') {
		if ((r = content_digest(dir, name, st, md)) < 0)
			return snap_errf(c->err, r, "source '%s': %s", path, strerror(-r));
		EVP_DigestUpdate(c->ctx, md, sizeof(md));
	}
	EVP_DigestUpdate(c->ctx, "\n", 1);
	return 0;
}

static int
walk(struct ck *c, int dir, const char *path)
{
	char child[PATH_MAX], **names;
	struct stat st;
	size_t n;
	int r = fs_list_dir(dir, &names, &n), fd, excluded;

	if (r < 0)
		return snap_errf(c->err, r, "source '%s': %s", path, strerror(-r));
	for (size_t i = 0; r == 0 && i < n; i++) {
		snprintf(child, sizeof(child), "%s%s%s", path, *path ? "/" : "", names[i]);
		if (fstatat(dir, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = snap_errf(c->err, -errno, "source '%s': %s", child, strerror(errno));
			break;
		}
		excluded = c->ex && patterns_excluded(c->ex, child);
		if (excluded && !(S_ISDIR(st.st_mode) && c->ex->has_negate))
			continue;
		if (!excluded)
			r = record(c, dir, names[i], child, &st);
		if (r == 0 && S_ISDIR(st.st_mode)) {
			fd = openat(dir, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				r = snap_errf(c->err, -errno, "source '%s': %s", child,
				    strerror(errno));
			else {
				r = walk(c, fd, child);
				close(fd);
			}
		}
	}
	fs_free_names(names, n);
	return r;
}

static int
one_source(struct ck *c, int root, const char *src, int follow)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(src, '/'), *name = slash ? slash + 1 : src;
	struct stat st;
	int fd, pfd, r;

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
		r = record(c, fd, ".", src, &st);
		if (r == 0)
			r = walk(c, fd, src);
		close(fd);
		return r;
	}
	/* a file: by its own name, in its parent (followed or not) */
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - src) : 0, src);
	if (follow && S_ISREG(st.st_mode)) {
		fd = src_open(root, src, 1, O_RDONLY);
		if (fd < 0)
			return snap_errf(c->err, fd, "source '%s': %s", src, strerror(-fd));
		r = record(c, fd, "", src, &st);
		close(fd);
		return r;
	}
	pfd = src_open(root, parent, 1, O_PATH | O_DIRECTORY);
	if (pfd < 0)
		return snap_errf(c->err, pfd, "source '%s': %s", src, strerror(-pfd));
	r = record(c, pfd, name, src, &st);
	close(pfd);
	return r;
}

int
snap_checksum(int root, char *const *srcs, size_t nsrcs, const struct patterns *ex,
    uint32_t flags, char out[80], struct snap_err *err)
{
	struct ck c = { EVP_MD_CTX_new(), ex, err };
	struct src_list l;
	unsigned char md[32];
	unsigned int n;
	int r;

	if (c.ctx == NULL)
		return -ENOMEM;
	EVP_DigestInit_ex(c.ctx, EVP_sha256(), NULL);
	r = src_expand(root, srcs, nsrcs, ex, &l, err);
	for (size_t i = 0; r == 0 && i < l.n; i++)
		r = one_source(&c, root, l.v[i], (flags & SNAP_COPY_FOLLOW) != 0);
	EVP_DigestFinal_ex(c.ctx, md, &n);
	EVP_MD_CTX_free(c.ctx);
	if (r == 0) {
		memcpy(out, "sha256:", 7);
		for (int i = 0; i < 32; i++)
			snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	}
	src_list_free(&l);
	return r;
}
