/*
 * asr.h — transcription's internal pieces on the caller's side: speech packing (asr.c),
 * the VAD client (vad.c), and the client's asynchronous calls that the live stream builds
 * on (asr_client.c). whisper.cpp and its Silero VAD run in tacit-worker:
 * worker/asr_engine.h, worker/vad_engine.h.
 */
#ifndef TACIT_ASR_H
#define TACIT_ASR_H

#include "internal.h"

/* ---- speech packing (VAD) ---- */
/* With VAD, whisper decodes only the speech regions, packed one after another with
 * ASR_PACK_GAP_MS of silence between them: a 30 s window then holds 30 s of speech, not
 * speech and pauses, so the same words cost fewer encoder passes. The gap lets whisper
 * hear a pause (and end a segment there) and is too short to invent words in;
 * whisper.cpp's own VAD uses the same 100 ms. */
#define ASR_PACK_GAP_MS 100
/* One region in the packed audio: `at` ms into it, `orig` ms into the input, `len` ms. */
struct asr_piece {
	int64_t at, orig, len;
};
/* Packs the regions spans (ms, in order, clamped to the audio) of pcm (n samples).
 * *out, *pieces: free(); *n_pieces <= n_spans (empty regions are skipped). */
enum tacit_status asr_pack_speech(const float *pcm, size_t n, const struct tacit_span *spans, size_t n_spans,
				  float **out, size_t *n_out, struct asr_piece **pieces, size_t *n_pieces);
/* A time t (ms into the packed audio) on the input's timeline. A time in a gap between
 * two regions becomes the end of the one before (end true) or the start of the next. */
int64_t asr_unpack_ms(const struct asr_piece *pieces, size_t n_pieces, int64_t t, bool end);

/* ---- the VAD client (vad.c): Silero in a worker of its own ---- */
struct vad_client;
/* Starts nothing: the worker starts (and loads model_path) on the first detect. */
enum tacit_status vad_client_new(const char *model_path, const struct tacit_vad_params *params,
				 struct vad_client **out);
void vad_client_free(struct vad_client *c);
/* Speech regions of pcm (any length); *out: free(). TACIT_ERR_WORKER when the worker
 * died or hung (it was killed): the next call starts a new one. */
enum tacit_status vad_client_detect(struct vad_client *c, const float *pcm, size_t n, struct tacit_span **out,
				    size_t *n_out);

/* ---- the client's asynchronous calls ---- */
/* The live stream's VAD: a worker of the handle's own (started on first use, kept), never
 * queued behind a transcription. A worker that dies is started again once; when it dies
 * again the VAD is given up with a warning. TACIT_ERR_UNSUPPORTED, without a message,
 * when there is no VAD model or it was given up. *out: free(). */
enum tacit_status asr_vad(struct tacit_asr *asr, const float *pcm, size_t n, struct tacit_span **out,
			  size_t *n_out);

/* Sends pcm to the worker for transcription (starting it if needed) and returns at once
 * with the request's id. At most ASR_MAX_SAMPLES per request. */
#define ASR_MAX_SAMPLES ((size_t)240 * TACIT_AUDIO_RATE)
enum tacit_status asr_submit(struct tacit_asr *asr, const float *pcm, size_t n, int64_t offset_ms, int speaker,
			     bool quick, long long *out_id);
/* How many of n samples the next request takes: all when n <= ASR_MAX_SAMPLES, else up
 * to the quietest moment of the 20 s before that limit. */
size_t asr_split_at(const float *pcm, size_t n);
/* Asks the worker to stop request id (it then ends with TACIT_ERR_CANCELLED). */
enum tacit_status asr_cancel(struct tacit_asr *asr, long long id);

enum asr_event_type {
	ASR_EV_NONE = 0,    /* nothing arrived within the timeout */
	ASR_EV_SEGMENT = 1, /* seg: a segment of request id (text valid until the next poll) */
	ASR_EV_DONE = 2,    /* request id ended with status (its message in tacit_errmsg()) */
};
struct asr_event {
	enum asr_event_type type;
	long long id;
	struct tacit_asr_segment seg;
	enum tacit_status status;
};
/* Waits up to timeout_ms for the next event. TACIT_ERR_WORKER when the worker died:
 * every request in flight is lost, and the next asr_submit() starts a new worker. */
enum tacit_status asr_poll(struct tacit_asr *asr, int timeout_ms, struct asr_event *ev);
/* "NAME on HOST" of a remote engine, what stored metadata records; NULL when local. */
const char *asr_label(const struct tacit_asr *asr);
/* Kills the worker now (a request that ignores its cancel); the next call respawns it. */
void asr_kill(struct tacit_asr *asr);

/* tacit_asr_language() once it is settled: "" until whisper has decoded at least min_ms
 * of audio in the leading language (a given language or an English-only model's "en"
 * too: "" until some speech was decoded). */
const char *asr_language_settled(const struct tacit_asr *asr, int64_t min_ms);

/* Whether the live stream has nothing queued or in flight (tests: wait for it). */
bool asr_stream_idle(const struct tacit_asr_stream *s);
/* Whether a final request (not a partial) is in flight or queued: a live meeting's model
 * waits for it (live.c, transcription first). */
bool asr_stream_final_pending(const struct tacit_asr_stream *s);
/* How far the final transcript is behind the audio pushed: from the start of the oldest
 * final request not yet answered to the newest audio; 0 when none waits (the utterance
 * still open is shown by partials, not counted). The stream's thread. */
int64_t asr_stream_lag_ms(const struct tacit_asr_stream *s);

#endif
