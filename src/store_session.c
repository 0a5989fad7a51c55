/*
 * store_session.c — sessions, their segments and their speakers. A session's rows go
 * with it (foreign keys cascade); deleting one removes its files before its rows, so a
 * crash in between leaves rows pointing at nothing, never audio the user asked to
 * delete. At most one partial segment (final = 0) per session: each new segment
 * replaces it. Speakers are created by label on first use.
 */
#include "internal.h"

#include "store_int.h"

#include <time.h>
#include <unistd.h>

/* ---- sessions -------------------------------------------------------------------- */

struct tacit_session_params tacit_session_default_params(void)
{
	struct tacit_session_params p = { 0 };
	return p;
}

enum tacit_status store_session_exists(struct tacit_store *s, int64_t id)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s, "SELECT 1 FROM sessions WHERE id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "no session %lld (see 'tacit sessions')", (long long)id);
	else if (rc != SQLITE_ROW)
		ret = store_db_fail(s, rc, "look up a session");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_session_create(struct tacit_store *s, const struct tacit_session_params *params,
					     int64_t *out_id)
{
	struct tacit_session_params p = params ? *params : tacit_session_default_params();
	sqlite3_stmt *st;
	char title[64];

	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_create: store is NULL");
	if (p.settings_json && !store_json_valid(p.settings_json, true))
		return tacit_fail(TACIT_ERR_USAGE, "session settings are not a JSON object: '%.60s'", p.settings_json);
	if (!p.started_ms)
		p.started_ms = store_now_ms();
	if (!p.title || !*p.title) {
		time_t t = (time_t)(p.started_ms / 1000);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(title, sizeof(title), "Meeting %Y-%m-%d %H:%M", &tm);
		p.title = title;
	}
	enum tacit_status ret = prep(s,
				     "INSERT INTO sessions (title, started_ms, language, models, settings, times_synthesized)"
				     " VALUES (?, ?, ?, ?, ?, ?)",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	bind_text_utf8(st, 1, p.title);
	sqlite3_bind_int64(st, 2, p.started_ms);
	sqlite3_bind_text(st, 3, p.language ? p.language : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, p.models ? p.models : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, p.settings_json ? p.settings_json : "{}", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 6, p.times_synthesized);
	ret = step_done(s, st, "create a session");
	if (ret == TACIT_OK && out_id)
		*out_id = sqlite3_last_insert_rowid(s->db);
	return ret;
}

#define SESSION_COLUMNS                                                                                   \
	"SELECT s.id, s.started_ms, COALESCE(s.ended_ms, 0), s.times_synthesized, s.title, s.language, "  \
	"s.models, (SELECT COUNT(*) FROM segments g WHERE g.session_id = s.id AND g.final = 1), "          \
	"(SELECT COALESCE(MAX(g.end_ms), 0) FROM segments g WHERE g.session_id = s.id AND g.final = 1), " \
	"(SELECT COUNT(*) FROM speakers p WHERE p.session_id = s.id) FROM sessions s "

static void session_from_row(sqlite3_stmt *st, struct tacit_session *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(st, 0);
	o->started_ms = sqlite3_column_int64(st, 1);
	o->ended_ms = sqlite3_column_int64(st, 2);
	o->times_synthesized = sqlite3_column_int(st, 3) != 0;
	copy_str(o->title, sizeof(o->title), col_text(st, 4));
	copy_str(o->language, sizeof(o->language), col_text(st, 5));
	copy_str(o->models, sizeof(o->models), col_text(st, 6));
	o->n_segments = sqlite3_column_int64(st, 7);
	o->duration_ms = sqlite3_column_int64(st, 8);
	o->n_speakers = sqlite3_column_int(st, 9);
}

enum tacit_status tacit_store_session_get(struct tacit_store *s, int64_t id, struct tacit_session *out)
{
	sqlite3_stmt *st;
	if (!s || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_get: store or out is NULL");
	enum tacit_status ret = prep(s, SESSION_COLUMNS "WHERE s.id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		session_from_row(st, out);
	else if (rc == SQLITE_DONE)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "no session %lld (see 'tacit sessions')", (long long)id);
	else
		ret = store_db_fail(s, rc, "read a session");
	sqlite3_finalize(st);
	return ret;
}

static void session_fill(struct tacit_store *s, sqlite3_stmt *st, void *elem, void *user)
{
	(void)s;
	(void)user;
	session_from_row(st, elem);
}

enum tacit_status tacit_store_session_list(struct tacit_store *s, struct tacit_session **out, size_t *n_out)
{
	sqlite3_stmt *st;

	if (!s || !out || !n_out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_list: NULL argument");
	*out = NULL;
	*n_out = 0;
	enum tacit_status ret = prep(s, SESSION_COLUMNS "ORDER BY s.started_ms DESC, s.id DESC", &st);
	if (ret != TACIT_OK)
		return ret;
	return store_collect_rows(s, st, sizeof(**out), session_fill, NULL, "list sessions", (void **)out, n_out);
}

/* Runs "UPDATE ... WHERE id = ?last" binding text (or NULL) and id; NOT_FOUND if no row. */
static enum tacit_status update_session(struct tacit_store *s, const char *sql, const char *text, int64_t num,
					int64_t id, const char *what)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s, sql, &st);
	if (ret != TACIT_OK)
		return ret;
	if (text)
		bind_text_utf8(st, 1, text);
	else
		sqlite3_bind_int64(st, 1, num);
	sqlite3_bind_int64(st, 2, id);
	ret = step_done(s, st, what);
	if (ret == TACIT_OK && sqlite3_changes(s->db) == 0)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "no session %lld (see 'tacit sessions')", (long long)id);
	return ret;
}

