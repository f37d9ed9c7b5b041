/* cachedb.c: the cache table of solverd's sqlite3 database, and the database's opening (WAL, schema). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cachedb.h"
#include "log.h"
#include "util.h"

#define CACHEDB_VERSION	1

static sqlite3 *db;

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS cache(key TEXT PRIMARY KEY, snap TEXT NOT NULL,"
	" size INTEGER, created INTEGER, last_used INTEGER);"
	"CREATE TABLE IF NOT EXISTS history(id TEXT PRIMARY KEY, started INTEGER,"
	" dockerfile TEXT, target TEXT, status TEXT, duration_ms INTEGER,"
	" steps INTEGER, cached INTEGER, result TEXT);"
	"CREATE INDEX IF NOT EXISTS history_started ON history(started);"
	"CREATE TABLE IF NOT EXISTS fetched(url TEXT PRIMARY KEY, etag TEXT NOT NULL,"
	" digest TEXT NOT NULL, name TEXT NOT NULL, mtime INTEGER, last_used INTEGER);";

sqlite3 *
cachedb_handle(void)
{
	return db;
}

int
cachedb_default_path(char *buf, size_t size)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int n;

	if (x && *x == '/')
		n = snprintf(buf, size, "%s/kiln/solverd", x);
	else if (home && *home == '/')
		n = snprintf(buf, size, "%s/.local/share/kiln/solverd", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int
exec_sql(const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("cache db: %s: %s", sql, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

/* WAL, the schema, and a first read, so that the -wal and -shm files
 * are open before the seccomp filter comes */
static int
setup_db(void)
{
	sqlite3_stmt *st;
	int v = -1, r;

	sqlite3_busy_timeout(db, 5000);
	if ((r = exec_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    " PRAGMA temp_store=MEMORY;")) < 0 || (r = exec_sql(schema)) < 0)
		return r;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (v == 0)
		return exec_sql("PRAGMA user_version=1");
	if (v != CACHEDB_VERSION) {
		log_error("cache db: version %d, this kiln-solverd knows %d", v,
		    CACHEDB_VERSION);
		return -EPROTO;
	}
	return 0;
}

int
cachedb_open(const char *path)
{
	char dir[PATH_MAX - 16], file[PATH_MAX];
	int r;

	if (path == NULL) {
		if ((r = cachedb_default_path(dir, sizeof(dir))) < 0 ||
		    (r = util_mkdir_p(dir, 0700)) < 0) {
			log_error("cache db directory %s: %s", dir, strerror(-r));
			return r;
		}
		snprintf(file, sizeof(file), "%s/solverd.db", dir);
		path = file;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_error("cache db %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		cachedb_close();
		return -EIO;
	}
	if ((r = setup_db()) < 0) {
		cachedb_close();
		return r;
	}
	return history_sweep();
}

void
cachedb_close(void)
{
	if (db)
		sqlite3_close(db);
	db = NULL;
}

int
cachedb_get(const char *key, char *snap, size_t size)
{
	sqlite3_stmt *st;
	int r = -ENOENT;

	if (db == NULL)
		return -ENOENT;
	if (sqlite3_prepare_v2(db, "SELECT snap FROM cache WHERE key = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);

		if (s && strlen(s) < size) {
			strcpy(snap, s);
			r = 0;
		}
	}
	sqlite3_finalize(st);
	if (r == 0) {
		if (sqlite3_prepare_v2(db, "UPDATE cache SET last_used = ?2 WHERE key = ?1",
		    -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
			sqlite3_step(st);
			sqlite3_finalize(st);
		}
	}
	return r;
}

int
cachedb_put(const char *key, const char *snap, uint64_t size)
{
	sqlite3_stmt *st;
	int r;

	if (db == NULL)
		return -ENOTCONN;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO cache(key, snap, size, "
	    "created, last_used) VALUES(?1, ?2, ?3, ?4, ?4)", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, snap, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)size);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	r = sqlite3_step(st) == SQLITE_DONE ? 0 : -EIO;
	if (r < 0)
		log_warn("cache db: storing %s: %s", key, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return r;
}

int
cachedb_forget(const char *key)
{
	sqlite3_stmt *st;
	int r;

	if (db == NULL)
		return -ENOTCONN;
	if (sqlite3_prepare_v2(db, "DELETE FROM cache WHERE key = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	r = sqlite3_step(st) == SQLITE_DONE ? 0 : -EIO;
	sqlite3_finalize(st);
	return r;
}
