/* pull.c: IMAGE_PULL: the manifest, config and layers from a registry, fetched by kiln-netd into content-store writers, verified, then named. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <event2/event.h>
#include "image.h"
#include "imgref.h"
#include "log.h"
#include "regclient.h"
#include "util.h"

#define PULL_PARALLEL	4	/* blobs fetched at once */
#define PULL_TICK_MS	200	/* how often the bytes so far are told */

struct pull;

struct pull_blob {
	struct ij_desc		 d;
	struct blob_writer	*w;
	struct pull		*pl;
	uint64_t		 told;	/* bytes so far, as last told */
};

struct pull {
	struct reg_call		 call;		/* who asked; shared with push */
	struct imgref		 ref;
	char			 repo[IMGREF_NAME_MAX];
	char			 platform[64];
	char			 want[STORE_DIGEST_MAX];	/* the manifest digest we expect */
	char			 manifest[STORE_DIGEST_MAX];
	struct blob_writer	*mw;
	int			 index_hops;
	struct ij_manifest	*m;
	struct pull_blob	 blobs[IJ_MAX_LAYERS + 1];
	size_t			 nblobs, next;
	uint64_t		 fetched, present, size;
	struct event		*tick;	/* the bytes so far of blobs coming */
};

static void
pull_free(struct reg_call *c)
{
	struct pull *pl = (struct pull *)c;

	if (pl->tick)
		event_free(pl->tick);
	if (pl->mw)
		blob_writer_abort(pl->mw);
	for (size_t i = 0; i < pl->nblobs; i++)
		if (pl->blobs[i].w)
			blob_writer_abort(pl->blobs[i].w);
	free(pl->m);
	free(pl);
}

/* --- naming the image, once everything is in --- */

static void
pull_finish(struct pull *pl)
{
	const char *blobs[IJ_MAX_LAYERS + 2];
	struct image_rec rec;
	char canon[IMGREF_STR_MAX];
	struct ipc_wr w;
	size_t n = 0;
	int r;

	memset(&rec, 0, sizeof(rec));
	imgref_format(&pl->ref, canon, sizeof(canon));
	if (ij_normalize_name(canon, rec.name, sizeof(rec.name)) < 0)
		return regc_fail(&pl->call, EINVAL, "pulling %s: the name is too long", canon);
	snprintf(rec.manifest, sizeof(rec.manifest), "%s", pl->manifest);
	snprintf(rec.config, sizeof(rec.config), "%s", pl->m->config.digest);
	rec.size = pl->size;
	rec.created = (int64_t)time(NULL);
	blobs[n++] = pl->manifest;
	for (size_t i = 0; i < pl->nblobs; i++)
		blobs[n++] = pl->blobs[i].d.digest;
	if ((r = image_put(&rec, blobs, n)) < 0)
		return regc_fail(&pl->call, -r, "pulling %s: recording the image: %s",
		    canon, strerror(-r));
	log_info("pulled %s (%s): %llu blobs fetched, %llu present", rec.name,
	    rec.manifest, (unsigned long long)pl->fetched, (unsigned long long)pl->present);
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 5);
	ipc_wr_str(&w, rec.name);
	ipc_wr_str(&w, rec.manifest);
	msgpack_pack_uint64(&w.pk, rec.size);
	msgpack_pack_uint64(&w.pk, pl->fetched);
	msgpack_pack_uint64(&w.pk, pl->present);
	regc_reply(&pl->call, IPC_IMAGE_PULLED, &w);
}

/* --- config and layers, PULL_PARALLEL at a time --- */

static void pull_more(struct pull *pl);

static void
blob_cb(struct ipc_peer *netd, struct ipc_msg *m, void *arg)
{
	struct pull_blob *b = arg;
	struct pull *pl = b->pl;
	char digest[STORE_DIGEST_MAX];
	uint64_t size;
	int r;

	if (regc_answer_done(&pl->call, m, "pulling"))
		return;
	r = blob_writer_commit(b->w, b->d.digest, digest, &size);
	b->w = NULL;
	if (r == -EBADMSG)
		return regc_fail(&pl->call, EBADMSG, "pulling %s: blob %s: registry %s sent "
		    "bytes of another digest (%s): refused", pl->repo, b->d.digest,
		    pl->ref.domain, digest);
	if (r < 0)
		return regc_fail(&pl->call, -r, "pulling %s: storing blob %s: %s", pl->repo,
		    b->d.digest, strerror(-r));
	pl->fetched++;
	regc_progress(&pl->call, b->d.digest, "fetched", size);
	pull_more(pl);
}

/* netd writes the blobs' files: their sizes are the bytes so far */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pull *pl = arg;
	struct stat st;

	for (size_t i = 0; i < pl->nblobs; i++) {
		struct pull_blob *b = &pl->blobs[i];

		if (b->w == NULL || fstat(blob_writer_fd(b->w), &st) < 0 ||
		    (uint64_t)st.st_size == b->told)
			continue;
		b->told = (uint64_t)st.st_size;
		regc_progress_bytes(&pl->call, b->d.digest, b->d.size, b->told);
	}
}

