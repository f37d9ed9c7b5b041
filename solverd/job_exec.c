/* job_exec.c: runs a RUN vertex: a writable snapshot on its parent, its mounts, the step in kiln-execd with its output streamed, commit or drop. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include "job.h"
#include "log.h"
#include "snapc.h"

#define JEXEC_DRAIN_MS	5000	/* output still coming after the exit */
#define JEXEC_MAX_HOLDS	64

enum { H_VIEW = 1, H_PREP, H_CACHE };

struct hold {
	int	 kind;
	char	 id[BUILD_SNAP_MAX];
	char	 path[PATH_MAX];
};

struct jexec {
	struct job	*j;
	char		 prep[BUILD_SNAP_MAX], rootfs[PATH_MAX];
	struct hold	 holds[JEXEC_MAX_HOLDS];	/* one per vertex mount */
	int		 waiting;			/* answers still to come */
	int		 out, err;			/* read ends, -1 at EOF */
	struct event	*out_ev, *err_ev, *drain_ev;
	uint32_t	 exec_id;
	int		 exec_sent, exited, cancel;
	int64_t		 code, sig;
	char		 why[1024];			/* first failure */
};

static void finish(struct jexec *x);

/*
 * The next step's snapshot, prepared by kiln-snapd with the commit of
 * the step before it (SNAP_COMMIT ahead): set while that commit's
 * job_succeeded starts the steps waiting for it; the one that runs on
 * it takes it, and if none does it is dropped right after.
 */
static struct {
	char	parent[BUILD_SNAP_MAX];
	char	id[BUILD_SNAP_MAX];
	char	path[PATH_MAX];
} ahead;

/* the first failure is the one to tell: "what: why" */
static void
fail(struct jexec *x, const char *what, const char *why)
{
	if (x->why[0] == '\0')
		snprintf(x->why, sizeof(x->why), "%s%s%s", what, *what ? ": " : "", why);
}

static void
drop_holds(struct jexec *x)
{
	struct helper *h = job_helper(x->j);

	for (size_t i = 0; i < JEXEC_MAX_HOLDS; i++)
		if (x->holds[i].kind && x->holds[i].id[0])
			job_snap_drop(h, x->holds[i].id);
}

static void
close_pipe(struct jexec *x, int *fd, struct event **ev)
{
	if (*ev) {
		event_free(*ev);
		*ev = NULL;
	}
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
free_jexec(struct jexec *x)
{
	close_pipe(x, &x->out, &x->out_ev);
	close_pipe(x, &x->err, &x->err_ev);
	if (x->drain_ev)
		event_free(x->drain_ev);
	x->j->op = NULL;
	free(x);
}

static void
on_committed(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct jexec *x = arg;
	struct job *j = x->j;
	char snap[BUILD_SNAP_MAX], why[512];
	int err;

	if (m && m->hdr.type == IPC_SNAP_COMMITTED && snapc_str(m, 0, snap, sizeof(snap)) == 0) {
		struct helper *h = job_helper(j);	/* j is gone after job_succeeded */

		free_jexec(x);
		if (snapc_str(m, 2, ahead.id, sizeof(ahead.id)) == 0 &&
		    snapc_str(m, 3, ahead.path, sizeof(ahead.path)) == 0)
			snprintf(ahead.parent, sizeof(ahead.parent), "%s", snap);
		else
			ahead.id[0] = '\0';
		job_succeeded(j, snap);
		if (ahead.id[0])
			job_snap_drop(h, ahead.id);
		ahead.id[0] = '\0';
		return;
	}
	snapc_why(m, PROC_SNAPD, &err, why, sizeof(why));
	job_snap_drop(job_helper(j), x->prep);
	free_jexec(x);
	job_failed(j, "committing the step's snapshot: %s", why);
}

static void
describe(const struct vertex *v, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < v->argv.n && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? " " : "", v->argv.v[i]);
}

/* Whether a RUN step of the build waits for v as its rootfs: then the
 * commit prepares its snapshot too. */
