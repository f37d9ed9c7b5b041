/* build.c: one build's life: request, parse, resolve base images, graph, checksums and keys, solve, export, answer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "build.h"
#include "cache.h"
#include "cachedb.h"
#include "cachekey.h"
#include "forward.h"
#include "imageconfig.h"
#include "log.h"
#include "platform.h"
#include "snapc.h"
#include "util.h"

static struct build *builds;
static unsigned build_seq;

long long
build_ms(const struct build *b)
{
	return util_now_ms() - b->t0;
}

void
build_ref(struct build *b)
{
	b->refs++;
}

static void
build_free(struct build *b)
{
	for (struct build **pp = &builds; *pp; pp = &(*pp)->next)
		if (*pp == b) {
			*pp = b->next;
			break;
		}
	if (b->ctx_fd >= 0)
		close(b->ctx_fd);
	for (int i = 0; i < b->nout; i++) {
		free(b->outputs[i]);
		if (b->out_fds[i] >= 0)
			close(b->out_fds[i]);
	}
	for (size_t i = 0; i < BUILD_MAX_OUT; i++)
		if (b->ctx_dir_fds[i] >= 0)
			close(b->ctx_dir_fds[i]);
	for (size_t i = 0; i < b->nsecrets; i++) {
		free(b->secrets[i].id);
		if (b->secrets[i].data)
			explicit_bzero(b->secrets[i].data, b->secrets[i].len);
		free(b->secrets[i].data);
	}
	free(b->secrets);
	for (size_t i = 0; i < b->fe.nimages; i++) {
		free(b->fe.images[i].ref);
		free(b->fe.images[i].digest);
		free(b->fe.images[i].snap);
		json_decref(b->fe.images[i].config);
	}
	free(b->fe.images);
	for (size_t i = 0; i < b->fe.g.nv; i++)
		free(b->fe.g.v[i]->sched);
	fe_free(&b->fe);
	if (b->df_parsed)
		df_file_free(&b->df);
	vars_free(&b->opts.build_args);
	vars_free(&b->opts.ctx_images);
	strv_free(&b->opts.nocache_filter);
	strv_free(&b->opts.ignore);
	strv_free(&b->opts.secrets);
	strv_free(&b->opts.ctx_dirs);
	free((char *)b->opts.target);
	strv_free(&b->tags);
	strv_free(&b->leases);
	cache_state_free(b->cache);
	free(b->df_name);
	free(b);
}

void
build_unref(struct build *b)
{
	if (--b->refs == 0)
		build_free(b);
}

static void
history_write(struct build *b, const char *status, const char *result)
{
	struct history_row r = {
		b->bid, b->df_digest, b->opts.target ? b->opts.target : "", status, result,
		(long long)(b->t0 / 1000), b->finished ? build_ms(b) : 0, b->steps, b->cached,
	};

	/* t0 is monotonic: started is written from the wall clock */
	r.started = (long long)time(NULL) - (b->finished ? build_ms(b) / 1000 : 0);
	history_put(&r);
}

static void
reply_result(struct build *b, struct ipc_peer *p)
{
	json_t *img = b->fe_ready ? fe_result_config(&b->fe) : NULL;
	char *cfg = img ? ic_dump(img) : NULL;
	struct ipc_wr w;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 8);
	ipc_wr_str(&w, b->bid);
	ipc_wr_str(&w, b->image_digest);
	ipc_wr_str(&w, b->config_digest);
	msgpack_pack_uint64(&w.pk, b->steps);
	msgpack_pack_uint64(&w.pk, b->cached);
	msgpack_pack_int64(&w.pk, build_ms(b));
	msgpack_pack_uint64(&w.pk, b->image_size);
	/* a config too big for a frame is left out: "" */
	ipc_wr_str(&w, cfg && strlen(cfg) < IPC_MAX_BODY / 2 ? cfg : "");
	ipc_send(p, IPC_BUILD_RESULT, b->id, &w, NULL, 0);
	ipc_wr_free(&w);
	free(cfg);
}

