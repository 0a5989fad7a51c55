/*
 * asr_stream.c — live transcription on top of the engine. Audio accumulates in a
 * pending window; every half second the VAD (a worker of its own) looks at it. A pause after
 * speech (or 20 s of talk) closes the utterance: it is queued for the worker as final,
 * and the window moves past it, so a final segment never changes. Between closes, the
 * window is transcribed as partial segments every partial_every_ms of new audio.
 * Without a VAD model, the window closes every 10 s.
 * Pushing never waits for the decoder: requests go to the worker one at a time and
 * answers are taken as they come. Finals come first: a partial is asked for only when
 * the worker is idle, and a partial still decoding when a final is due is cancelled.
 * A remote speech engine takes the worker's place (asr_client.c runs its requests on a
 * thread of their own) and is sent finals only.
 */
#include "internal.h"

#include "asr.h"
#include "basics.h"

#include <time.h>

#define CHECK_EVERY (TACIT_AUDIO_RATE / 2)
#define END_SILENCE_MS 600
#define TAIL_PAD_MS 200
#define MAX_WINDOW_MS 20000
#define NO_VAD_WINDOW_MS 10000
#define MS_TO_FRAMES(ms) ((size_t)(ms) * (TACIT_AUDIO_RATE / 1000))
#define FRAMES_TO_MS(n) ((int64_t)(n) / (TACIT_AUDIO_RATE / 1000))

struct job {
	float *pcm; /* owned */
	size_t n;
	int64_t offset_ms;
	int speaker;
	bool final;
};

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
	struct job *queue;     /* waiting for the worker, oldest first */
	size_t n_queue, queue_alloc;
	bool busy;             /* a request is with the worker */
	long long busy_id;
	bool busy_final;
	int64_t busy_offset_ms; /* where the request in flight starts on the timeline */
	bool busy_stale;       /* a partial overtaken by a final: cancelled, output dropped */
	double busy_since_ms, cancel_ms;
};

enum tacit_status tacit_asr_stream_open(struct tacit_asr *asr, int n_channels, int partial_every_ms,
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
	/* a speech server gets finals only: partials would send the same audio again and
	 * again, and its one decoder would make a final wait behind a preview */
	s->partial_every = asr_label(asr) ? 0 : MS_TO_FRAMES(partial_every_ms);
	s->fn = fn;
	s->user = user;
	*out = s;
	return TACIT_OK;
}

void tacit_asr_stream_close(struct tacit_asr_stream *s)
{
	if (!s)
		return;
	if (s->busy) /* the worker must not keep decoding for nobody */
		asr_cancel(s->asr, s->busy_id);
	for (size_t i = 0; i < s->n_queue; i++)
		free(s->queue[i].pcm);
	free(s->queue);
	free(s->ch[0]);
	free(s->ch[1]);
	free(s->mix);
	free(s);
}

bool asr_stream_idle(const struct tacit_asr_stream *s)
{
	return !s->busy && s->n_queue == 0;
}

bool asr_stream_final_pending(const struct tacit_asr_stream *s)
{
	bool pending = s->busy && s->busy_final;
	for (size_t i = 0; i < s->n_queue && !pending; i++)
		pending = s->queue[i].final;
	return pending;
}

