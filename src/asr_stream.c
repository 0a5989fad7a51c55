/*
 * asr_stream.c — live transcription on top of the engine. Audio accumulates in a
 * pending window; every half second the VAD looks at it. A pause after speech (or 20 s
 * of talk) closes the utterance: it is transcribed once more and emitted as final, and
 * the window moves past it, so a final segment never changes. Between closes, the
 * window is transcribed as partial segments every partial_every_ms of new audio.
 * Without a VAD model, the window closes every 10 s.
 */
#include "internal.h"

#include "asr.h"

#define CHECK_EVERY (TACIT_AUDIO_RATE / 2)
#define END_SILENCE_MS 600
#define TAIL_PAD_MS 200
#define MAX_WINDOW_MS 20000
#define NO_VAD_WINDOW_MS 10000
#define MS_TO_FRAMES(ms) ((size_t)(ms) * (TACIT_AUDIO_RATE / 1000))
#define FRAMES_TO_MS(n) ((int64_t)(n) / (TACIT_AUDIO_RATE / 1000))

struct tacit_asr_stream {
	struct tacit_asr *asr;
	int n_channels;
	size_t partial_every;
	tacit_asr_segment_fn fn;
	void *user;
	float *ch[2];
	float *mix;
	size_t n, alloc;
	int64_t base_ms;       /* timeline position of frame 0 of the window */
	size_t since_check;    /* frames since the last VAD look */
	size_t since_partial;  /* frames since the last partial */
};

struct relay {
	struct tacit_asr_stream *s;
	bool final;
};

static bool relay_segment(const struct tacit_asr_segment *seg, void *user)
{
	struct relay *r = user;
	struct tacit_asr_segment copy = *seg;
	copy.final = r->final;
	return r->s->fn ? r->s->fn(&copy, r->s->user) : true;
}

enum tacit_status tacit_asr_stream_new(struct tacit_asr *asr, int n_channels, int partial_every_ms,
				       tacit_asr_segment_fn fn, void *user, struct tacit_asr_stream **out)
{
	*out = NULL;
	if (!asr || (n_channels != 1 && n_channels != 2) || partial_every_ms < 0)
		return tacit_fail(TACIT_ERR_USAGE, "a live stream needs an engine and 1 or 2 channels");
	struct tacit_asr_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	s->asr = asr;
	s->n_channels = n_channels;
	s->partial_every = MS_TO_FRAMES(partial_every_ms);
	s->fn = fn;
	s->user = user;
	*out = s;
	return TACIT_OK;
}

void tacit_asr_stream_free(struct tacit_asr_stream *s)
{
	if (!s)
		return;
	free(s->ch[0]);
	free(s->ch[1]);
	free(s->mix);
	free(s);
}

static int speaker_of(const struct tacit_asr_stream *s, int c)
{
	return s->n_channels == 2 ? c : TACIT_SPEAKER_UNKNOWN;
}

/* Drops the first n frames of the window. */
static void advance(struct tacit_asr_stream *s, size_t n)
{
	if (n > s->n)
		n = s->n;
	for (int c = 0; c < s->n_channels; c++)
		memmove(s->ch[c], s->ch[c] + n, (s->n - n) * sizeof(float));
	memmove(s->mix, s->mix + n, (s->n - n) * sizeof(float));
	s->n -= n;
	s->base_ms += FRAMES_TO_MS(n);
}

static enum tacit_status emit(struct tacit_asr_stream *s, size_t n, bool final, const volatile int *cancel)
{
	struct relay r = { s, final };
	for (int c = 0; c < s->n_channels; c++) {
		enum tacit_status st = tacit_asr_transcribe(s->asr, s->ch[c], n, s->base_ms, speaker_of(s, c), cancel,
							    relay_segment, &r);
		if (st != TACIT_OK)
			return st;
	}
	if (final)
		advance(s, n);
	s->since_partial = 0;
	return TACIT_OK;
}

static enum tacit_status step(struct tacit_asr_stream *s, const volatile int *cancel)
{
	struct tacit_span *spans = NULL;
	size_t k = 0;
	int64_t n_ms = FRAMES_TO_MS(s->n);
	enum tacit_status st = asr_vad(s->asr, s->mix, s->n, &spans, &k);

	if (st == TACIT_ERR_UNSUPPORTED) { /* no VAD model: fixed windows */
		if (n_ms >= NO_VAD_WINDOW_MS)
			return emit(s, s->n, true, cancel);
		goto partial;
	}
	if (st != TACIT_OK)
		return st;
	if (k == 0) {
		/* Only silence so far: forget it, keeping a little for a word's onset. */
		if (n_ms > 1000)
			advance(s, s->n - MS_TO_FRAMES(300));
		s->since_partial = 0;
		return TACIT_OK;
	}
	int64_t last_end = spans[k - 1].end_ms;
	if (n_ms - last_end >= END_SILENCE_MS) {
		int64_t cut = last_end + TAIL_PAD_MS < n_ms ? last_end + TAIL_PAD_MS : n_ms;
		free(spans);
		return emit(s, MS_TO_FRAMES(cut), true, cancel);
	}
	if (n_ms >= MAX_WINDOW_MS) {
		/* Long talk: close at the last pause inside the window, or at its end. */
		int64_t cut = k >= 2 ? (spans[k - 2].end_ms + spans[k - 1].start_ms) / 2 : n_ms;
		free(spans);
		return emit(s, MS_TO_FRAMES(cut), true, cancel);
	}
	free(spans);
partial:
	if (s->partial_every && s->since_partial >= s->partial_every)
		return emit(s, s->n, false, cancel);
	return TACIT_OK;
}

enum tacit_status tacit_asr_stream_push(struct tacit_asr_stream *s, const float *pcm, size_t n_frames,
					const volatile int *cancel)
{
	if (!s || (!pcm && n_frames))
		return tacit_fail(TACIT_ERR_USAGE, "no stream or no audio");
	while (n_frames > 0) {
		size_t take = n_frames < CHECK_EVERY - s->since_check ? n_frames : CHECK_EVERY - s->since_check;
		if (s->n + take > s->alloc) {
			size_t want = s->alloc ? s->alloc * 2 : MS_TO_FRAMES(MAX_WINDOW_MS + 2000);
			while (want < s->n + take)
				want *= 2;
			for (int c = 0; c < s->n_channels; c++) {
				float *p = realloc(s->ch[c], want * sizeof(float));
				if (!p)
					return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
				s->ch[c] = p;
			}
			float *m = realloc(s->mix, want * sizeof(float));
			if (!m)
				return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			s->mix = m;
			s->alloc = want;
		}
		for (size_t i = 0; i < take; i++) {
			float sum = 0;
			for (int c = 0; c < s->n_channels; c++) {
				float v = pcm[i * (size_t)s->n_channels + (size_t)c];
				s->ch[c][s->n + i] = v;
				sum += v;
			}
			s->mix[s->n + i] = sum / (float)s->n_channels;
		}
		s->n += take;
		s->since_check += take;
		s->since_partial += take;
		pcm += take * (size_t)s->n_channels;
		n_frames -= take;
		if (s->since_check >= CHECK_EVERY) {
			s->since_check = 0;
			enum tacit_status st = step(s, cancel);
			if (st != TACIT_OK)
				return st;
		}
	}
	return TACIT_OK;
}

enum tacit_status tacit_asr_stream_finish(struct tacit_asr_stream *s, const volatile int *cancel)
{
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "no stream");
	if (s->n == 0)
		return TACIT_OK;
	return emit(s, s->n, true, cancel);
}
