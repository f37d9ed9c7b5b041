/* cache_import.c: --cache-from: each source's document loaded before the solve (a source that fails is a warning), then a vertex whose key a record has gets that record's image fetched and unpacked, and is a cache hit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build.h"
#include "cache.h"
#include "log.h"
#include "snapc.h"

struct ci_call {
	struct build		*b;
	struct cache_spec	*s;
	struct vertex		*v;		/* NULL: the source's document */
	const struct cache_rec	*rec;
	cimport_fn		 done;
	char			 pulled[IMGREF_STR_MAX];	/* registry: then resolved */
	char			 manifest[CACHE_DIGEST_MAX];	/* what was resolved */
};

static void ci_answer(struct ci_call *c, const char *config, size_t len, const char *top,
    const char *why);

/* Each call holds a reference and counts in b->pending; 1 when the
 * build failed meanwhile (the answer is dropped). */
static int
ci_returned(struct ci_call *c)
{
	struct build *b = c->b;

	b->pending--;
	if (!b->failed)
		return 0;
	if (b->pending == 0)
		build_finish(b);
	build_unref(b);
	free(c);
	return 1;
}

static int ci_send(struct ci_call *c, uint16_t type, const char *what, int fd);

/* IMAGE_RESOLVED [str manifest digest, str config, str top] */
static void
on_resolved(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct ci_call *c = arg;
	char why[512] = "", top[BUILD_SNAP_MAX] = "";
	const char *cfg = NULL, *s;
	struct ipc_rd rd;
	size_t len = 0, n;
	int err;

	if (ci_returned(c))
		return;
	if (m == NULL || m->hdr.type != IPC_IMAGE_RESOLVED)
		snapc_why(m, PROC_SNAPD, &err, why, sizeof(why));
	else if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_str(&rd, &s, &n) < 0 ||
	    n >= sizeof(c->manifest) || ipc_rd_str(&rd, &cfg, &len) < 0 ||
	    ipc_rd_strcpy(&rd, top, sizeof(top)) < 0)
		snprintf(why, sizeof(why), "a bad answer from kiln-snapd");
	else
		snprintf(c->manifest, sizeof(c->manifest), "%.*s", (int)n, s);
	ci_answer(c, why[0] ? NULL : cfg, len, top, why);
}

/* IMAGE_PULLED [str name, str manifest digest, ...]: now resolved */
static void
on_pulled(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	struct ci_call *c = arg;
	char why[512] = "", digest[CACHE_DIGEST_MAX];
	int err, r;

	if (m && m->hdr.type == IPC_IMAGE_PROGRESS)
		return;		/* a blob came in; the pull goes on */
	if (ci_returned(c))
		return;
	if (m == NULL || m->hdr.type != IPC_IMAGE_PULLED)
		snapc_why(m, PROC_SNAPD, &err, why, sizeof(why));
	else if (snapc_str(m, 1, digest, sizeof(digest)) < 0)
		snprintf(why, sizeof(why), "a bad answer from kiln-snapd");
	else if ((r = ci_send(c, IPC_IMAGE_RESOLVE, digest, -1)) < 0)
		snprintf(why, sizeof(why), "resolving %s: %s", digest, strerror(-r));
	else
		return;
	ci_answer(c, NULL, 0, NULL, why);
}

static int
ci_send(struct ci_call *c, uint16_t type, const char *what, int fd)
{
	struct build *b = c->b;
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, type == IPC_IMAGE_PULL ? 2 : 1);
	ipc_wr_str(&w, what);
	if (type == IPC_IMAGE_PULL)
		ipc_wr_str(&w, b->opts.platform ? b->opts.platform : "");
	r = snapc_call(b->h, PROC_SNAPD, type, &w, fd >= 0 ? &fd : NULL, fd >= 0,
	    type == IPC_IMAGE_PULL ? on_pulled : on_resolved, c);
	ipc_wr_free(&w);
	if (r == 0) {
		b->pending++;
		build_ref(b);
	}
	return r;
}

/* The source's image digest ("": its document) in: from a directory
 * (CACHE_DIR_LOAD), or pulled from the registry and resolved. */
static int
ci_fetch(struct ci_call *c, const char *digest)
{
	struct cache_spec *s = c->s;
	struct imgref ref;
	char repo[IMGREF_NAME_MAX];
	int fd;

	if (s->type == CT_LOCAL) {
		if ((fd = snapc_dup(s->fd)) < 0)
			return fd;
		return ci_send(c, IPC_CACHE_DIR_LOAD, digest, fd);
	}
	if (!*digest)
		return ci_send(c, IPC_IMAGE_PULL, s->ref, -1);
	if (imgref_parse(s->ref, &ref, NULL) < 0 || imgref_name(&ref, repo, sizeof(repo)) < 0)
		return -EINVAL;
	snprintf(c->pulled, sizeof(c->pulled), "%s@%s", repo, digest);
	return ci_send(c, IPC_IMAGE_PULL, c->pulled, -1);
}

