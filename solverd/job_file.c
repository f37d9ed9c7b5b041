/* job_file.c: runs a COPY, ADD, WORKDIR or COPY <<EOF vertex: a writable snapshot, kiln-snapd's file operations in order, commit; COPY --link as a layer of its own, then put on the parent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build.h"
#include "cachedb.h"
#include "cachekey.h"
#include "job.h"
#include "log.h"
#include "snapc.h"

/*
 * COPY --link (BuildKit's): the copy is made on an empty root, a layer of
 * its own cached by a key without the parent (cachekey_link_layer), then
 * put as it is on the parent (SNAP_COPY_LINK from it: hard links of its
 * files in the new upper dir). A new base image misses the vertex's
 * key but finds the layer: the context is not copied again, and the
 * layer's tar, so its digest, is the same.
 */
enum jphase {
	PH_PLAIN,	/* the actions on the parent */
	PH_LAYER,	/* --link: the actions on an empty root */
	PH_PUT,		/* --link: the layer copied onto the parent */
};

struct jfile {
	struct job	*j;
	char		 prep[BUILD_SNAP_MAX];
	size_t		 next;		/* the action to do */
	int		 have_ids;	/* its owner's names are resolved: */
	int64_t		 uid, gid;
	int		 cancel;
	char		 why[1024];
	enum jphase	 phase;
	char		 lkey[GRAPH_KEY_MAX];	/* --link: the layer's key */
	char		 layer[BUILD_SNAP_MAX];	/* and its snapshot */
};

static int prepare(struct jfile *x, const char *parent);

static void step(struct jfile *x);
static void on_body(struct ipc_peer *p, struct ipc_msg *m, void *arg);

static void
end(struct jfile *x, const char *snap)
{
	struct job *j = x->j;
	char why[sizeof(x->why)];

	if (snap == NULL && x->prep[0])
		job_snap_drop(job_helper(j), x->prep);
	snprintf(why, sizeof(why), "%s", x->why[0] ? x->why : "cancelled");
	j->op = NULL;
	free(x);
	if (snap)
		job_succeeded(j, snap);
	else
		job_failed(j, "%s", why);
}

/* One answer: OK for an action, SNAP_MOUNTED or SNAP_COMMITTED. */
static void
on_answer(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct jfile *x = arg;
	char why[900], snap[BUILD_SNAP_MAX];
	int err;

	if (m && m->hdr.type == IPC_SNAP_COMMITTED && snapc_str(m, 0, snap, sizeof(snap)) == 0 &&
	    x->phase == PH_LAYER) {
		/* the --link layer: cached by itself, then put on the parent */
		snprintf(x->layer, sizeof(x->layer), "%s", snap);
		if (cachedb_put(x->lkey, snap, 0) < 0)
			log_warn("%s: its layer %s is not in the cache", x->j->v->name, snap);
		build_lease(x->j->owner, snap);
		x->prep[0] = '\0';
		x->phase = PH_PUT;
		x->next = 0;
		if (x->cancel || prepare(x, job_input_snap(x->j, x->j->v->parent)) < 0)
			end(x, NULL);
		return;
	}
	if (m && m->hdr.type == IPC_SNAP_COMMITTED && snapc_str(m, 0, snap, sizeof(snap)) == 0) {
		end(x, snap);
		return;
	}
	if (m && m->hdr.type == IPC_SNAP_MOUNTED && x->prep[0] == '\0')
		snapc_str(m, 0, x->prep, sizeof(x->prep));
	else if (m && m->hdr.type == IPC_SNAP_USER_REPLY) {
		struct ipc_rd rd;

		x->have_ids = ipc_rd_init(&rd, &m->body) == 0 && ipc_rd_i64(&rd, &x->uid) == 0 &&
		    ipc_rd_i64(&rd, &x->gid) == 0 && ipc_rd_end(&rd) == 0;
		if (!x->have_ids)
			snprintf(x->why, sizeof(x->why), "kiln-snapd sent a malformed SNAP_USER_REPLY");
	} else if (m == NULL || m->hdr.type != IPC_OK) {
		snapc_why(m, PROC_SNAPD, &err, why, sizeof(why));
		snprintf(x->why, sizeof(x->why), "%s", why);
	}
	if (x->why[0] || x->cancel || x->prep[0] == '\0') {
		if (x->why[0] == '\0' && !x->cancel)
			snprintf(x->why, sizeof(x->why), "kiln-snapd named no snapshot");
		end(x, NULL);
		return;
	}
	step(x);
}

static void
pack_strv(struct ipc_wr *w, const struct strv *sv)
{
	msgpack_pack_array(&w->pk, sv->n);
	for (size_t i = 0; i < sv->n; i++)
		ipc_wr_str(w, sv->v[i]);
}

/* SNAP_COPY [dest id, dest, srcs, excludes, from, uid, gid, chmod, flags,
 * mtime, base key] + the context when from is "" */
