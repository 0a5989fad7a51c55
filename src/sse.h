/*
 * sse.h — a parser of server-sent events (text/event-stream, the WHATWG format): bytes in
 * any pieces, each complete event's data handed to a callback. Pure (no I/O); used by
 * remote_llm.c for streamed chat completions.
 */
#ifndef TACIT_SSE_H
#define TACIT_SSE_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

/* One event: its type ("message" when the stream named none) and its data lines joined
 * by '\n' (NUL-terminated, valid during the call). Return false to stop parsing. */
typedef bool (*sse_event_fn)(const char *event, const char *data, size_t len, void *user);

struct sse {
	struct buf line;  /* the line being read */
	struct buf data;  /* the event being built */
	char event[32];   /* its type; longer names are cut */
	bool has_data;    /* a data field was seen since the last dispatch */
	bool after_cr;    /* the last byte was CR: a following LF ends no second line */
	bool stopped;     /* the callback said stop, or a line or event passed the cap */
	sse_event_fn fn;
	void *user;
};

/* cap: the most bytes one event (or line) may hold; 0 = 16 MB. */
void sse_init(struct sse *s, size_t cap, sse_event_fn fn, void *user);
void sse_release(struct sse *s);
/* Feeds bytes. False once parsing stopped: the callback returned false, or a line or
 * an event grew past the cap. An event not ended by a blank line is never dispatched. */
bool sse_feed(struct sse *s, const char *p, size_t n);

#endif
