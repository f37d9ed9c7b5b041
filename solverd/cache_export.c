/* cache_export.c: --cache-to: the solved vertices' snapshot chains as layers, one record image per vertex, the cache's document, then a directory, a registry or the image config (inline) gets them (kiln-cache.5). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build.h"
#include "cache.h"
#include "cachedb.h"
#include "log.h"
#include "platform.h"
#include "snapc.h"

#define CX_MAX_SNAPS	4096

struct cx_snap {
	char			 id[BUILD_SNAP_MAX];
	char			 parent[BUILD_SNAP_MAX];
	int			 statted, diffed;
	struct cache_layer	 l;
};

struct cx_rec {
	struct vertex		*v;		/* NULL: dropped (its snapshot is gone) */
	char			 snap[BUILD_SNAP_MAX];
	int			 chain;		/* the target's chain: mode=min has it */
	char			 image[CACHE_DIGEST_MAX];
};

enum cx_phase { CX_WALK_TARGET, CX_WALK, CX_DIFF, CX_RECORD, CX_ROOT, CX_DEST };

struct cx {
	struct build		*b;
	void			(*then)(struct build *b);
	struct cx_snap		*snaps;
	size_t			 nsnaps;
	struct cx_rec		*recs;
	size_t			 nrecs;
	enum cx_phase		 phase;
	size_t			 i, k;		/* where the phase is */
	int			 max;		/* a --cache-to wants mode=max */
	struct cache_doc	 doc[2];	/* mode=min, mode=max */
	char			 root[2][CACHE_DIGEST_MAX];
};

static void cx_next(struct cx *x);

static const char *
target_snap(const struct build *b)
{
	const struct bvertex *s = b->target ? b->target->sched : NULL;

	return s ? s->snap : "";
}

int
cexport_wanted(const struct build *b)
{
	return b->cache && b->cache->nto && target_snap(b)[0];
}

static void
cx_end(struct cx *x)
{
	struct build *b = x->b;

	if (!b->failed)
		x->then(b);
	cachedoc_free(&x->doc[0]);
	cachedoc_free(&x->doc[1]);
	free(x->snaps);
	free(x->recs);
	free(x);
	export_returned(b);
}

/* Fails the build, or with ignore-error=true everywhere, warns. */
static void __attribute__((format(printf, 2, 3)))
cx_fail(struct cx *x, const char *fmt, ...)
{
	struct cache_state *c = x->b->cache;
	char msg[1024];
	int ignore = 1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < c->nto; i++)
		ignore &= c->to[i].ignore_error;
	if (ignore) {
		log_warn("build %s: --cache-to: %s", x->b->bid, msg);
		progress_warn(x->b, "--cache-to: %s (ignore-error=true)", msg);
		c->out_ready = 0;
	} else
		build_fail(x->b, EIO, "exporting the cache: %s", msg);
	cx_end(x);
}

static struct cx_snap *
snap_get(struct cx *x, const char *id)
{
	for (size_t i = 0; i < x->nsnaps; i++)
		if (strcmp(x->snaps[i].id, id) == 0)
			return &x->snaps[i];
	return NULL;
}

static struct cx_snap *
snap_add(struct cx *x, const char *id)
{
	struct cx_snap *ns;

	if (x->nsnaps >= CX_MAX_SNAPS ||
	    (ns = realloc(x->snaps, (x->nsnaps + 1) * sizeof(*ns))) == NULL)
		return NULL;
	x->snaps = ns;
	memset(&ns[x->nsnaps], 0, sizeof(*ns));
	snprintf(ns[x->nsnaps].id, sizeof(ns->id), "%s", id);
	return &ns[x->nsnaps++];
}

static int
rec_add(struct cx *x, struct vertex *v, const char *snap, int chain)
{
	struct cx_rec *nr = realloc(x->recs, (x->nrecs + 1) * sizeof(*nr));

	if (nr == NULL)
		return -ENOMEM;
	x->recs = nr;
	memset(&nr[x->nrecs], 0, sizeof(*nr));
	nr[x->nrecs].v = v;
	nr[x->nrecs].chain = chain;
	snprintf(nr[x->nrecs].snap, sizeof(nr->snap), "%s", snap);
	x->nrecs++;
	return 0;
}

/* The chain under id, bottom first, into out (at most max); 0 when a
 * snapshot of it is not statted yet. */
