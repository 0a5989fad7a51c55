/*
 * store_relabel.c — a live meeting's speaker labels revised after the fact (live_diar.c):
 * the segment keeps its text and times and points at another speaker row, so its
 * transcript, exports and search follow at once. Segments are named by their number in
 * the meeting (the n-th final segment by insertion), as the live events number them.
 */
#include "internal.h"

#include "store.h"
#include "store_int.h"

enum tacit_status store_segment_relabel(struct tacit_store *s, int64_t session_id, int64_t segment_no,
					const char *label)
{
	sqlite3_stmt *st;
	enum tacit_status ret;

	if (!s || segment_no < 1 || !label || !*label)
		return tacit_fail(TACIT_ERR_USAGE, "store_segment_relabel: store, segment or label missing");
	if ((ret = store_batch_begin(s)) != TACIT_OK)
		return ret;
	ret = prep(s, "INSERT INTO speakers (session_id, label) VALUES (?1, ?2) ON CONFLICT (session_id, label) DO NOTHING",
		   &st);
	if (ret == TACIT_OK) {
		sqlite3_bind_int64(st, 1, session_id);
		bind_text_utf8(st, 2, label);
		ret = step_done(s, st, "add a speaker");
	}
	if (ret == TACIT_OK)
		ret = prep(s,
			   "UPDATE segments SET speaker_id = (SELECT id FROM speakers WHERE session_id = ?1 AND label = ?2)"
			   " WHERE id = (SELECT id FROM segments WHERE session_id = ?1 AND final = 1 ORDER BY id"
			   " LIMIT 1 OFFSET ?3)",
			   &st);
	if (ret == TACIT_OK) {
		sqlite3_bind_int64(st, 1, session_id);
		bind_text_utf8(st, 2, label);
		sqlite3_bind_int64(st, 3, segment_no - 1);
		ret = step_done(s, st, "relabel a segment");
	}
	return store_batch_end(s, ret);
}

enum tacit_status store_speakers_prune(struct tacit_store *s, int64_t session_id)
{
	sqlite3_stmt *st;
	enum tacit_status ret =
		prep(s,
		     "DELETE FROM speakers WHERE session_id = ?1 AND name IS NULL AND id NOT IN"
		     " (SELECT speaker_id FROM segments WHERE session_id = ?1 AND speaker_id IS NOT NULL)",
		     &st);
	if (ret == TACIT_OK) {
		sqlite3_bind_int64(st, 1, session_id);
		ret = step_done(s, st, "remove speakers without lines");
	}
	return ret;
}
