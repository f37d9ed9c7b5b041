/* util.h: small file, path and process helpers shared by kiln's programs. */
#ifndef KILN_UTIL_H
#define KILN_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Reads at most size-1 bytes, NUL-terminates. Returns bytes read or -errno. */
ssize_t util_read_small_file(const char *path, char *buf, size_t size);
/* Writes s to path (O_WRONLY, no create). 0 or -errno. */
int util_write_file(const char *path, const char *s);
/* mkdir -p with mode for the directories it creates. 0 or -errno. */
int util_mkdir_p(const char *path, mode_t mode);
/* Reads a sysctl from /proc/sys; -errno when it does not exist. */
int util_sysctl_int(const char *name, long *value);
/* Monotonic milliseconds. */
long long util_now_ms(void);
/* $XDG_RUNTIME_DIR, or /run/user/UID, or /tmp/kiln-UID, into buf. */
int util_runtime_dir(char *buf, size_t size);
/* Looks name up in $PATH; 0 and the path in out, or -ENOENT. */
int util_which(const char *name, char *out, size_t size);
/* "10GB", "512MiB", "2g", "1000": a size in bytes. 0 or -EINVAL. */
int util_parse_size(const char *s, uint64_t *out);
/* calloc for a table that is read before it is written: zeroed by
 * writes, so no page is first mapped as the shared zero page, whose
 * copy on the first write flushes the TLB of every CPU the process runs
 * on (an interrupt each, once it has threads). */
void *util_calloc_written(size_t n, size_t size);
/* "sha256:" and the 64 hex digits of md, the form every digest and key
 * kiln writes takes: out holds 72 bytes. */
void util_sha256_str(const unsigned char md[32], char out[72]);
/* Closes every fd >= from. */
void util_close_from(int from);

/* Go's path.Clean, in place: one slash between elements, no "."
 * elements, ".." folded into its parent, none above a rooted path; ""
 * becomes ".". The result is never longer. */
void util_path_clean(char *path);

/* cleanup attributes: fds, memory and child pids only (STYLE rule 18) */
void util_closep(int *fd);
void util_freep(void *p);
#define _cleanup_close_	__attribute__((cleanup(util_closep)))
#define _cleanup_free_	__attribute__((cleanup(util_freep)))

#endif
