/*
 * api_live.c — the Meeting page's endpoints on tacit_live_*: start (new or resumed),
 * PCM upload (16 kHz s16le or f32le, 1 or 2 channels: Me / Them), stop (final summary
 * and notes), an event stream, chat with streamed answers and the suggestions toggle.
 * Invariants: one meeting per server; the tacit_live handle is only used by a caller
 * counted in `users` while the phase is RUNNING, and stop/close wait for users to reach
 * zero, so the handle is never freed under a request. When no page is listening and no
 * audio has come for the grace period, or the server stops, the meeting is closed for
 * real (resumable, nothing left running).
 */
#include "api.h"
#include "engine.h"
#include "models.h"
#include "store.h"
#include "basics.h"

#include "utf8.h"

#include <math.h>
#include <time.h>

#include <yyjson.h>

#define LIVE_TITLE_MAX 512
#define LIVE_QUESTION_MAX 2000
#define RING 2048                /* events kept for streams that join late or lag */
#define KEEPALIVE_TICKS 5        /* about seconds between comments on a quiet stream */
#define DEFAULT_GRACE_MS 30000   /* no page listening, no audio: then the meeting closes */
#define MAX_RESUMABLE 5

enum phase { IDLE, STARTING, RUNNING, STOPPING, CLOSING };
static const char *const phase_names[] = { "idle", "starting", "running", "stopping", "closing" };

struct live_state {
	struct api *api;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	enum phase phase;
	struct tacit_live *live;
	int64_t session;
	int n_channels;
	bool analyze;
	int users;          /* requests inside a tacit_live_* call */
	int subscribers;    /* event streams open on this meeting */
	uint64_t gen;       /* meeting number on this server: streams belong to one */
	bool ended;         /* gen's last event is in the ring */
	bool self_stopped;  /* the meeting stopped itself (live.max_minutes) while RUNNING:
			     * the watchdog thread releases it at once */
	char *ring[RING];   /* SSE frames of gen, seq % RING */
	uint64_t next_seq;
	uint64_t gen_first; /* seq of gen's first event */
	double last_audio;  /* monotonic seconds */
	int grace_ms;
	bool shutdown;
	pthread_t watchdog;
	bool watchdog_started;
	/* where the running meeting's speech and language model run: "local" or HOST[:PORT]
	 * (the settings engine.asr and engine.llm when it started) */
	char speech_host[256], llm_host[256];
};

struct live_stream {
	struct api_stream base;
	struct live_state *ls;
	uint64_t gen, next;
	int quiet;
	bool done;
};

/* ---- the event ring ------------------------------------------------------------ */

/* Appends one SSE frame (takes frame) under ls->mu. */
static void ring_put_locked(struct live_state *ls, char *frame)
{
	if (!frame)
		return;
	free(ls->ring[ls->next_seq % RING]);
	ls->ring[ls->next_seq % RING] = frame;
	ls->next_seq++;
	pthread_cond_broadcast(&ls->cond);
}

static char *sse_frame(const char *name, const char *json)
{
	char *f = NULL;
	return asprintf(&f, "event: %s\ndata: %s\n\n", name, json) < 0 ? NULL : f;
}

static const char *const event_names[] = { "partial", "final",   "summary", "suggestion", "answer_delta", "answer",
					   "status",  "warning", "stopped", "meter",      "speaker" };

/* The library's events, on its threads. */
static void on_event(const struct tacit_live_event *ev, void *user)
{
	struct live_state *ls = user;
	if ((unsigned)ev->type >= ARRAY_SIZE(event_names))
		return;
	char *json = tacit_live_event_json(ev);
	char *frame = json ? sse_frame(event_names[ev->type], json) : NULL;
	tacit_free(json);
	pthread_mutex_lock(&ls->mu);
	ring_put_locked(ls, frame);
	if (ev->type == TACIT_LIVE_STOPPED) {
		ls->ended = true;
		/* no POST /stop is waiting for it: this thread is the library's, which cannot
		 * close the meeting itself, so the watchdog does */
		if (ls->phase == RUNNING)
			ls->self_stopped = true;
	}
	pthread_mutex_unlock(&ls->mu);
}

/* The last event of a meeting that ended without TACIT_LIVE_STOPPED: "closed". */
static void put_closed_locked(struct live_state *ls, int64_t session, const char *why, bool resumable)
{
	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(d);
	yyjson_mut_doc_set_root(d, o);
	yyjson_mut_obj_add_str(d, o, "type", "closed");
	yyjson_mut_obj_add_sint(d, o, "session", session);
	yyjson_mut_obj_add_bool(d, o, "resumable", resumable);
	yyjson_mut_obj_add_strcpy(d, o, "text", why);
	char *json = utf8_json_write(d, 0, NULL);
	yyjson_mut_doc_free(d);
	if (json)
		ring_put_locked(ls, sse_frame("closed", json));
	free(json);
	ls->ended = true;
}

