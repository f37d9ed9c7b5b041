/* ipc_peer.c: one IPC connection on libevent: queueing, dispatch, request ids, backpressure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <event2/event.h>
#include "ipc.h"
#include "log.h"

struct out_frame {
	TAILQ_ENTRY(out_frame)	entry;
	size_t			len;
	int			fds[IPC_MAX_FDS];
	int			nfds;
	uint8_t			data[];
};

struct pending {
	struct pending	*next;
	uint32_t	id;
	ipc_reply_fn	cb;
	void		*arg;
};

struct ipc_peer {
	struct event_base		*base;
	int				 fd;
	enum kiln_proc			 who;
	const struct ipc_handler	*handlers;
	void				*ctx;
	struct event			*ev_read, *ev_write;
	TAILQ_HEAD(, out_frame)		 outq;
	size_t				 queued;
	struct pending			*pending;
	unsigned			 n_pending, serving;
	uint32_t			 next_id;
	ipc_close_fn			 close_cb;
	void				*close_arg;
	int				 paused, closed, in_dispatch, bad_frames;
	struct ipc_stats		 st;
};

/* One receive buffer per process: frames are handled one at a time. */
static uint8_t rxbuf[IPC_MAX_FRAME];

static void peer_read_cb(evutil_socket_t fd, short what, void *arg);
static void peer_write_cb(evutil_socket_t fd, short what, void *arg);
static void peer_free(struct ipc_peer *p);

static void
close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

struct ipc_peer *
ipc_peer_new(struct event_base *base, int fd, enum kiln_proc who,
    const struct ipc_handler *handlers, void *ctx)
{
	struct ipc_peer *p = calloc(1, sizeof(*p));

	if (p == NULL)
		goto fail;
	evutil_make_socket_nonblocking(fd);
	p->base = base;
	p->fd = fd;
	p->who = who;
	p->handlers = handlers;
	p->ctx = ctx;
	p->next_id = 1;
	TAILQ_INIT(&p->outq);
	p->ev_read = event_new(base, fd, EV_READ | EV_PERSIST, peer_read_cb, p);
	p->ev_write = event_new(base, fd, EV_WRITE, peer_write_cb, p);
	if (p->ev_read == NULL || p->ev_write == NULL ||
	    event_add(p->ev_read, NULL) < 0)
		goto fail;
	return p;
fail:
	if (p) {
		if (p->ev_read)
			event_free(p->ev_read);
		if (p->ev_write)
			event_free(p->ev_write);
		free(p);
	}
	close(fd);
	errno = ENOMEM;
	return NULL;
}

void ipc_peer_set_close_cb(struct ipc_peer *p, ipc_close_fn fn, void *arg)
{
	p->close_cb = fn;
	p->close_arg = arg;
}
void *ipc_peer_ctx(const struct ipc_peer *p) { return p->ctx; }
enum kiln_proc ipc_peer_who(const struct ipc_peer *p) { return p->who; }
size_t ipc_peer_queued(const struct ipc_peer *p) { return p->queued; }
int ipc_peer_fd(const struct ipc_peer *p) { return p->fd; }
void ipc_peer_stats(const struct ipc_peer *p, struct ipc_stats *st) { *st = p->st; }

static void
fail_pending(struct ipc_peer *p)
{
	while (p->pending) {
		struct pending *pd = p->pending;

		p->pending = pd->next;
		p->n_pending--;
		pd->cb(p, NULL, pd->arg);
		free(pd);
	}
}

void
ipc_peer_close(struct ipc_peer *p)
{
	struct out_frame *f;

	if (p->closed)
		return;
	p->closed = 1;
	event_del(p->ev_read);
	event_del(p->ev_write);
	close(p->fd);
	p->fd = -1;
	while ((f = TAILQ_FIRST(&p->outq)) != NULL) {
		TAILQ_REMOVE(&p->outq, f, entry);
		close_fds(f->fds, f->nfds);
		free(f);
	}
	p->queued = 0;
	p->in_dispatch++;	/* callbacks below may close again: keep p alive */
	fail_pending(p);
	if (p->close_cb)
		p->close_cb(p, p->close_arg);
	p->in_dispatch--;
	if (p->in_dispatch == 0)
		peer_free(p);
}

