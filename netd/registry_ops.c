/* registry_ops.c: the REG_* requests: manifests and blobs in and out of the fds snapd hands over, and logins. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "log.h"
#include "fetch.h"
#include "registry.h"

#define MANIFEST_MAX	(4 * 1024 * 1024)	/* containerd's bound */
#define SECRET_MAX	16384

static const char manifest_accept[] =
    "Accept: application/vnd.oci.image.index.v1+json, "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

/* Reads [str, str, ...] fields into the given buffers; then the rest. */
static int
rd_str_into(struct ipc_rd *rd, char *buf, size_t size)
{
	const char *s;
	size_t n;

	if (ipc_rd_str(rd, &s, &n) < 0 || n >= size || memchr(s, '\0', n))
		return -EBADMSG;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

/* A new operation on the registry of ref for peer's request m; replies
 * the error itself and returns NULL when it cannot start. actions: the
 * token scope's ("pull", "pull,push"). Takes m's first fd. Loads libcurl
 * the first time. */
static struct reg_op *
op_begin(struct ipc_peer *p, struct ipc_msg *m, const char *ref,
    const char *actions, const char *what)
{
	struct reg_op *op;
	const char *why;
	char msg[1024];
	int r;

	/* libcurl is loaded by the first registry request (curl_lazy.c) */
	if ((r = http_load(msg, sizeof(msg))) < 0) {
		log_error("%s %s: %s", what, ref, msg);
		ipc_reply_error(p, m->hdr.id, -r, "%s %s: %s", what, ref, msg);
		return NULL;
	}
	if ((op = reg_op_new(helper_of(p), p, m->hdr.id)) == NULL) {
		ipc_reply_error(p, m->hdr.id, ENOMEM, "%s: out of memory", what);
		return NULL;
	}
	if (m->nfds > 0) {
		op->fd = m->fds[0];
		m->fds[0] = -1;
	}
	if (imgref_parse(ref, &op->ref, &why) < 0) {
		ipc_reply_error(p, m->hdr.id, EINVAL, "%s: '%s' is not a valid "
		    "reference: %s", what, ref, why);
		reg_op_free(op);
		return NULL;
	}
	op->rc = regconf_find(op->ref.domain);
	snprintf(op->api_host, sizeof(op->api_host), "%s", imgref_api_host(op->ref.domain));
	snprintf(op->scope, sizeof(op->scope), "repository:%s:%s", op->ref.path, actions);
	snprintf(op->what, sizeof(op->what), "%s %s", what, ref);
	return op;
}

static void
op_start(struct reg_op *op, reg_step_fn on_answer)
{
	int r;

	op->on_answer = on_answer;
	r = op->x ? reg_send(op) : -ENOMEM;
	if (r < 0)
		reg_fail_text(op, -r, "%s: %s", op->what, strerror(-r));
}

/* where the content goes: from the fd's offset now */
static int
out_fd(struct reg_op *op, struct http_xfer *x)
{
	off_t off = op->fd >= 0 ? lseek(op->fd, 0, SEEK_CUR) : -1;

	if (off < 0) {
		reg_fail_text(op, EINVAL, "%s: the fd for the content must be a "
		    "regular file or a memfd", op->what);
		return -EINVAL;
	}
	x->out_fd = op->fd;
	x->out_off = off;
	return 0;
}

static int
in_fd(struct reg_op *op, struct http_xfer *x, uint64_t size)
{
	struct stat st;
	off_t off = op->fd >= 0 ? lseek(op->fd, 0, SEEK_CUR) : -1;

	if (off < 0 || fstat(op->fd, &st) < 0) {
		reg_fail_text(op, EINVAL, "%s: the fd of the content must be a "
		    "regular file or a memfd", op->what);
		return -EINVAL;
	}
	x->in_fd = op->fd;
	x->in_off = off;
	x->in_size = size ? size : (uint64_t)(st.st_size - off);
	return 0;
}

static void
reply_done(struct reg_op *op, uint16_t type, struct ipc_wr *w)
{
	struct ipc_peer *p = reg_peer(op);

	if (p)
		ipc_send(p, type, op->id, w, NULL, 0);
	ipc_wr_free(w);
	reg_op_free(op);
}

/* "application/json; charset=utf-8" -> "application/json" */
static void
media_type(const char *ct, char *out, size_t size)
{
	snprintf(out, size, "%.*s", (int)strcspn(ct, "; "), ct);
}

/* --- REG_MANIFEST_GET --- */

/* a pull served: by whom, when the registry has mirrors */
static void
log_served(const struct reg_op *op)
{
	char who[IMGREF_DOMAIN_MAX + 16];

	if (op->up_rc && op->up_rc->nmirrors)
		log_info("%s: served by %s", op->what, reg_endpoint(op, who, sizeof(who)));
}

static void
manifest_answer(struct reg_op *op)
{
	struct http_xfer *x = op->x;
	char canon[IMGREF_STR_MAX], mt[256];
	struct ipc_wr w;

	if (x->status != 200) {
		reg_fail(op, NULL);
		return;
	}
	log_served(op);
	media_type(x->content_type, mt, sizeof(mt));
	imgref_format(&op->ref, canon, sizeof(canon));
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 4);
	ipc_wr_str(&w, canon);
	ipc_wr_str(&w, mt);
	ipc_wr_str(&w, imgref_digest_valid(x->digest) ? x->digest : "");
	msgpack_pack_uint64(&w.pk, x->range_from + x->written);
	reply_done(op, IPC_REG_MANIFEST, &w);
}

