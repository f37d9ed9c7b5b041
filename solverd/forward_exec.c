/* forward_exec.c: relays a client's EXEC_RUN and EXEC_CANCEL to kiln-execd and execd's answers back. */
#include <errno.h>
#include <stdlib.h>
#include "forward_exec.h"
#include "log.h"

/* One forwarded step. execd_id is learnt from EXEC_STARTED, the first
 * answer; a cancel that comes earlier waits for it. */
struct xfwd {
	struct xfwd	*next;
	struct helper	*h;
	struct ipc_peer	*client;	/* NULL once the client left */
	struct ipc_peer	*execd;
	uint32_t	 client_id, execd_id;
	int		 cancel_wanted;
};

static struct xfwd *fwds;

static void
xfwd_free(struct xfwd *dead)
{
	for (struct xfwd **pp = &fwds; *pp; pp = &(*pp)->next)
		if (*pp == dead) {
			*pp = dead->next;
			break;
		}
	free(dead);
}

static void
send_cancel(struct xfwd *x)
{
	struct ipc_wr w;

	/* a restarted execd took the step with its predecessor */
	if (x->h->peers[PROC_EXECD] != x->execd || x->execd_id == 0)
		return;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_uint32(&w.pk, x->execd_id);
	ipc_send(x->execd, IPC_EXEC_CANCEL, 0, &w, NULL, 0);
	ipc_wr_free(&w);
}

static void
relay(struct xfwd *x, const struct ipc_msg *m)
{
	if (x->client != NULL)
		ipc_send_copy(x->client, x->client_id, m);
}

static void
on_execd_answer(struct ipc_peer *execd, struct ipc_msg *m, void *arg)
{
	struct xfwd *x = arg;

	if (m == NULL) {
		if (x->client)
			ipc_reply_error(x->client, x->client_id, ECONNRESET,
			    "kiln-execd went away during the step; the step's "
			    "processes died with it");
		xfwd_free(x);
		return;
	}
	if (m->hdr.type == IPC_EXEC_STARTED) {
		x->execd_id = m->hdr.id;
		if (x->cancel_wanted)
			send_cancel(x);
	}
	relay(x, m);
	if (m->hdr.type != IPC_EXEC_STARTED)
		xfwd_free(x);
}

int
fwd_exec_run(struct helper *h, struct ipc_peer *client, struct ipc_msg *m)
{
	struct ipc_peer *execd = h->peers[PROC_EXECD];
	struct ipc_wr w;
	struct xfwd *x;
	int r;

	if (!h->test_hooks)
		return ipc_reply_error(client, m->hdr.id, EPERM, "kilnctl debug run "
		    "needs kilnd --test-hooks"), 0;
	/* stdout, stderr, then one per bind of an fd or secret: execd
	 * checks the count against the body */
	if (m->nfds < 2)
		return -EBADMSG;
	if (execd == NULL)
		return ipc_reply_error(client, m->hdr.id, ENOTCONN, "kiln-execd is "
		    "not connected (restarting?)"), 0;
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return -ENOMEM;
	*x = (struct xfwd){ fwds, h, client, execd, m->hdr.id, 0, 0 };
	ipc_wr_init(&w);
	msgpack_pack_object(&w.pk, m->body);
	/* the fds are execd's from here, sent or not */
	r = ipc_request(execd, IPC_EXEC_RUN, &w, m->fds, m->nfds, on_execd_answer, x);
	for (int i = 0; i < m->nfds; i++)
		m->fds[i] = -1;
	ipc_wr_free(&w);
	if (r < 0) {
		free(x);
		return r;
	}
	fwds = x;
	return 0;
}

int
fwd_exec_cancel(struct helper *h, struct ipc_peer *client, struct ipc_msg *m)
{
	struct ipc_rd rd;
	uint64_t id;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_u64(&rd, &id) < 0 ||
	    ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	for (struct xfwd *x = fwds; x; x = x->next)
		if (x->client == client && x->client_id == id) {
			x->cancel_wanted = 1;
			send_cancel(x);
		}
	return 0;
}

void
fwd_exec_client_gone(struct ipc_peer *client)
{
	for (struct xfwd *x = fwds; x; x = x->next)
		if (x->client == client) {
			x->client = NULL;
			x->cancel_wanted = 1;
			send_cancel(x);
		}
}
