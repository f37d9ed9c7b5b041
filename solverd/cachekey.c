/* cachekey.c: sha256 over a vertex's definition, field by field with tags and lengths, so that no two definitions share a key. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "cachekey.h"
#include "ipc_msg.h"
#include "util.h"

#define KEY_VERSION	"kiln-cache-v1"

struct hasher {
	EVP_MD_CTX	*ctx;
	int		 err;
	int		 no_sums;	/* a COPY's base key: no content checksums */
	int		 no_parent;	/* a COPY --link's layer: not the parent */
};

static void
put(struct hasher *h, char tag, const void *p, size_t n)
{
	unsigned char hdr[9];
	uint64_t len = n;

	hdr[0] = (unsigned char)tag;
	for (int i = 0; i < 8; i++)
		hdr[1 + i] = (unsigned char)(len >> (8 * i));
	if (EVP_DigestUpdate(h->ctx, hdr, sizeof(hdr)) != 1 ||
	    (n && EVP_DigestUpdate(h->ctx, p, n) != 1))
		h->err = 1;
}

static void
put_str(struct hasher *h, char tag, const char *s)
{
	put(h, tag, s ? s : "", s ? strlen(s) : 0);
	put(h, 'n', s ? "1" : "0", 1);
}

static void
put_i64(struct hasher *h, char tag, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	put_str(h, tag, buf);
}

static void
put_strv(struct hasher *h, char tag, const struct strv *sv)
{
	put_i64(h, tag, (int64_t)sv->n);
	for (size_t i = 0; i < sv->n; i++)
		put_str(h, tag, sv->v[i]);
}

static void
put_input(struct hasher *h, const struct vertex *in)
{
	put_str(h, 'I', in ? in->key : "");
}

static void
put_mount(struct hasher *h, const struct vmount *m)
{
	put_i64(h, 'T', m->type);
	put_str(h, 't', m->target);
	put_str(h, 's', m->source);
	put_input(h, m->from);
	put_i64(h, 'z', m->from_scratch);
	put_i64(h, 'r', m->readonly);
	put_i64(h, 'S', (int64_t)m->size);
	put_i64(h, 'u', m->uid);
	put_i64(h, 'g', m->gid);
	put_i64(h, 'm', m->mode);
	put_str(h, 'h', m->sharing);
	if (m->seed)
		put_str(h, 'd', m->seed);
	put_i64(h, 'q', m->required);
	put_str(h, 'e', m->env);
}

static void
put_fact(struct hasher *h, const struct fact *a)
{
	put_i64(h, 'K', a->kind);
	put_str(h, 'd', a->dest);
	put_strv(h, 's', &a->srcs);
	put_strv(h, 'x', &a->excludes);
	/* a context is its content; another stage or image is its key */
	if (a->kind == FA_COPY && a->from == NULL && !a->scratch && !h->no_sums)
		put_str(h, 'C', a->checksum);
	/* a URL is what came, under the name and time it came with */
	if (a->kind == FA_FETCH) {
		put_str(h, 'C', a->checksum);
		put_str(h, 'N', a->name);
		put_i64(h, 'T', a->mtime);
	}
	put_input(h, a->from);
	put_i64(h, 'z', a->scratch);
	put_i64(h, 'u', a->uid);
	put_i64(h, 'g', a->gid);
	put_str(h, 'o', a->owner);
	put_str(h, 'm', a->chmod);
	put_i64(h, 'f', a->flags);
	put_i64(h, 'M', a->mode);
	put(h, 'c', a->content ? a->content : "", a->len);
}

static void
put_def(struct hasher *h, const struct vertex *v)
{
	put_str(h, 'V', h->no_sums ? KEY_VERSION "-copy-base" :
	    h->no_parent ? KEY_VERSION "-copy-link" : KEY_VERSION);
	put_i64(h, 'O', v->op);
	switch (v->op) {
	case VOP_SOURCE:
		/* an image is its manifest */
		put_str(h, 'D', v->digest);
		return;
	case VOP_EXEC:
		put_strv(h, 'a', &v->argv);
		put_strv(h, 'e', &v->env);
		put_str(h, 'w', v->cwd);
		put_str(h, 'u', v->user);
		put_str(h, 'N', v->network);
		put_str(h, 'Y', v->security);
		for (size_t i = 0; i < v->nmounts; i++)
			put_mount(h, &v->mounts[i]);
		break;
	case VOP_FILE:
		for (size_t i = 0; i < v->nacts; i++)
			put_fact(h, &v->acts[i]);
		break;
	}
	if (!h->no_parent)
		put_input(h, v->parent);
}

static int
key_of(const struct vertex *v, int no_sums, int no_parent, char out[GRAPH_KEY_MAX])
{
	struct hasher h = { EVP_MD_CTX_new(), 0, no_sums, no_parent };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int r = -ENOMEM;

	if (h.ctx == NULL)
		return -ENOMEM;
	if (EVP_DigestInit_ex(h.ctx, EVP_sha256(), NULL) != 1)
		goto out;
	put_def(&h, v);
	if (h.err || EVP_DigestFinal_ex(h.ctx, md, &n) != 1 || n != 32)
		goto out;
	util_sha256_str(md, out);
	r = 0;
out:
	EVP_MD_CTX_free(h.ctx);
	return r;
}

int
cachekey_vertex(struct vertex *v)
{
	return key_of(v, 0, 0, v->key);
}

int
cachekey_copy_base(const struct vertex *v, char out[GRAPH_KEY_MAX])
{
	const struct fact *a = v->nacts == 1 ? &v->acts[0] : NULL;

	out[0] = '\0';
	if (v->op != VOP_FILE || a == NULL || a->kind != FA_COPY || a->from || a->scratch ||
	    (a->flags & (SNAP_COPY_UNPACK | SNAP_COPY_PARENTS)))
		return 0;
	return key_of(v, 1, 0, out);
}

int
cachekey_link_layer(const struct vertex *v, char out[GRAPH_KEY_MAX])
{
	const struct fact *a = v->nacts == 1 ? &v->acts[0] : NULL;

	out[0] = '\0';
	if (v->op != VOP_FILE || v->parent == NULL || a == NULL || a->kind != FA_COPY ||
	    !(a->flags & SNAP_COPY_LINK) || a->owner || a->scratch)
		return 0;
	return key_of(v, 0, 1, out);
}

/* inputs first, whatever order the graph holds them in */
static int
key_deep(struct vertex *v, unsigned depth)
{
	const struct vertex *in[64];
	size_t n;
	int r;

	if (v->key[0])
		return 0;
	if (depth > 4096)
		return -ELOOP;
	n = vertex_inputs(v, in, 64);
	for (size_t i = 0; i < n; i++)
		if ((r = key_deep((struct vertex *)in[i], depth + 1)) < 0)
			return r;
	return cachekey_vertex(v);
}

int
cachekey_graph(struct graph *g)
{
	for (size_t i = 0; i < g->nv; i++)
		g->v[i]->key[0] = '\0';
	for (size_t i = 0; i < g->nv; i++) {
		int r = key_deep(g->v[i], 0);

		if (r < 0)
			return r;
	}
	return 0;
}