/* A GET whose body goes into the fd snapd handed over; NULL: op failed. */
static struct http_xfer *
get_into_fd(struct reg_op *op)
{
	struct http_xfer *x = reg_xfer(op, "GET");

	if (x == NULL) {
		reg_fail_text(op, ENOMEM, "%s: out of memory", op->what);
		return NULL;
	}
	return out_fd(op, x) < 0 ? NULL : x;
}

/* the GET, to op's endpoint now */
static void
manifest_request(struct reg_op *op)
{
	struct http_xfer *x = get_into_fd(op);

	if (x == NULL)
		return;
	reg_url(op, x->url, sizeof(x->url), "%s/manifests/%s", op->ref.path,
	    op->ref.digest[0] ? op->ref.digest : op->ref.tag);
	x->out_max = MANIFEST_MAX;
	if (op->accept[0])
		http_header(x, "Accept: %s", op->accept);
	else
		http_header(x, "%s", manifest_accept);
	op_start(op, manifest_answer);
}

static int
on_manifest_get(struct ipc_peer *p, struct ipc_msg *m)
{
	char ref[IMGREF_STR_MAX], accept[1024];
	struct ipc_rd rd;
	struct reg_op *op;

	if (m->nfds != 1 || ipc_rd_init(&rd, &m->body) < 0 ||
	    rd_str_into(&rd, ref, sizeof(ref)) < 0 ||
	    rd_str_into(&rd, accept, sizeof(accept)) < 0 || ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	if ((op = op_begin(p, m, ref, "pull", "manifest")) == NULL)
		return 0;
	snprintf(op->accept, sizeof(op->accept), "%s", accept);
	reg_use_mirrors(op, manifest_request);
	manifest_request(op);
	return 0;
}

/* --- REG_BLOB_GET, REG_BLOB_HEAD --- */

static void
blob_answer(struct reg_op *op)
{
	struct http_xfer *x = op->x;
	uint64_t got = x->range_from + x->written;
	struct ipc_wr w;

	if (x->status != 200 && x->status != 206) {
		reg_fail(op, NULL);
		return;
	}
	if (op->size && got != op->size) {
		char who[IMGREF_DOMAIN_MAX + 16];

		reg_fail_text(op, EIO, "%s: %s sent %llu bytes, not the %llu its "
		    "manifest says", op->what, reg_endpoint(op, who, sizeof(who)),
		    (unsigned long long)got, (unsigned long long)op->size);
		return;
	}
	log_served(op);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_uint64(&w.pk, got);
	reply_done(op, IPC_REG_BLOB, &w);
}

/* [str repository, str digest, ...]: the op and its URL */
static struct reg_op *
blob_begin(struct ipc_peer *p, struct ipc_msg *m, struct ipc_rd *rd,
    const char *actions, const char *method)
{
	char repo[IMGREF_STR_MAX], digest[IMGREF_DIGEST_MAX], what[IMGREF_DIGEST_MAX + 8];
	struct reg_op *op;

	if (rd_str_into(rd, repo, sizeof(repo)) < 0 ||
	    rd_str_into(rd, digest, sizeof(digest)) < 0)
		return NULL;
	snprintf(what, sizeof(what), "blob %s of", digest);
	if ((op = op_begin(p, m, repo, actions, what)) == NULL)
		return NULL;
	if (!imgref_digest_valid(digest)) {
		reg_fail_text(op, EINVAL, "%s: not a sha256 digest", op->what);
		return NULL;
	}
	snprintf(op->digest, sizeof(op->digest), "%s", digest);
	if (reg_xfer(op, method) == NULL) {
		reg_fail_text(op, ENOMEM, "%s: out of memory", op->what);
		return NULL;
	}
	reg_url(op, op->x->url, sizeof(op->x->url), "%s/blobs/%s", op->ref.path, digest);
	return op;
}

static void
blob_request(struct reg_op *op)
{
	struct http_xfer *x = get_into_fd(op);

	if (x == NULL)
		return;
	reg_url(op, x->url, sizeof(x->url), "%s/blobs/%s", op->ref.path, op->digest);
	x->out_max = op->size;
	x->follow = 1;	/* registries send blobs from their storage */
	op_start(op, blob_answer);
}

static int
on_blob_get(struct ipc_peer *p, struct ipc_msg *m)
{
	struct ipc_rd rd;
	struct reg_op *op;
	uint64_t size;

	if (m->nfds != 1 || ipc_rd_init(&rd, &m->body) < 0)
		return -EBADMSG;
	if ((op = blob_begin(p, m, &rd, "pull", "GET")) == NULL)
		return 0;
	if (ipc_rd_u64(&rd, &size) < 0 || ipc_rd_end(&rd) < 0) {
		reg_op_free(op);
		return -EBADMSG;
	}
	op->size = size;
	reg_use_mirrors(op, blob_request);
	blob_request(op);
	return 0;
}

static void
head_answer(struct reg_op *op)
{
	struct http_xfer *x = op->x;
	struct ipc_wr w;

	if (x->status != 200 && x->status != 404) {
		reg_fail(op, NULL);
		return;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	if (x->status == 200)
		msgpack_pack_true(&w.pk);
	else
		msgpack_pack_false(&w.pk);
	msgpack_pack_uint64(&w.pk, x->status == 200 && x->content_length > 0 ?
	    (uint64_t)x->content_length : 0);
	reply_done(op, IPC_REG_BLOB_STAT, &w);
}

static int
on_blob_head(struct ipc_peer *p, struct ipc_msg *m)
{
	struct ipc_rd rd;
	struct reg_op *op;

	if (ipc_rd_init(&rd, &m->body) < 0)
		return -EBADMSG;
	if ((op = blob_begin(p, m, &rd, "pull", "HEAD")) == NULL)
		return 0;
	if (ipc_rd_end(&rd) < 0) {
		reg_op_free(op);
		return -EBADMSG;
	}
	op->x->follow = 1;
	op_start(op, head_answer);
	return 0;
}

/* --- REG_BLOB_PUT: HEAD, then a mount or a POST, then one PUT, or
 * PATCHes of chunk-size bytes and a closing PUT --- */

enum { PUT_HEAD, PUT_POST, PUT_WHOLE, PUT_CHUNK, PUT_CLOSE };

static void put_answer(struct reg_op *op);

static void
put_reply(struct reg_op *op, const char *how)
{
	struct ipc_wr w;

	if (op->chunks)
		log_info("%s: uploaded in %d chunks", op->what, op->chunks);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, how);
	reply_done(op, IPC_REG_BLOB_PUT_REPLY, &w);
}

/* Location is absolute, or a path on the registry; with_digest: the
 * closing request's ?digest= */
static int
upload_url(struct reg_op *op, const char *loc, int with_digest, char *buf, size_t size)
{
	char *e = curl_easy_escape(NULL, op->digest, 0), q[IMGREF_DIGEST_MAX * 3 + 16] = "";
	int n;

	if (with_digest)
		snprintf(q, sizeof(q), "%sdigest=%s", strchr(loc, '?') ? "&" : "?", e);
	if (strncmp(loc, "http://", 7) == 0 || strncmp(loc, "https://", 8) == 0)
		n = snprintf(buf, size, "%s%s", loc, q);
	else
		n = snprintf(buf, size, "%s://%s%s%s%s", regconf_scheme(op->rc),
		    op->api_host, loc[0] == '/' ? "" : "/", loc, q);
	curl_free(e);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The body of a PUT or PATCH: len bytes of the blob from op->sent. */
static int
put_body(struct reg_op *op, struct http_xfer *x, uint64_t len)
{
	if (op->step == PUT_WHOLE || (op->step == PUT_CHUNK && op->chunks == 0)) {
		if (in_fd(op, x, op->size) < 0)
			return 1;
		op->in_base = x->in_off;
	}
	x->in_fd = op->fd;
	x->in_off = op->in_base + (off_t)op->sent;
	x->in_size = len;
	return http_header(x, "Content-Type: application/octet-stream");
}

/* the next request to loc, the upload's Location */
static int
put_send(struct reg_op *op, const char *loc)
{
	uint64_t chunk = regconf_chunk(op->rc), len;
	struct http_xfer *x;
	int r;

	if (op->step == PUT_POST)
		op->step = chunk && op->size > chunk ? PUT_CHUNK : PUT_WHOLE;
	else if (op->step == PUT_CHUNK && op->sent == op->size)
		op->step = PUT_CLOSE;
	len = op->step == PUT_WHOLE ? op->size : op->step == PUT_CLOSE ? 0 :
	    op->size - op->sent < chunk ? op->size - op->sent : chunk;
	if ((x = reg_xfer(op, op->step == PUT_CHUNK ? "PATCH" : "PUT")) == NULL)
		return -ENOMEM;
	if (upload_url(op, loc, op->step != PUT_CHUNK, x->url, sizeof(x->url)) < 0)
		return -ENAMETOOLONG;
	if (op->step != PUT_CLOSE && (r = put_body(op, x, len)) != 0)
		return r;
	if (op->step == PUT_CHUNK &&
	    (r = http_header(x, "Content-Range: %llu-%llu", (unsigned long long)op->sent,
	    (unsigned long long)(op->sent + len - 1))) < 0)
		return r;
	if (op->step == PUT_CHUNK)
		op->chunks++;
	return reg_send(op);
}

static int
put_next(struct reg_op *op)
{
	char loc[sizeof(op->x->location)];
	struct http_xfer *x;

	snprintf(loc, sizeof(loc), "%s", op->x->location);
	if (op->step != PUT_HEAD)
		return put_send(op, loc);
	/* POST: start an upload, or mount from another repository */
	op->step = PUT_POST;
	if ((x = reg_xfer(op, "POST")) == NULL)
		return -ENOMEM;
	if (op->mount_from[0])
		reg_url(op, x->url, sizeof(x->url), "%s/blobs/uploads/?mount=%s&from=%s",
		    op->ref.path, op->digest, op->mount_from);
	else
		reg_url(op, x->url, sizeof(x->url), "%s/blobs/uploads/", op->ref.path);
	return reg_send(op);
}

/* what each step's answer must be to go on */
static long
put_wants(const struct reg_op *op)
{
	switch (op->step) {
	case PUT_HEAD: return 404;
	case PUT_POST: case PUT_CHUNK: return 202;
	default: return 0;
	}
}

static void
put_answer(struct reg_op *op)
{
	long st = op->x->status;
	int r;

	if ((op->step == PUT_HEAD && st == 200) || (op->step == PUT_POST && st == 201) ||
	    ((op->step == PUT_WHOLE || op->step == PUT_CLOSE) && st == 201)) {
		put_reply(op, op->step == PUT_HEAD ? "present" : op->step == PUT_POST ?
		    "mounted" : "uploaded");
		return;
	}
	if (st != put_wants(op)) {
		reg_fail(op, op->step == PUT_HEAD ? "checking " : "uploading ");
		return;
	}
	if (op->step != PUT_HEAD && !op->x->location[0]) {
		reg_fail_text(op, EPROTO, "%s: registry %s took %s but sent no "
		    "Location to go on", op->what, op->ref.domain, op->step == PUT_POST ?
		    "the upload's start" : "a chunk");
		return;
	}
	if (op->step == PUT_CHUNK)
		op->sent += op->x->in_size;
	if ((r = put_next(op)) < 0)
		reg_fail_text(op, -r, "%s: %s", op->what, strerror(-r));
}

/* Mounting from another repository needs it on the same registry. */
static void
put_mount_from(struct reg_op *op, const char *from)
{
	struct imgref fr;
	char s[sizeof(op->scope)];

	if (!*from || imgref_parse(from, &fr, NULL) < 0 ||
	    strcmp(fr.domain, op->ref.domain) != 0 || strcmp(fr.path, op->ref.path) == 0)
		return;
	if (snprintf(s, sizeof(s), "%s repository:%s:pull", op->scope, fr.path) >=
	    (int)sizeof(s))
		return;
	snprintf(op->mount_from, sizeof(op->mount_from), "%s", fr.path);
	memcpy(op->scope, s, sizeof(s));
}

static int
on_blob_put(struct ipc_peer *p, struct ipc_msg *m)
{
	char from[IMGREF_STR_MAX];
	struct ipc_rd rd;
	struct reg_op *op;
	uint64_t size;

	if (m->nfds != 1 || ipc_rd_init(&rd, &m->body) < 0)
		return -EBADMSG;
	if ((op = blob_begin(p, m, &rd, "pull,push", "HEAD")) == NULL)
		return 0;
	if (ipc_rd_u64(&rd, &size) < 0 || rd_str_into(&rd, from, sizeof(from)) < 0 ||
	    ipc_rd_end(&rd) < 0) {
		reg_op_free(op);
		return -EBADMSG;
	}
	op->size = size;
	put_mount_from(op, from);
	op_start(op, put_answer);
	return 0;
}

/* --- REG_MANIFEST_PUT --- */

static void
manifest_put_answer(struct reg_op *op)
{
	struct ipc_wr w;

	if (op->x->status != 201 && op->x->status != 200) {
		reg_fail(op, "pushing ");
		return;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, imgref_digest_valid(op->x->digest) ? op->x->digest : "");
	reply_done(op, IPC_REG_MANIFEST_PUT_REPLY, &w);
}

static int
on_manifest_put(struct ipc_peer *p, struct ipc_msg *m)
{
	char ref[IMGREF_STR_MAX], mt[256];
	struct ipc_rd rd;
	struct reg_op *op;
	struct http_xfer *x;

	if (m->nfds != 1 || ipc_rd_init(&rd, &m->body) < 0 ||
	    rd_str_into(&rd, ref, sizeof(ref)) < 0 || rd_str_into(&rd, mt, sizeof(mt)) < 0 ||
	    ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	if ((op = op_begin(p, m, ref, "pull,push", "manifest")) == NULL)
		return 0;
	if ((x = reg_xfer(op, "PUT")) == NULL || in_fd(op, x, 0) < 0)
		return x ? 0 : (reg_op_free(op), -ENOMEM);
	if (x->in_size > MANIFEST_MAX) {
		reg_fail_text(op, EFBIG, "%s: over %d bytes", op->what,
		    MANIFEST_MAX);
		return 0;
	}
	reg_url(op, x->url, sizeof(x->url), "%s/manifests/%s", op->ref.path,
	    op->ref.tag[0] ? op->ref.tag : op->ref.digest);
	http_header(x, "Content-Type: %s", mt);
	op_start(op, manifest_put_answer);
	return 0;
}

/* --- REG_LOGIN --- */

static void
login_answer(struct reg_op *op)
{
	struct ipc_peer *p = reg_peer(op);

	if (op->x->status != 200) {
		reg_fail(op, "logging in: ");
		return;
	}
	log_info("login to %s as %s: accepted", op->ref.domain, op->creds->user);
	if (p)
		ipc_reply_empty(p, IPC_OK, op->id);
	reg_op_free(op);
}

static int
read_secret(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		n += (size_t)r;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return n + 1 >= size ? -E2BIG : 0;
}

static int
login_creds(struct reg_op *op, const char *user)
{
	int r;

	if ((op->creds = calloc(1, sizeof(*op->creds))) == NULL)
		return -ENOMEM;
	snprintf(op->creds->user, sizeof(op->creds->user), "%s", user);
	snprintf(op->creds->source, sizeof(op->creds->source), "the login");
	r = read_secret(op->fd, op->creds->secret, sizeof(op->creds->secret));
	return r < 0 ? r : op->creds->secret[0] ? 0 : -ENODATA;
}

static int
on_login(struct ipc_peer *p, struct ipc_msg *m)
{
	char reg[IMGREF_DOMAIN_MAX], user[256], ref[IMGREF_DOMAIN_MAX + 8];
	struct ipc_rd rd;
	struct reg_op *op;
	int r;

	if (m->nfds != 1 || ipc_rd_init(&rd, &m->body) < 0 ||
	    rd_str_into(&rd, reg, sizeof(reg)) < 0 || rd_str_into(&rd, user, sizeof(user)) < 0 ||
	    ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	/* the registry's name, as a reference's domain */
	snprintf(ref, sizeof(ref), "%s/x", reg);
	if ((op = op_begin(p, m, ref, "pull", "login to")) == NULL)
		return 0;
	snprintf(op->what, sizeof(op->what), "login to %s", op->ref.domain);
	op->scope[0] = '\0';
	if (!*user || (r = login_creds(op, user)) < 0) {
		reg_fail_text(op, EINVAL, "%s: %s", op->what, !*user ?
		    "no username" : "no password given");
		return 0;
	}
	if (reg_xfer(op, "GET") == NULL) {
		reg_fail_text(op, ENOMEM, "%s: out of memory", op->what);
		return 0;
	}
	reg_url(op, op->x->url, sizeof(op->x->url), "%s", "");
	op_start(op, login_answer);
	return 0;
}

const struct ipc_handler registry_handlers[] = {
	{ IPC_REG_MANIFEST_GET, on_manifest_get },
	{ IPC_REG_BLOB_GET, on_blob_get },
	{ IPC_REG_BLOB_HEAD, on_blob_head },
	{ IPC_REG_BLOB_PUT, on_blob_put },
	{ IPC_REG_MANIFEST_PUT, on_manifest_put },
	{ IPC_REG_LOGIN, on_login },
	{ IPC_NET_FETCH, fetch_on_request },	/* ADD of a URL: fetch.c */
	IPC_HANDLERS_END
};

int
registry_setup(struct helper *h)
{
	int r;

	if ((r = auth_helper_setup()) < 0)
		return r;
	return http_init(h->base);
}

void
registry_shutdown(void)
{
	auth_tokens_clear();
	http_shutdown();
	auth_helper_shutdown();
}