static void
on_forgotten(struct ipc_peer *p, struct ipc_msg *m, void *arg)
{
	char why[256];
	int err;

	if (m && m->hdr.type != IPC_OK)
		log_debug("cache: %s", snapc_why(m, PROC_SNAPD, &err, why, sizeof(why)));
}

void
cache_forget_image(struct build *b, const char *manifest)
{
	struct ipc_wr w;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	ipc_wr_str(&w, manifest);
	snapc_call(b->h, PROC_SNAPD, IPC_IMAGE_REMOVE, &w, NULL, 0, on_forgotten, NULL);
	ipc_wr_free(&w);
}

/* --- the documents, before the solve --- */

static void
load_done(struct build *b)
{
	for (size_t i = 0; i < b->cache->nfrom; i++)
		if (!b->cache->from[i].loaded)
			return;
	if (!b->failed && b->pending == 0)
		b->cache->then(b);
}

static void
load_answer(struct ci_call *c, const char *config, size_t len, const char *why)
{
	struct cache_spec *s = c->s;
	struct build *b = c->b;
	char msg[512];
	int r = -EIO;

	if (config && (r = cachejson_parse(config, len, &s->doc, msg, sizeof(msg))) < 0)
		why = msg;
	s->loaded = 1;
	if (r < 0) {
		log_warn("build %s: --cache-from %s: %s", b->bid, s->text, why);
		progress_warn(b, "--cache-from %s: %s; building without it", s->text, why);
	} else
		log_info("build %s: --cache-from %s: %zu records, %zu layers", b->bid,
		    s->text, s->doc.nrecs, s->doc.nlayers);
	load_done(b);
}

int
cimport_start(struct build *b, void (*then)(struct build *b))
{
	size_t n = b->cache ? b->cache->nfrom : 0;

	if (n == 0 || b->opts.no_cache) {
		then(b);
		return 0;
	}
	b->cache->then = then;
	for (size_t i = 0; i < n; i++) {
		struct ci_call *c = calloc(1, sizeof(*c));
		int r;

		if (c == NULL)
			return -ENOMEM;
		c->b = b;
		c->s = &b->cache->from[i];
		if ((r = ci_fetch(c, "")) < 0) {
			free(c);
			load_answer(&(struct ci_call){ .b = b, .s = &b->cache->from[i] }, NULL,
			    0, strerror(-r));
		}
	}
	return 0;
}

/* --- a record, when the solve wants its vertex --- */

int
cimport_want(struct build *b, struct vertex *v, cimport_fn done)
{
	struct cache_state *cs = b->cache;

	for (size_t i = 0; cs && !b->opts.no_cache && i < cs->nfrom; i++) {
		const struct cache_rec *rec = cachedoc_find(&cs->from[i].doc, v->key);
		struct ci_call *c;
		int r;

		if (rec == NULL)
			continue;
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return -ENOMEM;
		*c = (struct ci_call){ .b = b, .s = &cs->from[i], .v = v, .rec = rec,
		    .done = done };
		if ((r = ci_fetch(c, rec->image)) < 0) {
			free(c);
			log_warn("build %s: --cache-from %s: record %s: %s", b->bid,
			    cs->from[i].text, rec->image, strerror(-r));
			continue;
		}
		log_info("build %s: %s: fetching record %s of --cache-from %s", b->bid,
		    v->name, rec->image, cs->from[i].text);
		return 1;
	}
	return 0;
}

static void
ci_answer(struct ci_call *c, const char *config, size_t len, const char *top,
    const char *why)
{
	struct build *b = c->b;

	if (c->v == NULL) {
		load_answer(c, config, len, why);
		/* a directory's document; a registry's ref may be the user's image */
		if (c->manifest[0] && c->s->type == CT_LOCAL)
			cache_forget_image(b, c->manifest);
	} else if (config && top && *top) {
		/* the build's lease on top goes first */
		c->done(b, c->v, top, NULL);
		cache_forget_image(b, c->manifest);
	} else {
		log_warn("build %s: %s: record %s of --cache-from %s: %s", b->bid,
		    c->v->name, c->rec->image, c->s->text, why && *why ? why : "no layers");
		progress_warn(b, "%s: --cache-from %s: %s; running it", c->v->name, c->s->text,
		    why && *why ? why : "the record has no layers");
		c->done(b, c->v, NULL, why);
	}
	free(c);
	build_unref(b);
}
