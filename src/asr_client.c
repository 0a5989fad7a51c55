/*
 * asr_client.c — the public transcription engine (tacit_asr_*), run in a supervised
 * tacit-worker: each handle has its own worker with the whisper model loaded, so a crash
 * inside whisper.cpp fails the call with TACIT_ERR_WORKER and nothing else; the next call
 * starts a new worker and loads the model again. Audio goes over in requests of at most
 * ASR_MAX_SAMPLES, split at the quietest moment near the limit. The live stream uses the
 * asynchronous calls (submit, poll, cancel) directly. A remote engine (remote_asr.c)
 * takes the worker's place for whole requests: no worker is started for it; the
 * asynchronous calls then run one request at a time on a thread of their own (struct
 * remote_job), so the live stream never waits on the network.
 */
#include "internal.h"

#include "asr.h"
#include "basics.h"
#include "llm_client.h"
#include "remote_asr.h"
#include "workerproc.h"

#include <math.h>
#include <pthread.h>
#include <time.h>

#include <yyjson.h>

#define ASR_MIN_SAMPLES (TACIT_AUDIO_RATE / 10)

/* One asynchronous request to a remote engine: the thread posts it and keeps the
 * answer's segments; asr_poll() hands them on, then its end. Under mu: done, st, msg,
 * segs, n_segs, lang. */
struct remote_job {
	pthread_t thread;
	bool running; /* a thread to join */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	long long id;
	float *pcm;
	size_t n;
	int64_t offset_ms;
	int speaker;
	int cancel; /* atomic: asr_cancel() */
	bool done;
	enum tacit_status st;
	char msg[TACIT_ERRMSG_MAX];
	char lang[8];
	struct tacit_asr_segment *segs; /* texts owned */
	size_t n_segs, alloc_segs, next_seg;
	bool oom; /* the job's thread: a segment could not be kept */
};

struct tacit_asr {
	struct workerproc w;
	struct tacit_asr_params p;
	char *model_path, *vad_path, *language;
	bool multilingual;
	long long next_id;
	struct vad_client *vad; /* the live stream's VAD (vad.c), opened on first use */
	bool vad_failed;        /* given up: the stream closes utterances at fixed lengths */
	bool vad_restarted;     /* its worker died once and was started again */
	struct buf seg_text;
	struct remote_asr *remote; /* a remote engine: requests go there, never to a worker */
	struct remote_job job;     /* the asynchronous request to it (one at a time) */
	/* the languages the worker decoded in, with how much audio each: the language of a
	 * recording is the one of most of its audio */
	struct {
		char code[8];
		int64_t ms;
	} langs[8];
	int n_langs;
};

static void count_language(struct tacit_asr *asr, const char *code, int64_t ms)
{
	int i;
	if (!code || !*code || strlen(code) >= sizeof(asr->langs[0].code) || ms <= 0)
		return;
	for (i = 0; i < asr->n_langs && strcmp(asr->langs[i].code, code) != 0; i++)
		;
	if (i == asr->n_langs) {
		if (i == (int)ARRAY_SIZE(asr->langs))
			return; /* eight languages in one meeting: the ninth is not the main one */
		snprintf(asr->langs[i].code, sizeof(asr->langs[i].code), "%s", code);
		asr->langs[i].ms = 0;
		asr->n_langs++;
	}
	asr->langs[i].ms += ms;
}

const char *tacit_asr_language(const struct tacit_asr *asr)
{
	if (!asr)
		return "";
	if (asr->language && *asr->language && strcmp(asr->language, "auto") != 0)
		return asr->language;
	if (!asr->multilingual)
		return "en";
	int best = -1;
	for (int i = 0; i < asr->n_langs; i++)
		if (best < 0 || asr->langs[i].ms > asr->langs[best].ms)
			best = i;
	return best < 0 ? "" : asr->langs[best].code;
}

const char *asr_language_settled(const struct tacit_asr *asr, int64_t min_ms)
{
	int best = -1;
	if (!asr)
		return "";
	for (int i = 0; i < asr->n_langs; i++)
		if (best < 0 || asr->langs[i].ms > asr->langs[best].ms)
			best = i;
	return best >= 0 && asr->langs[best].ms >= min_ms ? tacit_asr_language(asr) : "";
}

