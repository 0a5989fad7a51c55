/*
 * fuzz_search.c — arbitrary query strings (and a speaker filter taken from the input)
 * against an in-memory store with a few rows: a query may fail only with
 * TACIT_ERR_USAGE and a message, never crash, hang or hit a sanitizer report.
 */
#include <tacit.h>

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tacit_store *store;

static bool on_hit(const struct tacit_search_hit *h, void *user)
{
	size_t *n = user;
	*n += strlen(h->snippet) + strlen(h->speaker) + strlen(h->session_title);
	return true;
}

static void setup(void)
{
	static const struct {
		const char *speaker, *text;
	} rows[] = {
		{ "Project Manager", "We need to cut the budgets for the remote control project." },
		{ "S2", "The kick-off meeting is on Monday; café at 9:30 \"sharp\"." },
		{ NULL, "Batteries (AA) are running low, NEAR the end OR not?" },
		{ "Grad A", "Spectral subtraction and transcription: col:value * ^ + - AND" },
	};
	int64_t id;
	if (tacit_store_open(":memory:", &store) != TACIT_OK)
		abort();
	struct tacit_session_params p = tacit_session_default_params();
	p.title = "fuzz";
	if (tacit_store_session_create(store, &p, &id) != TACIT_OK)
		abort();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tacit_segment g = { .start_ms = (int64_t)i * 1000, .end_ms = (int64_t)i * 1000 + 900,
					   .speaker = rows[i].speaker, .text = rows[i].text, .confidence = -1 };
		if (tacit_store_add_segment(store, id, &g, NULL) != TACIT_OK)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!store)
		setup();
	/* "query\0speaker": the part after the first NUL, when any, filters by speaker */
	char *q = malloc(size + 1);
	if (!q)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	size_t qlen = strlen(q);
	struct tacit_search_params p = tacit_search_default_params();
	if (qlen + 1 < size)
		p.speaker = q + qlen + 1;
	size_t n = 0;
	enum tacit_status st = tacit_store_search(store, q, &p, on_hit, &n);
	assert(st == TACIT_OK || st == TACIT_ERR_USAGE);
	assert(st == TACIT_OK || tacit_errmsg()[0] != '\0');
	free(q);
	return 0;
}
