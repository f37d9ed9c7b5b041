/* handlers_snap.c: kiln-snapd's SNAP_* requests from kiln-solverd, and what each connection holds until it closes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "snapd.h"

/* What a solverd connection holds (ipc_msg.h, snapd section): dropped
 * when it closes. */
enum hold_kind { HOLD_MOUNT = 1, HOLD_LEASE, HOLD_CACHE };

struct hold {
	struct ipc_peer	*peer;
	enum hold_kind	 kind;
	char		 id[STORE_ID_MAX];
};

static struct hold *holds;
static size_t nholds;

static int
hold_add(struct ipc_peer *p, enum hold_kind kind, const char *id)
{
	void *v = realloc(holds, (nholds + 1) * sizeof(*holds));

	if (v == NULL)
		return -ENOMEM;
	holds = v;
	holds[nholds] = (struct hold){ p, kind, "" };
	snprintf(holds[nholds++].id, STORE_ID_MAX, "%s", id);
	return 0;
}

static struct hold *
hold_find(struct ipc_peer *p, enum hold_kind kind, const char *id)
{
	for (size_t i = 0; i < nholds; i++)
		if ((p == NULL || holds[i].peer == p) && holds[i].kind == kind &&
		    strcmp(holds[i].id, id) == 0)
			return &holds[i];
	return NULL;
}

static void
hold_del(struct hold *h)
{
	*h = holds[--nholds];
}

/* Lets one hold go, in the store too. */
static int
release(struct hold *h)
{
	char id[STORE_ID_MAX];
	enum hold_kind kind = h->kind;

	snprintf(id, sizeof(id), "%s", h->id);
	hold_del(h);
	switch (kind) {
	case HOLD_MOUNT:
		return store_remove(id);
	case HOLD_LEASE:
		return store_lease(id, 0);
	case HOLD_CACHE:
		return cache_release(id);
	}
	return 0;
}

void
snapd_conn_down(struct ipc_peer *p)
{
	size_t i = 0;

	/* its waiters first, so a release below wakes no one who left */
	cache_conn_down(p);
	while (i < nholds) {
		if (holds[i].peer != p && p != NULL) {
			i++;
			continue;
		}
		log_debug("dropping %s: its connection closed", holds[i].id);
		int r = release(&holds[i]);
		if (r < 0)
			log_warn("dropping what a closed connection held: %s",
			    strerror(-r));
	}
}

void
snapd_conns_drop_all(void)
{
	snapd_conn_down(NULL);
	cache_close();
	free(holds);
	holds = NULL;
}

/* [str id] and nothing more; with flag, [str id, bool]; with opt, the
 * bool may be left out (0) */
static int
read_id_opt(struct ipc_msg *m, char *id, size_t size, int *flag, int opt)
{
	struct ipc_rd rd;
	const char *s;
	size_t len;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_str(&rd, &s, &len) < 0 ||
	    len >= size || (len && memchr(s, '\0', len)))
		return -EBADMSG;
	if (len)
		memcpy(id, s, len);
	id[len] = '\0';
	if (flag)
		*flag = 0;
	if (flag && !(opt && rd.i == rd.n) && ipc_rd_bool(&rd, flag) < 0)
		return -EBADMSG;
	return ipc_rd_end(&rd);
}

static int
read_id(struct ipc_msg *m, char *id, size_t size, int *flag)
{
	return read_id_opt(m, id, size, flag, 0);
}

static int
reply_mounted(struct ipc_peer *p, uint32_t id, const struct store_info *in)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, in->id);
	ipc_wr_str(&w, in->path);
	r = ipc_send(p, IPC_SNAP_MOUNTED, id, &w, NULL, 0);
	ipc_wr_free(&w);
	return r;
}

