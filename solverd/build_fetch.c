/* build_fetch.c: ADD of a URL: kiln-netd writes the body into a memfd, solverd hashes it for the step's key before the build is solved. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "build.h"
#include "log.h"
#include "snapc.h"

/* what one ADD URL may bring: the body is held in memory until the step */
#define FETCH_MAX	(4ULL << 30)

struct fetch_call {
	struct build	*b;
	struct fact	*a;
};

/* "sha256:HEX" of fd's content, read from the start */
static int
digest_fd(int fd, char *out, size_t size)
{
	static unsigned char buf[256 * 1024];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	off_t off = 0;
	ssize_t got;
	int r = 0;

	if (ctx == NULL || size < 7 + 64 + 1) {
		EVP_MD_CTX_free(ctx);
		return -ENOMEM;
	}
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((got = pread(fd, buf, sizeof(buf), off)) > 0) {
		EVP_DigestUpdate(ctx, buf, (size_t)got);
		off += got;
	}
	if (got < 0)
		r = -errno;
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	if (r < 0)
		return r;
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < n && i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* NET_FETCHED [bytes, mtime, name]: the body is in a->fd */
static int
fetched(struct build *b, struct fact *a, const struct ipc_msg *m)
{
	const char *url = a->srcs.v[0];
	char name[256];
	struct ipc_rd rd;
	uint64_t bytes;
	int64_t mtime;
	size_t n = strlen(a->dest);
	int r;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_u64(&rd, &bytes) < 0 ||
	    ipc_rd_i64(&rd, &mtime) < 0 || ipc_rd_strcpy(&rd, name, sizeof(name)) < 0 ||
	    ipc_rd_end(&rd) < 0 || strchr(name, '/'))
		return build_fail(b, EBADMSG, "ADD %s: kiln-netd sent a malformed "
		    "NET_FETCHED", url), -EBADMSG;
	a->mtime = mtime;
	if (*name) {
		free(a->name);
		if ((a->name = strdup(name)) == NULL)
			return build_fail(b, ENOMEM, "ADD %s: out of memory", url), -ENOMEM;
	}
	if (n && a->dest[n - 1] == '/' && !*a->name)
		return build_fail(b, EINVAL, "ADD %s: the URL names no file and the server "
		    "sent no file name; give the destination as a file path", url), -EINVAL;
	if ((r = digest_fd(a->fd, a->checksum, sizeof(a->checksum))) < 0)
		return build_fail(b, -r, "ADD %s: reading what came: %s", url,
		    strerror(-r)), r;
	if (a->expect && strcmp(a->expect, a->checksum) != 0)
		return build_fail(b, EINVAL, "ADD %s: checksum mismatch: --checksum is %s, "
		    "what came is %s", url, a->expect, a->checksum), -EINVAL;
	log_info("ADD %s: %llu bytes, %s", url, (unsigned long long)bytes, a->checksum);
	return 0;
}

static void
on_fetched(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct fetch_call *c = arg;
	struct build *b = c->b;
	char why[1024];
	int err;

	b->pending--;
	if (b->failed)
		;
	else if (m && m->hdr.type == IPC_NET_FETCHED)
		fetched(b, c->a, m);
	else
		build_fail(b, EIO, "ADD %s: %s", c->a->srcs.v[0],
		    snapc_why(m, PROC_NETD, &err, why, sizeof(why)));
	free(c);
	build_sums_done(b);
	build_unref(b);
}

int
build_fetch(struct build *b, struct fact *a)
{
	struct fetch_call *c = calloc(1, sizeof(*c));
	struct ipc_wr w;
	int fd = -1, r;

	if (c == NULL)
		return -ENOMEM;
	if (a->fd < 0 && (a->fd = snapc_memfd("kiln-add-url", "", 0)) < 0) {
		r = a->fd;
		a->fd = -1;
		goto out;
	}
	if ((r = ftruncate(a->fd, 0)) < 0 || (fd = snapc_dup(a->fd)) < 0) {
		r = r < 0 ? -errno : fd;
		goto out;
	}
	c->b = b;
	c->a = a;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, a->srcs.v[0]);
	msgpack_pack_uint64(&w.pk, FETCH_MAX);
	r = snapc_call(b->h, PROC_NETD, IPC_NET_FETCH, &w, &fd, 1, on_fetched, c);
	ipc_wr_free(&w);
	if (r == 0) {
		b->pending++;
		build_ref(b);
		return 0;
	}
out:
	free(c);
	return r;
}