static char *dup_or_null(const char *s, bool *ok)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		*ok = false;
	return d;
}

/* The status and message of an ERROR frame. */
static enum tacit_status error_of(yyjson_val *root)
{
	yyjson_val *sv = yyjson_obj_get(root, "status");
	int code = yyjson_is_int(sv) ? (int)yyjson_get_sint(sv) : TACIT_ERR_INTERNAL;
	if (code <= TACIT_OK || code > TACIT_ERR_INTERNAL)
		code = TACIT_ERR_INTERNAL;
	const char *msg = yyjson_get_str(yyjson_obj_get(root, "message"));
	return tacit_fail((enum tacit_status)code, "%s", msg && *msg ? msg : "the transcription worker failed");
}

/* Starts a worker and loads the model when none is running. */
static enum tacit_status ensure_worker(struct tacit_asr *asr)
{
	if (asr->w.pid > 0)
		return TACIT_OK;
	enum tacit_status st = workerproc_spawn(&asr->w);
	if (st != TACIT_OK)
		return st;
	long long id = ++asr->next_id;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", id);
	yyjson_mut_obj_add_str(doc, o, "engine", "asr");
	yyjson_mut_obj_add_str(doc, o, "model", asr->model_path);
	if (asr->vad_path)
		yyjson_mut_obj_add_str(doc, o, "vad_model", asr->vad_path);
	if (asr->language)
		yyjson_mut_obj_add_str(doc, o, "language", asr->language);
	yyjson_mut_obj_add_bool(doc, o, "translate", asr->p.translate);
	yyjson_mut_obj_add_bool(doc, o, "speaker_turns", asr->p.speaker_turns);
	yyjson_mut_obj_add_int(doc, o, "n_threads", asr->p.n_threads);
	yyjson_mut_obj_add_bool(doc, o, "use_gpu", asr->p.use_gpu);
	yyjson_mut_obj_add_real(doc, o, "logprob_thold", asr->p.logprob_thold);
	yyjson_mut_obj_add_real(doc, o, "no_speech_thold", asr->p.no_speech_thold);
	yyjson_mut_obj_add_real(doc, o, "entropy_thold", asr->p.entropy_thold);
	yyjson_mut_obj_add_bool(doc, o, "temperature_fallback", asr->p.temperature_fallback);
	yyjson_mut_obj_add_real(doc, o, "vad_threshold", asr->p.vad.threshold);
	yyjson_mut_obj_add_int(doc, o, "vad_min_speech_ms", asr->p.vad.min_speech_ms);
	yyjson_mut_obj_add_int(doc, o, "vad_min_silence_ms", asr->p.vad.min_silence_ms);
	yyjson_mut_obj_add_int(doc, o, "vad_pad_ms", asr->p.vad.pad_ms);
	yyjson_mut_obj_add_int(doc, o, "vad_n_threads", asr->p.vad.n_threads);
	size_t len = 0;
	char *json = yyjson_mut_write(doc, 0, &len);
	yyjson_mut_doc_free(doc);
	if (!json)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	bool sent = workerproc_send(&asr->w, PROTO_LOAD, json, len);
	free(json);
	if (!sent)
		return workerproc_died(&asr->w, false);
	for (;;) {
		unsigned type;
		const char *payload;
		size_t plen;
		int got = workerproc_wait(&asr->w, 120000, &type, &payload, &plen);
		if (got <= 0)
			return workerproc_died(&asr->w, got == 0);
		if (type != PROTO_LOADED && type != PROTO_ERROR)
			continue;
		yyjson_doc *jd = yyjson_read(payload, plen, 0);
		yyjson_val *root = yyjson_doc_get_root(jd);
		if (type == PROTO_ERROR) {
			st = error_of(root);
			workerproc_stop(&asr->w, false); /* a worker without a model is no use */
		} else {
			asr->multilingual = yyjson_get_bool(yyjson_obj_get(root, "multilingual"));
		}
		yyjson_doc_free(jd);
		return st;
	}
}

/* ---- the asynchronous calls on a remote engine (struct remote_job) ---- */

