/*
 * live.c — live meetings: audio in, durable final segments, rolling analysis out.
 * Invariants: a final segment is committed to the store before anyone hears of it; the
 * transcription thread never waits on the language model (they share only a queue of
 * segments); the analysis prompt starts with the current window's transcript, which only
 * grows until the window is folded, so the model's cache reuse applies; the rolling state
 * in the store always covers segments [1, next_segment).
 */
#include "internal.h"

#include "asr.h"
#include "citations.h"
#include "grammar.h"
#include "live.h"
#include "live_remote.h"
#include "probe.h"
#include "store.h"
#include "transcript.h"
#include "worker.h"

#include <math.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <yyjson.h>

#define DEFAULT_MAX_TOKENS 320
#define DEFAULT_N_CTX 8192
#define MAX_WINDOW_TOKENS 6144
#define ASK_RESERVE_TOKENS 768
/* An idle meeting whose window holds more than IDLE_FOLD_TOKENS folds all but its last
 * IDLE_KEEP_TOKENS (kept verbatim for questions), so a stop finds a short window. */
#define IDLE_FOLD_TOKENS 2048
#define IDLE_KEEP_TOKENS 1024
#define PART_MAX_CHARS 60 /* the topic of the last part, written by the final call */
#define PROMPT_VERSION "live-1"
#define ASR_CHUNK_FRAMES (TACIT_AUDIO_RATE / 2)
/* Transcription first (see asr_gate()): how often a paused model's transcription thread
 * looks whether whisper is done when no audio comes, and the audio backlog that pauses the
 * model even between whisper requests (setting live.asr_backlog_ms). */
#define GATE_POLL_MS 50
#define DEFAULT_BACKLOG_MS 1000

static const char system_text[] =
	"You are a meeting assistant. Transcript lines start with a segment number like [S12]. Reply with JSON "
	"only. Every item cites, in \"cites\", the numbers of the segments it rests on (12 for [S12]).";

/* ---- settings, notice, policy ------------------------------------------------------- */

static double setting_num(struct tacit_store *store, const char *key, double def)
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

static bool setting_on(struct tacit_store *store, const char *key)
{
	char *v = NULL;
	bool on = store && tacit_store_setting_get(store, key, &v) == TACIT_OK && v &&
		  (!strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "true"));
	tacit_free(v);
	tacit_clear_error();
	return on;
}

static bool setting_off(struct tacit_store *store, const char *key)
{
	char *v = NULL;
	bool off = store && tacit_store_setting_get(store, key, &v) == TACIT_OK && v &&
		   (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "false"));
	tacit_free(v);
	tacit_clear_error();
	return off;
}

enum tacit_status tacit_suggestions_notice(struct tacit_store *store, char **out_notice)
{
	if (!store || !out_notice)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_suggestions_notice: store and out_notice are required");
	*out_notice = NULL;
	if (setting_on(store, "suggestions.notice_shown"))
		return TACIT_OK;
	enum tacit_status st = tacit_store_setting_set(store, "suggestions.notice_shown", "on");
	if (st != TACIT_OK)
		return st;
	if (!(*out_notice = strdup(TACIT_SUGGESTIONS_NOTICE)))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	return TACIT_OK;
}

enum tacit_status tacit_suggestions_enable(struct tacit_store *store, bool on, char **out_notice)
{
	char *notice = NULL;
	if (out_notice)
		*out_notice = NULL;
	if (!store)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_suggestions_enable: no store");
	enum tacit_status st = tacit_store_setting_set(store, "suggestions.auto", on ? "on" : "off");
	if (st == TACIT_OK && on)
		st = tacit_suggestions_notice(store, &notice);
	if (out_notice)
		*out_notice = notice;
	else
		free(notice);
	return st;
}

bool live_llm_must_wait(bool enabled, bool asr_busy, int64_t backlog_ms, int64_t max_backlog_ms)
{
	return enabled && (asr_busy || backlog_ms > max_backlog_ms);
}

int64_t live_backlog_limit(double setting_ms)
{
	/* the web app checks the range; a library caller may store anything */
	if (!(setting_ms > 0))
		return 0;
	return setting_ms > 600000 ? 600000 : (int64_t)setting_ms;
}

enum live_suggest_state live_suggest_decide(const struct live_policy *p, enum tacit_power power, int battery_percent,
					    double load1, int n_cores, int backoff, double *interval_s)
{
	double iv = p->interval_s > 1 ? p->interval_s : 1;
	if (power == TACIT_POWER_BATTERY)
		iv *= p->battery_factor >= 1 ? p->battery_factor : 1;
	if (backoff > 0)
		iv *= (double)(1 << (backoff > 3 ? 3 : backoff));
	*interval_s = iv;
	if (power == TACIT_POWER_BATTERY && battery_percent >= 0 && battery_percent < p->battery_min_percent)
		return LIVE_SUGGEST_PAUSED_BATTERY;
	if (load1 >= 0 && n_cores > 0 && p->max_load > 0 && load1 / n_cores > p->max_load)
		return LIVE_SUGGEST_BUSY;
	return LIVE_SUGGEST_RUN;
}

double live_loadavg(const char *sysroot)
{
	struct buf path, text;
	double load = -1;
	buf_init(&path);
	buf_init(&text);
	buf_addf(&path, "%s/proc/loadavg", sysroot && strcmp(sysroot, "/") ? sysroot : "");
	if (read_small_file(path.data, &text, 4096))
		load = strtod(text.data, NULL);
	buf_release(&path);
	buf_release(&text);
	return load;
}

/* ---- events ------------------------------------------------------------------------- */

static const char *const event_names[] = { "partial", "final",  "summary", "suggestion", "answer_delta",
					   "answer",  "status", "warning", "stopped" };

char *tacit_live_event_json(const struct tacit_live_event *ev)
{
	if (!ev || (unsigned)ev->type >= ARRAY_SIZE(event_names))
		return NULL;
	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	yyjson_doc *data = NULL;
	char *out = NULL;
	if (!d)
		return NULL;
	yyjson_mut_val *o = yyjson_mut_obj(d);
	yyjson_mut_doc_set_root(d, o);
	yyjson_mut_obj_add_str(d, o, "type", event_names[ev->type]);
	yyjson_mut_obj_add_sint(d, o, "session", ev->session_id);
	if (ev->type == TACIT_LIVE_PARTIAL || ev->type == TACIT_LIVE_FINAL) {
		if (ev->type == TACIT_LIVE_FINAL)
			yyjson_mut_obj_add_sint(d, o, "segment", ev->segment_no);
		yyjson_mut_obj_add_real(d, o, "start", (double)ev->start_ms / 1000.0);
		yyjson_mut_obj_add_real(d, o, "end", (double)ev->end_ms / 1000.0);
		yyjson_mut_obj_add_str(d, o, "speaker", ev->label ? ev->label : "");
	}
	if (ev->type == TACIT_LIVE_ANSWER || ev->type == TACIT_LIVE_ANSWER_DELTA)
		yyjson_mut_obj_add_uint(d, o, "request", ev->request_id);
	yyjson_mut_obj_add_str(d, o, "text", ev->text ? ev->text : "");
	if (ev->json && (data = yyjson_read(ev->json, strlen(ev->json), 0)) != NULL)
		yyjson_mut_obj_add_val(d, o, "data", yyjson_val_mut_copy(d, yyjson_doc_get_root(data)));
	out = yyjson_mut_write(d, 0, NULL);
	yyjson_doc_free(data);
	yyjson_mut_doc_free(d);
	return out;
}

/* ---- the session -------------------------------------------------------------------- */

enum job { JOB_NONE, JOB_INGEST, JOB_WARM, JOB_ASK, JOB_SUGGEST, JOB_IDLE_FOLD, JOB_FINAL };

struct pending {
	char *speaker, *text;
	int64_t start_ms, end_ms;
};

/* A question from another process (live_remote.c): the connection's thread waits on it
 * while the analysis thread answers; each holds a reference. */
struct remote {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int refs;
	struct buf pending; /* answer text not yet sent to the client */
	bool started, done, abandoned;
	enum tacit_status st;
	char *json;
	char msg[512];
};

struct ask {
	uint64_t id;
	char *question;
	struct remote *remote; /* NULL: asked with tacit_live_ask(), answered as events */
	struct ask *next;
};

struct tacit_live {
	struct tacit_live_params p;
	char *title, *store_path, *sysroot, *model_name;
	int64_t session_id;
	int64_t offset_ms; /* session time of the first frame pushed now */
	struct tacit_system sys;

	pthread_mutex_t ev_mu; /* one callback at a time */

	pthread_mutex_t seg_mu; /* seg_store, rec, n_segments */
	struct tacit_store *seg_store;
	struct tacit_recording *rec;
	int64_t n_segments;

	pthread_mutex_t a_mu; /* the audio queue */
	pthread_cond_t a_cond;
	float *aq;
	size_t aq_head, aq_len, aq_alloc; /* floats */
	bool a_eof, a_busy, a_quit;
	enum tacit_status a_err;
	char a_errmsg[512];
	bool a_err_told;
	pthread_t asr_thread;
	bool asr_started;
	bool lang_stored; /* the session's language is known (asr thread) */
	struct tacit_asr *asr;
	struct tacit_asr_stream *stream;
	int asr_cancel; /* atomic */
	/* transcription first: the model worker is paused while whisper has work */
	struct tacit_llm *gate_llm; /* atomic: set once the analysis thread has opened it */
	bool gate_on, gate_paused;  /* gate_paused: transcription thread only */
	int64_t gate_backlog_ms;
	uint64_t n_gate_pauses;

	pthread_mutex_t q_mu; /* everything the analysis thread is asked to do */
	pthread_cond_t q_cond;
	struct pending *pend;
	size_t n_pend, pend_alloc;
	struct ask *asks, *asks_tail;
	uint64_t next_ask_id;
	bool suggest_req, stopping, stop_req, quit, done, idle, ready, llm_exited;
	enum tacit_status ready_st;
	char ready_msg[512];
	enum job job;
	int job_cancel;             /* atomic: the model call in flight stops */
	struct remote *cur_remote; /* the remote question being answered */
	int aborted;                /* atomic: tacit_live_abort() was called */
	struct live_listener *listener;
	enum tacit_status stop_st;
	char stop_msg[512];
	char *stop_summary;
	double stop_t0;
	pthread_t llm_thread;
	bool llm_started;

