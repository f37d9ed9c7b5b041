/* meta.c: kiln-snapd's sqlite3 metadata: snapshots, references and cache records, each change one transaction. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>
#include "log.h"
#include "meta.h"
#include "util.h"

#define META_SCHEMA	"1"
#define META_STMTS	48

static sqlite3 *db;
/* Prepared statements by the address of their SQL text (literals), so a
 * prepare + commit costs no SQL compilation. */
static struct {
	const char	*sql;
	sqlite3_stmt	*st;
} stmts[META_STMTS];

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS snapshots ("
    " n INTEGER PRIMARY KEY AUTOINCREMENT,"
    " parent INTEGER REFERENCES snapshots(n),"
    " kind INTEGER NOT NULL, driver TEXT NOT NULL,"
    " size INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL, last_used INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS snapshots_parent ON snapshots(parent);"
    "CREATE TABLE IF NOT EXISTS refs (holder TEXT NOT NULL, target TEXT NOT NULL,"
    " PRIMARY KEY (holder, target));"
    "CREATE INDEX IF NOT EXISTS refs_target ON refs(target);"
    "CREATE TABLE IF NOT EXISTS caches (key TEXT PRIMARY KEY,"
    " size INTEGER NOT NULL DEFAULT 0, last_used INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO meta VALUES ('schema', '" META_SCHEMA "');";

static int
sql_err(const char *what)
{
	int code = sqlite3_errcode(db);

	log_error("metadata: %s: %s", what, sqlite3_errmsg(db));
	if (code == SQLITE_CONSTRAINT)
		return -EBUSY;
	if (code == SQLITE_FULL)
		return -ENOSPC;
	return code == SQLITE_NOMEM ? -ENOMEM : -EIO;
}

static sqlite3_stmt *
stmt_get(const char *sql)
{
	size_t i;

	for (i = 0; i < META_STMTS && stmts[i].sql; i++)
		if (stmts[i].sql == sql)
			return stmts[i].st;
	if (i == META_STMTS)
		return NULL;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmts[i].st,
	    NULL) != SQLITE_OK)
		return NULL;
	stmts[i].sql = sql;
	return stmts[i].st;
}

/* Binds fmt's arguments: 'i' int64_t, 't' const char *. */
static sqlite3_stmt *
prep(const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt *st = stmt_get(sql);

	if (st == NULL)
		return NULL;
	for (int i = 0; fmt[i]; i++) {
		int rc = fmt[i] == 'i' ?
		    sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t)) :
		    sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
		    SQLITE_TRANSIENT);
		if (rc != SQLITE_OK) {
			sqlite3_reset(st);
			return NULL;
		}
	}
	return st;
}

static void
done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs a statement that returns no rows; *changes gets the rows it
 * touched when not NULL. */
static int
exec(int *changes, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	st = prep(sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return sql_err(sql);
	rc = sqlite3_step(st);
	done(st);
	if (rc != SQLITE_DONE)
		return sql_err(sql);
	if (changes)
		*changes = sqlite3_changes(db);
	return 0;
}

/* Runs a query; row is called for each row, with the statement. */
static int
query(int (*row)(sqlite3_stmt *st, void *arg), void *arg, const char *sql,
    const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc, r = 0;

	va_start(ap, fmt);
	st = prep(sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return sql_err(sql);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = row(st, arg)) < 0)
			break;
	if (r == 0 && rc != SQLITE_DONE)
		r = sql_err(sql);
	done(st);
	return r;
}

int
meta_open(const char *path)
{
	char *err = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		int r = sql_err(path);
		meta_close();
		return r;
	}
	/*
	 * WAL: a kill -9 at any point leaves the last committed transaction.
	 * synchronous=NORMAL: no fsync per transaction (the WAL is synced at
	 * checkpoints), so a power loss may lose the newest changes but never
	 * corrupts; start-up sweeps directories no row names.
	 */
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;", NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(db, schema, NULL, NULL, &err) != SQLITE_OK) {
		log_error("metadata: %s: %s", path, err ? err : "?");
		sqlite3_free(err);
		meta_close();
		return -EIO;
	}
	return 0;
}

