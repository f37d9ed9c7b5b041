/* image_json.c: reads OCI and Docker image JSON (index, manifest, docker-save manifest.json, config) with jansson, and writes OCI manifests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "image_json.h"

int
ij_digest_ok(const char *d)
{
	if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
		return 0;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

static json_t *
load(const char *buf, size_t n, const char *what, struct snap_err *err)
{
	json_error_t je;
	json_t *j;

	if (n > IJ_MAX_JSON) {
		snap_errf(err, -EFBIG, "%s: larger than %d bytes", what, IJ_MAX_JSON);
		return NULL;
	}
	j = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		snap_errf(err, -EINVAL, "%s: not JSON: %s (line %d)", what, je.text, je.line);
	return j;
}

static const char *
str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
copy_str(char *dst, size_t size, const char *s)
{
	if (s == NULL || strlen(s) >= size)
		return -EINVAL;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* A descriptor: mediaType, digest, size (and, in an index, a name). */
static int
read_desc(json_t *o, struct ij_desc *d, const char *what, struct snap_err *err)
{
	json_t *size = json_object_get(o, "size"), *ann, *plat;
	const char *name = NULL;

	memset(d, 0, sizeof(*d));
	if (!json_is_object(o) || copy_str(d->digest, sizeof(d->digest), str_of(o, "digest")) < 0 ||
	    !ij_digest_ok(d->digest))
		return snap_errf(err, -EINVAL, "%s: a descriptor without a sha256 digest", what);
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return snap_errf(err, -EINVAL, "%s: descriptor %s has no size", what, d->digest);
	d->size = (uint64_t)json_integer_value(size);
	if (str_of(o, "mediaType") && copy_str(d->media, sizeof(d->media), str_of(o, "mediaType")) < 0)
		return snap_errf(err, -EINVAL, "%s: media type too long", what);
	ann = json_object_get(o, "annotations");
	if (json_is_object(ann)) {
		name = str_of(ann, "io.containerd.image.name");
		if (name == NULL)
			name = str_of(ann, "org.opencontainers.image.ref.name");
	}
	if (name && copy_str(d->name, sizeof(d->name), name) < 0)
		return snap_errf(err, -EINVAL, "%s: image name too long", what);
	plat = json_object_get(o, "platform");
	if (json_is_object(plat) && str_of(plat, "os") && str_of(plat, "architecture"))
		snprintf(d->platform, sizeof(d->platform), "%.20s/%.20s",
		    str_of(plat, "os"), str_of(plat, "architecture"));
	return 0;
}

int
ij_parse_index(const char *buf, size_t n, struct ij_desc **out, size_t *nout,
    struct snap_err *err)
{
	json_t *j = load(buf, n, "index", err), *ms;
	size_t i;
	int r = 0;

	*out = NULL;
	*nout = 0;
	if (j == NULL)
		return -EINVAL;
	ms = json_object_get(j, "manifests");
	if (!json_is_array(ms) || json_array_size(ms) > IJ_MAX_LAYERS) {
		r = snap_errf(err, -EINVAL, "index: no list of manifests");
		goto out;
	}
	*out = calloc(json_array_size(ms) + 1, sizeof(**out));
	if (*out == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; r == 0 && i < json_array_size(ms); i++)
		r = read_desc(json_array_get(ms, i), &(*out)[i], "index", err);
	*nout = i;
out:
	if (r < 0) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	json_decref(j);
	return r;
}

static int
is_index_media(const char *m)
{
	return strcmp(m, MT_OCI_INDEX) == 0 || strcmp(m, MT_DOCKER_LIST) == 0;
}

int
ij_parse_manifest(const char *buf, size_t n, struct ij_manifest *m,
    struct snap_err *err)
{
	json_t *j = load(buf, n, "manifest", err), *layers;
	const char *media;
	int r = 0;

