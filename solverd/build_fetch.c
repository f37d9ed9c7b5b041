/* build_fetch.c: ADD of a URL: kiln-netd writes the body into a memfd, solverd hashes it for the step's key before the build is solved; an unchanged body (304 to its ETag) is not fetched again unless the step runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "build.h"
#include "cachedb.h"
#include "log.h"
#include "snapc.h"
#include "util.h"

/* what one ADD URL may bring: the body is held in memory until the step */
#define FETCH_MAX	(4ULL << 30)

struct fetch_call {
	struct build		*b;
	struct fact		*a;
	int			 asked;		/* with row's ETag */
	struct fetched_row	 row;
};

/* NET_FETCHED's fields */
struct fetched_msg {
	uint64_t	bytes;
	int64_t		mtime;
	char		name[256];
	char		etag[256];
	int		not_modified;
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
	util_sha256_str(md, out);
	return 0;
}

static int
read_fetched(const struct ipc_msg *m, struct fetched_msg *f)
{
	struct ipc_rd rd;

	if (m == NULL || m->hdr.type != IPC_NET_FETCHED || ipc_rd_init(&rd, &m->body) < 0 ||
	    ipc_rd_u64(&rd, &f->bytes) < 0 || ipc_rd_i64(&rd, &f->mtime) < 0 ||
	    ipc_rd_strcpy(&rd, f->name, sizeof(f->name)) < 0 ||
	    ipc_rd_strcpy(&rd, f->etag, sizeof(f->etag)) < 0 ||
	    ipc_rd_bool(&rd, &f->not_modified) < 0 || ipc_rd_end(&rd) < 0 ||
	    strchr(f->name, '/'))
		return -EBADMSG;
	return 0;
}

/* NET_FETCH of a's URL into a->fd (emptied first), with etag ("": none) */
static int
send_fetch(struct helper *h, struct fact *a, const char *etag, ipc_reply_fn cb, void *arg)
{
	struct ipc_wr w;
	int fd, r;

	if (a->fd < 0 && (a->fd = snapc_memfd("kiln-add-url", "", 0)) < 0) {
		r = a->fd;
		a->fd = -1;
		return r;
	}
	if (ftruncate(a->fd, 0) < 0)
		return -errno;
	if ((fd = snapc_dup(a->fd)) < 0)
		return fd;
	a->have_body = 0;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 3);
	ipc_wr_str(&w, a->srcs.v[0]);
	msgpack_pack_uint64(&w.pk, FETCH_MAX);
	ipc_wr_str(&w, etag);
	r = snapc_call(h, PROC_NETD, IPC_NET_FETCH, &w, &fd, 1, cb, arg);
	ipc_wr_free(&w);
	return r;
}

/* The name, time and digest the step's key holds, from what came (or,
 * not modified, from the last time); why says what is wrong. */
static int
take_fetched(struct fact *a, const struct fetched_msg *f, const struct fetched_row *last,
    char *why, size_t size)
{
	const char *name = f->not_modified ? last->name : f->name;
	size_t n = strlen(a->dest);
	int r;

	a->mtime = f->not_modified ? last->mtime : f->mtime;
	if (*name) {
		free(a->name);
		if ((a->name = strdup(name)) == NULL)
			return snprintf(why, size, "out of memory"), -ENOMEM;
	}
	if (n && a->dest[n - 1] == '/' && !*a->name)
		return snprintf(why, size, "the URL names no file and the server sent no "
		    "file name; give the destination as a file path"), -EINVAL;
	if (f->not_modified)
		snprintf(a->checksum, sizeof(a->checksum), "%s", last->digest);
	else if ((r = digest_fd(a->fd, a->checksum, sizeof(a->checksum))) < 0)
		return snprintf(why, size, "reading what came: %s", strerror(-r)), r;
	else
		a->have_body = 1;
	if (a->expect && strcmp(a->expect, a->checksum) != 0)
		return snprintf(why, size, "checksum mismatch: --checksum is %s, what came "
		    "is %s", a->expect, a->checksum), -EINVAL;
	return 0;
}

/* a new body with an ETag: the next build asks with it */
static void
remember(const struct fact *a, const struct fetched_msg *f)
{
	struct fetched_row row = { .mtime = f->mtime };

	if (f->not_modified || !*f->etag)
		return;
	snprintf(row.etag, sizeof(row.etag), "%s", f->etag);
	snprintf(row.digest, sizeof(row.digest), "%s", a->checksum);
	snprintf(row.name, sizeof(row.name), "%s", f->name);
	cachedb_fetch_put(a->srcs.v[0], &row);
}

static void
on_fetched(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct fetch_call *c = arg;
	struct build *b = c->b;
	struct fact *a = c->a;
	struct fetched_msg f;
	char why[1024];
	int err;

	b->pending--;
	if (b->failed)
		;
	else if (m == NULL || m->hdr.type != IPC_NET_FETCHED)
		build_fail(b, EIO, "ADD %s: %s", a->srcs.v[0],
		    snapc_why(m, PROC_NETD, &err, why, sizeof(why)));
	else if (read_fetched(m, &f) < 0 || (f.not_modified && !c->asked))
		build_fail(b, EBADMSG, "ADD %s: kiln-netd sent a malformed NET_FETCHED",
		    a->srcs.v[0]);
	else if (take_fetched(a, &f, &c->row, why, sizeof(why)) < 0)
		build_fail(b, EINVAL, "ADD %s: %s", a->srcs.v[0], why);
	else {
		remember(a, &f);
		log_info("ADD %s: %s, %s", a->srcs.v[0], f.not_modified ? "not modified" :
		    "fetched", a->checksum);
	}
	free(c);
	build_sums_done(b);
	build_unref(b);
}

int
build_fetch(struct build *b, struct fact *a)
{
	struct fetch_call *c = calloc(1, sizeof(*c));
	int r;

	if (c == NULL)
		return -ENOMEM;
	c->b = b;
	c->a = a;
	c->asked = cachedb_fetch_get(a->srcs.v[0], &c->row) == 0;
	r = send_fetch(b->h, a, c->asked ? c->row.etag : "", on_fetched, c);
	if (r < 0) {
		free(c);
		return r;
	}
	b->pending++;
	build_ref(b);
	return 0;
}

int
build_fetch_body(struct helper *h, struct fact *a, ipc_reply_fn cb, void *arg)
{
	return send_fetch(h, a, "", cb, arg);
}

int
build_fetch_check(struct fact *a, const struct ipc_msg *m, char *why, size_t size)
{
	struct fetched_msg f;
	char sum[sizeof(a->checksum)];
	int err, r;

	if (m == NULL || m->hdr.type != IPC_NET_FETCHED) {
		snapc_why(m, PROC_NETD, &err, why, size);
		return -(err ? err : EIO);
	}
	if (read_fetched(m, &f) < 0 || f.not_modified)
		return snprintf(why, size, "kiln-netd sent a malformed NET_FETCHED"), -EBADMSG;
	if ((r = digest_fd(a->fd, sum, sizeof(sum))) < 0)
		return snprintf(why, size, "reading what came: %s", strerror(-r)), r;
	/* the key was made for the body the 304 named */
	if (strcmp(sum, a->checksum) != 0)
		return snprintf(why, size, "the body changed since its ETag was checked "
		    "(%s, now %s); build again", a->checksum, sum), -ESTALE;
	a->have_body = 1;
	return 0;
}
