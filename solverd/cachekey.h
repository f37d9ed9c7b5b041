/* cachekey.h: a vertex's cache key: its definition, its inputs' keys and the checksums of the context files it reads. */
#ifndef KILN_SOLVERD_CACHEKEY_H
#define KILN_SOLVERD_CACHEKEY_H

#include "graph.h"

/* Sets v->key ("sha256:HEX"). Its inputs' keys, and the checksum of each
 * COPY from a context, must be set already. 0 or -ENOMEM. */
int cachekey_vertex(struct vertex *v);
/* The key of the same COPY without the content's checksums, which finds
 * the earlier result an incremental COPY starts from: "" (and 0) unless
 * v is one COPY from a context (not ADD's unpacking, not --parents).
 * Like a key, portable: the definition and the inputs' keys only. */
int cachekey_copy_base(const struct vertex *v, char out[GRAPH_KEY_MAX]);
/* COPY --link: the key of its layer alone, made on an empty root (not
 * the parent, so a new base image keeps it); "" (and 0) for any other
 * vertex, and for --chown with names (they are the parent's). */
int cachekey_link_layer(const struct vertex *v, char out[GRAPH_KEY_MAX]);
/* Every vertex of g, inputs first. */
int cachekey_graph(struct graph *g);

#endif
