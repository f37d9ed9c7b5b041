/* checksum_watch.c: inotify watches on everything a checksum read, so that the checksum of an unchanged context is answered without a walk. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <openssl/evp.h>
#include "copy.h"
#include "log.h"
#include "util.h"

/*
 * A tree is one remembered answer: a request (sources, excludes, flags) on
 * a root directory, its sum, and the watches on every directory and file
 * its walk read, each added before the walk read it. An event on any of
 * them (or a lost event: IN_Q_OVERFLOW) drops the tree; with none since
 * the walk, the sum stands. inotify reports changes made through this
 * kernel's system calls only: see kiln-snapd(8) for what it cannot see.
 */
#define CKW_TREES	64	/* a bit each in a watch's mask */
#define CKW_REFUSED	16
#define CKW_EVENTS	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | \
			 IN_DELETE_SELF | IN_MOVE_SELF | IN_MOVED_FROM | IN_MOVED_TO)

enum ckw_state { CKW_FREE, CKW_RECORDING, CKW_VALID, CKW_DEAD };

struct ckw_tree {
	enum ckw_state	 state;
	int		 too_big;	/* dead for lack of watches */
	dev_t		 dev;
	ino_t		 ino;
	uint64_t	 mnt;
	unsigned char	 req[32];
	char		 sum[80];
	int		*wds;
	size_t		 nwd, cap;
	uint64_t	 used_at;
};

/* A table slot: key (a, b); watches are found by inode (dev, ino: a, b)
 * and by wd (wd, 0), each table holding the other key in v. */
struct ckw_slot {
	uint64_t	a, b, v1, v2;
	int		used;
};
struct ckw_table {
	struct ckw_slot	*s;
	size_t		 cap, n;
};

static struct ckw_tree trees[CKW_TREES];
static struct ckw_table by_ino, by_wd;	/* by_ino: v1 wd, v2 trees' mask */
static size_t budget;
static int ifd = -1, off;
static uint64_t clock_now, nhits, nwalks;
static struct { dev_t dev; ino_t ino; } refused[CKW_REFUSED];
static unsigned nrefused;

void
ckw_stats(uint64_t *hits, uint64_t *watched, uint64_t *watches)
{
	*hits = nhits;
	*watched = nwalks;
	*watches = by_ino.n;
}

void
ckw_disable(int yes)
{
	off = yes;
}

static size_t
home(const struct ckw_table *t, uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ b;

	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	return (size_t)(h ^ (h >> 31)) & (t->cap - 1);
}

static struct ckw_slot *
find(const struct ckw_table *t, uint64_t a, uint64_t b)
{
	if (t->cap == 0)
		return NULL;
	for (size_t i = home(t, a, b); t->s[i].used; i = (i + 1) & (t->cap - 1))
		if (t->s[i].a == a && t->s[i].b == b)
			return &t->s[i];
	return NULL;
}

static struct ckw_slot *
insert(struct ckw_table *t, uint64_t a, uint64_t b)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap) {
		size_t ocap = t->cap;
		struct ckw_slot *old = t->s, *n = util_calloc_written(ocap ? ocap * 2 : 1024, sizeof(*n));

		if (n == NULL)
			return NULL;
		t->s = n;
		t->cap = ocap ? ocap * 2 : 1024;
		for (size_t j = 0; j < ocap; j++)
			if (old[j].used) {
				for (i = home(t, old[j].a, old[j].b); t->s[i].used;
				    i = (i + 1) & (t->cap - 1))
					;
				t->s[i] = old[j];
			}
		free(old);
	}
	for (i = home(t, a, b); t->s[i].used; i = (i + 1) & (t->cap - 1))
		;
	t->s[i] = (struct ckw_slot){ a, b, 0, 0, 1 };
	t->n++;
	return &t->s[i];
}

/* Linear probing's delete: the entries after it move back towards home. */
static void
erase(struct ckw_table *t, struct ckw_slot *s)
{
	size_t i = (size_t)(s - t->s), j = i;

	t->s[i].used = 0;
	t->n--;
	for (;;) {
		size_t h;

		j = (j + 1) & (t->cap - 1);
		if (!t->s[j].used)
			return;
		h = home(t, t->s[j].a, t->s[j].b);
		/* stays if its home lies cyclically in (i, j] */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		t->s[i] = t->s[j];
		t->s[j].used = 0;
		i = j;
	}
}