int64_t asr_stream_lag_ms(const struct tacit_asr_stream *s)
{
	bool pending = s->busy && s->busy_final && !s->busy_stale;
	int64_t oldest = pending ? s->busy_offset_ms : 0;
	for (size_t i = 0; i < s->n_queue; i++)
		if (s->queue[i].final && (!pending || s->queue[i].offset_ms < oldest)) {
			oldest = s->queue[i].offset_ms;
			pending = true;
		}
	int64_t now = s->base_ms + FRAMES_TO_MS(s->n);
	return pending && now > oldest ? now - oldest : 0;
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

/* Ends the stream's work on the worker after a stop: the request in flight is cancelled
 * and the queue is kept (a later push or finish goes on with it). */
static enum tacit_status stop_now(struct tacit_asr_stream *s)
{
	if (s->busy && !s->busy_stale) {
		asr_cancel(s->asr, s->busy_id);
		s->busy_stale = true;
	}
	return tacit_fail(TACIT_ERR_CANCELLED, "transcription cancelled");
}

/* Sends the oldest queued request when the worker is free. */
static enum tacit_status dispatch(struct tacit_asr_stream *s)
{
	if (s->busy || s->n_queue == 0)
		return TACIT_OK;
	struct job *j = &s->queue[0];
	enum tacit_status st = asr_submit(s->asr, j->pcm, j->n, j->offset_ms, j->speaker, !j->final, &s->busy_id);
	if (st != TACIT_OK)
		return st;
	s->busy = true;
	s->busy_since_ms = clock_now_ms();
	s->busy_final = j->final;
	s->busy_offset_ms = j->offset_ms;
	s->busy_stale = false;
	free(j->pcm);
	memmove(s->queue, s->queue + 1, (s->n_queue - 1) * sizeof(*s->queue));
	s->n_queue--;
	return TACIT_OK;
}

/* Takes what the worker has sent, waiting up to timeout_ms for each event while
 * wait_all is set and work remains; relays segments and keeps the queue moving. */
static enum tacit_status pump(struct tacit_asr_stream *s, bool wait_all, const volatile int *cancel)
{
	enum tacit_status st;
	for (;;) {
		if ((st = dispatch(s)) != TACIT_OK)
			return st;
		if (!s->busy)
			return TACIT_OK;
		if (cancel_requested(cancel))
			return stop_now(s);
		struct asr_event ev;
		if ((st = asr_poll(s->asr, wait_all ? 50 : 0, &ev)) != TACIT_OK) {
			s->busy = false; /* the worker died: that request is lost, the queue is not */
			return st;
		}
		if (ev.type == ASR_EV_NONE) {
			if (!wait_all)
				return TACIT_OK;
			continue;
		}
		if (ev.id != s->busy_id)
			continue; /* a stale answer */
		if (ev.type == ASR_EV_SEGMENT) {
			if (s->busy_stale)
				continue;
			ev.seg.final = s->busy_final;
			if (s->fn && !s->fn(&ev.seg, s->user))
				return stop_now(s);
			continue;
		}
		s->busy = false;
		if (tacit_log_enabled(TACIT_LOG_DEBUG))
			tacit_log(TACIT_LOG_DEBUG, "live: %s request %lld took %.0f ms%s", s->busy_final ? "final" : "partial",
				  s->busy_id, clock_now_ms() - s->busy_since_ms, s->busy_stale ? " (cancelled)" : "");
		if (s->busy_stale && tacit_log_enabled(TACIT_LOG_DEBUG))
			tacit_log(TACIT_LOG_DEBUG, "live: a cancelled partial stopped %.0f ms after the cancel",
				  clock_now_ms() - s->cancel_ms);
		if (ev.status != TACIT_OK && !(s->busy_stale && ev.status == TACIT_ERR_CANCELLED))
			return ev.status;
	}
}

static enum tacit_status enqueue(struct tacit_asr_stream *s, int c, size_t n, bool final)
{
	if (s->n_queue == s->queue_alloc) {
		size_t want = s->queue_alloc ? s->queue_alloc * 2 : 8;
		struct job *q = realloc(s->queue, want * sizeof(*q));
		if (!q)
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		s->queue = q;
		s->queue_alloc = want;
	}
	struct job *j = &s->queue[s->n_queue];
	j->pcm = malloc((n ? n : 1) * sizeof(float));
	if (!j->pcm)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	memcpy(j->pcm, s->ch[c], n * sizeof(float));
	j->n = n;
	j->offset_ms = s->base_ms;
	j->speaker = speaker_of(s, c);
	j->final = final;
	s->n_queue++;
	return TACIT_OK;
}

/* Queues the first n frames of the window for transcription. A final closes them: the
 * window moves past, and a partial still decoding is cancelled so it cannot delay the
 * final. A partial is asked for only while the worker has nothing else to do. */
static enum tacit_status emit(struct tacit_asr_stream *s, size_t n, bool final, const volatile int *cancel)
{
	enum tacit_status st;
	(void)cancel;
	if (!final && (s->busy || s->n_queue))
		return TACIT_OK; /* busy: skip this partial, the next one shows more anyway */
	if (final && s->busy && !s->busy_final && !s->busy_stale) {
		if ((st = asr_cancel(s->asr, s->busy_id)) != TACIT_OK)
			return st;
		s->busy_stale = true;
		s->cancel_ms = clock_now_ms();
	}
	/* Requests hold at most ASR_MAX_SAMPLES; a window never grows that long. */
	if (n > ASR_MAX_SAMPLES)
		n = ASR_MAX_SAMPLES;
	for (int c = 0; c < s->n_channels; c++)
		if (n >= TACIT_AUDIO_RATE / 10 && (st = enqueue(s, c, n, final)) != TACIT_OK)
			return st;
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
	if (cancel_requested(cancel))
		return stop_now(s);
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
	return pump(s, false, cancel);
}

enum tacit_status tacit_asr_stream_finish(struct tacit_asr_stream *s, const volatile int *cancel)
{
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "no stream");
	enum tacit_status st = TACIT_OK;
	if (s->n > 0)
		st = emit(s, s->n, true, cancel);
	if (st == TACIT_OK)
		st = pump(s, true, cancel);
	return st;
}
