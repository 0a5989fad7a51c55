/*
 * ask_filter.h — dates and a speaker read from a question across meetings
 * (ask_filter.c), and their description for messages.
 */
#ifndef TACIT_ASK_FILTER_H
#define TACIT_ASK_FILTER_H

#include "internal.h"

#include "store.h"

struct ask_filter {
	int64_t since_ms, until_ms; /* 0 = open */
	char date_phrase[128];      /* the words that gave them; "" = none */
	char speaker[128];          /* a speaker of the store named as speaking; "" = none */
};

/* Reads the question's filters (now_ms 0 = the clock) into *out, and the question
 * without their words into rest (the same length: their bytes become spaces). A speaker
 * counts only next to a speech word ("what did Alice say", "Bob said", "according to
 * Carol", French, Spanish and German basics) and only when some meeting has one by that
 * name or label. */
enum tacit_status ask_filter_read(struct tacit_store *s, const char *question, int64_t now_ms,
				  struct ask_filter *out, struct buf *rest);

/* "meetings from 2026-11-30 to 2026-12-06, lines by Alice" (local dates). */
void ask_filter_describe(const struct store_filter *f, struct buf *b);

#endif
