/*
 * llm_client.h — the LLM client in the caller's process (llm_*): internal hooks for
 * tests and the live meeting. The public API (tacit_llm_*) is in include/tacit.h and
 * implemented in llm_client.c; the llama.cpp side in the worker is llm_engine_*.
 */
#ifndef TACIT_LLM_CLIENT_H
#define TACIT_LLM_CLIENT_H

#include "internal.h"

#include <sys/types.h>

/* Test-only: the next generate asks the worker to crash ("segv", "abort", "kill", "exit",
 * "hang") after after_tokens tokens (0 = before decoding), and/or to sleep slow_ms after
 * each token. Honoured only by a worker started with TACIT_WORKER_TEST=1 in its
 * environment. how may be NULL. */
void llm_test_inject(struct tacit_llm *llm, const char *how, int after_tokens, int slow_ms);
/* Test-only: the next generate stops as if cancelled after n prompt batches. */
void llm_test_stop_prefill(struct tacit_llm *llm, int n_batches);

/* Threads for every later generate request (0: those of tacit_llm_params again): more
 * when nothing else competes for the CPU, such as a live meeting's stop. */
void llm_set_threads(struct tacit_llm *llm, int n_threads);

/* Pauses (SIGSTOP) or resumes the model worker, from any thread: the request in flight
 * waits, keeping the worker's state, and uses no CPU meanwhile. A cancel resumes it (the
 * worker must see the cancel), and so does closing the handle. A live meeting pauses the
 * worker while the transcription has work (live.c). */
void llm_pause(struct tacit_llm *llm, bool pause);

/* The model file the handle loads (owned by the handle); for a remote engine, "NAME on
 * HOST", which is no file. */
const char *llm_model_path(const struct tacit_llm *llm);

/* True when the handle's work runs on a server (tacit_llm_params.engine). */
bool llm_is_remote(const struct tacit_llm *llm);

/* Token counts of n texts (as tacit_llm_count_tokens()) into out[0..n), in one request
 * per few MB of text instead of one per text. */
enum tacit_status llm_count_tokens_many(struct tacit_llm *llm, const char *const *texts, size_t n, int *out);

/* The worker's pid, or -1 when none is running. */
pid_t llm_worker_pid(const struct tacit_llm *llm);

/* How long to wait for the worker to stop after a cancel before killing it (ms). */
#define WORKER_GRACE_MS 2000

#endif
