/* meta.h: kiln-snapd's metadata database (sqlite3, WAL): snapshots and references. */
#ifndef KILN_SNAPD_META_H
#define KILN_SNAPD_META_H

#include <stdint.h>
#include "store.h"

/*
 * Schema (the on-disk format, also in kiln-snapd.8, FILES):
 *   meta(key TEXT PRIMARY KEY, value TEXT)     "schema" = "1"
 *   snapshots(n INTEGER PRIMARY KEY AUTOINCREMENT, parent INTEGER
 *     REFERENCES snapshots(n), kind INTEGER, driver TEXT, size INTEGER,
 *     created INTEGER, last_used INTEGER)
 *     kind: enum store_kind; the id "s<n>" is never reused, so an id a
 *     cache remembers can only be missing, never wrong.
 *   refs(holder TEXT, target TEXT, PRIMARY KEY (holder, target))
 *     what keeps a snapshot ("s<n>") or blob ("sha256:...") from GC.
 *   caches(key TEXT PRIMARY KEY, size INTEGER, last_used INTEGER)
 * Each change is one transaction.
 */

struct meta_snap {
	int64_t		n;
	int64_t		parent;		/* 0: none */
	int		kind;		/* enum store_kind */
	char		driver[16];
	uint64_t	size;
	int64_t		created, last_used;
};

int meta_open(const char *path);
void meta_close(void);
struct sqlite3 *meta_db(void);

/* A new row on parent (0: none), whose last_used becomes now too. */
int meta_snap_insert(int64_t parent, int kind, const char *driver, int64_t *n);
/* -ENOENT when there is no such row */
int meta_snap_get(int64_t n, struct meta_snap *out);
int meta_snap_set_committed(int64_t n, uint64_t size);
int meta_snap_delete(int64_t n);
int meta_snap_touch(int64_t n);
/* Rows whose parent is n. */
int meta_snap_children(int64_t n, int *count);
/* n and its ancestors, n first: at most max; -E2BIG beyond. */
int meta_snap_chain(int64_t n, int64_t *out, int max, int *count);
/* Calls fn for every row (fn returns <0 to stop); where is "" or an SQL
 * condition over the columns, from kiln's own code only. */
typedef int (*meta_snap_fn)(const struct meta_snap *s, void *arg);
int meta_snap_each(const char *where, meta_snap_fn fn, void *arg);

int meta_ref_add(const char *holder, const char *target);
int meta_ref_drop(const char *holder, const char *target);
int meta_ref_drop_holder(const char *holder);
int meta_ref_count(const char *target, int *count);

/* Cache mounts' records (cache.c) */
int meta_cache_touch(const char *key);
int meta_cache_set_size(const char *key, uint64_t size);
int meta_cache_delete(const char *key);
typedef int (*meta_cache_fn)(const char *key, uint64_t size, int64_t last_used,
    void *arg);
int meta_cache_each(meta_cache_fn fn, void *arg);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK, for changes of several rows */
int meta_begin(void);
int meta_commit(void);
void meta_rollback(void);

#endif
