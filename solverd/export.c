/* export.c: the build's result where the client asked: a local directory, a tar stream, and -t names in snapd's image store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build.h"
#include "cache.h"
#include "imageconfig.h"
#include "log.h"
#include "snapc.h"

#define EXPORT_MAX_LAYERS	256
#define MT_OCI_MANIFEST		"application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_MANIFEST	"application/vnd.docker.distribution.manifest.v2+json"

struct layer {
	char		 id[BUILD_SNAP_MAX];
	char		 diff_id[80], blob[80], media[128];
	uint64_t	 size;
};

struct image_job {
	struct build	*b;
	struct layer	 layers[EXPORT_MAX_LAYERS];
	int		 n;		/* top first while walking, then reversed */
	int		 waiting;
	size_t		 tag;		/* the next -t name to create */
	int		 after;		/* export_after_image was called */
	char		*config;
};

static const char *
result_snap(const struct build *b)
{
	const struct bvertex *s = b->target ? b->target->sched : NULL;

	return s ? s->snap : "";
}

/* Each export call holds a reference and counts in b->pending. */
int
export_call(struct build *b, uint16_t type, struct ipc_wr *w, int *fds, int nfds,
    ipc_reply_fn cb, void *arg)
{
	int r = snapc_call(b->h, PROC_SNAPD, type, w, fds, nfds, cb, arg);

	if (r == 0) {
		b->pending++;
		build_ref(b);
	}
	return r;
}

void
export_returned(struct build *b)
{
	b->pending--;
	if (b->pending == 0)
		build_finish(b);
	build_unref(b);
}

static void
on_output(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct build *b = arg;
	char why[512];
	int err;

	if (m == NULL || m->hdr.type != IPC_OK)
		build_fail(b, EIO, "writing the output: %s",
		    snapc_why(m, PROC_SNAPD, &err, why, sizeof(why)));
	export_returned(b);
}

static int
outputs(struct build *b)
{
	for (int i = 0; i < b->nout; i++) {
		int local = strcmp(b->outputs[i], "local") == 0, r;
		struct ipc_wr w;

		if (export_is_archive(b->outputs[i]))
			continue;	/* once the image is made */
		ipc_wr_init(&w);
		msgpack_pack_array(&w.pk, 1);
		ipc_wr_str(&w, result_snap(b));
		r = export_call(b, local ? IPC_EXPORT_LOCAL : IPC_EXPORT_TAR, &w, &b->out_fds[i], 1,
		    on_output, b);
		b->out_fds[i] = -1;
		ipc_wr_free(&w);
		if (r < 0)
			return r;
	}
	return 0;
}

static void image_fail(struct image_job *ij, const char *what, const struct ipc_msg *m);
static int create_next(struct image_job *ij);

static void
image_done(struct image_job *ij)
{
	struct build *b = ij->b;

	free(ij->config);
	free(ij);
	export_returned(b);
}

static void
on_created(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct image_job *ij = arg;
	struct build *b = ij->b;
	int r;

	b->pending--;
	build_unref(b);
	if (m == NULL || m->hdr.type != IPC_IMAGE_CREATED ||
	    snapc_str(m, 0, b->image_digest, sizeof(b->image_digest)) < 0 ||
	    snapc_str(m, 1, b->config_digest, sizeof(b->config_digest)) < 0 ||
	    snapc_u64(m, 2, &b->image_size) < 0) {
		image_fail(ij, "storing the image", m);
		return;
	}
	if ((r = create_next(ij)) < 0)
		build_fail(b, -r, "storing the image: %s", strerror(-r));
	if (r != 0)
		image_done(ij);
}