enum tacit_status tacit_store_session_rename(struct tacit_store *s, int64_t id, const char *title)
{
	if (!s || !title)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_rename: store or title is NULL");
	if (!*title)
		return tacit_fail(TACIT_ERR_USAGE, "a session title cannot be empty");
	return update_session(s, "UPDATE sessions SET title = ? WHERE id = ?", title, 0, id, "rename a session");
}

enum tacit_status store_session_set_language(struct tacit_store *s, int64_t id, const char *language)
{
	if (!s || !language || !*language)
		return tacit_fail(TACIT_ERR_USAGE, "store_session_set_language: store or language missing");
	return update_session(s, "UPDATE sessions SET language = ? WHERE id = ?", language, 0, id,
			      "store a session's language");
}

const char *store_db_path(const struct tacit_store *s)
{
	return s->path;
}

enum tacit_status tacit_store_session_end(struct tacit_store *s, int64_t id, int64_t ended_ms)
{
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_end: store is NULL");
	return update_session(s, "UPDATE sessions SET ended_ms = ? WHERE id = ?", NULL, ended_ms ? ended_ms : store_now_ms(),
			      id, "end a session");
}

enum tacit_status store_session_settings(struct tacit_store *s, int64_t session_id, char **out)
{
	sqlite3_stmt *st;
	*out = NULL;
	enum tacit_status ret = prep(s, "SELECT settings FROM sessions WHERE id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = strdup(col_text(st, 0));
		if (!*out)
			ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "no session %lld (see 'tacit sessions')", (long long)session_id);
	} else {
		ret = store_db_fail(s, rc, "read a session's settings");
	}
	sqlite3_finalize(st);
	return ret;
}

static enum tacit_status remove_session_files(struct tacit_store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;
	enum tacit_status ret = prep(s,
				     "SELECT path FROM audio_files WHERE session_id = ?1"
				     " UNION ALL SELECT path FROM model_states WHERE session_id = ?1",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *p = store_abs_path(s, col_text(st, 0));
		if (!p) {
			ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			break;
		}
		store_shred_unlink(p);
		free(p);
	}
	if (ret == TACIT_OK && rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "list a session's files");
	sqlite3_finalize(st);
	if (ret == TACIT_OK && s->dir) {
		char dir[64];
		snprintf(dir, sizeof(dir), "audio/%lld", (long long)id);
		char *p = store_abs_path(s, dir);
		if (p && rmdir(p) != 0 && errno != ENOENT)
			tacit_log(TACIT_LOG_WARN, "cannot remove '%s': %s", p, strerror(errno));
		free(p);
	}
	return ret;
}

