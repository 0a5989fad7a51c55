/*
 * store_batch.c — `tacit batch`'s durable job queue (table batch_jobs). Every state
 * change is one statement or one transaction, so a kill at any point leaves each job
 * queued, running, done or failed, never between; recovery turns 'running' back into
 * 'queued' and removes the meeting the dead run was making, so a file's meeting exists
 * once. The queue runs nothing itself (see include/tacit.h).
 */
#include "internal.h"

#include "store_int.h"

#include <string.h>

static const char *const state_names[] = { "queued", "running", "done", "failed" };

const char *tacit_batch_state_str(enum tacit_batch_state state)
{
	return (unsigned)state < ARRAY_SIZE(state_names) ? state_names[state] : "unknown";
}

static int state_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
		if (!strcmp(name, state_names[i]))
			return (int)i;
	return TACIT_BATCH_FAILED;
}

enum tacit_status tacit_batch_enqueue(struct tacit_store *s, const char *path, int64_t size, int64_t mtime_ns,
				      bool *out_added)
{
	sqlite3_stmt *st;
	enum tacit_status ret;
	if (!s || !path || path[0] != '/')
		return tacit_fail(TACIT_ERR_USAGE, "batch: '%s' is not an absolute path", path ? path : "(null)");
	if ((ret = prep(s,
			"INSERT INTO batch_jobs (path, size, mtime_ns, added_ms, updated_ms) VALUES (?, ?, ?, ?, ?)"
			" ON CONFLICT (path, size, mtime_ns) DO NOTHING",
			&st)) != TACIT_OK)
		return ret;
	int64_t now = store_now_ms();
	sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_int64(st, 3, mtime_ns);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now);
	ret = step_done(s, st, "queue a batch job");
	if (ret == TACIT_OK && out_added)
		*out_added = sqlite3_changes(s->db) > 0;
	return ret;
}

/* The half-made meeting of a dead running job: the one it recorded, else one created
 * after the claim from a file of that name that no other job owns. 0 when none. */
static enum tacit_status orphan_of(struct tacit_store *s, int64_t job_id, int64_t *out)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(
		s,
		"SELECT coalesce(j.session_id, (SELECT min(x.id) FROM sessions x WHERE x.id > j.session_before"
		"  AND json_extract(CASE WHEN json_valid(x.settings) THEN x.settings ELSE '{}' END, '$.import.source')"
		"    = replace(j.path, rtrim(j.path, replace(j.path, '/', '')), '')"
		"  AND NOT EXISTS (SELECT 1 FROM batch_jobs o WHERE o.session_id = x.id AND o.id != j.id)), 0)"
		" FROM batch_jobs j WHERE j.id = ?",
		&st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, job_id);
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "look for a batch job's meeting");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_batch_recover(struct tacit_store *s, int *out_requeued, int *out_removed)
{
	sqlite3_stmt *st = NULL;
	int64_t ids[256];
	int n = 0, removed = 0, requeued = 0;
	enum tacit_status ret;
	/* in rounds of 256: more jobs than that running at once would be a queue worked by
	 * hundreds of threads */
	do {
		n = 0;
		if ((ret = prep(s, "SELECT id FROM batch_jobs WHERE state = 'running' ORDER BY id LIMIT 256", &st)) !=
		    TACIT_OK)
			goto out;
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			ids[n++] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			ret = store_db_fail(s, rc, "list running batch jobs");
			goto out;
		}
		for (int i = 0; i < n; i++) {
			int64_t session = 0;
			if ((ret = orphan_of(s, ids[i], &session)) != TACIT_OK)
				goto out;
			/* the meeting goes first: killed between the two, the job is still
			 * 'running' and the next recovery finds nothing left to remove */
			if (session) {
				ret = tacit_store_session_delete(s, session);
				if (ret == TACIT_ERR_NOT_FOUND)
					ret = TACIT_OK;
				else if (ret == TACIT_OK)
					removed++;
				if (ret != TACIT_OK)
					goto out;
			}
			if ((ret = prep(s,
					"UPDATE batch_jobs SET state = 'queued', session_id = NULL, not_before_ms = 0,"
					" updated_ms = ? WHERE id = ?",
					&st)) != TACIT_OK)
				goto out;
			sqlite3_bind_int64(st, 1, store_now_ms());
			sqlite3_bind_int64(st, 2, ids[i]);
			if ((ret = step_done(s, st, "re-queue a batch job")) != TACIT_OK)
				goto out;
			requeued++;
		}
	} while (n == 256);
out:
	if (out_requeued)
		*out_requeued = requeued;
	if (out_removed)
		*out_removed = removed;
	return ret;
}

static void job_fill(struct tacit_store *s, sqlite3_stmt *st, void *elem, void *user)
{
	struct tacit_batch_job *j = elem;
	(void)s;
	(void)user;
	memset(j, 0, sizeof(*j));
	j->id = sqlite3_column_int64(st, 0);
	copy_str(j->path, sizeof(j->path), col_text(st, 1));
	j->size = sqlite3_column_int64(st, 2);
	j->mtime_ns = sqlite3_column_int64(st, 3);
	j->state = (enum tacit_batch_state)state_of(col_text(st, 4));
	j->attempts = sqlite3_column_int(st, 5);
	copy_str(j->error, sizeof(j->error), col_text(st, 6));
	j->session_id = sqlite3_column_int64(st, 7);
	j->not_before_ms = sqlite3_column_int64(st, 8);
	j->pid = sqlite3_column_int(st, 9);
	copy_str(j->speech_engine, sizeof(j->speech_engine), col_text(st, 10));
	copy_str(j->llm_engine, sizeof(j->llm_engine), col_text(st, 11));
}