/* IMAGE_CREATE [name, config, layers, top]; 1 when all names are done */
static int
create_next(struct image_job *ij)
{
	struct build *b = ij->b;
	struct ipc_wr w;
	int r;

	/* no -t name but an archive: one unnamed image */
	if (ij->tag >= (b->tags.n ? b->tags.n : 1) || b->failed) {
		if (!b->failed && !ij->after)
			export_after_image(b);
		ij->after = 1;
		return 1;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 5);
	ipc_wr_str(&w, b->tags.n ? b->tags.v[ij->tag] : "");
	ij->tag++;
	ipc_wr_str(&w, ij->config);
	msgpack_pack_array(&w.pk, (size_t)ij->n);
	for (int i = 0; i < ij->n; i++) {
		msgpack_pack_array(&w.pk, 3);
		ipc_wr_str(&w, ij->layers[i].blob);
		msgpack_pack_uint64(&w.pk, ij->layers[i].size);
		ipc_wr_str(&w, ij->layers[i].media);
	}
	ipc_wr_str(&w, result_snap(b));
	ipc_wr_str(&w, b->img.oci ? MT_OCI_MANIFEST : MT_DOCKER_MANIFEST);
	r = export_call(b, IPC_IMAGE_CREATE, &w, NULL, 0, on_created, ij);
	ipc_wr_free(&w);
	return r;
}

static void
image_fail(struct image_job *ij, const char *what, const struct ipc_msg *m)
{
	char why[512];
	int err;

	snapc_why(m, PROC_SNAPD, &err, why, sizeof(why));
	build_fail(ij->b, err, "%s: %s", what, why);
	image_done(ij);
}

/* All diffs known: the config gets its diff_ids, each name its image. */
static void
make_config(struct image_job *ij)
{
	struct build *b = ij->b;
	char *ids[EXPORT_MAX_LAYERS];
	json_t *img = fe_result_config(&b->fe);
	int r;

	for (int i = 0; i < ij->n; i++)
		ids[i] = ij->layers[i].diff_id;
	if (img == NULL || ic_set_diff_ids(img, ids, (size_t)ij->n) < 0 ||
	    cexport_inline(b, img) < 0 || (ij->config = ic_dump(img)) == NULL) {
		build_fail(b, ENOMEM, "making the image config: out of memory");
		image_done(ij);
		return;
	}
	if ((r = create_next(ij)) < 0)
		build_fail(b, -r, "storing the image: %s", strerror(-r));
	if (r != 0)
		image_done(ij);
}

struct diff_call {
	struct image_job	*ij;
	struct layer		*l;
};

static void
on_diff(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct diff_call *c = arg;
	struct image_job *ij = c->ij;
	struct layer *l = c->l;
	struct ipc_rd rd;
	const char *s[4];
	size_t len[4];

	free(c);
	ij->waiting--;
	if (m && m->hdr.type == IPC_SNAP_DIFF_REPLY && ipc_rd_init(&rd, &m->body) == 0 &&
	    ipc_rd_str(&rd, &s[0], &len[0]) == 0 && ipc_rd_str(&rd, &s[1], &len[1]) == 0 &&
	    ipc_rd_u64(&rd, &l->size) == 0 && ipc_rd_str(&rd, &s[2], &len[2]) == 0) {
		snprintf(l->diff_id, sizeof(l->diff_id), "%.*s", (int)len[0], s[0]);
		snprintf(l->blob, sizeof(l->blob), "%.*s", (int)len[1], s[1]);
		snprintf(l->media, sizeof(l->media), "%.*s", (int)len[2], s[2]);
	} else if (!ij->b->failed) {
		char why[512];
		int err;

		build_fail(ij->b, EIO, "the layer of snapshot %s: %s", l->id,
		    snapc_why(m, PROC_SNAPD, &err, why, sizeof(why)));
	}
	if (ij->waiting == 0) {
		if (ij->b->failed)
			image_done(ij);
		else
			make_config(ij);
	}
}

