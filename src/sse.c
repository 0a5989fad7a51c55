/*
 * sse.c — the server-sent events parser (see sse.h). Lines end at LF, CR or CRLF, even
 * when a CRLF is split between two pieces; a blank line dispatches the event built so
 * far; "data" fields append, "event" names the type, comments and other fields are
 * skipped. Memory is bounded by the cap whatever the input.
 */
#include "internal.h"

#include "sse.h"

#define SSE_DEFAULT_CAP ((size_t)16 << 20)

void sse_init(struct sse *s, size_t cap, sse_event_fn fn, void *user)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->line);
	buf_init(&s->data);
	s->line.cap = s->data.cap = cap ? cap : SSE_DEFAULT_CAP;
	s->fn = fn;
	s->user = user;
}

void sse_release(struct sse *s)
{
	buf_release(&s->line);
	buf_release(&s->data);
}

static bool dispatch(struct sse *s)
{
	bool go = true;
	if (s->has_data) {
		size_t n = s->data.len;
		if (n && s->data.data[n - 1] == '\n') /* the last data line's newline is not data */
			s->data.data[--n] = '\0';
		go = s->fn(s->event[0] ? s->event : "message", s->data.data, n, s->user);
	}
	buf_reset(&s->data);
	s->event[0] = '\0';
	s->has_data = false;
	return go;
}

/* One complete line, without its end. */
static bool line_done(struct sse *s)
{
	const char *l = s->line.data;
	size_t n = s->line.len;
	if (n == 0)
		return dispatch(s);
	if (l[0] == ':') /* a comment (servers send them to keep the connection open) */
		return true;
	const char *colon = memchr(l, ':', n);
	size_t name_len = colon ? (size_t)(colon - l) : n;
	const char *value = colon ? colon + 1 : l + n;
	if (colon && value < l + n && *value == ' ')
		value++;
	size_t value_len = (size_t)(l + n - value);
	if (name_len == 4 && !memcmp(l, "data", 4)) {
		s->has_data = true;
		return buf_add(&s->data, value, value_len) && buf_add(&s->data, "\n", 1);
	}
	if (name_len == 5 && !memcmp(l, "event", 5)) {
		size_t k = value_len < sizeof(s->event) - 1 ? value_len : sizeof(s->event) - 1;
		memcpy(s->event, value, k);
		s->event[k] = '\0';
		/* an event name with a NUL in it is cut there, which is harmless */
	}
	return true; /* "id", "retry" and unknown fields: nothing tacit uses */
}

bool sse_feed(struct sse *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n && !s->stopped; i++) {
		char c = p[i];
		if (c == '\n' && s->after_cr) {
			s->after_cr = false;
			continue;
		}
		s->after_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			if (!line_done(s))
				s->stopped = true;
			buf_reset(&s->line);
			continue;
		}
		if (!buf_add(&s->line, &c, 1))
			s->stopped = true;
	}
	return !s->stopped;
}
