/* checksum_cache.c: files' content digests, remembered per inode state, and read when not. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include "checksum.h"
#include "util.h"

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
		if ((n = util_calloc_written(ncap, sizeof(*n))) == NULL)
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

static void
key_of(const struct stat *st, struct ck_key *k)
{
	*k = (struct ck_key){ st->st_dev, st->st_ino, st->st_size, st->st_mtim, st->st_ctim };
}

int
checksum_cached(const struct stat *st, unsigned char md[32])
{
	struct ck_key k;
	struct ck_slot *s;

	key_of(st, &k);
	if ((s = lookup(&k)) == NULL || !s->used)
		return 0;
	memcpy(md, s->md, 32);
	hits++;
	return 1;
}

void
checksum_remember(const struct stat *st, const unsigned char md[32])
{
	struct ck_key k;

	key_of(st, &k);
	misses++;
	remember(&k, md);
}

int
checksum_fd(int fd, const struct stat *st, unsigned char *buf, size_t bufsz,
    unsigned char md[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n;
	off_t total = 0;
	ssize_t got;
	int r = 0;

	if (ctx == NULL)
		return -ENOMEM;
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((got = read(fd, buf, bufsz)) > 0) {
		EVP_DigestUpdate(ctx, buf, (size_t)got);
		total += got;
		/* a regular file's short read is its end: the read of 0 bytes
		 * that would say so is a tenth of a small file's cost. Not
		 * before st_size bytes, nor for a file of "size 0" (a /proc
		 * file's), where a short read can be one of many. */
		if ((size_t)got < bufsz && st->st_size > 0 && total >= st->st_size)
			break;
	}
	if (got < 0)
		r = -errno;
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	return r;
}

int
checksum_file_digest(int dir, const char *name, const struct stat *st, unsigned char md[32])
{
	static unsigned char buf[CK_READ_BUF];
	int fd, r;

	if (checksum_cached(st, md))
		return 0;
	/* name "": dir is the (followed) file itself */
	fd = *name ? openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) :
	    fcntl(dir, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = checksum_fd(fd, st, buf, sizeof(buf), md);
	close(fd);
	if (r == 0)
		checksum_remember(st, md);
	return r;
}

int
checksum_content(int dir, const char *name, const struct stat *st, unsigned char md[32])
{
	return checksum_file_digest(dir, name, st, md);
}