static void
on_lease_answer(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	char why[256];
	int err;

	/* a lost lease costs nothing but the protection: not the build's error */
	if (m && m->hdr.type != IPC_OK)
		log_debug("lease: %s", snapc_why(m, PROC_SNAPD, &err, why, sizeof(why)));
}

static void
lease_call(struct build *b, const char *snap, int hold)
{
	struct ipc_wr w;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, snap);
	if (hold)
		msgpack_pack_true(&w.pk);
	else
		msgpack_pack_false(&w.pk);
	snapc_call(b->h, PROC_SNAPD, IPC_SNAP_LEASE, &w, NULL, 0, on_lease_answer, NULL);
	ipc_wr_free(&w);
}

void
build_lease(struct build *b, const char *snap)
{
	if (*snap == '\0' || strv_index(&b->leases, snap) >= 0 ||
	    strv_add(&b->leases, snap) < 0)
		return;
	lease_call(b, snap, 1);
}

static void
drop_leases(struct build *b)
{
	for (size_t i = 0; i < b->leases.n; i++)
		lease_call(b, b->leases.v[i], 0);
	strv_free(&b->leases);
}

/* The answer, the history row; the build lives on while jobs it owns do. */
void
build_finish(struct build *b)
{
	struct ipc_peer *p = b->client ? b->client->peer : NULL;
	const char *status = b->cancelled ? "cancelled" : b->failed ? "error" : "ok";

	if (b->finished)
		return;
	b->finished = 1;
	if (p && b->failed)
		ipc_reply_error(p, b->id, b->cancelled ? ECANCELED : EIO, "%s", b->error);
	else if (p)
		reply_result(b, p);
	history_write(b, status, b->failed ? b->error : b->image_digest);
	drop_leases(b);
	log_info("build %s: %s in %lld ms (%llu steps, %llu cached)%s%s", b->bid, status,
	    build_ms(b), (unsigned long long)b->steps, (unsigned long long)b->cached,
	    b->failed ? ": " : "", b->failed ? b->error : "");
	if (b->client)
		fwd_client_unref(b->client);
	b->client = NULL;
	build_unref(b);
}

void
build_fail(struct build *b, int err, const char *fmt, ...)
{
	va_list ap;

	if (!b->failed) {
		b->failed = 1;
		b->cancelled = err == ECANCELED;
		va_start(ap, fmt);
		vsnprintf(b->error, sizeof(b->error), fmt, ap);
		va_end(ap);
		walk_cancel(b);
	}
	if (b->pending == 0)
		build_finish(b);
}

void
build_solved(struct build *b)
{
	int r;

	if (b->failed)
		return;
	if ((r = export_start(b)) < 0)
		build_fail(b, -r, "exporting the result: %s", strerror(-r));
	else if (b->pending == 0)
		build_finish(b);
}

/* --- keys: the checksums of what each COPY reads from a context --- */

struct csum_call {
	struct build	*b;
	struct fact	*a;
};

static void keys_ready(struct build *b);

static void
on_checksum(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct csum_call *c = arg;
	struct build *b = c->b;
	char why[512];
	int err;

	b->pending--;
	if (m && m->hdr.type == IPC_SNAP_CHECKSUM_REPLY &&
	    snapc_str(m, 0, c->a->checksum, sizeof(c->a->checksum)) == 0)
		;
	else if (!b->failed)
		build_fail(b, EIO, "checksum of %s: %s", c->a->srcs.n ? c->a->srcs.v[0] : "",
		    snapc_why(m, PROC_SNAPD, &err, why, sizeof(why)));
	free(c);
	build_sums_done(b);
	build_unref(b);
}

void
build_sums_done(struct build *b)
{
	if (b->failed) {
		if (b->pending == 0)
			build_finish(b);
	} else if (b->pending == 0)
		keys_ready(b);
}

static int
ctx_fd_of(struct build *b, int ctx)
{
	return ctx < 0 ? b->ctx_fd : b->ctx_dir_fds[ctx];
}