	/* analysis thread only */
	struct tacit_llm *llm;
	struct tacit_store *llm_store;
	char *llm_path;
	int max_tokens, budget;
	bool tiny;
	struct tacit_transcript t;
	int *tok;
	size_t win_first, warm_upto;
	int win_tokens;
	yyjson_mut_doc *roll;
	struct live_policy policy;
	bool suggest_on;
	double next_suggest;
	int backoff;
	int suggest_state; /* last told, -1 = none */
	/* what the stop did (the STOPPED event): model work from tacit_live_stop() on */
	bool stop_phase;
	long long stop_read, stop_generated;
	int stop_calls, stop_folds;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int aborted(const struct tacit_live *l)
{
	return __atomic_load_n(&l->aborted, __ATOMIC_SEQ_CST);
}

static void emit(struct tacit_live *l, struct tacit_live_event *ev)
{
	if (!l->p.on_event)
		return;
	ev->session_id = l->session_id;
	if (!ev->text)
		ev->text = "";
	if (!ev->label)
		ev->label = "";
	pthread_mutex_lock(&l->ev_mu);
	l->p.on_event(ev, l->p.user);
	pthread_mutex_unlock(&l->ev_mu);
}

static void emit_text(struct tacit_live *l, enum tacit_live_event_type type, const char *fmt, ...) TACIT_PRINTF(3, 4);
static void emit_text(struct tacit_live *l, enum tacit_live_event_type type, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tacit_log(type == TACIT_LIVE_WARNING ? TACIT_LOG_WARN : TACIT_LOG_INFO, "%s", msg);
	struct tacit_live_event ev = { .type = type, .text = msg };
	emit(l, &ev);
}

static int speaker_of_label(const char *label)
{
	if (label && !strcmp(label, "Me"))
		return TACIT_SPEAKER_ME;
	if (label && !strcmp(label, "Them"))
		return TACIT_SPEAKER_THEM;
	return TACIT_SPEAKER_UNKNOWN;
}

/* Stores a final segment, announces it, and hands it to the analysis thread. */
static enum tacit_status accept_final(struct tacit_live *l, const char *label, const char *text, int64_t start_ms,
				      int64_t end_ms, float confidence)
{
	struct tacit_segment seg = { .start_ms = start_ms, .end_ms = end_ms, .speaker = label, .text = text,
				     .confidence = confidence };
	pthread_mutex_lock(&l->seg_mu);
	enum tacit_status st = tacit_store_add_segment(l->seg_store, l->session_id, &seg, NULL);
	int64_t no = st == TACIT_OK ? ++l->n_segments : 0;
	pthread_mutex_unlock(&l->seg_mu);
	if (st != TACIT_OK)
		return st;
	struct tacit_live_event ev = { .type = TACIT_LIVE_FINAL, .segment_no = no, .start_ms = start_ms,
				       .end_ms = end_ms, .speaker = speaker_of_label(label), .label = label,
				       .text = text };
	emit(l, &ev);
	if (!l->p.analyze)
		return TACIT_OK;
	pthread_mutex_lock(&l->q_mu);
	if (l->n_pend == l->pend_alloc) {
		size_t na = l->pend_alloc ? l->pend_alloc * 2 : 64;
		struct pending *p = realloc(l->pend, na * sizeof(*p));
		if (!p) {
			pthread_mutex_unlock(&l->q_mu);
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		}
		l->pend = p;
		l->pend_alloc = na;
	}
	struct pending *p = &l->pend[l->n_pend];
	p->speaker = strdup(label ? label : "");
	p->text = strdup(text);
	p->start_ms = start_ms;
	p->end_ms = end_ms;
	if (!p->speaker || !p->text) {
		free(p->speaker);
		free(p->text);
		pthread_mutex_unlock(&l->q_mu);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	l->n_pend++;
	l->idle = false;
	pthread_cond_broadcast(&l->q_cond);
	pthread_mutex_unlock(&l->q_mu);
	return TACIT_OK;
}

/* ---- transcription thread ----------------------------------------------------------- */

static bool on_asr_segment(const struct tacit_asr_segment *s, void *user)
{
	struct tacit_live *l = user;
	const char *label = tacit_speaker_name(s->speaker);
	int64_t start = s->start_ms + l->offset_ms, end = s->end_ms + l->offset_ms;
	if (!s->final) {
		struct tacit_segment seg = { .start_ms = start, .end_ms = end, .speaker = label, .text = s->text,
					     .confidence = s->confidence };
		pthread_mutex_lock(&l->seg_mu);
		tacit_store_set_partial(l->seg_store, l->session_id, &seg);
		pthread_mutex_unlock(&l->seg_mu);
		struct tacit_live_event ev = { .type = TACIT_LIVE_PARTIAL, .start_ms = start, .end_ms = end,
					       .speaker = s->speaker, .label = label, .text = s->text };
		emit(l, &ev);
		return true;
	}
	enum tacit_status st = accept_final(l, label, s->text, start, end, s->confidence);
	if (st != TACIT_OK)
		emit_text(l, TACIT_LIVE_WARNING, "cannot store a final segment: %s", tacit_errmsg());
	return true;
}

/* Transcription first. Under load, whisper's threads and the model's threads on the same
 * cores starve each other: ggml's threads wait for each other at every graph node by
 * spinning, so a team with one thread descheduled stalls while its others burn their
 * cores, and a lower priority (nice) for the model only changes the shares, not the
 * stalls; on 2 cores the transcript fell a minute behind. So the transcription thread
 * pauses the model's worker (SIGSTOP, llm_pause()) while whisper has a final request in
 * flight or queued or the audio backlog passes live.asr_backlog_ms, and resumes it when
 * they are done: the model works in the gaps and never takes a core from a final. A
 * partial (a preview, dropped when its final comes) does not pause the model, or the
 * model would hardly run while anyone speaks. A paused worker keeps its state, so no work
 * is lost; a cancel or a stop resumes it. The live VAD (this thread) runs beside the
 * model: one thread, short. With a_mu held. */
static void asr_gate(struct tacit_live *l, bool finishing)
{
	struct tacit_llm *llm = __atomic_load_n(&l->gate_llm, __ATOMIC_ACQUIRE);
	if (!llm)
		return;
	bool busy = finishing || (l->stream && asr_stream_final_pending(l->stream));
	int64_t backlog = (int64_t)(l->aq_len / (size_t)l->p.n_channels) * 1000 / TACIT_AUDIO_RATE;
	bool pause = !l->a_quit && live_llm_must_wait(l->gate_on, busy, backlog, l->gate_backlog_ms);
	if (pause && !l->gate_paused)
		l->n_gate_pauses++;
	if (pause || l->gate_paused)
		llm_pause(llm, pause); /* again while paused: a respawned worker starts running */
	l->gate_paused = pause;
}

static void asr_gate_open(struct tacit_live *l)
{
	struct tacit_llm *llm = __atomic_load_n(&l->gate_llm, __ATOMIC_ACQUIRE);
	if (llm && l->gate_paused)
		llm_pause(llm, false);
	l->gate_paused = false;
}

/* How much speech in one language makes the first confident detection. */
#define LIVE_LANG_MS 3000

/* Stores the meeting's language once whisper has decoded LIVE_LANG_MS of speech in it,
 * or, at the end, whatever it has found (as an import does). Asr thread. */
static void store_language(struct tacit_live *l, bool at_end)
{
	if (l->lang_stored || !l->asr)
		return;
	const char *lang = asr_language_settled(l->asr, at_end ? 1 : LIVE_LANG_MS);
	if (!*lang)
		return;
	pthread_mutex_lock(&l->seg_mu);
	enum tacit_status st = store_session_set_language(l->seg_store, l->session_id, lang);
	pthread_mutex_unlock(&l->seg_mu);
	if (st != TACIT_OK)
		emit_text(l, TACIT_LIVE_WARNING, "cannot store the meeting's language: %s", tacit_errmsg());
	l->lang_stored = true;
}

static void *asr_main(void *arg)
{
	struct tacit_live *l = arg;
	int ch = l->p.n_channels;
	size_t max = (size_t)ASR_CHUNK_FRAMES * (size_t)ch;
	float *chunk = malloc(max * sizeof(float));
	int16_t *pcm16 = malloc(max * sizeof(int16_t));
	enum tacit_status st = chunk && pcm16 ? TACIT_OK : tacit_fail(TACIT_ERR_NOMEM, "out of memory");

	pthread_mutex_lock(&l->a_mu);
	while (st == TACIT_OK) {
		while (l->aq_len == 0 && !l->a_eof && !l->a_quit && st == TACIT_OK) {
			if (!l->gate_paused) {
				pthread_cond_wait(&l->a_cond, &l->a_mu);
				continue;
			}
			/* the model waits: look at whisper's progress even when no audio comes */
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += GATE_POLL_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&l->a_cond, &l->a_mu, &ts) == 0 || l->aq_len || l->a_eof || l->a_quit)
				continue;
			pthread_mutex_unlock(&l->a_mu);
			st = tacit_asr_stream_push(l->stream, NULL, 0, &l->asr_cancel); /* takes whisper's results */
			pthread_mutex_lock(&l->a_mu);
			asr_gate(l, false);
		}
		if (l->a_quit || l->aq_len == 0 || st != TACIT_OK)
			break;
		size_t n = l->aq_len < max ? l->aq_len : max;
		memcpy(chunk, l->aq + l->aq_head, n * sizeof(float));
		l->aq_head += n;
		l->aq_len -= n;
		if (l->aq_len == 0)
			l->aq_head = 0;
		l->a_busy = true;
		pthread_mutex_unlock(&l->a_mu);

		size_t frames = n / (size_t)ch;
		if (l->rec) {
			for (size_t i = 0; i < frames * (size_t)ch; i++) {
				float v = chunk[i] * 32768.0f;
				pcm16[i] = (int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ? -32768 : v);
			}
			pthread_mutex_lock(&l->seg_mu);
			if (tacit_recording_write(l->rec, pcm16, frames) != TACIT_OK) {
				emit_text(l, TACIT_LIVE_WARNING, "the recording stopped: %s", tacit_errmsg());
				tacit_recording_close(l->rec);
				l->rec = NULL;
			}
			pthread_mutex_unlock(&l->seg_mu);
		}
		st = tacit_asr_stream_push(l->stream, chunk, frames, &l->asr_cancel);
		store_language(l, false);

		pthread_mutex_lock(&l->a_mu);
		asr_gate(l, false);
		l->a_busy = false;
		pthread_cond_broadcast(&l->a_cond);
	}
	bool quit = l->a_quit;
	if (st == TACIT_OK && !quit)
		asr_gate(l, true); /* the last audio is transcribed before the model goes on */
	pthread_mutex_unlock(&l->a_mu);
	if (st == TACIT_OK && !quit)
		st = tacit_asr_stream_finish(l->stream, &l->asr_cancel);
	pthread_mutex_lock(&l->a_mu);
	asr_gate_open(l);
	pthread_mutex_unlock(&l->a_mu);
	store_language(l, true);
	pthread_mutex_lock(&l->seg_mu);
	tacit_store_set_partial(l->seg_store, l->session_id, NULL);
	if (l->rec && tacit_recording_close(l->rec) != TACIT_OK && st == TACIT_OK)
		emit_text(l, TACIT_LIVE_WARNING, "cannot close the recording: %s", tacit_errmsg());
	l->rec = NULL;
	pthread_mutex_unlock(&l->seg_mu);
	pthread_mutex_lock(&l->a_mu);
	if (st != TACIT_OK && st != TACIT_ERR_CANCELLED) {
		l->a_err = st;
		snprintf(l->a_errmsg, sizeof(l->a_errmsg), "%s", tacit_errmsg());
	}
	l->a_eof = true;
	pthread_cond_broadcast(&l->a_cond);
	pthread_mutex_unlock(&l->a_mu);
	if (st != TACIT_OK && st != TACIT_ERR_CANCELLED)
		emit_text(l, TACIT_LIVE_WARNING, "transcription stopped: %s", l->a_errmsg);
	if (l->n_gate_pauses)
		tacit_log(TACIT_LOG_INFO, "live: the model waited for the transcription %llu times",
			  (unsigned long long)l->n_gate_pauses);
	free(chunk);
	free(pcm16);
	return NULL;
}

