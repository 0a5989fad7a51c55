/*
 * diar_run.h — diarization fed piece by piece (diar_client.c), so a recording of hours
 * never has to be in memory at once: tacit_diarize() is open, one feed, finish; an
 * import feeds the channel it diarizes as it reads it for transcription.
 */
#ifndef TACIT_DIAR_RUN_H
#define TACIT_DIAR_RUN_H

#include "internal.h"

struct diar_run;

/* Starts the worker and loads the models (errors as tacit_diarize()'s). */
enum tacit_status diar_run_open(const struct tacit_diar_params *params, struct diar_run **out);
/* The next n samples (16 kHz mono) of the recording; sends each whole minute. */
enum tacit_status diar_run_feed(struct diar_run *r, const float *pcm, size_t n);
/* Sends the rest and clusters: *out as tacit_diarize() gives it. */
enum tacit_status diar_run_finish(struct diar_run *r, struct tacit_diarization *out);
void diar_run_free(struct diar_run *r);

/* Parses a worker's LOCAL answer (payload of len bytes, NUL after it) as a run would,
 * into nothing: for the fuzz target. TACIT_OK when it would be taken. */
enum tacit_status diar_local_check(const char *payload, size_t len);

/* The embedding model alone, for a live meeting (live_diar.c): w (workerproc_init()'d)
 * is started and loads params->embedding_model; then each diar_worker_embed() sends n
 * samples as one speech span and gets one embedding per ~1.5 s window of it (*out_embs
 * malloc'd, *n_embs of *dim floats; none for under 0.4 s). Errors as tacit_diarize()'s. */
struct workerproc;
enum tacit_status diar_worker_load(struct workerproc *w, const struct tacit_diar_params *params);
enum tacit_status diar_worker_embed(struct workerproc *w, long long id, const float *pcm, size_t n, float **out_embs,
				    size_t *n_embs, int *dim);

#endif
