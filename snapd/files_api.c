/* files_api.c: kiln-snapd's handlers of the image, layer, file and export messages (ipc_msg.h), merged into snapd's table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "files_api.h"
#include "image.h"
#include "log.h"

int
files_reply_err(struct ipc_peer *p, uint32_t id, int r, const struct snap_err *err)
{
	const char *msg = err->msg[0] ? err->msg : strerror(-r);

	log_info("request %u: %s", id, msg);
	return ipc_reply_error(p, id, -r, "%s", msg) < 0 ? -EPIPE : 0;
}

/* [str] bodies */
int
files_rd_one_str(const struct ipc_msg *m, char **s)
{
	struct ipc_rd rd;

	*s = NULL;
	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_strdup(&rd, s) < 0 ||
	    ipc_rd_end(&rd) < 0) {
		free(*s);
		*s = NULL;
		return -EBADMSG;
	}
	return 0;
}

static int
on_image_import(struct ipc_peer *p, struct ipc_msg *m)
{
	struct image_list l = { NULL, 0 };
	struct snap_err err = { "" };
	struct ipc_wr w;
	char *name;
	int r;

	if (m->nfds != 1 || files_rd_one_str(m, &name) < 0)
		return -EBADMSG;
	r = image_import(m->fds[0], name, &l, &err);
	free(name);
	if (r < 0) {
		image_list_free(&l);
		return files_reply_err(p, m->hdr.id, r, &err);
	}
	ipc_wr_init(&w);
	image_list_pack(&l, &w);
	for (size_t i = 0; i < l.n; i++)
		log_info("imported %s (%s)", l.recs[i].name, l.recs[i].manifest);
	r = ipc_send(p, IPC_IMAGE_LIST_REPLY, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
	image_list_free(&l);
	return r;
}

static int
list_one(const struct image_rec *rec, void *arg)
{
	return image_list_add(arg, rec);
}

static int
on_image_list(struct ipc_peer *p, struct ipc_msg *m)
{
	struct image_list l = { NULL, 0 };
	struct ipc_wr w;
	int r = image_each(list_one, &l);

	if (r < 0) {
		image_list_free(&l);
		return r;
	}
	ipc_wr_init(&w);
	image_list_pack(&l, &w);
	r = ipc_send(p, IPC_IMAGE_LIST_REPLY, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
	image_list_free(&l);
	return r;
}

static int
on_image_remove(struct ipc_peer *p, struct ipc_msg *m)
{
	struct snap_err err = { "" };
	char *name;
	int r;

	if (files_rd_one_str(m, &name) < 0)
		return -EBADMSG;
	r = image_del(name);
	if (r == -ENOENT || r == -EINVAL)
		snap_errf(&err, -ENOENT, "no image '%s' (kilnctl images lists them)", name);
	free(name);
	if (r < 0)
		return files_reply_err(p, m->hdr.id, r == -EINVAL ? -ENOENT : r, &err);
	return ipc_reply_empty(p, IPC_OK, m->hdr.id);
}

static int
on_image_resolve(struct ipc_peer *p, struct ipc_msg *m)
{
	struct snap_err err = { "" };
	struct image_rec rec;
	char top[STORE_ID_MAX], *ref, *config;
	int r;

	if (files_rd_one_str(m, &ref) < 0)
		return -EBADMSG;
	r = image_resolve(ref, &rec, &config, top, &err);
	free(ref);
	if (r < 0)
		return files_reply_err(p, m->hdr.id, r, &err);
	r = files_reply_resolved(p, m->hdr.id, rec.manifest, config, top);
	free(config);
	return r;
}

/* IMAGE_RESOLVED: [manifest digest, config digest, top snapshot or ""] */
int
files_reply_resolved(struct ipc_peer *p, uint32_t id, const char *manifest,
    const char *config, const char *top)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 3);
	ipc_wr_str(&w, manifest);
	ipc_wr_str(&w, config);
	ipc_wr_str(&w, top);
	r = ipc_send(p, IPC_IMAGE_RESOLVED, id, &w, NULL, 0);
	ipc_wr_free(&w);
	return r;
}

