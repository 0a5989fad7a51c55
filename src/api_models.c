/*
 * api_models.c — the picker's API: the catalog scored for this machine, downloads with
 * progress as Server-Sent Events and cancel, and removal. One download thread per model
 * at most; a job stays listed after it ends so a page opened later sees the outcome.
 * Invariant: job fields change only under the api lock, and every change bumps seq and
 * wakes the streams waiting on the api condition.
 */
#include "api.h"
#include "basics.h"
#include "models.h"

#include "utf8.h"

#include <sys/statvfs.h>
#include <time.h>

#include <yyjson.h>

enum job_state { JOB_RUNNING = 0, JOB_DONE, JOB_FAILED, JOB_CANCELLED };

struct job {
	struct job *next;
	struct api *api;
	char id[72];
	char *url, *dest, *sha256;
	uint64_t bytes_total, done, total;
	bool bytes_exact; /* bytes_total is the catalog's exact size */
	double rate;
	enum job_state state;
	char message[512];
	unsigned seq;
	volatile int cancel; /* through cancel_request()/cancel_requested() only: the download thread reads it */
	pthread_t thread;
	bool joined;
};

struct jobs {
	struct job *head;
};

static const char *state_name(enum job_state s)
{
	static const char *const names[] = { "running", "done", "failed", "cancelled" };
	return names[s];
}

static struct jobs *jobs_of(struct api *api)
{
	struct jobs *j = api_models_state(api);
	if (!j && (j = calloc(1, sizeof(*j))))
		api_set_models_state(api, j);
	return j;
}

/* The job for id; the caller holds the lock. */
static struct job *job_find(struct api *api, const char *id)
{
	struct jobs *j = jobs_of(api);
	for (struct job *b = j ? j->head : NULL; b; b = b->next)
		if (!strcmp(b->id, id))
			return b;
	return NULL;
}

/* Cancels every download and waits for its thread; the jobs stay readable, since event
 * streams may still look at them until the server has stopped. */
void api_models_shutdown(struct api *api)
{
	struct jobs *j;
	pthread_t threads[64];
	size_t n;

	do {
		n = 0;
		pthread_mutex_lock(api_lock(api));
		j = api_models_state(api);
		for (struct job *b = j ? j->head : NULL; b && n < ARRAY_SIZE(threads); b = b->next) {
			cancel_request(&b->cancel);
			if (!b->joined) {
				b->joined = true;
				threads[n++] = b->thread;
			}
		}
		pthread_mutex_unlock(api_lock(api));
		for (size_t i = 0; i < n; i++)
			pthread_join(threads[i], NULL);
	} while (n == ARRAY_SIZE(threads));
}

void api_models_free(struct api *api)
{
	struct jobs *j = api_models_state(api);
	api_models_shutdown(api);
	while (j && j->head) {
		struct job *b = j->head;
		j->head = b->next;
		free(b->url);
		free(b->dest);
		free(b->sha256);
		free(b);
	}
	free(j);
	api_set_models_state(api, NULL);
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_'))
			return false;
	return true;
}

static char *model_file(const struct tacit_model_info *m)
{
	char *dir = NULL, *p = NULL;
	if (tacit_models_dir(&dir) != TACIT_OK)
		return NULL;
	if (asprintf(&p, "%s/%s", dir, m->file_name) < 0)
		p = NULL;
	tacit_free(dir);
	return p;
}

static const char *verdict_key(enum tacit_fit_verdict v)
{
	return v == TACIT_FIT_GREAT ? "great" : v == TACIT_FIT_TIGHT ? "tight" : "none";
}

static const char *kind_key(enum tacit_model_kind k)
{
	return k == TACIT_MODEL_LLM	? "llm"
	       : k == TACIT_MODEL_ASR	? "asr"
	       : k == TACIT_MODEL_SPEAKER ? "speaker"
	       : k == TACIT_MODEL_EMBED	? "embed"
					: "vad";
}

