/* job.c: shares a vertex's run among the builds that want it, queues runs beyond --max-parallelism, and tells every watcher the end. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cachedb.h"
#include "job.h"
#include "log.h"
#include "snapc.h"
#include "util.h"

static struct job *jobs;		/* queued and running, by key */
static struct job *queue_head, **queue_tail = &queue_head;
static int running, max_parallel = 1;

void
job_set_parallelism(int n)
{
	max_parallel = n > 0 ? n : 1;
}

int
job_parallelism(void)
{
	return max_parallel;
}

struct helper *
job_helper(const struct job *j)
{
	return j->owner->h;
}

const char *
job_input_snap(const struct job *j, const struct vertex *in)
{
	const struct bvertex *s = in ? in->sched : NULL;

	return s ? s->snap : "";
}

int
job_ctx_fd(const struct job *j, int ctx)
{
	return ctx < 0 ? j->owner->ctx_fd : j->owner->ctx_dir_fds[ctx];
}

const struct build_secret *
job_secret(const struct job *j, const char *id)
{
	for (size_t i = 0; i < j->owner->nsecrets; i++)
		if (strcmp(j->owner->secrets[i].id, id) == 0)
			return &j->owner->secrets[i];
	return NULL;
}

static struct job *
find(const char *key)
{
	for (struct job *j = jobs; j; j = j->next)
		if (strcmp(j->key, key) == 0 && !j->cancelled)
			return j;
	return NULL;
}

static void
unlink_job(struct job *j)
{
	for (struct job **pp = &jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
}

static void
unqueue(struct job *j)
{
	for (struct job **pp = &queue_head; *pp; pp = &(*pp)->qnext)
		if (*pp == j) {
			*pp = j->qnext;
			break;
		}
	queue_tail = &queue_head;
	while (*queue_tail)
		queue_tail = &(*queue_tail)->qnext;
}

static void
announce_start(struct job *j)
{
	for (struct jwatch *w = j->watchers; w; w = w->next) {
		struct bvertex *s = w->v->sched;

		if (!s->reported) {
			s->reported = 1;
			s->started = build_ms(w->b);
			progress_status(w->b, w->v, "started", 0, NULL);
		}
	}
}

static void start_queued(void);

static void
run(struct job *j)
{
	int r;

	j->state = J_RUNNING;
	j->t_start = util_now_ms();
	running++;
	log_info("running %s (%s, %d at once)", j->v->name, j->key, running);
	announce_start(j);
	r = j->v->op == VOP_EXEC ? jexec_start(j) : jfile_start(j);
	if (r < 0)
		job_failed(j, "%s", strerror(-r));
}

static void
start_queued(void)
{
	while (running < max_parallel && queue_head) {
		struct job *j = queue_head;

		queue_head = j->qnext;
		if (queue_head == NULL)
			queue_tail = &queue_head;
		run(j);
	}
}

static int
watch(struct job *j, struct build *b, struct vertex *v)
{
	struct jwatch *w = calloc(1, sizeof(*w));
	struct bvertex *s = v->sched;

	if (w == NULL)
		return -ENOMEM;
	w->b = b;
	w->v = v;
	w->next = j->watchers;
	j->watchers = w;
	s->job = j;
	build_ref(b);
	if (j->state == J_RUNNING && !s->reported) {
		s->reported = 1;
		s->started = build_ms(b);
		progress_status(b, v, "started", 0, NULL);
	}
	return 0;
}

int
job_attach(struct build *b, struct vertex *v)
{
	struct job *j = find(v->key);
	int r;

	if (j)
		return watch(j, b, v);
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -ENOMEM;
	snprintf(j->key, sizeof(j->key), "%s", v->key);
	j->owner = b;
	j->v = v;
	build_ref(b);
	if ((r = watch(j, b, v)) < 0) {
		build_unref(b);
		free(j);
		return r;
	}
	j->next = jobs;
	jobs = j;
	j->state = J_QUEUED;
	*queue_tail = j;
	queue_tail = &j->qnext;
	start_queued();
	return 0;
}

static void
free_job(struct job *j)
{
	while (j->watchers) {
		struct jwatch *w = j->watchers;

		j->watchers = w->next;
		build_unref(w->b);
		free(w);
	}
	build_unref(j->owner);
	free(j);
}

void
job_detach(struct build *b, struct vertex *v)
{
	struct bvertex *s = v->sched;
	struct job *j = s ? s->job : NULL;

	if (j == NULL)
		return;
	for (struct jwatch **pp = &j->watchers; *pp; pp = &(*pp)->next)
		if ((*pp)->b == b && (*pp)->v == v) {
			struct jwatch *w = *pp;

			*pp = w->next;
			build_unref(w->b);
			free(w);
			break;
		}
	s->job = NULL;
	if (j->watchers || j->cancelled)
		return;
	j->cancelled = 1;
	if (j->state == J_QUEUED) {
		unqueue(j);
		unlink_job(j);
		free_job(j);
	} else if (j->v->op == VOP_EXEC)
		jexec_cancel(j);
	else
		jfile_cancel(j);
}

/* fire and forget: nobody waits for the answer, but a snapshot left
 * behind is worth a line */
static void
on_removed(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	char why[256];
	int err;

	if (m == NULL || m->hdr.type != IPC_OK)
		log_warn("dropping snapshot %s: %s", (char *)arg,
		    snapc_why(m, PROC_SNAPD, &err, why, sizeof(why)));
	free(arg);
}

void
job_snap_drop(struct helper *h, const char *id)
{
	struct ipc_wr w;
	char *copy = strdup(id);

	if (copy == NULL)
		return;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, id);
	if (snapc_call(h, PROC_SNAPD, IPC_SNAP_REMOVE, &w, NULL, 0, on_removed, copy) < 0)
		free(copy);
	ipc_wr_free(&w);
}

