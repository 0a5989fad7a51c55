/*
 * embed_client.c — the caller's side of text embeddings (embed.h): a worker with engine
 * "embed" is started and loaded once, then asked for batches of texts (EMBED, answered
 * by VECTORS: raw float32 after the JSON). A worker that dies is an error naming it;
 * nothing is retried behind the caller's back.
 */
#include "internal.h"

#include "embed.h"
#include "workerproc.h"

#include <math.h>

#include <yyjson.h>

#define LOAD_TIMEOUT_MS 60000
#define BATCH_TIMEOUT_MS 120000
#define BATCH_TEXTS 64 /* per request: a cancel is seen between them */

struct embedder {
	struct workerproc w;
	int dim;
	long long id;
};

void embedder_close(struct embedder *e)
{
	if (!e)
		return;
	workerproc_stop(&e->w, false);
	workerproc_release(&e->w);
	free(e);
}

int embedder_dim(const struct embedder *e)
{
	return e ? e->dim : 0;
}

enum tacit_status embedder_open(const char *model_path, int n_threads, struct embedder **out)
{
	struct embedder *e;
	const char *payload;
	size_t len;
	enum tacit_status st;

	*out = NULL;
	if (!model_path || !*model_path)
		return tacit_fail(TACIT_ERR_USAGE, "no embedding model given");
	if (!(e = calloc(1, sizeof(*e))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	workerproc_init(&e->w, "embedding worker", "llama.cpp");
	if ((st = workerproc_spawn(&e->w)) != TACIT_OK)
		goto out;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", ++e->id);
	yyjson_mut_obj_add_str(doc, o, "engine", "embed");
	yyjson_mut_obj_add_str(doc, o, "model", model_path);
	yyjson_mut_obj_add_int(doc, o, "n_threads", n_threads);
	char *json = yyjson_mut_write(doc, 0, &len);
	yyjson_mut_doc_free(doc);
	if (!json) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	bool sent = workerproc_send(&e->w, PROTO_LOAD, json, len);
	free(json);
	if (!sent) {
		st = workerproc_died(&e->w, false);
		goto out;
	}
	if ((st = workerproc_await(&e->w, PROTO_LOADED, LOAD_TIMEOUT_MS, &payload, &len)) != TACIT_OK)
		goto out;
	yyjson_doc *d = yyjson_read(payload, len, 0);
	yyjson_val *dim = yyjson_obj_get(yyjson_doc_get_root(d), "dim");
	e->dim = yyjson_is_int(dim) ? (int)yyjson_get_sint(dim) : 0;
	yyjson_doc_free(d);
	if (e->dim <= 0 || e->dim > 65536)
		st = tacit_fail(TACIT_ERR_WORKER, "the embedding worker answered its load without a usable size");
out:
	if (st != TACIT_OK)
		embedder_close(e);
	else
		*out = e;
	return st;
}

/* One request of n texts; their vectors to out. */
static enum tacit_status batch(struct embedder *e, const char *const *texts, size_t n, float *out)
{
	const char *payload;
	size_t len;
	enum tacit_status st;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", ++e->id);
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, o, "texts");
	for (size_t i = 0; i < n; i++)
		yyjson_mut_arr_add_str(doc, arr, texts[i] ? texts[i] : "");
	char *json = yyjson_mut_write(doc, YYJSON_WRITE_ALLOW_INVALID_UNICODE, &len);
	yyjson_mut_doc_free(doc);
	if (!json)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	bool sent = workerproc_send(&e->w, PROTO_EMBED, json, len);
	free(json);
	if (!sent)
		return workerproc_died(&e->w, false);
	if ((st = workerproc_await(&e->w, PROTO_VECTORS, BATCH_TIMEOUT_MS, &payload, &len)) != TACIT_OK)
		return st;
	return embed_vectors_parse(payload, len, n, e->dim, out);
}

enum tacit_status embed_vectors_parse(const char *payload, size_t len, size_t n, int dim, float *out)
{
	size_t head = strnlen(payload, len) + 1;
	yyjson_doc *d = head <= len ? yyjson_read(payload, head - 1, 0) : NULL;
	yyjson_val *nv = yyjson_obj_get(yyjson_doc_get_root(d), "n");
	yyjson_val *dv = yyjson_obj_get(yyjson_doc_get_root(d), "dim");
	bool ok = yyjson_is_uint(nv) && yyjson_get_uint(nv) == n && yyjson_is_int(dv) && yyjson_get_sint(dv) == dim &&
		  dim > 0 && len - head == n * (size_t)dim * sizeof(float);
	yyjson_doc_free(d);
	if (!ok)
		return tacit_fail(TACIT_ERR_WORKER, "the embedding worker sent a malformed answer");
	memcpy(out, payload + head, n * (size_t)dim * sizeof(float));
	for (size_t i = 0; i < n * (size_t)dim; i++)
		if (!isfinite(out[i]))
			return tacit_fail(TACIT_ERR_WORKER, "the embedding worker sent a vector that is not a number");
	return TACIT_OK;
}

enum tacit_status embedder_run(struct embedder *e, const char *const *texts, size_t n, const atomic_bool *cancel,
			       float *out)
{
	if (!e || (n && (!texts || !out)))
		return tacit_fail(TACIT_ERR_USAGE, "embedder_run: no embedder, texts or out");
	for (size_t at = 0; at < n; at += BATCH_TEXTS) {
		if (cancel && atomic_load(cancel))
			return tacit_fail(TACIT_ERR_CANCELLED, "cancelled");
		size_t k = n - at < BATCH_TEXTS ? n - at : BATCH_TEXTS;
		enum tacit_status st = batch(e, texts + at, k, out + at * (size_t)e->dim);
		if (st != TACIT_OK)
			return st;
	}
	return TACIT_OK;
}

void embed_quantize(const float *v, int dim, void *out)
{
	float max = 0, scale;
	int8_t *q = (int8_t *)((char *)out + sizeof(float));
	for (int i = 0; i < dim; i++)
		max = fabsf(v[i]) > max ? fabsf(v[i]) : max;
	scale = max > 0 ? max / 127.0f : 1.0f;
	memcpy(out, &scale, sizeof(scale));
	for (int i = 0; i < dim; i++) {
		long x = lrintf(v[i] / scale);
		q[i] = (int8_t)(x > 127 ? 127 : x < -127 ? -127 : x);
	}
}

float embed_dot_q(const void *a, const float *b, int dim)
{
	float scale, s = 0;
	const int8_t *q = (const int8_t *)((const char *)a + sizeof(float));
	memcpy(&scale, a, sizeof(scale));
	for (int i = 0; i < dim; i++)
		s += (float)q[i] * b[i];
	return s * scale;
}
