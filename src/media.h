/*
 * media.h — the FFmpeg adapter's streaming side (media.c): a recording decoded piece by
 * piece into a sink, so a long file never has to fit in memory at once.
 */
#ifndef TACIT_MEDIA_H
#define TACIT_MEDIA_H

#include "internal.h"

/* Receives n_frames interleaved frames (params' channel count, 16 kHz float), valid
 * during the call. A status other than TACIT_OK stops decoding and is returned. */
typedef enum tacit_status (*media_sink_fn)(const float *pcm, size_t n_frames, void *user);

/* Decodes path as tacit_audio_load() does (same checks, errors and length cap), handing
 * the frames to sink as they come instead of keeping them. *src_channels (may be NULL):
 * the source's own channel count, known once decoding starts; 0 when it never did. */
enum tacit_status media_decode_file(const char *path, const struct tacit_audio_params *params, media_sink_fn sink,
				    void *user, int *src_channels);

#endif