/* ---- analysis: prompts and model calls ---------------------------------------------- */

static void window_body(struct tacit_live *l, size_t first, size_t end, struct buf *user)
{
	buf_adds(user, "Transcript:\n");
	for (size_t i = first; i < end; i++)
		transcript_line(&l->t, i, user);
}

struct gen_out {
	struct tacit_live *l;
	uint64_t request_id;
	struct remote *remote;
};

static void on_answer_piece(const char *piece, size_t len, void *user)
{
	struct gen_out *g = user;
	if (g->remote) { /* to the connection's thread, which sends it on */
		struct remote *r = g->remote;
		pthread_mutex_lock(&r->mu);
		buf_add(&r->pending, piece, len);
		if (r->abandoned) /* nobody reads it: stop writing */
			__atomic_store_n(&g->l->job_cancel, 1, __ATOMIC_SEQ_CST);
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->mu);
		return;
	}
	char *s = strndup(piece, len);
	if (!s)
		return;
	struct tacit_live_event ev = { .type = TACIT_LIVE_ANSWER_DELTA, .request_id = g->request_id, .text = s };
	emit(g->l, &ev);
	free(s);
}

/* One model call with the shared system message; *out_text: caller frees. */
static enum tacit_status generate(struct tacit_live *l, const char *user, const char *grammar, int max_tokens,
				  tacit_token_fn on_token, void *tok_user, char **out_text, const char *what)
{
	struct tacit_chat_message msgs[2] = { { "system", system_text }, { "user", user } };
	struct tacit_llm_request req = tacit_llm_default_request();
	struct tacit_llm_stats stats;
	req.messages = msgs;
	req.n_messages = 2;
	req.grammar = grammar;
	req.max_tokens = max_tokens;
	enum tacit_status st = tacit_llm_generate(l->llm, &req, on_token, tok_user, &l->job_cancel, out_text, &stats);
	if (l->stop_phase) {
		l->stop_read += stats.n_prompt - stats.n_reused;
		l->stop_generated += stats.n_generated;
		l->stop_calls++;
	}
	if (st == TACIT_OK)
		tacit_log(TACIT_LOG_INFO, "live %s: %d prompt tokens (%d reused), %d generated, %.0f ms prefill, %.0f ms decode",
			  what, stats.n_prompt, stats.n_reused, stats.n_generated, stats.prefill_ms, stats.decode_ms);
	if (st == TACIT_OK && grammar && stats.finish != TACIT_FINISH_STOP && out_text) {
		/* a cut JSON is caught by the check that follows */
		tacit_log(TACIT_LOG_DEBUG, "live %s: output cut at %d tokens", what, stats.n_generated);
	}
	return st;
}

/* One task call whose output is checked; with_part (a summary only) adds a first field
 * "part", a short topic, to the schema. */
static enum tacit_status task_call(struct tacit_live *l, enum tacit_task task, bool with_part, const char *user,
				   size_t n_segments, tacit_token_fn on_token, void *tok_user, struct buf *checked,
				   const char *what)
{
	static const char root[] = "root ::= \"{\\\"title\\\":\"";
	struct grammar_limits lim;
	struct buf g;
	char *text = NULL;
	size_t bytes = (size_t)l->max_tokens * (l->tiny ? 1 : 3);
	/* the part's field comes on top of the budget (a model token is at least 3 bytes, or 1 when tiny) */
	size_t part = with_part ? sizeof("{\"part\":\"\",") + (size_t)PART_MAX_CHARS * (l->tiny ? 1 : 4) : 0;
	int extra = (int)((part + (l->tiny ? 0 : 2)) / (l->tiny ? 1 : 3));
	buf_init(&g);
	if (!grammar_limits_for(task, bytes, n_segments, l->tiny, &lim)) {
		buf_release(&g);
		return tacit_fail(TACIT_ERR_USAGE, "%d output tokens are too few for the live %s (raise live.max_tokens)",
				  l->max_tokens, what);
	}
	grammar_build(task, &lim, &g);
	char *at = with_part ? strstr(g.data, root) : NULL;
	if (at) {
		struct buf pg;
		buf_init(&pg);
		buf_add(&pg, g.data, (size_t)(at - g.data));
		buf_adds(&pg, "root ::= \"{\\\"part\\\":\" part \",\\\"title\\\":\"");
		buf_adds(&pg, at + sizeof(root) - 1);
		buf_addf(&pg, "part ::= \"\\\"\" chr{0,%d} \"\\\"\"\n", PART_MAX_CHARS);
		buf_release(&g);
		g = pg;
	}
	enum tacit_status st = generate(l, user, g.data, l->max_tokens + extra, on_token, tok_user, &text, what);
	if (st == TACIT_OK)
		st = citations_check(task, text, n_segments, checked, NULL);
	tacit_free(text);
	buf_release(&g);
	return st;
}

