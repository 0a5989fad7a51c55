/*
 * retrieve.h — asking across all meetings: the passages the search index finds for a
 * question (best segments, their neighbours, grouped by meeting, within a token budget)
 * and the check of an answer's [M12 S40] citations against them.
 */
#ifndef TACIT_RETRIEVE_H
#define TACIT_RETRIEVE_H

#include "internal.h"
#include "store.h"

struct passage {
	int64_t session_id;
	int64_t seg;        /* 1-based position among the meeting's final segments: its [S] */
	int64_t segment_id; /* the row */
	int64_t start_ms;
	char *speaker;      /* given name, else label, else "" */
	char *text;
	int group;          /* the meeting's place in the answer: by its best hit */
	bool hit;           /* matched the question (not only a neighbour) */
};

struct retrieval {
	struct passage *p; /* grouped by meeting (best first), then in transcript order */
	size_t n;
	int n_tokens;      /* the estimate the budget was held to */
	int n_dense_only;  /* hits that only the meaning's ranking found */
};

/* Fills r with the top_k best segments for question (BM25 over every meeting) and
 * n_neighbours either side of each, stopping before max_tokens (estimated) would be
 * passed; the best hit is kept whatever its size. r->n 0 when nothing matched. */
enum tacit_status retrieve(struct tacit_store *s, const char *question, int top_k, int n_neighbours, int max_tokens,
			   struct retrieval *r);
/* The question by meaning: its vector from the embedding model whose vectors the store
 * keeps under model (store_vectors_*). */
struct retrieve_dense {
	const char *model;
	const float *q; /* unit length */
	int dim;
};

/* retrieve() among the segments a filter allows (NULL = all; see store_filter). With
 * dense, the hits are the best of both rankings, the words' (BM25) and the meaning's
 * (cosine), fused by reciprocal rank (1 / (60 + rank), summed), so a segment both find
 * comes first and one only the meaning finds ("vendor" for "supplier") still comes. */
enum tacit_status retrieve_in(struct tacit_store *s, const struct store_filter *f, const char *question, int top_k,
			      int n_neighbours, int max_tokens, const struct retrieve_dense *dense,
			      struct retrieval *r);
void retrieval_release(struct retrieval *r);

/* The name vectors of model_path are stored under, in out: its file name and size
 * ("granite-embedding-30m-english-Q8_0.gguf:33800000"), so another quantization or a
 * file replaced under the same name is another model. */
#define INDEX_KEY_MAX 320
void index_model_key(const char *path, char out[INDEX_KEY_MAX]);
/* question's vector from model_path (index.c), or *out_q NULL (not an error) when no
 * segment has a vector of that model yet. The caller frees *out_q. */
enum tacit_status index_question(struct tacit_store *store, const char *model_path, const char *question, int n_threads,
				 float **out_q, int *out_dim);

/* The estimate of a passage's tokens in the prompt (a line "[M1 S2] Speaker: text"). */
int retrieve_passage_tokens(const struct passage *p);

struct cite {
	int64_t session_id, seg;
};

/* Copies answer to clean with every [M<n> S<n>] kept only when it names a retrieved
 * passage; others are removed and counted in *n_dropped. The kept ones, distinct, in
 * order of first use, go to *cites (caller frees) and *n_cites. */
enum tacit_status retrieve_check(const char *answer, const struct retrieval *r, struct buf *clean,
				 struct cite **cites, size_t *n_cites, int *n_dropped);

#endif
