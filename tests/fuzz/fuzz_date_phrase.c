/*
 * fuzz_date_phrase.c — date phrases are read out of questions anyone types (the CLI,
 * the web app, an MCP client): any bytes must give no match or a phrase that lies inside
 * the text with a span whose ends are in order, and parsing the phrase alone must give
 * the same span.
 */
#include "internal.h"

#include "date_phrase.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	if (size)
		memcpy(text, data, size);
	text[size] = '\0';
	const int64_t now = 1796828400000LL;
	struct date_span s, again;
	size_t at = 0, len = 0;
	if (date_phrase_find(text, now, &s, &at, &len)) {
		size_t n = strlen(text);
		assert(len > 0 && at + len <= n);
		assert(!s.from_ms || !s.to_ms || s.from_ms <= s.to_ms);
		char *phrase = strndup(text + at, len);
		if (phrase) {
			assert(date_phrase_parse(phrase, now, &again));
			assert(again.from_ms == s.from_ms && again.to_ms == s.to_ms);
			free(phrase);
		}
	}
	(void)date_phrase_parse(text, now, &s);
	free(text);
	return 0;
}