/* Adds the job's state to o; the caller holds the lock. */
static void add_job(yyjson_mut_doc *doc, yyjson_mut_val *o, const struct job *b)
{
	yyjson_mut_obj_add_strcpy(doc, o, "id", b->id);
	yyjson_mut_obj_add_str(doc, o, "state", state_name(b->state));
	yyjson_mut_obj_add_uint(doc, o, "bytes_done", b->done);
	yyjson_mut_obj_add_uint(doc, o, "bytes_total", b->total ? b->total : b->bytes_total);
	yyjson_mut_obj_add_real(doc, o, "bytes_per_s", b->rate);
	if (b->message[0])
		yyjson_mut_obj_add_strcpy(doc, o, "message", b->message);
}

/* What `tacit setup` would pick here, one per kind (tacit_models_recommend() on the
 * same probe): the Models page's Recommended badges, the first-run card and the Meeting
 * page all name these, so no two pages recommend different models. */
static void recommended(struct api *api, const struct tacit_model_info *rec[3])
{
	for (int k = 0; k < 3; k++)
		rec[k] = tacit_models_recommend(api_system(api), api_catalog(api), (enum tacit_model_kind)k);
}

/* The file each kind resolves to now (the setting, else the best downloaded), or NULL.
 * Only kinds with a downloaded catalog file are resolved: a failing resolve probes the
 * machine for its hint, too slow for every listing. */
static void in_use(struct api *api, const struct tacit_catalog *cat, const char *dir, char *paths[3])
{
	bool any[3] = { false, false, false };
	struct tacit_store *store = NULL;
	for (size_t i = 0; i < tacit_catalog_count(cat); i++) {
		const struct tacit_model_info *m = tacit_catalog_get(cat, i);
		if ((unsigned)m->kind < 3 && !any[m->kind] && tacit_model_downloaded(dir, m))
			any[m->kind] = true;
	}
	if (any[0] || any[1] || any[2])
		store = api_store(api, NULL); /* NULL: each resolve opens it, and says why it fails */
	for (int k = 0; k < 3; k++)
		if (!any[k] || models_resolve_in(store, (enum tacit_model_kind)k, NULL, &paths[k]) != TACIT_OK)
			paths[k] = NULL;
	api_store_put(api, store);
	tacit_clear_error();
}

static bool is_path_of(const char *path, const char *dir, const struct tacit_model_info *m)
{
	size_t n = dir ? strlen(dir) : 0;
	return path && n && !strncmp(path, dir, n) && path[n] == '/' && !strcmp(path + n + 1, m->file_name);
}

/* Free bytes where models go; 0 when unknown. */
static uint64_t free_bytes(const char *dir)
{
	struct statvfs v;
	return dir && statvfs(dir, &v) == 0 ? (uint64_t)v.f_bavail * v.f_frsize : 0;
}

/* A speech model's languages ("en", or "multilingual") and the speech scorer's verdict:
 * whether it keeps up with a live meeting on this machine ("live"), only with
 * recordings ("recordings") or neither ("too_slow"), with its estimated real-time factor. */
static void add_speech_fit(yyjson_mut_doc *doc, yyjson_mut_val *o, const struct tacit_system *sys,
			   const struct tacit_model_info *m)
{
	static const char *const keys[] = { "live", "recordings", "too_slow" };
	struct tacit_speech_fit f;
	yyjson_mut_obj_add_str(doc, o, "languages", m->speech.multilingual ? "multilingual" : "en");
	if (tacit_speech_score(sys, m, &f) != TACIT_OK) {
		tacit_clear_error();
		return;
	}
	yyjson_mut_obj_add_str(doc, o, "speech_verdict", keys[f.verdict]);
	yyjson_mut_obj_add_str(doc, o, "speech_verdict_text", tacit_speech_verdict_str(f.verdict));
	yyjson_mut_obj_add_real(doc, o, "rtf", f.est_rtf);
	yyjson_mut_obj_add_strcpy(doc, o, "reason", f.reason);
}

