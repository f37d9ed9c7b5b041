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
};

static void
on_pulled(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct pull_call *c = arg;
	char why[1024] = "";
	int err = 0;

	if (m && m->hdr.type == IPC_IMAGE_PROGRESS)
		return;		/* a blob came in; the pull goes on */
	if (m == NULL || m->hdr.type != IPC_IMAGE_PULLED)
		snapc_why(m, PROC_SNAPD, &err, why, sizeof(why));
	c->done(c->b, c->arg, err, why);
	build_unref(c->b);
	free(c);
}

/* IMAGE_PULL [ref, platform]; done runs once, with err 0 when it is in */
int
build_pull(struct build *b, const char *ref, build_pull_fn done, void *arg)
{
	struct pull_call *c = calloc(1, sizeof(*c));
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
	build_ref(b);
	return 0;
}
