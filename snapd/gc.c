/* gc.c: disk usage per record, prune, and the automatic GC that keeps the store under --gc-keep-storage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/statvfs.h>
#include <event2/event.h>
#include "log.h"
#include "meta.h"
#include "snapd.h"
#include "util.h"

#define GC_DELAY_S	1	/* after a commit, so a build's burst is one run */
#define GC_DESC_MAX	200
/* A blob is written before what references it (a pull names the image
 * last), so the automatic GC leaves young unreferenced blobs alone. */
#define GC_BLOB_GRACE_S	600

enum rec_kind { REC_SNAPSHOT = 1, REC_PREPARED, REC_VIEW, REC_CACHE, REC_BLOB };

static const char *const kind_names[] = {
	[REC_SNAPSHOT] = "snapshot", [REC_PREPARED] = "prepared",
	[REC_VIEW] = "view", [REC_CACHE] = "cache", [REC_BLOB] = "blob",
};

struct rec {
	char		id[600];	/* "s5", the cache id, or the digest */
	enum rec_kind	kind;
	int64_t		n, parent;	/* snapshots */
	uint64_t	size;
	int64_t		last_used;
	int		in_use, gone;
	char		desc[GC_DESC_MAX];
};

struct recs {
	struct rec	*v;
	size_t		 n, cap;
};

static struct event *gc_timer;
static uint64_t gc_keep;