/* The watch wd is gone (removed, or the kernel's IN_IGNORED). */
static void
watch_forget(int wd)
{
	struct ckw_slot *w = find(&by_wd, (uint64_t)wd, 0), *i;

	if (w == NULL)
		return;
	if ((i = find(&by_ino, w->v1, w->v2)) != NULL)
		erase(&by_ino, i);
	erase(&by_wd, find(&by_wd, (uint64_t)wd, 0));
}

/* The inode's watch slot (by_ino), or NULL. */
static struct ckw_slot *
watch_of_wd(int wd)
{
	struct ckw_slot *w = find(&by_wd, (uint64_t)wd, 0);

	return w ? find(&by_ino, w->v1, w->v2) : NULL;
}

/* Forgets tree i. Its watches stay (no tree's, until the budget wants
 * them): the next walk of that context finds them by inode and adds none. */
static void
tree_drop(size_t i)
{
	struct ckw_tree *t = &trees[i];
	uint64_t bit = 1ULL << i;

	for (size_t k = 0; k < t->nwd; k++) {
		struct ckw_slot *s = watch_of_wd(t->wds[k]);

		if (s != NULL)
			s->v2 &= ~bit;
	}
	free(t->wds);
	memset(t, 0, sizeof(*t));
}

/* Removes the watches no tree holds, to make room. */
static void
orphans_remove(void)
{
	for (size_t i = 0; i < by_ino.cap; ) {
		struct ckw_slot *s = &by_ino.s[i];
		int wd = (int)s->v1;

		if (!s->used || s->v2) {
			i++;
			continue;
		}
		inotify_rm_watch(ifd, wd);
		if (find(&by_wd, (uint64_t)wd, 0) != NULL)
			watch_forget(wd);	/* moves a later entry into i: look again */
		else
			erase(&by_ino, s);
	}
}

static void
dead(struct ckw_tree *t, int too_big)
{
	t->state = CKW_DEAD;
	t->too_big |= too_big;
}

static void
invalidate(uint64_t mask)
{
	for (size_t i = 0; i < CKW_TREES; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		if (trees[i].state == CKW_RECORDING)
			trees[i].state = CKW_DEAD;	/* ckw_end drops it */
		else if (trees[i].state == CKW_VALID)
			tree_drop(i);
	}
}

/* Every event queued so far: the kernel queues one before the system
 * call that caused it returns, so what happened before a request is seen. */