	memset(m, 0, sizeof(*m));
	if (j == NULL)
		return -EINVAL;
	media = str_of(j, "mediaType");
	if ((media && is_index_media(media)) || json_object_get(j, "manifests")) {
		r = -EMEDIUMTYPE;
		goto out;
	}
	snprintf(m->media, sizeof(m->media), "%s", media ? media : MT_OCI_MANIFEST);
	if (strcmp(m->media, MT_OCI_MANIFEST) && strcmp(m->media, MT_DOCKER_MANIFEST)) {
		r = snap_errf(err, -EINVAL, "manifest: media type %s is not an OCI or "
		    "Docker v2 schema 2 manifest", m->media);
		goto out;
	}
	r = read_desc(json_object_get(j, "config"), &m->config, "manifest config", err);
	layers = json_object_get(j, "layers");
	if (r == 0 && (!json_is_array(layers) || json_array_size(layers) > IJ_MAX_LAYERS))
		r = snap_errf(err, -EINVAL, "manifest: no list of layers (at most %d)",
		    IJ_MAX_LAYERS);
	for (size_t i = 0; r == 0 && i < json_array_size(layers); i++) {
		r = read_desc(json_array_get(layers, i), &m->layers[i], "manifest layer", err);
		if (r == 0 && !ij_layer_media_ok(m->layers[i].media))
			r = snap_errf(err, -EINVAL, "manifest: layer %s has media type '%s', "
			    "which kiln cannot unpack", m->layers[i].digest, m->layers[i].media);
		m->nlayers = i + 1;
	}
out:
	json_decref(j);
	return r;
}

static int
read_docker_one(json_t *o, struct ij_docker *d, struct snap_err *err)
{
	json_t *tags = json_object_get(o, "RepoTags"), *layers = json_object_get(o, "Layers");

	if (!json_is_object(o) || copy_str(d->config, sizeof(d->config), str_of(o, "Config")) < 0)
		return snap_errf(err, -EINVAL, "manifest.json: an image without Config");
	if (!json_is_array(layers) || json_array_size(layers) > IJ_MAX_LAYERS)
		return snap_errf(err, -EINVAL, "manifest.json: no list of Layers (at most %d)",
		    IJ_MAX_LAYERS);
	for (size_t i = 0; i < json_array_size(layers); i++)
		if (copy_str(d->layers[d->nlayers++], IJ_NAME_MAX,
		    json_string_value(json_array_get(layers, i))) < 0)
			return snap_errf(err, -EINVAL, "manifest.json: layer %zu is not a path", i);
	for (size_t i = 0; json_is_array(tags) && i < json_array_size(tags) && d->ntags < 8; i++)
		if (copy_str(d->tags[d->ntags], IJ_NAME_MAX,
		    json_string_value(json_array_get(tags, i))) == 0)
			d->ntags++;
	return 0;
}

int
ij_parse_docker(const char *buf, size_t n, struct ij_docker **out, size_t *nout,
    struct snap_err *err)
{
	json_t *j = load(buf, n, "manifest.json", err);
	size_t i;
	int r = 0;

	*out = NULL;
	*nout = 0;
	if (j == NULL)
		return -EINVAL;
	if (!json_is_array(j) || json_array_size(j) == 0 || json_array_size(j) > 64) {
		r = snap_errf(err, -EINVAL, "manifest.json: not a list of images");
		goto out;
	}
	*out = calloc(json_array_size(j), sizeof(**out));
	if (*out == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; r == 0 && i < json_array_size(j); i++)
		r = read_docker_one(json_array_get(j, i), &(*out)[i], err);
	*nout = i;
out:
	if (r < 0) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	json_decref(j);
	return r;
}

