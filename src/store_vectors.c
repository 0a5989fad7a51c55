/*
 * store_vectors.c — the segments' vectors for search by meaning: one int8 vector per
 * final segment and embedding model (int8 with a scale, embed.h; keyed by the model's
 * file name and size: vectors of another model
 * are not comparable and are neither read nor overwritten by it), written in batches by
 * the indexer (api_index.c), deleted with the segment or when its text changes (schema
 * 12's trigger), and scanned whole for the nearest ones: 11,556 segments of 388 bytes
 * take about 10 ms (bench/ask_all.c), far below what an index structure would be worth.
 */
#include "internal.h"

#include "embed.h"
#include "store_int.h"

enum tacit_status store_vectors_count(struct tacit_store *s, const char *model, int64_t *have, int64_t *todo)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s,
				     "SELECT COUNT(v.segment_id), COUNT(*) - COUNT(v.segment_id) FROM segments g"
				     " LEFT JOIN segment_vectors v ON v.segment_id = g.id AND v.model = ?1 WHERE g.final = 1",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*have = sqlite3_column_int64(st, 0);
		*todo = sqlite3_column_int64(st, 1);
	} else {
		ret = store_db_fail(s, rc, "count the segments' vectors");
	}
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status store_vectors_todo(struct tacit_store *s, const char *model, int64_t after_id, int limit,
				     store_text_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	enum tacit_status ret = prep(s,
				     "SELECT g.id, g.text FROM segments g"
				     " LEFT JOIN segment_vectors v ON v.segment_id = g.id AND v.model = ?1"
				     " WHERE g.final = 1 AND v.segment_id IS NULL AND g.id > ?2 ORDER BY g.id LIMIT ?3",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after_id);
	sqlite3_bind_int(st, 3, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(sqlite3_column_int64(st, 0), col_text(st, 1), user);
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read the segments to index");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status store_vectors_put(struct tacit_store *s, const char *model, const int64_t *ids, const void *vecs,
				    int dim, size_t n)
{
	sqlite3_stmt *st = NULL;
	enum tacit_status ret = store_batch_begin(s);
	if (ret != TACIT_OK)
		return ret;
	/* INSERT ... SELECT: a segment deleted since it was read gets no vector */
	ret = prep(s,
		   "INSERT OR REPLACE INTO segment_vectors (segment_id, model, vec)"
		   " SELECT id, ?2, ?3 FROM segments WHERE id = ?1",
		   &st);
	for (size_t i = 0; ret == TACIT_OK && i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_text(st, 2, model, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, (const char *)vecs + i * EMBED_Q_BYTES(dim), (int)EMBED_Q_BYTES(dim), SQLITE_STATIC);
		int rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			ret = store_db_fail(s, rc, "store a segment's vector");
	}
	sqlite3_finalize(st);
	return store_batch_end(s, ret);
}

struct best {
	int64_t id;
	float score;
};

enum tacit_status store_vectors_nearest(struct tacit_store *s, const struct store_filter *f, const char *model,
					const float *q, int dim, int k, store_score_fn fn, void *user)
{
	sqlite3_stmt *st;
	struct best *top;
	int n = 0, rc;
	if (k <= 0)
		return TACIT_OK;
	if (!(top = calloc((size_t)k, sizeof(*top))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	enum tacit_status ret = prep(s,
				     "SELECT v.segment_id, v.vec FROM segment_vectors v"
				     " JOIN segments g ON g.id = v.segment_id JOIN sessions x ON x.id = g.session_id"
				     " LEFT JOIN speakers p ON p.id = g.speaker_id"
				     " WHERE v.model = ?1 AND (?2 = 0 OR g.session_id = ?2)"
				     " AND (?3 = 0 OR x.started_ms >= ?3) AND (?4 = 0 OR x.started_ms < ?4)"
				     " AND (?5 IS NULL OR COALESCE(p.name, p.label) = ?5 COLLATE NOCASE)",
				     &st);
	if (ret != TACIT_OK) {
		free(top);
		return ret;
	}
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, f->session_id);
	sqlite3_bind_int64(st, 3, f->since_ms);
	sqlite3_bind_int64(st, 4, f->until_ms);
	bind_text_or_null(st, 5, f->speaker);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((size_t)sqlite3_column_bytes(st, 1) != EMBED_Q_BYTES(dim))
			continue; /* another size: not this model's (renamed file) */
		float score = embed_dot_q(sqlite3_column_blob(st, 1), q, dim);
		if (n == k && score <= top[k - 1].score)
			continue;
		int at = n < k ? n++ : k - 1; /* insertion into the sorted top k */
		while (at > 0 && top[at - 1].score < score) {
			top[at] = top[at - 1];
			at--;
		}
		top[at] = (struct best){ sqlite3_column_int64(st, 0), score };
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read the segments' vectors");
	sqlite3_finalize(st);
	for (int i = 0; ret == TACIT_OK && i < n; i++)
		fn(top[i].id, top[i].score, user);
	free(top);
	return ret;
}
