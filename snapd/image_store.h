/* image_store.h: kiln-snapd's image records, layer chains and diff memo, in its own tables of snapd's database. */
#ifndef KILN_SNAPD_IMAGE_STORE_H
#define KILN_SNAPD_IMAGE_STORE_H

#include <stdint.h>
#include "image_json.h"
#include "store.h"

/*
 * Tables (created by image_db_init in store_db(); kiln-snapd.8, FILES):
 *   image_names(name PRIMARY KEY, manifest, config, size, created)
 *       a name ("busybox:latest", or the manifest digest for an unnamed
 *       image) -> its manifest and config digests, the bytes of its
 *       blobs, the unix time it was imported or made.
 *   image_chains(chain_id PRIMARY KEY, snapshot)
 *       OCI chain id of a layer stack -> the committed snapshot holding
 *       it unpacked, so images sharing layers share snapshots.
 *   image_diffs(snapshot, compression, diff_id, blob, size, media,
 *       PRIMARY KEY(snapshot, compression))
 *       SNAP_DIFF's memo.
 * References (store_ref_add) keep what an image uses: holder
 * "image:<manifest digest>" holds the manifest, config and layer blobs
 * and the top snapshot once resolved; it goes with the last name.
 */

struct image_rec {
	char		name[IJ_NAME_MAX];
	char		manifest[STORE_DIGEST_MAX];
	char		config[STORE_DIGEST_MAX];
	uint64_t	size;
	int64_t		created;
};

struct image_diff_rec {
	char		diff_id[STORE_DIGEST_MAX];
	char		blob[STORE_DIGEST_MAX];
	uint64_t	size;
	char		media[IJ_MEDIA_MAX];
};

int image_db_init(void);
/* Names an image (replacing what the name had), with its references. */
int image_put(const struct image_rec *rec, const char *const *blobs, size_t nblobs);
/* By name (normalized) or by manifest digest. -ENOENT */
int image_get(const char *ref, struct image_rec *out);
/* Drops a name, and its references when no other name has the manifest. */
int image_del(const char *name);
/* Drops the references of a manifest that no name has any more. */
int image_del_unused(const char *manifest);
/* Every image, by name. fn returns < 0 to stop. */
int image_each(int (*fn)(const struct image_rec *rec, void *arg), void *arg);
/* The holder name of an image's references. */
void image_holder(const char *manifest, char *out, size_t size);

int image_chain_get(const char *chain_id, char snap[STORE_ID_MAX]);
int image_chain_put(const char *chain_id, const char *snap);

/* The memo of a layer pulled as it came: its blob and media type. */
#define IMAGE_DIFF_SOURCE	"source"
int image_diff_get(const char *snap, const char *compression, struct image_diff_rec *out);
int image_diff_put(const char *snap, const char *compression,
    const struct image_diff_rec *rec);

#endif
