/*
 * embed_serve.c — the worker's embedding requests (see embed_serve.h): texts in as JSON,
 * their vectors out as raw float32 after the answer's JSON (a batch of 64 vectors of 384
 * is 96 KB; as JSON numbers it would be three times that).
 */
#include "internal.h"

#include "embed_engine.h"
#include "embed_serve.h"
#include "proto.h"
#include "reply.h"

void worker_embed_load(struct embed_engine **e, long long id, yyjson_val *req, const atomic_bool *stop)
{
	embed_engine_free(*e);
	*e = NULL;
	enum tacit_status st = embed_engine_load(yyjson_get_str(yyjson_obj_get(req, "model")),
						 worker_req_threads(req), stop, e);
	if (st != TACIT_OK) {
		worker_send_error(id, st);
		return;
	}
	yyjson_mut_val *o;
	yyjson_mut_doc *doc = worker_reply(id, &o);
	yyjson_mut_obj_add_int(doc, o, "dim", embed_engine_dim(*e));
	yyjson_mut_obj_add_int(doc, o, "n_ctx", embed_engine_n_ctx(*e));
	worker_send(PROTO_LOADED, doc);
	yyjson_mut_doc_free(doc);
}

void worker_embed_run(struct embed_engine *e, long long id, yyjson_val *req)
{
	yyjson_val *arr = yyjson_obj_get(req, "texts"), *v;
	size_t n = yyjson_arr_size(arr), i, max;
	const char **texts = NULL;
	float *vec = NULL;
	enum tacit_status st = TACIT_OK;

	if (!e) {
		worker_send_error(id, tacit_fail(TACIT_ERR_USAGE, "no embedding model loaded"));
		return;
	}
	if (!yyjson_is_arr(arr) || !n || n > PROTO_EMBED_MAX_TEXTS) {
		worker_send_error(id, tacit_fail(TACIT_ERR_FORMAT, "malformed embedding request (1 to %d texts)",
						 PROTO_EMBED_MAX_TEXTS));
		return;
	}
	if (!(texts = calloc(n, sizeof(*texts))) || !(vec = malloc(n * (size_t)embed_engine_dim(e) * sizeof(float)))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	yyjson_arr_foreach(arr, i, max, v)
	{
		if (!yyjson_is_str(v)) {
			st = tacit_fail(TACIT_ERR_FORMAT, "malformed embedding request (text %zu is not a string)", i + 1);
			goto out;
		}
		texts[i] = yyjson_get_str(v);
	}
	if ((st = embed_engine_run(e, texts, n, vec)) != TACIT_OK)
		goto out;
	yyjson_mut_val *o;
	yyjson_mut_doc *doc = worker_reply(id, &o);
	yyjson_mut_obj_add_int(doc, o, "dim", embed_engine_dim(e));
	yyjson_mut_obj_add_uint(doc, o, "n", n);
	worker_send_with(PROTO_VECTORS, doc, vec, n * (size_t)embed_engine_dim(e) * sizeof(float));
	yyjson_mut_doc_free(doc);
out:
	if (st != TACIT_OK)
		worker_send_error(id, st);
	free(vec);
	free(texts);
}