static size_t
chain_of(struct cx *x, const char *id, struct cx_snap **out, size_t max)
{
	size_t n = 0;

	while (*id && n < max) {
		struct cx_snap *s = snap_get(x, id);

		if (s == NULL || !s->statted)
			return 0;
		out[n++] = s;
		id = s->parent;
	}
	for (size_t i = 0; i < n / 2; i++) {
		struct cx_snap *t = out[i];

		out[i] = out[n - 1 - i];
		out[n - 1 - i] = t;
	}
	return n;
}

/* --- calls: each holds a reference and counts in b->pending --- */

static int
cx_call(struct cx *x, uint16_t type, struct ipc_wr *w, int fd, ipc_reply_fn cb)
{
	struct build *b = x->b;
	int r = snapc_call(b->h, PROC_SNAPD, type, w, fd >= 0 ? &fd : NULL, fd >= 0, cb, x);

	ipc_wr_free(w);
	if (r == 0) {
		b->pending++;
		build_ref(b);
	}
	return r;
}

/* 1 when the answer is to be dropped: the build failed meanwhile */
static int
cx_returned(struct cx *x)
{
	struct build *b = x->b;

	b->pending--;
	build_unref(b);
	if (!b->failed)
		return 0;
	cx_end(x);
	return 1;
}

static void
on_stat(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct cx *x = arg;
	struct cx_snap *s = &x->snaps[x->nsnaps - 1];
	char why[512];
	int err;

	if (cx_returned(x))
		return;
	if (m && m->hdr.type == IPC_SNAP_STAT_REPLY &&
	    snapc_str(m, 1, s->parent, sizeof(s->parent)) == 0) {
		s->statted = 1;
		return cx_next(x);
	}
	snapc_why(m, PROC_SNAPD, &err, why, sizeof(why));
	if (x->phase != CX_WALK)
		return cx_fail(x, "snapshot %s: %s", s->id, why);
	/* another stage's old result, pruned since: not exported */
	x->nsnaps--;
	x->recs[x->i++].v = NULL;
	cx_next(x);
}

/* One unstatted snapshot of id's chain asked for: 1; 0 when all are. */
static int
walk(struct cx *x, const char *from)
{
	char id[BUILD_SNAP_MAX];
	struct ipc_wr w;
	int r;

	/* a copy: snap_add moves the parents' strings */
	snprintf(id, sizeof(id), "%s", from);
	while (*id) {
		struct cx_snap *s = snap_get(x, id);

		if (s && s->statted) {
			snprintf(id, sizeof(id), "%s", s->parent);
			continue;
		}
		if (s == NULL && (s = snap_add(x, id)) == NULL)
			return -ENOMEM;
		ipc_wr_init(&w);
		msgpack_pack_array(&w.pk, 1);
		ipc_wr_str(&w, id);
		return (r = cx_call(x, IPC_SNAP_STAT, &w, -1, on_stat)) < 0 ? r : 1;
	}
	return 0;
}

/* The target's chain of vertices against its chain of snapshots, then
 * with mode=max every other vertex whose result is known. */
static int
plan_records(struct cx *x)
{
	struct build *b = x->b;
	const char *id = target_snap(b);
	int r;

	for (struct vertex *u = b->target; u && u->op != VOP_SOURCE && *id; u = u->parent) {
		if ((r = rec_add(x, u, id, 1)) < 0)
			return r;
		id = snap_get(x, id)->parent;
	}
	for (size_t i = 0; x->max && i < b->fe.g.nv; i++) {
		struct vertex *v = b->fe.g.v[i];
		const struct bvertex *s = v->sched;
		char snap[BUILD_SNAP_MAX] = "";
		int have = 0;

		if (!v->needed || v->op == VOP_SOURCE || s == NULL)
			continue;
		for (size_t k = 0; k < x->nrecs && !have; k++)
			have = x->recs[k].v == v;
		if (have)
			continue;
		if (s->snap[0])
			snprintf(snap, sizeof(snap), "%s", s->snap);
		else if (cachedb_get(v->key, snap, sizeof(snap)) < 0)
			continue;
		if ((r = rec_add(x, v, snap, 0)) < 0)
			return r;
	}
	return 0;
}

static void
on_diff(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct cx *x = arg;
	struct cx_snap *s = &x->snaps[x->i];
	struct ipc_rd rd;
	char why[512];
	int err;

	if (cx_returned(x))
		return;
	if (m && m->hdr.type == IPC_SNAP_DIFF_REPLY && ipc_rd_init(&rd, &m->body) == 0 &&
	    ipc_rd_strcpy(&rd, s->l.diff_id, sizeof(s->l.diff_id)) == 0 &&
	    ipc_rd_strcpy(&rd, s->l.digest, sizeof(s->l.digest)) == 0 &&
	    ipc_rd_u64(&rd, &s->l.size) == 0 &&
	    ipc_rd_strcpy(&rd, s->l.media, sizeof(s->l.media)) == 0) {
		s->diffed = 1;
		x->i++;
		return cx_next(x);
	}
	cx_fail(x, "the layer of snapshot %s: %s", s->id,
	    snapc_why(m, PROC_SNAPD, &err, why, sizeof(why)));
}

