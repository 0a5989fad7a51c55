/*
 * store_speakers.c — a meeting's speakers as people see them: each with its talk time,
 * its number of lines and one sample line (its longest), and renaming one for the whole
 * meeting. A rename changes the speaker's one row (segments point at it), so every line,
 * export, search result and later summary follows at once; labels never change.
 */
#include "internal.h"

#include "store_int.h"

enum tacit_status tacit_store_speakers_list(struct tacit_store *s, int64_t session_id, tacit_speaker_info_fn fn,
					    void *user)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !fn)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_speakers_list: store or callback missing");
	enum tacit_status ret = store_session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = prep(s,
			   "WITH g AS (SELECT speaker_id, id, start_ms, end_ms, text, ROW_NUMBER() OVER"
			   "   (PARTITION BY speaker_id ORDER BY end_ms - start_ms DESC, start_ms) AS r,"
			   "   COUNT(*) OVER (PARTITION BY speaker_id) AS n,"
			   "   SUM(end_ms - start_ms) OVER (PARTITION BY speaker_id) AS talk"
			   "   FROM segments WHERE session_id = ?1 AND final = 1 AND speaker_id IS NOT NULL)"
			   " SELECT p.label, p.name, COALESCE(g.n, 0), COALESCE(g.talk, 0), COALESCE(g.id, 0),"
			   "   COALESCE(g.start_ms, 0), COALESCE(g.end_ms, 0), g.text, p.voiceprint IS NOT NULL"
			   " FROM speakers p LEFT JOIN g ON g.speaker_id = p.id AND g.r = 1"
			   " WHERE p.session_id = ?1 ORDER BY p.id",
			   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tacit_speaker_info sp = {
			.label = col_text(st, 0),
			.name = sqlite3_column_type(st, 1) == SQLITE_NULL ? NULL : col_text(st, 1),
			.n_segments = sqlite3_column_int(st, 2),
			.talk_ms = sqlite3_column_int64(st, 3),
			.sample_segment_id = sqlite3_column_int64(st, 4),
			.sample_start_ms = sqlite3_column_int64(st, 5),
			.sample_end_ms = sqlite3_column_int64(st, 6),
			.sample_text = sqlite3_column_type(st, 7) == SQLITE_NULL ? NULL : col_text(st, 7),
			.has_voiceprint = sqlite3_column_int(st, 8) != 0,
		};
		if (!fn(&sp, user))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read speakers");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_speaker_rename(struct tacit_store *s, int64_t session_id, const char *who,
					     const char *name, int *n_renamed)
{
	sqlite3_stmt *st;
	if (n_renamed)
		*n_renamed = 0;
	if (!s || !who || !*who)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_speaker_rename: store or speaker missing");
	if (name && strlen(name) > TACIT_SPEAKER_NAME_MAX)
		return tacit_fail(TACIT_ERR_USAGE, "a speaker's name is at most %d bytes", TACIT_SPEAKER_NAME_MAX);
	enum tacit_status ret = store_session_exists(s, session_id);
	/* by label first; only when no label matches, by the name given earlier (any case) */
	if (ret == TACIT_OK)
		ret = prep(s,
			   "UPDATE speakers SET name = ?1 WHERE session_id = ?2 AND (label = ?3 OR (name = ?3 COLLATE NOCASE"
			   " AND NOT EXISTS (SELECT 1 FROM speakers WHERE session_id = ?2 AND label = ?3)))",
			   &st);
	if (ret != TACIT_OK)
		return ret;
	bind_text_utf8(st, 1, name && *name ? name : NULL);
	sqlite3_bind_int64(st, 2, session_id);
	bind_text_utf8(st, 3, who);
	ret = step_done(s, st, "rename a speaker");
	int n = ret == TACIT_OK ? sqlite3_changes(s->db) : 0;
	if (ret == TACIT_OK && n == 0)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "meeting %lld has no speaker '%s' (see 'tacit speakers %lld')",
				 (long long)session_id, who, (long long)session_id);
	if (n_renamed)
		*n_renamed = n;
	return ret;
}