/* The analysis thread's copy of a segment: appended to the transcript and counted. */
static enum tacit_status add_to_transcript(struct tacit_live *l, const struct pending *p)
{
	if (l->t.n == l->t.alloc) {
		size_t na = l->t.alloc ? l->t.alloc * 2 : 256;
		struct segment *s = realloc(l->t.segs, na * sizeof(*s));
		int *tok = realloc(l->tok, na * sizeof(*tok));
		if (s)
			l->t.segs = s;
		if (tok)
			l->tok = tok;
		if (!s || !tok)
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		l->t.alloc = na;
	}
	char *text = strdup(p->text), *speaker = strdup(p->speaker);
	if (!text || !speaker) {
		free(text);
		free(speaker);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	for (char *c = text; *c; c++) /* one segment is one prompt line */
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	l->t.segs[l->t.n] = (struct segment){ p->start_ms, p->end_ms, speaker, text, 0 };
	l->tok[l->t.n] = 0;
	l->t.n++;
	return TACIT_OK;
}

static enum tacit_status count_segment(struct tacit_live *l, size_t i)
{
	struct buf line;
	buf_init(&line);
	transcript_line(&l->t, i, &line);
	enum tacit_status st = tacit_llm_count_tokens(l->llm, line.data, &l->tok[i]);
	buf_release(&line);
	return st;
}

/* ---- the rolling state -------------------------------------------------------------- */

static const char *const roll_lists[] = { "key_points", "decisions", "action_items", "open_questions" };

static yyjson_mut_doc *roll_new(void)
{
	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	if (!d)
		return NULL;
	yyjson_mut_val *o = yyjson_mut_obj(d);
	yyjson_mut_doc_set_root(d, o);
	yyjson_mut_obj_add_str(d, o, "title", "");
	yyjson_mut_obj_add_str(d, o, "overview", "");
	for (size_t i = 0; i < ARRAY_SIZE(roll_lists); i++)
		yyjson_mut_obj_add_val(d, o, roll_lists[i], yyjson_mut_arr(d));
	yyjson_mut_obj_add_val(d, o, "sections", yyjson_mut_arr(d));
	yyjson_mut_obj_add_uint(d, o, "next_segment", 0);
	yyjson_mut_obj_add_uint(d, o, "windows", 0);
	return d;
}

/* The stored state, when it has every field; NULL otherwise (start over). */
static yyjson_mut_doc *roll_parse(const char *json)
{
	yyjson_doc *doc = json ? yyjson_read(json, strlen(json), 0) : NULL;
	yyjson_val *r = yyjson_doc_get_root(doc);
	bool ok = yyjson_is_obj(r) && yyjson_is_str(yyjson_obj_get(r, "title")) &&
		  yyjson_is_str(yyjson_obj_get(r, "overview")) && yyjson_is_arr(yyjson_obj_get(r, "sections")) &&
		  yyjson_is_uint(yyjson_obj_get(r, "next_segment")) && yyjson_is_uint(yyjson_obj_get(r, "windows"));
	for (size_t i = 0; ok && i < ARRAY_SIZE(roll_lists); i++)
		ok = yyjson_is_arr(yyjson_obj_get(r, roll_lists[i]));
	yyjson_mut_doc *m = ok ? yyjson_doc_mut_copy(doc, NULL) : NULL;
	yyjson_doc_free(doc);
	return m;
}

static uint64_t roll_uint(yyjson_mut_doc *d, const char *key)
{
	return yyjson_mut_get_uint(yyjson_mut_obj_get(yyjson_mut_doc_get_root(d), key));
}

static void roll_set_uint(yyjson_mut_doc *d, const char *key, uint64_t v)
{
	yyjson_mut_val *r = yyjson_mut_doc_get_root(d);
	yyjson_mut_obj_put(r, yyjson_mut_str(d, key), yyjson_mut_uint(d, v));
}

static void roll_set_str(yyjson_mut_doc *d, const char *key, const char *v)
{
	yyjson_mut_val *r = yyjson_mut_doc_get_root(d);
	yyjson_mut_obj_put(r, yyjson_mut_str(d, key), yyjson_mut_strcpy(d, v ? v : ""));
}

static const char *roll_str(yyjson_mut_doc *d, const char *key)
{
	const char *s = yyjson_mut_get_str(yyjson_mut_obj_get(yyjson_mut_doc_get_root(d), key));
	return s ? s : "";
}

/* A copy of item whose cites are limited to [lo, hi]; NULL when none is left. */
static yyjson_mut_val *copy_cited(yyjson_mut_doc *d, yyjson_val *item, long long lo, long long hi)
{
	yyjson_mut_val *c = yyjson_val_mut_copy(d, item);
	yyjson_mut_val *cites = yyjson_mut_obj_get(c, "cites");
	if (!yyjson_mut_is_arr(cites))
		return NULL;
	for (size_t i = 0; i < yyjson_mut_arr_size(cites);) {
		long long n = yyjson_mut_get_sint(yyjson_mut_arr_get(cites, i));
		if (n < lo || n > hi)
			yyjson_mut_arr_remove(cites, i);
		else
			i++;
	}
	return yyjson_mut_arr_size(cites) ? c : NULL;
}

/* Appends the window's lists and its notes section; first/end are the window's
 * segment indices (the section is [S first+1, S end]). The section's topic is the part's
 * "part" when it has one (the final call), else its "title". */
static void roll_append(struct tacit_live *l, yyjson_val *part, size_t first, size_t end)
{
	yyjson_mut_doc *d = l->roll;
	yyjson_mut_val *r = yyjson_mut_doc_get_root(d);
	long long lo = (long long)first + 1, hi = (long long)end;
	for (size_t k = 0; k < ARRAY_SIZE(roll_lists); k++) {
		yyjson_val *arr = yyjson_obj_get(part, roll_lists[k]), *item;
		yyjson_mut_val *dst = yyjson_mut_obj_get(r, roll_lists[k]);
		size_t i, max;
		yyjson_arr_foreach(arr, i, max, item)
		{
			yyjson_mut_val *c = copy_cited(d, item, lo, hi);
			if (c)
				yyjson_mut_arr_append(dst, c);
		}
	}
	yyjson_mut_val *sec = yyjson_mut_obj(d), *bullets = yyjson_mut_arr(d);
	const char *topic = yyjson_get_str(yyjson_obj_get(part, "part"));
	if (!topic)
		topic = yyjson_get_str(yyjson_obj_get(part, "title"));
	yyjson_val *arr = yyjson_obj_get(part, "key_points"), *item;
	size_t i, max;
	yyjson_arr_foreach(arr, i, max, item)
	{
		yyjson_mut_val *c = copy_cited(d, item, lo, hi);
		if (c)
			yyjson_mut_arr_append(bullets, c);
	}
	if (yyjson_mut_arr_size(bullets) == 0) {
		/* a window the model said nothing citable about still gets its place in the notes */
		const char *ov = yyjson_get_str(yyjson_obj_get(part, "overview"));
		yyjson_mut_val *b = yyjson_mut_obj(d), *cites = yyjson_mut_arr(d);
		yyjson_mut_obj_add_strcpy(d, b, "text", ov && *ov ? ov : "(no notes)");
		yyjson_mut_arr_add_sint(d, cites, lo);
		yyjson_mut_obj_add_val(d, b, "cites", cites);
		yyjson_mut_arr_append(bullets, b);
	}
	yyjson_mut_obj_add_strcpy(d, sec, "topic", topic && *topic ? topic : "Part");
	yyjson_mut_obj_add_sint(d, sec, "start", lo);
	yyjson_mut_obj_add_sint(d, sec, "end", hi);
	yyjson_mut_obj_add_val(d, sec, "bullets", bullets);
	yyjson_mut_arr_append(yyjson_mut_obj_get(r, "sections"), sec);
}

static enum tacit_status roll_store(struct tacit_live *l)
{
	char *json = yyjson_mut_write(l->roll, 0, NULL);
	if (!json)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	struct tacit_artifact art = { "rolling_summary", json, NULL, l->model_name, PROMPT_VERSION, 0 };
	enum tacit_status st = tacit_store_add_artifact(l->llm_store, l->session_id, &art, NULL);
	struct tacit_live_event ev = { .type = TACIT_LIVE_SUMMARY, .json = json, .text = roll_str(l->roll, "overview") };
	if (st == TACIT_OK)
		emit(l, &ev);
	free(json);
	return st;
}

/* Rewrites the title and overview from the previous ones and the window's. */
static enum tacit_status fold_overview(struct tacit_live *l, const char *title, const char *overview)
{
	if (!*roll_str(l->roll, "overview") && !*roll_str(l->roll, "title")) {
		roll_set_str(l->roll, "title", title);
		roll_set_str(l->roll, "overview", overview);
		return TACIT_OK;
	}
	struct buf user, g;
	char *text = NULL;
	buf_init(&user);
	buf_init(&g);
	buf_addf(&user,
		 "Summary of the meeting so far:\nTitle: %s\nOverview: %s\n\nSummary of its latest part:\nTitle: %s\n"
		 "Overview: %s\n\nWrite the title and a short overview of the whole meeting so far.",
		 roll_str(l->roll, "title"), roll_str(l->roll, "overview"), title, overview);
	size_t bytes = (size_t)l->max_tokens * (l->tiny ? 1 : 3);
	int max_str = bytes > 60 ? (int)((bytes - 40) / 2) : 10;
	if (max_str > 400)
		max_str = 400;
	buf_addf(&g, "root ::= \"{\\\"title\\\":\" str \",\\\"overview\\\":\" str \"}\"\nstr ::= \"\\\"\" chr{0,%d} \"\\\"\"\n",
		 max_str);
	buf_adds(&g, l->tiny ? "chr ::= [\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]\n" : "chr ::= [^\"\\\\\\x7F\\x00-\\x1F]\n");
	enum tacit_status st = generate(l, user.data, g.data, l->max_tokens, NULL, NULL, &text, "fold");
	if (st == TACIT_OK) {
		yyjson_doc *doc = yyjson_read(text, strlen(text), 0);
		const char *t = yyjson_get_str(yyjson_obj_get(yyjson_doc_get_root(doc), "title"));
		const char *o = yyjson_get_str(yyjson_obj_get(yyjson_doc_get_root(doc), "overview"));
		if (t && o) {
			roll_set_str(l->roll, "title", t);
			roll_set_str(l->roll, "overview", o);
		} else {
			st = tacit_fail(TACIT_ERR_LLM, "the model's overview is not the expected JSON");
		}
		yyjson_doc_free(doc);
	}
	tacit_free(text);
	buf_release(&g);
	buf_release(&user);
	return st;
}

/* Map the window [win_first, end) and fold it into the rolling state. The window moves
 * on even when the model fails (a warning says so): the meeting must go on. Its prompt
 * starts with the window's transcript, which the model's cache holds (warm()), so only
 * the instructions are read. last (the stop): when earlier parts were folded, one call
 * both summarizes the last part and rewrites the whole meeting's title and overview from
 * the earlier ones, instead of a map and a separate fold_overview() call whose prompt
 * shares nothing with the cache. */
static enum tacit_status fold_window(struct tacit_live *l, size_t end, bool last)
{
	size_t first = l->win_first;
	struct buf user, part;
	enum tacit_status st;
	bool merged = last && (*roll_str(l->roll, "overview") || *roll_str(l->roll, "title"));
	if (end <= first)
		return TACIT_OK;
	buf_init(&user);
	buf_init(&part);
	window_body(l, first, end, &user);
	if (merged)
		buf_addf(&user,
			 "\nThe meeting ends here. Before this part (segments 1-%zu) it was summarized as:\nTitle: %s\n"
			 "Overview: %s\n\nGive this last part a short topic (\"part\"); summarize it: the key points, "
			 "decisions, action items (owner, task, due date or \"\") and open questions; and write the title "
			 "and a short overview of the whole meeting.",
			 first, roll_str(l->roll, "title"), roll_str(l->roll, "overview"));
	else
		buf_adds(&user, "\nSummarize this part of the meeting: a title, a short overview, the key points, "
				"decisions, action items (owner, task, due date or \"\") and open questions.");
	st = task_call(l, TACIT_TASK_SUMMARY, merged, user.data, end, NULL, NULL, &part, merged ? "final" : "map");
	if (st == TACIT_OK) {
		yyjson_doc *doc = yyjson_read(part.data, part.len, 0);
		yyjson_val *r = yyjson_doc_get_root(doc);
		const char *title = yyjson_get_str(yyjson_obj_get(r, "title"));
		const char *overview = yyjson_get_str(yyjson_obj_get(r, "overview"));
		if (merged) {
			if (title && overview) {
				roll_set_str(l->roll, "title", title);
				roll_set_str(l->roll, "overview", overview);
			}
		} else {
			st = fold_overview(l, title ? title : "", overview ? overview : "");
		}
		if (st == TACIT_OK)
			roll_append(l, r, first, end);
		yyjson_doc_free(doc);
	}
	if (st != TACIT_OK && st != TACIT_ERR_CANCELLED)
		emit_text(l, TACIT_LIVE_WARNING, "the summary of segments %zu-%zu failed: %s", first + 1, end,
			  tacit_errmsg());
	if (st != TACIT_ERR_CANCELLED) {
		if (l->stop_phase)
			l->stop_folds++;
		roll_set_uint(l->roll, "next_segment", end);
		roll_set_uint(l->roll, "windows", roll_uint(l->roll, "windows") + 1);
		l->win_first = end;
		l->win_tokens = 0;
		for (size_t i = end; i < l->t.n; i++)
			l->win_tokens += l->tok[i];
		l->warm_upto = end;
		enum tacit_status st2 = roll_store(l);
		if (st == TACIT_OK)
			st = st2;
	}
	buf_release(&part);
	buf_release(&user);
	return st;
}

/* Puts the window's transcript into the model's cache: a one-token call on the prompt
 * every later task starts with. */
static void warm(struct tacit_live *l)
{
	if (l->warm_upto >= l->t.n || l->win_first >= l->t.n)
		return;
	struct buf user;
	char *text = NULL;
	buf_init(&user);
	window_body(l, l->win_first, l->t.n, &user);
	enum tacit_status st = generate(l, user.data, NULL, 1, NULL, NULL, &text, "prefill");
	if (st == TACIT_OK)
		l->warm_upto = l->t.n;
	else if (st != TACIT_ERR_CANCELLED)
		emit_text(l, TACIT_LIVE_WARNING, "cannot read the transcript into the model: %s", tacit_errmsg());
	tacit_free(text);
	buf_release(&user);
}

static enum tacit_status ingest(struct tacit_live *l, struct pending *p, size_t n)
{
	enum tacit_status st = TACIT_OK;
	for (size_t k = 0; k < n && st == TACIT_OK; k++) {
		if (aborted(l)) /* the store has every segment: a resume reads them again */
			return tacit_fail(TACIT_ERR_CANCELLED, "the meeting was aborted");
		if ((st = add_to_transcript(l, &p[k])) != TACIT_OK)
			break;
		size_t i = l->t.n - 1;
		if ((st = count_segment(l, i)) != TACIT_OK)
			break;
		if (l->win_tokens + l->tok[i] > l->budget && i > l->win_first) {
			st = fold_window(l, i, false);
			if (st != TACIT_ERR_CANCELLED && st != TACIT_ERR_WORKER)
				st = TACIT_OK; /* told as a warning; go on */
		}
		l->win_tokens += l->tok[i];
	}
	return st;
}

/* Where an idle fold cuts the window: the start of its last IDLE_KEEP_TOKENS, or 0
 * when the window is not worth folding yet (or warm() has not read it all). */
static size_t idle_fold_end(const struct tacit_live *l)
{
	if (l->budget <= IDLE_FOLD_TOKENS || l->win_tokens <= IDLE_FOLD_TOKENS || l->warm_upto < l->t.n)
		return 0;
	size_t k = l->t.n;
	int kept = 0;
	while (k > l->win_first + 1 && kept + l->tok[k - 1] <= IDLE_KEEP_TOKENS)
		kept += l->tok[--k];
	return k > l->win_first ? k : 0;
}

static void do_suggest(struct tacit_live *l)
{
	size_t first = l->win_first, end = l->t.n;
	struct buf user, out;
	if (end == 0)
		return;
	if (first >= end) /* just folded: look at the end of the last window */
		first = end > 8 ? end - 8 : 0;
	emit_text(l, TACIT_LIVE_STATUS, "suggestions: thinking");
	buf_init(&user);
	buf_init(&out);
	window_body(l, first, end, &user);
	buf_adds(&user, "\nSuggest what to ask or do next: questions, follow-ups, risks and ideas.");
	enum tacit_status st = task_call(l, TACIT_TASK_SUGGEST, false, user.data, end, NULL, NULL, &out, "suggestions");
	if (st == TACIT_OK) {
		yyjson_doc *doc = yyjson_read(out.data, out.len, 0);
		yyjson_val *arr = yyjson_obj_get(yyjson_doc_get_root(doc), "suggestions"), *item;
		size_t i, max;
		yyjson_arr_foreach(arr, i, max, item)
		{
			struct tacit_suggestion sg = { l->t.segs[end - 1].end_ms,
						       yyjson_get_str(yyjson_obj_get(item, "kind")),
						       yyjson_get_str(yyjson_obj_get(item, "text")), l->model_name, 0 };
			if (sg.kind && sg.text && tacit_store_add_suggestion(l->llm_store, l->session_id, &sg, NULL) != TACIT_OK)
				emit_text(l, TACIT_LIVE_WARNING, "cannot store a suggestion: %s", tacit_errmsg());
		}
		yyjson_doc_free(doc);
		char *md = tacit_meeting_markdown(TACIT_TASK_SUGGEST, out.data, &l->t);
		struct tacit_live_event ev = { .type = TACIT_LIVE_SUGGESTION, .json = out.data, .text = md };
		emit(l, &ev);
		free(md);
	} else if (st == TACIT_ERR_CANCELLED) {
		emit_text(l, TACIT_LIVE_STATUS, "suggestions cancelled");
	} else {
		emit_text(l, TACIT_LIVE_WARNING, "suggestions failed: %s", tacit_errmsg());
	}
	buf_release(&out);
	buf_release(&user);
}

/* ---- questions from other processes ----------------------------------------------------- */

static void remote_unref(struct remote *r)
{
	pthread_mutex_lock(&r->mu);
	bool last = --r->refs == 0;
	pthread_mutex_unlock(&r->mu);
	if (!last)
		return;
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cond);
	buf_release(&r->pending);
	free(r->json);
	free(r);
}

