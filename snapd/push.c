/* push.c: IMAGE_PUSH (the blobs the registry lacks, then the manifest, through kiln-netd) and IMAGE_TAG. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "image.h"
#include "imgref.h"
#include "log.h"
#include "regclient.h"

#define PUSH_PARALLEL	4

struct push;

struct push_blob {
	struct ij_desc	 d;
	struct push	*ps;
};

struct push {
	struct reg_call		 call;
	struct image_rec	 rec;
	struct imgref		 dest;
	char			 canon[IMGREF_STR_MAX];
	char			 repo[IMGREF_NAME_MAX];
	char			 mount_from[IMGREF_NAME_MAX];
	char			 media[IJ_MEDIA_MAX];
	struct push_blob	 blobs[IJ_MAX_LAYERS + 1];
	size_t			 nblobs, next, done;
	uint64_t		 uploaded, skipped;
};

static void
push_free(struct reg_call *c)
{
	free(c);
}

/* The manifest and the blobs it names, from the content store. */
static int
image_blobs(const struct image_rec *rec, struct ij_desc *out, size_t *n, char *media,
    struct snap_err *err)
{
	struct ij_manifest *m = calloc(1, sizeof(*m));
	char *buf = NULL;
	size_t len;
	int r;

	if (m == NULL)
		return -ENOMEM;
	if ((r = image_blob_read(rec->manifest, &buf, &len, err)) == 0 &&
	    (r = ij_parse_manifest(buf, len, m, err)) == 0) {
		out[0] = m->config;
		for (size_t i = 0; i < m->nlayers; i++)
			out[i + 1] = m->layers[i];
		*n = m->nlayers + 1;
		snprintf(media, IJ_MEDIA_MAX, "%s", m->media);
	}
	free(buf);
	free(m);
	return r;
}

/* --- the manifest, last --- */

static void
manifest_put_cb(struct ipc_peer *netd, struct ipc_msg *m, void *arg)
{
	struct push *ps = arg;
	char digest[STORE_DIGEST_MAX] = "";
	struct ipc_rd rd;
	struct ipc_wr w;

	if (regc_answer_done(&ps->call, m, "pushing"))
		return;
	if (ipc_rd_init(&rd, &m->body) < 0 || regc_rd_str(&rd, digest, sizeof(digest)) < 0)
		return regc_fail(&ps->call, EBADMSG, "pushing %s: a bad answer from "
		    "kiln-netd", ps->canon);
	if (digest[0] && strcmp(digest, ps->rec.manifest) != 0)
		return regc_fail(&ps->call, EPROTO, "pushing %s: the registry stored the "
		    "manifest as %s, not %s", ps->canon, digest, ps->rec.manifest);
	log_info("pushed %s as %s: %llu blobs uploaded, %llu there already", ps->rec.name,
	    ps->canon, (unsigned long long)ps->uploaded, (unsigned long long)ps->skipped);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 4);
	ipc_wr_str(&w, ps->canon);
	ipc_wr_str(&w, ps->rec.manifest);
	msgpack_pack_uint64(&w.pk, ps->uploaded);
	msgpack_pack_uint64(&w.pk, ps->skipped);
	regc_reply(&ps->call, IPC_IMAGE_PUSHED, &w);
}

static int
put_manifest(struct push *ps)
{
	struct ipc_wr w;
	int fd = blob_open(ps->rec.manifest), r;

	if (fd < 0)
		return fd;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, ps->canon);
	ipc_wr_str(&w, ps->media);
	r = regc_request(&ps->call, IPC_REG_MANIFEST_PUT, &w, fd, manifest_put_cb, ps);
	ipc_wr_free(&w);
	close(fd);
	return r;
}

/* --- config and layers, PUSH_PARALLEL at a time --- */

static void push_more(struct push *ps);

static void
blob_put_cb(struct ipc_peer *netd, struct ipc_msg *m, void *arg)
{
	struct push_blob *b = arg;
	struct push *ps = b->ps;
	char how[16];
	struct ipc_rd rd;

	if (regc_answer_done(&ps->call, m, "pushing"))
		return;
	if (ipc_rd_init(&rd, &m->body) < 0 || regc_rd_str(&rd, how, sizeof(how)) < 0)
		return regc_fail(&ps->call, EBADMSG, "pushing %s: a bad answer from "
		    "kiln-netd", ps->canon);
	if (strcmp(how, "uploaded") == 0)
		ps->uploaded++;
	else
		ps->skipped++;
	regc_progress(&ps->call, b->d.digest, how, b->d.size);
	ps->done++;
	push_more(ps);
}

static int
put_blob(struct push *ps, struct push_blob *b)
{
	struct ipc_wr w;
	int fd = blob_open(b->d.digest), r;

	if (fd < 0)
		return fd;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 4);
	ipc_wr_str(&w, ps->repo);
	ipc_wr_str(&w, b->d.digest);
	msgpack_pack_uint64(&w.pk, b->d.size);
	ipc_wr_str(&w, ps->mount_from);
	r = regc_request(&ps->call, IPC_REG_BLOB_PUT, &w, fd, blob_put_cb, b);
	ipc_wr_free(&w);
	close(fd);
	return r;
}

