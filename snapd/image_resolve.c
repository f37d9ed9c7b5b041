/* image_resolve.c: IMAGE_RESOLVE's work: an image's layers unpacked, in jails, into a snapshot chain made once per chain id. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "image.h"
#include "log.h"
#include "util.h"

struct apply_job {
	int		 root, blob;
	const char	*what, *diff_id;
	EVP_MD_CTX	*md;	/* of the uncompressed stream, made before the fork */
};

static void
hash_data(void *arg, const void *buf, size_t n)
{
	EVP_DigestUpdate(arg, buf, n);
}

/* The layer's uncompressed digest must be the one its image's config
 * names (rootfs.diff_ids): the chain id, and so every later reuse of the
 * snapshot, stands on it. */
static int
check_diff_id(struct apply_job *j, struct snap_err *err)
{
	unsigned char md[32];
	unsigned int n;
	char hex[80];

	EVP_DigestFinal_ex(j->md, md, &n);
	util_sha256_str(md, hex);
	if (strcmp(hex, j->diff_id) == 0)
		return 0;
	return snap_errf(err, -EBADMSG, "layer %s: its uncompressed content is %s, but "
	    "the image's config says %s (rootfs.diff_ids): a corrupt or forged image",
	    j->what, hex, j->diff_id);
}

static int
apply_in_jail(void *arg, struct jail_out *out)
{
	struct apply_job *j = arg;
	struct layer_opts o = { 0, -1, -1, 0, hash_data, j->md };
	struct layer_stats st;
	int r = layer_apply(j->root, j->blob, j->what, j->md ? &o : NULL, &st, &out->err);

	if (r == 0 && j->md)
		r = check_diff_id(j, &out->err);
	out->data[0] = st.entries;
	out->data[1] = st.bytes;
	return r;
}

int
image_apply_blob(const char *path, const char *digest, const char *diff_id,
    struct snap_err *err)
{
	struct apply_job j = { -1, -1, digest, diff_id, NULL };
	struct jail_out out;
	int keep[2], r;

	if (diff_id && ((j.md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(j.md, EVP_sha256(), NULL))) {
		EVP_MD_CTX_free(j.md);
		return snap_errf(err, -ENOMEM, "layer %s: no sha256 context", digest);
	}

	j.root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j.root < 0)
		return snap_errf(err, -errno, "opening snapshot %s: %s", path, strerror(errno));
	j.blob = blob_open(digest);
	if (j.blob < 0) {
		r = snap_errf(err, j.blob, "layer %s is not in the content store", digest);
		goto out;
	}
	keep[0] = j.root;
	keep[1] = j.blob;
	r = jail_run(apply_in_jail, &j, keep, 2, &out);
	if (r < 0)
		*err = out.err;
	else
		log_debug("layer %s: %llu entries, %llu bytes", digest,
		    (unsigned long long)out.data[0], (unsigned long long)out.data[1]);
out:
	close(j.root);
	if (j.blob >= 0)
		close(j.blob);
	EVP_MD_CTX_free(j.md);
	return r;
}

/* OCI chain id: chain(n) = sha256(chain(n-1) + " " + diff_id(n)). */
void
image_chain_next(char chain[STORE_DIGEST_MAX], const char *diff_id)
{
	char buf[2 * STORE_DIGEST_MAX + 2];
	unsigned char md[32];
	unsigned int mdlen = 0;
	int n;

	if (!chain[0]) {
		snprintf(chain, STORE_DIGEST_MAX, "%s", diff_id);
		return;
	}
	n = snprintf(buf, sizeof(buf), "%s %s", chain, diff_id);
	EVP_Digest(buf, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
	util_sha256_str(md, chain);
}

/* The layer's blob as it came, for an export that keeps base layers as
 * they are (SNAP_DIFF_REUSE). */
static int
remember_source(const char *snap, const struct ij_desc *layer, const char *diff_id)
{
	struct image_diff_rec rec;

	if (image_diff_get(snap, IMAGE_DIFF_SOURCE, &rec) == 0 &&
	    strcmp(rec.blob, layer->digest) == 0)
		return 0;
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.diff_id, sizeof(rec.diff_id), "%s", diff_id);
	snprintf(rec.blob, sizeof(rec.blob), "%s", layer->digest);
	snprintf(rec.media, sizeof(rec.media), "%s", layer->media[0] ? layer->media :
	    MT_OCI_LAYER "+gzip");
	rec.size = layer->size;
	return image_diff_put(snap, IMAGE_DIFF_SOURCE, &rec);
}