static void list_models(struct api_call *c, struct api_response *res)
{
	const struct tacit_catalog *cat = api_catalog(c->api);
	size_t n = tacit_catalog_count(cat);
	struct tacit_fit *fits = calloc(n ? n : 1, sizeof(*fits));
	char *dir = NULL, *blocking = NULL;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);

	if (!fits || !doc) {
		free(fits);
		yyjson_mut_doc_free(doc);
		api_error_msg(res, 503, "out of memory");
		return;
	}
	struct tacit_fit_params fp = tacit_fit_default_params();
	enum tacit_status st = tacit_fit_score_all(api_system(c->api), cat, &fp, fits);
	if (st == TACIT_ERR_NO_FIT)
		blocking = strdup(tacit_errmsg());
	if (tacit_models_dir(&dir) != TACIT_OK)
		dir = NULL;

	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_strcpy(doc, root, "machine", api_system(c->api)->cpu_model);
	yyjson_mut_obj_add_uint(doc, root, "n_ctx", fp.n_ctx);
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, root, "models");
	const struct tacit_model_info *rec[3];
	char *using[3];
	recommended(c->api, rec);
	in_use(c->api, cat, dir, using);
	yyjson_mut_obj_add_uint(doc, root, "free_bytes", free_bytes(dir));
	yyjson_mut_val *ids = yyjson_mut_obj_add_obj(doc, root, "recommended_ids");
	for (int k = 0; k < 3; k++)
		if (rec[k])
			yyjson_mut_obj_add_str(doc, ids, kind_key((enum tacit_model_kind)k), rec[k]->id);
		else
			yyjson_mut_obj_add_null(doc, ids, kind_key((enum tacit_model_kind)k));
	pthread_mutex_lock(api_lock(c->api));
	for (size_t i = 0; i < n; i++) {
		const struct tacit_model_info *m = tacit_catalog_get(cat, i);
		const struct tacit_fit *f = &fits[i];
		bool dl = tacit_model_downloaded(dir, m);
		if (m->archived && !dl)
			continue;
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
		yyjson_mut_obj_add_str(doc, o, "id", m->id);
		yyjson_mut_obj_add_str(doc, o, "name", m->name);
		yyjson_mut_obj_add_str(doc, o, "kind", kind_key(m->kind));
		yyjson_mut_obj_add_str(doc, o, "quant_label", m->quant_label ? m->quant_label : "");
		yyjson_mut_obj_add_uint(doc, o, "disk_bytes", m->file_bytes);
		yyjson_mut_obj_add_int(doc, o, "stars", m->stars);
		yyjson_mut_obj_add_bool(doc, o, "archived", m->archived);
		yyjson_mut_obj_add_bool(doc, o, "downloaded", dl);
		/* rec and using hold the three kinds setup picks; a speaker model has neither */
		bool picked = (unsigned)m->kind < 3;
		yyjson_mut_obj_add_bool(doc, o, "in_use", picked && dl && is_path_of(using[m->kind], dir, m));
		if (m->kind != TACIT_MODEL_LLM)
			yyjson_mut_obj_add_bool(doc, o, "recommended", picked && m == rec[m->kind]);
		if (m->kind == TACIT_MODEL_LLM) {
			yyjson_mut_obj_add_uint(doc, o, "ram_at_load_bytes", f->mem_needed);
			yyjson_mut_obj_add_str(doc, o, "verdict", verdict_key(f->verdict));
			yyjson_mut_obj_add_str(doc, o, "verdict_text", tacit_fit_verdict_str(f->verdict));
			yyjson_mut_obj_add_bool(doc, o, "slow", f->slow);
			yyjson_mut_obj_add_bool(doc, o, "recommended", m == rec[TACIT_MODEL_LLM]);
			yyjson_mut_obj_add_bool(doc, o, "listed", f->listed);
			yyjson_mut_obj_add_real(doc, o, "tokens_per_s", f->est_tokens_per_s);
			yyjson_mut_obj_add_strcpy(doc, o, "reason", f->reason);
		}
		if (m->kind == TACIT_MODEL_ASR)
			add_speech_fit(doc, o, api_system(c->api), m);
		struct job *b = job_find(c->api, m->id);
		if (b) {
			yyjson_mut_val *j = yyjson_mut_obj_add_obj(doc, o, "download");
			add_job(doc, j, b);
		}
	}
	pthread_mutex_unlock(api_lock(c->api));
	for (int k = 0; k < 3; k++)
		tacit_free(using[k]);
	if (rec[TACIT_MODEL_LLM])
		yyjson_mut_obj_add_str(doc, root, "recommended", rec[TACIT_MODEL_LLM]->id);
	else
		yyjson_mut_obj_add_null(doc, root, "recommended");
	if (blocking)
		yyjson_mut_obj_add_strcpy(doc, root, "blocking_reason", blocking);
	else
		yyjson_mut_obj_add_null(doc, root, "blocking_reason");
	api_json(res, 200, doc);
	free(blocking);
	tacit_free(dir);
	free(fits);
}

