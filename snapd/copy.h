/* copy.h: SNAP_COPY, SNAP_MKFILE, SNAP_MKDIR and SNAP_CHECKSUM's work: Docker's COPY and ADD rules over directory fds. */
#ifndef KILN_SNAPD_COPY_H
#define KILN_SNAPD_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "chmod.h"
#include "files.h"
#include "pattern.h"

/* --- copy_src.c: which source paths a COPY names --- */
struct src_list {
	char	**v;		/* clean, relative to the source root, sorted per source */
	size_t	 *keep;		/* --parents keeps v[i] + keep[i]: after a "/./" */
	size_t	  n;
	int	  wildcard;	/* some source had a wildcard */
};
/* Expands srcs under root: a literal must exist (an error naming it, also
 * when excluded); a wildcard may match nothing. follow: a source that is
 * a symlink counts as what it points to (inside root). */
int src_expand(int root, char *const *srcs, size_t nsrcs, const struct patterns *ex,
    struct src_list *out, struct snap_err *err);
/* The same, where a missing literal is said to be missing from where
 * ("the build context", "the --from stage or image"). */
int src_expand_in(int root, const char *where, char *const *srcs, size_t nsrcs,
    const struct patterns *ex, struct src_list *out, struct snap_err *err);
void src_list_free(struct src_list *l);
/* openat2 of rel beneath root: RESOLVE_IN_ROOT (symlinks are followed but
 * stay inside root) when follow, else the last component not followed. */
int src_open(int root, const char *rel, int follow, int flags);

/* --- copy.c --- */
struct copy_req {
	int			 src_root;	/* directory fd of the source root */
	int			 from_context;	/* 1: the client's context */
	int			 dst_root;	/* directory fd of the snapshot's mount */
	const char		*dest;		/* absolute, as the Dockerfile has it */
	char *const		*srcs;
	size_t			 nsrcs;
	const struct patterns	*ex;
	int64_t			 uid, gid;	/* -1: 0 (context) or the source's */
	const struct chmod_spec	*chmod;		/* NULL: keep */
	uint32_t		 flags;		/* SNAP_COPY_* */
	int64_t			 mtime;		/* -1: keep */
};
int snap_copy(const struct copy_req *rq, struct snap_err *err);

/* What a COPY writes, entry by entry (copy_inc.c keeps it with the
 * result, for an incremental COPY next time). */
struct cm_entry {
	char		*dst;		/* clean, relative to the snapshot root */
	char		*src;		/* relative to the source root (memory only) */
	char		 type;		/* 'f' file, 'd' directory, 'l' symlink, 'p' fifo */
	uint8_t		 follow;	/* src is opened following a last symlink */
	uint8_t		 keep;		/* the earlier result has it as it is */
	uint8_t		 meta;		/* a directory whose owner, mode, times are set */
	uint32_t	 mode, uid, gid;	/* as written: chmod and chown applied */
	int64_t		 sec, nsec, size;	/* mtime as written; size of a file */
	unsigned char	 md[32];	/* sha256 of the content, the link target, xattrs */
	/* the source's stat, what copying needs of it (memory only) */
	mode_t		 s_mode;
	uid_t		 s_uid;
	gid_t		 s_gid;
	struct timespec	 s_mtim;
	off_t		 s_size;
};
struct copy_manifest {
	struct cm_entry	*e;
	size_t		 n, cap;
	int		 ineligible;	/* hard links, --parents, ! excludes, a
					 * symlink in the destination: a full COPY */
	char		*last_parent;	/* checked already (plan) */
};
void copy_manifest_free(struct copy_manifest *m);
/* The entries rq would write, nothing written (rq->dst_root is only
 * looked at); m->ineligible when an incremental copy could differ. */
int snap_copy_plan(const struct copy_req *rq, struct copy_manifest *m,
    struct snap_err *err);
/* Writes m's entries that are not keep, then sets the owner, mode and
 * times of its directories with meta (after their contents). */
int snap_copy_apply(const struct copy_req *rq, const struct copy_manifest *m,
    struct snap_err *err);

/* mkdir -p of path (absolute) in root: made ones get mode and owner. */
int snap_mkdir(int root, const char *path, mode_t mode, uid_t uid, gid_t gid,
    struct snap_err *err);
/* A file with content read from fd; parents made 0755, 0:0. */
int snap_mkfile(int root, const char *path, int content, mode_t mode, uid_t uid,
    gid_t gid, int64_t mtime, struct snap_err *err);
/* An O_PATH fd of directory rel under root, symlinks followed inside root
 * (as a destination path is); mkparents makes what is missing with mode
 * and owner. */
int dst_open_dir(int root, const char *rel, int mkparents, mode_t mode, uid_t uid,
    gid_t gid);

/* --- checksum.c --- */
/* "sha256:HEX" of what snap_copy would read: names, types, modes, link
 * targets and contents; contents remembered per (dev, inode, size, mtime,
 * ctime). */
int snap_checksum(int root, char *const *srcs, size_t nsrcs, const struct patterns *ex,
    uint32_t flags, char out[80], struct snap_err *err);
/* sha256 of a regular file's content, from the per-inode cache or read
 * (name "": dir is the file itself). */
int checksum_content(int dir, const char *name, const struct stat *st,
    unsigned char md[32]);
/* Cache hits and misses, for tests and figures. */
void checksum_stats(uint64_t *hits, uint64_t *misses);
/* The sha256 of regular file name in dir (st its lstat; name "": dir is
 * the file), from the per-inode cache when the inode's state is the same:
 * for copies that want to know what changed. */
int checksum_file_digest(int dir, const char *name, const struct stat *st,
    unsigned char md[32]);

/* --- checksum_watch.c: answers without a walk while nothing changed --- */
struct ckw_tree;
/* 1 and out set: the same request on the same root was answered before
 * and no inotify event came since. 0: walk, and when *t is not NULL,
 * report each entry read through ckw_watch (before reading it) and end
 * with ckw_end. Wildcard sources, non-local filesystems and trees larger
 * than the watch budget are never remembered. */
int ckw_begin(int root, char *const *srcs, size_t nsrcs, const struct patterns *ex,
    uint32_t flags, char out[80], struct ckw_tree **t);
/* Holds a watch on name in dir ("": dir itself), whose lstat is *st,
 * taken before: an inode watched since is kept as it is, a new watch is
 * added and *st refreshed from after it. Another filesystem (a mount
 * inside) and the answer is not remembered. */
void ckw_watch(struct ckw_tree *t, int dir, const char *name, struct stat *st);
/* The same through fd, the entry's own open (the one that reads it): no
 * open of its own. */
void ckw_watch_fd(struct ckw_tree *t, int fd, struct stat *st);
/* 1: st's inode has no watch yet and would get one; 0: ckw_watch needs
 * no system call (held already, or nothing recorded). */
int ckw_wants_fd(const struct ckw_tree *t, const struct stat *st);
/* Watches each component of rel under root; a symlink among them and
 * the answer is not remembered. */
void ckw_watch_path(struct ckw_tree *t, int root, const char *rel);
/* sum: the walk's answer, remembered unless an event came meanwhile;
 * NULL: it failed. */
void ckw_end(struct ckw_tree *t, const char *sum);
/* Answers given without a walk, answers remembered, watches held. */
void ckw_stats(uint64_t *hits, uint64_t *remembered, uint64_t *watches);
/* yes: walk every time (tests, and the --no-checksum-watch of kilnd). */
void ckw_disable(int yes);

#endif
