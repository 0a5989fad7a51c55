/*
 * live_asr.c — the transcription thread and its pause gate ("transcription first"). Its
 * final segments go through live_accept_final() (live_final.c); while some wait for a
 * busy store it tries again between audio chunks. The transcription thread never waits
 * on the language model, nor on another process's lock on the store. It also sends the
 * meter about once a second (levels, how far behind it is, what the model does).
 */
#include "internal.h"

#include "asr.h"
#include "live_int.h"
#include "store.h"
#include "llm_client.h"

#include <math.h>

#define ASR_CHUNK_FRAMES (TACIT_AUDIO_RATE / 2)
/* Transcription first (see asr_gate()): how often a paused model's transcription thread
 * looks whether whisper is done when no audio comes. */
#define GATE_POLL_MS 50
/* How often segments that wait for a busy store are tried again when no audio comes. */
#define HELD_POLL_MS 250
/* How often the meter event goes out (levels, lag, the model's state). */
#define METER_MS 1000

bool live_llm_must_wait(bool enabled, bool asr_busy, int64_t backlog_ms, int64_t max_backlog_ms)
{
	return enabled && (asr_busy || backlog_ms > max_backlog_ms);
}

int64_t live_backlog_limit(double setting_ms)
{
	/* the web app checks the range; a library caller may store anything */
	if (!(setting_ms > 0))
		return 0;
	return setting_ms > 600000 ? 600000 : (int64_t)setting_ms;
}

int64_t live_max_audio_ms(double setting_minutes)
{
	/* as for the backlog: a library caller may store anything */
	double m = setting_minutes > 0 ? setting_minutes : LIVE_DEFAULT_MAX_MINUTES;
	m = m < 0.1 ? 0.1 : m > 1440 ? 1440 : m;
	return (int64_t)(m * 60000.0);
}

bool live_on_asr_segment(const struct tacit_asr_segment *s, void *user)
{
	struct tacit_live *l = user;
	const char *label = tacit_speaker_name(s->speaker);
	int64_t start = s->start_ms + l->offset_ms, end = s->end_ms + l->offset_ms;
	if (!s->final) {
		struct tacit_segment seg = { .start_ms = start, .end_ms = end, .speaker = label, .text = s->text,
					     .confidence = s->confidence };
		pthread_mutex_lock(&l->seg_mu);
		int old = store_set_busy_ms(l->seg_store, 0); /* a preview: a busy store skips it */
		if (tacit_store_set_partial(l->seg_store, l->session_id, &seg) != TACIT_OK)
			tacit_clear_error();
		store_set_busy_ms(l->seg_store, old);
		pthread_mutex_unlock(&l->seg_mu);
		struct tacit_live_event ev = { .type = TACIT_LIVE_PARTIAL, .start_ms = start, .end_ms = end,
					       .speaker = s->speaker, .label = label, .text = s->text };
		live_emit(l, &ev);
		return true;
	}
	enum tacit_status st = live_accept_final(l, label, s->text, start, end, s->confidence);
	if (st == TACIT_ERR_NO_SPACE) {
		/* the transcript cannot go on: the meeting stops, keeping what was committed;
		 * the next push reports it (the application learns it even without events) */
		char msg[512];
		snprintf(msg, sizeof(msg), "the disk is full: meeting %lld stops, keeping what was stored: %s",
			 (long long)l->session_id, tacit_errmsg());
		pthread_mutex_lock(&l->a_mu);
		bool first = !l->a_disk_full;
		l->a_disk_full = l->a_eof = true;
		if (l->a_err == TACIT_OK) {
			l->a_err = st;
			snprintf(l->a_errmsg, sizeof(l->a_errmsg), "%s", msg);
		}
		pthread_cond_broadcast(&l->a_cond);
		pthread_mutex_unlock(&l->a_mu);
		if (first)
			live_emit_text(l, TACIT_LIVE_WARNING, "%s", msg);
	} else if (st != TACIT_OK) {
		live_emit_text(l, TACIT_LIVE_WARNING, "cannot store a final segment: %s", tacit_errmsg());
	}
	return true;
}

/* Transcription first. Under load, whisper's threads and the model's threads on the same
 * cores starve each other: ggml's threads wait for each other at every graph node by
 * spinning, so a team with one thread descheduled stalls while its others burn their
 * cores, and a lower priority (nice) for the model only changes the shares, not the
 * stalls; on 2 cores the transcript fell a minute behind. So the transcription thread
 * pauses the model's worker (SIGSTOP, llm_pause()) while whisper has a final request in
 * flight or queued or the audio backlog passes live.asr_backlog_ms, and resumes it when
 * they are done: the model works in the gaps and never takes a core from a final. A
 * partial (a preview, dropped when its final comes) does not pause the model, or the
 * model would hardly run while anyone speaks. A paused worker keeps its state, so no work
 * is lost; a cancel or a stop resumes it. The live VAD (a worker of its own, which this
 * thread waits on) runs beside the model: one thread, short. With a_mu held. */
