/* image.h: kiln-snapd's image operations: import, list, resolve into snapshots, create. */
#ifndef KILN_SNAPD_IMAGE_H
#define KILN_SNAPD_IMAGE_H

#include <stddef.h>
#include "files.h"
#include "image_store.h"

/* The platform picked from a multi-platform index. */
#if defined(__x86_64__)
#define IMAGE_PLATFORM	"linux/amd64"
#elif defined(__aarch64__)
#define IMAGE_PLATFORM	"linux/arm64"
#else
#define IMAGE_PLATFORM	"linux/unknown"
#endif

struct image_list {
	struct image_rec	*recs;
	size_t			 n;
};
int image_list_add(struct image_list *l, const struct image_rec *rec);
void image_list_free(struct image_list *l);
/* Packs [[str name, str manifest digest, u64 size, i64 created]...]. */
void image_list_pack(const struct image_list *l, struct ipc_wr *w);

/* image_import.c: an OCI layout dir or tar, or a docker-save tar (srcfd),
 * named name ("" : the archive's names). What was named is in out. */
int image_import(int srcfd, const char *name, struct image_list *out,
    struct snap_err *err);
/* One manifest of a layout directory (digest "": index.json's first)
 * and its blobs, recorded under its digest (a build cache's record). */
int image_import_one(int dirfd, const char *digest, struct image_list *out,
    struct snap_err *err);
/* A blob's content (at most IJ_MAX_JSON bytes), malloc'd. */
int image_blob_read(const char *digest, char **buf, size_t *n, struct snap_err *err);

/* image_resolve.c: the image's layers unpacked into a snapshot chain
 * (made once per chain id); its config JSON malloc'd. */
int image_resolve(const char *ref, struct image_rec *rec, char **config,
    char top[STORE_ID_MAX], struct snap_err *err);
/* A layer blob unpacked into a prepared snapshot's mount, in a jail; with
 * diff_id, its uncompressed digest must be that (an error naming both). */
int image_apply_blob(const char *path, const char *digest, const char *diff_id,
    struct snap_err *err);

/* OCI chain id: chain = sha256(chain + " " + diff_id), the first the
 * diff_id itself ("" chain). */
void image_chain_next(char chain[STORE_DIGEST_MAX], const char *diff_id);

/* image_create.c: config and manifest blobs, the image named. mtype:
 * the manifest's media type, MT_OCI_MANIFEST or MT_DOCKER_MANIFEST ("":
 * OCI); the config's and the layers' types follow it. */
int image_create(const char *name, const char *config, const struct ij_desc *layers,
    size_t nlayers, const char *top, const char *mtype, struct image_rec *rec,
    uint64_t *msize, struct snap_err *err);

/* layer_diff.c: a committed snapshot's layer against its parent as a
 * blob (compression gzip, zstd or none, optionally ":LEVEL"; epoch -1 or
 * SOURCE_DATE_EPOCH), remembered per snapshot, compression and epoch.
 * flags SNAP_DIFF_*: with SNAP_DIFF_REUSE a pulled layer's own blob
 * serves as it is. */
int layer_diff(const char *id, const char *compression, int64_t epoch, uint32_t flags,
    struct image_diff_rec *out, struct snap_err *err);

#endif
