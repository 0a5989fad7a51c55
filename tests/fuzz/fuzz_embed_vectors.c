/*
 * fuzz_embed_vectors.c — the embedding worker's VECTORS answer (JSON, a NUL, float32
 * vectors) as the caller parses it, from a worker that may be broken: it must never
 * crash, read past the frame, write past the room for the texts asked, or pass on a
 * value that is not a number. The first byte picks how many texts were asked (0..7).
 */
#include "internal.h"

#include "embed.h"

#include <math.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	size_t n = data[0] % 8;
	const int dim = 4;
	float out[8 * 4];
	/* as the frame reader hands it over: a copy with a NUL after it */
	char *p = malloc(size);
	if (!p)
		return 0;
	memcpy(p, data + 1, size - 1);
	p[size - 1] = '\0';
	if (embed_vectors_parse(p, size - 1, n, dim, out) == TACIT_OK)
		for (size_t i = 0; i < n * dim; i++)
			if (!isfinite(out[i]))
				abort();
	free(p);
	return 0;
}
