/* build_walk.c: solves one build's target: a vertex is a cache hit (its snapshot still there), or its inputs first and then a job runs it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build.h"
#include "cache.h"
#include "cachedb.h"
#include "job.h"
#include "log.h"
#include "snapc.h"

static struct bvertex *
bv(const struct vertex *v)
{
	return v->sched;
}

static void want(struct build *b, struct vertex *v);

static void
ready(struct build *b, struct vertex *v)
{
	int r;

	bv(v)->state = BV_JOB;
	if ((r = job_attach(b, v)) < 0) {
		bv(v)->state = BV_FAILED;
		build_fail(b, -r, "%s: %s", v->name, strerror(-r));
	}
}

static int
reads(const struct vertex *user, const struct vertex *v)
{
	const struct vertex *in[64];
	size_t n = vertex_inputs(user, in, 64);

	for (size_t i = 0; i < n; i++)
		if (in[i] == v)
			return 1;
	return 0;
}

/* What a hit made unnecessary counts as cached, as BuildKit shows it;
 * told in the steps' order. */
static void
rest_cached(struct build *b)
{
	for (unsigned n = 1; n <= b->steps; n++)
		for (size_t i = 0; i < b->fe.g.nv; i++) {
			struct vertex *v = b->fe.g.v[i];

			if (v->needed && v->n == n && bv(v)->state == BV_NEW) {
				bv(v)->state = BV_DONE;
				b->cached++;
				progress_status(b, v, "cached", 0, NULL);
			}
		}
}

static void
done(struct build *b, struct vertex *v, const char *snap, int cached)
{
	struct bvertex *s = bv(v);

	s->state = BV_DONE;
	s->job = NULL;
	snprintf(s->snap, sizeof(s->snap), "%s", snap);
	if (v == b->target)
		rest_cached(b);
	if (cached) {
		b->cached++;
		progress_status(b, v, "cached", 0, NULL);
	}
	if (v == b->target) {
		build_solved(b);
		return;
	}
	for (size_t i = 0; i < b->fe.g.nv && !b->failed; i++) {
		struct vertex *u = b->fe.g.v[i];

		if (u->needed && bv(u)->state == BV_INPUTS && reads(u, v) &&
		    --bv(u)->pending == 0)
			ready(b, u);
	}
}

static void
miss(struct build *b, struct vertex *v)
{
	const struct vertex *in[64];
	size_t n = vertex_inputs(v, in, 64);
	struct bvertex *s = bv(v);

	s->state = BV_INPUTS;
	s->pending = 0;
	for (size_t i = 0; i < n; i++)
		if (bv(in[i])->state != BV_DONE)
			s->pending++;
	for (size_t i = 0; i < n && !b->failed; i++)
		want(b, (struct vertex *)in[i]);
	if (!b->failed && s->state == BV_INPUTS && s->pending == 0)
		ready(b, v);
}

struct stat_call {
	struct build	*b;
	struct vertex	*v;
	char		 snap[BUILD_SNAP_MAX];
};

/* A cache entry counts only while its snapshot exists: the lease that
 * keeps it from GC and prune for this build is the check. */
static void
on_stat(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct stat_call *c = arg;
	struct build *b = c->b;
	char why[512];
	int err = 0;

	b->pending--;
	if (m == NULL || m->hdr.type != IPC_OK)
		snapc_why(m, PROC_SNAPD, &err, why, sizeof(why));
	else if (strv_add(&b->leases, c->snap) < 0)
		err = ENOMEM;
	if (b->failed) {
		if (b->pending == 0)
			build_finish(b);
	} else if (err == 0)
		done(b, c->v, c->snap, 1);
	else if (err == ENOENT) {
		log_info("cache entry %s: snapshot %s is gone, rebuilding", c->v->key, c->snap);
		cachedb_forget(c->v->key);
		/* an imported record may still have it */
		bv(c->v)->state = BV_NEW;
		want(b, c->v);
	} else
		build_fail(b, err, "looking up the cache: %s", why);
	free(c);
	build_unref(b);
}

static int
check_hit(struct build *b, struct vertex *v, const char *snap)
{
	struct stat_call *c = calloc(1, sizeof(*c));
	struct ipc_wr w;
	int r;

	if (c == NULL)
		return -ENOMEM;
	c->b = b;
	c->v = v;
	snprintf(c->snap, sizeof(c->snap), "%s", snap);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, snap);
	msgpack_pack_true(&w.pk);
	r = snapc_call(b->h, PROC_SNAPD, IPC_SNAP_LEASE, &w, NULL, 0, on_stat, c);
	ipc_wr_free(&w);
	if (r < 0) {
		free(c);
		return r;
	}
	bv(v)->state = BV_LOOKUP;
	b->pending++;
	build_ref(b);
	return 0;
}

/* An imported record's snapshot chain is here: a hit like a local one,
 * kept for the builds after; or it could not be had: run the vertex. */
static void
imported(struct build *b, struct vertex *v, const char *snap, const char *why)
{
	int r;

	if (snap == NULL) {
		miss(b, v);
		return;
	}
	cachedb_put(v->key, snap, 0);
	if ((r = check_hit(b, v, snap)) < 0)
		build_fail(b, -r, "looking up the cache: %s", strerror(-r));
}

static void
want(struct build *b, struct vertex *v)
{
	char snap[BUILD_SNAP_MAX];
	int r;

	if (bv(v)->state != BV_NEW || b->failed)
		return;
	if (v->op == VOP_SOURCE) {
		build_lease(b, v->snap);
		done(b, v, v->snap, 1);
		return;
	}
	if (!v->nocache && cachedb_get(v->key, snap, sizeof(snap)) == 0) {
		if ((r = check_hit(b, v, snap)) < 0)
			build_fail(b, -r, "looking up the cache: %s", strerror(-r));
		return;
	}
	if (!v->nocache && (r = cimport_want(b, v, imported)) != 0) {
		if (r < 0)
			build_fail(b, -r, "looking up the imported cache: %s", strerror(-r));
		else
			bv(v)->state = BV_LOOKUP;
		return;
	}
	miss(b, v);
}

int
walk_start(struct build *b)
{
	if (b->target == NULL) {
		build_solved(b);
		return 0;
	}
	want(b, b->target);
	return 0;
}

void
walk_vertex_done(struct build *b, struct vertex *v, const char *snap, int cached)
{
	if (b->failed)
		return;
	build_lease(b, snap);
	done(b, v, snap, cached);
}

void
walk_vertex_failed(struct build *b, struct vertex *v, const char *error)
{
	bv(v)->state = BV_FAILED;
	bv(v)->job = NULL;
	progress_status(b, v, "error", 0, error);
	build_fail(b, EIO, "%s: %s", v->name, error);
}

void
walk_cancel(struct build *b)
{
	for (size_t i = 0; i < b->fe.g.nv; i++) {
		struct vertex *v = b->fe.g.v[i];

		if (v->needed && bv(v) && bv(v)->state == BV_JOB) {
			bv(v)->state = BV_FAILED;
			if (bv(v)->reported)
				progress_status(b, v, "cancelled", 0, NULL);
			job_detach(b, v);
			bv(v)->job = NULL;
		}
	}
}
