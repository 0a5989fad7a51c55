/*
 * grammar.h — the GBNF grammars that force each meeting task's JSON schema, with bounded
 * lists and strings. The bounds are chosen from the token budget so that, on a model
 * whose tokens are at least bytes_per_token long, the longest output the grammar allows
 * still fits: a grammar-valid answer is then also a complete one.
 */
#ifndef TACIT_GRAMMAR_H
#define TACIT_GRAMMAR_H

#include "internal.h"

struct grammar_limits {
	int max_items; /* per list */
	int max_str;   /* characters per string */
	int max_cites; /* per item */
	int digits;    /* most digits of a segment number */
	bool ascii;    /* printable ASCII only: one byte per character */
};

/* The longest output (bytes) the grammar of task allows under lim. */
size_t grammar_worst_len(enum tacit_task task, const struct grammar_limits *lim);

/* Picks limits for a budget of max_bytes output bytes and n_segments segments; false when
 * not even one short item fits. */
bool grammar_limits_for(enum tacit_task task, size_t max_bytes, size_t n_segments, bool ascii,
			struct grammar_limits *out);

/* Writes the grammar (rule "root"). */
void grammar_build(enum tacit_task task, const struct grammar_limits *lim, struct buf *out);

#endif