/* the image's own compression and reuse, so that its layers and the
 * records' are the same blobs; OCI media types (a record image is OCI) */
static int
diff_one(struct cx *x, struct cx_snap *s)
{
	const struct export_opts *o = &x->b->img;
	char comp[16];
	struct ipc_wr w;

	export_opts_compression(o, comp, sizeof(comp));
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 4);
	ipc_wr_str(&w, s->id);
	ipc_wr_str(&w, comp);
	msgpack_pack_int64(&w.pk, export_epoch(x->b));
	msgpack_pack_uint32(&w.pk, o->force ? 0 : SNAP_DIFF_REUSE);
	return cx_call(x, IPC_SNAP_DIFF, &w, -1, on_diff);
}

/* An image config for these layers: its rootfs only, plus extra. */
static char *
config_of(struct cx_snap **chain, size_t n, json_t *extra)
{
	char os[32], *arch;
	json_t *ids = json_array(), *cfg;
	char *text;

	snprintf(os, sizeof(os), "%s", platform_self());
	arch = strchr(os, '/');
	if (arch)
		*arch++ = '\0';
	for (size_t i = 0; ids && i < n; i++)
		json_array_append_new(ids, json_string(chain[i]->l.diff_id));
	cfg = ids ? json_pack("{s:s, s:s, s:{s:s, s:o}}", "architecture", arch ? arch : "",
	    "os", os, "rootfs", "type", "layers", "diff_ids", ids) : NULL;
	if (cfg && extra && json_object_set(cfg, CACHE_FIELD, extra) < 0) {
		json_decref(cfg);
		cfg = NULL;
	}
	text = cfg ? json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(cfg);
	return text;
}

static void
on_created(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct cx *x = arg;
	char *out = x->phase == CX_RECORD ? x->recs[x->i].image : x->root[x->i];
	char why[512];
	int err;

	if (cx_returned(x))
		return;
	if (m && m->hdr.type == IPC_IMAGE_CREATED &&
	    snapc_str(m, 0, out, CACHE_DIGEST_MAX) == 0) {
		x->i++;
		return cx_next(x);
	}
	cx_fail(x, "storing a record image: %s",
	    snapc_why(m, PROC_SNAPD, &err, why, sizeof(why)));
}

/* IMAGE_CREATE ["", config, layers, top] */
static int
create(struct cx *x, struct cx_snap **chain, size_t n, json_t *extra, const char *top)
{
	char *cfg = config_of(chain, n, extra);
	struct ipc_wr w;

	if (cfg == NULL)
		return -ENOMEM;
	if (strlen(cfg) > IPC_MAX_BODY / 2) {
		free(cfg);
		return -E2BIG;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 4);
	ipc_wr_str(&w, "");
	ipc_wr_str(&w, cfg);
	free(cfg);
	msgpack_pack_array(&w.pk, n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_array(&w.pk, 3);
		ipc_wr_str(&w, chain[i]->l.digest);
		msgpack_pack_uint64(&w.pk, chain[i]->l.size);
		ipc_wr_str(&w, chain[i]->l.media);
	}
	ipc_wr_str(&w, top);
	return cx_call(x, IPC_IMAGE_CREATE, &w, -1, on_created);
}

static int
record_image(struct cx *x, struct cx_rec *rec)
{
	struct cx_snap **chain = calloc(CX_MAX_SNAPS, sizeof(*chain));
	size_t n;
	int r;

	if (chain == NULL)
		return -ENOMEM;
	n = chain_of(x, rec->snap, chain, CX_MAX_SNAPS);
	r = n ? create(x, chain, n, NULL, rec->snap) : -ENOENT;
	free(chain);
	return r;
}

