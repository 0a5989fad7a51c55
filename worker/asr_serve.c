/*
 * asr_serve.c — tacit-worker's speech engines behind the framed protocol: transcription
 * (the whisper.cpp adapter, asr_engine.c) and voice activity (the Silero adapter,
 * vad_engine.c). Segments are sent as they are found, so the parent can show them (and
 * stop the request) before the whole window is decoded. Frames go out on stdout from the
 * main thread only.
 */
#include "internal.h"

#include "asr_serve.h"
#include "asr_engine.h"
#include "proto.h"
#include "reply.h"
#include "vad_engine.h"

#include <stdalign.h>
#include <unistd.h>

static yyjson_mut_val *reply(yyjson_mut_doc *doc, long long id)
{
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", id);
	return o;
}

static void send_status(long long id, enum tacit_status st)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = reply(doc, id);
	if (st != TACIT_OK) {
		yyjson_mut_obj_add_int(doc, o, "status", st);
		yyjson_mut_obj_add_str(doc, o, "message", tacit_errmsg());
	}
	worker_send(st == TACIT_OK ? PROTO_DONE : PROTO_ERROR, doc);
	yyjson_mut_doc_free(doc);
}

static double num(yyjson_val *o, const char *key, double def)
{
	yyjson_val *v = yyjson_obj_get(o, key);
	return yyjson_is_num(v) ? yyjson_get_num(v) : def;
}

static bool flag(yyjson_val *o, const char *key, bool def)
{
	yyjson_val *v = yyjson_obj_get(o, key);
	return yyjson_is_bool(v) ? yyjson_get_bool(v) : def;
}

void worker_asr_free(struct asr_engine *engine)
{
	asr_engine_free(engine);
}

void worker_asr_load(struct asr_engine **engine, long long id, yyjson_val *req)
{
	struct tacit_asr_params p = tacit_asr_default_params();
	p.model_path = yyjson_get_str(yyjson_obj_get(req, "model"));
	p.vad_model_path = yyjson_get_str(yyjson_obj_get(req, "vad_model"));
	p.language = yyjson_get_str(yyjson_obj_get(req, "language"));
	p.translate = flag(req, "translate", p.translate);
	p.speaker_turns = flag(req, "speaker_turns", p.speaker_turns);
	p.n_threads = (int)num(req, "n_threads", 0);
	p.use_gpu = flag(req, "use_gpu", p.use_gpu);
	p.logprob_thold = (float)num(req, "logprob_thold", p.logprob_thold);
	p.no_speech_thold = (float)num(req, "no_speech_thold", p.no_speech_thold);
	p.entropy_thold = (float)num(req, "entropy_thold", p.entropy_thold);
	p.temperature_fallback = flag(req, "temperature_fallback", p.temperature_fallback);
	p.vad.threshold = (float)num(req, "vad_threshold", p.vad.threshold);
	p.vad.min_speech_ms = (int)num(req, "vad_min_speech_ms", p.vad.min_speech_ms);
	p.vad.min_silence_ms = (int)num(req, "vad_min_silence_ms", p.vad.min_silence_ms);
	p.vad.pad_ms = (int)num(req, "vad_pad_ms", p.vad.pad_ms);
	p.vad.n_threads = (int)num(req, "vad_n_threads", p.vad.n_threads);

	asr_engine_free(*engine);
	*engine = NULL;
	enum tacit_status st = asr_engine_new(&p, engine);
	if (st != TACIT_OK) {
		send_status(id, st);
		return;
	}
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = reply(doc, id);
	yyjson_mut_obj_add_bool(doc, o, "multilingual", asr_engine_multilingual(*engine));
	worker_send(PROTO_LOADED, doc);
	yyjson_mut_doc_free(doc);
}

struct job {
	long long id;
	atomic_bool *stop;
	bool crash; /* test: abort at the first segment */
};

