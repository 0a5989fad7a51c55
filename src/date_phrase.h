/*
 * date_phrase.h — dates as people write them in a question ("last week", "in March",
 * "yesterday", "3 days ago", "since 2026-03-01"; French, Spanish and German basics),
 * turned into a span of Unix time in the local time zone. It reads outside text: any
 * bytes give a span or no match, never a read past the text.
 */
#ifndef TACIT_DATE_PHRASE_H
#define TACIT_DATE_PHRASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct date_span {
	int64_t from_ms; /* inclusive; 0 = open */
	int64_t to_ms;   /* exclusive; 0 = open */
};

/* Finds the first date phrase in text: true with its span in *out and its bytes at
 * text + *at, *len long (so a caller can take it out of the question); false when the
 * text names no date. now_ms is "now" (Unix ms): days start at local midnight, weeks on
 * Monday, and a month with no year is the last one that has begun ("in December" asked
 * in March is last December). */
bool date_phrase_find(const char *text, int64_t now_ms, struct date_span *out, size_t *at, size_t *len);

/* Reads the whole of text as one date (YYYY-MM-DD or any phrase above, "yesterday",
 * "last week"): false when it is not one. */
bool date_phrase_parse(const char *text, int64_t now_ms, struct date_span *out);

#endif