static int
request_checksum(struct build *b, struct fact *a)
{
	struct csum_call *c = calloc(1, sizeof(*c));
	struct ipc_wr w;
	int fd, r;

	if (c == NULL)
		return -ENOMEM;
	if ((fd = snapc_dup(ctx_fd_of(b, a->ctx))) < 0) {
		free(c);
		return fd;
	}
	c->b = b;
	c->a = a;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 4);
	msgpack_pack_array(&w.pk, a->srcs.n);
	for (size_t i = 0; i < a->srcs.n; i++)
		ipc_wr_str(&w, a->srcs.v[i]);
	msgpack_pack_array(&w.pk, a->excludes.n);
	for (size_t i = 0; i < a->excludes.n; i++)
		ipc_wr_str(&w, a->excludes.v[i]);
	ipc_wr_str(&w, "");
	msgpack_pack_uint32(&w.pk, a->flags);
	r = snapc_call(b->h, PROC_SNAPD, IPC_SNAP_CHECKSUM, &w, &fd, 1, on_checksum, c);
	ipc_wr_free(&w);
	if (r < 0) {
		free(c);
		return r;
	}
	b->pending++;
	build_ref(b);
	return 0;
}

static void
solve_now(struct build *b)
{
	int r = walk_start(b);

	if (r < 0)
		build_fail(b, -r, "solving: %s", strerror(-r));
}

/* the keys, then --cache-from's records, then the solve */
static void
keys_ready(struct build *b)
{
	int r;

	if ((r = cachekey_graph(&b->fe.g)) < 0 || (r = cimport_start(b, solve_now)) < 0)
		build_fail(b, -r, "solving: %s", strerror(-r));
}

static int
start_checksums(struct build *b)
{
	for (size_t i = 0; i < b->fe.g.nv; i++) {
		struct vertex *v = b->fe.g.v[i];

		if (!v->needed || v->op != VOP_FILE)
			continue;
		for (size_t k = 0; k < v->nacts; k++) {
			struct fact *a = &v->acts[k];
			int r;

			if (a->kind == FA_COPY && a->from == NULL && !a->scratch &&
			    (r = request_checksum(b, a)) < 0)
				return r;
			if (a->kind == FA_FETCH && (r = build_fetch(b, a)) < 0)
				return r;
		}
	}
	if (b->pending == 0)
		keys_ready(b);
	return 0;
}

/* --- the graph: which vertices the target needs, numbered for progress --- */

static unsigned
number(struct vertex *v, unsigned next)
{
	const struct vertex *in[64];
	size_t n;

	if (v->needed)
		return next;
	v->needed = 1;
	n = vertex_inputs(v, in, 64);
	for (size_t i = 0; i < n; i++)
		next = number((struct vertex *)in[i], next);
	v->n = next++;
	return next;
}

static int
plan(struct build *b)
{
	struct strv unused = { NULL, 0 };
	/* the pulls' steps come first */
	unsigned first = (unsigned)b->npulls + 1, last = first;

	b->target = b->fe.stages[b->fe.target].top;
	if (b->target)
		last = number(b->target, first);
	for (size_t i = 0; i < b->fe.g.nv; i++) {
		struct vertex *v = b->fe.g.v[i];

		if (!v->needed)
			continue;
		if ((v->sched = calloc(1, sizeof(struct bvertex))) == NULL)
			return -ENOMEM;
	}
	/* announced in order, inputs first */
	for (unsigned n = first; n < last; n++)
		for (size_t i = 0; i < b->fe.g.nv; i++)
			if (b->fe.g.v[i]->needed && b->fe.g.v[i]->n == n)
				progress_vertex(b, b->fe.g.v[i]);
	b->steps = last - first;
	if (fe_unused_args(&b->fe, &unused) == 0 && unused.n) {
		char list[512] = "";

		for (size_t i = 0; i < unused.n; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			    i ? " " : "", unused.v[i]);
		progress_warn(b, "One or more build-args [%s] were not consumed", list);
	}
	strv_free(&unused);
	return 0;
}

static void
dispatch_now(struct build *b)
{
	char msg[2048];
	int r = fe_dispatch(&b->fe);

	if (r == -EINVAL) {
		build_fail(b, EINVAL, "%s", fe_error_format(&b->fe, msg, sizeof(msg)));
		return;
	}
	if (r == 0)
		b->fe_ready = 1;
	if (r < 0 || (r = plan(b)) < 0 || (r = start_checksums(b)) < 0)
		build_fail(b, -r, "making the build graph: %s", strerror(-r));
}

