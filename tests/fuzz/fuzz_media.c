/*
 * fuzz_media.c — the media front end on arbitrary bytes: any input must end in audio or
 * in one clear error, never a crash, a hang or a leak. Capped at 60 s of output so a
 * crafted header cannot make one input take minutes.
 */
#include <stdint.h>
#include <stdlib.h>

#include <tacit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tacit_audio_params p = tacit_audio_default_params();
	struct tacit_audio a;
	p.max_seconds = 60;
	p.channels = size > 0 && (data[size - 1] & 1) ? 2 : 1;
	if (tacit_audio_load_memory(data, size, "fuzz", &p, &a) == TACIT_OK) {
		if (a.n_frames && !a.samples)
			abort();
		tacit_audio_release(&a);
	}
	return 0;
}
