/*
 * asr_serve.h — the speech side of tacit-worker (worker/asr_serve.c): loads whisper on a
 * LOAD with engine "asr" and answers TRANSCRIBE requests with SEGMENT frames, then DONE;
 * loads Silero on a LOAD with engine "vad" and answers VAD requests with SPANS.
 */
#ifndef TACIT_WORKER_ASR_SERVE_H
#define TACIT_WORKER_ASR_SERVE_H

#include "internal.h"

#include <stdatomic.h>

#include <yyjson.h>

struct asr_engine;

void worker_asr_free(struct asr_engine *engine);
/* Loads (replacing *engine) and answers LOADED or ERROR. */
void worker_asr_load(struct asr_engine **engine, long long id, yyjson_val *req);
/* Transcribes the samples after the request's JSON (payload, len bytes) and answers
 * SEGMENT frames then DONE, or ERROR. stop ends it early (TACIT_ERR_CANCELLED). With
 * test_mode, TACIT_ASR_CRASH_ONCE=FILE makes the first transcription that finds FILE
 * delete it and abort, as a crash inside whisper.cpp would. */
void worker_asr_transcribe(struct asr_engine *engine, long long id, yyjson_val *req, const char *payload,
			   size_t len, atomic_bool *stop, bool test_mode);

struct worker_vad;

void worker_vad_free(struct worker_vad *v);
/* Loads (replacing *v) the VAD model "model" with the request's "threshold",
 * "min_speech_ms", "min_silence_ms", "pad_ms", "n_threads"; answers LOADED or ERROR. */
void worker_vad_load(struct worker_vad **v, long long id, yyjson_val *req);
/* Answers a VAD request (src/proto.h: PROTO_VAD): DONE for a piece with "more", SPANS
 * for the last one, or ERROR (after which the pieces gathered so far are dropped). */
void worker_vad_detect(struct worker_vad *v, long long id, yyjson_val *req, const char *payload, size_t len);

#endif