static int
fail(struct ipc_peer *p, struct ipc_msg *m, int r, const char *what, const char *id)
{
	const char *why = r == -ENOENT ? "no such committed snapshot" :
	    r == -EINVAL ? "it is not committed" : strerror(-r);

	return ipc_reply_error(p, m->hdr.id, -r, "kiln-snapd: %s %s: %s", what,
	    *id ? id : "the empty root", why);
}

static int
on_prepare(struct ipc_peer *p, struct ipc_msg *m)
{
	char parent[STORE_ID_MAX];
	struct store_info in;
	int step, r;

	if (read_id_opt(m, parent, sizeof(parent), &step, 1) < 0)
		return -EBADMSG;
	r = step ? store_prepare_step(parent, &in) : store_prepare(parent, &in);
	if (r < 0)
		return fail(p, m, r, "preparing a snapshot on", parent);
	if ((r = hold_add(p, HOLD_MOUNT, in.id)) < 0) {
		store_remove(in.id);
		return r;
	}
	r = reply_mounted(p, m->hdr.id, &in);
	store_make_spare();	/* answered: now, while the step runs */
	return r;
}

static int
on_view(struct ipc_peer *p, struct ipc_msg *m)
{
	char id[STORE_ID_MAX];
	struct store_info in;
	int r;

	if (read_id(m, id, sizeof(id), NULL) < 0)
		return -EBADMSG;
	if ((r = store_view(id, &in)) < 0)
		return fail(p, m, r, "viewing", id);
	if ((r = hold_add(p, HOLD_MOUNT, in.id)) < 0) {
		store_remove(in.id);
		return r;
	}
	return reply_mounted(p, m->hdr.id, &in);
}