enum tacit_status tacit_store_session_delete(struct tacit_store *s, int64_t id)
{
	sqlite3_stmt *st;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_delete: store is NULL");
	enum tacit_status ret = store_session_exists(s, id);
	/* Files first: a crash in between leaves rows pointing at nothing, never audio
	 * that the user asked to delete. */
	if (ret == TACIT_OK)
		ret = remove_session_files(s, id);
	/* A big meeting's segments go first, in slices of their own transactions, so the
	 * write lock is never held for seconds (a live meeting writes meanwhile). */
	while (ret == TACIT_OK && s->tx_depth == 0) {
		if ((ret = store_batch_begin(s)) != TACIT_OK)
			break;
		ret = prep(s,
			   "DELETE FROM segments WHERE id IN (SELECT id FROM segments WHERE session_id = ? LIMIT 1000)",
			   &st);
		if (ret == TACIT_OK) {
			sqlite3_bind_int64(st, 1, id);
			ret = step_done(s, st, "delete a session's segments");
		}
		int n = ret == TACIT_OK ? sqlite3_changes(s->db) : 0;
		ret = store_batch_end(s, ret);
		if (n == 0)
			break;
	}
	if (ret == TACIT_OK)
		ret = store_batch_begin(s);
	if (ret != TACIT_OK)
		return ret;
	ret = prep(s, "DELETE FROM sessions WHERE id = ?", &st);
	if (ret == TACIT_OK) {
		sqlite3_bind_int64(st, 1, id);
		ret = step_done(s, st, "delete a session");
	}
	ret = store_batch_end(s, ret);
	if (ret != TACIT_OK)
		return ret;
	/* Merge the index so no segment of it still holds the text, then fold the WAL
	 * (which holds the old pages) into the zeroed database and truncate it. */
	ret = exec(s, "INSERT INTO segments_fts (segments_fts) VALUES ('optimize')", "compact the search index");
	if (ret == TACIT_OK && s->dir)
		sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	return ret;
}

/* ---- segments and speakers -------------------------------------------------------- */

