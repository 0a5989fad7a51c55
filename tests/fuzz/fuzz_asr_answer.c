/*
 * fuzz_asr_answer.c — remote_asr_parse() (a speech server's verbose_json answer) on any
 * bytes: no crash, and every segment it accepts is valid UTF-8 text, not empty, with
 * 0 <= start <= end, and a confidence between 0 and 1.
 */
#include "internal.h"

#include "remote_asr.h"
#include "utf8.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct remote_asr_seg *segs = NULL;
	size_t n = 0;
	char lang[8];
	if (remote_asr_parse((const char *)data, size, 3000, "fuzz", &segs, &n, lang) == TACIT_OK) {
		assert(strlen(lang) < sizeof(lang));
		for (size_t i = 0; i < n; i++) {
			assert(segs[i].text && *segs[i].text && utf8_valid(segs[i].text, strlen(segs[i].text)));
			assert(segs[i].start_ms >= 0 && segs[i].start_ms <= segs[i].end_ms);
			assert(segs[i].confidence >= 0 && segs[i].confidence <= 1);
		}
	} else {
		assert(!segs && !n);
	}
	remote_asr_segments_free(segs, n);
	tacit_clear_error();
	return 0;
}
