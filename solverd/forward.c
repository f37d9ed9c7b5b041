/* forward.c: relays a client's request, with its fds, to kilnd or a helper, and every answer back under the client's id. */
#include <errno.h>
#include <stdlib.h>
#include "forward.h"
#include "log.h"

/* One relayed request. The client record is reference-counted by api.c
 * so an answer that comes after the client left finds it alive. */
struct fwd {
	struct fwd_client	*client;
	uint32_t		 id;
};

static int
is_event(uint16_t type)
{
	const struct ipc_type_info *t = ipc_type_lookup(type);

	return t && t->kind == IPC_KIND_EVENT;
}

static void
on_answer(struct ipc_peer *target, struct ipc_msg *m, void *arg)
{
	struct fwd *f = arg;
	struct ipc_peer *client = f->client->peer;

	if (client && m == NULL)
		ipc_reply_error(client, f->id, ECONNRESET, "%s went away before "
		    "it answered", proc_name(ipc_peer_who(target)));
	else if (client)
		ipc_send_copy(client, f->id, m);
	if (m && is_event(m->hdr.type))
		return;
	fwd_client_unref(f->client);
	free(f);
}

int
fwd_request(struct fwd_client *c, struct ipc_peer *target, struct ipc_msg *m)
{
	struct fwd *f;
	struct ipc_wr w;
	int r;

	if (target == NULL)
		return ipc_reply_error(c->peer, m->hdr.id, ENOTCONN, "that part "
		    "of kilnd is not connected (restarting?); try again"), 0;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	f->client = c;
	f->id = m->hdr.id;
	ipc_wr_init(&w);
	if (m->hdr.len)
		msgpack_pack_object(&w.pk, m->body);
	c->refs++;
	/* the fds are the target's from here, sent or not */
	r = ipc_request(target, m->hdr.type, &w, m->fds, m->nfds, on_answer, f);
	for (int i = 0; i < m->nfds; i++)
		m->fds[i] = -1;
	ipc_wr_free(&w);
	if (r < 0) {
		c->refs--;
		free(f);
	}
	return r;
}
