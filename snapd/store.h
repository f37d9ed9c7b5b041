/* store.h: kiln-snapd's internal API between its snapshot store (drivers, metadata, blobs) and its file and image work. */
#ifndef KILN_SNAPD_STORE_H
#define KILN_SNAPD_STORE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The snapshot store (snapshot.c, the drivers, meta.c) and the content
 * store (content.c) are used by the layer, image, copy and export code
 * through these calls only. All return 0 or a negative errno.
 *
 * Ids are short strings chosen by the store ("s" + a number, never
 * reused). A prepared or viewed snapshot is mounted at info.path, a path
 * in the kiln mount namespace that kiln-execd sees too; a committed one
 * is not mounted. A prepared snapshot or a view made here (not through
 * SNAP_PREPARE) belongs to its caller, who commits or removes it; one
 * left at exit is dropped, like every one after a crash.
 */

#define STORE_ID_MAX	40
#define STORE_DIGEST_MAX 80	/* "sha256:" + 64 hex + NUL */

enum store_kind { STORE_PREPARED = 1, STORE_VIEW, STORE_COMMITTED };

struct store_info {
	char		id[STORE_ID_MAX];
	char		parent[STORE_ID_MAX];	/* "" for none */
	char		path[PATH_MAX];		/* mountpoint while mounted */
	enum store_kind	kind;
	uint64_t	size;			/* committed: its own layer's disk usage */
	int64_t		last_used;
};

/* parent "" : an empty root. -ENOENT when parent is not a committed
 * snapshot of this driver (gone, or made by another snapshotter). */
int store_prepare(const char *parent, struct store_info *out);
/* The same for a RUN step: a read-only layer beneath holds the mount
 * points kiln-execd needs (/proc, /dev, /sys, /etc/hosts, /etc/hostname,
 * /etc/resolv.conf), so the step makes none in its snapshot. */
int store_prepare_step(const char *parent, struct store_info *out);
/* A read-only mount of a committed snapshot's whole tree. */
int store_view(const char *committed, struct store_info *out);
/* Unmounts a prepared snapshot and makes it committed, under the same id. */
int store_commit(const char *prepared, struct store_info *out);
/* Drops a prepared snapshot or a view; -EINVAL for a committed one
 * (prune and GC remove those, as nothing references them). */
int store_remove(const char *id);
int store_stat(const char *id, struct store_info *out);
/* Marks a snapshot used now (prune's --keep-duration counts from it). */
int store_touch(const char *id);
/* The driver's name ("overlayfs", "fuse-overlayfs", "native"), and why it
 * was chosen (auto: why each better one was rejected). */
const char *store_driver_name(void);
const char *store_driver_reason(void);
/* For diffs: the directory holding only this committed snapshot's changes
 * (the overlay upper dir). Whiteouts in it are 0:0 character devices. An
 * opaque directory has the xattr user.overlay.opaque = "y" (overlayfs
 * with userxattr), or, made by fuse-overlayfs, the xattr
 * user.fuseoverlayfs.opaque = "y" and two marker entries to leave out of
 * a layer: a file ".wh..wh..opq" and a 0:0 device ".wh..opq".
 * -EOPNOTSUPP when the driver keeps full copies (native): diff
 * store_view()s of the snapshot and its parent. */
int store_upper_dir(const char *committed, char *out, size_t size);
/* Lets fn fill a prepared snapshot's own layer (its upper dir, as an
 * O_RDONLY|O_DIRECTORY fd) while it is not mounted: unmounts it, calls
 * fn, mounts it again (also after fn failed) and returns fn's result.
 * Nothing may hold the mount open. -EOPNOTSUPP for native. */
int store_refill(const char *prepared, int (*fn)(int upper, void *arg), void *arg);

/*
 * What keeps a committed snapshot or a blob from prune and GC, besides
 * its children and leases: a reference. holder is any name the caller
 * chooses ("image:NAME" for an image; a snapshot id holds its diff's
 * blobs, and those references go with the snapshot); target is a
 * snapshot id or a blob digest. Kept in the database, so they survive
 * restarts. store_ref_drop with target NULL drops all of holder's.
 */
int store_ref_add(const char *holder, const char *target);
int store_ref_drop(const char *holder, const char *target);
/* A lease (SNAP_LEASE) from inside snapd: hold 1 takes one, 0 lets one
 * go; leases live in memory and end with the process. */
int store_lease(const char *id, int hold);

/* The store's directory (<state>/), for the image code's own subtree
 * (images/, tmp/...; snapshots/, mnt/, blobs/, trial/, caches/, stubs/ and
 * meta.db* are the store's). */
const char *store_state_dir(void);
/* snapd's sqlite3 database, for the image code's own tables (prefix
 * them "image_"): WAL mode, foreign keys on; each change one
 * transaction. */
struct sqlite3;
struct sqlite3 *store_db(void);

/* Content store: blobs by sha256, verified and made visible atomically. */
struct blob_writer;
int blob_writer_open(struct blob_writer **w);
int blob_writer_fd(struct blob_writer *w);	/* write the content here */
/* Verifies against expect ("" to accept any), links into place; the
 * writer is freed in every case. digest gets "sha256:HEX". -EBADMSG on
 * a mismatch. */
int blob_writer_commit(struct blob_writer *w, const char *expect,
    char digest[STORE_DIGEST_MAX], uint64_t *size);
void blob_writer_abort(struct blob_writer *w);
/* A writer over fd, a file another process wrote (a jail's); it is
 * owned by the writer from here on, on success and failure. */
int blob_writer_adopt(int fd, struct blob_writer **w);
/* A new, empty directory under the store's tmp (swept at start-up), for
 * a jail's files before they become blobs; its path in path. */
int blob_staging_dir(char *path, size_t size);
/* O_RDONLY fd of a blob, or -ENOENT. */
int blob_open(const char *digest);
int blob_exists(const char *digest, uint64_t *size);

#endif
