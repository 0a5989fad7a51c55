/*
 * asr_engine.c — the whisper.cpp adapter, run only inside tacit-worker (worker/asr.c
 * serves it): 16 kHz PCM in, timestamped segments out, through a callback, with a stop
 * callback. Silence is never decoded: one Silero VAD pass (one thread, vad_engine.c) finds the
 * speech, and whisper decodes only that, packed (times are mapped back); segments that
 * are empty, pure annotations ("[BLANK_AUDIO]") or repeated-token loops are dropped.
 */
#include "internal.h"

#include "asr.h"
#include "asr_engine.h"
#include "devices.h"
#include "vad_engine.h"
#include "utf8.h"

#include <ctype.h>
#include <math.h>

#include <whisper.h>

#define ASR_MIN_SAMPLES (TACIT_AUDIO_RATE / 10)

struct asr_engine {
	struct whisper_context *ctx;
	struct vad_engine *vad; /* vad_engine.c */
	struct tacit_asr_params p;
	char *language;
	char *vad_path;
	char last_lang[8]; /* what the last call decoded in ("en"); "" when it decoded nothing */
	int bench_tokens;  /* TACIT_ASR_BENCH_TOKENS: text tokens every window decodes (0: as
			    * the model says) */
};

struct run {
	struct asr_engine *asr;
	bool (*stop)(void *);
	void *stop_user;
	tacit_asr_segment_fn fn;
	void *user;
	int64_t offset_ms;
	int speaker;
	int64_t len_ms; /* the audio's length: no segment ends past it */
	bool stopped;   /* the callback asked to stop */
	struct buf text;
	/* With VAD, whisper decodes the speech regions packed together (struct pack); its
	 * times are mapped back through these (NULL: whisper saw the audio as it was). */
	const struct asr_piece *pieces;
	size_t n_pieces;
};

static int usable_threads(void)
{
	struct tacit_probe_params pp = tacit_probe_default_params();
	struct tacit_system sys;
	pp.bandwidth = 0;
	pp.devices = false;
	if (tacit_system_probe(&pp, &sys) != TACIT_OK || sys.n_cores_usable < 1)
		return 4;
	int n = sys.n_cores_usable;
	if (sys.n_cores_physical > 0 && sys.n_cores_physical < n)
		n = sys.n_cores_physical; /* whisper gains nothing from hyper-threads */
	return n > 8 ? 8 : n;
}


/* "[BLANK_AUDIO]", "(music)", "*sigh*": annotations, not words anyone said. */
static bool is_annotation(const char *t)
{
	size_t n = strlen(t);
	if (n < 2)
		return false;
	char a = t[0], z = t[n - 1];
	return (a == '[' && z == ']') || (a == '(' && z == ')') || (a == '*' && z == '*');
}

/* ---- the engine -------------------------------------------------------------------- */

/* whisper.cpp asserts (aborts the process) on some malformed headers, so the header is
 * checked here first: magic, sane hyper-parameters and a weight type it knows. */
static enum tacit_status check_model_header(const char *path)
{
	static const int known_ftypes[] = { 0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 14 };
	uint32_t magic = 0;
	int32_t hp[11];
	FILE *f = fopen(path, "rb");
	if (!f)
		return tacit_fail_errno(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO,
					"cannot open whisper model '%s'", path);
	bool ok = fread(&magic, 4, 1, f) == 1 && fread(hp, sizeof(hp), 1, f) == 1 && magic == 0x67676d6cu;
	fclose(f);
	ok = ok && hp[0] > 0 && hp[0] < 1000000 && hp[1] > 0 && hp[1] <= 100000 && hp[2] > 0 && hp[3] > 0 &&
	     hp[4] > 0 && hp[5] > 0 && hp[6] > 0 && hp[7] > 0 && hp[8] > 0 && hp[9] > 0 && hp[9] <= 512 && hp[10] >= 0;
	bool known = false;
	for (size_t i = 0; ok && i < ARRAY_SIZE(known_ftypes); i++)
		known |= hp[10] % 1000 == known_ftypes[i];
	if (!ok || !known)
		return tacit_fail(TACIT_ERR_MODEL, "cannot load whisper model '%s': not a whisper.cpp ggml model", path);
	return TACIT_OK;
}

