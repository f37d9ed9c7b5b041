/* image_create.c: IMAGE_CREATE's work: the config and an OCI or Docker v2 manifest written as blobs, the image named and holding its layers and snapshot. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include "image.h"

static int
blob_of(const char *data, size_t n, char digest[STORE_DIGEST_MAX], uint64_t *size,
    struct snap_err *err)
{
	struct blob_writer *w;
	int r = blob_writer_open(&w), fd;

	if (r < 0)
		return snap_errf(err, r, "opening a blob: %s", strerror(-r));
	fd = blob_writer_fd(w);
	for (size_t o = 0; o < n;) {
		ssize_t k = write(fd, data + o, n - o);

		if (k < 0) {
			r = -errno;
			blob_writer_abort(w);
			return snap_errf(err, r, "writing a blob: %s", strerror(-r));
		}
		o += (size_t)k;
	}
	r = blob_writer_commit(w, "", digest, size);
	return r < 0 ? snap_errf(err, r, "storing a blob: %s", strerror(-r)) : 0;
}

/* The image's layers' snapshot as the chain id of its diff_ids, so a
 * later IMAGE_RESOLVE of it finds the tree without unpacking. */
static void
remember_chain(const char *config, size_t n, const char *top)
{
	char (*ids)[STORE_DIGEST_MAX] = NULL, chain[STORE_DIGEST_MAX] = "";
	size_t nids = 0;

	if (!*top || ij_parse_diff_ids(config, n, &ids, &nids, NULL) < 0 || nids == 0) {
		free(ids);
		return;
	}
	for (size_t i = 0; i < nids; i++)
		image_chain_next(chain, ids[i]);
	image_chain_put(chain, top);
	free(ids);
}

/* The layers' media types in the manifest's family, into ls. */
static int
layer_types(const struct ij_desc *layers, size_t nlayers, int docker, struct ij_desc *ls,
    struct snap_err *err)
{
	for (size_t i = 0; i < nlayers; i++) {
		ls[i] = layers[i];
		if (ij_layer_media_as(layers[i].media, docker, ls[i].media) < 0)
			return snap_errf(err, -EINVAL, "layer %s (%s) has no media type in "
			    "a%s manifest%s", layers[i].digest, layers[i].media,
			    docker ? " Docker v2" : "n OCI", docker ? ": zstd needs OCI "
			    "media types (oci-mediatypes=true)" : "");
	}
	return 0;
}

static int
make_manifest(const char *mtype, struct ij_desc *cfg, const struct ij_desc *layers,
    size_t nlayers, char **out, struct snap_err *err)
{
	int docker = strcmp(mtype, MT_DOCKER_MANIFEST) == 0, r;
	struct ij_desc *ls = calloc(nlayers + 1, sizeof(*ls));

	*out = NULL;
	if (ls == NULL)
		return snap_errf(err, -ENOMEM, "out of memory");
	r = layer_types(layers, nlayers, docker, ls, err);
	if (r == 0 && (*out = ij_make_manifest_as(docker ? MT_DOCKER_MANIFEST :
	    MT_OCI_MANIFEST, cfg, ls, nlayers)) == NULL)
		r = snap_errf(err, -ENOMEM, "out of memory");
	free(ls);
	return r;
}

int
image_create(const char *name, const char *config, const struct ij_desc *layers,
    size_t nlayers, const char *top, const char *mtype, struct image_rec *rec,
    uint64_t *msize, struct snap_err *err)
{
	const char *blobs[IJ_MAX_LAYERS + 3];
	struct ij_desc cfg;
	char *manifest;
	size_t n = 0;
	int r;

	memset(rec, 0, sizeof(*rec));
	memset(&cfg, 0, sizeof(cfg));
	if (nlayers > IJ_MAX_LAYERS)
		return snap_errf(err, -E2BIG, "more than %d layers", IJ_MAX_LAYERS);
	if (*mtype && strcmp(mtype, MT_OCI_MANIFEST) && strcmp(mtype, MT_DOCKER_MANIFEST))
		return snap_errf(err, -EINVAL, "manifest type '%s': OCI's or Docker "
		    "v2's", mtype);
	snprintf(cfg.media, sizeof(cfg.media), "%s", strcmp(mtype, MT_DOCKER_MANIFEST) ?
	    MT_OCI_CONFIG : MT_DOCKER_CONFIG);
	if ((r = blob_of(config, strlen(config), cfg.digest, &cfg.size, err)) < 0)
		return r;
	if ((r = make_manifest(mtype, &cfg, layers, nlayers, &manifest, err)) < 0)
		return r;
	r = blob_of(manifest, strlen(manifest), rec->manifest, msize, err);
	free(manifest);
	if (r < 0)
		return r;
	if (*name && ij_normalize_name(name, rec->name, sizeof(rec->name)) < 0)
		return snap_errf(err, -EINVAL, "'%s' is not an image name", name);
	if (!*name)
		snprintf(rec->name, sizeof(rec->name), "%s", rec->manifest);
	snprintf(rec->config, sizeof(rec->config), "%s", cfg.digest);
	rec->size = *msize + cfg.size;
	rec->created = (int64_t)time(NULL);
	blobs[n++] = rec->manifest;
	blobs[n++] = rec->config;
	for (size_t i = 0; i < nlayers; i++) {
		uint64_t size;

		if (blob_exists(layers[i].digest, &size) < 0)
			return snap_errf(err, -ENOENT, "layer %s is not in the content store",
			    layers[i].digest);
		blobs[n++] = layers[i].digest;
		rec->size += layers[i].size;
	}
	if (*top)
		blobs[n++] = top;
	if ((r = image_put(rec, blobs, n)) < 0)
		return snap_errf(err, r, "recording image %s: %s", rec->name, strerror(-r));
	remember_chain(config, strlen(config), top);
	return 0;
}