static int
run_follows(const struct job *j)
{
	const struct graph *g = &j->owner->fe.g;

	for (size_t i = 0; i < g->nv; i++)
		if (g->v[i]->parent == j->v && g->v[i]->op == VOP_EXEC && g->v[i]->needed)
			return 1;
	return 0;
}

/* The step ended and its output is read: keep or drop what it made. */
static void
finish(struct jexec *x)
{
	struct job *j = x->j;
	char cmd[512];
	struct ipc_wr w;
	int r;

	drop_holds(x);
	if (x->why[0] || x->cancel || x->code != 0 || x->sig != 0) {
		describe(j->v, cmd, sizeof(cmd));
		if (x->why[0] == '\0' && x->cancel)
			snprintf(x->why, sizeof(x->why), "cancelled");
		else if (x->why[0] == '\0' && x->sig)
			snprintf(x->why, sizeof(x->why), "process \"%s\" did not complete "
			    "successfully: killed by signal %lld", cmd, (long long)x->sig);
		else if (x->why[0] == '\0')
			snprintf(x->why, sizeof(x->why), "process \"%s\" did not complete "
			    "successfully: exit code: %lld", cmd, (long long)x->code);
		if (x->prep[0])
			job_snap_drop(job_helper(j), x->prep);
		{
			char why[sizeof(x->why)];

			memcpy(why, x->why, sizeof(why));
			free_jexec(x);
			job_failed(j, "%s", why);
		}
		return;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, x->prep);
	if (run_follows(j))
		msgpack_pack_true(&w.pk);
	else
		msgpack_pack_false(&w.pk);
	r = snapc_call(job_helper(j), PROC_SNAPD, IPC_SNAP_COMMIT, &w, NULL, 0,
	    on_committed, x);
	ipc_wr_free(&w);
	if (r < 0) {
		job_snap_drop(job_helper(j), x->prep);
		free_jexec(x);
		job_failed(j, "committing the step's snapshot: %s", strerror(-r));
	}
}

static void
maybe_finish(struct jexec *x)
{
	if (x->waiting == 0 && (x->exited || !x->exec_sent) && x->out < 0 && x->err < 0)
		finish(x);
}

static void
on_drain_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct jexec *x = arg;

	/* a process outside the step holds the pipe: stop waiting */
	close_pipe(x, &x->out, &x->out_ev);
	close_pipe(x, &x->err, &x->err_ev);
	maybe_finish(x);
}

static void
on_output(evutil_socket_t fd, short what, void *arg)
{
	struct jexec *x = arg;
	char buf[32768];
	ssize_t n = read(fd, buf, sizeof(buf));
	int stream = fd == x->out ? 1 : 2;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		job_log(x->j, stream, buf, (size_t)n);
		return;
	}
	if (stream == 1)
		close_pipe(x, &x->out, &x->out_ev);
	else
		close_pipe(x, &x->err, &x->err_ev);
	maybe_finish(x);
}

static void
send_cancel(struct jexec *x)
{
	struct ipc_wr w;

	if (x->exec_id == 0 || job_helper(x->j)->peers[PROC_EXECD] == NULL)
		return;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_uint32(&w.pk, x->exec_id);
	ipc_send(job_helper(x->j)->peers[PROC_EXECD], IPC_EXEC_CANCEL, 0, &w, NULL, 0);
	ipc_wr_free(&w);
}

static void
on_exec(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct jexec *x = arg;
	struct timeval tv = { JEXEC_DRAIN_MS / 1000, 0 };
	struct ipc_rd rd;
	char why[1024];
	int err;

	if (m && m->hdr.type == IPC_EXEC_STARTED) {
		x->exec_id = m->hdr.id;
		if (x->cancel)
			send_cancel(x);
		return;
	}
	x->exited = 1;
	if (m && m->hdr.type == IPC_EXEC_EXIT) {
		const char *e;
		size_t len;

		if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_i64(&rd, &x->code) < 0 ||
		    ipc_rd_i64(&rd, &x->sig) < 0 || ipc_rd_str(&rd, &e, &len) < 0)
			fail(x, "", "kiln-execd sent a malformed EXEC_EXIT");
		else if (len == 9 && memcmp(e, "cancelled", 9) == 0)
			x->cancel = 1;
	} else
		fail(x, "", snapc_why(m, PROC_EXECD, &err, why, sizeof(why)));
	if (m == NULL || m->hdr.type == IPC_ERROR) {
		/* no step ran, or it died with execd: nothing more comes */
		close_pipe(x, &x->out, &x->out_ev);
		close_pipe(x, &x->err, &x->err_ev);
	} else if ((x->out >= 0 || x->err >= 0) && (x->drain_ev =
	    evtimer_new(job_helper(x->j)->base, on_drain_timeout, x)))
		evtimer_add(x->drain_ev, &tv);
	maybe_finish(x);
}