/* --- base images --- */

struct resolve_call {
	struct build	*b;
	char		*ref;
	int		 pulled;	/* IMAGE_PULL was tried */
	int		 forced;	/* --pull: a failed pull is the answer */
};

static int
add_image(struct build *b, const char *ref, const struct ipc_msg *m)
{
	struct fe_image *ni, *img;
	char digest[80], snap[BUILD_SNAP_MAX];
	struct ipc_rd rd;
	const char *cfg;
	size_t len;
	json_error_t je;

	if (snapc_str(m, 0, digest, sizeof(digest)) < 0 ||
	    snapc_str(m, 2, snap, sizeof(snap)) < 0 || ipc_rd_init(&rd, &m->body) < 0)
		return -EBADMSG;
	rd.i = 1;
	if (ipc_rd_str(&rd, &cfg, &len) < 0)
		return -EBADMSG;
	ni = realloc(b->fe.images, (b->fe.nimages + 1) * sizeof(*ni));
	if (ni == NULL)
		return -ENOMEM;
	b->fe.images = ni;
	img = &ni[b->fe.nimages];
	memset(img, 0, sizeof(*img));
	img->config = json_loadb(cfg, len, 0, &je);
	img->ref = strdup(ref);
	img->digest = strdup(digest);
	img->snap = strdup(snap);
	b->fe.nimages++;
	if (img->config == NULL || !json_is_object(img->config))
		return -EPROTO;
	return img->ref && img->digest && img->snap ? 0 : -ENOMEM;
}

/* The end of one base image's lookup: the build goes on when all are in. */
static void
resolve_end(struct resolve_call *c)
{
	struct build *b = c->b;

	b->pending--;
	free(c->ref);
	free(c);
	if (b->failed) {
		if (b->pending == 0)
			build_finish(b);
	} else if (b->pending == 0)
		dispatch_now(b);
	build_unref(b);
}

static void on_resolved(struct ipc_peer *p, struct ipc_msg *m, void *arg);

static int
resolve_send(struct resolve_call *c)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, c->ref);
	r = snapc_call(c->b->h, PROC_SNAPD, IPC_IMAGE_RESOLVE, &w, NULL, 0, on_resolved, c);
	ipc_wr_free(&w);
	return r;
}

/* pulled (or not): resolve it now */
static void
resolve_pulled(struct build *b, void *arg, int err, const char *why)
{
	struct resolve_call *c = arg;
	int r;

	if (err) {
		build_fail(b, err, "%s: %s%s", c->ref, c->forced ? "" : "not in the local "
		    "store, and the pull failed: ", why);
		resolve_end(c);
	} else if ((r = resolve_send(c)) < 0) {
		build_fail(b, -r, "%s: resolving the image: %s", c->ref, strerror(-r));
		resolve_end(c);
	}
}

static void
on_resolved(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct resolve_call *c = arg;
	struct build *b = c->b;
	char why[512];
	int err, r;

	if (m && m->hdr.type == IPC_IMAGE_RESOLVED) {
		if ((r = add_image(b, c->ref, m)) < 0)
			build_fail(b, -r, "%s: a bad image (its config or reply): %s", c->ref,
			    strerror(-r));
	} else {
		snapc_why(m, PROC_SNAPD, &err, why, sizeof(why));
		/* not here: from its registry, once */
		if (err == ENOENT && !c->pulled && !b->failed) {
			c->pulled = 1;
			if ((r = build_pull(b, c->ref, resolve_pulled, c)) == 0)
				return;
			snprintf(why, sizeof(why), "pulling: %s", strerror(-r));
		}
		build_fail(b, err, "%s: resolving the image: %s", c->ref, why);
	}
	resolve_end(c);
}

