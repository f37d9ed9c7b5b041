/* checksum.h: the pieces of SNAP_CHECKSUM's walk: the per-inode content cache and the pool that hashes contents beside the walk. */
#ifndef KILN_SNAPD_CHECKSUM_H
#define KILN_SNAPD_CHECKSUM_H

#include <stddef.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include "copy.h"

/* --- checksum_cache.c: contents remembered per inode state --- */
/* 1 and md set: st's inode state (dev, inode, size, mtime, ctime) was
 * read before. */
int checksum_cached(const struct stat *st, unsigned char md[32]);
void checksum_remember(const struct stat *st, const unsigned char md[32]);
/* sha256 of what fd holds, read with buf (bufsz bytes); st its fstat:
 * once st_size bytes are in, a short read is the end, with no read of 0
 * bytes to say so. */
int checksum_fd(int fd, const struct stat *st, unsigned char *buf, size_t bufsz,
    unsigned char md[32]);
#define CK_READ_BUF	(256 * 1024)

/* --- checksum_pool.c: contents hashed beside the walk, records in order --- */
struct ckp;
/* The records of one walk, fed to out in the order given; errors into err. */
struct ckp *ckp_new(EVP_MD_CTX *out, struct snap_err *err);
/* A record complete as it is. */
int ckp_record(struct ckp *p, const char *rec, size_t len);
/* A record whose next 32 bytes are the sha256 of fd's content, then
 * "\n": fd (st its fstat) is the pool's, read and closed by a worker or
 * by the walk when all workers are busy, its digest remembered in the
 * cache. rec holds "TYPE MODE PATH\0" (for the error message). A read
 * error of an earlier file is returned here or by ckp_end. */
int ckp_record_fd(struct ckp *p, const char *rec, size_t len, int fd,
    const struct stat *st);
/* Waits for every file given, feeds the rest: 0, or the first error. */
int ckp_end(struct ckp *p);
void ckp_free(struct ckp *p);

#endif
