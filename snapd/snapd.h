/* snapd.h: kiln-snapd's shared declarations: options, the IPC handlers, and the store's own internals. */
#ifndef KILN_SNAPD_H
#define KILN_SNAPD_H

#include <limits.h>
#include <stdint.h>
#include "helper.h"
#include "store.h"

extern const int snapd_syscalls[];
extern const size_t snapd_nsyscalls;

/* main.c: what kilnd passed (kiln-snapd.8, OPTIONS) */
struct snapd_config {
	char		state_dir[PATH_MAX - 256];	/* --state-dir */
	char		snapshotter[32];	/* --snapshotter: auto or a driver */
	uint64_t	gc_keep_storage;	/* --gc-keep-storage; 0: default */
	int		test_hooks;
};

/* main.c: with --test-hooks, when <state>/test-stall names point, the
 * file is removed and snapd stalls there (for a test's kill -9). */
void snapd_test_stall(const char *point);

/* handlers_snap.c: the SNAP_* and usage messages from solverd */
extern const struct ipc_handler snapd_solverd_handlers[];
/* A solverd connection closed: what it prepared, viewed, held or leased
 * is dropped. */
void snapd_conn_down(struct ipc_peer *p);
/* SHUTDOWN or the end: every connection's holds are dropped. */
void snapd_conns_drop_all(void);

/* snapshot.c: internals the rest of snapd's store uses */
/* Creates the state dir, sweeps what a crash left, picks the driver. */
struct event_base;
int store_open(const struct snapd_config *cfg, struct event_base *base);
/* Drops every prepared snapshot and view: nothing stays mounted. */
void store_close(void);
/* While a step runs: a snapshot directory made ahead for the next
 * prepare (overlayfs), so that it renames one into place instead of
 * making three on the disk in a step's path. */
void store_make_spare(void);
/* "s12" -> 12; -EINVAL for anything else */
int snap_id_parse(const char *id, int64_t *n);
/* Removes a committed snapshot that nothing uses (gc.c): its row and its
 * directory. -EBUSY when it has children or is leased. */
int snap_delete_committed(int64_t n);
const char *snap_state_dir(void);
int snap_lease_count(int64_t n);

/* content.c: besides store.h's blob_* calls */
int content_open(const char *state_dir);
int blob_delete(const char *digest);
/* Every blob: digest, disk usage, mtime; fn returns <0 to stop. */
int blob_each(int (*fn)(const char *digest, uint64_t size, int64_t mtime,
    void *arg), void *arg);

/* cache.c: RUN --mount=type=cache directories */
/* Called once the directory may be used (err 0), or with why not. */
typedef void (*cache_ready_fn)(struct ipc_peer *p, uint32_t req, const char *hold,
    const char *path, int err);
/* SNAP_CACHE: answers through cb, now or when a locked cache is let go. */
int cache_request(struct ipc_peer *p, struct ipc_msg *m, cache_ready_fn cb);
int cache_release(const char *hold);
/* Forgets p's waiting requests (NULL: everyone's, at exit). */
void cache_conn_down(struct ipc_peer *p);
void cache_close(void);
int cache_in_use(const char *record);
/* Removes a record nobody holds (prune); -EBUSY while held. */
int cache_delete(const char *record);
/* Removes cache directories no record names (start-up). */
int cache_sweep(void);

/* gc.c: DU, PRUNE and the automatic GC */
int gc_on_du(struct ipc_peer *p, struct ipc_msg *m);
int gc_on_prune(struct ipc_peer *p, struct ipc_msg *m);
/* keep: --gc-keep-storage, 0 for a tenth of the store's filesystem */
int gc_init(struct event_base *base, uint64_t keep);
/* A commit grew the store: GC runs soon if it is over the bound. */
void gc_kick(void);
void gc_close(void);

/* sweep.c: start-up and exit cleaning */
/* Unmounts every mount under dir (deepest first), as a crash left them. */
int sweep_mounts(const char *dir);

/* tree.c: whole-tree helpers, on paths inside the store */
/* rm -rf path; 0 when it did not exist */
int tree_remove(const char *path);
/* Disk usage of a tree: 512-byte blocks of every inode once. */
int tree_usage(const char *path, uint64_t *bytes);
/* Copies src's tree into the existing empty directory dst, with owners,
 * modes, times, xattrs, hardlinks, holes, and reflinks where the
 * filesystem has them. */
int tree_copy(const char *src, const char *dst);

#endif