/* The answer (json) or the failure (st, msg), once: the connection's thread sends it. */
static void remote_finish(struct remote *r, enum tacit_status st, const char *json, const char *msg)
{
	pthread_mutex_lock(&r->mu);
	if (r->done) { /* answered already */
		pthread_mutex_unlock(&r->mu);
		return;
	}
	r->st = st;
	if (st == TACIT_OK && !(r->json = strdup(json))) {
		r->st = TACIT_ERR_NOMEM;
		msg = "out of memory";
	}
	snprintf(r->msg, sizeof(r->msg), "%s", msg ? msg : "");
	r->done = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
}

static void free_ask(struct ask *a)
{
	if (a->remote) {
		remote_finish(a->remote, TACIT_ERR_CANCELLED, NULL, "the meeting closed before the question was answered");
		remote_unref(a->remote);
	}
	free(a->question);
	free(a);
}

/* Queues a question; remote: from another process (the meeting must not be stopping). */
static enum tacit_status enqueue_ask(struct tacit_live *l, const char *question, struct remote *remote,
				     uint64_t *out_request_id)
{
	struct ask *a = calloc(1, sizeof(*a));
	if (!a || !(a->question = strdup(question))) {
		free(a);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	enum tacit_status st = TACIT_OK;
	pthread_mutex_lock(&l->q_mu);
	if (l->done || l->llm_exited || l->quit || aborted(l))
		st = tacit_fail(TACIT_ERR_USAGE, "meeting %lld has stopped: ask with 'tacit ask %lld' on its transcript",
				(long long)l->session_id, (long long)l->session_id);
	else if (remote && l->stopping)
		st = tacit_fail(TACIT_ERR_USAGE, "meeting %lld is ending: ask after it ends with 'tacit ask %lld'",
				(long long)l->session_id, (long long)l->session_id);
	if (st != TACIT_OK) {
		pthread_mutex_unlock(&l->q_mu);
		free(a->question);
		free(a);
		return st;
	}
	if (l->job == JOB_IDLE_FOLD) /* a question goes first; the fold runs again when idle */
		__atomic_store_n(&l->job_cancel, 1, __ATOMIC_SEQ_CST);
	a->id = ++l->next_ask_id;
	a->remote = remote;
	if (l->asks_tail)
		l->asks_tail->next = a;
	else
		l->asks = a;
	l->asks_tail = a;
	l->idle = false;
	if (out_request_id)
		*out_request_id = a->id;
	pthread_cond_broadcast(&l->q_cond);
	pthread_mutex_unlock(&l->q_mu);
	return TACIT_OK;
}

/* The client left or the meeting is closing: a queued question is dropped, one being
 * answered is cancelled. */
static void remote_abandon(struct tacit_live *l, struct remote *r)
{
	struct ask *found = NULL, *prev = NULL;
	pthread_mutex_lock(&r->mu);
	r->abandoned = true;
	pthread_mutex_unlock(&r->mu);
	pthread_mutex_lock(&l->q_mu);
	for (struct ask *a = l->asks; a; prev = a, a = a->next) {
		if (a->remote != r)
			continue;
		if (prev)
			prev->next = a->next;
		else
			l->asks = a->next;
		if (l->asks_tail == a)
			l->asks_tail = prev;
		found = a;
		break;
	}
	if (!found && l->cur_remote == r)
		__atomic_store_n(&l->job_cancel, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&l->q_mu);
	if (found) {
		remote_unref(r);
		free(found->question);
		free(found);
	}
}

/* A question from another process, on its connection's thread (live_remote.c): queued as
 * any other, its answer streamed back as the model writes it. */
static void on_remote_question(const char *question, struct live_reply *rep, void *user)
{
	struct tacit_live *l = user;
	struct remote *r = calloc(1, sizeof(*r));
	struct buf out;
	if (!r) {
		live_reply_error(rep, TACIT_ERR_NOMEM, "out of memory");
		return;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cond, NULL);
	buf_init(&r->pending);
	buf_init(&out);
	r->refs = 2;
	enum tacit_status st = l->p.analyze ? enqueue_ask(l, question, r, NULL)
					    : tacit_fail(TACIT_ERR_USAGE,
							 "meeting %lld runs without a language model: questions need one",
							 (long long)l->session_id);
	if (st != TACIT_OK) {
		live_reply_error(rep, st, tacit_errmsg());
		r->refs = 1;
		goto out;
	}
	tacit_log(TACIT_LOG_INFO, "live: a question from another process");
	for (;;) {
		pthread_mutex_lock(&r->mu);
		if (!r->done && !r->pending.len) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&r->cond, &r->mu, &ts);
		}
		buf_add(&out, r->pending.data, r->pending.len);
		buf_reset(&r->pending);
		bool done = r->done, started = r->started;
		pthread_mutex_unlock(&r->mu);
		if (out.len && !live_reply_text(rep, out.data, out.len))
			break;
		buf_reset(&out);
		if (done) {
			if (r->st == TACIT_OK)
				live_reply_answer(rep, r->json);
			else
				live_reply_error(rep, r->st, r->msg);
			goto out;
		}
		if (!live_reply_alive(rep, started ? "answering" : "queued"))
			break;
	}
	remote_abandon(l, r);
