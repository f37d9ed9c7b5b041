/* api.c: kiln-solverd's client API: accepts kilnctl, checks who it is, serves or forwards requests. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <event2/event.h>
#include "log.h"
#include "api_build.h"
#include "forward.h"
#include "forward_exec.h"
#include "solverd.h"

static struct event *accept_ev;

void
fwd_client_unref(struct fwd_client *c)
{
	if (--c->refs == 0)
		free(c);
}

static void
client_closed(struct ipc_peer *p, void *arg)
{
	struct fwd_client *c = arg;

	c->peer = NULL;
	fwd_exec_client_gone(p);
	api_client_gone(c);
	fwd_client_unref(c);
}

/* INFO and DEBUG_VIOLATE are answered by kilnd, which knows the helpers. */
static int
on_to_kilnd(struct ipc_peer *p, struct ipc_msg *m)
{
	struct fwd_client *c = ipc_peer_ctx(p);

	return fwd_request(c, c->helper->peers[PROC_SUPERVISOR], m);
}

/* STATUS [helper]: each helper says who it is as it sees itself (pid,
 * the id maps of its namespace, its filter's mode, its capabilities) */
static int
on_status(struct ipc_peer *p, struct ipc_msg *m)
{
	struct fwd_client *c = ipc_peer_ctx(p);
	struct ipc_rd rd;
	char *name = NULL;
	int who, r;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_strdup(&rd, &name) < 0 ||
	    ipc_rd_end(&rd) < 0) {
		free(name);
		return -EBADMSG;
	}
	who = proc_from_name(name);
	free(name);
	if (!proc_is_helper(who))
		return ipc_reply_error(p, m->hdr.id, EINVAL, "STATUS: not a "
		    "helper's name (solverd, execd, snapd, netd)"), 0;
	if (who == PROC_SOLVERD)
		return helper_reply_status(c->helper, p, m->hdr.id);
	r = fwd_request(c, c->helper->peers[who], m);
	return r;
}

/* images, usage and prune are kiln-snapd's */
static int
on_to_snapd(struct ipc_peer *p, struct ipc_msg *m)
{
	struct fwd_client *c = ipc_peer_ctx(p);

	return fwd_request(c, c->helper->peers[PROC_SNAPD], m);
}

/* snapshot, file and export calls straight from a client: only for tests
 * (kilnctl debug call), since they bypass the solver's bookkeeping */
static int
on_to_snapd_test(struct ipc_peer *p, struct ipc_msg *m)
{
	struct fwd_client *c = ipc_peer_ctx(p);

	if (!c->helper->test_hooks)
		return ipc_reply_error(p, m->hdr.id, EPERM, "%s from a client "
		    "needs kilnd --test-hooks", ipc_type_name(m->hdr.type)), 0;
	return on_to_snapd(p, m);
}

/* the registry transport straight from a client: only for tests (kilnctl
 * debug call); logins always, their password fd relayed unread */
static int
on_to_netd(struct ipc_peer *p, struct ipc_msg *m)
{
	struct fwd_client *c = ipc_peer_ctx(p);

	if (m->hdr.type != IPC_REG_LOGIN && !c->helper->test_hooks)
		return ipc_reply_error(p, m->hdr.id, EPERM, "%s from a client "
		    "needs kilnd --test-hooks", ipc_type_name(m->hdr.type)), 0;
	return fwd_request(c, c->helper->peers[PROC_NETD], m);
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
	struct fwd_client *c = ipc_peer_ctx(p);

	return fwd_exec_run(c->helper, p, m);
}

static int
on_exec_cancel(struct ipc_peer *p, struct ipc_msg *m)
{
	struct fwd_client *c = ipc_peer_ctx(p);

	return fwd_exec_cancel(c->helper, p, m);
}

static const struct ipc_handler from_client[] = {
	{ IPC_PING, on_client_ping },
	{ IPC_INFO, on_to_kilnd },
	{ IPC_STATUS, on_status },
	{ IPC_DEBUG_VIOLATE, on_to_kilnd },
	{ IPC_EXEC_RUN, on_exec_run },
	{ IPC_EXEC_CANCEL, on_exec_cancel },
	{ IPC_IMAGE_IMPORT, on_to_snapd },
	{ IPC_IMAGE_LIST, on_to_snapd },
	{ IPC_IMAGE_REMOVE, on_to_snapd },
	{ IPC_DU, on_to_snapd },
	{ IPC_PRUNE, on_to_snapd },
	{ IPC_SNAP_PREPARE, on_to_snapd_test },
	{ IPC_SNAP_VIEW, on_to_snapd_test },
	{ IPC_SNAP_COMMIT, on_to_snapd_test },
	{ IPC_SNAP_REMOVE, on_to_snapd_test },
	{ IPC_SNAP_STAT, on_to_snapd_test },
	{ IPC_SNAP_LEASE, on_to_snapd_test },
	{ IPC_SNAP_COPY, on_to_snapd_test },
	{ IPC_SNAP_MKFILE, on_to_snapd_test },
	{ IPC_SNAP_MKDIR, on_to_snapd_test },
	{ IPC_SNAP_CHECKSUM, on_to_snapd_test },
	{ IPC_SNAP_CACHE, on_to_snapd_test },
	{ IPC_SNAP_DIFF, on_to_snapd_test },
	{ IPC_IMAGE_RESOLVE, on_to_snapd_test },
	{ IPC_IMAGE_CREATE, on_to_snapd_test },
	{ IPC_EXPORT_LOCAL, on_to_snapd_test },
	{ IPC_EXPORT_TAR, on_to_snapd_test },
	{ IPC_IMAGE_PULL, on_to_snapd },
	{ IPC_IMAGE_PUSH, on_to_snapd },
	{ IPC_IMAGE_TAG, on_to_snapd },
	{ IPC_IMAGE_EXPORT, on_to_snapd },
	{ IPC_REG_MANIFEST_GET, on_to_netd },
	{ IPC_REG_BLOB_GET, on_to_netd },
	{ IPC_REG_BLOB_HEAD, on_to_netd },
	{ IPC_REG_BLOB_PUT, on_to_netd },
	{ IPC_REG_MANIFEST_PUT, on_to_netd },
	{ IPC_REG_LOGIN, on_to_netd },
	{ IPC_BUILD, api_on_build },
	{ IPC_BUILD_CANCEL, api_on_build_cancel },
	{ IPC_HISTORY, api_on_history },
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
	struct fwd_client *c;
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
