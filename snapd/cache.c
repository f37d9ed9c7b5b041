/* cache.c: the persistent directories of RUN --mount=type=cache: shared, private or locked holds, and their records. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include "files.h"
#include "log.h"
#include "meta.h"
#include "snapd.h"
#include "util.h"

#define CACHE_KEY_MAX	512
#define CACHE_SEED_MAX	1024	/* a seed directory's path */
#define CACHE_RECORD_MAX (CACHE_KEY_MAX + STORE_ID_MAX + CACHE_SEED_MAX + 16)
#define CACHE_PRIVATE_MAX 64	/* instances of one private cache at once */

enum cache_sharing { CACHE_SHARED = 1, CACHE_PRIVATE, CACHE_LOCKED };

/* A hold: who uses which record ("ID", or "ID#N" for the N-th instance of
 * a private cache). A locked one with peer set and granted 0 waits. */
struct cache_hold {
	char		 hold[16];
	char		 record[CACHE_RECORD_MAX];
	char		 seed[STORE_ID_MAX];		/* "": starts empty */
	char		 seed_dir[CACHE_SEED_MAX];	/* absolute, in seed */
	int		 granted;
	struct ipc_peer	*peer;
	uint32_t	 req;
	int64_t		 uid, gid, mode;
	cache_ready_fn	 cb;
};

static struct cache_hold *holds;
static size_t nholds;
static unsigned long next_hold = 1;

/* A record's directory: caches/<sha256 of its name>, since ids may hold
 * any character. */
