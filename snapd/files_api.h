/* files_api.h: what kiln-snapd's main.c merges from the file and image half: its handlers and its setup. */
#ifndef KILN_SNAPD_FILES_API_H
#define KILN_SNAPD_FILES_API_H

#include "files.h"
#include "helper.h"

/* Messages from solverd (and, under --test-hooks, the clients it
 * relays): IMAGE_*, SNAP_DIFF, SNAP_COPY, SNAP_MKFILE, SNAP_MKDIR,
 * SNAP_CHECKSUM, EXPORT_*. Ends with IPC_HANDLERS_END. */
extern const struct ipc_handler snap_files_handlers[];
/* After store_open(), before lockdown: id maps, the jail's seccomp mode,
 * the image tables. */
int snap_files_setup(struct helper *h);

/* An ERROR reply with err's sentence (or strerror), logged; returns 0
 * once sent, so the handler's caller adds no second reply. */
int files_reply_err(struct ipc_peer *p, uint32_t id, int r, const struct snap_err *err);
/* The IMAGE_RESOLVED answer, shared by IMAGE_RESOLVE and CACHE_DIR_LOAD. */
int files_reply_resolved(struct ipc_peer *p, uint32_t id, const char *manifest,
    const char *config, const char *top);
/* A body of one string, NUL-terminated and malloc'd. */
int files_rd_one_str(const struct ipc_msg *m, char **s);

/* files_ops.c */
int files_on_copy(struct ipc_peer *p, struct ipc_msg *m);
int files_on_mkfile(struct ipc_peer *p, struct ipc_msg *m);
int files_on_mkdir(struct ipc_peer *p, struct ipc_msg *m);
int files_on_checksum(struct ipc_peer *p, struct ipc_msg *m);
/* exports.c: EXPORT_TAR (the whole tree of a committed snapshot, "" an
 * empty one, as a tar into the fd) and EXPORT_LOCAL (into the dirfd, owned
 * by 0:0) in a child; the answer when it ends */
int exports_on_tar(struct ipc_peer *p, struct ipc_msg *m);
int exports_on_local(struct ipc_peer *p, struct ipc_msg *m);
/* A prepared snapshot's mount, opened O_DIRECTORY. */
int files_open_prepared(const char *id, struct snap_err *err);
/* user_lookup.c: SNAP_USER */
int files_on_user(struct ipc_peer *p, struct ipc_msg *m);

#endif