static void
peer_free(struct ipc_peer *p)
{
	event_free(p->ev_read);
	event_free(p->ev_write);
	free(p);
}

static void
set_reading(struct ipc_peer *p, int on)
{
	if (p->closed || p->paused == !on)
		return;
	p->paused = !on;
	if (on)
		event_add(p->ev_read, NULL);
	else
		event_del(p->ev_read);
}

/* 1 sent, 0 would block, negative errno */
static int
try_send(struct ipc_peer *p, struct out_frame *f)
{
	union ipc_cmsg cm;
	struct iovec iov = { f->data, f->len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	ipc_cmsg_put_fds(&mh, &cm, f->fds, f->nfds);
	do {
		n = sendmsg(p->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return (errno == EAGAIN || errno == ENOBUFS) ? 0 : -errno;
	/* only now are the descriptors the peer's */
	close_fds(f->fds, f->nfds);
	p->st.frames_out++;
	return 1;
}

static void
peer_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_peer *p = arg;
	struct out_frame *f;

	while ((f = TAILQ_FIRST(&p->outq)) != NULL) {
		int r = try_send(p, f);

		if (r == 0) {
			/* still blocked, but maybe under the low mark now */
			event_add(p->ev_write, NULL);
			break;
		}
		if (r < 0) {
			log_warn("send to %s: %s", proc_name(p->who), strerror(-r));
			ipc_peer_close(p);
			return;
		}
		TAILQ_REMOVE(&p->outq, f, entry);
		p->queued -= f->len;
		free(f);
	}
	if (p->queued < IPC_LOW_WATER)
		set_reading(p, 1);
}

int
ipc_send(struct ipc_peer *p, uint16_t type, uint32_t id,
    const struct ipc_wr *body, int *fds, int nfds)
{
	const struct ipc_type_info *t = ipc_type_lookup(type);
	size_t blen = body ? body->sbuf.size : 0;
	struct out_frame *f = NULL;
	struct ipc_hdr h;
	int r;

	if (p->closed)
		r = -EPIPE;
	else if (nfds < 0 || nfds > IPC_MAX_FDS)
		r = -EINVAL;
	else if (blen > IPC_MAX_BODY)
		r = -E2BIG;
	else if (p->queued + blen > IPC_MAX_QUEUED)
		r = -ENOBUFS;
	else
		r = 0;
	if (r < 0)
		goto fail;
	f = malloc(sizeof(*f) + IPC_HDR_SIZE + blen);
	if (f == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	h = (struct ipc_hdr){ (uint32_t)blen, type, IPC_VERSION, (uint8_t)nfds, id };
	ipc_hdr_encode(f->data, &h);
	if (blen)
		memcpy(f->data + IPC_HDR_SIZE, body->sbuf.data, blen);
	f->len = IPC_HDR_SIZE + blen;
	f->nfds = nfds;
	for (int i = 0; i < nfds; i++)
		f->fds[i] = fds[i];
	if (t && t->kind == IPC_KIND_REPLY && p->serving > 0)
		p->serving--;
	if (TAILQ_EMPTY(&p->outq)) {
		r = try_send(p, f);
		if (r == 1) {
			free(f);
			return 0;
		}
		if (r < 0) {
			close_fds(f->fds, f->nfds);
			free(f);
			return r;
		}
	}
	TAILQ_INSERT_TAIL(&p->outq, f, entry);
	p->queued += f->len;
	event_add(p->ev_write, NULL);
	if (p->queued > IPC_HIGH_WATER)
		set_reading(p, 0);	/* XOFF until the peer drains us */
	return 0;
fail:
	close_fds(fds, nfds);
	return r;
}

int
ipc_request(struct ipc_peer *p, uint16_t type, const struct ipc_wr *body,
    int *fds, int nfds, ipc_reply_fn cb, void *arg)
{
	struct pending *pd;
	int r;

	if (p->n_pending >= IPC_MAX_INFLIGHT) {
		close_fds(fds, nfds);
		return -EAGAIN;
	}
	pd = calloc(1, sizeof(*pd));
	if (pd == NULL) {
		close_fds(fds, nfds);
		return -ENOMEM;
	}
	pd->id = p->next_id++;
	if (p->next_id == 0)
		p->next_id = 1;
	pd->cb = cb;
	pd->arg = arg;
	r = ipc_send(p, type, pd->id, body, fds, nfds);
	if (r < 0) {
		free(pd);
		return r;
	}
	pd->next = p->pending;
	p->pending = pd;
	p->n_pending++;
	return 0;
}

int
ipc_reply_error(struct ipc_peer *p, uint32_t id, int err, const char *fmt, ...)
{
	struct ipc_wr w;
	char text[512];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	msgpack_pack_int64(&w.pk, err);
	ipc_wr_str(&w, text);
	r = ipc_send(p, IPC_ERROR, id, &w, NULL, 0);
	ipc_wr_free(&w);
	return r;
}

int
ipc_reply_empty(struct ipc_peer *p, uint16_t type, uint32_t id)
{
	return ipc_send(p, type, id, NULL, NULL, 0);
}

int
ipc_send_copy(struct ipc_peer *p, uint32_t id, const struct ipc_msg *m)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	if (m->hdr.len)
		msgpack_pack_object(&w.pk, m->body);
	r = ipc_send(p, m->hdr.type, id, &w, NULL, 0);
	ipc_wr_free(&w);
	return r;
}

int
ipc_error_parse(const struct ipc_msg *msg, int64_t *err, const char **text,
    size_t *len)
{
	struct ipc_rd rd;

	if (ipc_rd_init(&rd, &msg->body) < 0 || ipc_rd_i64(&rd, err) < 0 ||
	    ipc_rd_str(&rd, text, len) < 0)
		return -EBADMSG;
	return ipc_rd_end(&rd);
}

static struct pending *
take_pending(struct ipc_peer *p, uint32_t id, int remove)
{
	for (struct pending **pp = &p->pending; *pp; pp = &(*pp)->next) {
		struct pending *pd = *pp;

		if (pd->id != id)
			continue;
		if (remove) {
			*pp = pd->next;
			p->n_pending--;
		}
		return pd;
	}
	return NULL;
}

static const struct ipc_handler *
find_handler(const struct ipc_peer *p, uint16_t type)
{
	for (const struct ipc_handler *h = p->handlers; h && h->fn; h++)
		if (h->type == type)
			return h;
	return NULL;
}

static void
bad_frame(struct ipc_peer *p, const struct ipc_hdr *h, int have_hdr, int err)
{
	const struct ipc_type_info *t = have_hdr ? ipc_type_lookup(h->type) : NULL;

	p->st.bad_frames++;
	log_warn("bad frame from %s (type %u %s, id %u): %s", proc_name(p->who),
	    have_hdr ? h->type : 0, have_hdr ? ipc_type_name(h->type) : "-",
	    have_hdr ? h->id : 0, strerror(-err));
	/* answer what could be a request; never answer an answer */
	if (have_hdr && h->id != 0 && (t == NULL || t->kind == IPC_KIND_REQ)) {
		/* a refused request was never counted as served: count it so
		 * the reply's decrement does not free a slot of another */
		p->serving++;
		ipc_reply_error(p, h->id, -err, "%s refused frame of type %u: %s",
		    log_ident(), h->type, strerror(-err));
	}
	if (++p->bad_frames > IPC_MAX_BAD_FRAMES) {
		log_warn("closing connection to %s after %d bad frames",
		    proc_name(p->who), p->bad_frames);
		ipc_peer_close(p);
	}
}

static void
dispatch_answer(struct ipc_peer *p, struct ipc_msg *m, const struct ipc_type_info *t)
{
	struct pending *pd = take_pending(p, m->hdr.id, t->kind == IPC_KIND_REPLY);

	if (pd == NULL) {
		bad_frame(p, &m->hdr, 1, -ENOENT);
		return;
	}
	pd->cb(p, m, pd->arg);
	if (t->kind == IPC_KIND_REPLY)
		free(pd);
}

static void
dispatch_request(struct ipc_peer *p, struct ipc_msg *m, const struct ipc_type_info *t)
{
	const struct ipc_handler *h = find_handler(p, m->hdr.type);
	int is_req = t->kind == IPC_KIND_REQ, r;

	if (h == NULL) {
		bad_frame(p, &m->hdr, 1, -EOPNOTSUPP);
		return;
	}
	if (is_req && p->serving >= IPC_MAX_INFLIGHT) {
		ipc_reply_error(p, m->hdr.id, EBUSY, "%s: too many open requests",
		    log_ident());
		return;
	}
	if (is_req)
		p->serving++;
	r = h->fn(p, m);
	if (r < 0 && !p->closed) {
		log_warn("%s from %s: %s", t->name, proc_name(p->who), strerror(-r));
		if (is_req)
			ipc_reply_error(p, m->hdr.id, -r, "%s: %s: %s", log_ident(),
			    t->name, strerror(-r));
	}
}

static void
handle_record(struct ipc_peer *p, ssize_t n, int *fds, int nfds)
{
	const struct ipc_type_info *t;
	struct ipc_msg m;
	msgpack_zone zone;
	int r;

	msgpack_zone_init(&zone, 1024);
	memset(&m, 0, sizeof(m));
	r = ipc_frame_decode(rxbuf, (size_t)n, nfds, P_BIT(p->who), &zone, &m);
	if (r < 0) {
		bad_frame(p, &m.hdr, n >= IPC_HDR_SIZE, r);
		goto out;
	}
	p->st.frames_in++;
	p->bad_frames = 0;
	for (int i = 0; i < IPC_MAX_FDS; i++)
		m.fds[i] = i < nfds ? fds[i] : -1;
	m.nfds = nfds;
	t = ipc_type_lookup(m.hdr.type);
	if (t->kind == IPC_KIND_REPLY || t->kind == IPC_KIND_EVENT)
		dispatch_answer(p, &m, t);
	else
		dispatch_request(p, &m, t);
	for (int i = 0; i < nfds; i++)
		fds[i] = m.fds[i];
out:
	close_fds(fds, nfds);	/* what the handler did not keep */
	msgpack_zone_destroy(&zone);
}

static void
peer_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_peer *p = arg;

	p->in_dispatch++;
	/* a bounded batch, so one chatty peer cannot starve the others */
	for (int batch = 0; batch < 64 && !p->closed && !p->paused; batch++) {
		int fds[IPC_MAX_FDS], nfds = 0;
		ssize_t n;

		/* a cut record may be shorter than a header: never answer it
		 * with the id of the frame before */
		memset(rxbuf, 0, IPC_HDR_SIZE);
		n = ipc_frame_recv(p->fd, rxbuf, sizeof(rxbuf), fds, &nfds,
		    MSG_DONTWAIT);

		if (n == -EAGAIN)
			break;
		/* A peer that died with frames of ours unread makes the first
		 * recv fail with ECONNRESET, before what it sent last (a
		 * helper's SECCOMP_NOTE) is read: read on, up to the end. */
		if (n == -ECONNRESET)
			continue;
		if (n == 0) {
			ipc_peer_close(p);
			break;
		}
		if (n < 0) {
			struct ipc_hdr h;

			close_fds(fds, nfds);
			/* the buffer still holds the header of a cut record */
			ipc_hdr_decode(rxbuf, &h);
			if (n == -EMSGSIZE || n == -ETOOMANYREFS)
				bad_frame(p, &h, 1, n == -EMSGSIZE ? -E2BIG : -EPERM);
			else {
				log_warn("receive from %s: %s", proc_name(p->who),
				    strerror((int)-n));
				ipc_peer_close(p);
			}
			continue;
		}
		handle_record(p, n, fds, nfds);
	}
	p->in_dispatch--;
	if (p->closed && p->in_dispatch == 0)
		peer_free(p);
}

void
ipc_peer_drain(struct ipc_peer *p)
{
	if (!p->closed && !p->paused)
		peer_read_cb(p->fd, EV_READ, p);
}