/* The documents of mode=min (the target's chain) and mode=max. */
static int
make_docs(struct cx *x)
{
	struct cx_snap **chain = calloc(CX_MAX_SNAPS, sizeof(*chain));
	size_t *idx = calloc(CX_MAX_SNAPS, sizeof(*idx));
	int r = chain && idx ? 0 : -ENOMEM;

	for (int m = 0; m < 2; m++)
		snprintf(x->doc[m].mode, sizeof(x->doc[m].mode), "%s", m ? "max" : "min");
	for (size_t i = 0; r == 0 && i < x->nrecs; i++) {
		struct cx_rec *rec = &x->recs[i];
		size_t n = rec->v ? chain_of(x, rec->snap, chain, CX_MAX_SNAPS) : 0;

		for (int m = rec->chain ? 0 : 1; r == 0 && n && m < 2; m++) {
			for (size_t k = 0; r == 0 && k < n; k++) {
				long li = cachedoc_layer(&x->doc[m], &chain[k]->l);

				r = li < 0 ? (int)li : 0;
				idx[k] = (size_t)li;
			}
			if (r == 0)
				r = cachedoc_rec(&x->doc[m], rec->v->key, rec->image, idx, n);
		}
	}
	free(chain);
	free(idx);
	return r;
}

/* --- where the cache goes --- */

static void
on_dest(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct cx *x = arg;
	char why[512];
	int err;

	if (m && m->hdr.type == IPC_IMAGE_PROGRESS)
		return;
	if (cx_returned(x))
		return;
	if (m && (m->hdr.type == IPC_OK || m->hdr.type == IPC_IMAGE_PUSHED)) {
		x->k++;
		return cx_next(x);
	}
	cx_fail(x, "%s: %s", x->b->cache->to[x->i].text,
	    snapc_why(m, PROC_SNAPD, &err, why, sizeof(why)));
}

static int
push(struct cx *x, const char *image, const char *dest)
{
	struct ipc_wr w;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, image);
	ipc_wr_str(&w, dest);
	return cx_call(x, IPC_IMAGE_PUSH, &w, -1, on_dest);
}

/* The k-th record image of mode m, or NULL past the last. */
static const struct cx_rec *
rec_of(const struct cx *x, int max, size_t k)
{
	for (size_t i = 0; i < x->nrecs; i++)
		if (x->recs[i].v && x->recs[i].image[0] && (max || x->recs[i].chain) &&
		    k-- == 0)
			return &x->recs[i];
	return NULL;
}

/* A record image by digest into the repository of ref. */
static int
push_record(struct cx *x, const struct cx_rec *rec, const char *ref)
{
	char repo[IMGREF_NAME_MAX], dest[IMGREF_STR_MAX];
	struct imgref ir;

	if (imgref_parse(ref, &ir, NULL) < 0 || imgref_name(&ir, repo, sizeof(repo)) < 0)
		return -EINVAL;
	snprintf(dest, sizeof(dest), "%s@%s", repo, rec->image);
	return push(x, rec->image, dest);
}

static int
dir_write(struct cx *x, const struct cache_spec *s)
{
	struct ipc_wr w;
	size_t n = 0;
	int fd;

	while (rec_of(x, s->max, n))
		n++;
	if ((fd = snapc_dup(s->fd)) < 0)
		return fd;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, x->root[s->max]);
	msgpack_pack_array(&w.pk, n);
	for (size_t k = 0; k < n; k++)
		ipc_wr_str(&w, rec_of(x, s->max, k)->image);
	return cx_call(x, IPC_CACHE_DIR_WRITE, &w, fd, on_dest);
}

/* The next call of destination s at step x->k: 1 sent, 0 s is done. */
static int
dest_step(struct cx *x, const struct cache_spec *s)
{
	const struct cx_rec *rec;
	struct build *b = x->b;
	int r;

	if (s->type == CT_LOCAL)
		return x->k ? 0 : (r = dir_write(x, s)) < 0 ? r : 1;
	if (s->type == CT_REGISTRY) {
		if ((rec = rec_of(x, s->max, x->k)))
			return (r = push_record(x, rec, s->ref)) < 0 ? r : 1;
		if (rec_of(x, s->max, x->k - 1) || x->k == 0)
			return (r = push(x, x->root[s->max], s->ref)) < 0 ? r : 1;
		return 0;
	}
	/* inline: the records beside each image pushed */
	for (size_t t = 0, k = x->k; b->push && t < b->tags.n; t++) {
		size_t n = 0;

		while (rec_of(x, 0, n))
			n++;
		if (k < n)
			return (r = push_record(x, rec_of(x, 0, k), b->tags.v[t])) < 0 ? r : 1;
		k -= n;
	}
	return 0;
}

/* --- the steps, one call at a time --- */

