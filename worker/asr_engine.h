/*
 * asr_engine.h — the whisper.cpp adapter (asr_engine.c), used only inside tacit-worker:
 * one model, one request at a time. The caller's side of transcription is src/asr.h.
 */
#ifndef TACIT_ASR_ENGINE_H
#define TACIT_ASR_ENGINE_H

#include "internal.h"

struct asr_engine;
enum tacit_status asr_engine_new(const struct tacit_asr_params *params, struct asr_engine **out);
void asr_engine_free(struct asr_engine *e);
bool asr_engine_multilingual(const struct asr_engine *e);
/* The language code the last asr_engine_transcribe() decoded in (given or detected by
 * whisper); "" when it decoded nothing (no speech, too short, failed). Owned by e. */
const char *asr_engine_language(const struct asr_engine *e);
/* As tacit_asr_transcribe(); stop (may be NULL) is polled and ends the call with
 * TACIT_ERR_CANCELLED when it returns true. quick: a live partial, where speed matters
 * more than the last word: the encoder sees only as much context as the audio needs
 * instead of whisper's full 30 s (the encoder pass cannot be interrupted, so a cheap one
 * is what keeps a partial from delaying the final after it). */
enum tacit_status asr_engine_transcribe(struct asr_engine *e, const float *pcm, size_t n, int64_t offset_ms,
					int speaker, bool quick, bool (*stop)(void *), void *stop_user,
					tacit_asr_segment_fn fn, void *user);

#endif