/* [type, target, source, readonly, size, uid, gid, mode] */
static void
pack_mount(struct ipc_wr *w, const char *type, const struct vmount *m, const char *src)
{
	msgpack_pack_array(&w->pk, 8);
	ipc_wr_str(w, type);
	ipc_wr_str(w, m->target);
	ipc_wr_str(w, src);
	if (m->readonly)
		msgpack_pack_true(&w->pk);
	else
		msgpack_pack_false(&w->pk);
	msgpack_pack_uint64(&w->pk, m->size);
	msgpack_pack_int64(&w->pk, m->uid);
	msgpack_pack_int64(&w->pk, m->gid);
	msgpack_pack_int64(&w->pk, m->mode);
}

static int
mount_fd(struct jexec *x, const struct vmount *m)
{
	const struct build_secret *s;

	if ((s = job_secret(x->j, m->source)) == NULL)
		return -ENOENT;
	return snapc_memfd("secret", s->data, s->len);
}

static int
pack_mounts(struct jexec *x, struct ipc_wr *w, int *fds, int *nfds)
{
	const struct vertex *v = x->j->v;
	size_t n = 0;

	for (size_t i = 0; i < v->nmounts; i++)
		n += v->mounts[i].type != VM_SECRET || v->mounts[i].target[0];
	msgpack_pack_array(&w->pk, n);
	for (size_t i = 0; i < v->nmounts; i++) {
		const struct vmount *m = &v->mounts[i];
		char src[PATH_MAX + 512];
		int fd;

		switch (m->type) {
		case VM_BIND:
			snprintf(src, sizeof(src), "%s%s", x->holds[i].path,
			    strcmp(m->source, "/") ? m->source : "");
			pack_mount(w, "bind", m, src);
			break;
		case VM_CACHE:
			pack_mount(w, "cache", m, x->holds[i].path);
			break;
		case VM_TMPFS:
			pack_mount(w, "tmpfs", m, "");
			break;
		case VM_SECRET:
			if (m->target[0] == '\0')
				break;	/* env= only */
			if (*nfds >= IPC_MAX_FDS)
				return -E2BIG;
			if ((fd = mount_fd(x, m)) < 0)
				return fd;
			fds[(*nfds)++] = fd;
			pack_mount(w, "secret", m, "");
			break;
		}
	}
	return 0;
}

/* ENV, ARGs, then proxies and secrets given as variables: not in the key */
static int
pack_env(struct jexec *x, struct ipc_wr *w)
{
	const struct vertex *v = x->j->v;
	size_t n = v->env.n + v->proxy_env.n;

	for (size_t i = 0; i < v->nmounts; i++)
		n += v->mounts[i].type == VM_SECRET && v->mounts[i].env != NULL;
	msgpack_pack_array(&w->pk, n);
	for (size_t i = 0; i < v->env.n; i++)
		ipc_wr_str(w, v->env.v[i]);
	for (size_t i = 0; i < v->proxy_env.n; i++)
		ipc_wr_str(w, v->proxy_env.v[i]);
	for (size_t i = 0; i < v->nmounts; i++) {
		const struct vmount *m = &v->mounts[i];
		const struct build_secret *s;

		if (m->type != VM_SECRET || m->env == NULL)
			continue;
		if ((s = job_secret(x->j, m->source)) == NULL)
			return -ENOENT;
		msgpack_pack_str(&w->pk, strlen(m->env) + 1 + s->len);
		msgpack_pack_str_body(&w->pk, m->env, strlen(m->env));
		msgpack_pack_str_body(&w->pk, "=", 1);
		msgpack_pack_str_body(&w->pk, s->data, s->len);
	}
	return 0;
}

