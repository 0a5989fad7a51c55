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
};

/* Fills r with the top_k best segments for question (BM25 over every meeting) and
 * n_neighbours either side of each, stopping before max_tokens (estimated) would be
 * passed; the best hit is kept whatever its size. r->n 0 when nothing matched. */
enum tacit_status retrieve(struct tacit_store *s, const char *question, int top_k, int n_neighbours, int max_tokens,
			   struct retrieval *r);
/* retrieve() among the segments a filter allows (NULL = all; see store_filter). */
enum tacit_status retrieve_in(struct tacit_store *s, const struct store_filter *f, const char *question, int top_k,
			      int n_neighbours, int max_tokens, struct retrieval *r);
void retrieval_release(struct retrieval *r);

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
