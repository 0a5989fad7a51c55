/*
 * import_fold.h — an imported recording analysed while it is transcribed (import_fold.c):
 * a live meeting's analysis on the import's own session, fed its final segments.
 */
#ifndef TACIT_IMPORT_FOLD_H
#define TACIT_IMPORT_FOLD_H

#include "internal.h"

struct import_fold;

/* The analysis of session_id, which exists and has not ended (its stored segments are
 * read first, as a resumed live meeting reads them), on the database s was opened on,
 * with p's model, threads, window and events. transcribing: whisper runs beside it (the
 * model gets import_fold_threads()'s share), else p->llm_threads (0 = every core). The
 * model is loaded when it returns. */
enum tacit_status import_fold_open(struct tacit_store *s, int64_t session_id,
				   const struct tacit_audio_import_params *p, bool transcribing, struct import_fold **out);
/* Stores the final segment in the session and queues it for the analysis. */
enum tacit_status import_fold_segment(struct import_fold *f, const struct tacit_asr_segment *g, const char *label);
/* The stop: the last windows folded, summary and notes stored, the session ended. A
 * non-zero *cancel (may be NULL) aborts it (TACIT_ERR_CANCELLED; the session stays
 * unfinished). */
enum tacit_status import_fold_finish(struct import_fold *f, const volatile int *cancel);
/* Ends the threads and frees f (a session not finished stays unfinished). Accepts NULL. */
void import_fold_close(struct import_fold *f);
/* The whisper threads and the model's threads when an import is analysed: transcription
 * keeps the larger share of the usable cores. */
void import_fold_threads(const struct tacit_audio_import_params *p, int *asr_threads, int *llm_threads);

#endif
