/*
 * audio.c — tacit_audio_*: a recording (file or memory buffer) decoded to 16 kHz float
 * PCM, mono or two channels, in one struct tacit_audio that the caller releases. The
 * decoding itself is the FFmpeg adapter's (media.c).
 */
#include "internal.h"

#include "media.h"

struct tacit_audio_params tacit_audio_default_params(void)
{
	return (struct tacit_audio_params){ .channels = 1, .max_seconds = 12 * 3600.0 };
}

void tacit_audio_release(struct tacit_audio *audio)
{
	if (!audio)
		return;
	free(audio->samples);
	memset(audio, 0, sizeof(*audio));
}

enum tacit_status tacit_audio_load(const char *path, const struct tacit_audio_params *params, struct tacit_audio *out)
{
	struct tacit_audio_params p = params ? *params : tacit_audio_default_params();
	return media_load_file(path, &p, out);
}

enum tacit_status tacit_audio_load_memory(const void *data, size_t len, const char *name,
					  const struct tacit_audio_params *params, struct tacit_audio *out)
{
	struct tacit_audio_params p = params ? *params : tacit_audio_default_params();
	return media_load_memory(data, len, name, &p, out);
}