#define JOB_COLUMNS                                                                                              \
	"id, path, size, mtime_ns, state, attempts, error, coalesce(session_id, 0), not_before_ms, pid, speech_engine," \
	" llm_engine"

enum tacit_status tacit_batch_claim(struct tacit_store *s, int pid, struct tacit_batch_job *out, int64_t *out_wait_ms)
{
	sqlite3_stmt *st = NULL;
	int64_t now = store_now_ms(), id = 0, next = 0;
	enum tacit_status ret;
	if (out_wait_ms)
		*out_wait_ms = 0;
	/* one transaction: two threads never claim the same job */
	if ((ret = store_batch_begin(s)) != TACIT_OK)
		return ret;
	if ((ret = prep(s,
			"SELECT id, not_before_ms FROM batch_jobs WHERE state = 'queued'"
			" ORDER BY not_before_ms > ?, not_before_ms, id LIMIT 1",
			&st)) != TACIT_OK)
		goto out;
	sqlite3_bind_int64(st, 1, now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		next = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, "find a queued batch job");
		goto out;
	}
	if (!id || next > now) {
		if (id && out_wait_ms)
			*out_wait_ms = next - now;
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "no batch job is ready");
		goto out;
	}
	if ((ret = prep(s,
			"UPDATE batch_jobs SET state = 'running', attempts = attempts + 1, pid = ?, updated_ms = ?,"
			" session_id = NULL,"
			" session_before = coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'sessions'), 0)"
			" WHERE id = ?",
			&st)) != TACIT_OK)
		goto out;
	sqlite3_bind_int(st, 1, pid);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, id);
	if ((ret = step_done(s, st, "claim a batch job")) != TACIT_OK)
		goto out;
	if ((ret = prep(s, "SELECT " JOB_COLUMNS " FROM batch_jobs WHERE id = ?", &st)) != TACIT_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		job_fill(s, st, out, NULL);
	else
		ret = store_db_fail(s, rc, "read a batch job");
	sqlite3_finalize(st);
out:
	return store_batch_end(s, ret);
}

enum tacit_status tacit_batch_set_session(struct tacit_store *s, int64_t job_id, int64_t session_id)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s, "UPDATE batch_jobs SET session_id = ?, updated_ms = ? WHERE id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	if (session_id > 0)
		sqlite3_bind_int64(st, 1, session_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, store_now_ms());
	sqlite3_bind_int64(st, 3, job_id);
	return step_done(s, st, "record a batch job's meeting");
}

enum tacit_status tacit_batch_set_engines(struct tacit_store *s, int64_t job_id, const char *speech, const char *llm)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s, "UPDATE batch_jobs SET speech_engine = ?, llm_engine = ?, updated_ms = ? WHERE id = ?",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 1, speech ? speech : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, llm ? llm : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, store_now_ms());
	sqlite3_bind_int64(st, 4, job_id);
	return step_done(s, st, "record a batch job's engines");
}

enum tacit_status tacit_batch_finish(struct tacit_store *s, int64_t job_id, enum tacit_batch_state state,
				     const char *error, int64_t retry_in_ms)
{
	sqlite3_stmt *st;
	enum tacit_status ret;
	if (state != TACIT_BATCH_QUEUED && state != TACIT_BATCH_DONE && state != TACIT_BATCH_FAILED)
		return tacit_fail(TACIT_ERR_USAGE, "batch: a job ends done, failed or queued again");
	if ((ret = prep(s,
			"UPDATE batch_jobs SET state = ?, error = ?, not_before_ms = ?, updated_ms = ?,"
			" session_id = CASE WHEN ? = 'queued' THEN NULL ELSE session_id END WHERE id = ?",
			&st)) != TACIT_OK)
		return ret;
	int64_t now = store_now_ms();
	sqlite3_bind_text(st, 1, state_names[state], -1, SQLITE_STATIC);
	bind_text_utf8(st, 2, error ? error : "");
	sqlite3_bind_int64(st, 3, state == TACIT_BATCH_QUEUED ? now + (retry_in_ms > 0 ? retry_in_ms : 0) : 0);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, state_names[state], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, job_id);
	return step_done(s, st, "finish a batch job");
}

enum tacit_status tacit_batch_list(struct tacit_store *s, int state, struct tacit_batch_job **out, size_t *n_out,
				   int64_t counts[4])
{
	sqlite3_stmt *st;
	enum tacit_status ret;
	if (counts) {
		memset(counts, 0, 4 * sizeof(counts[0]));
		if ((ret = prep(s, "SELECT state, count(*) FROM batch_jobs GROUP BY state", &st)) != TACIT_OK)
			return ret;
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			counts[state_of(col_text(st, 0))] = sqlite3_column_int64(st, 1);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_db_fail(s, rc, "count batch jobs");
	}
	if ((ret = prep(s, "SELECT " JOB_COLUMNS " FROM batch_jobs WHERE ? < 0 OR state = ? ORDER BY id", &st)) !=
	    TACIT_OK)
		return ret;
	sqlite3_bind_int(st, 1, state);
	sqlite3_bind_text(st, 2, state >= 0 && state < 4 ? state_names[state] : "", -1, SQLITE_STATIC);
	return store_collect_rows(s, st, sizeof(**out), job_fill, NULL, "list batch jobs", (void **)out, n_out);
}