static int
resolve_images(struct build *b)
{
	for (size_t i = 0; i < b->fe.need.n; i++) {
		struct resolve_call *c = calloc(1, sizeof(*c));
		int r;

		if (c == NULL || (c->ref = strdup(b->fe.need.v[i])) == NULL) {
			free(c);
			return -ENOMEM;
		}
		c->b = b;
		/* --pull: ask the registry first; the local copy answers after */
		c->pulled = c->forced = b->pull;
		r = b->pull ? build_pull(b, c->ref, resolve_pulled, c) : resolve_send(c);
		if (r < 0) {
			free(c->ref);
			free(c);
			return r;
		}
		b->pending++;
		build_ref(b);
	}
	if (b->pending == 0)
		dispatch_now(b);
	return 0;
}

/* --- the start --- */

static void
digest_text(const char *text, size_t len, char *out, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	out[0] = '\0';
	if (EVP_Digest(text, len, md, &n, EVP_sha256(), NULL) != 1 || size < 72)
		return;
	util_sha256_str(md, out);
}

static int
parse_and_prepare(struct build *b, const char *text, size_t len)
{
	struct df_error err;
	char msg[2048];
	int r;

	memset(&err, 0, sizeof(err));
	digest_text(text, len, b->df_digest, sizeof(b->df_digest));
	r = df_parse(b->df_name, text, len, &b->df, &err);
	if (r < 0) {
		if (r == -EINVAL)
			snprintf(b->error, sizeof(b->error), "%s",
			    df_error_format(&err, msg, sizeof(msg)));
		return r;
	}
	b->df_parsed = 1;
	b->opts.platform = platform_self();
	b->opts.file = b->df_name;
	/* SOURCE_DATE_EPOCH: the same Dockerfile and context, the same image */
	b->opts.now = export_epoch(b) >= 0 ? export_epoch(b) : (long long)time(NULL);
	r = fe_prepare(&b->fe, &b->df, &b->opts);
	if (r == -EINVAL)
		snprintf(b->error, sizeof(b->error), "%s",
		    fe_error_format(&b->fe, msg, sizeof(msg)));
	return r;
}

static struct build *
build_new(struct helper *h, struct fwd_client *c, uint32_t id)
{
	struct build *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->refs = 1;
	b->h = h;
	b->client = c;
	c->refs++;
	b->id = id;
	b->t0 = util_now_ms();
	b->ctx_fd = -1;
	for (int i = 0; i < BUILD_MAX_OUT; i++)
		b->out_fds[i] = b->ctx_dir_fds[i] = -1;
	snprintf(b->bid, sizeof(b->bid), "%08llx%04x%04x",
	    (unsigned long long)time(NULL), (unsigned)getpid() & 0xffff,
	    ++build_seq & 0xffff);
	b->next = builds;
	builds = b;
	return b;
}

int
build_start(struct helper *h, struct fwd_client *c, struct ipc_msg *m)
{
	struct build *b = build_new(h, c, m->hdr.id);
	char *text = NULL;
	size_t len = 0;
	int r;

	if (b == NULL)
		return -ENOMEM;
	r = build_req_decode(b, m, &text, &len);
	if (r == 0)
		r = parse_and_prepare(b, text, len);
	free(text);
	if (r == 0) {
		log_info("build %s: %s, target %s, %zu stages", b->bid, b->df_name,
		    b->opts.target && *b->opts.target ? b->opts.target : "(last)",
		    b->fe.nstages);
		history_write(b, "running", "");
		r = resolve_images(b);
		if (r < 0)
			build_fail(b, -r, "resolving the base images: %s", strerror(-r));
		return 0;
	}
	if (b->error[0] == '\0')
		snprintf(b->error, sizeof(b->error), "%s", strerror(-r));
	b->failed = 1;
	build_finish(b);
	return 0;
}

void
build_cancel(struct fwd_client *c, uint32_t id, int client_gone)
{
	for (struct build *b = builds, *next; b; b = next) {
		next = b->next;
		if (b->client != c || b->finished || (!client_gone && b->id != id))
			continue;
		log_info("build %s: cancelled%s", b->bid, client_gone ? " (the client left)" : "");
		build_ref(b);
		build_fail(b, ECANCELED, "cancelled");
		next = b->next;
		build_unref(b);
	}
}