/* The id of the session's speaker with this label, created when new; 0 for no label. */
static enum tacit_status speaker_id(struct tacit_store *s, int64_t session_id, const char *label, int64_t *out)
{
	sqlite3_stmt *st;
	*out = 0;
	if (!label || !*label)
		return TACIT_OK;
	enum tacit_status ret = prep(s, "INSERT INTO speakers (session_id, label) VALUES (?1, ?2)"
					" ON CONFLICT (session_id, label) DO NOTHING",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	bind_text_utf8(st, 2, label);
	ret = step_done(s, st, "add a speaker");
	if (ret != TACIT_OK)
		return ret;
	ret = prep(s, "SELECT id FROM speakers WHERE session_id = ? AND label = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	bind_text_utf8(st, 2, label);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		ret = store_db_fail(s, rc, "look up a speaker");
	sqlite3_finalize(st);
	return ret;
}

static enum tacit_status check_segment(const struct tacit_segment *seg)
{
	if (!seg || !seg->text)
		return tacit_fail(TACIT_ERR_USAGE, "a segment needs text");
	if (seg->start_ms < 0 || seg->end_ms < seg->start_ms)
		return tacit_fail(TACIT_ERR_USAGE, "segment times %lld..%lld ms are not an interval",
				  (long long)seg->start_ms, (long long)seg->end_ms);
	return TACIT_OK;
}

static enum tacit_status insert_segment(struct tacit_store *s, int64_t session_id, const struct tacit_segment *seg,
					bool final, int64_t *out_id)
{
	sqlite3_stmt *st;
	int64_t spk;
	enum tacit_status ret = speaker_id(s, session_id, seg->speaker, &spk);
	if (ret != TACIT_OK)
		return ret;
	ret = prep(s, "DELETE FROM segments WHERE session_id = ? AND final = 0", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	ret = step_done(s, st, "replace the partial segment");
	if (ret != TACIT_OK)
		return ret;
	ret = prep(s,
		   "INSERT INTO segments (session_id, start_ms, end_ms, speaker_id, text, final, confidence)"
		   " VALUES (?, ?, ?, ?, ?, ?, ?)",
		   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_int64(st, 2, seg->start_ms);
	sqlite3_bind_int64(st, 3, seg->end_ms);
	if (spk)
		sqlite3_bind_int64(st, 4, spk);
	else
		sqlite3_bind_null(st, 4);
	bind_text_utf8(st, 5, seg->text);
	sqlite3_bind_int(st, 6, final);
	if (seg->confidence >= 0)
		sqlite3_bind_double(st, 7, seg->confidence);
	else
		sqlite3_bind_null(st, 7);
	ret = step_done(s, st, "add a segment");
	if (ret == TACIT_OK && out_id)
		*out_id = sqlite3_last_insert_rowid(s->db);
	return ret;
}

enum tacit_status tacit_store_add_segment(struct tacit_store *s, int64_t session_id, const struct tacit_segment *seg,
					  int64_t *out_id)
{
	int64_t id = 0;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_add_segment: store is NULL");
	enum tacit_status ret = check_segment(seg);
	if (ret == TACIT_OK)
		ret = store_batch_begin(s);
	if (ret != TACIT_OK)
		return ret;
	ret = store_session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = insert_segment(s, session_id, seg, true, &id);
	ret = store_batch_end(s, ret);
	if (ret == TACIT_OK && out_id)
		*out_id = id;
	return ret;
}

enum tacit_status tacit_store_set_partial(struct tacit_store *s, int64_t session_id, const struct tacit_segment *seg)
{
	sqlite3_stmt *st;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_set_partial: store is NULL");
	enum tacit_status ret = seg ? check_segment(seg) : TACIT_OK;
	if (ret == TACIT_OK)
		ret = store_batch_begin(s);
	if (ret != TACIT_OK)
		return ret;
	ret = store_session_exists(s, session_id);
	if (ret == TACIT_OK && seg) {
		ret = insert_segment(s, session_id, seg, false, NULL);
	} else if (ret == TACIT_OK) {
		ret = prep(s, "DELETE FROM segments WHERE session_id = ? AND final = 0", &st);
		if (ret == TACIT_OK) {
			sqlite3_bind_int64(st, 1, session_id);
			ret = step_done(s, st, "clear the partial segment");
		}
	}
	return store_batch_end(s, ret);
}

enum tacit_status tacit_store_segments(struct tacit_store *s, int64_t session_id, bool include_partial,
				       tacit_segment_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !fn)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_segments: store or fn is NULL");
	enum tacit_status ret = store_session_exists(s, session_id);
	if (ret != TACIT_OK)
		return ret;
	ret = prep(s,
		   "SELECT g.id, g.start_ms, g.end_ms, p.label, p.name, g.text, COALESCE(g.confidence, -1), g.final"
		   " FROM segments g LEFT JOIN speakers p ON p.id = g.speaker_id"
		   " WHERE g.session_id = ? AND g.final >= ? ORDER BY g.final DESC, g.start_ms, g.id",
		   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_int(st, 2, include_partial ? 0 : 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tacit_segment seg = {
			.id = sqlite3_column_int64(st, 0),
			.session_id = session_id,
			.start_ms = sqlite3_column_int64(st, 1),
			.end_ms = sqlite3_column_int64(st, 2),
			.speaker = (const char *)sqlite3_column_text(st, 3),
			.speaker_name = (const char *)sqlite3_column_text(st, 4),
			.text = col_text(st, 5),
			.confidence = (float)sqlite3_column_double(st, 6),
			.final = sqlite3_column_int(st, 7) != 0,
		};
		if (!fn(&seg, user)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read segments");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_speaker_name(struct tacit_store *s, int64_t session_id, const char *label,
					   const char *name)
{
	sqlite3_stmt *st;
	if (!s || !label || !*label)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_speaker_name: store or label missing");
	enum tacit_status ret = store_session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = prep(s, "UPDATE speakers SET name = ? WHERE session_id = ? AND label = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	bind_text_utf8(st, 1, name && *name ? name : NULL);
	sqlite3_bind_int64(st, 2, session_id);
	bind_text_utf8(st, 3, label);
	ret = step_done(s, st, "name a speaker");
	if (ret == TACIT_OK && sqlite3_changes(s->db) == 0)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "session %lld has no speaker '%s'", (long long)session_id, label);
	return ret;
}

enum tacit_status store_speakers(struct tacit_store *s, int64_t session_id, store_speaker_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	enum tacit_status ret =
		prep(s,
		     session_id ? "SELECT session_id, label, name FROM speakers WHERE session_id = ? ORDER BY id"
				: "SELECT session_id, label, name FROM speakers ORDER BY session_id, id",
		     &st);
	if (ret != TACIT_OK)
		return ret;
	if (session_id)
		sqlite3_bind_int64(st, 1, session_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(sqlite3_column_int64(st, 0), col_text(st, 1), (const char *)sqlite3_column_text(st, 2), user);
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read speakers");
	sqlite3_finalize(st);
	return ret;
}