static int
on_snap_diff(struct ipc_peer *p, struct ipc_msg *m)
{
	struct snap_err err = { "" };
	struct image_diff_rec rec;
	char *id = NULL, *comp = NULL;
	struct ipc_rd rd;
	struct ipc_wr w;
	uint64_t flags = 0;
	int64_t epoch;
	int r = -EBADMSG;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_strdup(&rd, &id) < 0 ||
	    ipc_rd_strdup(&rd, &comp) < 0 || ipc_rd_i64(&rd, &epoch) < 0 ||
	    (rd.i < rd.n && ipc_rd_u64(&rd, &flags) < 0) || ipc_rd_end(&rd) < 0)
		goto out;
	r = layer_diff(id, comp, epoch < 0 ? -1 : epoch, (uint32_t)flags, &rec, &err);
	if (r < 0) {
		r = files_reply_err(p, m->hdr.id, r, &err);
		goto out;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 4);
	ipc_wr_str(&w, rec.diff_id);
	ipc_wr_str(&w, rec.blob);
	msgpack_pack_uint64(&w.pk, rec.size);
	ipc_wr_str(&w, rec.media);
	r = ipc_send(p, IPC_SNAP_DIFF_REPLY, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
out:
	free(id);
	free(comp);
	return r;
}

/* [[str blob digest, u64 size, str media type]...] */
static int
rd_layers(struct ipc_rd *rd, struct ij_desc **out, size_t *n)
{
	struct ipc_rd list, item;
	const char *s;
	size_t len;

	*out = NULL;
	*n = 0;
	if (ipc_rd_array(rd, &list) < 0 || list.n > IJ_MAX_LAYERS)
		return -EBADMSG;
	*out = calloc(list.n + 1, sizeof(**out));
	if (*out == NULL)
		return -ENOMEM;
	for (; list.i < list.n; (*n)++) {
		struct ij_desc *d = &(*out)[*n];

		if (ipc_rd_array(&list, &item) < 0 || ipc_rd_str(&item, &s, &len) < 0 ||
		    len >= sizeof(d->digest))
			return -EBADMSG;
		memcpy(d->digest, s, len);
		if (ipc_rd_u64(&item, &d->size) < 0 || ipc_rd_str(&item, &s, &len) < 0 ||
		    len >= sizeof(d->media) || ipc_rd_end(&item) < 0)
			return -EBADMSG;
		memcpy(d->media, s, len);
		if (!ij_digest_ok(d->digest) || !ij_layer_media_ok(d->media))
			return -EINVAL;
	}
	return 0;
}

static int
on_image_create(struct ipc_peer *p, struct ipc_msg *m)
{
	struct snap_err err = { "" };
	struct ij_desc *layers = NULL;
	char *name = NULL, *config = NULL, *top = NULL, *mtype = NULL;
	struct image_rec rec;
	struct ipc_rd rd;
	struct ipc_wr w;
	uint64_t msize;
	size_t n = 0;
	int r = -EBADMSG;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_strdup(&rd, &name) < 0 ||
	    ipc_rd_strdup(&rd, &config) < 0 || (r = rd_layers(&rd, &layers, &n)) < 0 ||
	    (r = ipc_rd_strdup(&rd, &top)) < 0 ||
	    (rd.i < rd.n && (r = ipc_rd_strdup(&rd, &mtype)) < 0) ||
	    (r = ipc_rd_end(&rd)) < 0)
		goto out;
	r = image_create(name, config, layers, n, top, mtype ? mtype : "", &rec, &msize, &err);
	if (r < 0) {
		r = files_reply_err(p, m->hdr.id, r, &err);
		goto out;
	}
	log_info("made image %s (%s)", rec.name, rec.manifest);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 3);
	ipc_wr_str(&w, rec.manifest);
	ipc_wr_str(&w, rec.config);
	msgpack_pack_uint64(&w.pk, msize);
	r = ipc_send(p, IPC_IMAGE_CREATED, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
out:
	free(name);
	free(config);
	free(top);
	free(mtype);
	free(layers);
	return r;
}

const struct ipc_handler snap_files_handlers[] = {
	{ IPC_IMAGE_IMPORT, on_image_import },
	{ IPC_IMAGE_LIST, on_image_list },
	{ IPC_IMAGE_REMOVE, on_image_remove },
	{ IPC_IMAGE_RESOLVE, on_image_resolve },
	{ IPC_SNAP_COPY, files_on_copy },
	{ IPC_SNAP_MKFILE, files_on_mkfile },
	{ IPC_SNAP_MKDIR, files_on_mkdir },
	{ IPC_SNAP_CHECKSUM, files_on_checksum },
	{ IPC_SNAP_USER, files_on_user },
	{ IPC_SNAP_DIFF, on_snap_diff },
	{ IPC_IMAGE_CREATE, on_image_create },
	{ IPC_EXPORT_LOCAL, exports_on_local },
	{ IPC_EXPORT_TAR, exports_on_tar },
	IPC_HANDLERS_END
};

int
snap_files_setup(struct helper *h)
{
	int r;

	fs_idmap_load();
	jail_set_mode(h->seccomp_mode);
	r = image_db_init();
	if (r < 0)
		log_error("creating the image tables: %s", strerror(-r));
	return r;
}