int
ij_parse_diff_ids(const char *buf, size_t n, char (**out)[STORE_DIGEST_MAX],
    size_t *nout, struct snap_err *err)
{
	json_t *j = load(buf, n, "config", err), *ids;
	int r = 0;

	*out = NULL;
	*nout = 0;
	if (j == NULL)
		return -EINVAL;
	ids = json_object_get(json_object_get(j, "rootfs"), "diff_ids");
	if (!json_is_array(ids) || json_array_size(ids) > IJ_MAX_LAYERS) {
		r = snap_errf(err, -EINVAL, "config: no rootfs.diff_ids");
		goto out;
	}
	*out = calloc(json_array_size(ids) + 1, sizeof(**out));
	if (*out == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; r == 0 && i < json_array_size(ids); i++) {
		const char *s = json_string_value(json_array_get(ids, i));

		if (s == NULL || !ij_digest_ok(s))
			r = snap_errf(err, -EINVAL, "config: diff_id %zu is not a sha256 digest", i);
		else
			snprintf((*out)[(*nout)++], STORE_DIGEST_MAX, "%s", s);
	}
out:
	if (r < 0) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	json_decref(j);
	return r;
}

static json_t *
desc_json(const struct ij_desc *d)
{
	return json_pack("{s:s, s:s, s:I}", "mediaType", d->media, "digest", d->digest,
	    "size", (json_int_t)d->size);
}

char *
ij_make_manifest(const struct ij_desc *config, const struct ij_desc *layers,
    size_t nlayers)
{
	return ij_make_manifest_as(MT_OCI_MANIFEST, config, layers, nlayers);
}

char *
ij_make_manifest_as(const char *mtype, const struct ij_desc *config,
    const struct ij_desc *layers, size_t nlayers)
{
	json_t *j = json_object(), *ls = json_array();
	char *s;

	json_object_set_new(j, "schemaVersion", json_integer(2));
	json_object_set_new(j, "mediaType", json_string(mtype));
	json_object_set_new(j, "config", desc_json(config));
	for (size_t i = 0; i < nlayers; i++)
		json_array_append_new(ls, desc_json(&layers[i]));
	json_object_set_new(j, "layers", ls);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

int
ij_layer_media_as(const char *media, int docker, char out[IJ_MEDIA_MAX])
{
	/* the same layer in each family's words, OCI first */
	static const char *const pairs[][2] = {
		{ MT_OCI_LAYER, MT_DOCKER_LAYER },
		{ MT_OCI_LAYER "+gzip", MT_DOCKER_LAYER ".gzip" },
		{ MT_OCI_LAYER "+zstd", NULL },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
		  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" },
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		for (int f = 0; f < 2; f++) {
			const char *to = pairs[i][docker];

			if (pairs[i][f] == NULL || strcmp(media, pairs[i][f]) != 0)
				continue;
			if (to == NULL)
				return -EINVAL;
			snprintf(out, IJ_MEDIA_MAX, "%s", to);
			return 0;
		}
	if (!docker && strcmp(media, MT_DOCKER_LAYER ".zstd") == 0) {
		snprintf(out, IJ_MEDIA_MAX, "%s", MT_OCI_LAYER "+zstd");
		return 0;
	}
	return -EINVAL;
}

int
ij_layer_media_ok(const char *m)
{
	static const char *const ok[] = {
		"", MT_OCI_LAYER, MT_OCI_LAYER "+gzip", MT_OCI_LAYER "+zstd",
		"application/vnd.oci.image.layer.nondistributable.v1.tar",
		"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
		"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
		MT_DOCKER_LAYER, MT_DOCKER_LAYER ".gzip", MT_DOCKER_LAYER ".zstd",
		"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(m, ok[i]) == 0)
			return 1;
	return 0;
}

int
ij_normalize_name(const char *in, char *out, size_t size)
{
	const char *p = in, *slash, *colon;

	if (!*in || strlen(in) >= IJ_NAME_MAX || strpbrk(in, " \t\n\r\"'\\"))
		return -EINVAL;
	if (strncmp(p, "docker.io/library/", 18) == 0)
		p += 18;
	else if (strncmp(p, "docker.io/", 10) == 0)
		p += 10;
	slash = strrchr(p, '/');
	colon = strrchr(p, ':');
	if (strchr(p, '@') || (colon && (!slash || colon > slash)))
		return snprintf(out, size, "%s", p) < (int)size ? 0 : -ENAMETOOLONG;
	return snprintf(out, size, "%s:latest", p) < (int)size ? 0 : -ENAMETOOLONG;
}