/* The committed snapshot of chain, reused when it still exists. */
static int
layer_snapshot(const char *chain, const char *parent, const struct ij_desc *layer,
    const char *diff_id, char out[STORE_ID_MAX], struct snap_err *err)
{
	const char *blob = layer->digest;
	struct store_info info;
	int r;

	if (image_chain_get(chain, out) == 0 && store_stat(out, &info) == 0 &&
	    info.kind == STORE_COMMITTED) {
		if ((r = remember_source(out, layer, diff_id)) < 0)
			return snap_errf(err, r, "recording layer %s: %s", blob, strerror(-r));
		return 0;
	}
	if ((r = store_prepare(parent, &info)) < 0)
		return snap_errf(err, r, "preparing a snapshot for layer %s: %s", blob,
		    strerror(-r));
	r = image_apply_blob(info.path, blob, diff_id, err);
	if (r == 0 && (r = store_commit(info.id, &info)) < 0)
		snap_errf(err, r, "committing layer %s: %s", blob, strerror(-r));
	if (r < 0) {
		store_remove(info.id);
		return r;
	}
	snprintf(out, STORE_ID_MAX, "%s", info.id);
	if ((r = image_chain_put(chain, info.id)) == 0)
		r = remember_source(info.id, layer, diff_id);
	return r < 0 ? snap_errf(err, r, "recording layer %s: %s", blob, strerror(-r)) : 0;
}

/* The highest layer whose chain has a committed snapshot: -1 for none. */
static ssize_t
have_upto(char (*chains)[STORE_DIGEST_MAX], size_t n, char snap[STORE_ID_MAX])
{
	struct store_info info;

	for (size_t i = n; i-- > 0;)
		if (image_chain_get(chains[i], snap) == 0 && store_stat(snap, &info) == 0 &&
		    info.kind == STORE_COMMITTED)
			return (ssize_t)i;
	snap[0] = '\0';
	return -1;
}

static int
unpack_chain(const struct ij_manifest *m, char (*ids)[STORE_DIGEST_MAX],
    char top[STORE_ID_MAX], struct snap_err *err)
{
	char (*chains)[STORE_DIGEST_MAX] = calloc(m->nlayers + 1, STORE_DIGEST_MAX);
	char parent[STORE_ID_MAX];
	ssize_t from;
	int r = 0;

	if (chains == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < m->nlayers; i++) {
		if (i)
			memcpy(chains[i], chains[i - 1], STORE_DIGEST_MAX);
		image_chain_next(chains[i], ids[i]);
	}
	from = have_upto(chains, m->nlayers, parent);
	snprintf(top, STORE_ID_MAX, "%s", parent);
	for (size_t i = (size_t)(from + 1); r == 0 && i < m->nlayers; i++) {
		r = layer_snapshot(chains[i], parent, &m->layers[i], ids[i], top, err);
		snprintf(parent, sizeof(parent), "%s", top);
	}
	free(chains);
	return r;
}

int
image_resolve(const char *ref, struct image_rec *rec, char **config,
    char top[STORE_ID_MAX], struct snap_err *err)
{
	struct ij_manifest *m = malloc(sizeof(*m));
	char (*ids)[STORE_DIGEST_MAX] = NULL, *mbuf = NULL, holder[STORE_DIGEST_MAX + 8];
	size_t nm, nc, nids = 0;
	int r;

	*config = NULL;
	if (m == NULL)
		return -ENOMEM;
	r = image_get(ref, rec);
	if (r == -ENOENT || r == -EINVAL)
		r = snap_errf(err, -ENOENT, "no image '%s' in the local store (kilnctl "
		    "images lists them; kilnctl image import adds one)", ref);
	if (r == 0)
		r = image_blob_read(rec->manifest, &mbuf, &nm, err);
	if (r == 0)
		r = ij_parse_manifest(mbuf, nm, m, err);
	if (r == 0)
		r = image_blob_read(rec->config, config, &nc, err);
	if (r == 0)
		r = ij_parse_diff_ids(*config, nc, &ids, &nids, err);
	if (r == 0 && nids != m->nlayers)
		r = snap_errf(err, -EINVAL, "image %s: %zu layers but %zu diff_ids",
		    rec->name, m->nlayers, nids);
	if (r == 0)
		r = unpack_chain(m, ids, top, err);
	image_holder(rec->manifest, holder, sizeof(holder));
	if (r == 0 && top[0] && (r = store_ref_add(holder, top)) < 0)
		snap_errf(err, r, "holding snapshot %s: %s", top, strerror(-r));
	if (r < 0) {
		free(*config);
		*config = NULL;
	}
	free(ids);
	free(mbuf);
	free(m);
	return r;
}
