/*
 * session_task.c — meeting tasks on a stored session: loads the transcript from the
 * store, keys the saved transcript state of each window of the plan to (model file,
 * prompt version, that window's text), ranks the segments against a question with the
 * search index, runs the task and stores what it produced (artifact, chat, suggestions).
 * Invariants: a state file's name carries its key, so a file is loaded only for the exact
 * model, prompt and window text that made it (the worker re-checks its tokens besides);
 * after a run the session keeps exactly the state files of the plan it ran with, each
 * recorded in the store, and every other state file of the session is removed. A
 * cancelled task stores no result.
 */
#include "internal.h"

#include "basics.h"
#include "export_folder.h"
#include "hash.h"
#include "meeting.h"
#include "store.h"
#include "transcript.h"
#include "llm_client.h"
#include "utf8.h"

#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yyjson.h>

static const char USING_STATE[] = "using the meeting's saved transcript state";
static const char READING[] = "reading the meeting's transcript";
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

/* The session's window states: what every state depends on besides its window's text,
 * and each window of the plan as meeting_run() names and reports it. */
struct windows {
	int64_t session_id;
	char model[PATH_MAX];
	long long bytes, mtime_ns;
	struct buf dir; /* <cache>/kv */
	struct window_state {
		char *path, *record;
		enum tacit_state_use use;
	} *w;
	size_t n, alloc;
	void (*on_status)(const char *text, void *user); /* told once, at the first window */
	void *status_user;
};

static enum tacit_status windows_init(struct windows *ws, int64_t session_id, const char *model_path)
{
	struct stat sb;
	char *cache = NULL;
	memset(ws, 0, sizeof(*ws));
	buf_init(&ws->dir);
	ws->session_id = session_id;
	if (!realpath(model_path, ws->model) || stat(ws->model, &sb) != 0)
		return tacit_fail_errno(TACIT_ERR_NOT_FOUND, "cannot read model '%s'", model_path);
	ws->bytes = (long long)sb.st_size;
	ws->mtime_ns = (long long)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	enum tacit_status st = tacit_dir_path(TACIT_DIR_CACHE, &cache);
	if (st != TACIT_OK)
		return st;
	buf_addf(&ws->dir, "%s/kv", cache);
	tacit_free(cache);
	if (ws->dir.failed)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (mkdir(ws->dir.data, 0700) != 0 && errno != EEXIST)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot create '%s'", ws->dir.data);
	return TACIT_OK;
}

static void windows_release(struct windows *ws)
{
	for (size_t i = 0; i < ws->n; i++) {
		free(ws->w[i].path);
		free(ws->w[i].record);
	}
	free(ws->w);
	buf_release(&ws->dir);
}

/* meeting_states.path: <cache>/kv/session-<id>-<key16>.kv, where the key hashes the
 * record kept in the store: the model file (path, size, mtime), the prompt version and
 * the window text's sha256. */
static bool window_path(void *user, const char *body, struct buf *out)
{
	struct windows *ws = user;
	char text_hash[SHA256_HEX_LEN + 1], key[SHA256_HEX_LEN + 1];
	struct sha256 h;
	if (ws->n == ws->alloc) {
		size_t na = ws->alloc ? ws->alloc * 2 : 4;
		struct window_state *w = realloc(ws->w, na * sizeof(*w));
		if (!w)
			return false;
		ws->w = w;
		ws->alloc = na;
	}
	if (!sha256_init(&h))
		return false;
	sha256_update(&h, body, strlen(body));
	sha256_final(&h, text_hash);
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_str(doc, o, "model", ws->model);
	yyjson_mut_obj_add_int(doc, o, "bytes", ws->bytes);
	yyjson_mut_obj_add_int(doc, o, "mtime_ns", ws->mtime_ns);
	yyjson_mut_obj_add_str(doc, o, "prompt_version", TACIT_PROMPT_VERSION);
	yyjson_mut_obj_add_str(doc, o, "transcript_sha256", text_hash);
	char *record = utf8_json_write(doc, 0, NULL);
	yyjson_mut_doc_free(doc);
	if (!record || !sha256_init(&h)) {
		free(record);
		return false;
	}
	sha256_update(&h, record, strlen(record));
	sha256_final(&h, key);
	buf_addf(out, "%s/session-%lld-%.16s.kv", ws->dir.data, (long long)ws->session_id, key);
	char *path = strdup(out->data);
	if (out->failed || !path) {
		free(path);
		free(record);
		return false;
	}
	if (ws->n == 0 && ws->on_status)
		ws->on_status(access(path, R_OK) == 0 ? USING_STATE : READING, ws->status_user);
	ws->w[ws->n++] = (struct window_state){ path, record, TACIT_STATE_NONE };
	return true;
}

