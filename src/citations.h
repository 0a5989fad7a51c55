/*
 * citations.h — checks a task's JSON against the transcript: cited segment numbers must
 * exist; items left citing nothing are dropped; an answer citing nothing is flagged.
 */
#ifndef TACIT_CITATIONS_H
#define TACIT_CITATIONS_H

#include "internal.h"

/* Writes the checked JSON to out, with "dropped": the number of items removed.
 * TACIT_ERR_LLM when json is not the task's JSON (a cut or malformed output). */
enum tacit_status citations_check(enum tacit_task task, const char *json, size_t n_segments, struct buf *out,
				  int *n_dropped);

/* The same for a summary shaped by a template (template.h); "general" checks exactly as
 * citations_check(TACIT_TASK_SUMMARY) does, any other template adds "template": NAME. */
struct template;
enum tacit_status citations_check_template(const struct template *tp, const char *json, size_t n_segments,
					   struct buf *out, int *n_dropped);

/* A prompt that numbers its segments its own way (a live meeting's window starts at [S1],
 * see live_window_body()) gets its checked JSON back in the meeting's numbers: every
 * "cites" list, at any depth, has each cite c replaced by to[c - 1]; a cite with no
 * place in to[] (n entries), or one its list already has, is removed. */
enum tacit_status citations_renumber(struct buf *json, const long long *to, size_t n);

#endif