static int stream_read(struct api_stream *base, struct buf *out)
{
	struct live_stream *s = (struct live_stream *)base;
	struct live_state *ls = s->ls;
	int rc = 0;

	if (s->done)
		return -1;
	pthread_mutex_lock(&ls->mu);
	if (ls->shutdown || ls->gen != s->gen) {
		rc = -1;
		goto out;
	}
	if (s->next == ls->next_seq && !ls->ended) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&ls->cond, &ls->mu, &ts);
		if (ls->shutdown || ls->gen != s->gen) {
			rc = -1;
			goto out;
		}
	}
	if (ls->next_seq - s->next > RING)
		s->next = ls->next_seq - RING; /* fell behind: the oldest kept event */
	if (s->next < ls->next_seq) {
		while (s->next < ls->next_seq && out->len < 65536)
			buf_adds(out, ls->ring[s->next++ % RING]);
		s->quiet = 0;
		rc = 1;
	} else if (ls->ended) {
		rc = -1;
	} else if (++s->quiet >= KEEPALIVE_TICKS) {
		/* a write to a closed connection is how the server learns the page is gone */
		buf_adds(out, ": keep-alive\n\n");
		s->quiet = 0;
		rc = 1;
	}
out:
	pthread_mutex_unlock(&ls->mu);
	if (rc < 0)
		s->done = true;
	return rc;
}

static void stream_free(struct api_stream *base)
{
	struct live_stream *s = (struct live_stream *)base;
	pthread_mutex_lock(&s->ls->mu);
	if (s->gen == s->ls->gen)
		s->ls->subscribers--;
	pthread_cond_broadcast(&s->ls->cond);
	pthread_mutex_unlock(&s->ls->mu);
	free(s);
}

/* ---- meeting lifecycle ----------------------------------------------------------- */

/* Waits for a phase that is not in transition (IDLE or RUNNING). */
static void wait_settled_locked(struct live_state *ls)
{
	while (ls->phase == STARTING || ls->phase == STOPPING || ls->phase == CLOSING)
		pthread_cond_wait(&ls->cond, &ls->mu);
}

/* Takes the running meeting out of use: phase becomes p once no request is inside a
 * tacit_live_* call. NULL when none runs. */
static struct tacit_live *take_locked(struct live_state *ls, enum phase p)
{
	if (ls->phase != RUNNING)
		return NULL;
	ls->phase = p;
	while (ls->users > 0)
		pthread_cond_wait(&ls->cond, &ls->mu);
	return ls->live;
}

static void release_locked(struct live_state *ls)
{
	ls->live = NULL;
	ls->phase = IDLE;
	pthread_cond_broadcast(&ls->cond);
}

/* Closes the meeting without a summary (it stays resumable); why goes to the page. With
 * abort_stop, a stop under way is aborted (it returns at once, the meeting unfinished)
 * instead of waited for. */
static void close_meeting(struct live_state *ls, const char *why, bool abort_stop)
{
	pthread_mutex_lock(&ls->mu);
	if (abort_stop && ls->phase == STOPPING && ls->live)
		tacit_live_abort(ls->live); /* stop() closes it and releases the phase */
	wait_settled_locked(ls);
	struct tacit_live *l = take_locked(ls, CLOSING);
	pthread_mutex_unlock(&ls->mu);
	if (!l)
		return;
	tacit_log(TACIT_LOG_INFO, "serve: meeting %lld closed: %s", (long long)ls->session, why);
	tacit_live_close(l); /* cancels the work and stops the model worker */
	pthread_mutex_lock(&ls->mu);
	put_closed_locked(ls, ls->session, why, true);
	release_locked(ls);
	pthread_mutex_unlock(&ls->mu);
}

/* Releases a meeting that stopped itself (its summary and notes are stored, its STOPPED
 * event sent): the stop's result is taken and the handle closed, so the server is free
 * for the next meeting at once and the page reads no "closed ... can be resumed" later. */
static void release_self_stopped_locked(struct live_state *ls)
{
	ls->self_stopped = false;
	struct tacit_live *l = take_locked(ls, CLOSING);
	if (!l)
		return;
	pthread_mutex_unlock(&ls->mu);
	enum tacit_status st = tacit_live_stop(l, NULL); /* returns the self-stop's result */
	tacit_log(TACIT_LOG_INFO, "serve: meeting %lld stopped itself (%s)", (long long)ls->session,
		  tacit_status_str(st));
	tacit_live_close(l);
	pthread_mutex_lock(&ls->mu);
	release_locked(ls);
}

/* Closes a meeting nobody follows any more: a tab closed without saying so. Releases a
 * meeting that stopped itself. */
