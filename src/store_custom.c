/*
 * store_custom.c — the rows of custom models (`tacit add`): one per name, a reference to
 * a GGUF file on disk (never a copy) with the size and mtime it had when it passed the
 * checks, and what its header says as a JSON object.
 */
#include "internal.h"

#include "store_int.h"

enum tacit_status store_custom_put(struct tacit_store *s, const struct store_custom_row *r)
{
	sqlite3_stmt *st;
	if (!s || !r || !r->name || !r->path)
		return tacit_fail(TACIT_ERR_USAGE, "store_custom_put: store, name and path are required");
	if (r->info && !store_json_valid(r->info, true))
		return tacit_fail(TACIT_ERR_USAGE, "custom model info is not a JSON object");
	enum tacit_status ret = prep(s,
				     "INSERT INTO custom_models (name, path, file_bytes, mtime_ns, info, added_ms)"
				     " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO UPDATE SET"
				     " path = excluded.path, file_bytes = excluded.file_bytes,"
				     " mtime_ns = excluded.mtime_ns, info = excluded.info, added_ms = excluded.added_ms",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	bind_text_utf8(st, 1, r->name);
	sqlite3_bind_text(st, 2, r->path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, r->file_bytes);
	sqlite3_bind_int64(st, 4, r->mtime_ns);
	sqlite3_bind_text(st, 5, r->info ? r->info : "{}", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, r->added_ms ? r->added_ms : store_now_ms());
	return step_done(s, st, "save a custom model");
}

enum tacit_status store_custom_delete(struct tacit_store *s, const char *name)
{
	sqlite3_stmt *st;
	if (!s || !name)
		return tacit_fail(TACIT_ERR_USAGE, "store_custom_delete: store and name are required");
	enum tacit_status ret = prep(s, "DELETE FROM custom_models WHERE name = ?1", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if ((ret = step_done(s, st, "forget a custom model")) != TACIT_OK)
		return ret;
	if (sqlite3_changes(s->db) == 0)
		return tacit_fail(TACIT_ERR_NOT_FOUND, "no custom model named '%s' ('tacit models' lists them)", name);
	return TACIT_OK;
}

enum tacit_status store_custom_list(struct tacit_store *s, store_custom_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !fn)
		return tacit_fail(TACIT_ERR_USAGE, "store_custom_list: store and fn are required");
	enum tacit_status ret = prep(s,
				     "SELECT name, path, file_bytes, mtime_ns, info, added_ms FROM custom_models"
				     " ORDER BY name",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_custom_row r = {
			.name = col_text(st, 0),
			.path = col_text(st, 1),
			.file_bytes = sqlite3_column_int64(st, 2),
			.mtime_ns = sqlite3_column_int64(st, 3),
			.info = col_text(st, 4),
			.added_ms = sqlite3_column_int64(st, 5),
		};
		if (fn(&r, user) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "list the custom models");
	sqlite3_finalize(st);
	return ret;
}
