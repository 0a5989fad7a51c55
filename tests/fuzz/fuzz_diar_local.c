/*
 * fuzz_diar_local.c — the diarization worker's LOCAL answer (JSON, a NUL, float32
 * embeddings) as the caller parses it, from a worker that may be broken: it must never
 * crash, read past the frame or keep a turn that names a local speaker it was not sent.
 */
#include "internal.h"

#include "diar_run.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* as the frame reader hands it over: a copy with a NUL after it */
	char *p = malloc(size + 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	p[size] = '\0';
	(void)diar_local_check(p, size);
	free(p);
	return 0;
}