static void
tick_start(struct pull *pl)
{
	struct timeval tv = { 0, PULL_TICK_MS * 1000 };

	if (pl->tick == NULL &&
	    (pl->tick = event_new(pl->call.h->base, -1, EV_PERSIST, tick_cb, pl)) != NULL)
		event_add(pl->tick, &tv);
}

static int
fetch_blob(struct pull *pl, struct pull_blob *b)
{
	struct ipc_wr w;
	int r;

	if ((r = blob_writer_open(&b->w)) < 0)
		return r;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 3);
	ipc_wr_str(&w, pl->repo);
	ipc_wr_str(&w, b->d.digest);
	msgpack_pack_uint64(&w.pk, b->d.size);
	r = regc_request(&pl->call, IPC_REG_BLOB_GET, &w, blob_writer_fd(b->w), blob_cb, b);
	ipc_wr_free(&w);
	if (r == 0) {
		regc_progress(&pl->call, b->d.digest, "fetching", b->d.size);
		tick_start(pl);
	}
	return r;
}

static void
pull_more(struct pull *pl)
{
	uint64_t have;
	int r;

	if (pl->call.failed)
		return;
	while (pl->next < pl->nblobs && pl->call.inflight < PULL_PARALLEL) {
		struct pull_blob *b = &pl->blobs[pl->next++];

		if (blob_exists(b->d.digest, &have) == 0) {
			pl->present++;
			regc_progress(&pl->call, b->d.digest, "present", have);
			continue;
		}
		if ((r = fetch_blob(pl, b)) < 0)
			return regc_fail(&pl->call, -r, "pulling %s: blob %s: %s", pl->repo,
			    b->d.digest, strerror(-r));
	}
	if (pl->next == pl->nblobs && pl->call.inflight == 0)
		pull_finish(pl);
}

static int
plan_blobs(struct pull *pl)
{
	struct ij_manifest *m = pl->m;

	for (size_t i = 0; i < ARRAY_SIZE(pl->blobs); i++)
		pl->blobs[i].pl = pl;
	pl->blobs[0].d = m->config;
	pl->size = m->config.size;
	for (size_t i = 0; i < m->nlayers; i++) {
		if (!ij_layer_media_ok(m->layers[i].media))
			return -EMEDIUMTYPE;
		pl->blobs[i + 1].d = m->layers[i];
		pl->size += m->layers[i].size;
	}
	pl->nblobs = m->nlayers + 1;
	return 0;
}

/* --- the manifest, through an index when there is one --- */

static int fetch_manifest(struct pull *pl, const char *ref);

/* The platform's entry of an index; the platforms there when none fits. */
static int
pick_platform(struct pull *pl, const char *buf, size_t n, char *ref, size_t size)
{
	struct ij_desc *ds = NULL;
	struct snap_err err = { "" };
	char seen[512] = "";
	size_t nd = 0;
	int r;

	if ((r = ij_parse_index(buf, n, &ds, &nd, &err)) < 0) {
		regc_fail(&pl->call, -r, "pulling %s: its index: %s", pl->repo, err.msg);
		return r;
	}
	for (size_t i = 0; i < nd; i++) {
		if (strcmp(ds[i].platform, pl->platform) == 0) {
			snprintf(pl->want, sizeof(pl->want), "%s", ds[i].digest);
			snprintf(ref, size, "%s@%s", pl->repo, ds[i].digest);
			free(ds);
			return 0;
		}
		if (strlen(seen) + strlen(ds[i].platform) + 3 < sizeof(seen))
			snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s",
			    *seen ? ", " : "", *ds[i].platform ? ds[i].platform : "?");
	}
	free(ds);
	regc_fail(&pl->call, ENOENT, "pulling %s: it has no image for %s (it has: %s): "
	    "give --platform", pl->repo, pl->platform, *seen ? seen : "none");
	return -ENOENT;
}

static void
manifest_parsed(struct pull *pl, const char *buf, size_t n)
{
	struct snap_err err = { "" };
	char ref[IMGREF_NAME_MAX + STORE_DIGEST_MAX + 2];
	int r;

	if ((pl->m = calloc(1, sizeof(*pl->m))) == NULL)
		return regc_fail(&pl->call, ENOMEM, "pulling %s: out of memory", pl->repo);
	r = ij_parse_manifest(buf, n, pl->m, &err);
	if (r == -EMEDIUMTYPE && pl->index_hops++ == 0) {
		free(pl->m);
		pl->m = NULL;
		if (pick_platform(pl, buf, n, ref, sizeof(ref)) == 0 &&
		    (r = fetch_manifest(pl, ref)) < 0)
			regc_fail(&pl->call, -r, "pulling %s: %s", pl->repo, strerror(-r));
		return;
	}
	if (r < 0)
		return regc_fail(&pl->call, -r, "pulling %s: its manifest: %s", pl->repo,
		    err.msg[0] ? err.msg : strerror(-r));
	if (plan_blobs(pl) < 0)
		return regc_fail(&pl->call, EMEDIUMTYPE, "pulling %s: a layer's media "
		    "type is not one kiln unpacks (tar, gzip, zstd)", pl->repo);
	pull_more(pl);
}

