/* files.h: kiln-snapd's file and image work: safe paths, layers, copies, checksums, exports, images. */
#ifndef KILN_SNAPD_FILES_H
#define KILN_SNAPD_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ipc.h"

/*
 * Errors: every call returns 0 (or a count) or a negative errno, and on
 * error fills a snap_err with the sentence the user reads (it names the
 * entry, the file or the source; the handler sends it as the ERROR text).
 */
struct snap_err {
	char	msg[1024];
};
/* Formats into e (when e is not NULL) and returns code, a negative errno. */
int snap_errf(struct snap_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- fsutil.c: paths that never leave their root --- */

/* A relative, clean form of an archive or copy path: leading "/" and "./"
 * only when allow_abs; never "..". "" is the root itself. -EINVAL when the
 * path is absolute (and !allow_abs) or has a ".." component. */
int fs_clean_path(const char *in, int allow_abs, char *out, size_t size);
/* Splits a clean, non-empty path into its parent ("" for the root) and
 * its last component, which points into path. */
void fs_split(char *path, const char **parent, const char **base);
/* An O_PATH fd of directory rel under root, resolved beneath root and
 * through no symlink (-ELOOP when one is in the way). With mkparents,
 * missing directories are made 0755 with owner uid/gid (-1: leave). */
int fs_open_dir(int root, const char *rel, int mkparents, uid_t uid, gid_t gid);
/* The same for any file: an O_PATH|O_NOFOLLOW fd. */
int fs_open_beneath(int root, const char *rel, int flags);
/* openat2 with RESOLVE_IN_ROOT: symlinks are followed, but "/" and ".."
 * stop at root (a destination path in a snapshot, a COPY source). */
int fs_open_in_root(int root, const char *rel, int flags);
/* The names in a directory, sorted, so copies and checksums are stable. */
int fs_list_dir(int dirfd, char ***names, size_t *n);
void fs_free_names(char **names, size_t n);
/* Where a symlink at link (a clean path under a root) with this target
 * points, as a clean path under that root: ".." stops at the root. "" when
 * it is the root or does not fit. */
void fs_link_target(const char *link, const char *target, char *out, size_t size);
/* rm -rf of name in dir; 0 when it did not exist. */
int fs_rm_rf(int dir, const char *name);
/* Copies size bytes (all when size is -1) from in to out at their
 * offsets, keeping holes of in; out is a new, empty file. */
int fs_copy_data(int in, int out, off_t size);
/* The same for a file known to have no holes (all its blocks allocated):
 * no SEEK_DATA and SEEK_HOLE, two calls fewer per file. */
int fs_copy_dense(int in, int out, off_t size);
/* Whether an id can be owned here: inside /proc/self/uid_map (gid_map). */
int fs_uid_mapped(uint64_t uid);
int fs_gid_mapped(uint64_t gid);
/* "0-65535", the mapped ranges, for messages. */
const char *fs_uid_ranges(void);
/* Reads the maps now (before a seccomp filter that forbids /proc). */
void fs_idmap_load(void);

/* --- layer_apply.c --- */
struct layer_stats {
	uint64_t	entries, bytes, whiteouts, devices, xattrs_skipped;
};
/* How an archive is unpacked: an image layer (whiteouts, owners kept)
 * by default (opts NULL), or an ADD archive. */
struct layer_opts {
	int	no_whiteouts;	/* .wh. entries are files like others (ADD) */
	int64_t	uid, gid;	/* -1: the archive's owners */
	int	any_format;	/* besides tar: bzip2, xz compression (ADD) */
	/* when set, given every byte of the uncompressed stream, the tar's
	 * end and what follows it too (a layer's diff_id is their digest) */
	void	(*on_data)(void *arg, const void *buf, size_t n);
	void	*data_arg;
};
/* Unpacks a tar (gzip, zstd or plain) read from archive_fd into the
 * directory root, which is a mounted snapshot: whiteouts become removals
 * through the mount. what names the layer in messages and logs. */
int layer_apply(int root, int archive_fd, const char *what,
    const struct layer_opts *opts, struct layer_stats *st, struct snap_err *err);

/* --- jail.c: untrusted parsing in a child under a tighter filter --- */
struct jail_out {
	int		rc;
	uint64_t	data[8];
	struct snap_err	err;
};
typedef int (*jail_fn)(void *arg, struct jail_out *out);
/* Runs fn(arg) in a forked child that closes every fd but keep[] (and
 * 0-2, the log) and loads the file-work seccomp filter
 * (policy.c: snapd_jail_syscalls) first; returns what it returned, with
 * its out. A child killed by a signal is an error naming it. */
int jail_run(jail_fn fn, void *arg, const int *keep, int nkeep,
    struct jail_out *out);
/* jail_run in two halves: the child forked (filter 0: under the helper's
 * own filter only), then its answer read (it blocks) and the child reaped.
 * The read end rfd can wait in an event loop in between (jail_async.c). */
pid_t jail_fork(jail_fn fn, void *arg, const int *keep, int nkeep, int filter,
    int *rfd, struct snap_err *err);
int jail_wait(pid_t pid, int rfd, struct jail_out *out);
/* jail_async.c: fn in a jail; done(done_arg, rc, out) is called from the
 * event loop once it answered or died (rc < 0: out->err says why). 0,
 * or an error before anything started (done is not called then). */
struct event_base;
typedef void (*jail_done_fn)(void *arg, int rc, const struct jail_out *out);
int jail_start(struct event_base *base, jail_fn fn, void *arg, const int *keep,
    int nkeep, int filter, jail_done_fn done, void *done_arg, struct snap_err *err);
/* The seccomp mode for jails (the helper's own; tests: -1, no filter). */
void jail_set_mode(int mode);

extern const int snapd_jail_syscalls[];
extern const size_t snapd_jail_nsyscalls;

#endif
