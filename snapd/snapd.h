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

/* handlers_snap.c: the SNAP_* and usage messages from solverd */
extern const struct ipc_handler snapd_solverd_handlers[];
/* A solverd connection closed: what it prepared, viewed, held or leased
 * is dropped. */
void snapd_conn_down(struct ipc_peer *p);
/* SHUTDOWN or the end: every connection's holds are dropped. */
void snapd_conns_drop_all(void);

/* snapshot.c: internals the rest of snapd's store uses */
/* Creates the state dir, sweeps what a crash left, picks the driver. */
int store_open(const struct snapd_config *cfg);
/* Drops every prepared snapshot and view: nothing stays mounted. */
void store_close(void);
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