static void
record_name(const char *record, char hex[2 * EVP_MAX_MD_SIZE + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(record, strlen(record), md, &n, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[2 * n] = '\0';
}

static void
record_dir(const char *record, char *out, size_t size)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	record_name(record, hex);
	snprintf(out, size, "%s/caches/%s", snap_state_dir(), hex);
}

static int
holders(const char *record, int granted_only)
{
	int n = 0;

	for (size_t i = 0; i < nholds; i++)
		if (strcmp(holds[i].record, record) == 0 && (!granted_only || holds[i].granted))
			n++;
	return n;
}

int
cache_in_use(const char *record)
{
	return holders(record, 0) > 0;
}

/* from=: copies seed_dir of the committed snapshot seed into the empty
 * directory dst, through a view; the directory's path is resolved inside
 * the snapshot, so a symlink in it cannot lead out. */
static int
seed_copy(const char *seed, const char *seed_dir, const char *dst)
{
	struct store_info view;
	char src[64];
	int root = -1, fd = -1, r;

	if ((r = store_view(seed, &view)) < 0)
		return r;
	root = open(view.path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		r = -errno;
	else if ((fd = fs_open_in_root(root, seed_dir + 1, O_PATH | O_DIRECTORY)) < 0)
		r = fd;
	else {
		snprintf(src, sizeof(src), "/proc/self/fd/%d/.", fd);
		r = tree_copy(src, dst);
	}
	if (r < 0)
		log_warn("cache seed %s:%s: %s", seed, seed_dir, strerror(-r));
	if (fd >= 0)
		close(fd);
	if (root >= 0)
		close(root);
	store_remove(view.id);
	return r;
}

/* Makes the directory on first use, seeded, owned and moded as asked:
 * made aside and renamed into place, so a kill leaves no half-seeded
 * cache (the aside one has no record: cache_sweep removes it). */
static int
ensure_dir(const struct cache_hold *h, char *path, size_t size)
{
	char tmp[PATH_MAX + 8];
	struct stat st;
	int r = 0;

	record_dir(h->record, path, size);
	if (stat(path, &st) == 0)
		return 0;
	if (errno != ENOENT)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((r = tree_remove(tmp)) < 0)
		return r;
	if (mkdir(tmp, 0755) < 0)
		return -errno;
	if (h->seed[0])
		r = seed_copy(h->seed, h->seed_dir, tmp);
	if (r == 0 && (h->uid >= 0 || h->gid >= 0) && chown(tmp, h->uid >= 0 ?
	    (uid_t)h->uid : (uid_t)-1, h->gid >= 0 ? (gid_t)h->gid : (gid_t)-1) < 0)
		r = -errno;
	if (r == 0 && h->mode >= 0 && chmod(tmp, (mode_t)h->mode & 07777) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		tree_remove(tmp);
	return r;
}

/* Hands the directory to a hold now. */
static void
grant(struct cache_hold *h)
{
	char path[PATH_MAX], hold[16];
	struct ipc_peer *p = h->peer;
	uint32_t req = h->req;
	cache_ready_fn cb = h->cb;
	int r;

	r = ensure_dir(h, path, sizeof(path));
	if (r == 0)
		r = meta_cache_touch(h->record);
	snprintf(hold, sizeof(hold), "%s", h->hold);
	if (r < 0) {
		log_warn("cache %s: %s", h->record, strerror(-r));
		*h = holds[--nholds];
	} else
		h->granted = 1;
	cb(p, req, hold, path, r);
}

static struct cache_hold *
hold_new(const char *record, struct ipc_peer *p, uint32_t req, int64_t uid,
    int64_t gid, int64_t mode, cache_ready_fn cb)
{
	void *v = realloc(holds, (nholds + 1) * sizeof(*holds));
	struct cache_hold *h;

	if (v == NULL)
		return NULL;
	holds = v;
	h = &holds[nholds++];
	*h = (struct cache_hold){ .peer = p, .req = req, .uid = uid, .gid = gid,
	    .mode = mode, .cb = cb };
	snprintf(h->hold, sizeof(h->hold), "c%lu", next_hold++);
	snprintf(h->record, sizeof(h->record), "%s", record);
	return h;
}

/* private: the first instance nobody holds */
static void
private_record(const char *base, char *out, size_t size)
{
	snprintf(out, size, "%s", base);
	for (int k = 1; k < CACHE_PRIVATE_MAX && holders(out, 0); k++)
		snprintf(out, size, "%s#%d", base, k);
}

/* The optional seed fields: [..., str committed id, str directory]. */
static int
read_seed(struct ipc_rd *rd, char seed[STORE_ID_MAX], char dir[CACHE_SEED_MAX])
{
	const char *s, *d;
	size_t len, dlen;

	seed[0] = dir[0] = '\0';
	if (rd->i == rd->n)
		return 0;
	if (ipc_rd_str(rd, &s, &len) < 0 || ipc_rd_str(rd, &d, &dlen) < 0 ||
	    len >= STORE_ID_MAX || dlen >= CACHE_SEED_MAX || memchr(s, '\0', len) ||
	    memchr(d, '\0', dlen))
		return -EBADMSG;
	if (len == 0)
		return 0;
	if (dlen == 0 || d[0] != '/')
		return -EBADMSG;
	memcpy(seed, s, len);
	seed[len] = '\0';
	memcpy(dir, d, dlen);
	dir[dlen] = '\0';
	return 0;
}

static int
parse_sharing(const char *s, size_t len)
{
	if (len == 6 && memcmp(s, "shared", 6) == 0)
		return CACHE_SHARED;
	if (len == 7 && memcmp(s, "private", 7) == 0)
		return CACHE_PRIVATE;
	if (len == 6 && memcmp(s, "locked", 6) == 0)
		return CACHE_LOCKED;
	return -EINVAL;
}

int
cache_request(struct ipc_peer *p, struct ipc_msg *m, cache_ready_fn cb)
{
	char id[CACHE_KEY_MAX], base[CACHE_RECORD_MAX - 8], record[CACHE_RECORD_MAX];
	char seed[STORE_ID_MAX], seed_dir[CACHE_SEED_MAX];
	const char *s, *sh;
	size_t len, shlen;
	int64_t uid, gid, mode;
	struct cache_hold *h;
	struct ipc_rd rd;
	int sharing;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_str(&rd, &s, &len) < 0 ||
	    ipc_rd_str(&rd, &sh, &shlen) < 0 || ipc_rd_i64(&rd, &uid) < 0 ||
	    ipc_rd_i64(&rd, &gid) < 0 || ipc_rd_i64(&rd, &mode) < 0 ||
	    read_seed(&rd, seed, seed_dir) < 0 || ipc_rd_end(&rd) < 0 || len == 0 ||
	    len >= sizeof(id) || memchr(s, '\0', len))
		return -EBADMSG;
	if ((sharing = parse_sharing(sh, shlen)) < 0)
		return ipc_reply_error(p, m->hdr.id, EINVAL, "kiln-snapd: cache mount "
		    "sharing is shared, private or locked, not '%.*s'", (int)shlen, sh);
	memcpy(id, s, len);
	id[len] = '\0';
	/* a seeded cache is its own record per seed, as BuildKit's */
	if (seed[0])
		snprintf(base, sizeof(base), "%s from %s:%s", id, seed, seed_dir);
	else
		snprintf(base, sizeof(base), "%s", id);
	if (sharing == CACHE_PRIVATE)
		private_record(base, record, sizeof(record));
	else
		snprintf(record, sizeof(record), "%s", base);
	/* a locked cache waits for its holder; the others never do */
	int wait = sharing == CACHE_LOCKED && holders(record, 0) > 0;
	if ((h = hold_new(record, p, m->hdr.id, uid, gid, mode, cb)) == NULL)
		return -ENOMEM;
	snprintf(h->seed, sizeof(h->seed), "%s", seed);
	snprintf(h->seed_dir, sizeof(h->seed_dir), "%s", seed_dir);
	if (wait)
		log_debug("cache %s is locked; %s waits", record, h->hold);
	else
		grant(h);
	return 0;
}

/* The first waiter of a record gets it. */
static void
wake(const char *record)
{
	for (size_t i = 0; i < nholds; i++)
		if (!holds[i].granted && strcmp(holds[i].record, record) == 0) {
			grant(&holds[i]);
			return;
		}
}

static void
update_size(const char *record)
{
	char path[PATH_MAX];
	uint64_t size;

	record_dir(record, path, sizeof(path));
	if (tree_usage(path, &size) == 0)
		meta_cache_set_size(record, size);
	meta_cache_touch(record);
}

int
cache_release(const char *hold)
{
	char record[CACHE_RECORD_MAX];

	for (size_t i = 0; i < nholds; i++) {
		if (strcmp(holds[i].hold, hold) != 0)
			continue;
		snprintf(record, sizeof(record), "%s", holds[i].record);
		holds[i] = holds[--nholds];
		if (!holders(record, 1))
			update_size(record);
		wake(record);
		return 0;
	}
	return -ENOENT;
}

/* Waiters of a closed connection: nobody to answer any more. */
void
cache_conn_down(struct ipc_peer *p)
{
	size_t i = 0;

	while (i < nholds) {
		if (!holds[i].granted && (p == NULL || holds[i].peer == p))
			holds[i] = holds[--nholds];
		else
			i++;
	}
}

void
cache_close(void)
{
	free(holds);
	holds = NULL;
	nholds = 0;
}

struct names {
	char	(*v)[2 * EVP_MAX_MD_SIZE + 1];
	size_t	n;
};

static int
name_row(const char *key, uint64_t size, int64_t last_used, void *arg)
{
	struct names *l = arg;
	char (*v)[2 * EVP_MAX_MD_SIZE + 1] = realloc(l->v, (l->n + 1) * sizeof(*l->v));

	if (v == NULL)
		return -ENOMEM;
	l->v = v;
	record_name(key, l->v[l->n++]);
	return 0;
}

/* A kill between mkdir and the record leaves a directory no row names. */
int
cache_sweep(void)
{
	char path[PATH_MAX + 300];
	struct names l = { 0 };
	struct dirent *e;
	DIR *d;
	int r = meta_cache_each(name_row, &l);

	snprintf(path, sizeof(path), "%s/caches", snap_state_dir());
	if (r == 0 && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			size_t i = 0;

			while (i < l.n && strcmp(l.v[i], e->d_name) != 0)
				i++;
			if (e->d_name[0] == '.' || i < l.n)
				continue;
			snprintf(path, sizeof(path), "%s/caches/%s", snap_state_dir(),
			    e->d_name);
			log_info("removing %s: no cache record names it", path);
			tree_remove(path);
		}
		closedir(d);
	}
	free(l.v);
	return r;
}

/* prune and GC: a record nobody holds */
int
cache_delete(const char *record)
{
	char path[PATH_MAX];
	int r;

	if (cache_in_use(record))
		return -EBUSY;
	if ((r = meta_cache_delete(record)) < 0)
		return r;
	record_dir(record, path, sizeof(path));
	return tree_remove(path);
}
