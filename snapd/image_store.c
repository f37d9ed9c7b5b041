/* image_store.c: kiln-snapd's image names, layer chains and diff memo in its own image_* tables of snapd's sqlite database. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include <stdlib.h>
#include "image.h"
#include "image_store.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS image_names("
    " name TEXT PRIMARY KEY, manifest TEXT NOT NULL, config TEXT NOT NULL,"
    " size INTEGER NOT NULL, created INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS image_names_manifest ON image_names(manifest);"
    "CREATE TABLE IF NOT EXISTS image_chains("
    " chain_id TEXT PRIMARY KEY, snapshot TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS image_diffs("
    " snapshot TEXT NOT NULL, compression TEXT NOT NULL, diff_id TEXT NOT NULL,"
    " blob TEXT NOT NULL, size INTEGER NOT NULL, media TEXT NOT NULL,"
    " PRIMARY KEY(snapshot, compression));";

static int
sql_err(int rc)
{
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? -EBUSY :
	    rc == SQLITE_FULL ? -ENOSPC : rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
}

int
image_db_init(void)
{
	sqlite3 *db = store_db();

	if (db == NULL)
		return -ENODEV;
	return sqlite3_exec(db, schema, NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

/* Prepares sql and binds the text arguments (NULL ends them). */
static int
prep(sqlite3_stmt **st, const char *sql, const char *const *args, size_t n)
{
	int rc = sqlite3_prepare_v2(store_db(), sql, -1, st, NULL);

	if (rc != SQLITE_OK)
		return sql_err(rc);
	for (size_t i = 0; i < n; i++)
		sqlite3_bind_text(*st, (int)i + 1, args[i], -1, SQLITE_TRANSIENT);
	return 0;
}

static int
exec_args(const char *sql, const char *const *args, size_t n)
{
	sqlite3_stmt *st;
	int r = prep(&st, sql, args, n), rc;

	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_err(rc);
}

void
image_holder(const char *manifest, char *out, size_t size)
{
	snprintf(out, size, "image:%s", manifest);
}

int
image_put(const struct image_rec *rec, const char *const *blobs, size_t nblobs)
{
	char holder[STORE_DIGEST_MAX + 8], size[24], created[24];
	const char *args[5] = { rec->name, rec->manifest, rec->config, size, created };
	struct image_rec old;
	int r, had;

	image_holder(rec->manifest, holder, sizeof(holder));
	/* references first: a crash leaves an extra one, never an image
	 * whose blobs GC may take */
	for (size_t i = 0; i < nblobs; i++)
		if ((r = store_ref_add(holder, blobs[i])) < 0)
			return r;
	had = image_get(rec->name, &old) == 0 && strcmp(old.manifest, rec->manifest) != 0;
	snprintf(size, sizeof(size), "%llu", (unsigned long long)rec->size);
	snprintf(created, sizeof(created), "%lld", (long long)rec->created);
	r = exec_args("INSERT OR REPLACE INTO image_names(name, manifest, config, "
	    "size, created) VALUES(?1, ?2, ?3, CAST(?4 AS INTEGER), CAST(?5 AS INTEGER))",
	    args, 5);
	if (r == 0 && had)
		r = image_del_unused(old.manifest);
	return r;
}

static void
row(sqlite3_stmt *st, struct image_rec *out)
{
	snprintf(out->name, sizeof(out->name), "%s", (const char *)sqlite3_column_text(st, 0));
	snprintf(out->manifest, sizeof(out->manifest), "%s",
	    (const char *)sqlite3_column_text(st, 1));
	snprintf(out->config, sizeof(out->config), "%s",
	    (const char *)sqlite3_column_text(st, 2));
	out->size = (uint64_t)sqlite3_column_int64(st, 3);
	out->created = sqlite3_column_int64(st, 4);
}

int
image_get(const char *ref, struct image_rec *out)
{
	char name[IJ_NAME_MAX];
	const char *args[1] = { name };
	sqlite3_stmt *st;
	int r, rc;

	if (ij_digest_ok(ref))
		snprintf(name, sizeof(name), "%s", ref);
	else if (ij_normalize_name(ref, name, sizeof(name)) < 0)
		return -EINVAL;
	r = prep(&st, "SELECT name, manifest, config, size, created FROM image_names "
	    "WHERE name = ?1 OR manifest = ?1 ORDER BY name = ?1 DESC LIMIT 1", args, 1);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row(st, out);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : sql_err(rc);
}