void
job_peer_lost(enum kiln_proc peer)
{
	/* a pending request to the peer fails by itself (snapc.c); a step
	 * that execd runs has none pending */
	if (peer != PROC_SNAPD)
		return;
	for (struct job *j = jobs; j; j = j->next)
		if (j->state == J_RUNNING && j->v->op == VOP_EXEC)
			jexec_snapd_lost(j);
}

void
job_log(struct job *j, int stream, const char *data, size_t len)
{
	for (struct jwatch *w = j->watchers; w; w = w->next)
		progress_log(w->b, w->v, stream, data, len);
}

/* Unhooked first, so that what a watcher does next (another job, the
 * export) sees a consistent table. */
static struct jwatch *
end(struct job *j)
{
	struct jwatch *ws = j->watchers;

	j->watchers = NULL;
	j->state = J_ENDED;
	unlink_job(j);
	running--;
	return ws;
}

void
job_succeeded(struct job *j, const char *snap)
{
	long long ms = util_now_ms() - j->t_start;
	struct jwatch *ws;

	ws = end(j);
	while (ws) {
		struct jwatch *w = ws;

		ws = w->next;
		((struct bvertex *)w->v->sched)->job = NULL;
		progress_status(w->b, w->v, "done", ms, NULL);
		walk_vertex_done(w->b, w->v, snap, 0);
		build_unref(w->b);
		free(w);
	}
	/* after the next steps were sent on their way: the row (and now and
	 * then sqlite's checkpoint) is not on a step's path; nothing reads
	 * it before this callback returns */
	if (cachedb_put(j->key, snap, 0) < 0)
		log_warn("%s: its result %s is not in the cache", j->v->name, snap);
	free_job(j);
	start_queued();
}

void
job_failed(struct job *j, const char *fmt, ...)
{
	struct jwatch *ws;
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!j->cancelled)
		log_info("%s: %s", j->v->name, msg);
	ws = end(j);
	while (ws) {
		struct jwatch *w = ws;

		ws = w->next;
		((struct bvertex *)w->v->sched)->job = NULL;
		walk_vertex_failed(w->b, w->v, msg);
		build_unref(w->b);
		free(w);
	}
	free_job(j);
	start_queued();
}
