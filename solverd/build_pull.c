/* build_pull.c: a base image that is not in the local store (or --pull) is pulled by snapd before it is resolved. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build.h"
#include "log.h"
#include "snapc.h"

struct pull_call {
	struct build	*b;
	build_pull_fn	 done;
	void		*arg;
	uint64_t	 n;		/* its step in the build's progress */
	long long	 t0;		/* build_ms() at its start */
};

/* IMAGE_PROGRESS [what, state, size(, done)] -> BUILD_PROGRESS */
static void
pull_progress(struct pull_call *c, struct ipc_msg *m)
{
	struct ipc_rd rd;
	const char *what, *state;
	size_t wn, sn;
	uint64_t size, done = 0;
	char id[80];

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_str(&rd, &what, &wn) < 0 ||
	    ipc_rd_str(&rd, &state, &sn) < 0 || ipc_rd_u64(&rd, &size) < 0 ||
	    (rd.i < rd.n && ipc_rd_u64(&rd, &done) < 0) || wn >= sizeof(id) ||
	    wn <= 7 || memcmp(what, "sha256:", 7) != 0)
		return;		/* the manifest: no bytes worth telling */
	snprintf(id, sizeof(id), "%.*s", (int)wn, what);
	if (sn == 8 && memcmp(state, "fetching", 8) == 0)
		progress_pull(c->b, c->n, id, 0, size, "downloading");
	else if (sn == 11 && memcmp(state, "downloading", 11) == 0)
		progress_pull(c->b, c->n, id, done, size, "downloading");
	else if (sn == 7 && memcmp(state, "fetched", 7) == 0)
		progress_pull(c->b, c->n, id, size, size, "done");
	else if (sn == 7 && memcmp(state, "present", 7) == 0)
		progress_pull(c->b, c->n, id, size, size, "present");
}

static void
on_pulled(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct pull_call *c = arg;
	char why[1024] = "";
	int err = 0;

	if (m && m->hdr.type == IPC_IMAGE_PROGRESS) {
		pull_progress(c, m);
		return;		/* a blob came in; the pull goes on */
	}
	if (m == NULL || m->hdr.type != IPC_IMAGE_PULLED)
		snapc_why(m, PROC_SNAPD, &err, why, sizeof(why));
	progress_status_n(c->b, c->n, err ? "error" : "done", build_ms(c->b) - c->t0,
	    err ? why : NULL);
	c->done(c->b, c->arg, err, why);
	build_unref(c->b);
	free(c);
}

/* IMAGE_PULL [ref, platform]; done runs once, with err 0 when it is in */
int
build_pull(struct build *b, const char *ref, build_pull_fn done, void *arg)
{
	struct pull_call *c = calloc(1, sizeof(*c));
	char name[1100];
	struct ipc_wr w;
	int r;

	if (c == NULL)
		return -ENOMEM;
	c->b = b;
	c->done = done;
	c->arg = arg;
	log_info("build %s: pulling %s", b->bid, ref);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, ref);
	ipc_wr_str(&w, b->opts.platform ? b->opts.platform : "");
	r = snapc_call(b->h, PROC_SNAPD, IPC_IMAGE_PULL, &w, NULL, 0, on_pulled, c);
	ipc_wr_free(&w);
	if (r < 0) {
		free(c);
		return r;
	}
	/* a step of its own, before the Dockerfile's */
	c->n = ++b->npulls;
	c->t0 = build_ms(b);
	snprintf(name, sizeof(name), "pulling %s", ref);
	progress_vertex_n(b, c->n, name);
	progress_status_n(b, c->n, "started", 0, NULL);
	build_ref(b);
	return 0;
}