static void *watchdog_main(void *arg)
{
	struct live_state *ls = arg;
	pthread_mutex_lock(&ls->mu);
	while (!ls->shutdown) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&ls->cond, &ls->mu, &ts);
		if (!ls->shutdown && ls->self_stopped && ls->phase == RUNNING) {
			release_self_stopped_locked(ls);
			continue;
		}
		if (ls->shutdown || ls->phase != RUNNING || ls->subscribers > 0)
			continue;
		if ((clock_now_s() - ls->last_audio) * 1000.0 < ls->grace_ms)
			continue;
		pthread_mutex_unlock(&ls->mu);
		close_meeting(ls, "no page followed the meeting and no audio came: it was closed and can be resumed", false);
		pthread_mutex_lock(&ls->mu);
	}
	pthread_mutex_unlock(&ls->mu);
	return NULL;
}

enum tacit_status api_live_init(struct api *api, int grace_ms)
{
	struct live_state *ls = calloc(1, sizeof(*ls));
	if (!ls)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	ls->api = api;
	ls->grace_ms = grace_ms > 0 ? grace_ms : DEFAULT_GRACE_MS;
	pthread_mutex_init(&ls->mu, NULL);
	pthread_cond_init(&ls->cond, NULL);
	api_set_live_state(api, ls);
	return TACIT_OK;
}

void api_live_shutdown(struct api *api)
{
	struct live_state *ls = api_live_state(api);
	if (!ls)
		return;
	pthread_mutex_lock(&ls->mu);
	bool first = !ls->shutdown;
	ls->shutdown = true;
	pthread_cond_broadcast(&ls->cond);
	pthread_mutex_unlock(&ls->mu);
	if (!first)
		return;
	if (ls->watchdog_started)
		pthread_join(ls->watchdog, NULL);
	ls->watchdog_started = false;
	close_meeting(ls, "the server stopped: the meeting can be resumed", false);
}

void api_live_free(struct api *api)
{
	struct live_state *ls = api_live_state(api);
	if (!ls)
		return;
	api_live_shutdown(api);
	for (size_t i = 0; i < RING; i++)
		free(ls->ring[i]);
	pthread_cond_destroy(&ls->cond);
	pthread_mutex_destroy(&ls->mu);
	free(ls);
	api_set_live_state(api, NULL);
}

/* ---- responses ------------------------------------------------------------------- */

static yyjson_mut_doc *new_doc(yyjson_mut_val **root)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	*root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, *root);
	return doc;
}

static void ok(struct api_response *res, int http, const char *key, int64_t v)
{
	yyjson_mut_val *root;
	yyjson_mut_doc *doc = new_doc(&root);
	yyjson_mut_obj_add_int(doc, root, key, v);
	api_json(res, http, doc);
}

/* The model of kind, or why there is none, as {"path"} / {"missing"}; the choice read
 * from store (NULL: the default store). */
static bool add_model(yyjson_mut_doc *doc, yyjson_mut_val *obj, const char *key, struct tacit_store *store,
		      enum tacit_model_kind kind)
{
	char *path = NULL;
	yyjson_mut_val *m = yyjson_mut_obj_add_obj(doc, obj, key);
	enum tacit_status st = models_resolve_in(store, kind, NULL, &path);
	if (st == TACIT_OK) {
		const char *base = strrchr(path, '/');
		yyjson_mut_obj_add_strcpy(doc, m, "name", base ? base + 1 : path);
	} else {
		yyjson_mut_obj_add_strcpy(doc, m, "missing", tacit_errmsg());
	}
	tacit_free(path);
	tacit_clear_error();
	return st == TACIT_OK;
}

/* The setting engine.llm in store: where a meeting's language model runs (*where for
 * people); no store (it could not be opened): this device. */
static bool engine_remote(struct tacit_store *store, char *where, size_t len)
{
	struct tacit_engine e = tacit_engine_default();
	if (!store || tacit_engine_from_settings(store, "llm", &e) != TACIT_OK)
		e = tacit_engine_default(); /* a bad setting: the meeting's own open reports it */
	tacit_clear_error();
	tacit_engine_describe(&e, where, len);
	return tacit_engine_is_remote(&e);
}

/* Where the settings send each kind of work (kind "llm" or "asr"): "local", or the
 * server's HOST[:PORT] (tacit_engine_host(), as `tacit batch` records it); a setting that
 * cannot be read counts as local (the meeting's own open reports it). */
static void engine_at(struct tacit_store *store, const char *kind, char *out, size_t len)
{
	struct tacit_engine e = tacit_engine_default();
	if (!store || tacit_engine_from_settings(store, kind, &e) != TACIT_OK)
		e = tacit_engine_default();
	tacit_clear_error();
	tacit_engine_host(&e, out, len);
}

/* {"asr": where, "llm": where} under key in obj: the web app says "speech on HOST",
 * "summaries on HOST" or "on this device" from it. */
