/*
 * live.c — live meetings, the public face: open (a new or a resumed session, the models,
 * the threads), audio and segments in, questions and suggestions asked, wait, stop, abort
 * and close. The work itself happens on the threads of live_asr.c and live_analysis.c;
 * see live_int.h for the threads, the locks and their order.
 */
#include "internal.h"

#include "engine.h"
#include "export_folder.h"

#include "live_int.h"
#include "probe.h"
#include "store.h"
#include "llm_client.h"

#include <math.h>
#include <unistd.h>

/* live.asr_backlog_ms when unset: the audio backlog that pauses the model even between
 * whisper requests. */
#define DEFAULT_BACKLOG_MS 1000

double live_setting_num(struct tacit_store *store, const char *key, double def)
{
	char *v = NULL, *end;
	double d = def;
	if (store && tacit_store_setting_get(store, key, &v) == TACIT_OK && v) {
		double x = strtod(v, &end);
		if (end != v && isfinite(x))
			d = x;
	}
	tacit_free(v);
	tacit_clear_error();
	return d;
}

bool live_setting_on(struct tacit_store *store, const char *key)
{
	char *v = NULL;
	bool on = store && tacit_store_setting_get(store, key, &v) == TACIT_OK && v &&
		  (!strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "true"));
	tacit_free(v);
	tacit_clear_error();
	return on;
}

bool live_setting_off(struct tacit_store *store, const char *key)
{
	char *v = NULL;
	bool off = store && tacit_store_setting_get(store, key, &v) == TACIT_OK && v &&
		   (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "false"));
	tacit_free(v);
	tacit_clear_error();
	return off;
}
/* ---- the public face ---------------------------------------------------------------- */

struct tacit_live_params tacit_live_default_params(void)
{
	struct tacit_live_params p = { 0 };
	p.transcribe = true;
	p.analyze = true;
	p.record_audio = true;
	p.n_channels = 1;
	p.asr_fallback = true;
	p.partial_every_ms = 1000;
	p.suggest = -1;
	return p;
}

int64_t tacit_live_session_id(const struct tacit_live *live)
{
	return live ? live->session_id : 0;
}

static bool reload_segment(const struct tacit_segment *seg, void *user)
{
	struct tacit_live *l = user;
	struct pending p = { (char *)(seg->speaker ? seg->speaker : ""), (char *)seg->text, seg->start_ms, seg->end_ms };
	l->n_segments++;
	if (l->p.analyze && live_add_to_transcript(l, &p) != TACIT_OK)
		return false;
	if (seg->end_ms > l->offset_ms)
		l->offset_ms = seg->end_ms;
	return true;
}

