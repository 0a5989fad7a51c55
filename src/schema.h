/*
 * schema.h — the JSON Schemas that match the meeting tasks' grammars (grammar.h), for
 * servers that take response_format json_schema instead of a GBNF grammar, and a check
 * of an answer against such a schema (the subset these schemas use: type, properties,
 * required, additionalProperties, items, minItems, maxItems, maxLength, minimum,
 * maximum, enum).
 */
#ifndef TACIT_SCHEMA_H
#define TACIT_SCHEMA_H

#include "internal.h"

#include "grammar.h"

/* The schema of grammar_build(task, lim) as JSON text. */
void schema_build(enum tacit_task task, const struct grammar_limits *lim, struct buf *out);

/* The schema of grammar_template_build(tp, names, n_names, lim). */
struct template;
void schema_template_build(const struct template *tp, const char *const *names, size_t n_names,
			   const struct grammar_limits *lim, struct buf *out);

/* Adds a required string field name of at most max_len characters, first, to the top
 * level object of schema (as the builders above write one; "{\"type\":\"object\",
 * \"additionalProperties\":false,\"properties\":{},\"required\":[]}" starts an empty one):
 * the live meeting's calls add their own fields to a task's schema this way. */
void schema_add_first_string(struct buf *schema, const char *name, int max_len);

/* Whether answer (len bytes) is JSON that follows schema (JSON text). When it does not,
 * why (at most why_len bytes) says where and what: "$.items[2].cites: not an integer".
 * A schema that is not JSON counts as followed (nothing to check). */
bool schema_check(const char *schema, const char *answer, size_t len, char *why, size_t why_len);

#endif
