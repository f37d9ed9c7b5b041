/* api_build.c: the client's BUILD, BUILD_CANCEL and HISTORY requests. */
#include <errno.h>
#include <stdlib.h>
#include "api_build.h"
#include "build.h"
#include "cachedb.h"
#include "forward.h"

int
api_on_build(struct ipc_peer *p, struct ipc_msg *m)
{
	struct fwd_client *c = ipc_peer_ctx(p);

	return build_start(c->helper, c, m);
}

int
api_on_build_cancel(struct ipc_peer *p, struct ipc_msg *m)
{
	struct fwd_client *c = ipc_peer_ctx(p);
	struct ipc_rd rd;
	uint64_t id;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_u64(&rd, &id) < 0 ||
	    ipc_rd_end(&rd) < 0 || id > UINT32_MAX)
		return -EBADMSG;
	build_cancel(c, (uint32_t)id, 0);
	return 0;
}

void
api_client_gone(struct fwd_client *c)
{
	build_cancel(c, 0, 1);
}

static int
pack_row(const struct history_row *r, void *arg)
{
	struct ipc_wr *w = arg;

	msgpack_pack_array(&w->pk, 9);
	ipc_wr_str(w, r->id);
	msgpack_pack_int64(&w->pk, r->started);
	ipc_wr_str(w, r->dockerfile);
	ipc_wr_str(w, r->target);
	ipc_wr_str(w, r->status);
	msgpack_pack_int64(&w->pk, r->duration_ms);
	msgpack_pack_uint64(&w->pk, r->steps);
	msgpack_pack_uint64(&w->pk, r->cached);
	ipc_wr_str(w, r->result);
	return 0;
}

static int
count_row(const struct history_row *r, void *arg)
{
	(*(size_t *)arg)++;
	return 0;
}

/* HISTORY [u64 limit]: counted first, since msgpack wants the length */
int
api_on_history(struct ipc_peer *p, struct ipc_msg *m)
{
	struct ipc_rd rd;
	struct ipc_wr w;
	uint64_t limit;
	size_t n = 0;
	int r;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_u64(&rd, &limit) < 0 ||
	    ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	/* a reply must fit one frame: about 400 rows of full ones */
	if (limit == 0 || limit > 400)
		limit = 400;
	if ((r = history_each(limit, count_row, &n)) < 0)
		return ipc_reply_error(p, m->hdr.id, -r, "reading the build history: %s",
		    r == -ENOTCONN ? "no database" : "sqlite error"), 0;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_array(&w.pk, n);
	history_each(n, pack_row, &w);
	r = ipc_send(p, IPC_HISTORY_REPLY, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
	return r;
}