static int
open_pipes(struct jexec *x, int *wout, int *werr)
{
	int a[2], b[2];

	if (pipe2(a, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(b, O_CLOEXEC) < 0) {
		int e = errno;

		close(a[0]);
		close(a[1]);
		return -e;
	}
	x->out = a[0];
	x->err = b[0];
	*wout = a[1];
	*werr = b[1];
	fcntl(x->out, F_SETFL, O_NONBLOCK);
	fcntl(x->err, F_SETFL, O_NONBLOCK);
	x->out_ev = event_new(job_helper(x->j)->base, x->out, EV_READ | EV_PERSIST,
	    on_output, x);
	x->err_ev = event_new(job_helper(x->j)->base, x->err, EV_READ | EV_PERSIST,
	    on_output, x);
	if (x->out_ev == NULL || x->err_ev == NULL)
		return -ENOMEM;
	event_add(x->out_ev, NULL);
	event_add(x->err_ev, NULL);
	return 0;
}

static int
send_exec(struct jexec *x)
{
	const struct vertex *v = x->j->v;
	int fds[IPC_MAX_FDS], nfds = 2, r;
	struct ipc_wr w;

	if ((r = open_pipes(x, &fds[0], &fds[1])) < 0)
		return r;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 10);
	ipc_wr_str(&w, x->rootfs);
	msgpack_pack_array(&w.pk, v->argv.n);
	for (size_t i = 0; i < v->argv.n; i++)
		ipc_wr_str(&w, v->argv.v[i]);
	if ((r = pack_env(x, &w)) < 0)
		goto out;
	ipc_wr_str(&w, v->cwd);
	ipc_wr_str(&w, v->user);
	ipc_wr_str(&w, v->network);
	if ((r = pack_mounts(x, &w, fds, &nfds)) < 0)
		goto out;
	ipc_wr_str(&w, v->security);
	ipc_wr_str(&w, "");
	msgpack_pack_array(&w.pk, 0);
	r = snapc_call(job_helper(x->j), PROC_EXECD, IPC_EXEC_RUN, &w, fds, nfds, on_exec, x);
	nfds = 0;
	if (r == 0)
		x->exec_sent = 1;
out:
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	ipc_wr_free(&w);
	return r;
}

static void all_mounted(struct jexec *x);

struct hold_call {
	struct jexec	*x;
	struct hold	*h;		/* NULL: the rootfs */
};

static void
on_mounted(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct hold_call *c = arg;
	struct jexec *x = c->x;
	char why[512], *id = c->h ? c->h->id : x->prep, *path = c->h ? c->h->path : x->rootfs;
	int err;

	x->waiting--;
	free(c);
	if (m && m->hdr.type == IPC_SNAP_MOUNTED && snapc_str(m, 0, id, BUILD_SNAP_MAX) == 0 &&
	    snapc_str(m, 1, path, PATH_MAX) == 0)
		;
	else
		fail(x, "preparing the step's file systems",
		    snapc_why(m, PROC_SNAPD, &err, why, sizeof(why)));
	if (x->waiting == 0)
		all_mounted(x);
}

/* Every snapshot the step needs is there: run it. */
static void
all_mounted(struct jexec *x)
{
	int r;

	if (x->why[0] || x->cancel) {
		maybe_finish(x);
		return;
	}
	if ((r = send_exec(x)) < 0) {
		fail(x, "starting the step", strerror(-r));
		close_pipe(x, &x->out, &x->out_ev);
		close_pipe(x, &x->err, &x->err_ev);
		maybe_finish(x);
	}
}

static int
ask(struct jexec *x, struct hold *h, uint16_t type, struct ipc_wr *w)
{
	struct hold_call *c = calloc(1, sizeof(*c));
	int r;

	if (c == NULL)
		return -ENOMEM;
	c->x = x;
	c->h = h;
	r = snapc_call(job_helper(x->j), PROC_SNAPD, type, w, NULL, 0, on_mounted, c);
	if (r < 0) {
		free(c);
		return r;
	}
	x->waiting++;
	return 0;
}

