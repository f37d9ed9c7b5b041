/* copy_inc.h: the incremental COPY (copy_inc.c), between SNAP_COPY's handler and the copy and the store. */
#ifndef KILN_SNAPD_COPY_INC_H
#define KILN_SNAPD_COPY_INC_H

#include "copy.h"

/*
 * SNAP_COPY with a base key (the COPY's cache key without the content's
 * checksums): when the last result of that key is committed on the same
 * parent, the prepared snapshot dest_id gets the earlier layer's
 * unchanged entries as hard links (the layer is refilled while it is
 * unmounted) and only the rest is copied; else a full copy. Either way
 * the result's manifest is recorded for the next time. rq->dst_root may
 * be closed and opened again.
 */
int copy_inc(struct copy_req *rq, const char *dest_id, const char *base,
    struct snap_err *err);

/* SNAP_COPY_LINK from a snapshot: its own layer (made on an empty root)
 * put as it is on the prepared snapshot dest_id, which must be fresh: its
 * upper dir gets the layer's directories and hard links of the rest.
 * -EOPNOTSUPP (before anything changed) for the native snapshotter. */
int copy_put_layer(const char *dest_id, const char *layer, struct snap_err *err);

#endif
