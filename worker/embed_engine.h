/*
 * embed_engine.h — text embeddings with llama.cpp (embed_engine_*), inside tacit-worker
 * only: one embedding model (an encoder such as BERT, or any GGUF llama.cpp can pool), its
 * pooled, L2-normalised vector for each text. The caller's side is src/embed_client.c.
 */
#ifndef TACIT_EMBED_ENGINE_H
#define TACIT_EMBED_ENGINE_H

#include "internal.h"

#include <stdatomic.h>

struct embed_engine;

/* Loads path with n_threads (0 = the cores); stop aborts work in progress. */
enum tacit_status embed_engine_load(const char *path, int n_threads, const atomic_bool *stop,
				    struct embed_engine **out);
void embed_engine_free(struct embed_engine *e);
int embed_engine_dim(const struct embed_engine *e);
/* The context's tokens: a longer text is embedded from its first ones. */
int embed_engine_n_ctx(const struct embed_engine *e);

/* Writes n vectors of embed_engine_dim() floats, each of length 1, to out. */
enum tacit_status embed_engine_run(struct embed_engine *e, const char *const *texts, size_t n, float *out);

#endif