static void on_progress(uint64_t done, uint64_t total, double rate, void *user)
{
	struct job *b = user;
	pthread_mutex_lock(api_lock(b->api));
	b->done = done;
	b->total = total;
	b->rate = rate;
	b->seq++;
	pthread_cond_broadcast(api_cond(b->api));
	pthread_mutex_unlock(api_lock(b->api));
}

static void *job_main(void *arg)
{
	struct job *b = arg;
	struct tacit_download_params p = tacit_download_default_params();
	char *sha = NULL;

	p.url = b->url;
	p.dest = b->dest;
	p.expected_bytes = b->bytes_exact ? b->bytes_total : 0;
	p.expected_sha256 = b->sha256;
	p.progress = on_progress;
	p.progress_user = b;
	p.cancel = &b->cancel;
	enum tacit_status st = tacit_download(&p, &sha);
	tacit_free(sha);
	pthread_mutex_lock(api_lock(b->api));
	b->state = st == TACIT_OK ? JOB_DONE : st == TACIT_ERR_CANCELLED ? JOB_CANCELLED : JOB_FAILED;
	if (st != TACIT_OK)
		snprintf(b->message, sizeof(b->message), "%s", tacit_errmsg());
	b->seq++;
	pthread_cond_broadcast(api_cond(b->api));
	pthread_mutex_unlock(api_lock(b->api));
	return NULL;
}

static void start_pull(struct api_call *c, struct api_response *res, const struct tacit_model_info *m)
{
	struct job *b;
	if (api_no_network(c->api)) {
		api_error_msg(res, 503, "downloads are turned off in this server");
		return;
	}
	if (m->archived) {
		api_error_msg(res, 409, "model '%s' is archived and no longer offered for download", m->id);
		return;
	}
	pthread_mutex_lock(api_lock(c->api));
	b = job_find(c->api, m->id);
	if (b && b->state == JOB_RUNNING) {
		pthread_mutex_unlock(api_lock(c->api));
		api_error_msg(res, 409, "model '%s' is already downloading", m->id);
		return;
	}
	if (b) { /* an ended job: reuse its entry */
		if (!b->joined) {
			pthread_join(b->thread, NULL);
			b->joined = true;
		}
		free(b->url);
		free(b->dest);
		free(b->sha256);
	} else {
		struct jobs *j = jobs_of(c->api);
		if (!j || !(b = calloc(1, sizeof(*b)))) {
			pthread_mutex_unlock(api_lock(c->api));
			api_error_msg(res, 503, "out of memory");
			return;
		}
		b->next = j->head;
		j->head = b;
		b->api = c->api;
		snprintf(b->id, sizeof(b->id), "%s", m->id);
	}
	b->url = strdup(m->url);
	b->dest = model_file(m);
	b->sha256 = m->sha256 ? strdup(m->sha256) : NULL;
	b->bytes_total = m->file_bytes;
	b->bytes_exact = m->file_bytes_exact;
	b->done = b->total = 0;
	b->rate = 0;
	b->message[0] = '\0';
	cancel_clear(&b->cancel);
	b->state = JOB_RUNNING;
	b->joined = false;
	b->seq++;
	if (!b->url || !b->dest || pthread_create(&b->thread, NULL, job_main, b) != 0) {
		b->state = JOB_FAILED;
		b->joined = true;
		snprintf(b->message, sizeof(b->message), "cannot start the download of '%s'", m->id);
		pthread_mutex_unlock(api_lock(c->api));
		api_error_msg(res, 500, "cannot start the download of '%s'", m->id);
		return;
	}
	pthread_mutex_unlock(api_lock(c->api));
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_str(doc, root, "id", m->id);
	yyjson_mut_obj_add_str(doc, root, "state", "running");
	api_json(res, 202, doc);
}