void
meta_close(void)
{
	for (size_t i = 0; i < META_STMTS && stmts[i].sql; i++) {
		sqlite3_finalize(stmts[i].st);
		stmts[i].sql = NULL;
	}
	if (db)
		sqlite3_close(db);
	db = NULL;
}

struct sqlite3 *
meta_db(void)
{
	return db;
}

int
meta_begin(void)
{
	return exec(NULL, "BEGIN IMMEDIATE", "");
}

int
meta_commit(void)
{
	return exec(NULL, "COMMIT", "");
}

void
meta_rollback(void)
{
	if (!sqlite3_get_autocommit(db))
		exec(NULL, "ROLLBACK", "");
}

int
meta_snap_insert(int64_t parent, int kind, const char *driver, int64_t *n)
{
	int64_t now = time(NULL);
	int r;

	/* NULLIF: parent 0 is the empty root, stored as NULL; the parent
	 * is used now, in the same transaction */
	if ((r = meta_begin()) < 0)
		return r;
	r = exec(NULL, "INSERT INTO snapshots (parent, kind, driver, created, last_used)"
	    " VALUES (NULLIF(?, 0), ?, ?, ?, ?)", "iitii", parent, (int64_t)kind,
	    driver, now, now);
	if (r == 0)
		*n = sqlite3_last_insert_rowid(db);
	if (r == 0 && parent)
		r = meta_snap_touch(parent);
	if (r == 0)
		r = meta_commit();
	if (r < 0)
		meta_rollback();
	return r;
}

#define SNAP_COLS "n, IFNULL(parent, 0), kind, driver, size, created, last_used"

static void
snap_from_row(sqlite3_stmt *st, struct meta_snap *s)
{
	s->n = sqlite3_column_int64(st, 0);
	s->parent = sqlite3_column_int64(st, 1);
	s->kind = sqlite3_column_int(st, 2);
	snprintf(s->driver, sizeof(s->driver), "%s",
	    (const char *)sqlite3_column_text(st, 3));
	s->size = (uint64_t)sqlite3_column_int64(st, 4);
	s->created = sqlite3_column_int64(st, 5);
	s->last_used = sqlite3_column_int64(st, 6);
}

static int
one_snap(sqlite3_stmt *st, void *arg)
{
	snap_from_row(st, arg);
	return 1;
}

int
meta_snap_get(int64_t n, struct meta_snap *out)
{
	int r = query(one_snap, out, "SELECT " SNAP_COLS " FROM snapshots WHERE n = ?",
	    "i", n);

	return r < 0 ? r : r == 1 ? 0 : -ENOENT;
}

int
meta_snap_set_committed(int64_t n, uint64_t size)
{
	int changes = 0, r;

	r = exec(&changes, "UPDATE snapshots SET kind = ?, size = ?, last_used = ?"
	    " WHERE n = ?", "iiii", (int64_t)STORE_COMMITTED, (int64_t)size,
	    (int64_t)time(NULL), n);
	return r < 0 ? r : changes ? 0 : -ENOENT;
}

int
meta_snap_delete(int64_t n)
{
	return exec(NULL, "DELETE FROM snapshots WHERE n = ?", "i", n);
}

int
meta_snap_touch(int64_t n)
{
	return exec(NULL, "UPDATE snapshots SET last_used = ? WHERE n = ?", "ii",
	    (int64_t)time(NULL), n);
}

static int
one_int(sqlite3_stmt *st, void *arg)
{
	*(int *)arg = sqlite3_column_int(st, 0);
	return 1;
}

int
meta_snap_children(int64_t n, int *count)
{
	*count = 0;
	return query(one_int, count, "SELECT COUNT(*) FROM snapshots WHERE parent = ?",
	    "i", n) < 0 ? -EIO : 0;
}