static int
send_copy(struct jfile *x, const struct fact *a, struct ipc_wr *w, int *fd)
{
	const char *from = a->from ? job_input_snap(x->j, a->from) : "";
	char base[GRAPH_KEY_MAX];
	int r;

	if ((r = cachekey_copy_base(x->j->v, base)) < 0)
		return r;
	msgpack_pack_array(&w->pk, 11);
	ipc_wr_str(w, x->prep);
	ipc_wr_str(w, a->dest);
	pack_strv(w, &a->srcs);
	pack_strv(w, &a->excludes);
	ipc_wr_str(w, from);
	msgpack_pack_int64(&w->pk, a->owner ? x->uid : a->uid);
	msgpack_pack_int64(&w->pk, a->owner ? x->gid : a->gid);
	ipc_wr_str(w, a->chmod ? a->chmod : "");
	msgpack_pack_uint32(&w->pk, a->flags);
	msgpack_pack_int64(&w->pk, -1);
	ipc_wr_str(w, base);
	if (*from)
		return 0;
	*fd = snapc_dup(job_ctx_fd(x->j, a->ctx));
	return *fd < 0 ? *fd : 1;
}

/* SNAP_MKFILE [dest id, path, mode, uid, gid, mtime, name]: a heredoc's
 * or a fetched body's file; name is the one it gets when path is an
 * existing directory, as COPY and BuildKit put a file in one */
static void
pack_mkfile(struct jfile *x, const struct fact *a, struct ipc_wr *w, const char *path,
    int64_t mtime)
{
	msgpack_pack_array(&w->pk, 7);
	ipc_wr_str(w, x->prep);
	ipc_wr_str(w, path);
	msgpack_pack_uint32(&w->pk, a->mode);
	msgpack_pack_int64(&w->pk, a->owner ? x->uid : a->uid);
	msgpack_pack_int64(&w->pk, a->owner ? x->gid : a->gid);
	msgpack_pack_int64(&w->pk, mtime);
	ipc_wr_str(w, a->name ? a->name : "");
}

/* ADD URL: the fetched body (build_fetch.c), at dest or, dest ending in
 * '/', in it under its name */
static int
send_fetched(struct jfile *x, const struct fact *a, struct ipc_wr *w, int *fd)
{
	size_t n = strlen(a->dest);
	char *path = NULL;

	if (a->fd < 0)
		return -EBADF;
	if (n && a->dest[n - 1] == '/' ? asprintf(&path, "%s%s", a->dest, a->name) < 0 :
	    (path = strdup(a->dest)) == NULL)
		return -ENOMEM;
	pack_mkfile(x, a, w, path, a->mtime);
	free(path);
	/* snapd reads it from its offset, which this description shares */
	if (lseek(a->fd, 0, SEEK_SET) < 0)
		return -errno;
	*fd = snapc_dup(a->fd);
	return *fd < 0 ? *fd : 1;
}

static int
send_action(struct jfile *x, const struct fact *a)
{
	struct ipc_wr w;
	uint16_t type;
	int fd = -1, r = 0;

	ipc_wr_init(&w);
	switch (a->kind) {
	case FA_COPY:
		type = IPC_SNAP_COPY;
		r = send_copy(x, a, &w, &fd);
		break;
	case FA_MKFILE:
		type = IPC_SNAP_MKFILE;
		pack_mkfile(x, a, &w, a->dest, -1);
		fd = snapc_memfd("heredoc", a->content ? a->content : "", a->len);
		r = fd < 0 ? fd : 1;
		break;
	case FA_FETCH:
		type = IPC_SNAP_MKFILE;
		r = send_fetched(x, a, &w, &fd);
		break;
	default:
		type = IPC_SNAP_MKDIR;
		msgpack_pack_array(&w.pk, 5);
		ipc_wr_str(&w, x->prep);
		ipc_wr_str(&w, a->dest);
		msgpack_pack_uint32(&w.pk, a->mode);
		msgpack_pack_int64(&w.pk, a->owner ? x->uid : a->uid);
		msgpack_pack_int64(&w.pk, a->owner ? x->gid : a->gid);
		break;
	}
	if (r >= 0)
		r = snapc_call(job_helper(x->j), PROC_SNAPD, type, &w, &fd, fd >= 0,
		    on_answer, x);
	ipc_wr_free(&w);
	return r;
}

/* PH_PUT: SNAP_COPY of the layer's whole tree, as it is, to / */
static int
send_put(struct jfile *x)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 11);
	ipc_wr_str(&w, x->prep);
	ipc_wr_str(&w, "/");
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, ".");
	msgpack_pack_array(&w.pk, 0);
	ipc_wr_str(&w, x->layer);
	msgpack_pack_int64(&w.pk, -1);
	msgpack_pack_int64(&w.pk, -1);
	ipc_wr_str(&w, "");
	/* the layer itself, by hard links, where the snapshotter allows */
	msgpack_pack_uint32(&w.pk, SNAP_COPY_LINK);
	msgpack_pack_int64(&w.pk, -1);
	ipc_wr_str(&w, "");
	r = snapc_call(job_helper(x->j), PROC_SNAPD, IPC_SNAP_COPY, &w, NULL, 0, on_answer, x);
	ipc_wr_free(&w);
	return r;
}

