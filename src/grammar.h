/*
 * grammar.h — the GBNF grammars that force each meeting task's JSON schema, with bounded
 * lists and strings. The bounds are chosen from the token budget so that, on a model
 * whose tokens are at least bytes_per_token long, the longest output the grammar allows
 * still fits: a grammar-valid answer is then also a complete one.
 */
#ifndef TACIT_GRAMMAR_H
#define TACIT_GRAMMAR_H

#include "internal.h"

/* A string's character: printable ASCII on a tiny model; else any character but the
 * quote, the backslash and control characters. (llama.cpp's grammar takes a malformed
 * UTF-8 sequence, an overlong one, as one character; a server sends it as one U+FFFD per
 * byte: see drop_replacements() in remote_llm.c.) */
#define GRAMMAR_CHR_ASCII "chr ::= [\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]\n"
#define GRAMMAR_CHR_UTF8 "chr ::= [^\"\\\\\\x7F\\x00-\\x1F]\n"

struct grammar_limits {
	int max_items; /* per list */
	int max_str;   /* characters per string */
	int max_cites; /* per item */
	int digits;    /* most digits of a segment number */
	bool ascii;    /* printable ASCII only: one byte per character */
	long long max_num; /* the highest segment number a cite may name (0: any number of at
			    * most `digits` digits) */
};

/* The longest output (bytes) the grammar of task allows under lim. */
size_t grammar_worst_len(enum tacit_task task, const struct grammar_limits *lim);

/* Picks limits for a budget of max_bytes output bytes and n_segments segments; false when
 * not even one short item fits. */
bool grammar_limits_for(enum tacit_task task, size_t max_bytes, size_t n_segments, bool ascii,
			struct grammar_limits *out);

/* Writes the grammar (rule "root"). */
void grammar_build(enum tacit_task task, const struct grammar_limits *lim, struct buf *out);

/* Summaries shaped by a template (template.h). Owners and speakers are one of names or
 * "unassigned" when some name can be offered (who_width > 0), else any string. */
struct template;
#define GRAMMAR_NAME_MAX 48 /* longer names are not offered (owners then stay free) */
/* The width of the longest owner the grammar can write for these names; 0 = none of
 * them can be offered (names with quotes, backslashes, or non-ASCII on a tiny model). */
size_t grammar_who_width(const char *const *names, size_t n, bool ascii);
size_t grammar_template_worst_len(const struct template *tp, size_t who_width, const struct grammar_limits *lim);
bool grammar_template_limits(const struct template *tp, size_t who_width, size_t max_bytes, size_t n_segments,
			     bool ascii, struct grammar_limits *out);
/* names: NULL/0 (or a template without exact owners) = owners are any string. */
void grammar_template_build(const struct template *tp, const char *const *names, size_t n_names,
			    const struct grammar_limits *lim, struct buf *out);

#endif