/* meeting_states.report */
static void window_report(void *user, const char *path, enum tacit_state_use use)
{
	struct windows *ws = user;
	for (size_t i = 0; i < ws->n; i++)
		if (!strcmp(ws->w[i].path, path))
			ws->w[i].use = use;
}

/* Records the states saved by this run and removes the session's other ones (rows and
 * files, also files no row names: a crash between writing and recording). A failure
 * here is a cache problem: logged, never the task's failure. */
static void windows_settle(struct windows *ws, struct tacit_store *store)
{
	const char **keep = calloc(ws->n ? ws->n : 1, sizeof(*keep));
	char prefix[64];
	if (!keep)
		return;
	for (size_t i = 0; i < ws->n; i++) {
		keep[i] = ws->w[i].path;
		/* saved by this run, also when it failed or was cancelled before reporting */
		bool saved = ws->w[i].use == TACIT_STATE_SAVED ||
			     (ws->w[i].use == TACIT_STATE_NONE && access(ws->w[i].path, F_OK) == 0);
		if (saved && tacit_store_add_model_state(store, ws->session_id, ws->w[i].record, ws->w[i].path, NULL) != TACIT_OK) {
			tacit_log(TACIT_LOG_WARN, "cannot record the transcript state '%s': %s", ws->w[i].path,
				  tacit_errmsg());
			unlink(ws->w[i].path);
		}
	}
	if (store_model_states_keep(store, ws->session_id, keep, ws->n) != TACIT_OK)
		tacit_log(TACIT_LOG_WARN, "cannot remove superseded transcript states: %s", tacit_errmsg());
	snprintf(prefix, sizeof(prefix), "session-%lld-", (long long)ws->session_id);
	DIR *d = opendir(ws->dir.data);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		struct buf path;
		bool kept = false;
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		buf_init(&path);
		buf_addf(&path, "%s/%s", ws->dir.data, e->d_name);
		for (size_t i = 0; i < ws->n && !kept; i++)
			kept = !strcmp(path.data, keep[i]);
		if (!kept && !path.failed && unlink(path.data) == 0)
			tacit_log(TACIT_LOG_INFO, "removed the stale transcript state '%s'", path.data);
		buf_release(&path);
	}
	if (d)
		closedir(d);
	free(keep);
}

/* Each matching segment's score goes to its place in the transcript, found through
 * the segments sorted by store id: a common word matches most segments of a long
 * meeting, and a scan per match was quadratic (minutes at 100,000 segments). */
struct relevance {
	const struct tacit_transcript *t;
	double *score;
	size_t *by_id; /* transcript indices in store-id order */
};

static int by_store_id(const void *a, const void *b, void *user)
{
	const struct tacit_transcript *t = user;
	long long x = t->segs[*(const size_t *)a].store_id, y = t->segs[*(const size_t *)b].store_id;
	return (x > y) - (x < y);
}

static bool relevance_init(struct relevance *r, const struct tacit_transcript *t)
{
	r->t = t;
	r->score = calloc(t->n ? t->n : 1, sizeof(*r->score));
	r->by_id = calloc(t->n ? t->n : 1, sizeof(*r->by_id));
	if (!r->score || !r->by_id)
		return false;
	for (size_t i = 0; i < t->n; i++)
		r->by_id[i] = i;
	qsort_r(r->by_id, t->n, sizeof(*r->by_id), by_store_id, (void *)t);
	return true;
}

