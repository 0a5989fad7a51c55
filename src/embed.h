/*
 * embed.h — text embeddings for search by meaning (embed_client.c): an embedding model
 * run in a tacit-worker of its own (engine "embed", worker/embed_engine.c), texts in,
 * one unit-length vector each out; and the int8 form the store keeps them in.
 * One embedder serves one thread at a time.
 */
#ifndef TACIT_EMBED_H
#define TACIT_EMBED_H

#include "internal.h"

#include <stdatomic.h>

struct embedder;

/* Starts a worker and loads model_path (a GGUF) with n_threads (0 = the cores). */
enum tacit_status embedder_open(const char *model_path, int n_threads, struct embedder **out);
void embedder_close(struct embedder *e);
int embedder_dim(const struct embedder *e);

/* Writes n * embedder_dim() floats to out. cancel (may be NULL) is read between batches. */
enum tacit_status embedder_run(struct embedder *e, const char *const *texts, size_t n, const atomic_bool *cancel,
			       float *out);

/* Reads a VECTORS answer (JSON {"n","dim"}, a NUL, n * dim float32) of n texts into out:
 * TACIT_ERR_WORKER for anything else (a broken or hostile worker). */
enum tacit_status embed_vectors_parse(const char *payload, size_t len, size_t n, int dim, float *out);

/* A unit vector as int8 (x * 127, rounded), as the store keeps it; embed_dot_q() is the
 * cosine of a stored vector a and a unit vector b, within about 1 %. */
void embed_quantize(const float *v, int dim, int8_t *out);
float embed_dot_q(const int8_t *a, const float *b, int dim);

#endif
