/*
 * diar_engine.h — speaker diarization's model side (diar_engine.c), run only inside
 * tacit-worker: finds the local speakers of a piece of audio and one embedding for each,
 * with pyannote segmentation-3.0 and a speaker-embedding model (WeSpeaker ResNet34,
 * CAM++) through onnxruntime. Without a segmentation model, the caller's speech regions
 * (from the VAD) are cut into windows of about 1.5 s, each its own local speaker. The
 * caller links local speakers into global ones (src/diar_cluster.c).
 */
#ifndef TACIT_WORKER_DIAR_ENGINE_H
#define TACIT_WORKER_DIAR_ENGINE_H

#include "internal.h"

#include <stdatomic.h>

struct diar_engine;

/* Opens the models: seg_path may be NULL (the VAD-window path); emb_path is required.
 * Each file is checked to be ONNX before onnxruntime reads it, then its inputs and
 * outputs against what tacit feeds it. Errors: TACIT_ERR_NOT_FOUND, TACIT_ERR_IO,
 * TACIT_ERR_FORMAT (not ONNX), TACIT_ERR_MODEL (onnxruntime refused it, or its inputs,
 * outputs or metadata are not the expected ones), TACIT_ERR_NOMEM. */
enum tacit_status diar_engine_open(const char *seg_path, const char *emb_path, int n_threads,
				   struct diar_engine **out);
void diar_engine_free(struct diar_engine *e);
/* Length of one embedding. */
int diar_engine_dim(const struct diar_engine *e);
bool diar_engine_segments(const struct diar_engine *e);

/* A stretch of time (ms on the caller's timeline) during which local speaker `group`
 * talks. */
struct diar_turn {
	int64_t start_ms;
	int64_t end_ms;
	int group;
};

struct diar_local {
	struct diar_turn *turns; /* malloc'd; in order of group */
	size_t n_turns;
	float *embs; /* n_groups * dim, each L2-normalised; malloc'd */
	size_t n_groups;
};

void diar_local_release(struct diar_local *l);

/* Local speakers of pcm (16 kHz mono, n samples) whose first sample is at offset_ms.
 * With a segmentation model, spans are ignored; without, spans (ms relative to pcm's
 * start, in order) are the speech to cut into windows. *stop set ends it early
 * (TACIT_ERR_CANCELLED). Errors: TACIT_ERR_MODEL (onnxruntime failed while running),
 * TACIT_ERR_NOMEM, TACIT_ERR_CANCELLED. */
enum tacit_status diar_engine_run(struct diar_engine *e, const float *pcm, size_t n, int64_t offset_ms,
				  const struct tacit_span *spans, size_t n_spans, atomic_bool *stop,
				  struct diar_local *out);

#endif
