/*
 * plan.h — map→reduce planning for meetings longer than the context: windows of whole
 * segments that each fit a token budget, consecutive windows overlapping by about
 * overlap tokens so a topic cut at a boundary is seen whole at least once.
 */
#ifndef TACIT_PLAN_H
#define TACIT_PLAN_H

#include "internal.h"

struct window {
	size_t first, last; /* segment indices, inclusive */
	int tokens;
};

struct plan {
	struct window *w;
	size_t n;
};

/* Plans windows over n segments of seg_tokens[i] tokens each. TACIT_ERR_CONTEXT_FULL when
 * one segment alone exceeds budget. Free with plan_release(). */
enum tacit_status plan_windows(const int *seg_tokens, size_t n, int budget, int overlap, struct plan *out);
void plan_release(struct plan *p);

/* Tokens of a text estimated from its words, for planning without a model's vocabulary
 * (about 1.35 tokens per English word, plus the line's "[S12] Speaker:" prefix). */
int plan_estimate_tokens(const char *text);

#endif
