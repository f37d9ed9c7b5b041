/* cache.c: the persistent directories of RUN --mount=type=cache: shared, private or locked holds, and their records. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include "log.h"
#include "meta.h"
#include "snapd.h"
#include "util.h"

#define CACHE_KEY_MAX	512
#define CACHE_PRIVATE_MAX 64	/* instances of one private cache at once */

enum cache_sharing { CACHE_SHARED = 1, CACHE_PRIVATE, CACHE_LOCKED };

/* A hold: who uses which record ("ID", or "ID#N" for the N-th instance of
 * a private cache). A locked one with peer set and granted 0 waits. */
struct cache_hold {
	char		 hold[16];
	char		 record[CACHE_KEY_MAX + 8];
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

/* Makes the directory on first use, owned and moded as asked. */
static int
ensure_dir(const char *record, int64_t uid, int64_t gid, int64_t mode, char *path,
    size_t size)
{
	record_dir(record, path, size);
	if (mkdir(path, 0755) < 0) {
		if (errno == EEXIST)
			return 0;
		return -errno;
	}
	if ((uid >= 0 || gid >= 0) && chown(path, uid >= 0 ? (uid_t)uid : (uid_t)-1,
	    gid >= 0 ? (gid_t)gid : (gid_t)-1) < 0)
		return -errno;
	if (mode >= 0 && chmod(path, (mode_t)mode & 07777) < 0)
		return -errno;
	return 0;
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

	r = ensure_dir(h->record, h->uid, h->gid, h->mode, path, sizeof(path));
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
	*h = (struct cache_hold){ "", "", 0, p, req, uid, gid, mode, cb };
	snprintf(h->hold, sizeof(h->hold), "c%lu", next_hold++);
	snprintf(h->record, sizeof(h->record), "%s", record);
	return h;
}

/* private: the first instance nobody holds */
static void
private_record(const char *id, char *out, size_t size)
{
	snprintf(out, size, "%s", id);
	for (int k = 1; k < CACHE_PRIVATE_MAX && holders(out, 0); k++)
		snprintf(out, size, "%s#%d", id, k);
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
	char id[CACHE_KEY_MAX], record[CACHE_KEY_MAX + 8];
	const char *s, *sh;
	size_t len, shlen;
	int64_t uid, gid, mode;
	struct cache_hold *h;
	struct ipc_rd rd;
	int sharing;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_str(&rd, &s, &len) < 0 ||
	    ipc_rd_str(&rd, &sh, &shlen) < 0 || ipc_rd_i64(&rd, &uid) < 0 ||
	    ipc_rd_i64(&rd, &gid) < 0 || ipc_rd_i64(&rd, &mode) < 0 ||
	    ipc_rd_end(&rd) < 0 || len == 0 || len >= sizeof(id) || memchr(s, '\0', len))
		return -EBADMSG;
	if ((sharing = parse_sharing(sh, shlen)) < 0)
		return ipc_reply_error(p, m->hdr.id, EINVAL, "kiln-snapd: cache mount "
		    "sharing is shared, private or locked, not '%.*s'", (int)shlen, sh);
	memcpy(id, s, len);
	id[len] = '\0';
	if (sharing == CACHE_PRIVATE)
		private_record(id, record, sizeof(record));
	else
		snprintf(record, sizeof(record), "%s", id);
	/* a locked cache waits for its holder; the others never do */
	int wait = sharing == CACHE_LOCKED && holders(record, 0) > 0;
	if ((h = hold_new(record, p, m->hdr.id, uid, gid, mode, cb)) == NULL)
		return -ENOMEM;
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
	char record[CACHE_KEY_MAX + 8];

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