static int
on_commit(struct ipc_peer *p, struct ipc_msg *m)
{
	char id[STORE_ID_MAX];
	struct store_info in, next;
	struct ipc_wr w;
	struct hold *h;
	int ahead, r;

	if (read_id_opt(m, id, sizeof(id), &ahead, 1) < 0)
		return -EBADMSG;
	if ((h = hold_find(p, HOLD_MOUNT, id)) == NULL)
		return ipc_reply_error(p, m->hdr.id, ENOENT, "kiln-snapd: committing "
		    "%s: not a snapshot this connection prepared", id);
	if ((r = store_commit(id, &in)) < 0)
		return ipc_reply_error(p, m->hdr.id, -r, "kiln-snapd: committing %s: %s",
		    id, r == -EINVAL ? "a view, not a prepared snapshot" : strerror(-r));
	hold_del(h);
	gc_kick();
	/* the next step's snapshot in the same answer: one round trip less
	 * a step; without it, solverd prepares as usual */
	if (ahead && (r = store_prepare_step(in.id, &next)) < 0) {
		log_warn("preparing the next step on %s: %s", in.id, strerror(-r));
		ahead = 0;
	} else if (ahead && hold_add(p, HOLD_MOUNT, next.id) < 0) {
		store_remove(next.id);
		ahead = 0;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, ahead ? 4 : 2);
	ipc_wr_str(&w, in.id);
	msgpack_pack_uint64(&w.pk, in.size);
	if (ahead) {
		ipc_wr_str(&w, next.id);
		ipc_wr_str(&w, next.path);
	}
	r = ipc_send(p, IPC_SNAP_COMMITTED, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
	store_make_spare();	/* answered: now, while the next step runs */
	return r;
}

static int
on_remove(struct ipc_peer *p, struct ipc_msg *m)
{
	char id[STORE_ID_MAX];
	struct hold *h;
	int r;

	if (read_id(m, id, sizeof(id), NULL) < 0)
		return -EBADMSG;
	if ((h = hold_find(p, HOLD_MOUNT, id)) == NULL &&
	    (h = hold_find(p, HOLD_CACHE, id)) == NULL)
		return ipc_reply_error(p, m->hdr.id, ENOENT, "kiln-snapd: removing %s: "
		    "not a prepared snapshot, view or cache hold of this connection", id);
	if ((r = release(h)) < 0)
		return ipc_reply_error(p, m->hdr.id, -r, "kiln-snapd: removing %s: %s",
		    id, strerror(-r));
	return ipc_reply_empty(p, IPC_OK, m->hdr.id);
}

static int
on_stat(struct ipc_peer *p, struct ipc_msg *m)
{
	char id[STORE_ID_MAX];
	struct store_info in;
	struct ipc_wr w;
	int r;

	if (read_id(m, id, sizeof(id), NULL) < 0)
		return -EBADMSG;
	r = store_stat(id, &in);
	if (r == 0 && in.kind != STORE_COMMITTED)
		r = -ENOENT;
	if (r < 0)
		return ipc_reply_error(p, m->hdr.id, -r, "kiln-snapd: %s: %s", id,
		    r == -ENOENT ? "no such committed snapshot" : strerror(-r));
	/* a cache hit is a use */
	store_touch(id);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 4);
	ipc_wr_str(&w, in.id);
	ipc_wr_str(&w, in.parent);
	msgpack_pack_uint64(&w.pk, in.size);
	msgpack_pack_int64(&w.pk, in.last_used);
	r = ipc_send(p, IPC_SNAP_STAT_REPLY, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
	return r;
}

static int
on_lease(struct ipc_peer *p, struct ipc_msg *m)
{
	char id[STORE_ID_MAX];
	struct store_info in;
	struct hold *h;
	int hold, r;

	if (read_id(m, id, sizeof(id), &hold) < 0)
		return -EBADMSG;
	if (!hold) {
		if ((h = hold_find(p, HOLD_LEASE, id)) == NULL)
			return ipc_reply_error(p, m->hdr.id, ENOENT, "kiln-snapd: %s: "
			    "this connection holds no lease on it", id);
		release(h);
		return ipc_reply_empty(p, IPC_OK, m->hdr.id);
	}
	if ((r = store_stat(id, &in)) < 0 || in.kind != STORE_COMMITTED)
		return ipc_reply_error(p, m->hdr.id, ENOENT, "kiln-snapd: leasing %s: "
		    "no such committed snapshot", id);
	if ((r = store_lease(id, 1)) < 0)
		return r;
	if ((r = hold_add(p, HOLD_LEASE, id)) < 0) {
		store_lease(id, 0);
		return r;
	}
	return ipc_reply_empty(p, IPC_OK, m->hdr.id);
}

/* SNAP_CACHE (cache.c) answers when the directory may be used, maybe
 * later (locked): the hold is recorded then. */
static void
cache_ready(struct ipc_peer *p, uint32_t req, const char *hold_id, const char *path,
    int err)
{
	struct store_info in = { 0 };

	if (err) {
		ipc_reply_error(p, req, -err, "kiln-snapd: cache mount: %s", strerror(-err));
		return;
	}
	if (hold_add(p, HOLD_CACHE, hold_id) < 0) {
		cache_release(hold_id);
		ipc_reply_error(p, req, ENOMEM, "kiln-snapd: cache mount: out of memory");
		return;
	}
	snprintf(in.id, sizeof(in.id), "%s", hold_id);
	snprintf(in.path, sizeof(in.path), "%s", path);
	reply_mounted(p, req, &in);
}

static int
on_cache(struct ipc_peer *p, struct ipc_msg *m)
{
	return cache_request(p, m, cache_ready);
}

const struct ipc_handler snapd_solverd_handlers[] = {
	{ IPC_SNAP_PREPARE, on_prepare },
	{ IPC_SNAP_VIEW, on_view },
	{ IPC_SNAP_COMMIT, on_commit },
	{ IPC_SNAP_REMOVE, on_remove },
	{ IPC_SNAP_STAT, on_stat },
	{ IPC_SNAP_LEASE, on_lease },
	{ IPC_SNAP_CACHE, on_cache },
	{ IPC_DU, gc_on_du },
	{ IPC_PRUNE, gc_on_prune },
	IPC_HANDLERS_END
};
