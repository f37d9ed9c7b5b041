/* run.c: execd's EXEC_RUN and EXEC_CANCEL: checks a request, relays it to the spawner, relays the answers back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>
#include "execd.h"
#include "log.h"

/* One step on its way: who asked, under which id, and the spawner's id. */
struct run {
	struct run	*next;
	struct helper	*h;
	enum kiln_proc	 who;
	struct ipc_peer	*from;
	uint32_t	 id;
	uint32_t	 tag;		/* 0 until EXEC_STARTED */
	int		 cancel_wanted;
};

static struct run *runs;
static struct ipc_peer *spawner;

static void
run_free(struct run *dead)
{
	for (struct run **pp = &runs; *pp; pp = &(*pp)->next)
		if (*pp == dead) {
			*pp = dead->next;
			break;
		}
	free(dead);
}

/* The requester's connection, unless it went away (or was replaced by a
 * restarted helper, which does not know this id). */
static struct ipc_peer *
requester(const struct run *r)
{
	return r->h->peers[r->who] == r->from ? r->from : NULL;
}

static void
relay(struct ipc_peer *to, const struct ipc_msg *m, uint32_t id)
{
	if (to != NULL)
		ipc_send_copy(to, id, m);
}

static void
send_cancel(struct run *r)
{
	struct ipc_wr w;

	if (spawner == NULL)
		return;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_uint32(&w.pk, r->tag);
	ipc_send(spawner, IPC_EXEC_CANCEL, 0, &w, NULL, 0);
	ipc_wr_free(&w);
}

static void
on_spawner_answer(struct ipc_peer *sp, struct ipc_msg *m, void *arg)
{
	struct run *r = arg;
	struct ipc_peer *to = requester(r);

	if (m == NULL) {
		if (to)
			ipc_reply_error(to, r->id, ECONNRESET, "kiln-execd: the step "
			    "spawner died; the step was killed");
		run_free(r);
		return;
	}
	if (m->hdr.type == IPC_EXEC_STARTED) {
		r->tag = m->hdr.id;
		if (r->cancel_wanted)
			send_cancel(r);
		relay(to, m, r->id);
		return;
	}
	relay(to, m, r->id);
	run_free(r);
}

/* The body is checked here too, so that a bad one is answered without
 * waking the spawner; *nfds is the count of fds it must carry. */
static int
check_request(struct ipc_peer *p, struct ipc_msg *m, int *nfds)
{
	struct exec_spec spec;
	char why[256];
	int r;

	if (spawner == NULL)
		return ipc_reply_error(p, m->hdr.id, ECONNRESET, "kiln-execd: "
		    "no step spawner"), -ECONNRESET;
	r = exec_spec_parse(&m->body, &spec, why, sizeof(why));
	if (r < 0)
		return ipc_reply_error(p, m->hdr.id, -r, "kiln-execd: %s", why), r;
	r = -EINVAL;
	if (m->nfds != spec.nfds)
		ipc_reply_error(p, m->hdr.id, EINVAL, "kiln-execd: EXEC_RUN carries "
		    "the step's stdout and stderr pipes and one fd per bind of an "
		    "fd or secret: %d expected, %d came", spec.nfds, m->nfds);
	else if (spec.insecure && !execd_opts.allow_insecure)
		ipc_reply_error(p, m->hdr.id, EPERM, "kiln-execd: security=insecure "
		    "needs kilnd --allow-insecure-entitlement security.insecure");
	else
		r = 0;
	*nfds = spec.nfds;
	exec_spec_free(&spec);
	return r;
}

int
run_on_exec(struct ipc_peer *p, struct ipc_msg *m)
{
	struct helper *h = helper_of(p);
	struct ipc_wr w;
	struct run *r;
	int err, nfds;

	if (check_request(p, m, &nfds) < 0)
		return 0;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	*r = (struct run){ runs, h, ipc_peer_who(p), p, m->hdr.id, 0, 0 };
	ipc_wr_init(&w);
	msgpack_pack_object(&w.pk, m->body);
	/* ipc_request owns the fds from here, sent or not */
	err = ipc_request(spawner, IPC_EXEC_RUN, &w, m->fds, nfds, on_spawner_answer, r);
	for (int i = 0; i < nfds; i++)
		m->fds[i] = -1;
	ipc_wr_free(&w);
	if (err < 0) {
		free(r);
		return err;
	}
	runs = r;
	return 0;
}

int
run_on_cancel(struct ipc_peer *p, struct ipc_msg *m)
{
	struct ipc_rd rd;
	uint64_t id;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_u64(&rd, &id) < 0 ||
	    ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	for (struct run *r = runs; r; r = r->next) {
		if (r->from != p || r->id != id)
			continue;
		r->cancel_wanted = 1;
		if (r->tag)
			send_cancel(r);
	}
	return 0;
}

/* A restarted requester knows none of its predecessor's steps. */
void
run_peer_up(struct helper *h, enum kiln_proc who)
{
	for (struct run *r = runs; r; r = r->next)
		if (r->who == who && requester(r) == NULL && !r->cancel_wanted) {
			log_info("cancelling a step of the previous %s", proc_name(who));
			r->cancel_wanted = 1;
			if (r->tag)
				send_cancel(r);
		}
}

/* Without its spawner execd cannot run a step: kilnd restarts it. */
static void
on_spawner_closed(struct ipc_peer *p, void *arg)
{
	struct helper *h = arg;

	spawner = NULL;
	if (h->shutting_down)
		return;
	log_error("the step spawner died; exiting so that kilnd restarts kiln-execd");
	h->shutting_down = 1;
	event_base_loopexit(h->base, NULL);
}

static const struct ipc_handler from_spawner[] = {
	IPC_HANDLERS_END
};

int
run_attach_spawner(struct helper *h, int fd)
{
	spawner = ipc_peer_new(h->base, fd, PROC_EXECD, from_spawner, h);
	if (spawner == NULL)
		return -errno;
	ipc_peer_set_close_cb(spawner, on_spawner_closed, h);
	return 0;
}
