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

/* A vector as the store keeps it: its scale (float32, the largest |x| / 127), then each
 * x / scale rounded to int8, EMBED_Q_BYTES(dim) bytes; embed_dot_q() is the dot product
 * of a stored vector a and b (their cosine when both had length 1), within about 1 %
 * of the largest component's step: a fixed scale of 127 would leave the components of a
 * 384-wide unit vector (about 0.05 each) only a few steps each. */
#define EMBED_Q_BYTES(dim) ((size_t)(dim) + sizeof(float))
void embed_quantize(const float *v, int dim, void *out);
float embed_dot_q(const void *a, const float *b, int dim);

#endif