static bool on_segment(const struct tacit_asr_segment *seg, void *user)
{
	struct job *j = user;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = reply(doc, j->id);
	yyjson_mut_obj_add_sint(doc, o, "start_ms", seg->start_ms);
	yyjson_mut_obj_add_sint(doc, o, "end_ms", seg->end_ms);
	yyjson_mut_obj_add_int(doc, o, "speaker", seg->speaker);
	yyjson_mut_obj_add_bool(doc, o, "turn_next", seg->turn_next);
	yyjson_mut_obj_add_real(doc, o, "confidence", seg->confidence);
	yyjson_mut_obj_add_str(doc, o, "text", seg->text);
	worker_send(PROTO_SEGMENT, doc);
	yyjson_mut_doc_free(doc);
	return true;
}

static bool should_stop(void *user)
{
	struct job *j = user;
	if (j->crash) {
		fprintf(stderr, "tacit-worker: test crash during transcription\n");
		abort();
	}
	return atomic_load(j->stop);
}

/* Test mode: whether this transcription is the one that must crash (once). */
static bool crash_now(void)
{
	const char *f = getenv("TACIT_ASR_CRASH_ONCE");
	return f && *f && unlink(f) == 0;
}

void worker_asr_transcribe(struct asr_engine *engine, long long id, yyjson_val *req, const char *payload,
			   size_t len, atomic_bool *stop, bool test_mode)
{
	struct job j = { .id = id, .stop = stop };
	size_t head = strlen(payload) + 1;
	yyjson_val *nv = yyjson_obj_get(req, "n");
	size_t n = yyjson_is_uint(nv) ? (size_t)yyjson_get_uint(nv) : 0;
	float *pcm = NULL;

	if (!engine) {
		send_status(id, tacit_fail(TACIT_ERR_USAGE, "no speech model loaded"));
		return;
	}
	if (head > len || (len - head) / sizeof(float) != n || (len - head) % sizeof(float)) {
		send_status(id, tacit_fail(TACIT_ERR_FORMAT, "malformed transcription request"));
		return;
	}
	if (n && !(pcm = malloc(n * sizeof(float)))) {
		send_status(id, tacit_fail(TACIT_ERR_NOMEM, "out of memory"));
		return;
	}
	if (n)
		memcpy(pcm, payload + head, n * sizeof(float)); /* the frame gives no alignment */
	j.crash = test_mode && crash_now();
	enum tacit_status st = asr_engine_transcribe(engine, pcm, n, yyjson_get_sint(yyjson_obj_get(req, "offset_ms")),
						     (int)yyjson_get_sint(yyjson_obj_get(req, "speaker")),
						     yyjson_get_bool(yyjson_obj_get(req, "quick")), should_stop, &j,
						     on_segment, &j);
	free(pcm);
	if (st != TACIT_OK) {
		send_status(id, st);
		return;
	}
	/* DONE says what language the audio was decoded in, and how much audio that was, so
	 * the parent can report the language of most of a recording */
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = reply(doc, id);
	const char *lang = asr_engine_language(engine);
	if (lang && *lang) {
		yyjson_mut_obj_add_str(doc, o, "language", lang);
		yyjson_mut_obj_add_sint(doc, o, "audio_ms", (int64_t)(n / (TACIT_AUDIO_RATE / 1000)));
	}
	worker_send(PROTO_DONE, doc);
	yyjson_mut_doc_free(doc);
}

/* ---- voice activity ------------------------------------------------------------------ */

struct worker_vad {
	struct vad_engine *engine;
	float *pcm; /* the pieces of a request sent in several frames ("more") */
	size_t n, alloc;
};

void worker_vad_free(struct worker_vad *v)
{
	if (!v)
		return;
	vad_engine_free(v->engine);
	free(v->pcm);
	free(v);
}

