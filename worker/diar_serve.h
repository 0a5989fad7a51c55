/*
 * diar_serve.h — the diarization side of tacit-worker (diar_serve.c): loads the models
 * on a LOAD with engine "diar" and answers each DIARIZE request (one piece of audio) with
 * one LOCAL frame: the piece's local speakers, their turns and embeddings.
 */
#ifndef TACIT_WORKER_DIAR_SERVE_H
#define TACIT_WORKER_DIAR_SERVE_H

#include "internal.h"

#include <stdatomic.h>

#include <yyjson.h>

struct diar_engine;

/* Loads "segmentation" (optional) and "embedding" with "n_threads" (replacing *e) and
 * answers LOADED {"id","dim","segmentation"} or ERROR. */
void worker_diar_load(struct diar_engine **e, long long id, yyjson_val *req);
/* Answers a DIARIZE request (src/proto.h) with LOCAL, or ERROR. */
void worker_diar_run(struct diar_engine *e, long long id, yyjson_val *req, const char *payload, size_t len,
		     atomic_bool *stop);

#endif