static int
phase_walk(struct cx *x)
{
	int r;

	if (x->phase == CX_WALK_TARGET) {
		if ((r = walk(x, target_snap(x->b))) != 0)
			return r;
		if ((r = plan_records(x)) < 0)
			return r;
		x->phase = CX_WALK;
		x->i = 0;
	}
	for (; x->i < x->nrecs; x->i++)
		if (x->recs[x->i].v && (r = walk(x, x->recs[x->i].snap)) != 0)
			return r;
	x->phase = CX_DIFF;
	x->i = 0;
	return 0;
}

static int
phase_images(struct cx *x)
{
	int r;

	if (x->phase == CX_DIFF) {
		for (; x->i < x->nsnaps; x->i++)
			if (!x->snaps[x->i].diffed)
				return (r = diff_one(x, &x->snaps[x->i])) < 0 ? r : 1;
		x->phase = CX_RECORD;
		x->i = 0;
	}
	if (x->phase == CX_RECORD) {
		for (; x->i < x->nrecs; x->i++)
			if (x->recs[x->i].v && !(x->max == 0 && !x->recs[x->i].chain))
				return (r = record_image(x, &x->recs[x->i])) < 0 ? r : 1;
		if ((r = make_docs(x)) < 0)
			return r;
		x->phase = CX_ROOT;
		x->i = 0;
	}
	return 0;
}

/* the roots of the modes some local or registry destination uses */
static int
phase_roots(struct cx *x)
{
	struct cache_state *c = x->b->cache;
	json_t *doc;
	int r;

	for (; x->i < 2; x->i++) {
		int used = 0;

		for (size_t k = 0; k < c->nto; k++)
			used |= c->to[k].type != CT_INLINE && c->to[k].max == (int)x->i;
		if (!used)
			continue;
		if ((doc = cachejson_make(&x->doc[x->i])) == NULL)
			return -ENOMEM;
		r = create(x, NULL, 0, doc, "");
		json_decref(doc);
		return r < 0 ? r : 1;
	}
	/* inline: the image config takes mode=min's */
	cachedoc_free(&c->out);
	c->out = x->doc[0];
	memset(&x->doc[0], 0, sizeof(x->doc[0]));
	c->out_ready = 1;
	x->phase = CX_DEST;
	x->i = x->k = 0;
	return 0;
}

static void
cx_next(struct cx *x)
{
	struct cache_state *c = x->b->cache;
	int r = 0;

	if (x->phase <= CX_WALK)
		r = phase_walk(x);
	if (r == 0 && x->phase <= CX_RECORD)
		r = phase_images(x);
	if (r == 0 && x->phase == CX_ROOT)
		r = phase_roots(x);
	while (r == 0 && x->i < c->nto)
		if ((r = dest_step(x, &c->to[x->i])) == 0) {
			x->i++;
			x->k = 0;
		}
	if (r < 0)
		return cx_fail(x, "%s", strerror(-r));
	if (r == 0) {
		log_info("build %s: cache exported: %zu records", x->b->bid, x->nrecs);
		for (size_t i = 0; i < x->nrecs; i++)
			if (x->recs[i].image[0])
				cache_forget_image(x->b, x->recs[i].image);
		for (int m = 0; m < 2; m++)
			if (x->root[m][0])
				cache_forget_image(x->b, x->root[m]);
		cx_end(x);
	}
}

int
cexport_start(struct build *b, void (*then)(struct build *b))
{
	struct cx *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return -ENOMEM;
	x->b = b;
	x->then = then;
	for (size_t i = 0; i < b->cache->nto; i++) {
		x->max |= b->cache->to[i].max;
		if (b->cache->to[i].type != CT_INLINE)
			continue;
		if (b->tags.n == 0 && !export_wants_image(b))
			progress_warn(b, "--cache-to type=inline: no image is made (give -t "
			    "or --output type=image)");
		else if (!b->push)
			progress_warn(b, "--cache-to type=inline: without --push its record "
			    "images stay here, and a cache-from of the image finds none");
	}
	/* the whole job counts as one call, as the image's does */
	b->pending++;
	build_ref(b);
	cx_next(x);
	return 0;
}

int
cexport_inline(struct build *b, json_t *img)
{
	struct cache_state *c = b->cache;
	int want = 0;
	json_t *doc;

	for (size_t i = 0; c && i < c->nto; i++)
		want |= c->to[i].type == CT_INLINE;
	if (!want || !c->out_ready)
		return 0;
	if ((doc = cachejson_make(&c->out)) == NULL)
		return -ENOMEM;
	return json_object_set_new(img, CACHE_FIELD, doc) < 0 ? -ENOMEM : 0;
}