void worker_vad_load(struct worker_vad **v, long long id, yyjson_val *req)
{
	struct tacit_vad_params p = tacit_vad_default_params();
	p.threshold = (float)num(req, "threshold", p.threshold);
	p.min_speech_ms = (int)num(req, "min_speech_ms", p.min_speech_ms);
	p.min_silence_ms = (int)num(req, "min_silence_ms", p.min_silence_ms);
	p.pad_ms = (int)num(req, "pad_ms", p.pad_ms);
	p.n_threads = (int)num(req, "n_threads", p.n_threads);

	worker_vad_free(*v);
	if (!(*v = calloc(1, sizeof(**v)))) {
		send_status(id, tacit_fail(TACIT_ERR_NOMEM, "out of memory"));
		return;
	}
	enum tacit_status st = vad_engine_open(yyjson_get_str(yyjson_obj_get(req, "model")), &p, &(*v)->engine);
	if (st != TACIT_OK) {
		worker_vad_free(*v);
		*v = NULL;
		send_status(id, st);
		return;
	}
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	reply(doc, id);
	worker_send(PROTO_LOADED, doc);
	yyjson_mut_doc_free(doc);
}

/* Appends n samples (unaligned) to the pieces gathered so far. */
static enum tacit_status gather(struct worker_vad *v, const char *samples, size_t n)
{
	if (v->n + n > v->alloc) {
		size_t want = v->alloc ? v->alloc : n;
		while (want < v->n + n)
			want *= 2;
		float *p = realloc(v->pcm, want * sizeof(float));
		if (!p)
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		v->pcm = p;
		v->alloc = want;
	}
	memcpy(v->pcm + v->n, samples, n * sizeof(float));
	v->n += n;
	return TACIT_OK;
}

static void send_spans(long long id, const struct tacit_span *spans, size_t n)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = reply(doc, id);
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, o, "spans");
	for (size_t i = 0; i < n; i++) {
		yyjson_mut_val *pair = yyjson_mut_arr_add_arr(doc, arr);
		yyjson_mut_arr_add_sint(doc, pair, spans[i].start_ms);
		yyjson_mut_arr_add_sint(doc, pair, spans[i].end_ms);
	}
	worker_send(PROTO_SPANS, doc);
	yyjson_mut_doc_free(doc);
}

void worker_vad_detect(struct worker_vad *v, long long id, yyjson_val *req, const char *payload, size_t len)
{
	size_t head = strlen(payload) + 1;
	yyjson_val *nv = yyjson_obj_get(req, "n");
	size_t n = yyjson_is_uint(nv) ? (size_t)yyjson_get_uint(nv) : 0;
	const char *samples = payload + head;
	struct tacit_span *spans = NULL;
	size_t n_spans = 0;
	enum tacit_status st;

	if (!v) {
		send_status(id, tacit_fail(TACIT_ERR_USAGE, "no VAD model loaded"));
		return;
	}
	if (head > len || (len - head) / sizeof(float) != n || (len - head) % sizeof(float)) {
		st = tacit_fail(TACIT_ERR_FORMAT, "malformed VAD request");
		goto out;
	}
	if (yyjson_get_bool(yyjson_obj_get(req, "more"))) {
		if ((st = gather(v, samples, n)) == TACIT_OK)
			send_status(id, TACIT_OK); /* DONE: send the next piece */
		else
			goto out;
		return;
	}
	if (!v->n && (uintptr_t)samples % alignof(float) == 0) {
		/* the common case, one piece: the client aligned the samples, read in place */
		st = vad_engine_detect(v->engine, (const float *)(const void *)samples, n, &spans, &n_spans);
	} else if ((st = gather(v, samples, n)) == TACIT_OK) {
		st = vad_engine_detect(v->engine, v->pcm, v->n, &spans, &n_spans);
	}
	if (st == TACIT_OK)
		send_spans(id, spans, n_spans);
	free(spans);
out:
	if (st != TACIT_OK)
		send_status(id, st);
	/* the request is over, answered either way: the next one starts afresh */
	free(v->pcm);
	v->pcm = NULL;
	v->n = v->alloc = 0;
}
