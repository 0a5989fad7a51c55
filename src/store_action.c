/*
 * store_action.c — action items across meetings. A summary's JSON is the truth; the
 * actions table mirrors its action items so that each has a stable id and a done mark.
 * An item is the same item when its task text is, folded (action_key(): case, spaces and
 * punctuation ignored), within one meeting: a summary made again keeps the id and the
 * done mark of every item whose text came back. A meeting's mirror is brought up to date
 * lazily, when the actions are listed, from the newest summary of each template (so old
 * databases need no backfill); action_sync remembers which summaries it reflects.
 */
#include "internal.h"

#include "store_int.h"

#include <yyjson.h>

#define MAX_CITES 32

struct tacit_action_params tacit_action_default_params(void)
{
	struct tacit_action_params p = { 0 };
	return p;
}

/* "Send the report!" -> "send the report": ASCII letters folded, every run of ASCII
 * punctuation or space one space, other UTF-8 kept as is. */
static void action_key(const char *task, struct buf *out)
{
	bool space = false;
	for (const unsigned char *p = (const unsigned char *)task; *p; p++) {
		unsigned char c = *p;
		bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
		if (!word) {
			space = out->len > 0;
			continue;
		}
		if (space)
			buf_add(out, " ", 1);
		space = false;
		char l = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
		buf_add(out, &l, 1);
	}
}

/* The summaries a meeting's actions come from: the newest of each template, as
 * "id,id,..." (ascending), which is also the sync signature. */
static enum tacit_status current_summaries(struct tacit_store *s, int64_t session_id, struct buf *ids)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s,
				     "SELECT max(id) FROM artifacts WHERE session_id = ? AND kind = 'summary'"
				     " GROUP BY CASE template WHEN '' THEN 'general' ELSE template END ORDER BY 1",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		buf_addf(ids, "%s%lld", ids->len ? "," : "", (long long)sqlite3_column_int64(st, 0));
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read a meeting's summaries");
	sqlite3_finalize(st);
	return ret;
}

static enum tacit_status upsert(struct tacit_store *s, int64_t session_id, int64_t artifact_id, yyjson_val *item)
{
	const char *task = yyjson_get_str(yyjson_obj_get(item, "task"));
	const char *owner = yyjson_get_str(yyjson_obj_get(item, "owner"));
	const char *due = yyjson_get_str(yyjson_obj_get(item, "due"));
	yyjson_val *cites = yyjson_obj_get(item, "cites");
	struct buf key, cj;
	sqlite3_stmt *st;
	enum tacit_status ret = TACIT_OK;
	if (!task)
		return TACIT_OK;
	buf_init(&key);
	buf_init(&cj);
	action_key(task, &key);
	buf_adds(&cj, "[");
	size_t i, max;
	yyjson_val *v;
	yyjson_arr_foreach(cites, i, max, v)
	{
		if (yyjson_is_int(v) && i < MAX_CITES)
			buf_addf(&cj, "%s%lld", i ? "," : "", (long long)yyjson_get_sint(v));
	}
	buf_adds(&cj, "]");
	if (!key.len)
		goto out;
	if (key.failed || cj.failed) {
		ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((ret = prep(s,
			"INSERT INTO actions (session_id, key, owner, task, due, cites, artifact_id)"
			" VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, key) DO UPDATE SET"
			" owner = excluded.owner, task = excluded.task, due = excluded.due, cites = excluded.cites,"
			" artifact_id = excluded.artifact_id",
			&st)) != TACIT_OK)
		goto out;
	sqlite3_bind_int64(st, 1, session_id);
	bind_text_utf8(st, 2, key.data);
	bind_text_utf8(st, 3, owner ? owner : "");
	bind_text_utf8(st, 4, task);
	bind_text_utf8(st, 5, due ? due : "");
	sqlite3_bind_text(st, 6, cj.data, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, artifact_id);
	ret = step_done(s, st, "record an action item");
out:
	buf_release(&key);
	buf_release(&cj);
	return ret;
}

/* Mirrors one summary's action items: every top-level list whose items have a "task"
 * (the general summary's action_items, a template's actions sections). */
static enum tacit_status mirror_summary(struct tacit_store *s, int64_t session_id, int64_t artifact_id)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s, "SELECT json FROM artifacts WHERE id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, artifact_id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read a summary");
	yyjson_doc *doc = NULL;
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		const char *json = col_text(st, 0);
		doc = yyjson_read(json, strlen(json), 0);
	}
	sqlite3_finalize(st);
	yyjson_val *root = yyjson_doc_get_root(doc), *key, *list;
	size_t i, max;
	yyjson_obj_foreach(root, i, max, key, list)
	{
		yyjson_val *item;
		size_t j, jmax;
		if (!yyjson_is_str(yyjson_obj_get(yyjson_arr_get_first(list), "task")))
			continue;
		yyjson_arr_foreach(list, j, jmax, item)
		{
			if (ret == TACIT_OK && yyjson_is_obj(item))
				ret = upsert(s, session_id, artifact_id, item);
		}
	}
	yyjson_doc_free(doc);
	return ret;
}