static void cancel_pull(struct api_call *c, struct api_response *res, const struct tacit_model_info *m)
{
	pthread_mutex_lock(api_lock(c->api));
	struct job *b = job_find(c->api, m->id);
	bool running = b && b->state == JOB_RUNNING;
	if (running)
		cancel_request(&b->cancel);
	pthread_mutex_unlock(api_lock(c->api));
	if (!running) {
		api_error_msg(res, 404, "model '%s' is not downloading", m->id);
		return;
	}
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_str(doc, root, "id", m->id);
	yyjson_mut_obj_add_bool(doc, root, "cancelling", true);
	api_json(res, 202, doc);
}

static void remove_model(struct api_call *c, struct api_response *res, const struct tacit_model_info *m)
{
	uint64_t freed = 0;
	pthread_mutex_lock(api_lock(c->api));
	struct job *b = job_find(c->api, m->id);
	bool running = b && b->state == JOB_RUNNING;
	pthread_mutex_unlock(api_lock(c->api));
	if (running) {
		api_error_msg(res, 409, "model '%s' is downloading: cancel it first", m->id);
		return;
	}
	char *dest = model_file(m);
	if (!dest) {
		api_error(res, TACIT_ERR_IO);
		return;
	}
	enum tacit_status st = tacit_download_remove(dest, &freed);
	free(dest);
	if (st == TACIT_ERR_NOT_FOUND) {
		api_error_msg(res, 404, "model '%s' is not downloaded", m->id);
		return;
	}
	if (st != TACIT_OK) {
		api_error(res, st);
		return;
	}
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_str(doc, root, "id", m->id);
	yyjson_mut_obj_add_uint(doc, root, "bytes_freed", freed);
	api_json(res, 200, doc);
}

/* ---- the progress stream --------------------------------------------------------- */

struct pull_stream {
	struct api_stream base;
	struct api *api;
	char id[72];
	unsigned seen;
	bool first, ended;
	time_t last_write;
};

static int pull_read(struct api_stream *s, struct buf *out)
{
	struct pull_stream *ps = (struct pull_stream *)s;
	struct timespec until;
	int rc = 0;

	if (ps->ended)
		return -1;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	pthread_mutex_lock(api_lock(ps->api));
	struct job *b = job_find(ps->api, ps->id);
	while (b && !ps->first && b->seq == ps->seen && !api_stopping_locked(ps->api) &&
	       pthread_cond_timedwait(api_cond(ps->api), api_lock(ps->api), &until) == 0)
		b = job_find(ps->api, ps->id);
	if (!b) {
		buf_adds(out, "event: error\ndata: {\"message\":\"no download\"}\n\n");
		ps->ended = true;
		rc = 1;
	} else if (ps->first || b->seq != ps->seen) {
		yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
		yyjson_mut_val *o = yyjson_mut_obj(doc);
		yyjson_mut_doc_set_root(doc, o);
		add_job(doc, o, b);
		char *text = utf8_json_write(doc, 0, NULL);
		yyjson_mut_doc_free(doc);
		buf_addf(out, "event: %s\ndata: %s\n\n", b->state == JOB_RUNNING ? "progress" : state_name(b->state),
			 text ? text : "{}");
		free(text);
		ps->seen = b->seq;
		ps->first = false;
		ps->ended = b->state != JOB_RUNNING;
		ps->last_write = time(NULL);
		rc = 1;
	}
	pthread_mutex_unlock(api_lock(ps->api));
	if (rc == 0 && api_stopping(ps->api))
		return -1;
	if (rc == 0 && time(NULL) - ps->last_write >= 15) {
		buf_adds(out, ": keep-alive\n\n");
		ps->last_write = time(NULL);
		rc = 1;
	}
	return rc;
}

static void pull_free(struct api_stream *s)
{
	free(s);
}