/* A resumed session: its segments, rolling state and where new audio goes on the timeline. */
static enum tacit_status resume(struct tacit_live *l)
{
	struct tacit_session s;
	struct tacit_audio_file *files = NULL;
	size_t n_files = 0;
	char *json = NULL;
	enum tacit_status st = tacit_store_session_get(l->seg_store, l->p.resume_id, &s);
	if (st != TACIT_OK)
		return st;
	if (s.ended_ms != 0)
		return tacit_fail(TACIT_ERR_USAGE,
				  "meeting %lld has ended: only an unfinished meeting can be resumed (see 'tacit show %lld')",
				  (long long)s.id, (long long)s.id);
	l->session_id = s.id;
	l->lang_stored = s.language[0] != '\0'; /* the first detection stands */
	if ((st = tacit_store_segments(l->seg_store, s.id, false, reload_segment, l)) != TACIT_OK)
		return st;
	if (l->p.analyze && l->t.n != (size_t)l->n_segments)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory reloading meeting %lld", (long long)s.id);
	if ((st = tacit_store_audio_files(l->seg_store, s.id, &files, &n_files)) != TACIT_OK)
		return st;
	int64_t audio_ms = 0;
	for (size_t i = 0; i < n_files; i++)
		if (files[i].sample_rate > 0 && files[i].channels > 0)
			audio_ms += files[i].data_bytes * 1000 / (2 * files[i].channels * files[i].sample_rate);
	tacit_free(files);
	if (audio_ms > l->offset_ms)
		l->offset_ms = audio_ms;
	st = tacit_store_get_artifact(l->seg_store, s.id, "rolling_summary", &json, NULL);
	if (st == TACIT_ERR_NOT_FOUND) {
		tacit_clear_error();
		return TACIT_OK;
	}
	if (st != TACIT_OK)
		return st;
	struct live_roll *r = live_roll_parse(json, &l->tp);
	tacit_free(json);
	if (r && live_roll_next_segment(r) <= (uint64_t)l->n_segments) {
		live_roll_free(l->roll);
		l->roll = r;
		l->win_first = l->warm_upto = (size_t)live_roll_next_segment(r);
	} else {
		live_roll_free(r);
		tacit_log(TACIT_LOG_WARN, "meeting %lld: its rolling summary is unreadable; starting it over",
			  (long long)s.id);
	}
	return TACIT_OK;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* given, else the device's setting engine.<kind>, into *out */
static enum tacit_status live_engine(struct tacit_live *l, const struct tacit_engine *given, const char *kind,
				     struct tacit_engine *out)
{
	if (given) {
		*out = *given;
		return TACIT_OK;
	}
	struct tacit_store *s = NULL;
	enum tacit_status st = tacit_store_open(l->store_path, &s);
	if (st == TACIT_OK)
		st = tacit_engine_from_settings(s, kind, out);
	tacit_store_close(s);
	return st;
}

/* The speech engine: the worker with asr_path, or the server of l->asr_engine. */
static enum tacit_status live_asr_open(struct tacit_live *l, const char *asr_path, const char *vad_path)
{
	struct tacit_asr_params ap = tacit_asr_default_params();
	ap.model_path = asr_path;
	ap.vad_model_path = vad_path;
	ap.n_threads = l->p.asr_threads;
	/* The live VAD runs every half second in a worker of its own beside whisper's
	 * threads: one thread, so it never makes a team of spinning threads of its own. */
	ap.vad.n_threads = 1;
	ap.temperature_fallback = l->p.asr_fallback;
	ap.engine = tacit_engine_is_remote(&l->asr_engine) ? &l->asr_engine : NULL;
	return tacit_asr_open(&ap, &l->asr);
}

enum tacit_status tacit_live_open(const struct tacit_live_params *params, struct tacit_live **out)
{
	enum tacit_status st = TACIT_OK;
	char *asr_path = NULL, *vad_path = NULL;
	struct tacit_live *l = NULL;
	if (!params || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_live_open: params and out are required");
	*out = NULL;
	if (params->n_channels != 1 && params->n_channels != 2)
		return tacit_fail(TACIT_ERR_USAGE, "a live meeting has 1 or 2 channels, not %d", params->n_channels);
	if (params->resume_id < 0)
		return tacit_fail(TACIT_ERR_USAGE, "bad meeting id %lld", (long long)params->resume_id);
	if (!(l = calloc(1, sizeof(*l))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	l->p = *params;
	pthread_mutex_init(&l->ev_mu, NULL);
	pthread_cond_init(&l->ev_cond, NULL);
	pthread_mutex_init(&l->seg_mu, NULL);
	pthread_mutex_init(&l->a_mu, NULL);
	pthread_cond_init(&l->a_cond, NULL);
	pthread_mutex_init(&l->q_mu, NULL);
	pthread_cond_init(&l->q_cond, NULL);
	l->title = dup_or_null(params->title);
	l->store_path = dup_or_null(params->store_path);
	l->sysroot = dup_or_null(params->sysroot);
	if ((st = template_find(NULL, params->template_name, &l->tp)) != TACIT_OK)
		goto fail;
	for (size_t i = 0; i < l->tp.n; i++)
		if (!strcmp(l->tp.s[i].key, "overview") && l->tp.s[i].kind != TEMPLATE_TEXT) {
			/* the rolling state rewrites the meeting's overview as text at each fold */
			st = tacit_fail(TACIT_ERR_UNSUPPORTED,
					"template '%s': its section 'overview' is a %s; a meeting's summary is folded "
					"only with a text overview (rename that section's key)",
					l->tp.name, template_kind_name(l->tp.s[i].kind));
			goto fail;
		}
	const char *lang = params->output_language;
	if (lang && strlen(lang) >= sizeof(l->out_lang)) {
		st = tacit_fail(TACIT_ERR_USAGE, "'%.40s...' is not a language", lang);
		goto fail;
	}
	snprintf(l->out_lang, sizeof(l->out_lang), "%s", lang && strcmp(lang, "auto") ? lang : "");
	l->roll = live_roll_new(&l->tp);
	if ((params->title && !l->title) || (params->store_path && !l->store_path) ||
	    (params->sysroot && !l->sysroot) || !l->roll) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto fail;
	}
	l->p.title = l->title;
	l->p.store_path = l->store_path;
	l->p.sysroot = l->sysroot;
	l->p.template_name = l->tp.name;
	l->p.output_language = l->out_lang;

	struct tacit_probe_params pp = tacit_probe_default_params();
	pp.sysroot = l->sysroot;
	pp.bandwidth = 0;
	pp.devices = false;
	if (tacit_system_probe(&pp, &l->sys) != TACIT_OK || l->sys.n_cores_usable < 1)
		l->sys.n_cores_usable = 1;

	/* where the language model runs: the caller's engine, else the device's setting */
	if (params->analyze && (st = live_engine(l, params->engine, "llm", &l->engine)) != TACIT_OK)
		goto fail;
	/* and speech: the caller's, else engine.asr */
	if (params->transcribe && (st = live_engine(l, params->asr_engine, "asr", &l->asr_engine)) != TACIT_OK)
		goto fail;
	bool asr_remote = tacit_engine_is_remote(&l->asr_engine);
	/* models first: a missing one fails before a session is created */
	if (params->analyze && !tacit_engine_is_remote(&l->engine) &&
	    (st = tacit_model_resolve(TACIT_MODEL_LLM, params->llm_model, &l->llm_path)) != TACIT_OK)
		goto fail;
	if (params->transcribe) {
		if (!asr_remote && (st = tacit_model_resolve(TACIT_MODEL_ASR, params->asr_model, &asr_path)) != TACIT_OK)
			goto fail;
		if ((st = tacit_model_resolve(TACIT_MODEL_VAD, params->vad_model, &vad_path)) != TACIT_OK)
			goto fail;
	}
	char remote_name[800] = "";
	if (tacit_engine_is_remote(&l->engine)) {
		char host[256];
		engine_host(&l->engine, host, sizeof(host));
		snprintf(remote_name, sizeof(remote_name), "%s on %s", l->engine.model[0] ? l->engine.model : "server model",
			 host);
	}
	if (!(l->model_name = strdup(remote_name[0] ? remote_name : l->llm_path ? base_name(l->llm_path) : ""))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto fail;
	}

	if ((st = tacit_store_open(l->store_path, &l->seg_store)) != TACIT_OK)
		goto fail;
	/* speech before the session: a server that does not answer fails here, and the
	 * session records which one transcribes */
	if (params->transcribe && (st = live_asr_open(l, asr_path, vad_path)) != TACIT_OK)
		goto fail;
	if (params->resume_id) {
		if ((st = resume(l)) != TACIT_OK)
			goto fail;
		if (l->offset_ms > 0)
			l->offset_ms += 1000; /* a visible gap where the meeting was interrupted */
	} else {
		struct tacit_session_params sp = tacit_session_default_params();
		char models[512];
		const char *speech = !l->asr ? NULL : asr_label(l->asr) ? asr_label(l->asr) : base_name(asr_path);
		snprintf(models, sizeof(models), "%s%s%s", l->model_name, speech ? " + " : "", speech ? speech : "");
		sp.title = l->title;
		sp.models = models;
		if ((st = tacit_store_session_create(l->seg_store, &sp, &l->session_id)) != TACIT_OK)
			goto fail;
	}

	if (params->transcribe) {
		l->gate_on = !live_setting_off(l->seg_store, "live.asr_first");
		l->gate_backlog_ms =
			live_backlog_limit(live_setting_num(l->seg_store, "live.asr_backlog_ms", DEFAULT_BACKLOG_MS));
		/* a meeting left running stops itself; a resumed one counts its audio before */
		l->max_audio_ms = live_max_audio_ms(live_setting_num(l->seg_store, "live.max_minutes", 0));
		int64_t left_ms = l->max_audio_ms - l->offset_ms;
		l->a_limit_frames = left_ms > 0 ? left_ms * (TACIT_AUDIO_RATE / 1000) : 1;
		if ((st = tacit_asr_stream_open(l->asr, params->n_channels, params->partial_every_ms > 0 ? params->partial_every_ms : 0, live_on_asr_segment, l, &l->stream)) != TACIT_OK)
			goto fail;
		if (params->record_audio &&
		    (st = tacit_recording_open(l->seg_store, l->session_id, TACIT_AUDIO_RATE, params->n_channels, &l->rec)) !=
			    TACIT_OK)
			goto fail;
		if ((st = live_diar_open(l)) != TACIT_OK)
			goto fail;
		if (pthread_create(&l->asr_thread, NULL, live_asr_main, l) != 0) {
			st = tacit_fail(TACIT_ERR_NOMEM, "cannot start the transcription thread");
			goto fail;
		}
		l->asr_started = true;
	}
	if (params->analyze) {
		if (pthread_create(&l->llm_thread, NULL, live_llm_main, l) != 0) {
			st = tacit_fail(TACIT_ERR_NOMEM, "cannot start the analysis thread");
			goto fail;
		}
		l->llm_started = true;
		pthread_mutex_lock(&l->q_mu);
		while (!l->ready)
			pthread_cond_wait(&l->q_cond, &l->q_mu);
		st = l->ready_st;
		pthread_mutex_unlock(&l->q_mu);
		if (st != TACIT_OK) {
			tacit_fail(st, "%s", l->ready_msg);
			goto fail;
		}
	}
	/* questions from other processes (tacit ask --live): a meeting goes on without them */
	if (live_listen_open(l->store_path, l->session_id, live_on_remote_question, l, &l->listener) != TACIT_OK)
		live_emit_text(l, TACIT_LIVE_WARNING, "questions from other processes are off: %s", tacit_errmsg());
	tacit_clear_error();
	free(asr_path);
	free(vad_path);
	*out = l;
	return TACIT_OK;
fail:
	{
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", tacit_errmsg());
		/* a meeting that never started is no meeting: no empty one left in the list */
		l->discard_session = !params->resume_id && l->session_id > 0;
		tacit_live_close(l);
		free(asr_path);
		free(vad_path);
		return tacit_fail(st, "%s", msg);
	}
}

enum tacit_status tacit_live_push(struct tacit_live *l, const float *pcm, size_t n_frames)
{
	if (!l || (!pcm && n_frames))
		return tacit_fail(TACIT_ERR_USAGE, "tacit_live_push: no session or no audio");
	if (!l->asr)
		return tacit_fail(TACIT_ERR_USAGE, "this live meeting takes no audio (opened without transcription)");
	size_t n = n_frames * (size_t)l->p.n_channels;
	enum tacit_status st = TACIT_OK;
	pthread_mutex_lock(&l->a_mu);
	if (l->a_err != TACIT_OK && !l->a_err_told) {
		l->a_err_told = true;
		st = tacit_fail(l->a_err, "%s", l->a_errmsg);
	} else if (l->a_limited) {
		/* past live.max_minutes: dropped, the meeting stops itself (told as an event) */
	} else if (l->a_eof) {
		st = tacit_fail(TACIT_ERR_USAGE, "the meeting is stopping: no more audio is taken");
	} else if (n) {
		if (l->a_frames + (int64_t)n_frames >= l->a_limit_frames) {
			n_frames = (size_t)(l->a_limit_frames - l->a_frames);
			n = n_frames * (size_t)l->p.n_channels;
			l->a_limited = l->a_eof = true; /* the transcription thread finishes, then stops it */
			pthread_cond_broadcast(&l->a_cond);
		}
		if (l->aq_head > 0 && l->aq_head + l->aq_len + n > l->aq_alloc) {
			memmove(l->aq, l->aq + l->aq_head, l->aq_len * sizeof(float));
			l->aq_head = 0;
		}
		if (l->aq_len + n > l->aq_alloc) {
			size_t want = l->aq_alloc ? l->aq_alloc * 2 : (size_t)TACIT_AUDIO_RATE * 4;
			while (want < l->aq_len + n)
				want *= 2;
			float *q = realloc(l->aq, want * sizeof(float));
			if (!q)
				st = tacit_fail(TACIT_ERR_NOMEM, "out of memory queueing audio");
			else {
				l->aq = q;
				l->aq_alloc = want;
			}
		}
		if (st == TACIT_OK) {
			memcpy(l->aq + l->aq_head + l->aq_len, pcm, n * sizeof(float));
			l->aq_len += n;
			l->a_frames += (int64_t)n_frames;
			pthread_cond_signal(&l->a_cond);
		}
	}
	pthread_mutex_unlock(&l->a_mu);
	return st;
}

enum tacit_status tacit_live_add_segment(struct tacit_live *l, const struct tacit_segment *seg)
{
	if (!l || !seg || !seg->text)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_live_add_segment: no session or no segment");
	if (seg->end_ms < seg->start_ms)
		return tacit_fail(TACIT_ERR_USAGE, "a segment cannot end (%lld ms) before it starts (%lld ms)",
				  (long long)seg->end_ms, (long long)seg->start_ms);
	pthread_mutex_lock(&l->q_mu);
	bool stopped = l->stop_req || l->done;
	pthread_mutex_unlock(&l->q_mu);
	if (stopped)
		return tacit_fail(TACIT_ERR_USAGE, "the meeting has stopped: no more segments are taken");
	return live_accept_final(l, seg->speaker, seg->text, seg->start_ms, seg->end_ms, seg->confidence);
}

enum tacit_status tacit_live_suggest(struct tacit_live *l)
{
	if (!l || !l->llm_started)
		return tacit_fail(TACIT_ERR_USAGE, "suggestions need a language model");
	pthread_mutex_lock(&l->q_mu);
	l->suggest_req = true; /* one queued request: a newer one replaces it */
	l->idle = false;
	pthread_cond_broadcast(&l->q_cond);
	pthread_mutex_unlock(&l->q_mu);
	return TACIT_OK;
}

enum tacit_status tacit_live_ask(struct tacit_live *l, const char *question, uint64_t *out_request_id)
{
	if (!l || !l->llm_started)
		return tacit_fail(TACIT_ERR_USAGE, "questions need a language model");
	if (!question || !*question)
		return tacit_fail(TACIT_ERR_USAGE, "no question given");
	return live_enqueue_ask(l, question, NULL, out_request_id);
}

static bool deadline_passed(const struct timespec *dl)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec > dl->tv_sec || (now.tv_sec == dl->tv_sec && now.tv_nsec >= dl->tv_nsec);
}

enum tacit_status tacit_live_wait_idle(struct tacit_live *l, int timeout_ms)
{
	struct timespec dl;
	int rc = 0;
	if (!l)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_live_wait_idle: no session");
	clock_gettime(CLOCK_REALTIME, &dl);
	if (timeout_ms >= 0) {
		dl.tv_sec += timeout_ms / 1000;
		dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
	}
	if (l->asr_started) {
		pthread_mutex_lock(&l->a_mu);
		while ((l->aq_len || l->a_busy) && !l->a_eof && rc == 0)
			rc = timeout_ms < 0 ? pthread_cond_wait(&l->a_cond, &l->a_mu)
					    : pthread_cond_timedwait(&l->a_cond, &l->a_mu, &dl);
		pthread_mutex_unlock(&l->a_mu);
	}
	if (l->llm_started && rc == 0) {
		pthread_mutex_lock(&l->q_mu);
		while (!(l->idle && !l->n_pend && !l->asks && !l->suggest_req) && !l->done && !l->quit && rc == 0)
			rc = timeout_ms < 0 ? pthread_cond_wait(&l->q_cond, &l->q_mu)
					    : pthread_cond_timedwait(&l->q_cond, &l->q_mu, &dl);
		pthread_mutex_unlock(&l->q_mu);
	}
	if (rc != 0 || (timeout_ms >= 0 && rc != 0 && deadline_passed(&dl)))
		return tacit_fail(TACIT_ERR_CANCELLED, "the live meeting did not catch up within %d ms", timeout_ms);
	live_event_flush(l); /* what the work told is told */
	return TACIT_OK;
}

static enum tacit_status stop_aborted(struct tacit_live *l)
{
	tacit_log(TACIT_LOG_INFO, "live: stopping meeting %lld was aborted after %.0f ms", (long long)l->session_id,
		  (clock_now_s() - l->stop_t0) * 1000.0);
	return tacit_fail(TACIT_ERR_CANCELLED,
			  "stopping meeting %lld was aborted: it stays unfinished (go on with 'tacit live --resume %lld')",
			  (long long)l->session_id, (long long)l->session_id);
}

static enum tacit_status end_session(struct tacit_live *l)
{
	return tacit_store_session_end(l->seg_store, l->session_id, 0);
}

/* A stop begins: no new background work; the model call in flight is cancelled unless it
 * answers a question. A fold's call (JOB_INGEST's at the window's budget, JOB_IDLE_FOLD's)
 * is cancelled too: the stop's final call covers that window with the rest, where
 * waiting for it cost a whole generation (or two: the part, then the overview) before
 * the final call could start (live_analysis.c goes on with the segments after it). */
static void begin_stop_locked(struct tacit_live *l)
{
	l->stopping = true;
	l->stop_t0 = clock_now_s();
	l->stop_job = l->job;
	l->stop_pending = l->n_pend;
	l->suggest_req = false;
	if (l->job == JOB_SUGGEST || l->job == JOB_WARM || l->job == JOB_IDLE_FOLD || l->job == JOB_INGEST)
		cancel_request(&l->job_cancel); /* the worker stops within a decode step */
	pthread_cond_broadcast(&l->q_cond);
}

/* The stop of a meeting with no language model: the session is ended, STOPPED told. */
static enum tacit_status end_without_model(struct tacit_live *l)
{
	enum tacit_status st = live_store_retry(l, end_session); /* takes seg_mu */
	pthread_mutex_lock(&l->seg_mu);
	if (st == TACIT_OK) /* the store is seg_mu's */
		export_folder_after(l->seg_store, l->session_id);
	int64_t n_segments = l->n_segments;
	pthread_mutex_unlock(&l->seg_mu);
	if (st == TACIT_OK) {
		char json[256];
		snprintf(json, sizeof(json),
			 "{\"session\":%lld,\"segments\":%lld,\"stop_ms\":%.0f,\"stop_read_tokens\":0,"
			 "\"stop_generated_tokens\":0,\"stop_model_calls\":0,\"stop_folds\":0,\"phases\":null,"
			 "\"summary\":null}",
			 (long long)l->session_id, (long long)n_segments, (clock_now_s() - l->stop_t0) * 1000.0);
		struct tacit_live_event ev = { .type = TACIT_LIVE_STOPPED, .json = json };
		live_emit(l, &ev);
	}
	return st;
}

enum tacit_status tacit_live_stop(struct tacit_live *l, char **out_summary_json)
{
	enum tacit_status st = TACIT_OK;
	if (out_summary_json)
		*out_summary_json = NULL;
	if (!l)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_live_stop: no session");
	pthread_mutex_lock(&l->q_mu);
	if (l->user_stop) {
		pthread_mutex_unlock(&l->q_mu);
		return tacit_fail(TACIT_ERR_USAGE, "the meeting is already stopped");
	}
	l->user_stop = true;
	if (!l->stopping) /* else it stops itself (live_stop_self()): this waits for that stop */
		begin_stop_locked(l);
	pthread_mutex_unlock(&l->q_mu);

