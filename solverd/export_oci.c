/* export_oci.c: the build's image as archives (--output type=oci, type=docker) and on registries (--push), once snapd has made it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build.h"
#include "log.h"
#include "snapc.h"
#include "vars.h"

/* "oci", "docker", or either with ",name=REF" */
int
export_is_archive(const char *o)
{
	size_t n = strcspn(o, ",");

	return ((n == 3 && !strncmp(o, "oci", 3)) || (n == 6 && !strncmp(o, "docker", 6))) &&
	    (o[n] == '\0' || !strncmp(o + n, ",name=", 6));
}

int
export_wants_image(const struct build *b)
{
	for (int i = 0; i < b->nout; i++)
		if (export_is_archive(b->outputs[i]))
			return 1;
	return 0;
}

int64_t
export_epoch(const struct build *b)
{
	const char *v = vars_get(&b->opts.build_args, "SOURCE_DATE_EPOCH");
	char *end;
	long long e;

	if (v == NULL || !*v)
		return -1;
	e = strtoll(v, &end, 10);
	return *end || e < 0 ? -1 : e;
}

static void
on_exported(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct build *b = arg;
	char why[512];
	int err;

	if (m == NULL || m->hdr.type != IPC_OK)
		build_fail(b, EIO, "writing the image archive: %s",
		    snapc_why(m, PROC_SNAPD, &err, why, sizeof(why)));
	export_returned(b);
}

/* IMAGE_EXPORT [manifest digest, format, name] + the output's fd */
static int
archive(struct build *b, int i)
{
	const char *o = b->outputs[i], *name = strchr(o, ',');
	char format[8];
	struct ipc_wr w;
	int r;

	snprintf(format, sizeof(format), "%.*s", (int)strcspn(o, ","), o);
	name = name ? name + 6 : b->tags.n ? b->tags.v[0] : "";
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 3);
	ipc_wr_str(&w, b->image_digest);
	ipc_wr_str(&w, format);
	ipc_wr_str(&w, name);
	r = export_call(b, IPC_IMAGE_EXPORT, &w, &b->out_fds[i], 1, on_exported, b);
	b->out_fds[i] = -1;
	ipc_wr_free(&w);
	return r;
}

static void
on_pushed(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct build *b = arg;
	char why[1024];
	int err;

	if (m && m->hdr.type == IPC_IMAGE_PROGRESS)
		return;		/* the push goes on */
	if (m == NULL || m->hdr.type != IPC_IMAGE_PUSHED)
		build_fail(b, EIO, "pushing: %s", snapc_why(m, PROC_SNAPD, &err, why,
		    sizeof(why)));
	export_returned(b);
}

/* IMAGE_PUSH [name, ""]: each -t name to its own registry */
static int
push(struct build *b, const char *name)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, name);
	ipc_wr_str(&w, "");
	r = export_call(b, IPC_IMAGE_PUSH, &w, NULL, 0, on_pushed, b);
	ipc_wr_free(&w);
	return r;
}

void
export_after_image(struct build *b)
{
	int r = 0;

	for (int i = 0; r == 0 && i < b->nout; i++)
		if (export_is_archive(b->outputs[i]))
			r = archive(b, i);
	for (size_t i = 0; r == 0 && b->push && i < b->tags.n; i++)
		r = push(b, b->tags.v[i]);
	if (r < 0)
		build_fail(b, -r, "exporting the image: %s", strerror(-r));
}