static void pull_events(struct api_call *c, struct api_response *res, const struct tacit_model_info *m)
{
	pthread_mutex_lock(api_lock(c->api));
	bool known = job_find(c->api, m->id) != NULL;
	pthread_mutex_unlock(api_lock(c->api));
	if (!known) {
		api_error_msg(res, 404, "model '%s' has no download in this session", m->id);
		return;
	}
	struct pull_stream *ps = calloc(1, sizeof(*ps));
	if (!ps) {
		api_error_msg(res, 503, "out of memory");
		return;
	}
	ps->base.read = pull_read;
	ps->base.free = pull_free;
	ps->api = c->api;
	ps->first = true;
	ps->last_write = time(NULL);
	snprintf(ps->id, sizeof(ps->id), "%s", m->id);
	res->status = 200;
	res->content_type = "text/event-stream";
	res->stream = &ps->base;
}

/* GET /api/setup: the three models `tacit setup` downloads here, and whether each is. */
static void setup_plan(struct api_call *c, struct api_response *res)
{
	static const char *const kind_names[3] = { "language", "speech", "voice activity" };
	const struct tacit_model_info *rec[3];
	char *dir = NULL;
	uint64_t needed = 0;
	bool ready = true;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	recommended(c->api, rec);
	if (tacit_models_dir(&dir) != TACIT_OK)
		dir = NULL;
	tacit_clear_error();
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, root, "picks");
	for (int k = 0; k < 3; k++) {
		if (!rec[k])
			continue;
		bool dl = tacit_model_downloaded(dir, rec[k]);
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
		yyjson_mut_obj_add_str(doc, o, "kind", kind_key((enum tacit_model_kind)k));
		yyjson_mut_obj_add_str(doc, o, "kind_name", kind_names[k]);
		yyjson_mut_obj_add_str(doc, o, "id", rec[k]->id);
		yyjson_mut_obj_add_str(doc, o, "name", rec[k]->name);
		yyjson_mut_obj_add_uint(doc, o, "disk_bytes", rec[k]->file_bytes);
		yyjson_mut_obj_add_bool(doc, o, "downloaded", dl);
		if (!dl)
			needed += rec[k]->file_bytes;
		ready = ready && dl;
	}
	yyjson_mut_obj_add_uint(doc, root, "needed_bytes", needed);
	yyjson_mut_obj_add_uint(doc, root, "free_bytes", free_bytes(dir));
	yyjson_mut_obj_add_bool(doc, root, "ready", ready);
	tacit_free(dir);
	api_json(res, 200, doc);
}

bool api_models_route(struct api_call *c, struct api_response *res)
{
	const char *method = c->req->method;
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");

	if (c->n_seg == 2 && !strcmp(c->seg[1], "setup")) {
		if (!get)
			api_error_msg(res, 405, "the setup plan is read-only (POST /api/models/ID/pull downloads)");
		else
			setup_plan(c, res);
		return true;
	}
	if (c->n_seg < 2 || strcmp(c->seg[1], "models"))
		return false;
	if (c->n_seg == 2) {
		if (!get)
			api_error_msg(res, 405, "the model list is read-only");
		else
			list_models(c, res);
		return true;
	}
	if (c->n_seg > 4 || !valid_id(c->seg[2])) {
		api_error_msg(res, 400, "'%.80s' is not a model id", c->seg[2]);
		return true;
	}
	const struct tacit_model_info *m = tacit_catalog_find(api_catalog(c->api), c->seg[2]);
	if (!m) {
		api_error_msg(res, 404, "no model '%s' in the catalog", c->seg[2]);
		return true;
	}
	const char *action = c->n_seg == 4 ? c->seg[3] : "";
	if (!*action && !strcmp(method, "DELETE"))
		remove_model(c, res, m);
	else if (!strcmp(action, "pull") && !strcmp(method, "POST"))
		start_pull(c, res, m);
	else if (!strcmp(action, "cancel") && !strcmp(method, "POST"))
		cancel_pull(c, res, m);
	else if (!strcmp(action, "events") && get)
		pull_events(c, res, m);
	else
		api_error_msg(res, 405, "no %s on this model resource", method);
	return true;
}