static int
ask_snap(struct jexec *x, struct hold *h, uint16_t type, const char *snap)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	/* the rootfs: a step's snapshot, with its mount points beneath */
	msgpack_pack_array(&w.pk, h == NULL ? 2 : 1);
	ipc_wr_str(&w, snap);
	if (h == NULL)
		msgpack_pack_true(&w.pk);
	r = ask(x, h, type, &w);
	ipc_wr_free(&w);
	return r;
}

static int
ask_cache(struct jexec *x, struct hold *h, const struct vmount *m)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 7);
	ipc_wr_str(&w, m->source);
	ipc_wr_str(&w, m->sharing);
	msgpack_pack_int64(&w.pk, m->uid);
	msgpack_pack_int64(&w.pk, m->gid);
	msgpack_pack_int64(&w.pk, m->mode);
	/* from=: the committed snapshot and directory it starts with */
	ipc_wr_str(&w, m->seed && m->from ? job_input_snap(x->j, m->from) : "");
	ipc_wr_str(&w, m->seed ? m->seed : "");
	r = ask(x, h, IPC_SNAP_CACHE, &w);
	ipc_wr_free(&w);
	return r;
}

/* the rootfs and every mount's snapshot, asked for at once; the rootfs
 * may have come with the parent's commit */
static int
ask_all(struct jexec *x)
{
	const struct vertex *v = x->j->v;
	const char *parent = job_input_snap(x->j, v->parent);
	int r = 0;

	if (ahead.id[0] && strcmp(ahead.parent, parent) == 0) {
		memcpy(x->prep, ahead.id, sizeof(x->prep));
		memcpy(x->rootfs, ahead.path, sizeof(x->rootfs));
		ahead.id[0] = '\0';
	} else
		r = ask_snap(x, NULL, IPC_SNAP_PREPARE, parent);

	if (v->nmounts > JEXEC_MAX_HOLDS)
		return -E2BIG;
	for (size_t i = 0; i < v->nmounts && r == 0; i++) {
		const struct vmount *m = &v->mounts[i];
		struct hold *h = &x->holds[i];
		const char *snap = job_input_snap(x->j, m->from);

		if (m->type == VM_CACHE) {
			h->kind = H_CACHE;
			r = ask_cache(x, h, m);
		} else if (m->type == VM_BIND && (!m->readonly || !*snap)) {
			h->kind = H_PREP;	/* writes are thrown away with it */
			r = ask_snap(x, h, IPC_SNAP_PREPARE, m->from_scratch ? "" : snap);
		} else if (m->type == VM_BIND) {
			h->kind = H_VIEW;
			r = ask_snap(x, h, IPC_SNAP_VIEW, snap);
		}
	}
	return r;
}

int
jexec_start(struct job *j)
{
	struct jexec *x = calloc(1, sizeof(*x));
	int r;

	if (x == NULL)
		return -ENOMEM;
	x->j = j;
	x->out = x->err = -1;
	j->op = x;
	if ((r = ask_all(x)) < 0) {
		fail(x, "preparing the step's file systems", strerror(-r));
		if (x->waiting == 0) {
			maybe_finish(x);
			return 0;
		}
	} else if (x->waiting == 0)
		all_mounted(x);	/* the rootfs came ahead, nothing else to mount */
	return 0;
}

/* kiln-snapd restarted and dropped the step's snapshot: the step runs on
 * a root that is gone, so it is stopped, and fails saying why. */
void
jexec_snapd_lost(struct job *j)
{
	struct jexec *x = j->op;

	if (x == NULL || x->cancel || x->prep[0] == '\0')
		return;
	fail(x, "", "kiln-snapd went away during the step (it restarts); "
	    "the step's snapshot went with it: run the build again");
	jexec_cancel(j);
}

void
jexec_cancel(struct job *j)
{
	struct jexec *x = j->op;

	if (x == NULL || x->cancel)
		return;
	x->cancel = 1;
	send_cancel(x);
}