static struct rec *
rec_new(struct recs *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *v = realloc(l->v, cap * sizeof(*l->v));
		if (v == NULL)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* A committed snapshot is in use while it has children (prepared or
 * committed on it), a lease, or a reference (an image). */
static void
snap_use(struct rec *r)
{
	int children = 0, refs = 0, leases = snap_lease_count(r->n);
	char parent[48] = "a root";

	meta_snap_children(r->n, &children);
	meta_ref_count(r->id, &refs);
	r->in_use = children || refs || leases;
	if (r->parent)
		snprintf(parent, sizeof(parent), "on s%lld", (long long)r->parent);
	snprintf(r->desc, sizeof(r->desc), "%s%s%s%s", parent,
	    children ? ", with children" : "", leases ? ", leased by a build" : "",
	    refs ? ", used by an image" : "");
}

static int
add_snap(const struct meta_snap *s, void *arg)
{
	struct rec *r = rec_new(arg);
	char path[PATH_MAX];

	if (r == NULL)
		return -ENOMEM;
	snprintf(r->id, sizeof(r->id), "s%lld", (long long)s->n);
	r->n = s->n;
	r->parent = s->parent;
	r->size = s->size;
	r->last_used = s->last_used;
	if (s->kind == STORE_COMMITTED) {
		r->kind = REC_SNAPSHOT;
		snap_use(r);
	} else {
		/* in a build now: measured, never removed */
		r->kind = s->kind == STORE_VIEW ? REC_VIEW : REC_PREPARED;
		r->in_use = 1;
		snprintf(path, sizeof(path), "%s/snapshots/%lld/fs", snap_state_dir(),
		    (long long)s->n);
		if (s->kind == STORE_PREPARED)
			tree_usage(path, &r->size);
		snprintf(r->desc, sizeof(r->desc), "in use, on s%lld", (long long)s->parent);
	}
	if (strcmp(s->driver, store_driver_name()) != 0) {
		size_t used = strlen(r->desc);
		snprintf(r->desc + used, sizeof(r->desc) - used, " (%s)", s->driver);
	}
	return 0;
}

static int
add_cache(const char *key, uint64_t size, int64_t last_used, void *arg)
{
	struct rec *r = rec_new(arg);

	if (r == NULL)
		return -ENOMEM;
	snprintf(r->id, sizeof(r->id), "%s", key);
	r->kind = REC_CACHE;
	r->size = size;
	r->last_used = last_used;
	r->in_use = cache_in_use(key);
	snprintf(r->desc, sizeof(r->desc), "cache mount%s", r->in_use ? ", in use" : "");
	return 0;
}

static void
blob_use(struct rec *r)
{
	int refs = 0;

	meta_ref_count(r->id, &refs);
	r->in_use = refs > 0;
	snprintf(r->desc, sizeof(r->desc), "%s", refs ? "used by an image or a "
	    "snapshot's layer" : "");
}

static int
add_blob(const char *digest, uint64_t size, int64_t mtime, void *arg)
{
	struct rec *r = rec_new(arg);

	if (r == NULL)
		return -ENOMEM;
	snprintf(r->id, sizeof(r->id), "%s", digest);
	r->kind = REC_BLOB;
	r->size = size;
	r->last_used = mtime;
	blob_use(r);
	return 0;
}

static int
collect(struct recs *l)
{
	int r;

	if ((r = meta_snap_each("", add_snap, l)) < 0 ||
	    (r = meta_cache_each(add_cache, l)) < 0 || (r = blob_each(add_blob, l)) < 0) {
		free(l->v);
		l->v = NULL;
		l->n = 0;
		return r;
	}
	return 0;
}

static uint64_t
total(const struct recs *l)
{
	uint64_t t = 0;

	for (size_t i = 0; i < l->n; i++)
		if (!l->v[i].gone)
			t += l->v[i].size;
	return t;
}

/* --- DU --- */

static void
pack_rec(msgpack_packer *pk, const struct rec *r)
{
	msgpack_pack_array(pk, 6);
	msgpack_pack_str_with_body(pk, r->id, strlen(r->id));
	msgpack_pack_str_with_body(pk, kind_names[r->kind], strlen(kind_names[r->kind]));
	msgpack_pack_uint64(pk, r->size);
	msgpack_pack_int64(pk, r->last_used);
	msgpack_pack_str_with_body(pk, r->desc, strlen(r->desc));
	if (r->in_use)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

int
gc_on_du(struct ipc_peer *p, struct ipc_msg *m)
{
	msgpack_sbuffer body;
	msgpack_packer pk;
	struct recs l = { 0 };
	struct ipc_wr w;
	size_t k = 0;
	int r;

	if (m->hdr.len && (m->body.type != MSGPACK_OBJECT_ARRAY || m->body.via.array.size))
		return -EBADMSG;
	if ((r = collect(&l)) < 0)
		return ipc_reply_error(p, m->hdr.id, -r, "kiln-snapd: du: %s", strerror(-r));
	/* records until the frame is nearly full; the rest is one line */
	msgpack_sbuffer_init(&body);
	msgpack_packer_init(&pk, &body, msgpack_sbuffer_write);
	for (; k < l.n && body.size < IPC_MAX_BODY - 2048; k++)
		pack_rec(&pk, &l.v[k]);
	if (k < l.n) {
		struct rec more = { .kind = REC_SNAPSHOT };
		for (size_t i = k; i < l.n; i++)
			more.size += l.v[i].size;
		snprintf(more.id, sizeof(more.id), "...");
		snprintf(more.desc, sizeof(more.desc), "%zu more records", l.n - k);
		pack_rec(&pk, &more);
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, k + (k < l.n));
	msgpack_sbuffer_write(&w.sbuf, body.data, body.size);
	r = ipc_send(p, IPC_DU_REPLY, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
	msgpack_sbuffer_destroy(&body);
	free(l.v);
	return r;
}

/* --- prune --- */

struct prune_opts {
	int		all;
	uint64_t	keep_storage;	/* 0: no bound */
	int64_t		keep_duration;	/* seconds; 0: none */
	int64_t		blob_grace;	/* seconds a new blob is kept; 0: none */
};

static int
may_go(const struct rec *r, const struct prune_opts *o, int64_t now)
{
	if (r->gone || r->in_use)
		return 0;
	if (r->kind != REC_SNAPSHOT && r->kind != REC_BLOB && r->kind != REC_CACHE)
		return 0;
	/* cache mounts are what users keep on purpose: only with --all */
	if (r->kind == REC_CACHE && !o->all)
		return 0;
	if (r->kind == REC_BLOB && o->blob_grace > 0 && r->last_used > now - o->blob_grace)
		return 0;
	return o->keep_duration <= 0 || r->last_used <= now - o->keep_duration;
}

static struct rec *
oldest(struct recs *l, const struct prune_opts *o, int64_t now)
{
	struct rec *best = NULL;

	for (size_t i = 0; i < l->n; i++)
		if (may_go(&l->v[i], o, now) &&
		    (best == NULL || l->v[i].last_used < best->last_used))
			best = &l->v[i];
	return best;
}

static int
remove_rec(struct recs *l, struct rec *r)
{
	int rc;

	switch (r->kind) {
	case REC_SNAPSHOT:
		rc = snap_delete_committed(r->n);
		break;
	case REC_CACHE:
		rc = cache_delete(r->id);
		break;
	default:
		rc = blob_delete(r->id);
	}
	if (rc < 0)
		return rc;
	r->gone = 1;
	/* its parent may be a leaf now, and its layers' blobs free */
	for (size_t i = 0; r->kind == REC_SNAPSHOT && i < l->n; i++) {
		struct rec *x = &l->v[i];
		if (!x->gone && x->kind == REC_SNAPSHOT && x->n == r->parent)
			snap_use(x);
		else if (!x->gone && x->kind == REC_BLOB && x->in_use)
			blob_use(x);
	}
	return 0;
}

static int
prune(const struct prune_opts *o, uint64_t *reclaimed, uint64_t *removed)
{
	int64_t now = time(NULL);
	struct recs l = { 0 };
	struct rec *r;
	int rc;

	*reclaimed = *removed = 0;
	if ((rc = collect(&l)) < 0)
		return rc;
	while ((o->keep_storage == 0 || total(&l) > o->keep_storage) &&
	    (r = oldest(&l, o, now)) != NULL) {
		if ((rc = remove_rec(&l, r)) < 0) {
			log_warn("prune: removing %s: %s", r->id, strerror(-rc));
			r->in_use = 1;	/* not again in this run */
			continue;
		}
		log_debug("prune: removed %s %s (%llu bytes)", kind_names[r->kind], r->id,
		    (unsigned long long)r->size);
		*reclaimed += r->size;
		(*removed)++;
	}
	free(l.v);
	return 0;
}

int
gc_on_prune(struct ipc_peer *p, struct ipc_msg *m)
{
	struct prune_opts o;
	uint64_t reclaimed, removed;
	struct ipc_rd rd;
	struct ipc_wr w;
	int r;

	o.blob_grace = 0;
	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_bool(&rd, &o.all) < 0 ||
	    ipc_rd_u64(&rd, &o.keep_storage) < 0 ||
	    ipc_rd_i64(&rd, &o.keep_duration) < 0 || ipc_rd_end(&rd) < 0 ||
	    o.keep_duration < 0)
		return -EBADMSG;
	if ((r = prune(&o, &reclaimed, &removed)) < 0)
		return ipc_reply_error(p, m->hdr.id, -r, "kiln-snapd: prune: %s",
		    strerror(-r));
	log_info("prune: removed %llu records, %llu bytes", (unsigned long long)removed,
	    (unsigned long long)reclaimed);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	msgpack_pack_uint64(&w.pk, reclaimed);
	msgpack_pack_uint64(&w.pk, removed);
	r = ipc_send(p, IPC_PRUNE_REPLY, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
	return r;
}

/* --- automatic GC --- */

static void
gc_run(evutil_socket_t fd, short what, void *arg)
{
	struct prune_opts o = { 0, gc_keep, 0, GC_BLOB_GRACE_S };
	uint64_t reclaimed, removed;
	struct recs l = { 0 };
	uint64_t t;

	if (collect(&l) < 0)
		return;
	t = total(&l);
	free(l.v);
	if (t <= gc_keep)
		return;
	if (prune(&o, &reclaimed, &removed) == 0 && removed)
		log_info("gc: the store used %llu bytes, over --gc-keep-storage %llu: "
		    "removed %llu records, %llu bytes", (unsigned long long)t,
		    (unsigned long long)gc_keep, (unsigned long long)removed,
		    (unsigned long long)reclaimed);
}

void
gc_kick(void)
{
	struct timeval tv = { GC_DELAY_S, 0 };

	if (gc_timer && !evtimer_pending(gc_timer, NULL))
		evtimer_add(gc_timer, &tv);
}

/* The default keeps a tenth of the store's filesystem, as BuildKit does. */
int
gc_init(struct event_base *base, uint64_t keep)
{
	struct statvfs sv;

	gc_keep = keep;
	if (gc_keep == 0 && statvfs(snap_state_dir(), &sv) == 0)
		gc_keep = (uint64_t)sv.f_blocks * sv.f_frsize / 10;
	if ((gc_timer = evtimer_new(base, gc_run, NULL)) == NULL)
		return -ENOMEM;
	log_info("gc: keeping the store under %llu bytes%s", (unsigned long long)gc_keep,
	    keep ? "" : " (a tenth of its filesystem)");
	gc_kick();
	return 0;
}

void
gc_close(void)
{
	if (gc_timer)
		event_free(gc_timer);
	gc_timer = NULL;
}