static void
push_more(struct push *ps)
{
	int r;

	while (ps->next < ps->nblobs && ps->call.inflight < PUSH_PARALLEL) {
		struct push_blob *b = &ps->blobs[ps->next++];

		if ((r = put_blob(ps, b)) < 0)
			return regc_fail(&ps->call, -r, "pushing %s: blob %s: %s%s", ps->canon,
			    b->d.digest, strerror(-r), r == -ENOENT ? " (the image's "
			    "layers were pruned? pull or build it again)" : "");
	}
	if (ps->done == ps->nblobs && (r = put_manifest(ps)) < 0)
		regc_fail(&ps->call, -r, "pushing %s: the manifest: %s", ps->canon,
		    strerror(-r));
}

/* An image named on the destination's registry can lend its blobs. */
static void
mount_source(struct push *ps)
{
	struct imgref src;

	if (imgref_parse(ps->rec.name, &src, NULL) == 0 &&
	    strcmp(src.domain, ps->dest.domain) == 0 && strcmp(src.path, ps->dest.path) != 0)
		imgref_name(&src, ps->mount_from, sizeof(ps->mount_from));
}

/* [str local image, str destination] */
int
push_on_image_push(struct ipc_peer *p, struct ipc_msg *m)
{
	char src[IJ_NAME_MAX], dest[IMGREF_STR_MAX];
	struct snap_err err = { "" };
	struct ij_desc *ds;
	struct ipc_rd rd;
	struct push *ps;
	const char *why;
	int r;

	if (ipc_rd_init(&rd, &m->body) < 0 || regc_rd_str(&rd, src, sizeof(src)) < 0 ||
	    regc_rd_str(&rd, dest, sizeof(dest)) < 0 || ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return -ENOMEM;
	regc_init(&ps->call, p, m->hdr.id, push_free);
	if ((r = image_get(src, &ps->rec)) < 0)
		return regc_fail(&ps->call, -r, "pushing %s: %s", src, r == -ENOENT ?
		    "no such image here (kilnctl images lists them)" : strerror(-r)), 0;
	if (imgref_parse(dest[0] ? dest : ps->rec.name, &ps->dest, &why) < 0)
		return regc_fail(&ps->call, EINVAL, "pushing %s: '%s' is not a valid "
		    "reference: %s", src, dest[0] ? dest : ps->rec.name, why), 0;
	if (!ps->dest.tag[0] && ps->dest.digest[0] && strcmp(ps->dest.digest,
	    ps->rec.manifest) != 0)
		return regc_fail(&ps->call, EINVAL, "pushing %s: the destination's digest "
		    "is not the image's (%s)", src, ps->rec.manifest), 0;
	ps->dest.digest[0] = ps->dest.tag[0] ? '\0' : ps->dest.digest[0];
	imgref_format(&ps->dest, ps->canon, sizeof(ps->canon));
	imgref_name(&ps->dest, ps->repo, sizeof(ps->repo));
	mount_source(ps);
	ds = calloc(IJ_MAX_LAYERS + 1, sizeof(*ds));
	if (ds == NULL || (r = image_blobs(&ps->rec, ds, &ps->nblobs, ps->media, &err)) < 0) {
		free(ds);
		return regc_fail(&ps->call, ds ? -r : ENOMEM, "pushing %s: %s", src,
		    err.msg[0] ? err.msg : strerror(ENOMEM)), 0;
	}
	for (size_t i = 0; i < ps->nblobs; i++) {
		ps->blobs[i].d = ds[i];
		ps->blobs[i].ps = ps;
	}
	free(ds);
	push_more(ps);
	return 0;
}

/* [str source, str new name] */
int
push_on_image_tag(struct ipc_peer *p, struct ipc_msg *m)
{
	char src[IJ_NAME_MAX], dst[IJ_NAME_MAX], media[IJ_MEDIA_MAX];
	const char *blobs[IJ_MAX_LAYERS + 2];
	struct snap_err err = { "" };
	struct image_rec rec;
	struct ij_desc *ds;
	struct ipc_rd rd;
	size_t n = 0;
	int r;

	if (ipc_rd_init(&rd, &m->body) < 0 || regc_rd_str(&rd, src, sizeof(src)) < 0 ||
	    regc_rd_str(&rd, dst, sizeof(dst)) < 0 || ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	if ((r = image_get(src, &rec)) < 0)
		return ipc_reply_error(p, m->hdr.id, -r, "tag %s: %s", src, r == -ENOENT ?
		    "no such image here (kilnctl images lists them)" : strerror(-r)), 0;
	if (imgref_parse(dst, &(struct imgref){ 0 }, NULL) < 0 || strchr(dst, '@') ||
	    ij_normalize_name(dst, rec.name, sizeof(rec.name)) < 0)
		return ipc_reply_error(p, m->hdr.id, EINVAL, "tag %s: '%s' is not a valid "
		    "name (NAME[:TAG])", src, dst), 0;
	if ((ds = calloc(IJ_MAX_LAYERS + 1, sizeof(*ds))) == NULL)
		return -ENOMEM;
	r = image_blobs(&rec, ds, &n, media, &err);
	blobs[0] = rec.manifest;
	for (size_t i = 0; r == 0 && i < n; i++)
		blobs[i + 1] = ds[i].digest;
	if (r == 0 && (r = image_put(&rec, blobs, n + 1)) < 0)
		snprintf(err.msg, sizeof(err.msg), "recording %s: %s", rec.name, strerror(-r));
	free(ds);
	if (r < 0)
		return ipc_reply_error(p, m->hdr.id, -r, "tag %s: %s", src, err.msg[0] ?
		    err.msg : strerror(-r)), 0;
	log_info("tagged %s as %s", src, rec.name);
	return ipc_reply_empty(p, IPC_OK, m->hdr.id);
}
