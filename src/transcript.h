/*
 * transcript.h — a meeting transcript as numbered segments, and its one parser: every
 * file format tacit reads (JSON segments, `tacit transcribe --format json`, QMSum turns,
 * "Speaker: text" lines) goes through transcript_parse(), for the meeting tasks and for
 * import alike. Segment i (0-based in C) is shown to the model, and cited by it, as
 * [S<i+1>]. Times are -1 when unknown.
 */
#ifndef TACIT_TRANSCRIPT_H
#define TACIT_TRANSCRIPT_H

#include "internal.h"

struct segment {
	long long start_ms, end_ms;
	char *speaker; /* never NULL; "" when unknown */
	char *text;
	long long store_id; /* the segment's id in the session store; 0 when not from one */
};

enum transcript_source {
	TRANSCRIPT_LINES = 0,    /* "Speaker: text" lines */
	TRANSCRIPT_SEGMENTS = 1, /* a JSON list of segments, or {"segments": [...]} */
	TRANSCRIPT_QMSUM = 2,    /* {"meeting_transcripts": [{"speaker","content"}]} */
	TRANSCRIPT_STORE = 3,    /* a session's segments in the store */
};

struct tacit_transcript {
	struct segment *segs;
	size_t n, alloc;
	size_t words;
	enum transcript_source source;
	char language[16]; /* the meeting's language when known ("en"), else "" */
};

/* Parses transcript bytes (see tacit_transcript_load for the formats). Text is cleaned:
 * whitespace runs become one space, {markers} such as QMSum's {vocalsound} are dropped,
 * empty segments are skipped; a line without "Name:" continues the previous speaker.
 * The text is made UTF-8 first (utf8_from_unknown(): a Windows-1252 file is decoded,
 * stray bytes in UTF-8 become U+FFFD), so what is stored is always text.
 * TACIT_ERR_FORMAT for bad JSON, binary data, a turn without text, or no text at all. */
enum tacit_status transcript_parse(const char *data, size_t len, const char *name, struct tacit_transcript **out);

/* Whether any segment has a start time. */
bool transcript_has_times(const struct tacit_transcript *t);

/* Appends segment i as one prompt line: "[S12 03:15] Speaker: text\n". */
void transcript_line(const struct tacit_transcript *t, size_t i, struct buf *out);
/* The same line under another number: "[S<number> 03:15] …" (a live window's). */
void transcript_line_as(const struct tacit_transcript *t, size_t i, size_t number, struct buf *out);

/* "mm:ss" or "h:mm:ss" into buf. */
const char *format_time(long long ms, char *buf, size_t n);

#endif
