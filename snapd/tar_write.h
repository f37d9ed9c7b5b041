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

/* in (a tar) compressed with gzip or zstd into out. */
int tar_compress(int in, int out, const char *compression, struct snap_err *err);

#endif