/* Drops the references of a manifest no name has any more. */
int
image_del_unused(const char *manifest)
{
	const char *args[1] = { manifest };
	char holder[STORE_DIGEST_MAX + 8];
	sqlite3_stmt *st;
	int r, rc;

	r = prep(&st, "SELECT 1 FROM image_names WHERE manifest = ?1", args, 1);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return sql_err(rc);
	image_holder(manifest, holder, sizeof(holder));
	return store_ref_drop(holder, NULL);
}

int
image_del(const char *ref)
{
	struct image_rec rec;
	const char *args[1] = { rec.name };
	int r = image_get(ref, &rec);

	if (r < 0)
		return r;
	r = exec_args("DELETE FROM image_names WHERE name = ?1", args, 1);
	return r < 0 ? r : image_del_unused(rec.manifest);
}

int
image_each(int (*fn)(const struct image_rec *rec, void *arg), void *arg)
{
	struct image_rec rec;
	sqlite3_stmt *st;
	int r = prep(&st, "SELECT name, manifest, config, size, created FROM "
	    "image_names ORDER BY name", NULL, 0), rc;

	if (r < 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row(st, &rec);
		if ((r = fn(&rec, arg)) < 0)
			break;
	}
	sqlite3_finalize(st);
	return r < 0 ? r : rc == SQLITE_DONE ? 0 : sql_err(rc);
}

static int
get_one(const char *sql, const char *const *args, size_t n, char *out, size_t size)
{
	sqlite3_stmt *st;
	int r = prep(&st, sql, args, n), rc;

	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : sql_err(rc);
}

int
image_chain_get(const char *chain_id, char snap[STORE_ID_MAX])
{
	const char *args[1] = { chain_id };

	return get_one("SELECT snapshot FROM image_chains WHERE chain_id = ?1",
	    args, 1, snap, STORE_ID_MAX);
}

int
image_chain_put(const char *chain_id, const char *snap)
{
	const char *args[2] = { chain_id, snap };

	return exec_args("INSERT OR REPLACE INTO image_chains(chain_id, snapshot) "
	    "VALUES(?1, ?2)", args, 2);
}

int
image_diff_get(const char *snap, const char *compression, struct image_diff_rec *out)
{
	const char *args[2] = { snap, compression };
	sqlite3_stmt *st;
	int r = prep(&st, "SELECT diff_id, blob, size, media FROM image_diffs "
	    "WHERE snapshot = ?1 AND compression = ?2", args, 2), rc;

	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(out->diff_id, sizeof(out->diff_id), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		snprintf(out->blob, sizeof(out->blob), "%s",
		    (const char *)sqlite3_column_text(st, 1));
		out->size = (uint64_t)sqlite3_column_int64(st, 2);
		snprintf(out->media, sizeof(out->media), "%s",
		    (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : sql_err(rc);
}

int
image_diff_put(const char *snap, const char *compression,
    const struct image_diff_rec *rec)
{
	char size[24];
	const char *args[6] = { snap, compression, rec->diff_id, rec->blob, size,
	    rec->media };

	snprintf(size, sizeof(size), "%llu", (unsigned long long)rec->size);
	return exec_args("INSERT OR REPLACE INTO image_diffs(snapshot, compression, "
	    "diff_id, blob, size, media) VALUES(?1, ?2, ?3, ?4, "
	    "CAST(?5 AS INTEGER), ?6)", args, 6);
}

int
image_list_add(struct image_list *l, const struct image_rec *rec)
{
	struct image_rec *n = realloc(l->recs, (l->n + 1) * sizeof(*n));

	if (n == NULL)
		return -ENOMEM;
	l->recs = n;
	l->recs[l->n++] = *rec;
	return 0;
}

void
image_list_free(struct image_list *l)
{
	free(l->recs);
	l->recs = NULL;
	l->n = 0;
}

void
image_list_pack(const struct image_list *l, struct ipc_wr *w)
{
	msgpack_pack_array(&w->pk, l->n);
	for (size_t i = 0; i < l->n; i++) {
		msgpack_pack_array(&w->pk, 4);
		ipc_wr_str(w, l->recs[i].name);
		ipc_wr_str(w, l->recs[i].manifest);
		msgpack_pack_uint64(&w->pk, l->recs[i].size);
		msgpack_pack_int64(&w->pk, l->recs[i].created);
	}
}