static void add_score(int64_t segment_id, double score, void *user)
{
	struct relevance *r = user;
	size_t lo = 0, hi = r->t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		long long id = r->t->segs[r->by_id[mid]].store_id;
		if (id == segment_id) {
			r->score[r->by_id[mid]] += score > 0 ? score : 1e-6;
			return;
		}
		if (id < segment_id)
			lo = mid + 1;
		else
			hi = mid;
	}
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
		a.template_name = mp->template_name && *mp->template_name ? mp->template_name : "general";
		st = tacit_store_add_artifact(store, session_id, &a, &res->id);
		if (st == TACIT_OK) /* made again: the note in the export folder follows */
			export_folder_after(store, session_id);
		return st;
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
	struct meeting_outcome outcome = { 0 };
	struct meeting_states states = { 0 };
	struct windows ws;
	struct relevance rel = { 0 };
	char *default_template = NULL;
	enum tacit_status st;

	if (!store || !llm || !params || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_session_task: store, llm, params and out are required");
	memset(out, 0, sizeof(*out));
	memset(&ws, 0, sizeof(ws));
	buf_init(&ws.dir);
	mp = params->meeting;
	if ((unsigned)mp.task > TACIT_TASK_SUGGEST)
		return tacit_fail(TACIT_ERR_USAGE, "unknown task %d", (int)mp.task);
	if ((st = tacit_transcript_from_session(store, session_id, &t)) != TACIT_OK)
		goto out;
	if ((mp.task == TACIT_TASK_SUMMARY || mp.task == TACIT_TASK_NOTES) && (!mp.template_name || !*mp.template_name)) {
		/* the device's default template, when one was chosen */
		if ((default_template = store_default_template(store)))
			mp.template_name = default_template;
	}
	const char *model_path = llm_model_path(llm);
	const char *model = params->model_name && *params->model_name ? params->model_name : strrchr(model_path, '/');
	model = model ? (model[0] == '/' ? model + 1 : model) : model_path;
	/* a remote engine: the stored model says where it ran ("NAME on HOST"), and the
	 * server keeps the transcript prefix in its slot instead of a state file here */
	bool remote = llm_is_remote(llm);
	bool use_state = params->use_state && !remote;
	if (remote)
		model = model_path;
	mp.state_path = NULL;
	if (use_state) {
		if ((st = windows_init(&ws, session_id, model_path)) != TACIT_OK)
			goto out;
		states.path = window_path;
		states.report = window_report;
		states.user = &ws;
		ws.on_status = params->on_status;
		ws.status_user = mp.user;
	} else if (params->on_status) {
		params->on_status(READING, mp.user);
	}
	if (mp.task == TACIT_TASK_ANSWER && mp.question) {
		if (!relevance_init(&rel, t)) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((st = store_segment_relevance(store, session_id, mp.question, add_score, &rel)) != TACIT_OK)
			goto out;
		states.relevance = rel.score;
	}
	st = meeting_run(llm, t, &mp, use_state || states.relevance ? &states : NULL, &out->json, &outcome);
	if (use_state && ws.n) {
		/* once the plan is made, also after a failure: states saved before it are
		 * kept and recorded */
		struct errsave why;
		errsave_push(&why);
		windows_settle(&ws, store);
		if (st != TACIT_OK)
			errsave_pop(&why, st);
	}
	if (st != TACIT_OK)
		goto out;
	out->n_reused = outcome.last.n_reused;
	out->n_windows = outcome.n_windows;
	out->answer_window = outcome.answer_window;
	out->states_loaded = outcome.states_loaded;
	out->states_saved = outcome.states_saved;
	out->state = outcome.n_windows == 1 ? outcome.last.state
		     : outcome.states_saved	? TACIT_STATE_SAVED
		     : outcome.states_loaded	? TACIT_STATE_LOADED
						: TACIT_STATE_NONE;
	if (!(out->markdown = tacit_meeting_markdown(mp.task, out->json, t))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* the last moment a cancel can keep the result out of the store */
	if (cancel_requested(mp.cancel)) {
		st = tacit_fail(TACIT_ERR_CANCELLED, "cancelled before the %s was stored", kinds[mp.task]);
		goto out;
	}
	st = store_result(store, session_id, t, &mp, model, out);
out:
	if (st != TACIT_OK)
		tacit_session_task_result_release(out);
	free(rel.score);
	free(rel.by_id);
	windows_release(&ws);
	tacit_transcript_free(t);
	tacit_free(default_template);
	return st;
}