static void add_engines(yyjson_mut_doc *doc, yyjson_mut_val *obj, const char *key, const char *asr,
			const char *llm)
{
	yyjson_mut_val *o = yyjson_mut_obj_add_obj(doc, obj, key);
	yyjson_mut_obj_add_strcpy(doc, o, "asr", asr);
	yyjson_mut_obj_add_strcpy(doc, o, "llm", llm);
}

/* The hosts of the remote engines, "A" or "A, B"; "" when every engine is local. */
static void remote_hosts(const char *llm, const char *asr, char *out, size_t len)
{
	const char *a = strcmp(llm, "local") ? llm : "", *b = strcmp(asr, "local") ? asr : "";
	bool both = *a && *b && strcmp(a, b) != 0;
	snprintf(out, len, "%s%s%s", *a ? a : b, both ? ", " : "", both ? b : "");
}

static bool setting_on(struct tacit_store *store, const char *key)
{
	char *v = NULL;
	bool on = store && tacit_store_setting_get(store, key, &v) == TACIT_OK && v && !strcmp(v, "on");
	tacit_free(v);
	tacit_clear_error();
	return on;
}

static void status(struct live_state *ls, struct api_response *res)
{
	yyjson_mut_val *root;
	yyjson_mut_doc *doc = new_doc(&root);
	struct tacit_store *store = NULL;
	struct tacit_session *list = NULL;
	size_t n = 0;

	/* one connection for the whole answer, the server's: an open runs the quick check */
	store = api_store(ls->api, NULL);
	tacit_clear_error();
	char hosts[520], at_asr[256], at_llm[256];
	engine_at(store, "asr", at_asr, sizeof(at_asr));
	engine_at(store, "llm", at_llm, sizeof(at_llm));
	yyjson_mut_val *models = yyjson_mut_obj_add_obj(doc, root, "models");
	bool asr = true;
	if (strcmp(at_asr, "local") != 0) { /* no whisper model needed: the speech server has one */
		yyjson_mut_val *m = yyjson_mut_obj_add_obj(doc, models, "asr");
		yyjson_mut_obj_add_strcpy(doc, m, "remote", at_asr);
		yyjson_mut_obj_add_strcpy(doc, m, "name", at_asr);
	} else {
		asr = add_model(doc, models, "asr", store, TACIT_MODEL_ASR);
	}
	bool vad = add_model(doc, models, "vad", store, TACIT_MODEL_VAD);
	char where[700];
	if (engine_remote(store, where, sizeof(where))) /* nothing to find here: the server has it */
		yyjson_mut_obj_add_strcpy(doc, yyjson_mut_obj_add_obj(doc, models, "llm"), "remote", where);
	else
		add_model(doc, models, "llm", store, TACIT_MODEL_LLM);
	/* "this device", or "remote, HOST (model NAME)": the transcript goes there */
	yyjson_mut_obj_add_strcpy(doc, root, "language_model_runs", where);
	remote_hosts(at_llm, at_asr, hosts, sizeof(hosts));
	yyjson_mut_obj_add_strcpy(doc, root, "remote_hosts", hosts);
	add_engines(doc, root, "engines", at_asr, at_llm);
	yyjson_mut_obj_add_bool(doc, root, "available", asr && vad);
	if (asr && vad)
		yyjson_mut_obj_add_null(doc, root, "reason");
	else
		yyjson_mut_obj_add_str(doc, root, "reason", "a live meeting needs a speech model and a voice activity model");

	pthread_mutex_lock(&ls->mu);
	if (ls->phase == IDLE) {
		yyjson_mut_obj_add_null(doc, root, "meeting");
	} else {
		yyjson_mut_val *m = yyjson_mut_obj_add_obj(doc, root, "meeting");
		yyjson_mut_obj_add_str(doc, m, "phase", phase_names[ls->phase]);
		yyjson_mut_obj_add_int(doc, m, "session_id", ls->session);
		yyjson_mut_obj_add_int(doc, m, "channels", ls->n_channels);
		yyjson_mut_obj_add_bool(doc, m, "analysis", ls->analyze);
		add_engines(doc, m, "engines", ls->speech_host, ls->llm_host);
	}
	int64_t running = ls->phase == IDLE ? 0 : ls->session;
	pthread_mutex_unlock(&ls->mu);

	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, root, "resumable");
	if (store) {
		yyjson_mut_obj_add_bool(doc, root, "suggestions", setting_on(store, "suggestions.auto"));
		if (tacit_store_session_list(store, &list, &n) == TACIT_OK) {
			size_t k = 0;
			for (size_t i = 0; i < n && k < MAX_RESUMABLE; i++) {
				if (list[i].ended_ms != 0 || list[i].id == running)
					continue;
				yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
				yyjson_mut_obj_add_int(doc, o, "id", list[i].id);
				yyjson_mut_obj_add_strcpy(doc, o, "title", list[i].title);
				yyjson_mut_obj_add_int(doc, o, "started_ms", list[i].started_ms);
				yyjson_mut_obj_add_int(doc, o, "n_segments", list[i].n_segments);
				k++;
			}
		}
		tacit_free(list);
		api_store_put(ls->api, store);
	}
	tacit_clear_error();
	api_json(res, 200, doc);
}

