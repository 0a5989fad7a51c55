/*
 * diar_serve.c — the worker's diarization requests (see diar_serve.h): JSON in, the
 * engine run, and an answer whose embeddings travel as raw float32 after the JSON (a
 * piece of four minutes has at most a few hundred of them; JSON numbers would triple
 * their size for nothing).
 */
#include "internal.h"

#include "diar_engine.h"
#include "diar_serve.h"
#include "proto.h"
#include "reply.h"

#include <unistd.h>

void worker_diar_load(struct diar_engine **e, long long id, yyjson_val *req)
{
	diar_engine_free(*e);
	*e = NULL;
	enum tacit_status st = diar_engine_open(yyjson_get_str(yyjson_obj_get(req, "segmentation")),
						yyjson_get_str(yyjson_obj_get(req, "embedding")),
						worker_req_threads(req), e);
	if (st != TACIT_OK) {
		worker_send_error(id, st);
		return;
	}
	yyjson_mut_val *o;
	yyjson_mut_doc *doc = worker_reply(id, &o);
	yyjson_mut_obj_add_int(doc, o, "dim", diar_engine_dim(*e));
	yyjson_mut_obj_add_bool(doc, o, "segmentation", diar_engine_segments(*e));
	worker_send(PROTO_LOADED, doc);
	yyjson_mut_doc_free(doc);
}

void worker_diar_run(struct diar_engine *e, long long id, yyjson_val *req, const char *payload, size_t len,
		     atomic_bool *stop)
{
	size_t head = strlen(payload) + 1;
	yyjson_val *nv = yyjson_obj_get(req, "n"), *ov = yyjson_obj_get(req, "offset_ms");
	yyjson_val *sv = yyjson_obj_get(req, "spans"), *pair;
	size_t n = yyjson_is_uint(nv) ? (size_t)yyjson_get_uint(nv) : 0, i, max;
	struct tacit_span *spans = NULL;
	size_t n_spans = 0;
	float *pcm = NULL;
	struct diar_local l = { 0 };
	enum tacit_status st = TACIT_OK;

	if (!e) {
		worker_send_error(id, tacit_fail(TACIT_ERR_USAGE, "no diarization models loaded"));
		return;
	}
	if (head > len || (len - head) / sizeof(float) != n || (len - head) % sizeof(float) ||
	    (ov && !yyjson_is_int(ov)) || (sv && !yyjson_is_arr(sv))) {
		st = tacit_fail(TACIT_ERR_FORMAT, "malformed diarization request");
		goto out;
	}
	/* a copy: the samples' place in the frame need not be aligned for floats */
	if (!(pcm = malloc((n ? n : 1) * sizeof(float))) ||
	    (sv && yyjson_arr_size(sv) && !(spans = calloc(yyjson_arr_size(sv), sizeof(*spans))))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(pcm, payload + head, n * sizeof(float));
	yyjson_arr_foreach(sv, i, max, pair)
	{
		spans[n_spans].start_ms = yyjson_get_sint(yyjson_arr_get(pair, 0));
		spans[n_spans].end_ms = yyjson_get_sint(yyjson_arr_get(pair, 1));
		n_spans++;
	}
	if ((st = diar_engine_run(e, pcm, n, ov ? yyjson_get_sint(ov) : 0, spans, n_spans, stop, &l)) != TACIT_OK)
		goto out;
	yyjson_mut_val *o;
	yyjson_mut_doc *doc = worker_reply(id, &o);
	yyjson_mut_obj_add_int(doc, o, "dim", diar_engine_dim(e));
	yyjson_mut_obj_add_uint(doc, o, "groups", l.n_groups);
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, o, "turns");
	for (i = 0; i < l.n_turns; i++) {
		yyjson_mut_val *t = yyjson_mut_arr_add_arr(doc, arr);
		yyjson_mut_arr_add_sint(doc, t, l.turns[i].start_ms);
		yyjson_mut_arr_add_sint(doc, t, l.turns[i].end_ms);
		yyjson_mut_arr_add_int(doc, t, l.turns[i].group);
	}
	worker_send_with(PROTO_LOCAL, doc, l.embs, l.n_groups * (size_t)diar_engine_dim(e) * sizeof(float));
	yyjson_mut_doc_free(doc);
out:
	if (st != TACIT_OK)
		worker_send_error(id, st);
	diar_local_release(&l);
	free(spans);
	free(pcm);
}