struct chain {
	int64_t	*out;
	int	 max, n;
};

static int
chain_row(sqlite3_stmt *st, void *arg)
{
	struct chain *c = arg;

	if (c->n >= c->max)
		return -E2BIG;
	c->out[c->n++] = sqlite3_column_int64(st, 0);
	return 0;
}

int
meta_snap_chain(int64_t n, int64_t *out, int max, int *count)
{
	struct chain c = { out, max, 0 };
	int r;

	/* depth orders it: n first, the root last */
	r = query(chain_row, &c, "WITH RECURSIVE chain(n, parent, depth) AS ("
	    " SELECT n, parent, 0 FROM snapshots WHERE n = ?"
	    " UNION ALL SELECT s.n, s.parent, c.depth + 1 FROM snapshots s"
	    " JOIN chain c ON s.n = c.parent)"
	    " SELECT n FROM chain ORDER BY depth", "i", n);
	*count = c.n;
	return r < 0 ? r : c.n ? 0 : -ENOENT;
}

struct each {
	meta_snap_fn	 fn;
	void		*arg;
};

static int
each_row(sqlite3_stmt *st, void *arg)
{
	struct each *e = arg;
	struct meta_snap s;

	snap_from_row(st, &s);
	return e->fn(&s, e->arg);
}

int
meta_snap_each(const char *where, meta_snap_fn fn, void *arg)
{
	struct each e = { fn, arg };
	char sql[512];
	sqlite3_stmt *st;
	int rc, r = 0;

	/* not cached: the text is built here */
	snprintf(sql, sizeof(sql), "SELECT " SNAP_COLS " FROM snapshots%s%s ORDER BY n",
	    *where ? " WHERE " : "", where);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_err(sql);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = each_row(st, &e)) < 0)
			break;
	if (r == 0 && rc != SQLITE_DONE)
		r = sql_err(sql);
	sqlite3_finalize(st);
	return r;
}

int
meta_ref_add(const char *holder, const char *target)
{
	return exec(NULL, "INSERT OR IGNORE INTO refs VALUES (?, ?)", "tt", holder,
	    target);
}

int
meta_ref_drop(const char *holder, const char *target)
{
	return exec(NULL, "DELETE FROM refs WHERE holder = ? AND target = ?", "tt",
	    holder, target);
}

int
meta_ref_drop_holder(const char *holder)
{
	return exec(NULL, "DELETE FROM refs WHERE holder = ?", "t", holder);
}

int
meta_ref_count(const char *target, int *count)
{
	*count = 0;
	return query(one_int, count, "SELECT COUNT(*) FROM refs WHERE target = ?", "t",
	    target) < 0 ? -EIO : 0;
}

int
meta_cache_touch(const char *key)
{
	return exec(NULL, "INSERT INTO caches (key, last_used) VALUES (?, ?)"
	    " ON CONFLICT(key) DO UPDATE SET last_used = excluded.last_used", "ti",
	    key, (int64_t)time(NULL));
}

int
meta_cache_set_size(const char *key, uint64_t size)
{
	return exec(NULL, "UPDATE caches SET size = ? WHERE key = ?", "it",
	    (int64_t)size, key);
}

int
meta_cache_delete(const char *key)
{
	return exec(NULL, "DELETE FROM caches WHERE key = ?", "t", key);
}

struct cache_each {
	meta_cache_fn	 fn;
	void		*arg;
};

static int
cache_row(sqlite3_stmt *st, void *arg)
{
	struct cache_each *e = arg;

	return e->fn((const char *)sqlite3_column_text(st, 0),
	    (uint64_t)sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), e->arg);
}

int
meta_cache_each(meta_cache_fn fn, void *arg)
{
	struct cache_each e = { fn, arg };

	return query(cache_row, &e, "SELECT key, size, last_used FROM caches ORDER BY key",
	    "");
}
