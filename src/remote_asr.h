/*
 * remote_asr.h — speech on a server the user named (whisper.cpp's whisper-server, or an
 * OpenAI-compatible /v1/audio/transcriptions): the remote backend behind tacit_asr_*
 * (asr_client.c picks it when tacit_asr_params.engine is remote). Same segments, same
 * errors discipline as the local worker; see struct tacit_engine in include/tacit.h.
 */
#ifndef TACIT_REMOTE_ASR_H
#define TACIT_REMOTE_ASR_H

#include "internal.h"

struct remote_asr;

/* Checks e's server answers and picks its API: a URL ending in "/inference" or
 * "/audio/transcriptions" is taken as it is; otherwise a server that lists models on
 * /v1/models is OpenAI-style, one that does not is whisper-server (/inference).
 * language: NULL or "auto" lets the server decide. Errors name the host. */
enum tacit_status remote_asr_open(const struct tacit_engine *e, const char *language, bool translate,
				  struct remote_asr **out);
void remote_asr_close(struct remote_asr *r);

/* Sends n samples (16 kHz mono) as one WAV and hands each segment of the answer to fn
 * (offset_ms added, speaker set); *lang: the language code the server reported ("" when
 * none). All segments are parsed and checked before the first reaches fn, so a bad
 * answer delivers none. */
enum tacit_status remote_asr_transcribe(struct remote_asr *r, const float *pcm, size_t n, int64_t offset_ms,
					int speaker, const volatile int *cancel, tacit_asr_segment_fn fn, void *user,
					char lang[8]);

/* "remote, HOST (whisper-server)"; "NAME on HOST" for stored metadata. Owned by r. */
const char *remote_asr_where(const struct remote_asr *r);
const char *remote_asr_label(const struct remote_asr *r);

/* Parses a verbose_json answer (whisper-server or OpenAI) into segments; exposed for the
 * fuzz target. n_ms: the audio's length (a text-only answer spans it). *out: free each
 * text and the array (remote_asr_segments_free). */
struct remote_asr_seg {
	int64_t start_ms, end_ms;
	float confidence;
	char *text;
};
enum tacit_status remote_asr_parse(const char *body, size_t len, int64_t n_ms, const char *host,
				   struct remote_asr_seg **out, size_t *n_out, char lang[8]);
void remote_asr_segments_free(struct remote_asr_seg *s, size_t n);

#endif