static bool clean_str(yyjson_val *v, size_t max)
{
	return yyjson_is_str(v) && yyjson_get_len(v) <= max && strlen(yyjson_get_str(v)) == yyjson_get_len(v);
}

/* POST /api/meeting/start {"title"?, "channels"?: 1|2, "resume"?: ID, "partials"?: bool,
 * "template"?: NAME} */
static void start(struct live_state *ls, struct api_call *c, struct api_response *res)
{
	yyjson_doc *doc = api_body_object(c, res);
	struct tacit_live *l = NULL;
	char *llm = NULL;
	if (!doc)
		return;
	yyjson_val *root = yyjson_doc_get_root(doc);
	yyjson_val *title = yyjson_obj_get(root, "title"), *ch = yyjson_obj_get(root, "channels");
	yyjson_val *resume = yyjson_obj_get(root, "resume"), *partials = yyjson_obj_get(root, "partials");
	if (title && !clean_str(title, LIVE_TITLE_MAX)) {
		api_error_msg(res, 400, "\"title\" must be text of at most %d bytes", LIVE_TITLE_MAX);
		goto out;
	}
	if (ch && !(yyjson_is_int(ch) && (yyjson_get_sint(ch) == 1 || yyjson_get_sint(ch) == 2))) {
		api_error_msg(res, 400, "\"channels\" must be 1 (microphone) or 2 (microphone and meeting audio)");
		goto out;
	}
	if (resume && !(yyjson_is_int(resume) && yyjson_get_sint(resume) > 0)) {
		api_error_msg(res, 400, "\"resume\" must be the id of an unfinished meeting");
		goto out;
	}
	if (partials && !yyjson_is_bool(partials)) {
		api_error_msg(res, 400, "\"partials\" must be true or false");
		goto out;
	}
	/* the summary template the meeting folds with (as `tacit live --template`): refused
	 * here with the template's own message, before any model loads */
	yyjson_val *tv = yyjson_obj_get(root, "template");
	if (tv && !yyjson_is_null(tv) && !yyjson_is_str(tv)) {
		api_error_msg(res, 400, "\"template\" must be a template's name (see GET /api/templates)");
		goto out;
	}
	const char *tname = yyjson_get_str(tv);
	enum tacit_status tst;
	if (tname && *tname && (tst = tacit_template_check(tname)) != TACIT_OK) {
		api_error_http(res, 400, tst);
		goto out;
	}

	pthread_mutex_lock(&ls->mu);
	if (ls->shutdown) {
		pthread_mutex_unlock(&ls->mu);
		api_error_msg(res, 503, "the server is stopping");
		goto out;
	}
	if (ls->phase != IDLE) {
		int64_t id = ls->session;
		pthread_mutex_unlock(&ls->mu);
		api_error_msg(res, 409, "meeting %lld is already running: one live meeting at a time (stop it first)",
			      (long long)id);
		goto out;
	}
	ls->phase = STARTING;
	ls->session = 0;
	pthread_mutex_unlock(&ls->mu);

	/* no language model: a transcript-only meeting, said so in the status */
	char where[700];
	struct tacit_store *store = NULL;
	bool fallback = true;
	store = api_store(ls->api, NULL);
	bool analyze = engine_remote(store, where, sizeof(where)) ||
		       models_resolve_in(store, TACIT_MODEL_LLM, NULL, &llm) == TACIT_OK;
	char at_asr[256], at_llm[256];
	engine_at(store, "asr", at_asr, sizeof(at_asr));
	engine_at(store, "llm", at_llm, sizeof(at_llm));
	char *device_template = NULL; /* no "template": the device's default, as the CLI */
	if (store) {
		char *v = NULL;
		if (tacit_store_setting_get(store, "asr.fallback", &v) == TACIT_OK && v && !strcmp(v, "off"))
			fallback = false;
		tacit_free(v);
		if (!(tname && *tname))
			device_template = store_default_template(store);
		api_store_put(ls->api, store);
	}
	tacit_clear_error();
	struct tacit_live_params p = tacit_live_default_params();
	p.resume_id = resume ? yyjson_get_sint(resume) : 0;
	p.title = title ? yyjson_get_str(title) : NULL;
	p.n_channels = ch ? (int)yyjson_get_sint(ch) : 1;
	p.analyze = analyze;
	p.asr_fallback = fallback;
	p.template_name = tname && *tname ? tname : device_template;
	if (partials && !yyjson_get_bool(partials))
		p.partial_every_ms = 0;
	p.on_event = on_event;
	p.user = ls;
	/* speaker labels when a speaker model is installed (the meeting goes on without) */
	char *speaker_path = NULL;
	if (tacit_model_resolve(TACIT_MODEL_SPEAKER, NULL, &speaker_path) == TACIT_OK)
		p.speaker_model = speaker_path;
	tacit_clear_error();
	/* events of the opening (a resume's status) belong to the new meeting's streams */
	pthread_mutex_lock(&ls->mu);
	ls->gen++;
	ls->gen_first = ls->next_seq;
	ls->ended = false;
	ls->self_stopped = false;
	ls->subscribers = 0;
	pthread_mutex_unlock(&ls->mu);
	enum tacit_status st = tacit_live_open(&p, &l);
	tacit_free(speaker_path);
	tacit_free(device_template); /* the meeting holds its template from tacit_live_open() */

	pthread_mutex_lock(&ls->mu);
	if (st == TACIT_OK && ls->shutdown) {
		pthread_mutex_unlock(&ls->mu);
		tacit_live_close(l);
		pthread_mutex_lock(&ls->mu);
		release_locked(ls);
		pthread_mutex_unlock(&ls->mu);
		api_error_msg(res, 503, "the server is stopping");
		goto out;
	}
	if (st != TACIT_OK) {
		release_locked(ls);
		pthread_mutex_unlock(&ls->mu);
		/* a missing model is this device's state, not a bad request */
		if (st == TACIT_ERR_NOT_FOUND && !p.resume_id)
			api_error_msg(res, 409, "%s", tacit_errmsg());
		else
			api_error(res, st);
		goto out;
	}
	ls->live = l;
	ls->session = tacit_live_session_id(l);
	ls->n_channels = p.n_channels;
	ls->analyze = analyze;
	snprintf(ls->speech_host, sizeof(ls->speech_host), "%s", at_asr);
	snprintf(ls->llm_host, sizeof(ls->llm_host), "%s", at_llm);
	ls->phase = RUNNING;
	ls->last_audio = clock_now_s();
	if (!ls->watchdog_started && pthread_create(&ls->watchdog, NULL, watchdog_main, ls) == 0)
		ls->watchdog_started = true;
	pthread_cond_broadcast(&ls->cond);
	yyjson_mut_val *r;
	yyjson_mut_doc *out = new_doc(&r);
	yyjson_mut_obj_add_int(out, r, "session_id", ls->session);
	yyjson_mut_obj_add_int(out, r, "channels", ls->n_channels);
	yyjson_mut_obj_add_bool(out, r, "analysis", analyze);
	add_engines(out, r, "engines", ls->speech_host, ls->llm_host);
	pthread_mutex_unlock(&ls->mu);
	api_json(res, 201, out);
out:
	tacit_free(llm);
	yyjson_doc_free(doc);
}