out:
	buf_release(&out);
	remote_unref(r);
}

static void do_ask(struct tacit_live *l, struct ask *a)
{
	struct buf user, out;
	buf_init(&user);
	buf_init(&out);
	window_body(l, l->win_first, l->t.n, &user);
	if (*roll_str(l->roll, "overview")) {
		buf_addf(&user, "\nEarlier in the meeting: %s\n", roll_str(l->roll, "overview"));
		yyjson_mut_val *arr = yyjson_mut_obj_get(yyjson_mut_doc_get_root(l->roll), "key_points"), *item;
		size_t i, max;
		yyjson_mut_arr_foreach(arr, i, max, item)
		{
			const char *text = yyjson_mut_get_str(yyjson_mut_obj_get(item, "text"));
			yyjson_mut_val *c = yyjson_mut_arr_get_first(yyjson_mut_obj_get(item, "cites"));
			if (text && c && user.len < 64 * 1024)
				buf_addf(&user, "- %s (%lld)\n", text, (long long)yyjson_mut_get_sint(c));
		}
	}
	buf_addf(&user, "\nAnswer the question from the meeting only; if the meeting does not say, answer so and cite "
			"nothing.\nQuestion: %s",
		 a->question);
	struct gen_out g = { l, a->id, a->remote };
	enum tacit_status st = task_call(l, TACIT_TASK_ANSWER, false, user.data, l->t.n ? l->t.n : 1, on_answer_piece,
					 &g, &out, "answer");
	if (st == TACIT_OK) {
		char *md = tacit_meeting_markdown(TACIT_TASK_ANSWER, out.data, &l->t);
		struct tacit_chat_record q = { "user", a->question, NULL, 0 };
		struct tacit_chat_record ans = { "assistant", md ? md : out.data, l->model_name, 0 };
		if (tacit_store_add_chat(l->llm_store, l->session_id, &q, NULL) != TACIT_OK ||
		    tacit_store_add_chat(l->llm_store, l->session_id, &ans, NULL) != TACIT_OK)
			emit_text(l, TACIT_LIVE_WARNING, "cannot store the answer: %s", tacit_errmsg());
		if (a->remote) {
			remote_finish(a->remote, TACIT_OK, out.data, NULL);
		} else {
			struct tacit_live_event ev = { .type = TACIT_LIVE_ANSWER, .request_id = a->id, .json = out.data,
						       .text = md };
			emit(l, &ev);
		}
		free(md);
	} else if (a->remote) {
		char msg[512];
		if (st == TACIT_ERR_CANCELLED && aborted(l))
			snprintf(msg, sizeof(msg), "meeting %lld was aborted before the answer was complete",
				 (long long)l->session_id);
		else
			snprintf(msg, sizeof(msg), "the question could not be answered: %s", tacit_errmsg());
		remote_finish(a->remote, st, NULL, msg);
	} else {
		emit_text(l, TACIT_LIVE_WARNING, "the question could not be answered: %s", tacit_errmsg());
	}
	buf_release(&out);
	buf_release(&user);
}

static enum tacit_status store_task(struct tacit_live *l, enum tacit_task task, const char *kind, const char *json,
				    struct buf *checked)
{
	enum tacit_status st = citations_check(task, json, l->t.n, checked, NULL);
	if (st != TACIT_OK)
		return st;
	char *md = tacit_meeting_markdown(task, checked->data, &l->t);
	struct tacit_artifact art = { kind, checked->data, md, l->model_name, PROMPT_VERSION, 0 };
	st = tacit_store_add_artifact(l->llm_store, l->session_id, &art, NULL);
	free(md);
	return st;
}

/* Stop: the last window, one fold, the summary and notes from the rolling state. */
static enum tacit_status finalize(struct tacit_live *l)
{
	enum tacit_status st = TACIT_OK;
	struct buf summary, notes;
	buf_init(&summary);
	buf_init(&notes);
	if (aborted(l)) {
		st = tacit_fail(TACIT_ERR_CANCELLED, "the meeting was aborted");
		goto out;
	}
	if (l->win_first < l->t.n) {
		emit_text(l, TACIT_LIVE_STATUS, "finishing: summarizing segments %zu-%zu", l->win_first + 1, l->t.n);
		/* transcription has finished: the model may have every core */
		if (l->p.llm_threads <= 0 && l->sys.n_cores_usable > 1)
			llm_set_threads(l->llm, l->sys.n_cores_usable);
		st = fold_window(l, l->t.n, true);
	}
	if (st == TACIT_ERR_CANCELLED || st == TACIT_ERR_WORKER)
		goto out;
	st = TACIT_OK;
	if (l->t.n > 0) {
		yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
		yyjson_mut_val *r = d ? yyjson_mut_obj(d) : NULL;
		yyjson_mut_val *src = yyjson_mut_doc_get_root(l->roll);
		char *sj = NULL, *nj = NULL;
		if (r) {
			yyjson_mut_doc_set_root(d, r);
			yyjson_mut_obj_add_strcpy(d, r, "title", roll_str(l->roll, "title"));
			yyjson_mut_obj_add_strcpy(d, r, "overview", roll_str(l->roll, "overview"));
			for (size_t i = 0; i < ARRAY_SIZE(roll_lists); i++)
				yyjson_mut_obj_add_val(d, r, roll_lists[i],
						       yyjson_mut_val_mut_copy(d, yyjson_mut_obj_get(src, roll_lists[i])));
			sj = yyjson_mut_write(d, 0, NULL);
			yyjson_mut_obj_clear(r);
			yyjson_mut_obj_add_val(d, r, "sections", yyjson_mut_val_mut_copy(d, yyjson_mut_obj_get(src, "sections")));
			nj = yyjson_mut_write(d, 0, NULL);
		}
		if (!sj || !nj)
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		if (st == TACIT_OK)
			st = store_task(l, TACIT_TASK_SUMMARY, "summary", sj, &summary);
		if (st == TACIT_OK)
			st = store_task(l, TACIT_TASK_NOTES, "notes", nj, &notes);
		free(sj);
		free(nj);
		yyjson_mut_doc_free(d);
	}
	if (st == TACIT_OK && aborted(l)) /* the last moment the meeting can stay unfinished */
		st = tacit_fail(TACIT_ERR_CANCELLED, "the meeting was aborted");
	if (st == TACIT_OK)
		st = tacit_store_session_end(l->llm_store, l->session_id, 0);
out:
	if (st != TACIT_OK)
		snprintf(l->stop_msg, sizeof(l->stop_msg), "%s", tacit_errmsg());
	if (st == TACIT_OK) {
		struct buf ev_json;
		buf_init(&ev_json);
		buf_addf(&ev_json,
			 "{\"session\":%lld,\"segments\":%zu,\"windows\":%llu,\"stop_ms\":%.0f,\"stop_read_tokens\":%lld,"
			 "\"stop_generated_tokens\":%lld,\"stop_model_calls\":%d,\"stop_folds\":%d,\"summary\":%s,"
			 "\"notes\":%s}",
			 (long long)l->session_id, l->t.n, (unsigned long long)roll_uint(l->roll, "windows"),
			 (now_s() - l->stop_t0) * 1000.0, l->stop_read, l->stop_generated, l->stop_calls, l->stop_folds,
			 summary.len ? summary.data : "null", notes.len ? notes.data : "null");
		char *md = summary.len ? tacit_meeting_markdown(TACIT_TASK_SUMMARY, summary.data, &l->t) : NULL;
		struct tacit_live_event ev = { .type = TACIT_LIVE_STOPPED, .json = ev_json.data, .text = md };
		emit(l, &ev);
		free(md);
		buf_release(&ev_json);
		l->stop_summary = summary.len ? buf_detach(&summary, NULL) : NULL;
	}
	buf_release(&summary);
	buf_release(&notes);
	return st;
}

/* ---- the analysis thread ------------------------------------------------------------ */

static void read_policy(struct tacit_live *l)
{
	struct tacit_store *s = l->llm_store;
	l->policy.interval_s = l->p.suggest_interval_s > 0 ? l->p.suggest_interval_s
							   : setting_num(s, "suggestions.interval_s", 60);
	l->policy.battery_factor = setting_num(s, "suggestions.battery_factor", 3);
	l->policy.battery_min_percent = (int)setting_num(s, "suggestions.battery_min_percent", 30);
	l->policy.max_load = setting_num(s, "suggestions.max_load", 1.5);
	l->suggest_on = l->p.suggest >= 0 ? l->p.suggest > 0 : setting_on(s, "suggestions.auto");
}

static const char *const state_text[] = { "suggestions running", "suggestions paused: on battery",
					  "suggestions backing off: the machine is busy" };

