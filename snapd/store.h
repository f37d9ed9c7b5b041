/* store.h: kiln-snapd's internal API between its snapshot store (drivers, metadata, blobs) and its file and image work. */
#ifndef KILN_SNAPD_STORE_H
#define KILN_SNAPD_STORE_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The snapshot store (snapshot.c, the drivers, meta.c) and the content
 * store (content.c) are used by the layer, image, copy and export code
 * through these calls only. All return 0 or a negative errno.
 *
 * Ids are short strings chosen by the store ("s" + a number). A prepared
 * or viewed snapshot is mounted at info.path, a path in the kiln mount
 * namespace that kiln-execd sees too; a committed one is not mounted.
 */

#define STORE_ID_MAX	40
#define STORE_DIGEST_MAX 80	/* "sha256:" + 64 hex + NUL */

enum store_kind { STORE_PREPARED = 1, STORE_VIEW, STORE_COMMITTED };

struct store_info {
	char		id[STORE_ID_MAX];
	char		parent[STORE_ID_MAX];	/* "" for none */
	char		path[PATH_MAX];		/* mountpoint while mounted */
	enum store_kind	kind;
	uint64_t	size;
	int64_t		last_used;
};

int store_prepare(const char *parent, struct store_info *out);
int store_view(const char *committed, struct store_info *out);
int store_commit(const char *prepared, struct store_info *out);
int store_remove(const char *id);
int store_stat(const char *id, struct store_info *out);
/* The driver's name ("overlayfs", "fuse-overlayfs", "native"). */
const char *store_driver_name(void);
/* For diffs: the directory holding only this snapshot's changes (the
 * overlay upper dir, whiteouts as 0:0 char devices or xattrs), or NULL
 * when the driver keeps full copies (native: compare against parent). */
int store_upper_dir(const char *committed, char *out, size_t size);
/* A committed snapshot's full tree, read-only, for copies and exports
 * out of it; store_view() mounts it, this gives a path while it is. */

/* Content store: blobs by sha256, verified and made visible atomically. */
struct blob_writer;
int blob_writer_open(struct blob_writer **w);
int blob_writer_fd(struct blob_writer *w);	/* write the content here */
/* Verifies against expect ("" to accept any), renames into place; the
 * writer is freed in every case. digest gets "sha256:HEX". */
int blob_writer_commit(struct blob_writer *w, const char *expect,
    char digest[STORE_DIGEST_MAX], uint64_t *size);
void blob_writer_abort(struct blob_writer *w);
/* O_RDONLY fd of a blob, or -ENOENT. */
int blob_open(const char *digest);
int blob_exists(const char *digest, uint64_t *size);

#endif