/* SNAP_DIFF [id, compression, epoch, flags] of layer i */
static int
diff_one(struct image_job *ij, int i, struct diff_call *c)
{
	const struct export_opts *o = &ij->b->img;
	uint32_t flags = (o->force ? 0 : SNAP_DIFF_REUSE) | (o->oci ? 0 : SNAP_DIFF_DOCKER);
	char comp[16];
	struct ipc_wr w;
	int r;

	export_opts_compression(o, comp, sizeof(comp));
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 4);
	ipc_wr_str(&w, ij->layers[i].id);
	ipc_wr_str(&w, comp);
	msgpack_pack_int64(&w.pk, export_epoch(ij->b));
	msgpack_pack_uint32(&w.pk, flags);
	r = snapc_call(ij->b->h, PROC_SNAPD, IPC_SNAP_DIFF, &w, NULL, 0, on_diff, c);
	ipc_wr_free(&w);
	return r;
}

static void
diff_all(struct image_job *ij)
{
	/* walked top first; layers go bottom first */
	for (int i = 0; i < ij->n / 2; i++) {
		struct layer t = ij->layers[i];

		ij->layers[i] = ij->layers[ij->n - 1 - i];
		ij->layers[ij->n - 1 - i] = t;
	}
	ij->waiting = 1;	/* until every request is out */
	for (int i = 0; i < ij->n; i++) {
		struct diff_call *c = calloc(1, sizeof(*c));
		int r;

		if (c == NULL) {
			build_fail(ij->b, ENOMEM, "exporting: out of memory");
			break;
		}
		c->ij = ij;
		c->l = &ij->layers[i];
		if ((r = diff_one(ij, i, c)) < 0) {
			free(c);
			build_fail(ij->b, -r, "exporting: %s", strerror(-r));
			break;
		}
		ij->waiting++;
	}
	if (--ij->waiting == 0) {
		if (ij->b->failed)
			image_done(ij);
		else
			make_config(ij);
	}
}

static int stat_next(struct image_job *ij, const char *id);

/* the chain under the result: SNAP_STAT names each parent */
static void
on_stat(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct image_job *ij = arg;
	char parent[BUILD_SNAP_MAX];
	int r;

	if (m == NULL || m->hdr.type != IPC_SNAP_STAT_REPLY ||
	    snapc_str(m, 1, parent, sizeof(parent)) < 0) {
		image_fail(ij, "walking the result's layers", m);
		return;
	}
	if (parent[0] == '\0') {
		diff_all(ij);
		return;
	}
	if ((r = stat_next(ij, parent)) < 0) {
		build_fail(ij->b, -r, "walking the result's layers: %s", strerror(-r));
		image_done(ij);
	}
}

static int
stat_next(struct image_job *ij, const char *id)
{
	struct ipc_wr w;
	int r;

	if (ij->n >= EXPORT_MAX_LAYERS)
		return -E2BIG;
	snprintf(ij->layers[ij->n++].id, BUILD_SNAP_MAX, "%s", id);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, id);
	r = snapc_call(ij->b->h, PROC_SNAPD, IPC_SNAP_STAT, &w, NULL, 0, on_stat, ij);
	ipc_wr_free(&w);
	return r;
}

static int
image(struct build *b)
{
	struct image_job *ij;
	int r;

	if (b->tags.n == 0 && !export_wants_image(b))
		return 0;
	if ((ij = calloc(1, sizeof(*ij))) == NULL)
		return -ENOMEM;
	ij->b = b;
	/* the whole image job counts as one call */
	b->pending++;
	build_ref(b);
	if (result_snap(b)[0] == '\0')
		make_config(ij);
	else if ((r = stat_next(ij, result_snap(b))) < 0) {
		build_fail(b, -r, "walking the result's layers: %s", strerror(-r));
		image_done(ij);
	}
	return 0;
}

static int
export_rest(struct build *b)
{
	int r;

	if ((r = outputs(b)) < 0)
		return r;
	return image(b);
}

/* after the cache export, which the image config may take (inline) */
static void
export_after_cache(struct build *b)
{
	int r = export_rest(b);

	if (r < 0)
		build_fail(b, -r, "exporting the result: %s", strerror(-r));
}

int
export_start(struct build *b)
{
	if (cexport_wanted(b))
		return cexport_start(b, export_after_cache);
	return export_rest(b);
}