/* A suggestion round fell due: decide from power and load; returns true to run it. */
static bool suggestion_due(struct tacit_live *l)
{
	struct tacit_probe_params pp = tacit_probe_default_params();
	struct tacit_system sys;
	double iv = 0;
	pp.sysroot = l->sysroot;
	pp.bandwidth = 0;
	pp.devices = false;
	read_policy(l);
	if (!l->suggest_on) {
		l->next_suggest = now_s() + 5;
		return false;
	}
	if (tacit_system_probe(&pp, &sys) != TACIT_OK) {
		sys.power = TACIT_POWER_UNKNOWN;
		sys.battery_percent = -1;
		sys.n_cores_usable = 1;
	}
	double load = live_loadavg(l->sysroot);
	enum live_suggest_state s = live_suggest_decide(&l->policy, sys.power, sys.battery_percent, load,
							sys.n_cores_usable, l->backoff, &iv);
	if ((int)s != l->suggest_state) {
		if (s == LIVE_SUGGEST_PAUSED_BATTERY)
			emit_text(l, TACIT_LIVE_STATUS, "%s at %d %% (below %d %%)", state_text[s], sys.battery_percent,
				  l->policy.battery_min_percent);
		else if (s == LIVE_SUGGEST_BUSY)
			emit_text(l, TACIT_LIVE_STATUS, "%s (load %.1f on %d cores)", state_text[s], load,
				  sys.n_cores_usable);
		else
			emit_text(l, TACIT_LIVE_STATUS, "%s every %.0f s%s", state_text[s], iv,
				  sys.power == TACIT_POWER_BATTERY ? " (on battery)" : "");
		l->suggest_state = (int)s;
	}
	if (s == LIVE_SUGGEST_BUSY && l->backoff < 3)
		l->backoff++;
	else if (s == LIVE_SUGGEST_RUN)
		l->backoff = 0;
	l->next_suggest = now_s() + iv;
	return s == LIVE_SUGGEST_RUN;
}

static void set_job(struct tacit_live *l, enum job j)
{
	l->job = j;
	__atomic_store_n(&l->job_cancel, aborted(l), __ATOMIC_SEQ_CST); /* an abort outlasts jobs */
}

static void *llm_main(void *arg)
{
	struct tacit_live *l = arg;
	enum tacit_status st;
	/* No lower priority (nice) for the worker: the transcription gets its cores from the
	 * gate (asr_gate()), and an unprivileged process cannot raise a priority back
	 * (RLIMIT_NICE is usually 0), so the stop's final summary, which the user waits for,
	 * would crawl on a machine where other programs are busy (a 100-token stop took 4
	 * minutes at nice 5 beside a load of 10 on 2 cores). SCHED_IDLE would be worse. */
	struct tacit_llm_params lp = tacit_llm_default_params();
	lp.model_path = l->llm_path;
	lp.n_ctx = l->p.n_ctx > 0 ? l->p.n_ctx : DEFAULT_N_CTX;
	lp.n_threads = l->p.llm_threads > 0 ? l->p.llm_threads : (l->sys.n_cores_usable > 1 ? l->sys.n_cores_usable - 1 : 1);
	st = tacit_store_open(l->store_path, &l->llm_store);
	if (st == TACIT_OK)
		st = tacit_llm_open(&lp, &l->llm);
	if (st == TACIT_OK)
		__atomic_store_n(&l->gate_llm, l->llm, __ATOMIC_RELEASE);
	pthread_mutex_lock(&l->q_mu);
	l->ready = true;
	l->ready_st = st;
	if (st != TACIT_OK)
		snprintf(l->ready_msg, sizeof(l->ready_msg), "%s", tacit_errmsg());
	pthread_cond_broadcast(&l->q_cond);
	pthread_mutex_unlock(&l->q_mu);
	if (st != TACIT_OK)
		return NULL;

	struct tacit_llm_info info = tacit_llm_info(l->llm);
	l->tiny = info.n_vocab < 4096;
	l->max_tokens = l->p.max_tokens > 0 ? l->p.max_tokens
					    : (int)setting_num(l->llm_store, "live.max_tokens", DEFAULT_MAX_TOKENS);
	if (l->max_tokens > info.n_ctx / 4)
		l->max_tokens = info.n_ctx / 4;
	int budget = info.n_ctx - l->max_tokens - ASK_RESERVE_TOKENS - 256;
	if (budget > MAX_WINDOW_TOKENS)
		budget = MAX_WINDOW_TOKENS;
	int want = l->p.window_tokens > 0 ? l->p.window_tokens : (int)setting_num(l->llm_store, "live.window_tokens", 0);
	l->budget = want > 0 && want < budget ? want : budget;
	if (l->budget < 64)
		l->budget = 64;
	read_policy(l);
	l->suggest_state = -1;
	l->next_suggest = now_s() + l->policy.interval_s;
	tacit_log(TACIT_LOG_INFO, "live: context %d, window %d tokens, %d output tokens, suggestions %s every %.0f s",
		  info.n_ctx, l->budget, l->max_tokens, l->suggest_on ? "on" : "off", l->policy.interval_s);

	/* a resumed session: its window's tokens */
	for (size_t i = 0; i < l->t.n; i++)
		if (count_segment(l, i) == TACIT_OK && i >= l->win_first)
			l->win_tokens += l->tok[i];

	pthread_mutex_lock(&l->q_mu);
	for (;;) {
		if (l->quit)
			break;
		l->stop_phase = l->stopping; /* from here on the model's work is the stop's */
		if (l->asks) {
			struct ask *a = l->asks;
			l->asks = a->next;
			if (!l->asks)
				l->asks_tail = NULL;
			set_job(l, JOB_ASK);
			l->cur_remote = a->remote;
			pthread_mutex_unlock(&l->q_mu);
			if (a->remote) {
				pthread_mutex_lock(&a->remote->mu);
				a->remote->started = true;
				pthread_mutex_unlock(&a->remote->mu);
			}
			do_ask(l, a);
			pthread_mutex_lock(&l->q_mu);
			l->cur_remote = NULL;
			pthread_mutex_unlock(&l->q_mu);
			free_ask(a);
			pthread_mutex_lock(&l->q_mu);
			continue;
		}
		if (l->n_pend) {
			struct pending *p = l->pend;
			size_t n = l->n_pend;
			l->pend = NULL;
			l->n_pend = l->pend_alloc = 0;
			set_job(l, JOB_INGEST);
			pthread_mutex_unlock(&l->q_mu);
			st = ingest(l, p, n);
			for (size_t i = 0; i < n; i++) {
				free(p[i].speaker);
				free(p[i].text);
			}
			free(p);
			if (st != TACIT_OK && st != TACIT_ERR_CANCELLED)
				emit_text(l, TACIT_LIVE_WARNING, "analysis: %s", tacit_errmsg());
			pthread_mutex_lock(&l->q_mu);
			continue;
		}
		if (l->stop_req) {
			set_job(l, JOB_FINAL);
			pthread_mutex_unlock(&l->q_mu);
			st = finalize(l);
			pthread_mutex_lock(&l->q_mu);
			l->stop_st = st;
			l->done = true;
			break;
		}
		bool held = l->stopping || aborted(l); /* no more background work */
		if (l->suggest_req && !held) {
			l->suggest_req = false;
			set_job(l, JOB_SUGGEST);
			pthread_mutex_unlock(&l->q_mu);
			do_suggest(l);
			pthread_mutex_lock(&l->q_mu);
			continue;
		}
		if (l->warm_upto < l->t.n && !held) {
			set_job(l, JOB_WARM);
			pthread_mutex_unlock(&l->q_mu);
			warm(l);
			pthread_mutex_lock(&l->q_mu);
			continue;
		}
		size_t cut = held ? 0 : idle_fold_end(l);
		if (cut) { /* nothing else to do: fold now what a stop would otherwise have to */
			set_job(l, JOB_IDLE_FOLD);
			pthread_mutex_unlock(&l->q_mu);
			fold_window(l, cut, false); /* a failure was told as a warning */
			pthread_mutex_lock(&l->q_mu);
			continue;
		}
		set_job(l, JOB_NONE);
		if (!held && now_s() >= l->next_suggest) {
			pthread_mutex_unlock(&l->q_mu);
			bool run = suggestion_due(l);
			pthread_mutex_lock(&l->q_mu);
			if (run && l->t.n > 0)
				l->suggest_req = true;
			continue;
		}
		l->idle = true;
		pthread_cond_broadcast(&l->q_cond);
		double wait = held ? 60 : l->next_suggest - now_s();
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		double until = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 + (wait > 0 ? wait : 0);
		ts.tv_sec = (time_t)until;
		ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&l->q_cond, &l->q_mu, &ts);
	}
	l->job = JOB_NONE;
	l->idle = true;
	l->llm_exited = true;
	struct ask *rest = l->asks; /* asked too late: nobody will answer them now */
	l->asks = l->asks_tail = NULL;
	pthread_cond_broadcast(&l->q_cond);
	pthread_mutex_unlock(&l->q_mu);
	while (rest) {
		struct ask *a = rest;
		rest = a->next;
		if (a->remote) {
			char msg[256];
			snprintf(msg, sizeof(msg), "meeting %lld ended before the question was answered: ask with 'tacit ask %lld'",
				 (long long)l->session_id, (long long)l->session_id);
			remote_finish(a->remote, TACIT_ERR_CANCELLED, NULL, msg);
		}
		free_ask(a);
	}
	return NULL;
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