static void
drain(void)
{
	char buf[16 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	for (;;) {
		n = read(ifd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			invalidate(~0ULL);	/* unsure: no tree stands */
			return;
		}
		if (n <= 0)
			return;
		for (char *p = buf; p < buf + n; ) {
			const struct inotify_event *e = (const struct inotify_event *)p;
			struct ckw_slot *s;

			p += sizeof(*e) + e->len;
			if (e->mask & IN_Q_OVERFLOW)
				invalidate(~0ULL);
			else if ((s = watch_of_wd(e->wd)) != NULL)
				invalidate(s->v2);
			if (e->mask & IN_IGNORED)
				watch_forget(e->wd);
		}
	}
}

/* A quarter of the user's watches at most: editors and others need theirs. */
static void
set_budget(void)
{
	char v[32];

	budget = 8192;
	if (util_read_small_file("/proc/sys/fs/inotify/max_user_watches", v, sizeof(v)) > 0)
		budget = strtoull(v, NULL, 10);
	budget /= 4;
	if (budget > 262144)
		budget = 262144;
}

static int
start(void)
{
	if (ifd >= 0)
		return 0;
	if ((ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		log_warn("checksums walk every time: inotify_init1: %s", strerror(errno));
		off = 1;
		return -errno;
	}
	set_budget();
	return 0;
}

/* Local filesystems only: on NFS, SMB, FUSE and others, changes made
 * elsewhere raise no event here; overlayfs hides its layers' changes. */
static int
fs_local(int root)
{
	struct statfs f;

	if (fstatfs(root, &f) < 0)
		return 0;
	switch ((unsigned long)f.f_type) {
	case EXT4_SUPER_MAGIC: case XFS_SUPER_MAGIC: case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC: case F2FS_SUPER_MAGIC:
		return 1;
	}
	return 0;
}

static void
request_digest(char *const *srcs, size_t nsrcs, const struct patterns *ex, uint32_t flags,
    unsigned char md[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n;

	if (c == NULL) {
		memset(md, 0, 32);	/* matches nothing: see ckw_begin */
		return;
	}
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, &flags, sizeof(flags));
	for (size_t i = 0; i < nsrcs; i++)
		EVP_DigestUpdate(c, srcs[i], strlen(srcs[i]) + 1);
	EVP_DigestUpdate(c, "\n", 1);
	for (size_t i = 0; ex && i < ex->n; i++) {
		EVP_DigestUpdate(c, ex->v[i].negate ? "!" : "=", 1);
		EVP_DigestUpdate(c, ex->v[i].pat, strlen(ex->v[i].pat) + 1);
	}
	EVP_DigestFinal_ex(c, md, &n);
	EVP_MD_CTX_free(c);
}

static int
is_refused(dev_t dev, ino_t ino)
{
	for (unsigned i = 0; i < CKW_REFUSED; i++)
		if (refused[i].dev == dev && refused[i].ino == ino && ino)
			return 1;
	return 0;
}

/* A free slot, or the least recently used answer's. */
static struct ckw_tree *
tree_slot(void)
{
	size_t best = CKW_TREES;

	for (size_t i = 0; i < CKW_TREES; i++) {
		if (trees[i].state == CKW_FREE)
			return &trees[i];
		if (trees[i].state == CKW_VALID &&
		    (best == CKW_TREES || trees[i].used_at < trees[best].used_at))
			best = i;
	}
	if (best == CKW_TREES)
		return NULL;
	tree_drop(best);
	return &trees[best];
}

int
ckw_begin(int root, char *const *srcs, size_t nsrcs, const struct patterns *ex,
    uint32_t flags, char out[80], struct ckw_tree **tp)
{
	struct statx sx;
	struct stat st;
	unsigned char req[32];
	struct ckw_tree *t;

	*tp = NULL;
	if (off || start() < 0)
		return 0;
	/* a wildcard's expansion reads directories the walk does not */
	for (size_t i = 0; i < nsrcs; i++)
		if (pattern_has_magic(srcs[i]))
			return 0;
	drain();
	if (statx(root, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID))
		return 0;
	request_digest(srcs, nsrcs, ex, flags, req);
	for (size_t i = 0; i < CKW_TREES; i++) {
		t = &trees[i];
		if (t->state == CKW_VALID && t->ino == sx.stx_ino && t->mnt == sx.stx_mnt_id &&
		    t->dev == makedev(sx.stx_dev_major, sx.stx_dev_minor) &&
		    !memcmp(t->req, req, sizeof(req))) {
			memcpy(out, t->sum, sizeof(t->sum));
			t->used_at = ++clock_now;
			nhits++;
			log_debug("checksum %s: no change since its walk", t->sum);
			return 1;
		}
	}
	if (is_refused(makedev(sx.stx_dev_major, sx.stx_dev_minor), sx.stx_ino) ||
	    !fs_local(root) || (t = tree_slot()) == NULL)
		return 0;
	t->state = CKW_RECORDING;
	t->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	t->ino = sx.stx_ino;
	t->mnt = sx.stx_mnt_id;
	memcpy(t->req, req, sizeof(req));
	*tp = t;
	if (fstat(root, &st) < 0)
		dead(t, 0);
	else
		ckw_watch(t, root, "", &st);
	return 0;
}

static int
hold(struct ckw_tree *t, struct ckw_slot *s)
{
	uint64_t bit = 1ULL << (t - trees);

	if (s->v2 & bit)
		return 0;	/* a hard link seen twice */
	if (t->nwd == t->cap) {
		int *v = realloc(t->wds, (t->cap ? t->cap * 2 : 256) * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		t->wds = v;
		t->cap = t->cap ? t->cap * 2 : 256;
	}
	s->v2 |= bit;
	t->wds[t->nwd++] = (int)s->v1;
	return 0;
}

/* A new watch on the inode fd holds (the fd pins which one), and *st
 * refreshed from after it. */
static int
watch_add(int fd, struct stat *st)
{
	char path[64];
	struct ckw_slot *i, *w;
	int wd;

	if (by_ino.n >= budget)
		orphans_remove();
	if (by_ino.n >= budget)
		return -ENOSPC;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((wd = inotify_add_watch(ifd, path, CKW_EVENTS)) < 0)
		return -errno;
	if (fstat(fd, st) < 0)
		return -errno;	/* the watch stays; a later walk finds it */
	if (find(&by_wd, (uint64_t)wd, 0) != NULL)
		return 0;	/* known already, under this very inode */
	if ((i = insert(&by_ino, (uint64_t)st->st_dev, (uint64_t)st->st_ino)) == NULL)
		return -ENOMEM;
	if ((w = insert(&by_wd, (uint64_t)wd, 0)) == NULL) {
		erase(&by_ino, i);
		return -ENOMEM;
	}
	i->v1 = (uint64_t)wd;
	w->v1 = (uint64_t)st->st_dev;
	w->v2 = (uint64_t)st->st_ino;
	return 0;
}

/* The inode's watch, added through fd (an fd of it, O_PATH or not) or,
 * when fd < 0, through an O_PATH open of name in dir ("": dir itself). */
static void
watch_hold(struct ckw_tree *t, int dir, const char *name, int fd, struct stat *st)
{
	struct ckw_slot *s;
	int own = -1, r;

	if (t == NULL || t->state != CKW_RECORDING)
		return;
	if (st->st_dev != t->dev) {
		dead(t, 0);	/* a mount inside: its changes, its own story */
		return;
	}
	/* a symlink cannot change but by a new one: its directory's event */
	if (S_ISLNK(st->st_mode))
		return;
	/* watched since before this lstat: it stands as it is */
	if ((s = find(&by_ino, (uint64_t)st->st_dev, (uint64_t)st->st_ino)) == NULL) {
		if (fd < 0 && *name)
			fd = own = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		else if (fd < 0)
			fd = dir;
		r = fd < 0 ? -errno : watch_add(fd, st);
		if (own >= 0)
			close(own);
		if (r == -ENOSPC || r == -ENOMEM)
			log_debug("checksum: no watch for %s (%s): the next one walks too",
			    *name ? name : "an entry", strerror(-r));
		if (r < 0 || st->st_dev != t->dev || (s = find(&by_ino,
		    (uint64_t)st->st_dev, (uint64_t)st->st_ino)) == NULL) {
			dead(t, r == -ENOSPC);
			return;
		}
	}
	if (hold(t, s) < 0)
		dead(t, 0);
}

void
ckw_watch(struct ckw_tree *t, int dir, const char *name, struct stat *st)
{
	watch_hold(t, dir, name, -1, st);
}

void
ckw_watch_fd(struct ckw_tree *t, int fd, struct stat *st)
{
	watch_hold(t, -1, "", fd, st);
}

int
ckw_wants_fd(const struct ckw_tree *t, const struct stat *st)
{
	return t != NULL && t->state == CKW_RECORDING && st->st_dev == t->dev &&
	    !S_ISLNK(st->st_mode) &&
	    find(&by_ino, (uint64_t)st->st_dev, (uint64_t)st->st_ino) == NULL;
}

void
ckw_watch_path(struct ckw_tree *t, int root, const char *rel)
{
	char buf[PATH_MAX];
	struct stat st;

	if (t == NULL || !*rel)
		return;	/* the root's watch is ckw_begin's */
	/* each component lstat'ed and watched: a symlink among them (which
	 * openat2 follows inside the root), and the answer is not kept */
	for (const char *p = rel; t->state == CKW_RECORDING; p++) {
		if (*p != '/' && *p)
			continue;
		if ((size_t)(p - rel) >= sizeof(buf))
			break;
		snprintf(buf, sizeof(buf), "%.*s", (int)(p - rel), rel);
		if (fstatat(root, buf, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISLNK(st.st_mode))
			break;
		ckw_watch(t, root, buf, &st);
		if (!*p)
			return;
	}
	dead(t, 0);
}

void
ckw_end(struct ckw_tree *t, const char *sum)
{
	size_t i;

	if (t == NULL)
		return;
	i = (size_t)(t - trees);
	drain();	/* what changed during the walk */
	if (t->state == CKW_RECORDING && sum != NULL) {
		t->state = CKW_VALID;
		snprintf(t->sum, sizeof(t->sum), "%s", sum);
		t->used_at = ++clock_now;
		nwalks++;
		log_debug("checksum %s: %zu watches keep it", sum, t->nwd);
		return;
	}
	if (t->too_big && nrefused < UINT_MAX) {
		refused[nrefused % CKW_REFUSED].dev = t->dev;
		refused[nrefused % CKW_REFUSED].ino = t->ino;
		nrefused++;
	}
	tree_drop(i);
}
