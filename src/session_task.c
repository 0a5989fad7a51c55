/*
 * session_task.c — meeting tasks on a stored session: loads the transcript from the
 * store, keys the saved transcript-prefix state to (model file, prompt version,
 * transcript), runs the task and stores what it produced (artifact, chat, suggestions).
 * Invariants: a state file's name carries its key, so a file is loaded only for the exact
 * model, prompt and transcript that made it; the worker re-checks its tokens besides.
 * Every state file on disk is recorded with its session (deleted with it), and a
 * cancelled task stores no result.
 */
#include "internal.h"

#include "hash.h"
#include "meeting.h"
#include "transcript.h"
#include "worker.h"

#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yyjson.h>

static const char *const kinds[] = { "summary", "notes", "answer", "suggestions" };

struct tacit_session_task_params tacit_session_task_default_params(void)
{
	struct tacit_session_task_params p = { 0 };
	p.meeting = tacit_meeting_default_params();
	p.use_state = true;
	return p;
}

void tacit_session_task_result_release(struct tacit_session_task_result *r)
{
	if (!r)
		return;
	tacit_free(r->json);
	tacit_free(r->markdown);
	r->json = r->markdown = NULL;
}

int tacit_transcript_one_pass_context(const struct tacit_transcript *t, int max_tokens)
{
	/* the estimate counts 1.35 tokens a word; spoken text (fillers, " ." tokens) runs
	 * higher, and a context a little too small means map->reduce without the saved state */
	long long want = (long long)tacit_transcript_estimate_tokens(t) * 3 / 2 + (max_tokens > 0 ? max_tokens : 1024) +
			 1024;
	want = (want + 1023) / 1024 * 1024;
	return want < 8192 ? 8192 : want > 131072 ? 131072 : (int)want;
}

/* The state's key: what the KV state of the transcript prefix depends on, as JSON (kept
 * in the store) and its hash (in the file name). */
static enum tacit_status state_key(const char *model_path, const struct tacit_transcript *t, struct buf *record,
				   char key[SHA256_HEX_LEN + 1])
{
	struct stat sb;
	char real[PATH_MAX], thash[SHA256_HEX_LEN + 1];
	struct sha256 h;
	struct buf line;
	if (!realpath(model_path, real) || stat(real, &sb) != 0)
		return tacit_fail(TACIT_ERR_NOT_FOUND, "cannot read model '%s': %s", model_path, strerror(errno));
	if (!sha256_init(&h))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	buf_init(&line);
	for (size_t i = 0; i < t->n; i++) {
		buf_reset(&line);
		transcript_line(t, i, &line);
		sha256_update(&h, line.data, line.len);
	}
	buf_release(&line);
	sha256_final(&h, thash);
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_strcpy(doc, o, "model", real);
	yyjson_mut_obj_add_int(doc, o, "bytes", (int64_t)sb.st_size);
	yyjson_mut_obj_add_int(doc, o, "mtime_ns", (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec);
	yyjson_mut_obj_add_str(doc, o, "prompt_version", TACIT_PROMPT_VERSION);
	yyjson_mut_obj_add_strcpy(doc, o, "transcript_sha256", thash);
	char *json = yyjson_mut_write(doc, 0, NULL);
	yyjson_mut_doc_free(doc);
	if (json)
		buf_adds(record, json);
	free(json);
	if (!json || record->failed || !sha256_init(&h))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	sha256_update(&h, record->data, record->len);
	sha256_final(&h, key);
	return TACIT_OK;
}

/* <cache>/kv/session-<id>-<key16>.kv, the directory created. */
static enum tacit_status state_path(int64_t session_id, const char *key, struct buf *out)
{
	char *cache = NULL;
	enum tacit_status st = tacit_dir_path(TACIT_DIR_CACHE, &cache);
	if (st != TACIT_OK)
		return st;
	buf_addf(out, "%s/kv", cache);
	tacit_free(cache);
	if (mkdir(out->data, 0700) != 0 && errno != EEXIST)
		return tacit_fail(TACIT_ERR_IO, "cannot create '%s': %s", out->data, strerror(errno));
	buf_addf(out, "/session-%lld-%.16s.kv", (long long)session_id, key);
	return out->failed ? tacit_fail(TACIT_ERR_NOMEM, "out of memory") : TACIT_OK;
}

/* Removes the session's other state files: made for an older transcript or model. */
static void remove_stale_states(int64_t session_id, const char *keep)
{
	char dir[PATH_MAX], prefix[64];
	const char *slash = strrchr(keep, '/');
	if (!slash || (size_t)(slash - keep) >= sizeof(dir))
		return;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - keep), keep);
	snprintf(prefix, sizeof(prefix), "session-%lld-", (long long)session_id);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[PATH_MAX + 256];
		if (strncmp(e->d_name, prefix, strlen(prefix)) || !strcmp(e->d_name, slash + 1))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) == 0)
			tacit_log(TACIT_LOG_INFO, "removed the stale transcript state '%s'", path);
	}
	if (d)
		closedir(d);
}

/* A state the worker saved before the task failed (cancelled, cut short) is still good:
 * it is recorded so the next task loads it and deleting the session deletes it, or, when
 * it cannot be recorded, removed. The task's own failure stays the one reported. */
