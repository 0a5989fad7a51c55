/*
 * transcript.h — a meeting transcript as numbered segments. Segment i (0-based in C) is
 * shown to the model, and cited by it, as [S<i+1>]. Times are -1 when unknown.
 */
#ifndef TACIT_TRANSCRIPT_H
#define TACIT_TRANSCRIPT_H

#include "internal.h"

struct segment {
	long long start_ms, end_ms;
	char *speaker; /* never NULL; "" when unknown */
	char *text;
};

struct tacit_transcript {
	struct segment *segs;
	size_t n, alloc;
	size_t words;
};

/* Parses transcript bytes (see tacit_transcript_load for the formats). */
enum tacit_status transcript_parse(const char *data, size_t len, const char *name, struct tacit_transcript **out);

/* Appends segment i as one prompt line: "[S12 03:15] Speaker: text\n". */
void transcript_line(const struct tacit_transcript *t, size_t i, struct buf *out);

/* "mm:ss" or "h:mm:ss" into buf. */
const char *format_time(long long ms, char *buf, size_t n);

#endif