	if (l->asr_started) { /* the audio still queued becomes final segments */
		pthread_mutex_lock(&l->a_mu);
		l->a_eof = true;
		pthread_cond_broadcast(&l->a_cond);
		pthread_mutex_unlock(&l->a_mu);
		pthread_join(l->asr_thread, NULL);
		l->asr_started = false;
		/* transcription failed and no push has told it: no summary of a transcript
		 * with a hole; the meeting stays unfinished, everything so far kept */
		pthread_mutex_lock(&l->a_mu);
		enum tacit_status ast = l->a_err_told || l->a_disk_full ? TACIT_OK : l->a_err;
		l->a_err_told = true;
		pthread_mutex_unlock(&l->a_mu);
		if (ast != TACIT_OK) {
			live_event_flush(l);
			return tacit_fail(ast, "%s", l->a_errmsg);
		}
	}
	/* every final segment is stored (and queued for the analysis) before the summary */
	st = live_held_drain(l);
	if (st != TACIT_OK && aborted(l))
		return stop_aborted(l);
	if (st != TACIT_OK)
		return st;
	live_diar_finish(l); /* the labels' last revisions come before the summary */
	if (l->llm_started) {
		pthread_mutex_lock(&l->q_mu);
		l->stop_req = true;
		pthread_cond_broadcast(&l->q_cond);
		while (!l->done && !l->quit)
			pthread_cond_wait(&l->q_cond, &l->q_mu);
		st = l->done ? l->stop_st : TACIT_ERR_CANCELLED;
		pthread_mutex_unlock(&l->q_mu);
		pthread_join(l->llm_thread, NULL);
		l->llm_started = false;
		live_event_flush(l); /* STOPPED is told before the stop returns */
		if (st != TACIT_OK && aborted(l))
			return stop_aborted(l);
		if (st != TACIT_OK)
			return tacit_fail(st, "%s", l->stop_msg);
		if (out_summary_json) {
			*out_summary_json = l->stop_summary;
			l->stop_summary = NULL;
		}
		return TACIT_OK;
	}
	if (aborted(l))
		return stop_aborted(l);
	pthread_mutex_lock(&l->q_mu);
	bool ended = l->self_ended;
	pthread_mutex_unlock(&l->q_mu);
	if (ended) { /* the transcription thread ended it (joined above) */
		live_event_flush(l);
		return l->stop_st == TACIT_OK ? TACIT_OK : tacit_fail(l->stop_st, "%s", l->stop_msg);
	}
	st = end_without_model(l);
	if (st != TACIT_OK && aborted(l))
		return stop_aborted(l);
	live_event_flush(l);
	return st;
}

void live_stop_self(struct tacit_live *l)
{
	pthread_mutex_lock(&l->q_mu);
	bool already = l->stopping;
	if (!already) {
		begin_stop_locked(l);
		l->stop_req = l->p.analyze; /* the analysis thread does the rest */
	}
	pthread_mutex_unlock(&l->q_mu);
	if (already || l->p.analyze)
		return;
	enum tacit_status st = end_without_model(l);
	pthread_mutex_lock(&l->q_mu);
	l->stop_st = st;
	if (st != TACIT_OK)
		snprintf(l->stop_msg, sizeof(l->stop_msg), "%s", tacit_errmsg());
	l->self_ended = true;
	pthread_mutex_unlock(&l->q_mu);
}

void tacit_live_abort(struct tacit_live *l)
{
	/* lock-free atomic stores only: this runs in signal handlers; the waiters poll */
	if (!l)
		return;
	cancel_request(&l->aborted);
	cancel_request(&l->job_cancel);
	cancel_request(&l->asr_cancel);
}

void tacit_live_close(struct tacit_live *l)
{
	if (!l)
		return;
	live_listen_close(l->listener); /* first: its questions end before the threads do */
	if (l->asr_started) {
		pthread_mutex_lock(&l->a_mu);
		l->a_quit = true;
		cancel_request(&l->asr_cancel);
		pthread_cond_broadcast(&l->a_cond);
		pthread_mutex_unlock(&l->a_mu);
		pthread_join(l->asr_thread, NULL);
	}
	live_diar_free(l->diar); /* before the store it writes to closes */
	l->diar = NULL;
	if (l->llm_started) {
		pthread_mutex_lock(&l->q_mu);
		l->quit = true;
		cancel_request(&l->job_cancel);
		pthread_cond_broadcast(&l->q_cond);
		pthread_mutex_unlock(&l->q_mu);
		pthread_join(l->llm_thread, NULL);
	}
	live_event_flush(l); /* a thread delivering events is done with them */
	tacit_llm_close(l->llm); /* stops the worker for good */
	tacit_recording_close(l->rec);
	live_held_release(l); /* after an aborted stop its journal keeps what still waits */
	if (l->discard_session && tacit_store_session_delete(l->seg_store, l->session_id) != TACIT_OK)
		tacit_log(TACIT_LOG_WARN, "the meeting that failed to start is left behind: %s", tacit_errmsg());
	tacit_asr_stream_close(l->stream);
	tacit_asr_close(l->asr);
	tacit_store_close(l->llm_store);
	tacit_store_close(l->seg_store);
	for (size_t i = 0; i < l->n_pend; i++) {
		free(l->pend[i].speaker);
		free(l->pend[i].text);
	}
	free(l->pend);
	while (l->asks) {
		struct ask *a = l->asks;
		l->asks = a->next;
		live_free_ask(a);
	}
	for (size_t i = 0; i < l->t.n; i++) {
		free(l->t.segs[i].speaker);
		free(l->t.segs[i].text);
	}
	free(l->t.segs);
	free(l->tok);
	live_roll_free(l->roll);
	free(l->aq);
	free(l->stop_summary);
	free(l->llm_path);
	free(l->model_name);
	free(l->title);
	free(l->store_path);
	free(l->sysroot);
	live_event_discard(l);
	pthread_mutex_destroy(&l->ev_mu);
	pthread_cond_destroy(&l->ev_cond);
	pthread_mutex_destroy(&l->seg_mu);
	pthread_mutex_destroy(&l->a_mu);
	pthread_cond_destroy(&l->a_cond);
	pthread_mutex_destroy(&l->q_mu);
	pthread_cond_destroy(&l->q_cond);
	free(l);
}

