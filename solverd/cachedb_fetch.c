/* cachedb_fetch.c: the fetched table: an ADD URL's last ETag and the digest, name and time of the body it named. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cachedb.h"
#include "log.h"

/* column i as a string into out: 0, or -ENOSPC (a row from elsewhere) */
static int
column_str(sqlite3_stmt *st, int i, char *out, size_t size)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	if (s == NULL)
		s = "";
	if (strlen(s) >= size)
		return -ENOSPC;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int
cachedb_fetch_get(const char *url, struct fetched_row *row)
{
	sqlite3 *db = cachedb_handle();
	sqlite3_stmt *st;
	int r = -ENOENT;

	if (db == NULL || sqlite3_prepare_v2(db, "SELECT etag, digest, name, mtime "
	    "FROM fetched WHERE url = ?1", -1, &st, NULL) != SQLITE_OK)
		return -ENOENT;
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    column_str(st, 0, row->etag, sizeof(row->etag)) == 0 &&
	    column_str(st, 1, row->digest, sizeof(row->digest)) == 0 &&
	    column_str(st, 2, row->name, sizeof(row->name)) == 0) {
		row->mtime = (int64_t)sqlite3_column_int64(st, 3);
		r = row->etag[0] && strncmp(row->digest, "sha256:", 7) == 0 ? 0 : -ENOENT;
	}
	sqlite3_finalize(st);
	return r;
}

int
cachedb_fetch_put(const char *url, const struct fetched_row *row)
{
	sqlite3 *db = cachedb_handle();
	sqlite3_stmt *st;
	int r;

	if (db == NULL)
		return -ENOTCONN;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO fetched(url, etag, digest, "
	    "name, mtime, last_used) VALUES(?1, ?2, ?3, ?4, ?5, ?6)", -1, &st,
	    NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->etag, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, row->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)row->mtime);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	r = sqlite3_step(st) == SQLITE_DONE ? 0 : -EIO;
	if (r < 0)
		log_warn("cache db: storing the ETag of %s: %s", url, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return r;
}
