/*
 * store_audio.c — the rows of a session's recordings (audio_files), one per chunk
 * numbered from 0. A chunk's row is committed before its file exists and then follows
 * the file: its durable bytes, and its state ('recording', then 'closed'; 'repaired' or
 * 'missing' after a crash). recording.c writes the files; only the rows are here.
 */
#include "internal.h"

#include "store_int.h"

/* The number of session_id's next audio chunk (0 for the first). */
static enum tacit_status next_chunk(struct tacit_store *s, int64_t session_id, int *chunk)
{
	sqlite3_stmt *st;
	enum tacit_status ret =
		prep(s, "SELECT COALESCE(MAX(chunk) + 1, 0) FROM audio_files WHERE session_id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*chunk = sqlite3_column_int(st, 0);
	else
		ret = store_db_fail(s, rc, "number an audio chunk");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status store_audio_add_chunk(struct tacit_store *s, int64_t session_id, int sample_rate, int channels,
					uint64_t bytes_durable, char dir[64], char rel[96], int64_t *id)
{
	sqlite3_stmt *st;
	int chunk = 0;
	enum tacit_status ret = store_session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = store_batch_begin(s);
	if (ret != TACIT_OK)
		return ret;
	ret = next_chunk(s, session_id, &chunk);
	snprintf(dir, 64, "audio/%lld", (long long)session_id);
	snprintf(rel, 96, "%s/chunk-%03d.wav", dir, chunk);
	if (ret == TACIT_OK)
		ret = prep(s,
			   "INSERT INTO audio_files (session_id, chunk, path, sample_rate, channels, bytes_durable)"
			   " VALUES (?, ?, ?, ?, ?, ?)",
			   &st);
	if (ret == TACIT_OK) {
		sqlite3_bind_int64(st, 1, session_id);
		sqlite3_bind_int(st, 2, chunk);
		sqlite3_bind_text(st, 3, rel, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, sample_rate);
		sqlite3_bind_int(st, 5, channels);
		sqlite3_bind_int64(st, 6, (int64_t)bytes_durable);
		ret = step_done(s, st, "add an audio chunk");
	}
	*id = sqlite3_last_insert_rowid(s->db);
	return store_batch_end(s, ret);
}

enum tacit_status store_audio_set_progress(struct tacit_store *s, int64_t id, uint64_t bytes, const char *state,
					   const char *sha)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s,
				     "UPDATE audio_files SET bytes_durable = ?, state = COALESCE(?, state),"
				     " sha256 = COALESCE(?, sha256) WHERE id = ?",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, (int64_t)bytes);
	bind_text_or_null(st, 2, state);
	bind_text_or_null(st, 3, sha);
	sqlite3_bind_int64(st, 4, id);
	return step_done(s, st, "record audio progress");
}

enum tacit_status store_audio_unfinished(struct tacit_store *s, store_audio_fn fn)
{
	sqlite3_stmt *st;
	int rc;
	struct {
		int64_t id, durable;
		int rate, channels;
		char *path;
	} todo[64];
	int n = 0;
	/* Collect first (at most 64 per open; the rest wait for the next open), then call fn
	 * outside the statement so its updates are not interleaved with the read. */
	enum tacit_status ret = prep(s,
				     "SELECT id, path, sample_rate, channels, bytes_durable FROM audio_files"
				     " WHERE state = 'recording' ORDER BY id LIMIT 64",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < (int)ARRAY_SIZE(todo)) {
		todo[n].id = sqlite3_column_int64(st, 0);
		todo[n].path = strdup(col_text(st, 1));
		todo[n].rate = sqlite3_column_int(st, 2);
		todo[n].channels = sqlite3_column_int(st, 3);
		todo[n].durable = sqlite3_column_int64(st, 4);
		if (todo[n].path)
			n++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = store_db_fail(s, rc, "list unfinished recordings");
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++) {
		if (ret == TACIT_OK)
			fn(s, todo[i].id, todo[i].path, todo[i].rate, todo[i].channels, todo[i].durable);
		free(todo[i].path);
	}
	return ret;
}

static void audio_fill(struct tacit_store *s, sqlite3_stmt *st, void *elem, void *session_id)
{
	struct tacit_audio_file *a = elem;
	a->id = sqlite3_column_int64(st, 0);
	a->session_id = *(const int64_t *)session_id;
	a->chunk = sqlite3_column_int(st, 1);
	a->sample_rate = sqlite3_column_int(st, 2);
	a->channels = sqlite3_column_int(st, 3);
	a->data_bytes = sqlite3_column_int64(st, 4);
	copy_str(a->state, sizeof(a->state), col_text(st, 5));
	copy_str(a->sha256, sizeof(a->sha256), col_text(st, 6));
	char *p = store_abs_path(s, col_text(st, 7));
	copy_str(a->path, sizeof(a->path), p);
	free(p);
}

enum tacit_status tacit_store_audio_files(struct tacit_store *s, int64_t session_id, struct tacit_audio_file **out,
					  size_t *n_out)
{
	sqlite3_stmt *st;
	if (!s || !out || !n_out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_audio_files: NULL argument");
	*out = NULL;
	*n_out = 0;
	enum tacit_status ret = store_session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = prep(s,
			   "SELECT id, chunk, sample_rate, channels, bytes_durable, state, COALESCE(sha256, ''), path"
			   " FROM audio_files WHERE session_id = ? ORDER BY chunk",
			   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	return store_collect_rows(s, st, sizeof(**out), audio_fill, &session_id, "list audio files", (void **)out,
				  n_out);
}
