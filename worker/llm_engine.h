/*
 * llm_engine.h — the llama.cpp adapter (llm_engine_*). Used only inside the worker process
 * (worker/main.c): one model and one context, one request at a time. Every call that fails
 * records a message with tacit_fail() and returns a tacit status; no llama type leaves
 * llm_engine.c. The caller's side is src/llm_client.h (llm_*).
 */
#ifndef TACIT_LLM_ENGINE_H
#define TACIT_LLM_ENGINE_H

#include "internal.h"

#include <stdatomic.h>

struct llm_engine;

struct llm_engine_params {
	const char *model_path;
	int n_ctx, n_threads, n_gpu_layers, n_batch;
	int n_ctx_cap; /* with n_ctx 0: the training context is capped here (0 = 8192) */
	bool (*progress)(float progress, void *user); /* false = cancel the load */
	void *user;
	const atomic_bool *stop; /* set by another thread to abort work in progress */
};

enum tacit_status llm_engine_load(const struct llm_engine_params *p, struct llm_engine **out);
void llm_engine_free(struct llm_engine *llm);
void llm_engine_describe(const struct llm_engine *llm, struct tacit_llm_info *info);

/* Formats messages with the model's template or the fallback (see chat.h) into out. */
enum tacit_status llm_engine_format(struct llm_engine *llm, const struct tacit_chat_message *msgs, size_t n,
				     struct buf *out);

struct llm_engine_gen {
	const char *prompt; /* already formatted; special tokens in it are parsed when chat is true */
	bool chat;
	const char *grammar;
	int max_tokens;
	float temperature;
	int top_k;
	uint32_t seed;
	int test_stop_after_batches; /* test hook: behave as if cancelled after N prompt batches */
	bool test_chain_sampler;     /* test hook: llama.cpp's sampler chain for every setting */
	bool test_full_filter;       /* bench hook: a rejected pick the probe does not decide
				      * filters the whole vocabulary (no first-character index) */
	int n_threads; /* > 0: threads for this request only (else those of the load) */
	/* The saved-prefix cache: the prompt's tokens up to the end of state_prefix (found in
	 * the formatted prompt) are loaded from state_path when it holds them, else decoded
	 * and saved there. Both NULL = no saved state. */
	const char *state_prefix;
	const char *state_path;
	/* Called after the cache is set up for the prompt and after each prompt batch: done
	 * prompt tokens are in the context (reused ones included) of total. May be NULL. */
	void (*read)(int done, int total, void *user);
	void *read_user;
};

/* emit gets whole UTF-8 characters; return false from it to stop (a test hook). */
typedef bool (*llm_engine_emit_fn)(const char *piece, size_t len, void *user);

enum tacit_status llm_engine_generate(struct llm_engine *llm, const struct llm_engine_gen *g, llm_engine_emit_fn emit,
				       void *user, struct tacit_llm_stats *stats);

/* Token count of text, without BOS; -1 on failure (message recorded). */
int llm_engine_count_tokens(struct llm_engine *llm, const char *text);

/* Length of the longest prefix of s[0..n) that does not end inside a UTF-8 sequence. */
size_t utf8_complete_prefix(const char *s, size_t n);

#endif