/* Keeps a segment of the answer (on the job's thread); false, with oom, when it cannot. */
static bool job_keep(const struct tacit_asr_segment *seg, void *user)
{
	struct remote_job *j = user;
	if (j->n_segs == j->alloc_segs) {
		size_t want = j->alloc_segs ? j->alloc_segs * 2 : 16;
		struct tacit_asr_segment *p = realloc(j->segs, want * sizeof(*p));
		if (!p)
			return !(j->oom = true);
		j->segs = p;
		j->alloc_segs = want;
	}
	char *text = strdup(seg->text ? seg->text : "");
	if (!text)
		return !(j->oom = true);
	j->segs[j->n_segs] = *seg;
	j->segs[j->n_segs++].text = text;
	return true;
}

static void *job_main(void *arg)
{
	struct tacit_asr *asr = arg;
	struct remote_job *j = &asr->job;
	char lang[8] = "";
	enum tacit_status st = remote_asr_transcribe(asr->remote, j->pcm, j->n, j->offset_ms, j->speaker, &j->cancel,
						     job_keep, j, lang);
	if (j->oom)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory keeping the speech server's answer");
	pthread_mutex_lock(&j->mu);
	j->st = st;
	snprintf(j->msg, sizeof(j->msg), "%s", st == TACIT_OK ? "" : tacit_errmsg());
	memcpy(j->lang, lang, sizeof(j->lang));
	j->done = true;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* Ends the job: with cancel, tells a request in flight to stop; joins its thread and
 * drops what it kept. */
static void job_end(struct remote_job *j, bool cancel)
{
	if (j->running) {
		if (cancel)
			cancel_request(&j->cancel);
		pthread_join(j->thread, NULL);
		j->running = false;
	}
	for (size_t i = 0; i < j->n_segs; i++)
		free((char *)j->segs[i].text);
	j->n_segs = j->next_seg = 0;
	free(j->pcm);
	j->pcm = NULL;
	j->done = j->oom = false;
}

static enum tacit_status job_submit(struct tacit_asr *asr, const float *pcm, size_t n, int64_t offset_ms,
				    int speaker, long long *out_id)
{
	struct remote_job *j = &asr->job;
	pthread_mutex_lock(&j->mu);
	bool busy = j->running && !j->done;
	pthread_mutex_unlock(&j->mu);
	if (busy)
		return tacit_fail(TACIT_ERR_INTERNAL, "asr_submit: a request to the speech server is in flight already");
	job_end(j, false);
	if (!(j->pcm = malloc((n ? n : 1) * sizeof(float))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	memcpy(j->pcm, pcm, n * sizeof(float));
	j->n = n;
	j->offset_ms = offset_ms;
	j->speaker = speaker;
	j->id = ++asr->next_id;
	cancel_clear(&j->cancel);
	if (pthread_create(&j->thread, NULL, job_main, asr) != 0) {
		job_end(j, false);
		return tacit_fail(TACIT_ERR_NOMEM, "cannot start the thread for a request to the speech server");
	}
	j->running = true;
	*out_id = j->id;
	return TACIT_OK;
}

/* As asr_poll(): the answer's segments one by one once it is in, then its end. */
static enum tacit_status job_poll(struct tacit_asr *asr, int timeout_ms, struct asr_event *ev)
{
	struct remote_job *j = &asr->job;
	if (!j->running)
		return TACIT_OK;
	pthread_mutex_lock(&j->mu);
	if (!j->done && timeout_ms > 0) {
		struct timespec ts;
		clock_realtime_in(timeout_ms, &ts);
		while (!j->done && pthread_cond_timedwait(&j->cond, &j->mu, &ts) == 0)
			;
	}
	bool done = j->done;
	pthread_mutex_unlock(&j->mu);
	if (!done)
		return TACIT_OK;
	ev->id = j->id;
	if (j->next_seg < j->n_segs) { /* its text stays until the DONE event's poll */
		ev->type = ASR_EV_SEGMENT;
		ev->seg = j->segs[j->next_seg++];
		return TACIT_OK;
	}
	ev->type = ASR_EV_DONE;
	ev->status = j->st == TACIT_OK ? TACIT_OK : tacit_fail(j->st, "%s", j->msg);
	if (j->st == TACIT_OK)
		count_language(asr, j->lang, (int64_t)(j->n / (TACIT_AUDIO_RATE / 1000)));
	job_end(j, false);
	return TACIT_OK;
}

enum tacit_status tacit_asr_open(const struct tacit_asr_params *params, struct tacit_asr **out)
{
	struct tacit_asr *asr;
	bool ok = true;
	enum tacit_status st;

	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_asr_open: out is NULL");
	*out = NULL;
	bool remote = params && tacit_engine_is_remote(params->engine);
	if (!params || (!remote && (!params->model_path || !*params->model_path)))
		return tacit_fail(TACIT_ERR_USAGE, "no whisper model given");
	if (!(asr = calloc(1, sizeof(*asr))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	workerproc_init(&asr->w, "transcription worker", "whisper.cpp");
	buf_init(&asr->seg_text);
	pthread_mutex_init(&asr->job.mu, NULL);
	pthread_cond_init(&asr->job.cond, NULL);
	asr->p = *params;
	asr->model_path = dup_or_null(params->model_path, &ok);
	asr->vad_path = dup_or_null(params->vad_model_path, &ok);
	asr->language = dup_or_null(params->language, &ok);
	asr->p.model_path = asr->model_path;
	asr->p.vad_model_path = asr->vad_path;
	asr->p.language = asr->language;
	if (!ok) {
		tacit_asr_close(asr);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	asr->p.engine = NULL; /* the caller's; remote_asr keeps its own copy */
	if (remote) {
		asr->multilingual = true; /* the server's model decides */
		st = remote_asr_open(params->engine, params->language, params->translate, &asr->remote);
	} else {
		st = ensure_worker(asr);
	}
	if (st != TACIT_OK) {
		tacit_asr_close(asr);
		return st;
	}
	*out = asr;
	return TACIT_OK;
}

void tacit_asr_close(struct tacit_asr *asr)
{
	if (!asr)
		return;
	workerproc_release(&asr->w);
	job_end(&asr->job, true);
	free(asr->job.segs);
	pthread_mutex_destroy(&asr->job.mu);
	pthread_cond_destroy(&asr->job.cond);
	remote_asr_close(asr->remote);
	vad_client_free(asr->vad);
	buf_release(&asr->seg_text);
	free(asr->model_path);
	free(asr->vad_path);
	free(asr->language);
	free(asr);
}

bool tacit_asr_multilingual(const struct tacit_asr *asr)
{
	return asr && asr->multilingual;
}

const char *tacit_asr_where(const struct tacit_asr *asr)
{
	return asr && asr->remote ? remote_asr_where(asr->remote) : "this device";
}

const char *asr_label(const struct tacit_asr *asr)
{
	return asr->remote ? remote_asr_label(asr->remote) : NULL;
}

void asr_kill(struct tacit_asr *asr)
{
	workerproc_died(&asr->w, true);
}

enum tacit_status asr_submit(struct tacit_asr *asr, const float *pcm, size_t n, int64_t offset_ms, int speaker,
			     bool quick, long long *out_id)
{
	enum tacit_status st;
	struct buf frame;
	char head[160];

	if (n > ASR_MAX_SAMPLES)
		return tacit_fail(TACIT_ERR_INTERNAL, "asr_submit: %zu samples is over the request limit", n);
	if (asr->remote)
		return job_submit(asr, pcm, n, offset_ms, speaker, out_id);
	if (asr->w.pid <= 0)
		tacit_log(TACIT_LOG_INFO, "starting the transcription worker for '%s'", asr->model_path);
	if ((st = ensure_worker(asr)) != TACIT_OK)
		return st;
	long long id = ++asr->next_id;
	int hn = snprintf(head, sizeof(head), "{\"id\":%lld,\"offset_ms\":%lld,\"speaker\":%d,\"quick\":%s,\"n\":%zu}",
			  id, (long long)offset_ms, speaker, quick ? "true" : "false", n);
	buf_init(&frame);
	frame.cap = PROTO_MAX_FRAME;
	buf_add(&frame, head, (size_t)hn + 1); /* with its NUL: the samples follow */
	buf_add(&frame, pcm, n * sizeof(float));
	if (frame.failed) {
		buf_release(&frame);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	bool sent = workerproc_send(&asr->w, PROTO_TRANSCRIBE, frame.data, frame.len);
	buf_release(&frame);
	if (!sent)
		return workerproc_died(&asr->w, false);
	*out_id = id;
	return TACIT_OK;
}

enum tacit_status asr_cancel(struct tacit_asr *asr, long long id)
{
	char msg[64];
	if (asr->remote) {
		if (asr->job.running && asr->job.id == id)
			cancel_request(&asr->job.cancel); /* the transfer stops; DONE says cancelled */
		return TACIT_OK;
	}
	int n = snprintf(msg, sizeof(msg), "{\"id\":%lld}", id);
	if (!workerproc_send(&asr->w, PROTO_CANCEL, msg, (size_t)n))
		return workerproc_died(&asr->w, false);
	return TACIT_OK;
}

enum tacit_status asr_poll(struct tacit_asr *asr, int timeout_ms, struct asr_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (asr->remote)
		return job_poll(asr, timeout_ms, ev);
	for (;;) {
		unsigned type;
		const char *payload;
		size_t len;
		int got = workerproc_wait(&asr->w, timeout_ms, &type, &payload, &len);
		if (got < 0)
			return workerproc_died(&asr->w, false);
		if (got == 0)
			return TACIT_OK;
		if (type != PROTO_SEGMENT && type != PROTO_DONE && type != PROTO_ERROR)
			continue;
		yyjson_doc *jd = yyjson_read(payload, len, 0);
		yyjson_val *r = yyjson_doc_get_root(jd);
		ev->id = yyjson_get_sint(yyjson_obj_get(r, "id"));
		if (type == PROTO_SEGMENT) {
			const char *text = yyjson_get_str(yyjson_obj_get(r, "text"));
			buf_reset(&asr->seg_text);
			buf_adds(&asr->seg_text, text ? text : "");
			ev->type = ASR_EV_SEGMENT;
			ev->seg.start_ms = yyjson_get_sint(yyjson_obj_get(r, "start_ms"));
			ev->seg.end_ms = yyjson_get_sint(yyjson_obj_get(r, "end_ms"));
			ev->seg.speaker = (int)yyjson_get_sint(yyjson_obj_get(r, "speaker"));
			ev->seg.turn_next = yyjson_get_bool(yyjson_obj_get(r, "turn_next"));
			ev->seg.final = true;
			ev->seg.confidence = (float)yyjson_get_num(yyjson_obj_get(r, "confidence"));
			ev->seg.text = asr->seg_text.data;
		} else {
			ev->type = ASR_EV_DONE;
			ev->status = type == PROTO_DONE ? TACIT_OK : error_of(r);
			if (type == PROTO_DONE)
				count_language(asr, yyjson_get_str(yyjson_obj_get(r, "language")),
					       yyjson_get_sint(yyjson_obj_get(r, "audio_ms")));
		}
		yyjson_doc_free(jd);
		return TACIT_OK;
	}
}

enum tacit_status asr_vad(struct tacit_asr *asr, const float *pcm, size_t n, struct tacit_span **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (!asr->vad_path || asr->vad_failed)
		return TACIT_ERR_UNSUPPORTED;
	enum tacit_status st = asr->vad ? TACIT_OK : vad_client_new(asr->vad_path, &asr->p.vad, &asr->vad);
	if (st == TACIT_OK)
		st = vad_client_detect(asr->vad, pcm, n, out, n_out);
	if (st == TACIT_ERR_WORKER && !asr->vad_restarted) {
		tacit_log(TACIT_LOG_WARN, "%s; starting it again", tacit_errmsg());
		asr->vad_restarted = true;
		st = vad_client_detect(asr->vad, pcm, n, out, n_out);
	}
	if (st == TACIT_ERR_WORKER) {
		tacit_log(TACIT_LOG_WARN, "%s; live transcription goes on without voice activity detection "
					  "(an utterance ends every 10 s)",
			  tacit_errmsg());
		vad_client_free(asr->vad);
		asr->vad = NULL;
		asr->vad_failed = true;
		return TACIT_ERR_UNSUPPORTED;
	}
	if (st != TACIT_OK)
		asr->vad_failed = true; /* the model cannot load: said once, then fixed windows */
	return st;
}

/* Where to end a request of at most ASR_MAX_SAMPLES: at the quietest 100 ms of its last
 * 20 s, so a word is rarely cut in two. */
size_t asr_split_at(const float *pcm, size_t n)
{
	const size_t win = TACIT_AUDIO_RATE / 10, look = 20 * (size_t)TACIT_AUDIO_RATE;
	if (n <= ASR_MAX_SAMPLES)
		return n;
	size_t best = ASR_MAX_SAMPLES;
	double best_e = INFINITY;
	for (size_t at = ASR_MAX_SAMPLES - look; at + win <= ASR_MAX_SAMPLES; at += win) {
		double e = 0;
		for (size_t i = 0; i < win; i++)
			e += (double)pcm[at + i] * pcm[at + i];
		if (e < best_e) {
			best_e = e;
			best = at + win / 2;
		}
	}
	return best;
}

/* One request to its end: segments to fn, the cancel flag and fn's "stop" forwarded. */
static enum tacit_status run_one(struct tacit_asr *asr, const float *pcm, size_t n, int64_t offset_ms, int speaker,
				 const volatile int *cancel, tacit_asr_segment_fn fn, void *user)
{
	if (asr->remote) {
		char lang[8];
		enum tacit_status st = remote_asr_transcribe(asr->remote, pcm, n, offset_ms, speaker, cancel, fn, user, lang);
		if (st == TACIT_OK)
			count_language(asr, lang, (int64_t)(n / (TACIT_AUDIO_RATE / 1000)));
		return st;
	}
	long long id;
	bool cancel_sent = false;
	double kill_at = 0;
	enum tacit_status st = asr_submit(asr, pcm, n, offset_ms, speaker, false, &id);
	while (st == TACIT_OK) {
		struct asr_event ev;
		if ((st = asr_poll(asr, 20, &ev)) != TACIT_OK)
			break;
		if (ev.type == ASR_EV_SEGMENT && ev.id == id && !cancel_sent && fn && !fn(&ev.seg, user)) {
			if ((st = asr_cancel(asr, id)) != TACIT_OK)
				break;
			cancel_sent = true;
			kill_at = clock_now_ms() + WORKER_GRACE_MS;
		}
		if (ev.type == ASR_EV_DONE && ev.id == id)
			return cancel_sent ? tacit_fail(TACIT_ERR_CANCELLED, "transcription cancelled") : ev.status;
		if (!cancel_sent && cancel_requested(cancel)) {
			if ((st = asr_cancel(asr, id)) != TACIT_OK)
				break;
			cancel_sent = true;
			kill_at = clock_now_ms() + WORKER_GRACE_MS;
		}
		if (cancel_sent && clock_now_ms() > kill_at) {
			asr_kill(asr);
			return tacit_fail(TACIT_ERR_CANCELLED, "transcription cancelled; the worker did not stop within %d ms "
							       "and was killed (the next request restarts it)",
					  WORKER_GRACE_MS);
		}
	}
	return st;
}

enum tacit_status tacit_asr_transcribe(struct tacit_asr *asr, const float *pcm, size_t n, int64_t offset_ms,
				       int speaker, const volatile int *cancel, tacit_asr_segment_fn fn, void *user)
{
	if (!asr || (!pcm && n))
		return tacit_fail(TACIT_ERR_USAGE, "no engine or no audio");
	if (cancel_requested(cancel))
		return tacit_fail(TACIT_ERR_CANCELLED, "transcription cancelled");
	if (n < ASR_MIN_SAMPLES)
		return TACIT_OK; /* too short to hold a word */
	while (n > 0) {
		size_t k = asr_split_at(pcm, n);
		enum tacit_status st = run_one(asr, pcm, k, offset_ms, speaker, cancel, fn, user);
		if (st != TACIT_OK)
			return st;
		pcm += k;
		n -= k;
		offset_ms += (int64_t)(k / (TACIT_AUDIO_RATE / 1000));
	}
	return TACIT_OK;
}