bool tacit_transcript_get(const struct tacit_transcript *t, size_t i, struct tacit_segment *out)
{
	if (!t || !out || i >= t->n)
		return false;
	memset(out, 0, sizeof(*out));
	out->start_ms = t->segs[i].start_ms;
	out->end_ms = t->segs[i].end_ms;
	out->speaker = t->segs[i].speaker;
	out->text = t->segs[i].text;
	out->confidence = -1;
	out->final = true;
	return true;
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
	if (l->p.analyze && add_to_transcript(l, &p) != TACIT_OK)
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
	yyjson_mut_doc *r = roll_parse(json);
	tacit_free(json);
	if (r && roll_uint(r, "next_segment") <= (uint64_t)l->n_segments) {
		yyjson_mut_doc_free(l->roll);
		l->roll = r;
		l->win_first = l->warm_upto = (size_t)roll_uint(r, "next_segment");
	} else {
		yyjson_mut_doc_free(r);
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
	pthread_mutex_init(&l->seg_mu, NULL);
	pthread_mutex_init(&l->a_mu, NULL);
	pthread_cond_init(&l->a_cond, NULL);
	pthread_mutex_init(&l->q_mu, NULL);
	pthread_cond_init(&l->q_cond, NULL);
	l->title = dup_or_null(params->title);
	l->store_path = dup_or_null(params->store_path);
	l->sysroot = dup_or_null(params->sysroot);
	l->roll = roll_new();
	if ((params->title && !l->title) || (params->store_path && !l->store_path) ||
	    (params->sysroot && !l->sysroot) || !l->roll) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto fail;
	}
	l->p.title = l->title;
	l->p.store_path = l->store_path;
	l->p.sysroot = l->sysroot;

	struct tacit_probe_params pp = tacit_probe_default_params();
	pp.sysroot = l->sysroot;
	pp.bandwidth = 0;
	pp.devices = false;
	if (tacit_system_probe(&pp, &l->sys) != TACIT_OK || l->sys.n_cores_usable < 1)
		l->sys.n_cores_usable = 1;

	/* models first: a missing one fails before a session is created */
	if (params->analyze && (st = tacit_model_resolve(TACIT_MODEL_LLM, params->llm_model, &l->llm_path)) != TACIT_OK)
		goto fail;
	if (params->transcribe) {
		if ((st = tacit_model_resolve(TACIT_MODEL_ASR, params->asr_model, &asr_path)) != TACIT_OK)
			goto fail;
		if ((st = tacit_model_resolve(TACIT_MODEL_VAD, params->vad_model, &vad_path)) != TACIT_OK)
			goto fail;
	}
	if (!(l->model_name = strdup(l->llm_path ? base_name(l->llm_path) : ""))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto fail;
	}

	if ((st = tacit_store_open(l->store_path, &l->seg_store)) != TACIT_OK)
		goto fail;
	if (params->resume_id) {
		if ((st = resume(l)) != TACIT_OK)
			goto fail;
		if (l->offset_ms > 0)
			l->offset_ms += 1000; /* a visible gap where the meeting was interrupted */
	} else {
		struct tacit_session_params sp = tacit_session_default_params();
		char models[512];
		snprintf(models, sizeof(models), "%s%s%s", l->model_name, asr_path ? " + " : "",
			 asr_path ? base_name(asr_path) : "");
		sp.title = l->title;
		sp.models = models;
		if ((st = tacit_store_session_create(l->seg_store, &sp, &l->session_id)) != TACIT_OK)
			goto fail;
	}

	if (params->transcribe) {
		struct tacit_asr_params ap = tacit_asr_default_params();
		ap.model_path = asr_path;
		ap.vad_model_path = vad_path;
		ap.n_threads = params->asr_threads;
		/* The live VAD runs in this process every half second beside whisper's threads:
		 * one thread, so it never makes a team of spinning threads of its own. */
		ap.vad.n_threads = 1;
		l->gate_on = !setting_off(l->seg_store, "live.asr_first");
		l->gate_backlog_ms =
			live_backlog_limit(setting_num(l->seg_store, "live.asr_backlog_ms", DEFAULT_BACKLOG_MS));
		ap.temperature_fallback = params->asr_fallback;
		if ((st = tacit_asr_open(&ap, &l->asr)) != TACIT_OK)
			goto fail;
		if ((st = tacit_asr_stream_open(l->asr, params->n_channels, params->partial_every_ms > 0 ? params->partial_every_ms : 0, on_asr_segment, l, &l->stream)) != TACIT_OK)
			goto fail;
		if (params->record_audio &&
		    (st = tacit_recording_open(l->seg_store, l->session_id, TACIT_AUDIO_RATE, params->n_channels, &l->rec)) !=
			    TACIT_OK)
			goto fail;
		if (pthread_create(&l->asr_thread, NULL, asr_main, l) != 0) {
			st = tacit_fail(TACIT_ERR_NOMEM, "cannot start the transcription thread");
			goto fail;
		}
		l->asr_started = true;
	}
	if (params->analyze) {
		if (pthread_create(&l->llm_thread, NULL, llm_main, l) != 0) {
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
	if (live_listen_open(l->store_path, l->session_id, on_remote_question, l, &l->listener) != TACIT_OK)
		emit_text(l, TACIT_LIVE_WARNING, "questions from other processes are off: %s", tacit_errmsg());
	tacit_clear_error();
	free(asr_path);
	free(vad_path);
	*out = l;
	return TACIT_OK;
fail:
	{
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", tacit_errmsg());
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
	} else if (l->a_eof) {
		st = tacit_fail(TACIT_ERR_USAGE, "the meeting is stopping: no more audio is taken");
	} else if (n) {
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
	return accept_final(l, seg->speaker, seg->text, seg->start_ms, seg->end_ms, seg->confidence);
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
	return enqueue_ask(l, question, NULL, out_request_id);
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
	return TACIT_OK;
}

static enum tacit_status stop_aborted(struct tacit_live *l)
{
	tacit_log(TACIT_LOG_INFO, "live: stopping meeting %lld was aborted after %.0f ms", (long long)l->session_id,
		  (now_s() - l->stop_t0) * 1000.0);
	return tacit_fail(TACIT_ERR_CANCELLED,
			  "stopping meeting %lld was aborted: it stays unfinished (go on with 'tacit live --resume %lld')",
			  (long long)l->session_id, (long long)l->session_id);
}

enum tacit_status tacit_live_stop(struct tacit_live *l, char **out_summary_json)
{
	enum tacit_status st = TACIT_OK;
	if (out_summary_json)
		*out_summary_json = NULL;
	if (!l)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_live_stop: no session");
	pthread_mutex_lock(&l->q_mu);
	if (l->stopping) {
		pthread_mutex_unlock(&l->q_mu);
		return tacit_fail(TACIT_ERR_USAGE, "the meeting is already stopped");
	}
	l->stopping = true;
	l->stop_t0 = now_s();
	l->suggest_req = false;
	if (l->job == JOB_SUGGEST || l->job == JOB_WARM || l->job == JOB_IDLE_FOLD)
		__atomic_store_n(&l->job_cancel, 1, __ATOMIC_SEQ_CST); /* the worker stops within a decode step */
	pthread_cond_broadcast(&l->q_cond);
	pthread_mutex_unlock(&l->q_mu);

	if (l->asr_started) { /* the audio still queued becomes final segments */
		pthread_mutex_lock(&l->a_mu);
		l->a_eof = true;
		pthread_cond_broadcast(&l->a_cond);
		pthread_mutex_unlock(&l->a_mu);
		pthread_join(l->asr_thread, NULL);
		l->asr_started = false;
	}
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
	pthread_mutex_lock(&l->seg_mu);
	st = tacit_store_session_end(l->seg_store, l->session_id, 0);
	pthread_mutex_unlock(&l->seg_mu);
	if (st == TACIT_OK) {
		char json[256];
		snprintf(json, sizeof(json),
			 "{\"session\":%lld,\"segments\":%lld,\"stop_ms\":%.0f,\"stop_read_tokens\":0,"
			 "\"stop_generated_tokens\":0,\"stop_model_calls\":0,\"stop_folds\":0,\"summary\":null}",
			 (long long)l->session_id, (long long)l->n_segments, (now_s() - l->stop_t0) * 1000.0);
		struct tacit_live_event ev = { .type = TACIT_LIVE_STOPPED, .json = json };
		emit(l, &ev);
	}
	return st;
}

void tacit_live_abort(struct tacit_live *l)
{
	/* lock-free atomic stores only: this runs in signal handlers; the waiters poll */
	if (!l)
		return;
	__atomic_store_n(&l->aborted, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&l->job_cancel, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&l->asr_cancel, 1, __ATOMIC_SEQ_CST);
}

void tacit_live_close(struct tacit_live *l)
{
	if (!l)
		return;
	live_listen_close(l->listener); /* first: its questions end before the threads do */
	if (l->asr_started) {
		pthread_mutex_lock(&l->a_mu);
		l->a_quit = true;
		__atomic_store_n(&l->asr_cancel, 1, __ATOMIC_SEQ_CST);
		pthread_cond_broadcast(&l->a_cond);
		pthread_mutex_unlock(&l->a_mu);
		pthread_join(l->asr_thread, NULL);
	}
	if (l->llm_started) {
		pthread_mutex_lock(&l->q_mu);
		l->quit = true;
		__atomic_store_n(&l->job_cancel, 1, __ATOMIC_SEQ_CST);
		pthread_cond_broadcast(&l->q_cond);
		pthread_mutex_unlock(&l->q_mu);
		pthread_join(l->llm_thread, NULL);
	}
	tacit_llm_close(l->llm); /* stops the worker for good */
	tacit_recording_close(l->rec);
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
		free_ask(a);
	}
	for (size_t i = 0; i < l->t.n; i++) {
		free(l->t.segs[i].speaker);
		free(l->t.segs[i].text);
	}
	free(l->t.segs);
	free(l->tok);
	yyjson_mut_doc_free(l->roll);
	free(l->aq);
	free(l->stop_summary);
	free(l->llm_path);
	free(l->model_name);
	free(l->title);
	free(l->store_path);
	free(l->sysroot);
	pthread_mutex_destroy(&l->ev_mu);
	pthread_mutex_destroy(&l->seg_mu);
	pthread_mutex_destroy(&l->a_mu);
	pthread_cond_destroy(&l->a_cond);
	pthread_mutex_destroy(&l->q_mu);
	pthread_cond_destroy(&l->q_cond);
	free(l);
}
