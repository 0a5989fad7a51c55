/*
 * vad.c — the caller's side of voice activity detection: Silero runs in a tacit-worker
 * of its own (engine "vad", worker/vad_engine.c), so no ggml backend or whisper.cpp code
 * ever runs in this process. A client keeps its worker (the live stream asks every half
 * second); tacit_vad_detect() starts one per call. Audio goes over without a copy, in
 * pieces of at most ASR_MAX_SAMPLES that the worker joins before it runs Silero once.
 */
#include "internal.h"

#include "asr.h"
#include "workerproc.h"

#include <yyjson.h>

/* How long a worker may take to start and load the model, and then, per request, on top
 * of a tenth of the audio's duration (Silero needs about 1/400 of it on one thread). */
#define VAD_TIMEOUT_MS 30000

struct vad_client {
	struct workerproc w;
	char *model_path;
	struct tacit_vad_params p;
	long long next_id;
};

enum tacit_status vad_client_new(const char *model_path, const struct tacit_vad_params *params,
				 struct vad_client **out)
{
	struct vad_client *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c || !(c->model_path = strdup(model_path))) {
		free(c);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	workerproc_init(&c->w, "voice activity worker", "whisper.cpp's Silero VAD");
	c->p = params ? *params : tacit_vad_default_params();
	*out = c;
	return TACIT_OK;
}

void vad_client_free(struct vad_client *c)
{
	if (!c)
		return;
	workerproc_release(&c->w);
	free(c->model_path);
	free(c);
}

/* Starts the worker and loads the model when none is running. */
static enum tacit_status ensure_worker(struct vad_client *c)
{
	const char *payload;
	size_t len;
	enum tacit_status st;

	if (c->w.pid > 0)
		return TACIT_OK;
	if ((st = workerproc_spawn(&c->w)) != TACIT_OK)
		return st;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", ++c->next_id);
	yyjson_mut_obj_add_str(doc, o, "engine", "vad");
	yyjson_mut_obj_add_str(doc, o, "model", c->model_path);
	yyjson_mut_obj_add_real(doc, o, "threshold", c->p.threshold);
	yyjson_mut_obj_add_int(doc, o, "min_speech_ms", c->p.min_speech_ms);
	yyjson_mut_obj_add_int(doc, o, "min_silence_ms", c->p.min_silence_ms);
	yyjson_mut_obj_add_int(doc, o, "pad_ms", c->p.pad_ms);
	yyjson_mut_obj_add_int(doc, o, "n_threads", c->p.n_threads);
	char *json = yyjson_mut_write(doc, 0, &len);
	yyjson_mut_doc_free(doc);
	if (!json)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	bool sent = workerproc_send(&c->w, PROTO_LOAD, json, len);
	free(json);
	if (!sent)
		return workerproc_died(&c->w, false);
	if ((st = workerproc_await(&c->w, PROTO_LOADED, VAD_TIMEOUT_MS, &payload, &len)) != TACIT_OK && c->w.pid > 0)
		workerproc_stop(&c->w, false); /* a worker without a model is no use */
	return st;
}

static enum tacit_status parse_spans(const char *payload, size_t len, struct tacit_span **out, size_t *n_out)
{
	yyjson_doc *doc = yyjson_read(payload, len, 0);
	yyjson_val *arr = yyjson_obj_get(yyjson_doc_get_root(doc), "spans"), *pair;
	enum tacit_status st = TACIT_OK;
	size_t i, max;

	if (!yyjson_is_arr(arr)) {
		st = tacit_fail(TACIT_ERR_WORKER, "the voice activity worker's answer is malformed");
		goto out;
	}
	if (!yyjson_arr_size(arr))
		goto out;
	if (!(*out = calloc(yyjson_arr_size(arr), sizeof(**out)))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	yyjson_arr_foreach(arr, i, max, pair)
	{
		(*out)[i].start_ms = yyjson_get_sint(yyjson_arr_get(pair, 0));
		(*out)[i].end_ms = yyjson_get_sint(yyjson_arr_get(pair, 1));
	}
	*n_out = yyjson_arr_size(arr);
out:
	yyjson_doc_free(doc);
	return st;
}

enum tacit_status vad_client_detect(struct vad_client *c, const float *pcm, size_t n, struct tacit_span **out,
				    size_t *n_out)
{
	enum tacit_status st;
	const char *payload;
	size_t len;
	char head[128];

	*out = NULL;
	*n_out = 0;
	if ((st = ensure_worker(c)) != TACIT_OK)
		return st;
	size_t audio_ms = n / (TACIT_AUDIO_RATE / 1000);
	int timeout_ms = VAD_TIMEOUT_MS + (int)(audio_ms / 10 < INT_MAX / 2 ? audio_ms / 10 : INT_MAX / 2);
	long long id = ++c->next_id;
	do {
		size_t k = n < ASR_MAX_SAMPLES ? n : ASR_MAX_SAMPLES;
		bool more = k < n;
		int hn = snprintf(head, sizeof(head), "{\"id\":%lld,\"n\":%zu,\"more\":%s}", id, k,
				  more ? "true" : "false");
		/* spaces after the JSON put the samples at a multiple of 4 bytes into the
		 * payload: the worker reads them in place, without a copy */
		while ((hn + 1) % (int)sizeof(float))
			head[hn++] = ' ';
		head[hn++] = '\0';
		if (!workerproc_send_parts(&c->w, PROTO_VAD, head, (size_t)hn, pcm, k * sizeof(float)))
			return workerproc_died(&c->w, false);
		if ((st = workerproc_await(&c->w, more ? PROTO_DONE : PROTO_SPANS, timeout_ms, &payload, &len)) != TACIT_OK)
			return st;
		if (k) {
			pcm += k;
			n -= k;
		}
	} while (n > 0);
	return parse_spans(payload, len, out, n_out);
}

enum tacit_status tacit_vad_detect(const char *model_path, const struct tacit_vad_params *params, const float *pcm,
				   size_t n, struct tacit_span **out_spans, size_t *n_out)
{
	struct vad_client *c = NULL;
	enum tacit_status st;

	if (!out_spans || !n_out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_vad_detect: out_spans or n_out is NULL");
	*out_spans = NULL;
	*n_out = 0;
	if (!model_path)
		return tacit_fail(TACIT_ERR_USAGE, "no VAD model given");
	if (!pcm && n)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_vad_detect: no audio");
	if ((st = vad_client_new(model_path, params, &c)) == TACIT_OK)
		st = vad_client_detect(c, pcm, n, out_spans, n_out);
	vad_client_free(c);
	return st;
}
