/*
 * remote_llm.h — a language model on an OpenAI-compatible server (llama-server, vLLM,
 * Ollama, LM Studio): the remote backend behind tacit_llm_* (llm_client.c picks it when
 * tacit_llm_params.engine is remote). Same requests, same results, same errors
 * discipline as the local worker; see struct tacit_engine in include/tacit.h.
 */
#ifndef TACIT_REMOTE_LLM_H
#define TACIT_REMOTE_LLM_H

#include "internal.h"

struct remote_llm;

/* Connects to e's server, asks what it runs and fills *info (n_ctx per slot, n_vocab
 * when the server says). Errors name the host and what failed. */
enum tacit_status remote_llm_open(const struct tacit_engine *e, struct remote_llm **out, struct tacit_llm_info *info);
void remote_llm_close(struct remote_llm *r);

/* As tacit_llm_generate(); req->state_prefix picks the server slot (llama-server), and
 * req->state_path is not used (the server keeps the prefix in that slot). */
enum tacit_status remote_llm_generate(struct remote_llm *r, const struct tacit_llm_request *req,
				      tacit_token_fn on_token, void *user, const volatile int *cancel, char **out_text,
				      struct tacit_llm_stats *out_stats);

/* As tacit_llm_count_tokens(): the server's /tokenize, or an estimate (4 bytes a token)
 * from a server without one. */
enum tacit_status remote_llm_count_tokens(struct remote_llm *r, const char *text, int *out_n);

/* "remote, HOST (model NAME)"; owned by r. */
const char *remote_llm_where(const struct remote_llm *r);

/* "NAME on HOST": what a stored result records as its model; owned by r. */
const char *remote_llm_label(const struct remote_llm *r);

#endif
