/* image_json.h: the OCI and Docker JSON kiln-snapd reads and writes: index, manifests, docker-save manifest.json, config diff_ids. */
#ifndef KILN_SNAPD_IMAGE_JSON_H
#define KILN_SNAPD_IMAGE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "files.h"
#include "store.h"

#define IJ_MAX_JSON	(4 << 20)	/* an index, manifest or config */
#define IJ_MAX_LAYERS	256
#define IJ_NAME_MAX	256
#define IJ_MEDIA_MAX	128

/* Media types (OCI image spec, Docker image manifest v2 schema 2) */
#define MT_OCI_INDEX	"application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST	"application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG	"application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER	"application/vnd.oci.image.layer.v1.tar"
#define MT_DOCKER_LIST	"application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER	"application/vnd.docker.image.rootfs.diff.tar"

struct ij_desc {
	char		digest[STORE_DIGEST_MAX];
	uint64_t	size;
	char		media[IJ_MEDIA_MAX];
	char		name[IJ_NAME_MAX];	/* index entries: the image's name, or "" */
	char		platform[64];		/* index entries: "os/arch", or "" */
};

struct ij_manifest {
	char		media[IJ_MEDIA_MAX];
	struct ij_desc	config;
	struct ij_desc	layers[IJ_MAX_LAYERS];
	size_t		nlayers;
};

/* One image of a docker-save manifest.json; paths inside the archive. */
struct ij_docker {
	char		config[IJ_NAME_MAX];
	char		tags[8][IJ_NAME_MAX];
	size_t		ntags;
	char		layers[IJ_MAX_LAYERS][IJ_NAME_MAX];
	size_t		nlayers;
};

/* "sha256:" and 64 lowercase hex digits */
int ij_digest_ok(const char *d);
/* An index.json or a manifest list: its manifests. *out is malloc'd. */
int ij_parse_index(const char *buf, size_t n, struct ij_desc **out, size_t *nout,
    struct snap_err *err);
/* A manifest (OCI or Docker v2 schema 2). -EMEDIUMTYPE when buf is an
 * index or manifest list instead. */
int ij_parse_manifest(const char *buf, size_t n, struct ij_manifest *m,
    struct snap_err *err);
/* A docker-save manifest.json. *out is malloc'd. */
int ij_parse_docker(const char *buf, size_t n, struct ij_docker **out,
    size_t *nout, struct snap_err *err);
/* rootfs.diff_ids of a config; *out is malloc'd, n entries. */
int ij_parse_diff_ids(const char *buf, size_t n, char (**out)[STORE_DIGEST_MAX],
    size_t *nout, struct snap_err *err);
/* An OCI manifest for config and layers; malloc'd, compact, keys sorted. */
char *ij_make_manifest(const struct ij_desc *config, const struct ij_desc *layers,
    size_t nlayers);
/* The same with the manifest media type mtype (OCI's or Docker's). */
char *ij_make_manifest_as(const char *mtype, const struct ij_desc *config,
    const struct ij_desc *layers, size_t nlayers);
/* A layer media type told in OCI's (docker 0) or Docker v2's (docker 1)
 * words: "...layer.v1.tar+gzip" <-> "...rootfs.diff.tar.gzip". -EINVAL
 * when it has none there (zstd, foreign layers in OCI, or unknown). */
int ij_layer_media_as(const char *media, int docker, char out[IJ_MEDIA_MAX]);
/* Whether a layer media type is one kiln unpacks (tar, gzip, zstd). */
int ij_layer_media_ok(const char *media);
/* Familiar short form: "busybox" -> "busybox:latest",
 * "docker.io/library/x:1" -> "x:1". -EINVAL for a bad name. */
int ij_normalize_name(const char *in, char *out, size_t size);

#endif
