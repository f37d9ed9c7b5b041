/* history.c: the build history table: one row per build, written when it starts and when it ends. */
#include <errno.h>
#include <string.h>
#include "cachedb.h"
#include "log.h"

int
history_put(const struct history_row *r)
{
	sqlite3 *db = cachedb_handle();
	sqlite3_stmt *st;
	int rc;

	if (db == NULL)
		return -ENOTCONN;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO history(id, started, "
	    "dockerfile, target, status, duration_ms, steps, cached, result) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->started);
	sqlite3_bind_text(st, 3, r->dockerfile ? r->dockerfile : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->target ? r->target : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, r->duration_ms);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)r->steps);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)r->cached);
	sqlite3_bind_text(st, 9, r->result ? r->result : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -EIO;
	if (rc < 0)
		log_warn("history: storing build %s: %s", r->id, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

int
history_each(uint64_t limit, int (*fn)(const struct history_row *r, void *arg), void *arg)
{
	sqlite3 *db = cachedb_handle();
	sqlite3_stmt *st;
	int rc;

	if (db == NULL)
		return -ENOTCONN;
	if (sqlite3_prepare_v2(db, "SELECT id, started, dockerfile, target, status, "
	    "duration_ms, steps, cached, result FROM history ORDER BY started DESC, "
	    "rowid DESC LIMIT ?1", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, limit ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct history_row r = {
			col(st, 0), col(st, 2), col(st, 3), col(st, 4), col(st, 8),
			sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 5),
			(uint64_t)sqlite3_column_int64(st, 6),
			(uint64_t)sqlite3_column_int64(st, 7),
		};

		if (fn(&r, arg))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int
history_sweep(void)
{
	sqlite3 *db = cachedb_handle();
	char *msg = NULL;

	if (sqlite3_exec(db, "UPDATE history SET status = 'interrupted', result = "
	    "'kiln-solverd stopped during the build' WHERE status = 'running'", NULL,
	    NULL, &msg) != SQLITE_OK) {
		log_warn("history: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
	}
	return 0;
}
