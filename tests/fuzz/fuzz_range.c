/*
 * fuzz_range.c — the HTTP Range header parser of the recording endpoint (api_audio.c) on
 * any bytes and file sizes: it never crashes, and a satisfiable answer always lies inside
 * the file (first <= last < size), so a 206 can never read past the end.
 */
#include "api.h"

#include <assert.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sizes[] = { 0, 1, 2, 44, 1000, UINT64_MAX };
	char h[256];
	size_t n = size < sizeof(h) - 1 ? size : sizeof(h) - 1;
	memcpy(h, data, n);
	h[n] = '\0';
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t first = 0, last = 0;
		int r = api_parse_range(h, sizes[i], &first, &last);
		assert(r >= -1 && r <= 1);
		if (r == 1)
			assert(first <= last && last < sizes[i]);
	}
	return 0;
}