enum tacit_status asr_engine_new(const struct tacit_asr_params *params, struct asr_engine **out)
{
	struct asr_engine *a = NULL;
	enum tacit_status st = TACIT_OK;

	*out = NULL;
	if (!params || !params->model_path || !*params->model_path)
		return tacit_fail(TACIT_ERR_USAGE, "no whisper model given");
	if ((st = check_model_header(params->model_path)) != TACIT_OK)
		return st;
	a = calloc(1, sizeof(*a));
	if (!a)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	a->p = *params;
	a->p.model_path = NULL; /* not kept: the caller's string may go away */
	if (a->p.n_threads <= 0)
		a->p.n_threads = usable_threads();
	if (params->language && *params->language && strcmp(params->language, "auto") != 0) {
		if (whisper_lang_id(params->language) < 0) {
			st = tacit_fail(TACIT_ERR_USAGE, "unknown language '%s' (use a code such as 'en' or 'auto')",
					params->language);
			goto out;
		}
		a->language = strdup(params->language);
		if (!a->language) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	a->p.language = a->language;
	if (params->vad_model_path) {
		a->vad_path = strdup(params->vad_model_path);
		if (!a->vad_path) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((st = vad_engine_open(a->vad_path, &a->p.vad, &a->vad)) != TACIT_OK)
			goto out;
	}
	a->p.vad_model_path = a->vad_path;
	const char *bt = getenv("TACIT_ASR_BENCH_TOKENS");
	a->bench_tokens = bt && atoi(bt) > 0 && atoi(bt) < 200 ? atoi(bt) : 0;

	devices_load();
	/* whisper.cpp's defaults, as whisper-cli uses them: flash attention on (the encoder's
	 * attention is most of the time spent on a CPU). */
	struct whisper_context_params cp = whisper_context_default_params();
	cp.use_gpu = params->use_gpu;
	a->ctx = whisper_init_from_file_with_params(params->model_path, cp);
	if (!a->ctx) {
		st = tacit_fail(TACIT_ERR_MODEL, "cannot load whisper model '%s': not a whisper.cpp ggml model, or damaged",
				params->model_path);
		goto out;
	}
	if (a->language && !whisper_is_multilingual(a->ctx) && strcmp(a->language, "en") != 0) {
		st = tacit_fail(TACIT_ERR_UNSUPPORTED,
				"model '%s' is English-only: it cannot transcribe '%s' (use a multilingual model)",
				params->model_path, a->language);
		goto out;
	}
out:
	if (st != TACIT_OK) {
		asr_engine_free(a);
		return st;
	}
	*out = a;
	return TACIT_OK;
}

void asr_engine_free(struct asr_engine *asr)
{
	if (!asr)
		return;
	if (asr->ctx)
		whisper_free(asr->ctx);
	vad_engine_free(asr->vad);
	free(asr->language);
	free(asr->vad_path);
	free(asr);
}

bool asr_engine_multilingual(const struct asr_engine *asr)
{
	return asr && asr->ctx && whisper_is_multilingual(asr->ctx);
}

const char *asr_engine_language(const struct asr_engine *asr)
{
	return asr ? asr->last_lang : "";
}

static bool cancelled(const struct run *r)
{
	return r->stop && r->stop(r->stop_user);
}

static bool on_abort(void *user)
{
	struct run *r = user;
	return r->stopped || cancelled(r);
}

#define SAMPLES_PER_MS (TACIT_AUDIO_RATE / 1000)


/* TACIT_ASR_BENCH_TOKENS=N (benchmarks): every window decodes exactly N text tokens and
 * no timestamps, so that a model with random weights, whose output length is random, does
 * the same decoding work on both sides of a comparison. */
static void bench_tokens_filter(struct whisper_context *ctx, struct whisper_state *state,
				const whisper_token_data *tokens, int n_tokens, float *logits, void *user)
{
	const struct run *r = user;
	whisper_token eot = whisper_token_eot(ctx);
	(void)state;
	(void)tokens;
	if (n_tokens < r->asr->bench_tokens) {
		logits[eot] = -INFINITY;
		return;
	}
	for (int i = 0, n = whisper_n_vocab(ctx); i < n; i++)
		if (i != eot)
			logits[i] = -INFINITY;
}

static void on_segments(struct whisper_context *ctx, struct whisper_state *state, int n_new, void *user)
{
	struct run *r = user;
	(void)state;
	int n = whisper_full_n_segments(ctx);
	whisper_token eot = whisper_token_eot(ctx);
	for (int i = n - n_new; i >= 0 && i < n && !r->stopped; i++) {
		const char *raw = whisper_full_get_segment_text(ctx, i);
		while (raw && isspace((unsigned char)*raw))
			raw++;
		buf_reset(&r->text);
		/* whisper's tokens may split a character: what we store is always text */
		utf8_repair_buf(&r->text, raw ? raw : "", raw ? strlen(raw) : 0);
		while (r->text.len && isspace((unsigned char)r->text.data[r->text.len - 1]))
			r->text.data[--r->text.len] = '\0';
		if (r->text.failed || r->text.len == 0 || is_annotation(r->text.data))
			continue;
		if (tacit_text_is_loop(r->text.data)) {
			tacit_log(TACIT_LOG_INFO, "dropped a repeated-token loop at %.1f s",
				  (double)whisper_full_get_segment_t0(ctx, i) / 100.0);
			continue;
		}
		double psum = 0;
		int nt = 0, ntok = whisper_full_n_tokens(ctx, i);
		for (int j = 0; j < ntok; j++) {
			if (whisper_full_get_token_id(ctx, i, j) >= eot)
				continue; /* timestamps and special tokens */
			psum += whisper_full_get_token_p(ctx, i, j);
			nt++;
		}
		struct tacit_asr_segment seg = {
			.start_ms = asr_unpack_ms(r->pieces, r->n_pieces, whisper_full_get_segment_t0(ctx, i) * 10, false) + r->offset_ms,
			.end_ms = asr_unpack_ms(r->pieces, r->n_pieces, whisper_full_get_segment_t1(ctx, i) * 10, true) + r->offset_ms,
			.speaker = r->speaker,
			.turn_next = whisper_full_get_segment_speaker_turn_next(ctx, i),
			.final = true,
			.confidence = nt ? (float)(psum / nt) : 0.0f,
			.text = r->text.data,
		};
		/* A weak model can place its last timestamp past the audio: clamp. */
		if (seg.end_ms > r->offset_ms + r->len_ms)
			seg.end_ms = r->offset_ms + r->len_ms;
		if (seg.start_ms > seg.end_ms)
			seg.start_ms = seg.end_ms;
		if (r->fn && !r->fn(&seg, r->user))
			r->stopped = true;
	}
}

enum tacit_status asr_engine_transcribe(struct asr_engine *asr, const float *pcm, size_t n, int64_t offset_ms,
				       int speaker, bool quick, bool (*stop)(void *), void *stop_user,
				       tacit_asr_segment_fn fn, void *user)
{
	struct run r = { .asr = asr, .stop = stop, .stop_user = stop_user, .fn = fn, .user = user,
			 .offset_ms = offset_ms, .speaker = speaker };
	enum tacit_status st = TACIT_OK;
	float *packed = NULL;
	size_t n_packed = 0;
	struct asr_piece *pieces = NULL;

	if (!asr || (!pcm && n))
		return tacit_fail(TACIT_ERR_USAGE, "no engine or no audio");
	asr->last_lang[0] = '\0';
	if (cancelled(&r))
		return tacit_fail(TACIT_ERR_CANCELLED, "transcription cancelled");
	if (n < ASR_MIN_SAMPLES)
		return TACIT_OK; /* too short to hold a word */
	if (n > (size_t)INT32_MAX)
		return tacit_fail(TACIT_ERR_UNSUPPORTED, "audio too long for one pass: split it");
	r.len_ms = (int64_t)(n / SAMPLES_PER_MS);
	if (asr->vad) {
		/* One Silero pass decides what whisper hears: nothing when there is no speech
		 * (nothing to decode, nothing invented), else only the speech, packed. (Not
		 * whisper_full's own VAD: it would run Silero a second time, on 4 threads.) */
		struct tacit_span *spans = NULL;
		size_t n_spans = 0;
		st = vad_engine_detect(asr->vad, pcm, n, &spans, &n_spans);
		if (st == TACIT_OK && n_spans > 0)
			st = asr_pack_speech(pcm, n, spans, n_spans, &packed, &n_packed, &pieces, &r.n_pieces);
		free(spans);
		if (st != TACIT_OK || n_packed < ASR_MIN_SAMPLES)
			goto out; /* silence or noise: nothing to decode, nothing invented */
		tacit_log(TACIT_LOG_DEBUG, "VAD: %zu speech regions, %.1f s of %.1f s", r.n_pieces,
			  (double)n_packed / TACIT_AUDIO_RATE, (double)n / TACIT_AUDIO_RATE);
		r.pieces = pieces;
		pcm = packed;
		n = n_packed;
	}

	struct whisper_full_params wp = whisper_full_default_params(WHISPER_SAMPLING_GREEDY);
	wp.n_threads = asr->p.n_threads;
	/* No text context at all: no_context only forgets earlier calls, while
	 * n_max_text_ctx > 0 would feed each 30 s window the text of the windows before it
	 * as a prompt (hundreds of tokens through the decoder per window, and the way a
	 * repeated-token loop carries from one window into the next). whisper-cli -mc 0. */
	wp.no_context = true;
	wp.n_max_text_ctx = 0;
	wp.suppress_blank = true;
	wp.suppress_nst = true;
	wp.print_special = wp.print_progress = wp.print_realtime = wp.print_timestamps = false;
	wp.language = asr->language ? asr->language : "auto";
	wp.detect_language = false;
	wp.translate = asr->p.translate;
	wp.tdrz_enable = asr->p.speaker_turns;
	wp.logprob_thold = asr->p.logprob_thold;
	wp.no_speech_thold = asr->p.no_speech_thold;
	wp.entropy_thold = asr->p.entropy_thold;
	if (!asr->p.temperature_fallback) {
		/* no retries at higher temperature: the extra decoders that best_of keeps for
		 * them would only be allocated and never run */
		wp.temperature_inc = 0.0f;
		wp.greedy.best_of = 1;
	}
	wp.new_segment_callback = on_segments;
	wp.new_segment_callback_user_data = &r;
	wp.abort_callback = on_abort;
	wp.abort_callback_user_data = &r;
	if (asr->bench_tokens) {
		wp.no_timestamps = true; /* one segment per window, and each window a full 30 s */
		wp.logits_filter_callback = bench_tokens_filter;
		wp.logits_filter_callback_user_data = &r;
	}
	if (!whisper_is_multilingual(asr->ctx)) {
		wp.language = "en";
		wp.translate = false;
	}
	int64_t heard_ms = (int64_t)(n / SAMPLES_PER_MS);
	if (quick && heard_ms < 28000)
		wp.audio_ctx = (int)(heard_ms / 20) + 64; /* encoder frames are 20 ms; a margin */
	buf_init(&r.text);
	bool timings = tacit_log_enabled(TACIT_LOG_DEBUG);
	if (timings)
		whisper_reset_timings(asr->ctx);
	int rc = whisper_full(asr->ctx, wp, pcm, (int)n);
	if (timings)
		whisper_print_timings(asr->ctx); /* whisper-cli's counts, to compare like with like */
	if (r.stopped || cancelled(&r))
		st = tacit_fail(TACIT_ERR_CANCELLED, "transcription cancelled");
	else if (rc != 0)
		st = tacit_fail(TACIT_ERR_ASR, "whisper failed to transcribe (error %d)", rc);
	if (st == TACIT_OK) {
		/* the language it decoded in: the one given, or the one it detected */
		int lang = whisper_full_lang_id(asr->ctx);
		const char *code = lang >= 0 ? whisper_lang_str(lang) : NULL;
		if (code && strlen(code) < sizeof(asr->last_lang))
			snprintf(asr->last_lang, sizeof(asr->last_lang), "%s", code);
	}
	buf_release(&r.text);
out:
	free(packed);
	free(pieces);
	return st;
}
