/*
 * media.h — the FFmpeg adapter (media.c): a recording decoded whole into a struct
 * tacit_audio (for tacit_audio_load*, audio.c), or piece by piece into a sink, so a long
 * file never has to fit in memory at once.
 */
#ifndef TACIT_MEDIA_H
#define TACIT_MEDIA_H

#include "internal.h"

/* tacit_audio_load() and tacit_audio_load_memory() with their parameters already given
 * (not NULL): checks them, then decodes. */
enum tacit_status media_load_file(const char *path, const struct tacit_audio_params *p, struct tacit_audio *out);
enum tacit_status media_load_memory(const void *data, size_t len, const char *name,
				   const struct tacit_audio_params *p, struct tacit_audio *out);

/* Receives n_frames interleaved frames (params' channel count, 16 kHz float), valid
 * during the call. A status other than TACIT_OK stops decoding and is returned. */
typedef enum tacit_status (*media_sink_fn)(const float *pcm, size_t n_frames, void *user);

/* Decodes path as tacit_audio_load() does (same checks, errors and length cap), handing
 * the frames to sink as they come instead of keeping them. *src_channels (may be NULL):
 * the source's own channel count, known once decoding starts; 0 when it never did. */
enum tacit_status media_decode_file(const char *path, const struct tacit_audio_params *params, media_sink_fn sink,
				    void *user, int *src_channels);

#endif
