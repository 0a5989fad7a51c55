/*
 * fuzz_sse.c — src/sse.c on any bytes: no crash, no event larger than the cap, and the
 * same events whether the stream arrives in one piece or split at every byte (a CRLF cut
 * in two included).
 */
#include "internal.h"

#include "sse.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 4096

struct seen {
	struct buf all; /* every event as "type\0data\0" */
	int n;
};

static bool on_event(const char *event, const char *d, size_t len, void *user)
{
	struct seen *s = user;
	assert(len <= CAP);
	assert(strlen(event) < 32);
	buf_adds(&s->all, event);
	buf_add(&s->all, "", 1);
	buf_add(&s->all, d, len);
	buf_add(&s->all, "", 1);
	return ++s->n < 1000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen a = { .n = 0 }, b = { .n = 0 };
	struct sse s;
	buf_init(&a.all);
	buf_init(&b.all);
	sse_init(&s, CAP, on_event, &a);
	bool ok_a = sse_feed(&s, (const char *)data, size);
	sse_release(&s);
	sse_init(&s, CAP, on_event, &b);
	bool ok_b = true;
	for (size_t i = 0; i < size && ok_b; i++)
		ok_b = sse_feed(&s, (const char *)data + i, 1);
	sse_release(&s);
	assert(ok_a == ok_b);
	assert(a.n == b.n && a.all.len == b.all.len && !memcmp(a.all.data, b.all.data, a.all.len));
	buf_release(&a.all);
	buf_release(&b.all);
	return 0;
}
