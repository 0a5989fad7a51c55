/*
 * vad_engine.h — the Silero VAD through whisper.cpp (vad_engine.c), used only inside
 * tacit-worker: by the transcription engine before whisper decodes, and by the worker's
 * "vad" engine that answers the caller's VAD requests (src/vad.c is the caller's side).
 */
#ifndef TACIT_VAD_ENGINE_H
#define TACIT_VAD_ENGINE_H

#include "internal.h"

struct vad_engine;
/* Loads the model at path; params NULL: tacit_vad_default_params(). */
enum tacit_status vad_engine_open(const char *path, const struct tacit_vad_params *params, struct vad_engine **out);
void vad_engine_free(struct vad_engine *v);
/* Speech regions of pcm (16 kHz mono, n samples), in order; *out: free() (NULL when none). */
enum tacit_status vad_engine_detect(struct vad_engine *v, const float *pcm, size_t n, struct tacit_span **out,
				    size_t *n_out);

#endif
