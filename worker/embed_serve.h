/*
 * embed_serve.h — the embedding side of tacit-worker (embed_serve.c): loads the model on
 * a LOAD with engine "embed" and answers each EMBED request with one VECTORS frame.
 */
#ifndef TACIT_WORKER_EMBED_SERVE_H
#define TACIT_WORKER_EMBED_SERVE_H

#include "internal.h"

#include <stdatomic.h>

#include <yyjson.h>

struct embed_engine;

/* Loads "model" with "n_threads" (replacing *e) and answers LOADED {"id","dim","n_ctx"}
 * or ERROR. */
void worker_embed_load(struct embed_engine **e, long long id, yyjson_val *req, const atomic_bool *stop);
/* Answers an EMBED request (src/proto.h) with VECTORS, or ERROR. */
void worker_embed_run(struct embed_engine *e, long long id, yyjson_val *req);

#endif
