/* cachedb.h: solverd's own sqlite3 database: cache keys to snapshots, and the build history. */
#ifndef KILN_SOLVERD_CACHEDB_H
#define KILN_SOLVERD_CACHEDB_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

/*
 * One file, $XDG_DATA_HOME/kiln/solverd/solverd.db (else
 * ~/.local/share/kiln/solverd/), in WAL mode, opened before the seccomp
 * filter is loaded. Tables (PRAGMA user_version 1):
 *   cache(key TEXT PRIMARY KEY, snap TEXT, size INTEGER, created INTEGER,
 *         last_used INTEGER)     a vertex's key -> its committed snapshot
 *   history(id TEXT PRIMARY KEY, started INTEGER, dockerfile TEXT,
 *         target TEXT, status TEXT, duration_ms INTEGER, steps INTEGER,
 *         cached INTEGER, result TEXT)
 *   fetched(url TEXT PRIMARY KEY, etag TEXT, digest TEXT, name TEXT,
 *         mtime INTEGER, last_used INTEGER)
 *                                an ADD URL's last body: its ETag, sha256,
 *                                Content-Disposition name and Last-Modified
 * Every write is its own transaction: a kill -9 leaves the last one or
 * none.
 */

/* path NULL: the default place. 0 or -errno (logged). */
int cachedb_open(const char *path);
void cachedb_close(void);
sqlite3 *cachedb_handle(void);
/* 0 and the snapshot, or -ENOENT. */
int cachedb_get(const char *key, char *snap, size_t size);
int cachedb_put(const char *key, const char *snap, uint64_t size);
/* The snapshot is gone (pruned): the entry is a miss from now on. */
int cachedb_forget(const char *key);
/* cachedb_fetch.c: what the last download of an ADD URL was, so that the
 * next asks with If-None-Match and a 304 keeps the step's key. */
struct fetched_row {
	char		etag[256];
	char		digest[80];
	char		name[256];	/* Content-Disposition's, "" none */
	int64_t		mtime;		/* Last-Modified, -1 none */
};
/* 0 and the row, or -ENOENT. */
int cachedb_fetch_get(const char *url, struct fetched_row *row);
int cachedb_fetch_put(const char *url, const struct fetched_row *row);

/* The db's directory, for the default path. */
int cachedb_default_path(char *buf, size_t size);

struct history_row {
	const char	*id, *dockerfile, *target, *status, *result;
	long long	 started, duration_ms;
	uint64_t	 steps, cached;
};

/* history.c */
int history_put(const struct history_row *r);
/* newest first; fn returns non-zero to stop */
int history_each(uint64_t limit, int (*fn)(const struct history_row *r, void *arg),
    void *arg);
/* builds still "running" from a solverd that died: now "interrupted" */
int history_sweep(void);

#endif
