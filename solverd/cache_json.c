/* cache_json.c: the build cache document (kiln-cache.5) made and read: layers, and records from a cache key to a record image and its chain of layers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cache.h"

static int
digest_ok(const char *d)
{
	if (d == NULL || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
		return 0;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

long
cachedoc_layer(struct cache_doc *d, const struct cache_layer *l)
{
	struct cache_layer *nl;

	for (size_t i = 0; i < d->nlayers; i++)
		if (strcmp(d->layers[i].digest, l->digest) == 0)
			return (long)i;
	if (d->nlayers >= CACHE_MAX_LAYERS)
		return -E2BIG;
	if ((nl = realloc(d->layers, (d->nlayers + 1) * sizeof(*nl))) == NULL)
		return -ENOMEM;
	d->layers = nl;
	nl[d->nlayers] = *l;
	return (long)d->nlayers++;
}

int
cachedoc_rec(struct cache_doc *d, const char *key, const char *image,
    const size_t *layers, size_t n)
{
	struct cache_rec *nr, *r;

	if (d->nrecs >= CACHE_MAX_RECORDS)
		return -E2BIG;
	if ((nr = realloc(d->recs, (d->nrecs + 1) * sizeof(*nr))) == NULL)
		return -ENOMEM;
	d->recs = nr;
	r = &nr[d->nrecs];
	memset(r, 0, sizeof(*r));
	if (n && (r->layers = calloc(n, sizeof(*r->layers))) == NULL)
		return -ENOMEM;
	snprintf(r->key, sizeof(r->key), "%s", key);
	snprintf(r->image, sizeof(r->image), "%s", image);
	if (n)
		memcpy(r->layers, layers, n * sizeof(*layers));
	r->nlayers = n;
	d->nrecs++;
	return 0;
}

const struct cache_rec *
cachedoc_find(const struct cache_doc *d, const char *key)
{
	for (size_t i = 0; i < d->nrecs; i++)
		if (strcmp(d->recs[i].key, key) == 0)
			return &d->recs[i];
	return NULL;
}

void
cachedoc_free(struct cache_doc *d)
{
	for (size_t i = 0; i < d->nrecs; i++)
		free(d->recs[i].layers);
	free(d->recs);
	free(d->layers);
	memset(d, 0, sizeof(*d));
}

json_t *
cachejson_make(const struct cache_doc *d)
{
	json_t *o = json_object(), *ls = json_array(), *rs = json_array();
	int bad = o == NULL || ls == NULL || rs == NULL;

	for (size_t i = 0; !bad && i < d->nlayers; i++) {
		const struct cache_layer *l = &d->layers[i];

		bad = json_array_append_new(ls, json_pack("{s:s, s:s, s:s, s:I}", "digest",
		    l->digest, "diffID", l->diff_id, "mediaType", l->media, "size",
		    (json_int_t)l->size)) < 0;
	}
	for (size_t i = 0; !bad && i < d->nrecs; i++) {
		const struct cache_rec *r = &d->recs[i];
		json_t *idx = json_array();

		for (size_t k = 0; idx && k < r->nlayers; k++)
			if (json_array_append_new(idx, json_integer((json_int_t)r->layers[k])) < 0) {
				json_decref(idx);
				idx = NULL;
			}
		bad = idx == NULL || json_array_append_new(rs, json_pack("{s:s, s:s, s:o}",
		    "key", r->key, "image", r->image, "layers", idx)) < 0;
	}
	if (bad || json_object_set_new(o, "mode", json_string(d->mode)) < 0 ||
	    json_object_set(o, "layers", ls) < 0 || json_object_set(o, "records", rs) < 0) {
		json_decref(o);
		o = NULL;
	}
	json_decref(ls);
	json_decref(rs);
	return o;
}

static int
bad(char *why, size_t size, const char *what)
{
	snprintf(why, size, "the cache's %s is malformed", what);
	return -EINVAL;
}

static int
copy_str(char *out, size_t size, json_t *v)
{
	const char *s = json_string_value(v);

	if (s == NULL || strlen(s) >= size)
		return -EINVAL;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int
parse_layers(json_t *ls, struct cache_doc *d, char *why, size_t size)
{
	size_t i;
	json_t *e;

	if (!json_is_array(ls) || json_array_size(ls) > CACHE_MAX_LAYERS)
		return bad(why, size, "layer list");
	if ((d->layers = calloc(json_array_size(ls) + 1, sizeof(*d->layers))) == NULL)
		return -ENOMEM;
	json_array_foreach(ls, i, e) {
		struct cache_layer *l = &d->layers[i];
		json_int_t sz = json_integer_value(json_object_get(e, "size"));

		if (copy_str(l->digest, sizeof(l->digest), json_object_get(e, "digest")) < 0 ||
		    copy_str(l->diff_id, sizeof(l->diff_id), json_object_get(e, "diffID")) < 0 ||
		    copy_str(l->media, sizeof(l->media), json_object_get(e, "mediaType")) < 0 ||
		    !digest_ok(l->digest) || !digest_ok(l->diff_id) ||
		    !json_is_integer(json_object_get(e, "size")) || sz < 0)
			return bad(why, size, "layer");
		l->size = (uint64_t)sz;
		d->nlayers++;
	}
	return 0;
}

static int
parse_rec(json_t *e, struct cache_doc *d, char *why, size_t size)
{
	char key[GRAPH_KEY_MAX], image[CACHE_DIGEST_MAX];
	json_t *idx = json_object_get(e, "layers"), *x;
	size_t *layers, n, i;
	int r;

	if (copy_str(key, sizeof(key), json_object_get(e, "key")) < 0 || !digest_ok(key) ||
	    copy_str(image, sizeof(image), json_object_get(e, "image")) < 0 ||
	    !digest_ok(image) || !json_is_array(idx))
		return bad(why, size, "record");
	n = json_array_size(idx);
	if (n > d->nlayers || (layers = calloc(n + 1, sizeof(*layers))) == NULL)
		return n > d->nlayers ? bad(why, size, "record") : -ENOMEM;
	json_array_foreach(idx, i, x) {
		json_int_t k = json_integer_value(x);

		if (!json_is_integer(x) || k < 0 || (size_t)k >= d->nlayers) {
			free(layers);
			return bad(why, size, "record's layer index");
		}
		layers[i] = (size_t)k;
	}
	r = cachedoc_rec(d, key, image, layers, n);
	free(layers);
	return r;
}

int
cachejson_parse(const char *cfg, size_t len, struct cache_doc *d, char *why, size_t size)
{
	json_error_t je;
	json_t *root = json_loadb(cfg, len, 0, &je), *c, *rs, *e;
	size_t i;
	int r = 0;

	memset(d, 0, sizeof(*d));
	*why = '\0';
	if (root == NULL)
		return bad(why, size, "config (not JSON)");
	if ((c = json_object_get(root, CACHE_FIELD)) == NULL) {
		json_decref(root);
		snprintf(why, size, "the image config has no %s field: not a kiln cache",
		    CACHE_FIELD);
		return -ENOENT;
	}
	rs = json_object_get(c, "records");
	if (!json_is_object(c) || !json_is_array(rs) ||
	    json_array_size(rs) > CACHE_MAX_RECORDS ||
	    copy_str(d->mode, sizeof(d->mode), json_object_get(c, "mode")) < 0)
		r = bad(why, size, CACHE_FIELD " object");
	if (r == 0)
		r = parse_layers(json_object_get(c, "layers"), d, why, size);
	json_array_foreach(rs, i, e)
		if (r == 0)
			r = parse_rec(e, d, why, size);
	json_decref(root);
	if (r < 0)
		cachedoc_free(d);
	return r;
}
