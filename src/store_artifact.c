/*
 * store_artifact.c — what the models make of a session (artifacts, chat messages,
 * suggestions), read back for the export, and the model state files (saved KV caches)
 * recorded for it. Every row belongs to an existing session, except a model state
 * tied to none; a state file is shredded before its row goes.
 */
#include "internal.h"

#include "hash.h"
#include "store_int.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATE_ORPHAN_AGE_S (24 * 3600) /* a state file no row names is removed after this */

/* ---- artifacts, chat, suggestions ------------------------------------------------ */

/* Binds session_id at 1, runs an insert prepared by the caller, reports the id. */
static enum tacit_status insert_row(struct tacit_store *s, sqlite3_stmt *st, int64_t session_id, const char *what,
				    int64_t *out_id)
{
	enum tacit_status ret = store_session_exists(s, session_id);
	if (ret != TACIT_OK) {
		sqlite3_finalize(st);
		return ret;
	}
	sqlite3_bind_int64(st, 1, session_id);
	ret = step_done(s, st, what);
	if (ret == TACIT_OK && out_id)
		*out_id = sqlite3_last_insert_rowid(s->db);
	return ret;
}

enum tacit_status tacit_store_add_artifact(struct tacit_store *s, int64_t session_id, const struct tacit_artifact *a,
					   int64_t *out_id)
{
	sqlite3_stmt *st;
	if (!s || !a)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_add_artifact: store or artifact is NULL");
	if (!store_is_word(a->kind, "_"))
		return tacit_fail(TACIT_ERR_USAGE, "artifact kind '%s' is not a lowercase word", a->kind ? a->kind : "");
	if (a->json && !store_json_valid(a->json, false))
		return tacit_fail(TACIT_ERR_USAGE, "the %s artifact's JSON is not valid: '%.60s'", a->kind, a->json);
	enum tacit_status ret = prep(s,
				     "INSERT INTO artifacts (session_id, kind, json, markdown, model, prompt_version,"
				     " created_ms, template) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 2, a->kind, -1, SQLITE_TRANSIENT);
	bind_text_utf8(st, 3, a->json);
	bind_text_utf8(st, 4, a->markdown);
	sqlite3_bind_text(st, 5, a->model ? a->model : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, a->prompt_version ? a->prompt_version : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, a->created_ms ? a->created_ms : store_now_ms());
	sqlite3_bind_text(st, 8, a->template_name ? a->template_name : "", -1, SQLITE_TRANSIENT);
	return insert_row(s, st, session_id, "add an artifact", out_id);
}

enum tacit_status tacit_store_get_artifact(struct tacit_store *s, int64_t session_id, const char *kind,
					   char **out_json, char **out_markdown)
{
	return tacit_store_get_artifact_template(s, session_id, kind, NULL, out_json, out_markdown);
}

enum tacit_status tacit_store_get_artifact_template(struct tacit_store *s, int64_t session_id, const char *kind,
						    const char *template_name, char **out_json, char **out_markdown)
{
	sqlite3_stmt *st;
	if (out_json)
		*out_json = NULL;
	if (out_markdown)
		*out_markdown = NULL;
	if (!s || !kind)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_get_artifact: store or kind is NULL");
	enum tacit_status ret = store_session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = prep(s,
			   "SELECT json, markdown FROM artifacts WHERE session_id = ? AND kind = ?"
			   " AND (?3 IS NULL OR template = ?3 OR (?3 = 'general' AND template = ''))"
			   " ORDER BY created_ms DESC, id DESC LIMIT 1",
			   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	if (template_name && *template_name)
		sqlite3_bind_text(st, 3, template_name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char *j = NULL, *m = NULL;
		if (out_json && sqlite3_column_type(st, 0) != SQLITE_NULL)
			j = strdup(col_text(st, 0));
		if (out_markdown && sqlite3_column_type(st, 1) != SQLITE_NULL)
			m = strdup(col_text(st, 1));
		if ((out_json && sqlite3_column_type(st, 0) != SQLITE_NULL && !j) ||
		    (out_markdown && sqlite3_column_type(st, 1) != SQLITE_NULL && !m)) {
			free(j);
			free(m);
			ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		} else {
			if (out_json)
				*out_json = j;
			if (out_markdown)
				*out_markdown = m;
		}
	} else if (rc == SQLITE_DONE) {
		ret = template_name && *template_name
			      ? tacit_fail(TACIT_ERR_NOT_FOUND, "session %lld has no %s made with the template '%s'",
					   (long long)session_id, kind, template_name)
			      : tacit_fail(TACIT_ERR_NOT_FOUND, "session %lld has no %s", (long long)session_id, kind);
	} else {
		ret = store_db_fail(s, rc, "read an artifact");
	}
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status store_overviews(struct tacit_store *s, store_overview_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	/* per session two seeks in artifacts_by_session (the newest of each kind), then one
	 * row by id: the cost follows the sessions listed, not their lines or artifacts */
	enum tacit_status ret = prep(
		s,
		"WITH pick AS MATERIALIZED (SELECT s.id AS session_id,"
		"   (SELECT id FROM artifacts WHERE session_id = s.id AND kind = 'summary'"
		"     ORDER BY created_ms DESC, id DESC LIMIT 1) AS summary,"
		"   (SELECT id FROM artifacts WHERE session_id = s.id AND kind = 'rolling_summary'"
		"     ORDER BY created_ms DESC, id DESC LIMIT 1) AS rolling FROM sessions s)"
		" SELECT p.session_id, p.summary IS NOT NULL,"
		"   CASE WHEN json_valid(a.json) AND json_type(a.json, '$.overview') = 'text'"
		"   THEN json_extract(a.json, '$.overview') END"
		" FROM pick p JOIN artifacts a ON a.id = COALESCE(p.summary, p.rolling)",
		&st);
	if (ret != TACIT_OK)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1) != 0, (const char *)sqlite3_column_text(st, 2),
		   user);
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read the summaries' overviews");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_add_chat(struct tacit_store *s, int64_t session_id, const struct tacit_chat_record *m,
				       int64_t *out_id)
{
	sqlite3_stmt *st;
	if (!s || !m || !m->text)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_add_chat: store, message or text is NULL");
	if (!m->role || (strcmp(m->role, "user") && strcmp(m->role, "assistant") && strcmp(m->role, "system")))
		return tacit_fail(TACIT_ERR_USAGE, "chat role '%s' is not user, assistant or system",
				  m->role ? m->role : "");
	enum tacit_status ret = prep(s,
				     "INSERT INTO chat_messages (session_id, role, text, model, created_ms)"
				     " VALUES (?, ?, ?, ?, ?)",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 2, m->role, -1, SQLITE_TRANSIENT);
	bind_text_utf8(st, 3, m->text);
	bind_text_or_null(st, 4, m->model);
	sqlite3_bind_int64(st, 5, m->created_ms ? m->created_ms : store_now_ms());
	return insert_row(s, st, session_id, "add a chat message", out_id);
}

enum tacit_status tacit_store_add_suggestion(struct tacit_store *s, int64_t session_id,
					     const struct tacit_suggestion *g, int64_t *out_id)
{
	sqlite3_stmt *st;
	if (!s || !g || !g->text)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_add_suggestion: store, suggestion or text is NULL");
	enum tacit_status ret = prep(s,
				     "INSERT INTO suggestions (session_id, at_ms, kind, text, model, created_ms)"
				     " VALUES (?, ?, ?, ?, ?, ?)",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 2, g->at_ms);
	sqlite3_bind_text(st, 3, g->kind ? g->kind : "", -1, SQLITE_TRANSIENT);
	bind_text_utf8(st, 4, g->text);
	bind_text_or_null(st, 5, g->model);
	sqlite3_bind_int64(st, 6, g->created_ms ? g->created_ms : store_now_ms());
	return insert_row(s, st, session_id, "add a suggestion", out_id);
}

enum tacit_status store_rows(struct tacit_store *s, int64_t session_id, enum store_rows kind, store_row_fn fn,
			     void *user)
{
	static const char *const sql[] = {
		[STORE_ROWS_ARTIFACTS] = "SELECT kind, json, markdown, model, prompt_version, created_ms, template FROM artifacts"
					 " WHERE session_id = ? ORDER BY id",
		[STORE_ROWS_CHAT] = "SELECT role, text, model, created_ms FROM chat_messages WHERE session_id = ?"
				    " ORDER BY id",
		[STORE_ROWS_SUGGESTIONS] = "SELECT at_ms, kind, text, model, created_ms FROM suggestions"
					   " WHERE session_id = ? ORDER BY at_ms, id",
	};
	sqlite3_stmt *st;
	int rc;
	const char *cols[8];
	enum tacit_status ret = prep(s, sql[kind], &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_count(st);
		for (int i = 0; i < n && i < 8; i++)
			cols[i] = (const char *)sqlite3_column_text(st, i);
		fn(cols, n, user);
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read a session's records");
	sqlite3_finalize(st);
	return ret;
}

/* ---- model states ---------------------------------------------------------------- */

enum tacit_status tacit_store_add_model_state(struct tacit_store *s, int64_t session_id, const char *model,
					      const char *path, int64_t *out_id)
{
	sqlite3_stmt *st;
	struct stat sb;
	char hex[SHA256_HEX_LEN + 1];
	if (!s || !path || !*path)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_add_model_state: store or path missing");
	if (stat(path, &sb) != 0)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot read model state '%s'", path);
	enum tacit_status ret = sha256_file(path, hex);
	if (ret != TACIT_OK)
		return ret;
	if (session_id) {
		ret = store_session_exists(s, session_id);
		if (ret != TACIT_OK)
			return ret;
	}
	ret = prep(s,
		   "INSERT INTO model_states (session_id, model, path, sha256, bytes, created_ms) VALUES (?, ?, ?, ?, ?, ?)"
		   " ON CONFLICT (path) DO UPDATE SET session_id = excluded.session_id, model = excluded.model,"
		   " sha256 = excluded.sha256, bytes = excluded.bytes, created_ms = excluded.created_ms",
		   &st);
	if (ret != TACIT_OK)
		return ret;
	if (session_id)
		sqlite3_bind_int64(st, 1, session_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_text(st, 2, model ? model : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, (int64_t)sb.st_size);
	sqlite3_bind_int64(st, 6, store_now_ms());
	ret = step_done(s, st, "record a model state file");
	if (ret == TACIT_OK && out_id)
		*out_id = sqlite3_last_insert_rowid(s->db);
	return ret;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

enum tacit_status store_model_states_keep(struct tacit_store *s, int64_t session_id, const char *const *keep,
					  size_t n_keep)
{
	sqlite3_stmt *st;
	int rc;
	char **gone = NULL;
	size_t n_gone = 0, alloc = 0;
	enum tacit_status ret = prep(s, "SELECT path FROM model_states WHERE session_id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = col_text(st, 0);
		if (in_list(path, keep, n_keep))
			continue;
		if (n_gone == alloc) {
			size_t na = alloc ? alloc * 2 : 8;
			char **g = realloc(gone, na * sizeof(*g));
			if (!g)
				break;
			gone = g;
			alloc = na;
		}
		if (!(gone[n_gone] = strdup(path)))
			break;
		n_gone++;
	}
	if (rc != SQLITE_DONE)
		ret = rc == SQLITE_ROW ? tacit_fail(TACIT_ERR_NOMEM, "out of memory")
				       : store_db_fail(s, rc, "list model states");
	sqlite3_finalize(st);
	/* files first, as in tacit_store_session_delete(): a crash in between leaves rows
	 * pointing at nothing, which the next open drops */
	for (size_t i = 0; i < n_gone && ret == TACIT_OK; i++) {
		char *p = store_abs_path(s, gone[i]);
		if (p)
			store_shred_unlink(p);
		free(p);
		if ((ret = prep(s, "DELETE FROM model_states WHERE path = ?", &st)) == TACIT_OK) {
			sqlite3_bind_text(st, 1, gone[i], -1, SQLITE_STATIC);
			ret = step_done(s, st, "remove a model state");
		}
		if (ret == TACIT_OK)
			tacit_log(TACIT_LOG_INFO, "removed the superseded model state '%s'", gone[i]);
	}
	for (size_t i = 0; i < n_gone; i++)
		free(gone[i]);
	free(gone);
	return ret;
}

enum tacit_status store_model_states(struct tacit_store *s, int64_t session_id, store_path_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	enum tacit_status ret = prep(s, "SELECT path FROM model_states WHERE session_id IS ?1 ORDER BY id", &st);
	if (ret != TACIT_OK)
		return ret;
	if (session_id)
		sqlite3_bind_int64(st, 1, session_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(col_text(st, 0), user);
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "list model states");
	sqlite3_finalize(st);
	return ret;
}

/* At open: rows whose file is gone are dropped; for the default store, files in
 * <cache>/kv that no row names and that are more than a day old (a crash between
 * writing a state and recording it, a store replaced) are removed. Best effort: a
 * failure here is logged, never fatal to the open. */
void store_prune_model_states(struct tacit_store *s, bool default_store)
{
	sqlite3_stmt *st;
	char **paths = NULL;
	size_t n = 0, alloc = 0;
	int rc;
	if (prep(s, "SELECT path FROM model_states", &st) != TACIT_OK)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 16;
			char **p = realloc(paths, na * sizeof(*p));
			if (!p)
				break;
			paths = p;
			alloc = na;
		}
		if (!(paths[n] = store_abs_path(s, col_text(st, 0))))
			break;
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (access(paths[i], F_OK) == 0 || errno != ENOENT)
			continue;
		if (prep(s, "DELETE FROM model_states WHERE path = ?", &st) != TACIT_OK)
			break;
		sqlite3_bind_text(st, 1, paths[i], -1, SQLITE_STATIC);
		if (step_done(s, st, "drop a model state row") == TACIT_OK)
			tacit_log(TACIT_LOG_INFO, "dropped the record of model state '%s': its file is gone", paths[i]);
	}
	char *cache = NULL;
	if (default_store && tacit_dir_path(TACIT_DIR_CACHE, &cache) == TACIT_OK) {
		struct buf dir;
		buf_init(&dir);
		buf_addf(&dir, "%s/kv", cache);
		DIR *d = opendir(dir.data);
		struct dirent *e;
		time_t day_ago = time(NULL) - STATE_ORPHAN_AGE_S;
		while (d && (e = readdir(d))) {
			struct buf f;
			struct stat sb;
			if (e->d_name[0] == '.')
				continue;
			buf_init(&f);
			buf_addf(&f, "%s/%s", dir.data, e->d_name);
			if (!f.failed && lstat(f.data, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_mtime < day_ago &&
			    !in_list(f.data, (const char *const *)paths, n)) {
				store_shred_unlink(f.data);
				tacit_log(TACIT_LOG_INFO, "removed '%s': a model state no meeting refers to", f.data);
			}
			buf_release(&f);
		}
		if (d)
			closedir(d);
		buf_release(&dir);
	}
	tacit_free(cache);
out:
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
