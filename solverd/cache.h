/* cache.h: build cache export and import (--cache-to, --cache-from; kiln-cache.5): the specs, the records' JSON, the export job, the imported lookup. */
#ifndef KILN_SOLVERD_CACHE_H
#define KILN_SOLVERD_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "graph.h"
#include "imgref.h"

struct build;
struct ipc_rd;
struct ipc_msg;

#define CACHE_FIELD		"kiln.cache.v1"	/* the config's key (kiln-cache.5) */
#define CACHE_MAX_SPECS		8
#define CACHE_MAX_RECORDS	4096
#define CACHE_MAX_LAYERS	4096	/* distinct layers of one cache */
#define CACHE_DIGEST_MAX	80

struct cache_layer {
	char		 digest[CACHE_DIGEST_MAX];	/* the blob */
	char		 diff_id[CACHE_DIGEST_MAX];	/* sha256 of the tar */
	char		 media[128];
	uint64_t	 size;
};

/* One vertex's result: its key, the record image that holds its
 * snapshot's chain of layers (bottom first), and those layers as
 * indices into the document's list. */
struct cache_rec {
	char		 key[GRAPH_KEY_MAX];
	char		 image[CACHE_DIGEST_MAX];
	size_t		*layers;
	size_t		 nlayers;
};

struct cache_doc {
	char			 mode[8];	/* "min", "max" */
	struct cache_layer	*layers;
	size_t			 nlayers;
	struct cache_rec	*recs;
	size_t			 nrecs;
};

/* cache_json.c: the document as the value of CACHE_FIELD. */
json_t *cachejson_make(const struct cache_doc *d);
/* From an image config's JSON text: 0, -ENOENT when it has no
 * CACHE_FIELD, -EINVAL (why set) when it is malformed or too big. */
int cachejson_parse(const char *cfg, size_t len, struct cache_doc *d, char *why,
    size_t size);
/* Adds a layer (deduplicated by blob digest); its index, or -errno. */
long cachedoc_layer(struct cache_doc *d, const struct cache_layer *l);
/* Adds a record, its layers given as indices. */
int cachedoc_rec(struct cache_doc *d, const char *key, const char *image,
    const size_t *layers, size_t n);
const struct cache_rec *cachedoc_find(const struct cache_doc *d, const char *key);
void cachedoc_free(struct cache_doc *d);

enum cache_type { CT_LOCAL = 1, CT_REGISTRY, CT_INLINE };

struct cache_spec {
	enum cache_type	 type;
	int		 max;		/* mode=max */
	int		 ignore_error;	/* ignore-error=true: a failed export warns */
	char		 ref[IMGREF_STR_MAX];	/* registry: the reference */
	char		 text[64];	/* for messages: "type=local", a ref */
	int		 fd;		/* local: the directory, or -1 */
	/* --cache-from, once loaded */
	int		 loaded;
	struct cache_doc doc;
};

/* A build's --cache-to and --cache-from (b->cache). */
struct cache_state {
	struct cache_spec	 to[CACHE_MAX_SPECS], from[CACHE_MAX_SPECS];
	size_t			 nto, nfrom;
	struct cache_doc	 out;		/* what the export made (inline) */
	int			 out_ready;
	void			(*then)(struct build *b);	/* after the loads */
};


/* cache_spec.c: "type=local,mode=max" ... into s (to: a --cache-to).
 * 0, or -EINVAL with why set. */
int cache_spec_parse(const char *text, int to, struct cache_spec *s, char *why,
    size_t size);
/* BUILD's optional [str cache-to...], [str cache-from...] and their fds
 * (from *next on) into b->cache; b->error set on an error. */
int cache_req_decode(struct build *b, struct ipc_rd *rd, struct ipc_msg *m, int *next);
void cache_state_free(struct cache_state *c);

/* cache_import.c: loads each --cache-from (a failure warns), then
 * calls then(b). */
int cimport_start(struct build *b, void (*then)(struct build *b));
/* A vertex whose key an imported record has: its snapshot chain is
 * fetched and unpacked, then done(b, v, snap) (snap NULL and why set
 * when that failed). 1 when it started, 0 when no record has the key. */
typedef void (*cimport_fn)(struct build *b, struct vertex *v, const char *snap,
    const char *why);
int cimport_want(struct build *b, struct vertex *v, cimport_fn done);

/* A record image's name dropped from snapd's image store once it served
 * (its snapshot stays, as a step's result does); errors only logged. */
void cache_forget_image(struct build *b, const char *manifest);

/* cache_export.c: records, their images, the cache written where
 * --cache-to says; then then(b). 0 when nothing was asked. */
int cexport_wanted(const struct build *b);
int cexport_start(struct build *b, void (*then)(struct build *b));
/* type=inline: the records into the image config img. 0 or -ENOMEM. */
int cexport_inline(struct build *b, json_t *img);

#endif
