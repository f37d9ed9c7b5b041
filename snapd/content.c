/* content.c: the content store: OCI blobs by sha256, verified against their digest and linked into place atomically. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include "log.h"
#include "snapd.h"
#include "util.h"

#define BLOB_HEX	64
#define BLOB_CHUNK	(1 << 20)

struct blob_writer {
	int	fd;
	char	tmp[PATH_MAX];	/* "" for an O_TMPFILE */
};

static char blobs[PATH_MAX - 128];	/* <state>/blobs */

/* "sha256:" and 64 lower-case hex digits, nothing else */
static int
digest_hex(const char *digest, const char **hex)
{
	if (strncmp(digest, "sha256:", 7) != 0 || strlen(digest + 7) != BLOB_HEX)
		return -EINVAL;
	for (const char *p = digest + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return -EINVAL;
	*hex = digest + 7;
	return 0;
}

static int
blob_path(const char *digest, char *out, size_t size)
{
	const char *hex;

	if (digest_hex(digest, &hex) < 0)
		return -EINVAL;
	snprintf(out, size, "%s/sha256/%s", blobs, hex);
	return 0;
}

int
content_open(const char *state_dir)
{
	char path[PATH_MAX];
	int r;

	snprintf(blobs, sizeof(blobs), "%s/blobs", state_dir);
	snprintf(path, sizeof(path), "%s/sha256", blobs);
	if ((r = util_mkdir_p(path, 0700)) < 0)
		return r;
	/* named temporaries exist only where O_TMPFILE does not: a kill
	 * leaves them half-written */
	snprintf(path, sizeof(path), "%s/tmp", blobs);
	tree_remove(path);
	return mkdir(path, 0700) < 0 ? -errno : 0;
}

int
blob_writer_open(struct blob_writer **out)
{
	struct blob_writer *w = calloc(1, sizeof(*w));
	char dir[PATH_MAX];

	if (w == NULL)
		return -ENOMEM;
	snprintf(dir, sizeof(dir), "%s/tmp", blobs);
	w->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (w->fd < 0 && errno == EOPNOTSUPP) {
		snprintf(w->tmp, sizeof(w->tmp), "%s/tmp/blob.XXXXXX", blobs);
		w->fd = mkostemp(w->tmp, O_CLOEXEC);
	}
	if (w->fd < 0) {
		int r = -errno;
		free(w);
		return r;
	}
	*out = w;
	return 0;
}

int
blob_writer_adopt(int fd, struct blob_writer **out)
{
	struct blob_writer *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		close(fd);
		return -ENOMEM;
	}
	w->fd = fd;	/* tmp "": committed by linking the fd, as O_TMPFILE's */
	*out = w;
	return 0;
}

int
blob_staging_dir(char *path, size_t size)
{
	if ((size_t)snprintf(path, size, "%s/tmp/stage.XXXXXX", blobs) >= size)
		return -ENAMETOOLONG;
	return mkdtemp(path) ? 0 : -errno;
}

int
blob_writer_fd(struct blob_writer *w)
{
	return w->fd;
}

void
blob_writer_abort(struct blob_writer *w)
{
	if (w == NULL)
		return;
	if (w->tmp[0])
		unlink(w->tmp);
	close(w->fd);
	free(w);
}

/* Reads the whole file back: the writer may have been another process. */
static int
hash_fd(int fd, char digest[STORE_DIGEST_MAX], uint64_t *size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *buf = malloc(BLOB_CHUNK);
	off_t off = 0;
	ssize_t n;
	int r = 0;

	if (ctx == NULL || buf == NULL || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		r = -ENOMEM;
		goto out;
	}
	while ((n = pread(fd, buf, BLOB_CHUNK, off)) > 0) {
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		off += n;
	}
	if (n < 0) {
		r = -errno;
		goto out;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	util_sha256_str(md, digest);
	*size = (uint64_t)off;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return r;
}

static int
link_into_place(struct blob_writer *w, const char *path)
{
	char proc[64];
	int r = 0;

	if (w->tmp[0])
		r = rename(w->tmp, path) < 0 ? -errno : 0;
	else {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->fd);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0)
			r = errno == EEXIST ? 0 : -errno;	/* same content */
	}
	return r;
}

int
blob_writer_commit(struct blob_writer *w, const char *expect,
    char digest[STORE_DIGEST_MAX], uint64_t *size)
{
	char path[PATH_MAX], dir[PATH_MAX];
	int r, dfd;

	if ((r = hash_fd(w->fd, digest, size)) < 0)
		goto out;
	if (expect && *expect && strcmp(expect, digest) != 0) {
		log_warn("blob does not match its digest: expected %s, got %s",
		    expect, digest);
		r = -EBADMSG;
		goto out;
	}
	blob_path(digest, path, sizeof(path));
	/* write aside, fsync, link, fsync the directory */
	if (fchmod(w->fd, 0444) < 0 || fsync(w->fd) < 0) {
		r = -errno;
		goto out;
	}
	if ((r = link_into_place(w, path)) < 0)
		goto out;
	w->tmp[0] = '\0';
	snprintf(dir, sizeof(dir), "%s/sha256", blobs);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	blob_writer_abort(w);
	return r;
}

int
blob_open(const char *digest)
{
	char path[PATH_MAX];
	int fd;

	if (blob_path(digest, path, sizeof(path)) < 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int
blob_exists(const char *digest, uint64_t *size)
{
	char path[PATH_MAX];
	struct stat st;

	if (blob_path(digest, path, sizeof(path)) < 0)
		return -EINVAL;
	if (stat(path, &st) < 0)
		return -errno;
	if (size)
		*size = (uint64_t)st.st_size;
	return 0;
}

int
blob_delete(const char *digest)
{
	char path[PATH_MAX];

	if (blob_path(digest, path, sizeof(path)) < 0)
		return -EINVAL;
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

int
blob_each(int (*fn)(const char *digest, uint64_t size, int64_t mtime, void *arg),
    void *arg)
{
	char path[PATH_MAX], digest[STORE_DIGEST_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int r = 0;

	snprintf(path, sizeof(path), "%s/sha256", blobs);
	if ((d = opendir(path)) == NULL)
		return -errno;
	while (r == 0 && (e = readdir(d)) != NULL) {
		if (strlen(e->d_name) != BLOB_HEX ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		snprintf(digest, sizeof(digest), "sha256:%s", e->d_name);
		r = fn(digest, (uint64_t)st.st_blocks * 512, st.st_mtime, arg);
	}
	closedir(d);
	return r;
}