static int
send_commit(struct jfile *x)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, x->prep);
	r = snapc_call(job_helper(x->j), PROC_SNAPD, IPC_SNAP_COMMIT, &w, NULL, 0,
	    on_answer, x);
	ipc_wr_free(&w);
	return r;
}

static void
step(struct jfile *x)
{
	const struct vertex *v = x->j->v;
	struct ipc_wr w;
	int r;

	if (x->phase == PH_PUT) {
		r = x->next++ == 0 ? send_put(x) : send_commit(x);
		goto sent;
	}
	/* COPY --from an empty stage copies nothing */
	while (x->next < v->nacts && v->acts[x->next].scratch)
		x->next++;
	if (x->next < v->nacts && v->acts[x->next].kind == FA_FETCH &&
	    !v->acts[x->next].have_body) {
		/* a 304 made the key; the step needs the body itself */
		r = build_fetch_body(job_helper(x->j), &x->j->v->acts[x->next], on_body, x);
	} else if (x->next < v->nacts && v->acts[x->next].owner && !x->have_ids) {
		/* names are the destination's: its /etc/passwd and /etc/group */
		ipc_wr_init(&w);
		msgpack_pack_array(&w.pk, 2);
		ipc_wr_str(&w, x->prep);
		ipc_wr_str(&w, v->acts[x->next].owner);
		r = snapc_call(job_helper(x->j), PROC_SNAPD, IPC_SNAP_USER, &w, NULL, 0,
		    on_answer, x);
		ipc_wr_free(&w);
	} else if (x->next < v->nacts) {
		r = send_action(x, &v->acts[x->next++]);
		x->have_ids = 0;
	} else
		r = send_commit(x);
sent:
	if (r < 0) {
		snprintf(x->why, sizeof(x->why), "%s", strerror(-r));
		end(x, NULL);
	}
}

/* ADD URL's body, fetched for the step after a 304 (build_fetch.c) */
static void
on_body(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct jfile *x = arg;
	char why[900];

	if (build_fetch_check(&x->j->v->acts[x->next], m, why, sizeof(why)) < 0)
		snprintf(x->why, sizeof(x->why), "ADD %s: %s",
		    x->j->v->acts[x->next].srcs.v[0], why);
	if (x->why[0] || x->cancel) {
		end(x, NULL);
		return;
	}
	step(x);
}

static int
prepare(struct jfile *x, const char *parent)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, parent);
	r = snapc_call(job_helper(x->j), PROC_SNAPD, IPC_SNAP_PREPARE, &w, NULL, 0,
	    on_answer, x);
	ipc_wr_free(&w);
	return r;
}

/* The cached --link layer's lease: it exists (put it on the parent), or
 * it is gone (make it again). */
static void
on_layer_lease(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct jfile *x = arg;
	struct job *j = x->j;
	char why[900];
	int err = 0, r;

	(void)p;
	if (m == NULL || m->hdr.type != IPC_OK)
		snapc_why(m, PROC_SNAPD, &err, why, sizeof(why));
	if (x->cancel) {
		end(x, NULL);
		return;
	}
	if (err == 0 && strv_add(&j->owner->leases, x->layer) < 0)
		err = ENOMEM, snprintf(why, sizeof(why), "out of memory");
	if (err == 0) {
		log_info("%s: its --link layer %s from the cache", j->v->name, x->layer);
		x->phase = PH_PUT;
		r = prepare(x, job_input_snap(j, j->v->parent));
	} else if (err == ENOENT) {
		log_info("%s: its --link layer %s is gone, copying again", j->v->name, x->layer);
		cachedb_forget(x->lkey);
		x->layer[0] = '\0';
		x->phase = PH_LAYER;
		r = prepare(x, "");
	} else {
		snprintf(x->why, sizeof(x->why), "looking up the --link layer: %s", why);
		end(x, NULL);
		return;
	}
	if (r < 0) {
		snprintf(x->why, sizeof(x->why), "%s", strerror(-r));
		end(x, NULL);
	}
}

static int
lease_layer(struct jfile *x)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, x->layer);
	msgpack_pack_true(&w.pk);
	r = snapc_call(job_helper(x->j), PROC_SNAPD, IPC_SNAP_LEASE, &w, NULL, 0,
	    on_layer_lease, x);
	ipc_wr_free(&w);
	return r;
}

int
jfile_start(struct job *j)
{
	struct jfile *x = calloc(1, sizeof(*x));
	int r;

	if (x == NULL)
		return -ENOMEM;
	x->j = j;
	j->op = x;
	if ((r = cachekey_link_layer(j->v, x->lkey)) < 0)
		;
	else if (x->lkey[0] && cachedb_get(x->lkey, x->layer, sizeof(x->layer)) == 0)
		r = lease_layer(x);
	else if (x->lkey[0]) {
		x->phase = PH_LAYER;
		r = prepare(x, "");
	} else
		r = prepare(x, job_input_snap(j, j->v->parent));
	if (r < 0) {
		j->op = NULL;
		free(x);
	}
	return r;
}

void
jfile_cancel(struct job *j)
{
	struct jfile *x = j->op;

	if (x)
		x->cancel = 1;
}