/* Brings every meeting's mirror up to date (those whose summaries changed only). */
static enum tacit_status sync_all(struct tacit_store *s)
{
	sqlite3_stmt *st;
	int64_t *ids = NULL;
	size_t n = 0, alloc = 0;
	enum tacit_status ret = prep(s, "SELECT DISTINCT session_id FROM artifacts WHERE kind = 'summary'", &st);
	if (ret != TACIT_OK)
		return ret;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			int64_t *nn = realloc(ids, na * sizeof(*nn));
			if (!nn) {
				ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
				break;
			}
			ids = nn;
			alloc = na;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	if (ret == TACIT_OK && rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "list the meetings with summaries");
	sqlite3_finalize(st);
	for (size_t k = 0; k < n && ret == TACIT_OK; k++) {
		struct buf cur;
		char *seen = NULL;
		buf_init(&cur);
		if ((ret = current_summaries(s, ids[k], &cur)) == TACIT_OK &&
		    (ret = prep(s, "SELECT artifacts FROM action_sync WHERE session_id = ?", &st)) == TACIT_OK) {
			sqlite3_bind_int64(st, 1, ids[k]);
			if (sqlite3_step(st) == SQLITE_ROW)
				seen = strdup(col_text(st, 0));
			sqlite3_finalize(st);
		}
		if (ret == TACIT_OK && !(seen && !strcmp(seen, cur.data))) {
			ret = store_batch_begin(s);
			/* oldest first: the newest summary's wording and owner win */
			for (const char *p = cur.data; ret == TACIT_OK && *p;) {
				char *end;
				long long a = strtoll(p, &end, 10);
				ret = mirror_summary(s, ids[k], a);
				p = *end ? end + 1 : end;
			}
			if (ret == TACIT_OK &&
			    (ret = prep(s, "INSERT OR REPLACE INTO action_sync (session_id, artifacts) VALUES (?, ?)", &st)) ==
				    TACIT_OK) {
				sqlite3_bind_int64(st, 1, ids[k]);
				sqlite3_bind_text(st, 2, cur.data, -1, SQLITE_TRANSIENT);
				ret = step_done(s, st, "record the synced summaries");
			}
			ret = store_batch_end(s, ret);
		}
		free(seen);
		buf_release(&cur);
	}
	free(ids);
	return ret;
}

enum tacit_status tacit_store_actions(struct tacit_store *s, const struct tacit_action_params *params,
				      tacit_action_fn fn, void *user)
{
	struct tacit_action_params p = params ? *params : tacit_action_default_params();
	sqlite3_stmt *st;
	if (!s || !fn)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_actions: store and fn are required");
	enum tacit_status ret = sync_all(s);
	if (ret != TACIT_OK)
		return ret;
	ret = prep(s,
		   "SELECT a.id, a.session_id, s.title, s.started_ms, a.owner, a.task, a.due, a.cites,"
		   " coalesce(a.done_ms, 0) FROM actions a JOIN sessions s ON s.id = a.session_id"
		   " WHERE a.artifact_id IN (SELECT max(id) FROM artifacts WHERE kind = 'summary'"
		   "   GROUP BY session_id, CASE template WHEN '' THEN 'general' ELSE template END)"
		   " AND (?1 = 0 OR a.done_ms IS NULL)"
		   " AND (?2 IS NULL OR a.owner = ?2 COLLATE NOCASE)"
		   " AND s.started_ms >= ?3 AND (?4 = 0 OR a.session_id = ?4)"
		   " ORDER BY s.started_ms DESC, a.session_id DESC, a.id",
		   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int(st, 1, p.open_only);
	bind_text_or_null(st, 2, p.owner && *p.owner ? p.owner : NULL);
	sqlite3_bind_int64(st, 3, p.since_ms);
	sqlite3_bind_int64(st, 4, p.session_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tacit_action a = { 0 };
		int64_t cites[MAX_CITES];
		a.id = sqlite3_column_int64(st, 0);
		a.session_id = sqlite3_column_int64(st, 1);
		a.session_title = col_text(st, 2);
		a.session_started_ms = sqlite3_column_int64(st, 3);
		a.owner = col_text(st, 4);
		a.task = col_text(st, 5);
		a.due = col_text(st, 6);
		const char *cj = col_text(st, 7);
		for (const char *c = cj; *c && a.n_cites < MAX_CITES; c++)
			if (*c >= '0' && *c <= '9') {
				char *end;
				cites[a.n_cites++] = strtoll(c, &end, 10);
				c = end - 1;
			}
		a.cites = cites;
		a.done_ms = sqlite3_column_int64(st, 8);
		if (!fn(&a, user))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "list the action items");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_action_done(struct tacit_store *s, int64_t action_id, bool done)
{
	sqlite3_stmt *st;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_action_done: store is NULL");
	enum tacit_status ret = prep(s,
				     "UPDATE actions SET done_ms = CASE WHEN ?2 THEN coalesce(done_ms, ?3) END"
				     " WHERE id = ?1",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, action_id);
	sqlite3_bind_int(st, 2, done);
	sqlite3_bind_int64(st, 3, store_now_ms());
	ret = step_done(s, st, "mark an action item");
	if (ret == TACIT_OK && sqlite3_changes(s->db) == 0)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "no action item %lld (see 'tacit actions')", (long long)action_id);
	return ret;
}