/* REG_MANIFEST [canonical reference, media type, digest, size] */
static void
manifest_cb(struct ipc_peer *netd, struct ipc_msg *m, void *arg)
{
	struct pull *pl = arg;
	struct snap_err err = { "" };
	char digest[STORE_DIGEST_MAX], regd[STORE_DIGEST_MAX] = "", *buf = NULL;
	struct ipc_rd rd;
	const char *s;
	size_t sn, n;
	uint64_t size;
	int r;

	if (regc_answer_done(&pl->call, m, "pulling"))
		return;
	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_str(&rd, &s, &sn) < 0 ||
	    ipc_rd_str(&rd, &s, &sn) < 0 || ipc_rd_str(&rd, &s, &sn) < 0 ||
	    sn >= sizeof(regd) || ipc_rd_u64(&rd, &size) < 0 || ipc_rd_end(&rd) < 0)
		return regc_fail(&pl->call, EBADMSG, "pulling %s: a bad answer from "
		    "kiln-netd", pl->repo);
	memcpy(regd, s, sn);
	regd[sn] = '\0';
	/* by digest: those bytes or none; by tag: what the registry says */
	r = blob_writer_commit(pl->mw, pl->want[0] ? pl->want : regd, digest, &size);
	pl->mw = NULL;
	if (r == -EBADMSG)
		return regc_fail(&pl->call, EBADMSG, "pulling %s: registry %s sent a "
		    "manifest of digest %s, not %s: refused", pl->repo, pl->ref.domain,
		    digest, pl->want[0] ? pl->want : regd);
	if (r < 0)
		return regc_fail(&pl->call, -r, "pulling %s: storing the manifest: %s",
		    pl->repo, strerror(-r));
	snprintf(pl->manifest, sizeof(pl->manifest), "%s", digest);
	regc_progress(&pl->call, "manifest", "fetched", size);
	if ((r = image_blob_read(digest, &buf, &n, &err)) < 0)
		return regc_fail(&pl->call, -r, "pulling %s: %s", pl->repo, err.msg);
	manifest_parsed(pl, buf, n);
	free(buf);
}

static int
fetch_manifest(struct pull *pl, const char *ref)
{
	struct ipc_wr w;
	int r;

	if ((r = blob_writer_open(&pl->mw)) < 0)
		return r;
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, ref);
	ipc_wr_str(&w, "");
	r = regc_request(&pl->call, IPC_REG_MANIFEST_GET, &w, blob_writer_fd(pl->mw),
	    manifest_cb, pl);
	ipc_wr_free(&w);
	return r;
}

/* [str reference, str platform] */
int
pull_on_image_pull(struct ipc_peer *p, struct ipc_msg *m)
{
	char ref[IMGREF_STR_MAX], canon[IMGREF_STR_MAX];
	struct ipc_rd rd;
	struct pull *pl;
	const char *why;
	int r;

	if (ipc_rd_init(&rd, &m->body) < 0 || regc_rd_str(&rd, ref, sizeof(ref)) < 0)
		return -EBADMSG;
	if ((pl = calloc(1, sizeof(*pl))) == NULL)
		return -ENOMEM;
	if (regc_rd_str(&rd, pl->platform, sizeof(pl->platform)) < 0 || ipc_rd_end(&rd) < 0) {
		free(pl);
		return -EBADMSG;
	}
	if (imgref_parse(ref, &pl->ref, &why) < 0) {
		free(pl);
		return ipc_reply_error(p, m->hdr.id, EINVAL, "pulling '%s': not a valid "
		    "reference: %s", ref, why), 0;
	}
	if (pl->ref.digest[0] && strncmp(pl->ref.digest, "sha256:", 7) != 0) {
		free(pl);
		return ipc_reply_error(p, m->hdr.id, EINVAL, "pulling '%s': kiln stores "
		    "sha256 digests only", ref), 0;
	}
	regc_init(&pl->call, p, m->hdr.id, pull_free);
	if (!pl->platform[0])
		snprintf(pl->platform, sizeof(pl->platform), "%s", IMAGE_PLATFORM);
	imgref_name(&pl->ref, pl->repo, sizeof(pl->repo));
	memcpy(pl->want, pl->ref.digest, strnlen(pl->ref.digest, sizeof(pl->want) - 1));
	imgref_format(&pl->ref, canon, sizeof(canon));
	if ((r = fetch_manifest(pl, canon)) < 0)
		regc_fail(&pl->call, -r, "pulling %s: %s", canon, strerror(-r));
	return 0;
}