/* The running meeting for one call, counted in users; NULL (and res set) when none. */
static struct tacit_live *enter(struct live_state *ls, struct api_response *res)
{
	struct tacit_live *l = NULL;
	pthread_mutex_lock(&ls->mu);
	if (ls->phase == RUNNING) {
		l = ls->live;
		ls->users++;
	} else if (ls->phase == IDLE) {
		api_error_msg(res, 409, "no meeting is running: start one first");
	} else {
		api_error_msg(res, 409, "the meeting is %s", phase_names[ls->phase]);
	}
	pthread_mutex_unlock(&ls->mu);
	return l;
}

static void leave(struct live_state *ls)
{
	pthread_mutex_lock(&ls->mu);
	ls->users--;
	pthread_cond_broadcast(&ls->cond);
	pthread_mutex_unlock(&ls->mu);
}

/* POST /api/meeting/audio?channels=1|2[&format=s16le|f32le]: interleaved 16 kHz PCM. */
static void audio(struct live_state *ls, struct api_call *c, struct api_response *res)
{
	const char *chs = api_arg(c, "channels"), *fmt = api_arg(c, "format");
	int64_t n_ch = chs ? api_parse_id(chs) : 1;
	size_t len = c->req->body_len, width;
	float *pcm = NULL;
	if (n_ch != 1 && n_ch != 2) {
		api_error_msg(res, 400, "\"channels\" must be 1 or 2");
		return;
	}
	if (!fmt || !strcmp(fmt, "s16le")) {
		width = 2;
	} else if (!strcmp(fmt, "f32le")) {
		width = 4;
	} else {
		api_error_msg(res, 400, "\"format\" must be s16le or f32le");
		return;
	}
	size_t frame = width * (size_t)n_ch;
	if (len == 0 || len % frame) {
		api_error_msg(res, 400, "the body must be whole frames of 16 kHz PCM (%zu bytes each)", frame);
		return;
	}
	struct tacit_live *l = enter(ls, res);
	if (!l)
		return;
	if (n_ch != ls->n_channels) {
		api_error_msg(res, 400, "this meeting has %d channel%s, not %d", ls->n_channels,
			      ls->n_channels == 1 ? "" : "s", (int)n_ch);
		goto out;
	}
	size_t n = len / width, n_frames = len / frame;
	if (!(pcm = malloc(n * sizeof(float)))) {
		api_error_msg(res, 503, "out of memory");
		goto out;
	}
	const unsigned char *b = (const unsigned char *)c->req->body;
	for (size_t i = 0; i < n; i++, b += width) { /* little-endian on the wire, whatever the host */
		if (width == 2) {
			pcm[i] = (float)(int16_t)(uint16_t)(b[0] | b[1] << 8) / 32768.0f;
		} else {
			uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
			float f;
			memcpy(&f, &u, sizeof(f));
			pcm[i] = isfinite(f) ? (f > 1.0f ? 1.0f : f < -1.0f ? -1.0f : f) : 0.0f;
		}
	}
	enum tacit_status st = tacit_live_push(l, pcm, n_frames);
	if (st != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	pthread_mutex_lock(&ls->mu);
	ls->last_audio = clock_now_s();
	pthread_mutex_unlock(&ls->mu);
	ok(res, 200, "frames", (int64_t)n_frames);
out:
	free(pcm);
	leave(ls);
}

/* POST /api/meeting/chat {"question"}: 202 {"request"}; the answer streams as events. */
static void chat(struct live_state *ls, struct api_call *c, struct api_response *res)
{
	yyjson_doc *doc = api_body_object(c, res);
	if (!doc)
		return;
	yyjson_val *q = yyjson_obj_get(yyjson_doc_get_root(doc), "question");
	struct tacit_live *l;
	if (!clean_str(q, LIVE_QUESTION_MAX) || yyjson_get_len(q) == 0) {
		api_error_msg(res, 400, "\"question\" must be text of 1 to %d bytes", LIVE_QUESTION_MAX);
	} else if ((l = enter(ls, res)) != NULL) {
		uint64_t id = 0;
		enum tacit_status st = ls->analyze ? tacit_live_ask(l, yyjson_get_str(q), &id) : TACIT_ERR_USAGE;
		if (!ls->analyze)
			api_error_msg(res, 409, "this meeting has no language model: choose one in Settings");
		else if (st != TACIT_OK)
			api_error(res, st);
		else
			ok(res, 202, "request", (int64_t)id);
		leave(ls);
	}
	yyjson_doc_free(doc);
}

/* POST /api/meeting/suggestions {"on": bool}: the device setting, and the one-time
 * notice when turned on ({"on", "notice": text | null}); a running meeting follows the
 * setting within seconds, and turning it on asks for suggestions now. */
static void suggestions(struct live_state *ls, struct api_call *c, struct api_response *res)
{
	yyjson_doc *doc = api_body_object(c, res);
	struct tacit_store *store = NULL;
	char *notice = NULL;
	if (!doc)
		return;
	yyjson_val *on = yyjson_obj_get(yyjson_doc_get_root(doc), "on");
	if (!yyjson_is_bool(on)) {
		api_error_msg(res, 400, "\"on\" must be true or false");
		goto out;
	}
	if (!(store = api_store(ls->api, res)))
		goto out;
	enum tacit_status st = tacit_suggestions_enable(store, yyjson_get_bool(on), &notice);
	if (st != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	pthread_mutex_lock(&ls->mu);
	if (yyjson_get_bool(on) && ls->phase == RUNNING && ls->analyze)
		tacit_live_suggest(ls->live); /* only queues: safe under the lock */
	pthread_mutex_unlock(&ls->mu);
	yyjson_mut_val *r;
	yyjson_mut_doc *out = new_doc(&r);
	yyjson_mut_obj_add_bool(out, r, "on", yyjson_get_bool(on));
	if (notice)
		yyjson_mut_obj_add_strcpy(out, r, "notice", notice);
	else
		yyjson_mut_obj_add_null(out, r, "notice");
	api_json(res, 200, out);
out:
	tacit_free(notice);
	api_store_put(ls->api, store);
	yyjson_doc_free(doc);
}

/* POST /api/meeting/stop: blocks until the final summary and notes are stored. */
static void stop(struct live_state *ls, struct api_response *res)
{
	char *summary = NULL;
	pthread_mutex_lock(&ls->mu);
	if (ls->phase != RUNNING) {
		enum phase ph = ls->phase;
		pthread_mutex_unlock(&ls->mu);
		if (ph == IDLE)
			api_error_msg(res, 409, "no meeting is running");
		else
			api_error_msg(res, 409, "the meeting is %s", phase_names[ph]);
		return;
	}
	struct tacit_live *l = take_locked(ls, STOPPING);
	int64_t id = ls->session;
	pthread_mutex_unlock(&ls->mu);
	enum tacit_status st = tacit_live_stop(l, &summary);
	struct errsave msg = { "" };
	if (st != TACIT_OK)
		errsave_push(&msg);
	pthread_mutex_lock(&ls->mu);
	ls->live = NULL; /* a close can no longer abort it: it is being freed */
	pthread_mutex_unlock(&ls->mu);
	tacit_live_close(l);
	pthread_mutex_lock(&ls->mu);
	if (st != TACIT_OK || !ls->ended) /* a stop that failed leaves the meeting unfinished */
		put_closed_locked(ls, id, st == TACIT_OK ? "the meeting ended" : msg.msg, st != TACIT_OK);
	release_locked(ls);
	pthread_mutex_unlock(&ls->mu);
	if (st != TACIT_OK) {
		tacit_fail(st, "cannot finish meeting %lld: %s (its transcript is saved)", (long long)id, msg.msg);
		api_error(res, st);
	} else {
		yyjson_mut_val *r;
		yyjson_mut_doc *out = new_doc(&r);
		yyjson_doc *sd = summary ? yyjson_read(summary, strlen(summary), 0) : NULL;
		yyjson_mut_obj_add_int(out, r, "session_id", id);
		if (sd)
			yyjson_mut_obj_add_val(out, r, "summary", yyjson_val_mut_copy(out, yyjson_doc_get_root(sd)));
		else
			yyjson_mut_obj_add_null(out, r, "summary");
		yyjson_doc_free(sd);
		api_json(res, 200, out);
	}
	tacit_free(summary);
}

/* GET /api/meeting/events: the running meeting's events from its first (as far as the
 * ring reaches), ending after "stopped" or "closed". */
static void events(struct live_state *ls, struct api_response *res)
{
	struct live_stream *s = calloc(1, sizeof(*s));
	if (!s) {
		api_error_msg(res, 503, "out of memory");
		return;
	}
	pthread_mutex_lock(&ls->mu);
	if (ls->phase == IDLE || ls->phase == STARTING) {
		pthread_mutex_unlock(&ls->mu);
		free(s);
		api_error_msg(res, 409, "no meeting is running");
		return;
	}
	s->base.read = stream_read;
	s->base.free = stream_free;
	s->ls = ls;
	s->gen = ls->gen;
	s->next = ls->next_seq - ls->gen_first > RING ? ls->next_seq - RING : ls->gen_first;
	ls->subscribers++;
	pthread_mutex_unlock(&ls->mu);
	res->stream = &s->base;
	res->status = 200;
	res->content_type = "text/event-stream";
}

bool api_live_route(struct api_call *c, struct api_response *res)
{
	struct live_state *ls = api_live_state(c->api);
	const char *m = c->req->method;
	bool get = !strcmp(m, "GET") || !strcmp(m, "HEAD"), post = !strcmp(m, "POST");
	if (c->n_seg < 2 || strcmp(c->seg[1], "meeting"))
		return false;
	const char *what = c->n_seg == 3 ? c->seg[2] : c->n_seg == 2 ? "" : NULL;
	if (!what) {
		api_error_msg(res, 404, "no such meeting call");
	} else if (!*what && get) {
		status(ls, res);
	} else if (!strcmp(what, "start") && post) {
		start(ls, c, res);
	} else if (!strcmp(what, "audio") && post) {
		audio(ls, c, res);
	} else if (!strcmp(what, "chat") && post) {
		chat(ls, c, res);
	} else if (!strcmp(what, "suggestions") && post) {
		suggestions(ls, c, res);
	} else if (!strcmp(what, "suggest") && post) {
		struct tacit_live *l = enter(ls, res);
		if (l) {
			enum tacit_status st = ls->analyze ? tacit_live_suggest(l) : TACIT_ERR_USAGE;
			if (!ls->analyze)
				api_error_msg(res, 409, "this meeting has no language model: choose one in Settings");
			else if (st != TACIT_OK)
				api_error(res, st);
			else
				ok(res, 202, "accepted", 1);
			leave(ls);
		}
	} else if (!strcmp(what, "stop") && post) {
		stop(ls, res);
	} else if (!strcmp(what, "close") && post) {
		/* the page is going away (sendBeacon): stop the work, keep the meeting resumable;
		 * a stop in progress is aborted rather than waited for */
		close_meeting(ls, "the page closed the meeting: it can be resumed", true);
		ok(res, 200, "closed", 1);
	} else if (!strcmp(what, "events") && get) {
		events(ls, res);
	} else {
		api_error_msg(res, 405, "no %s on /api/meeting/%s", m, what);
	}
	return true;
}

int64_t api_live_session(struct api *api, bool *finishing)
{
	struct live_state *ls = api_live_state(api);
	int64_t id = 0;
	*finishing = false;
	if (!ls)
		return 0;
	pthread_mutex_lock(&ls->mu);
	if (ls->phase == RUNNING || ls->phase == STOPPING || ls->phase == CLOSING) {
		id = ls->session;
		*finishing = ls->phase != RUNNING;
	}
	pthread_mutex_unlock(&ls->mu);
	return id;
}
