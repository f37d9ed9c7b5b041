/* tar_write.h: reproducible tar streams of trees (layers and EXPORT_TAR), and their compression. */
#ifndef KILN_SNAPD_TAR_WRITE_H
#define KILN_SNAPD_TAR_WRITE_H

#include <stdint.h>
#include <sys/stat.h>
#include "files.h"

/*
 * The format: pax (ustar, with pax headers only where ustar cannot hold
 * a name, size or xattr), numeric owners without names, no atime or
 * ctime, directories with a trailing "/", hard links to the first path
 * of an inode, xattrs but overlay's own. With an epoch (SOURCE_DATE_EPOCH)
 * every later mtime becomes the epoch, with no fraction. The caller adds
 * entries in sorted order.
 */
struct tarw_link {
	dev_t	 dev;
	ino_t	 ino;
	char	*path;
};

struct tarw {
	struct archive		*a;
	struct evp_md_ctx_st	*md;		/* sha256 of the stream */
	int			 out;
	char			*buf;		/* writes gathered to 1 MiB */
	size_t			 nbuf;
	int64_t			 epoch;		/* -1: times as they are */
	struct tarw_link	*links;
	size_t			 nlinks;
	uint64_t		 bytes, entries;
	struct snap_err		*err;
};

int tarw_open(struct tarw *t, int out, int64_t epoch, struct snap_err *err);
/* The entry name in dir, as path in the tar ("" : the root, "./"). */
int tarw_add(struct tarw *t, int dir, const char *name, const char *path,
    const struct stat *st);
/* An empty file entry: a whiteout (".wh.NAME", ".wh..wh..opq"). */
int tarw_whiteout(struct tarw *t, const char *path, const struct stat *parent);
/* Ends the stream; digest gets "sha256:HEX" of all it wrote. */
int tarw_close(struct tarw *t, char digest[80]);

/* tree_diff.c: the entries of a layer into t, sorted. From an overlay
 * upper dir (0:0 character devices are whiteouts, user.overlay.opaque or
 * trusted.overlay.opaque = "y" an opaque dir), or from a whole tree
 * compared with its parent's (-1: none, all is new): what is only in the
 * parent becomes a whiteout, directories above a change are written. */
int tree_diff_upper(int upper, struct tarw *t, struct snap_err *err);
int tree_diff(int child, int parent, struct tarw *t, struct snap_err *err);

/* in (a tar) compressed with gzip or zstd into out; level -1: the
 * compressor's default (gzip 0-9, zstd 1-22). */
int tar_compress(int in, int out, const char *compression, int level,
    struct snap_err *err);

#endif
