/* api.c: kiln-solverd's client API: accepts kilnctl, checks who it is, serves or forwards requests. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <event2/event.h>
#include "log.h"
#include "forward_exec.h"
#include "solverd.h"

/* A client connection; its forwarded requests hold references too, so
 * an answer that comes after the client left finds a live record. */
struct client {
	struct helper	*helper;
	struct ipc_peer	*peer;
	int		 refs;
};

struct forward {
	struct client	*client;
	uint32_t	 id;
};

static struct event *accept_ev;

static void
client_unref(struct client *c)
{
	if (--c->refs == 0)
		free(c);
}

static void
client_closed(struct ipc_peer *p, void *arg)
{
	struct client *c = arg;

	c->peer = NULL;
	fwd_exec_client_gone(p);
	client_unref(c);
}

/* Relays kilnd's answer to the client under the client's request id. */
static void
forward_done(struct ipc_peer *sup, struct ipc_msg *m, void *arg)
{
	struct forward *f = arg;
	struct client *c = f->client;
	struct ipc_wr w;

	if (c->peer == NULL)
		goto out;
	if (m == NULL) {
		ipc_reply_error(c->peer, f->id, ECONNRESET,
		    "kilnd went away before it answered");
		goto out;
	}
	ipc_wr_init(&w);
	if (m->hdr.len)
		msgpack_pack_object(&w.pk, m->body);
	ipc_send(c->peer, m->hdr.type, f->id, &w, NULL, 0);
	ipc_wr_free(&w);
out:
	client_unref(c);
	free(f);
}

/* INFO and DEBUG_VIOLATE are answered by kilnd, which knows the helpers. */
static int
on_forward(struct ipc_peer *p, struct ipc_msg *m)
{
	struct client *c = ipc_peer_ctx(p);
	struct ipc_peer *sup = c->helper->peers[PROC_SUPERVISOR];
	struct forward *f;
	struct ipc_wr w;
	int r;

	if (sup == NULL)
		return -ENOTCONN;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	f->client = c;
	f->id = m->hdr.id;
	ipc_wr_init(&w);
	if (m->hdr.len)
		msgpack_pack_object(&w.pk, m->body);
	c->refs++;
	r = ipc_request(sup, m->hdr.type, &w, NULL, 0, forward_done, f);
	ipc_wr_free(&w);
	if (r < 0) {
		c->refs--;
		free(f);
	}
	return r;
}

static int
on_client_ping(struct ipc_peer *p, struct ipc_msg *m)
{
	return ipc_reply_empty(p, IPC_PONG, m->hdr.id);
}

/* kilnctl debug run: forward_exec.c; needs --test-hooks */
static int
on_exec_run(struct ipc_peer *p, struct ipc_msg *m)
{
	struct client *c = ipc_peer_ctx(p);

	return fwd_exec_run(c->helper, p, m);
}

static int
on_exec_cancel(struct ipc_peer *p, struct ipc_msg *m)
{
	struct client *c = ipc_peer_ctx(p);

	return fwd_exec_cancel(c->helper, p, m);
}

static const struct ipc_handler from_client[] = {
	{ IPC_PING, on_client_ping },
	{ IPC_INFO, on_forward },
	{ IPC_DEBUG_VIOLATE, on_forward },
	{ IPC_EXEC_RUN, on_exec_run },
	{ IPC_EXEC_CANCEL, on_exec_cancel },
	IPC_HANDLERS_END
};

/* Only the user who runs kilnd may use it: that user is uid 0 here. */
static int
peer_allowed(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -errno;
	if (cr.uid != geteuid()) {
		log_warn("refused API connection from pid %ld: uid %u is not "
		    "the daemon's user", (long)cr.pid, (unsigned)cr.uid);
		return -EACCES;
	}
	return 0;
}

static void
on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct helper *h = arg;
	struct client *c;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("accept on API socket: %s", strerror(errno));
		return;
	}
	if (peer_allowed(fd) < 0 || (c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->helper = h;
	c->refs = 1;
	c->peer = ipc_peer_new(h->base, fd, PROC_CLIENT, from_client, c);
	if (c->peer == NULL) {
		free(c);
		return;
	}
	ipc_peer_set_close_cb(c->peer, client_closed, c);
}

int
api_on_listen(struct ipc_peer *p, struct ipc_msg *m)
{
	struct helper *h = helper_of(p);

	if (m->nfds != 1)
		return -EBADMSG;
	if (accept_ev) {
		close(event_get_fd(accept_ev));
		event_free(accept_ev);
	}
	evutil_make_socket_nonblocking(m->fds[0]);
	accept_ev = event_new(h->base, m->fds[0], EV_READ | EV_PERSIST, on_accept, h);
	if (accept_ev == NULL)
		return -ENOMEM;
	m->fds[0] = -1;
	event_add(accept_ev, NULL);
	log_debug("serving the API socket");
	return 0;
}