static void asr_gate(struct tacit_live *l, bool finishing)
{
	struct tacit_llm *llm = __atomic_load_n(&l->gate_llm, __ATOMIC_ACQUIRE);
	if (!llm)
		return;
	bool busy = finishing || (l->stream && asr_stream_final_pending(l->stream));
	int64_t backlog = (int64_t)(l->aq_len / (size_t)l->p.n_channels) * 1000 / TACIT_AUDIO_RATE;
	bool pause = !l->a_quit && live_llm_must_wait(l->gate_on, busy, backlog, l->gate_backlog_ms);
	if (pause && !l->gate_paused)
		l->n_gate_pauses++;
	if (pause || l->gate_paused)
		llm_pause(llm, pause); /* again while paused: a respawned worker starts running */
	l->gate_paused = pause;
}

static void asr_gate_open(struct tacit_live *l)
{
	struct tacit_llm *llm = __atomic_load_n(&l->gate_llm, __ATOMIC_ACQUIRE);
	if (llm && l->gate_paused)
		llm_pause(llm, false);
	l->gate_paused = false;
}

/* One warning when the recording stops and the meeting goes on: where on the meeting's
 * timeline its audio ends, and why ("the disk is full" says it plainly). */
static void tell_recording_stopped(struct tacit_live *l, enum tacit_status st, int64_t at_ms, const char *why)
{
	char at[32];
	int64_t s = at_ms / 1000;
	if (s >= 3600)
		snprintf(at, sizeof(at), "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60),
			 (long long)(s % 60));
	else
		snprintf(at, sizeof(at), "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
	if (st == TACIT_ERR_NO_SPACE)
		live_emit_text(l, TACIT_LIVE_WARNING,
			       "the disk is full: the recording stopped at %s (the audio before it is kept); the "
			       "transcript goes on (%s)",
			       at, why);
	else
		live_emit_text(l, TACIT_LIVE_WARNING,
			       "the recording stopped at %s (the audio before it is kept); the transcript goes on: %s", at,
			       why);
}

/* Adds frames of pcm to the recording (pcm16: room for them); a recording that fails
 * stops, keeping its durable part, with one warning. Asr thread, no lock held. */
static void record_audio(struct tacit_live *l, const float *pcm, size_t frames, int16_t *pcm16)
{
	int ch = l->p.n_channels;
	if (!l->rec)
		return;
	for (size_t i = 0; i < frames * (size_t)ch; i++) {
		float v = pcm[i] * 32768.0f;
		pcm16[i] = (int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ? -32768 : v);
	}
	char why[512] = "";
	enum tacit_status rst;
	int64_t kept_ms = 0;
	pthread_mutex_lock(&l->seg_mu);
	if ((rst = tacit_recording_write(l->rec, pcm16, frames)) != TACIT_OK) {
		snprintf(why, sizeof(why), "%s", tacit_errmsg());
		kept_ms = (int64_t)(tacit_recording_durable_bytes(l->rec) * 1000 / ((uint64_t)ch * 2 * TACIT_AUDIO_RATE));
		tacit_recording_close(l->rec); /* the durable part, a valid WAV */
		l->rec = NULL;
	}
	pthread_mutex_unlock(&l->seg_mu);
	if (*why) /* told with no lock held: the callback may call back into the meeting */
		tell_recording_stopped(l, rst, l->offset_ms + kept_ms, why);
}

/* The audio's level per channel, gathered for the next meter. */
static void meter_add(struct tacit_live *l, const float *pcm, size_t frames)
{
	int ch = l->p.n_channels;
	for (size_t i = 0; i < frames; i++)
		for (int c = 0; c < ch && c < 2; c++) {
			float v = pcm[i * (size_t)ch + (size_t)c], a = fabsf(v);
			l->m_sumsq[c] += (double)v * v;
			if (a > l->m_peak[c])
				l->m_peak[c] = a;
		}
	l->m_frames += (int64_t)frames;
}

static float dbfs(double amplitude)
{
	return amplitude > 1e-5 ? (float)(20.0 * log10(amplitude)) : -100.0f;
}

/* Sends the meter once METER_MS has passed since the last: the levels since then, how
 * far the transcript is behind (queued_frames: audio not yet given to whisper) and what
 * the model does. None once the stop has begun. With no lock held. */
static void meter_tick(struct tacit_live *l, int64_t audio_ms, size_t queued_frames)
{
	double now = clock_now_ms();
	if (now - l->m_last_ms < METER_MS)
		return;
	l->m_last_ms = now;
	pthread_mutex_lock(&l->q_mu);
	bool stopping = l->stopping;
	enum job job = l->job;
	pthread_mutex_unlock(&l->q_mu);
	if (stopping)
		return;
	struct tacit_live_event ev = { .type = TACIT_LIVE_METER, .end_ms = audio_ms };
	ev.text = l->gate_paused ? "paused" : job != JOB_NONE ? "analysing" : "listening";
	ev.lag_ms = (l->stream ? asr_stream_lag_ms(l->stream) : 0) + (int64_t)queued_frames * 1000 / TACIT_AUDIO_RATE;
	if (l->m_frames > 0) {
		ev.n_levels = l->p.n_channels < 2 ? l->p.n_channels : 2;
		for (int c = 0; c < ev.n_levels; c++) {
			ev.rms_dbfs[c] = dbfs(sqrt(l->m_sumsq[c] / (double)l->m_frames));
			ev.peak_dbfs[c] = dbfs(l->m_peak[c]);
		}
	}
	memset(l->m_sumsq, 0, sizeof(l->m_sumsq));
	memset(l->m_peak, 0, sizeof(l->m_peak));
	l->m_frames = 0;
	live_emit(l, &ev);
}

/* How much speech in one language makes the first confident detection. */
#define LIVE_LANG_MS 3000

/* Stores the meeting's language once whisper has decoded LIVE_LANG_MS of speech in it,
 * or, at the end, whatever it has found (as an import does). Asr thread. */
static void store_language(struct tacit_live *l, bool at_end)
{
	if (l->lang_stored || !l->asr)
		return;
	const char *lang = asr_language_settled(l->asr, at_end ? 1 : LIVE_LANG_MS);
	if (!*lang)
		return;
	pthread_mutex_lock(&l->seg_mu);
	enum tacit_status st = store_session_set_language(l->seg_store, l->session_id, lang);
	pthread_mutex_unlock(&l->seg_mu);
	if (st != TACIT_OK && store_was_busy(l->seg_store) && !at_end) {
		tacit_clear_error(); /* another process is writing: the next chunk tries again */
		return;
	}
	if (st != TACIT_OK)
		live_emit_text(l, TACIT_LIVE_WARNING, "cannot store the meeting's language: %s", tacit_errmsg());
	l->lang_stored = true;
}

/* st, keeping its message in why[n] when it is a failure. */
static enum tacit_status asr_failed(enum tacit_status st, char *why, size_t n)
{
	if (st != TACIT_OK)
		snprintf(why, n, "%s", tacit_errmsg());
	return st;
}

void *live_asr_main(void *arg)
{
	struct tacit_live *l = arg;
	int ch = l->p.n_channels;
	size_t max = (size_t)ASR_CHUNK_FRAMES * (size_t)ch;
	float *chunk = malloc(max * sizeof(float));
	int16_t *pcm16 = malloc(max * sizeof(int16_t));
	enum tacit_status st = chunk && pcm16 ? TACIT_OK : tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	/* why transcription failed, taken when it did: the store's calls that follow (the
	 * language, held segments) set this thread's message again */
	char why[sizeof(l->a_errmsg)] = "";

	pthread_mutex_lock(&l->a_mu);
	while (st == TACIT_OK) {
		while (l->aq_len == 0 && !l->a_eof && !l->a_quit && st == TACIT_OK) {
			bool paused = l->gate_paused, held = live_held_waiting(l);
			/* the model waits: look at whisper's progress even when no audio comes;
			 * segments wait for the store: try again; and the meter goes on */
			struct timespec ts;
			clock_realtime_in(paused ? GATE_POLL_MS : held ? HELD_POLL_MS : METER_MS, &ts);
			if (pthread_cond_timedwait(&l->a_cond, &l->a_mu, &ts) == 0 || l->aq_len || l->a_eof || l->a_quit)
				continue;
			int64_t audio_ms = l->offset_ms + l->a_frames * 1000 / TACIT_AUDIO_RATE;
			pthread_mutex_unlock(&l->a_mu);
			if (held)
				live_held_retry(l);
			if (paused) /* takes whisper's results */
				st = asr_failed(tacit_asr_stream_push(l->stream, NULL, 0, &l->asr_cancel), why, sizeof(why));
			meter_tick(l, audio_ms, 0);
			pthread_mutex_lock(&l->a_mu);
			if (paused)
				asr_gate(l, false);
		}
		if (l->a_quit || l->aq_len == 0 || st != TACIT_OK)
			break;
		size_t n = l->aq_len < max ? l->aq_len : max;
		memcpy(chunk, l->aq + l->aq_head, n * sizeof(float));
		l->aq_head += n;
		l->aq_len -= n;
		if (l->aq_len == 0)
			l->aq_head = 0;
		l->a_busy = true;
		int64_t audio_ms = l->offset_ms + l->a_frames * 1000 / TACIT_AUDIO_RATE;
		size_t queued = l->aq_len / (size_t)ch;
		pthread_mutex_unlock(&l->a_mu);

		size_t frames = n / (size_t)ch;
		meter_add(l, chunk, frames);
		live_diar_audio(l, chunk, frames); /* before whisper: a final's audio is there first */
		record_audio(l, chunk, frames, pcm16);
		st = asr_failed(tacit_asr_stream_push(l->stream, chunk, frames, &l->asr_cancel), why, sizeof(why));
		store_language(l, false);
		if (live_held_waiting(l))
			live_held_retry(l);
		if (st == TACIT_OK)
			meter_tick(l, audio_ms, queued);

		pthread_mutex_lock(&l->a_mu);
		asr_gate(l, false);
		l->a_busy = false;
		pthread_cond_broadcast(&l->a_cond);
	}
	bool quit = l->a_quit;
	/* Transcription failed (a speech server gone, a worker that died): no more audio is
	 * taken, the next push reports why, and what was queued goes to the recording, so
	 * every frame pushed before the failure was told is kept. */
	bool failed = st != TACIT_OK && st != TACIT_ERR_CANCELLED;
	size_t left = 0;
	if (failed) {
		if (l->a_err == TACIT_OK) {
			l->a_err = st;
			snprintf(l->a_errmsg, sizeof(l->a_errmsg), "%s", why);
		}
		l->a_eof = true;
		left = l->aq_len / (size_t)ch; /* no push appends once a_eof is set */
	}
	if (st == TACIT_OK && !quit)
		asr_gate(l, true); /* the last audio is transcribed before the model goes on */
	pthread_mutex_unlock(&l->a_mu);
	if (st == TACIT_OK && !quit)
		st = asr_failed(tacit_asr_stream_finish(l->stream, &l->asr_cancel), why, sizeof(why));
	pthread_mutex_lock(&l->a_mu);
	asr_gate_open(l);
	pthread_mutex_unlock(&l->a_mu);
	for (size_t at = 0; pcm16 && at < left; at += ASR_CHUNK_FRAMES)
		record_audio(l, l->aq + l->aq_head + at * (size_t)ch, left - at < ASR_CHUNK_FRAMES ? left - at : ASR_CHUNK_FRAMES,
			     pcm16);
	store_language(l, true);
	char close_err[512] = "";
	if (live_held_waiting(l))
		live_held_retry(l);
	pthread_mutex_lock(&l->seg_mu);
	tacit_store_set_partial(l->seg_store, l->session_id, NULL);
	if (l->rec && tacit_recording_close(l->rec) != TACIT_OK && st == TACIT_OK)
		snprintf(close_err, sizeof(close_err), "%s", tacit_errmsg());
	l->rec = NULL;
	pthread_mutex_unlock(&l->seg_mu);
	if (*close_err)
		live_emit_text(l, TACIT_LIVE_WARNING, "cannot close the recording: %s", close_err);
	pthread_mutex_lock(&l->a_mu);
	if (st != TACIT_OK && st != TACIT_ERR_CANCELLED && !failed) {
		l->a_err = st;
		snprintf(l->a_errmsg, sizeof(l->a_errmsg), "%s", why);
	}
	l->a_eof = true;
	bool limited = l->a_limited && !quit, disk_full = l->a_disk_full && !quit;
	pthread_cond_broadcast(&l->a_cond);
	pthread_mutex_unlock(&l->a_mu);
	if (st != TACIT_OK && st != TACIT_ERR_CANCELLED)
		live_emit_text(l, TACIT_LIVE_WARNING, "transcription stopped: %s", l->a_errmsg);
	if (limited && !aborted(l)) { /* everything it took is transcribed: it stops as a user would */
		live_emit_text(l, TACIT_LIVE_STATUS,
			       "the meeting reached its maximum length of %g minutes and stops (setting live.max_minutes)",
			       (double)l->max_audio_ms / 60000.0);
		live_stop_self(l);
	} else if (disk_full && !aborted(l)) {
		live_stop_self(l); /* its summary may still fit; if not, the stop reports it */
	}
	if (l->n_gate_pauses)
		tacit_log(TACIT_LOG_INFO, "live: the model waited for the transcription %llu times",
			  (unsigned long long)l->n_gate_pauses);
	free(chunk);
	free(pcm16);
	return NULL;
}