static void keep_state(struct tacit_store *store, int64_t session_id, const char *record, const char *path,
		       enum tacit_status failed)
{
	char why[1024];
	snprintf(why, sizeof(why), "%s", tacit_errmsg());
	remove_stale_states(session_id, path);
	if (tacit_store_add_model_state(store, session_id, record, path, NULL) != TACIT_OK) {
		tacit_log(TACIT_LOG_WARN, "removed the transcript state '%s': %s", path, tacit_errmsg());
		unlink(path);
	}
	tacit_fail(failed, "%s", why);
}

/* Stores the task's result with the session. */
static enum tacit_status store_result(struct tacit_store *store, int64_t session_id, const struct tacit_transcript *t,
				      const struct tacit_meeting_params *mp, const char *model,
				      struct tacit_session_task_result *res)
{
	enum tacit_status st = TACIT_OK;
	if (mp->task == TACIT_TASK_SUMMARY || mp->task == TACIT_TASK_NOTES) {
		struct tacit_artifact a = { 0 };
		a.kind = kinds[mp->task];
		a.json = res->json;
		a.markdown = res->markdown;
		a.model = model;
		a.prompt_version = TACIT_PROMPT_VERSION;
		return tacit_store_add_artifact(store, session_id, &a, &res->id);
	}
	if (mp->task == TACIT_TASK_ANSWER) {
		struct tacit_chat_record q = { "user", mp->question, NULL, 0 };
		struct tacit_chat_record a = { "assistant", res->markdown, model, 0 };
		st = tacit_store_add_chat(store, session_id, &q, NULL);
		if (st == TACIT_OK)
			st = tacit_store_add_chat(store, session_id, &a, &res->id);
		return st;
	}
	yyjson_doc *doc = yyjson_read(res->json, strlen(res->json), 0);
	yyjson_val *arr = yyjson_obj_get(yyjson_doc_get_root(doc), "suggestions"), *item;
	size_t i, max;
	yyjson_arr_foreach(arr, i, max, item)
	{
		struct tacit_suggestion sg = { 0 };
		long long first = yyjson_get_sint(yyjson_arr_get_first(yyjson_obj_get(item, "cites")));
		sg.at_ms = first >= 1 && (size_t)first <= t->n && t->segs[first - 1].start_ms >= 0
				   ? t->segs[first - 1].start_ms
				   : 0;
		sg.kind = yyjson_get_str(yyjson_obj_get(item, "kind"));
		sg.text = yyjson_get_str(yyjson_obj_get(item, "text"));
		sg.model = model;
		if (!sg.text)
			continue;
		int64_t id = 0;
		if ((st = tacit_store_add_suggestion(store, session_id, &sg, &id)) != TACIT_OK)
			break;
		if (!res->id)
			res->id = id;
	}
	yyjson_doc_free(doc);
	return st;
}

enum tacit_status tacit_session_task(struct tacit_store *store, int64_t session_id, struct tacit_llm *llm,
				     const struct tacit_session_task_params *params,
				     struct tacit_session_task_result *out)
{
	struct tacit_transcript *t = NULL;
	struct tacit_meeting_params mp;
	struct tacit_llm_stats last = { 0 };
	struct buf record, path;
	char key[SHA256_HEX_LEN + 1];
	bool had_state = false;
	enum tacit_status st;

	if (!store || !llm || !params || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_session_task: store, llm, params and out are required");
	memset(out, 0, sizeof(*out));
	mp = params->meeting;
	if ((unsigned)mp.task > TACIT_TASK_SUGGEST)
		return tacit_fail(TACIT_ERR_USAGE, "unknown task %d", (int)mp.task);
	buf_init(&record);
	buf_init(&path);
	if ((st = tacit_transcript_from_session(store, session_id, &t)) != TACIT_OK)
		goto out;
	const char *model_path = llm_model_path(llm);
	const char *model = params->model_name && *params->model_name ? params->model_name : strrchr(model_path, '/');
	model = model ? (model[0] == '/' ? model + 1 : model) : model_path;
	mp.state_path = NULL;
	if (params->use_state) {
		if ((st = state_key(model_path, t, &record, key)) != TACIT_OK ||
		    (st = state_path(session_id, key, &path)) != TACIT_OK)
			goto out;
		mp.state_path = path.data;
		had_state = access(path.data, R_OK) == 0;
	}
	if (params->on_status)
		params->on_status(had_state ? "using the meeting's saved transcript state"
					    : "reading the meeting's transcript",
				  mp.user);
	if ((st = meeting_run(llm, t, &mp, &out->json, &last)) != TACIT_OK) {
		if (mp.state_path && !had_state && access(mp.state_path, F_OK) == 0)
			keep_state(store, session_id, record.data, path.data, st);
		goto out;
	}
	out->state = last.state;
	out->n_reused = last.n_reused;
	if (!(out->markdown = tacit_meeting_markdown(mp.task, out->json, t))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (last.state == TACIT_STATE_SAVED) {
		remove_stale_states(session_id, path.data);
		st = tacit_store_add_model_state(store, session_id, record.data, path.data, NULL);
		if (st != TACIT_OK)
			goto out;
	}
	/* the last moment a cancel can keep the result out of the store */
	if (mp.cancel && __atomic_load_n((const int *)mp.cancel, __ATOMIC_RELAXED)) {
		st = tacit_fail(TACIT_ERR_CANCELLED, "cancelled before the %s was stored", kinds[mp.task]);
		goto out;
	}
	st = store_result(store, session_id, t, &mp, model, out);
out:
	if (st != TACIT_OK)
		tacit_session_task_result_release(out);
	tacit_transcript_free(t);
	buf_release(&path);
	buf_release(&record);
	return st;
}
