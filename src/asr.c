/*
 * asr.c — the whisper.cpp adapter: 16 kHz PCM in, timestamped segments out, through a
 * callback, with a stop callback. No process or I/O assumptions: tacit-worker hosts the
 * engine (worker/asr.c), and the parent keeps only the small Silero VAD (asr_vad_*) that
 * the live stream consults every half second. Silence is never decoded: one Silero VAD
 * pass (one thread) finds the speech, and whisper decodes only that, packed (times are
 * mapped back); segments that are empty, pure annotations ("[BLANK_AUDIO]") or
 * repeated-token loops are dropped.
 */
#include "internal.h"

#include "asr.h"
#include "deplog.h"
#include "probe.h"
#include "utf8.h"

#include <ctype.h>
#include <math.h>

#include <whisper.h>

#define ASR_MIN_SAMPLES (TACIT_AUDIO_RATE / 10)

struct asr_engine {
	struct whisper_context *ctx;
	struct whisper_vad_context *vad;
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

struct tacit_vad_params tacit_vad_default_params(void)
{
	return (struct tacit_vad_params){
		.threshold = 0.5f, .min_speech_ms = 250, .min_silence_ms = 300, .pad_ms = 30, .n_threads = 0
	};
}

struct tacit_asr_params tacit_asr_default_params(void)
{
	return (struct tacit_asr_params){
		.model_path = NULL,
		.vad_model_path = NULL,
		.language = NULL,
		.translate = false,
		.speaker_turns = false,
		.n_threads = 0,
		.use_gpu = false,
		.logprob_thold = -1.0f,
		.no_speech_thold = 0.6f,
		.entropy_thold = 2.4f,
		.temperature_fallback = true,
		.vad = tacit_vad_default_params(),
	};
}

const char *tacit_speaker_name(int speaker)
{
	switch (speaker) {
	case TACIT_SPEAKER_ME:
		return "Me";
	case TACIT_SPEAKER_THEM:
		return "Them";
	default:
		return "";
	}
}

static struct whisper_vad_params vad_params(const struct tacit_vad_params *v)
{
	struct whisper_vad_params w = whisper_vad_default_params();
	w.threshold = v->threshold;
	w.min_speech_duration_ms = v->min_speech_ms;
	w.min_silence_duration_ms = v->min_silence_ms;
	w.speech_pad_ms = v->pad_ms;
	return w;
}

static enum tacit_status vad_open(const char *path, int n_threads, struct whisper_vad_context **out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return tacit_fail(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO, "cannot open VAD model '%s': %s",
				  path, strerror(errno));
	fclose(f);
	devices_load();
	struct whisper_vad_context_params cp = whisper_vad_default_context_params();
	/* One thread: Silero's graph is a few thousand operations per 32 ms window, and
	 * handing each window to a second thread costs more than the window itself (300 s of
	 * audio: 0.7 s on one thread; seconds on two, far worse on a busy machine). */
	cp.n_threads = n_threads > 0 ? n_threads : 1;
	cp.use_gpu = false;
	*out = whisper_vad_init_from_file_with_params(path, cp);
	if (!*out)
		return tacit_fail(TACIT_ERR_MODEL, "cannot load VAD model '%s': not a whisper.cpp Silero VAD model", path);
	return TACIT_OK;
}

static enum tacit_status vad_run(struct whisper_vad_context *vctx, const struct tacit_vad_params *v, const float *pcm,
				 size_t n, struct tacit_span **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (n < 512)
		return TACIT_OK; /* shorter than one Silero window: no speech to find */
	if (n > (size_t)INT32_MAX)
		return tacit_fail(TACIT_ERR_UNSUPPORTED, "audio too long for one VAD pass");
	struct whisper_vad_segments *segs = whisper_vad_segments_from_samples(vctx, vad_params(v), pcm, (int)n);
	if (!segs)
		return tacit_fail(TACIT_ERR_ASR, "voice activity detection failed");
	int k = whisper_vad_segments_n_segments(segs);
	enum tacit_status st = TACIT_OK;
	if (k > 0) {
		*out = calloc((size_t)k, sizeof(**out));
		if (!*out) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		} else {
			for (int i = 0; i < k; i++) {
				(*out)[i].start_ms = (int64_t)(whisper_vad_segments_get_segment_t0(segs, i) * 10.0f + 0.5f);
				(*out)[i].end_ms = (int64_t)(whisper_vad_segments_get_segment_t1(segs, i) * 10.0f + 0.5f);
			}
			*n_out = (size_t)k;
		}
	}
	whisper_vad_free_segments(segs);
	return st;
}

enum tacit_status tacit_vad_detect(const char *model_path, const struct tacit_vad_params *params, const float *pcm,
				   size_t n, struct tacit_span **out_spans, size_t *n_out)
{
	struct tacit_vad_params v = params ? *params : tacit_vad_default_params();
	struct whisper_vad_context *vctx = NULL;
	*out_spans = NULL;
	*n_out = 0;
	if (!model_path)
		return tacit_fail(TACIT_ERR_USAGE, "no VAD model given");
	enum tacit_status st = vad_open(model_path, v.n_threads, &vctx);
	if (st == TACIT_OK)
		st = vad_run(vctx, &v, pcm, n, out_spans, n_out);
	whisper_vad_free(vctx);
	return st;
}

/* ---- the repeated-token-loop filter ---------------------------------------------- */

#define LOOP_MAX_WORDS 512

static size_t split_words(const char *text, const char *starts[], size_t lens[], size_t max)
{
	size_t n = 0;
	const char *p = text;
	while (*p && n < max) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		starts[n] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		lens[n] = (size_t)(p - starts[n]);
		n++;
	}
	return n;
}

static bool word_eq(const char *a, size_t la, const char *b, size_t lb)
{
	/* Case and trailing punctuation do not make a repeat different: "Thank you." == "thank you," */
	while (la && ispunct((unsigned char)a[la - 1]))
		la--;
	while (lb && ispunct((unsigned char)b[lb - 1]))
		lb--;
	if (la != lb)
		return false;
	for (size_t i = 0; i < la; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return false;
	return true;
}

bool tacit_text_is_loop(const char *text)
{
	static _Thread_local const char *w[LOOP_MAX_WORDS];
	static _Thread_local size_t l[LOOP_MAX_WORDS];
	if (!text)
		return false;
	size_t n = split_words(text, w, l, LOOP_MAX_WORDS);
	for (size_t k = 1; k <= 8 && k * 3 <= n; k++) {
		for (size_t s = 0; s + k <= n; s++) {
			size_t reps = 1, at = s + k;
			while (at + k <= n) {
				bool same = true;
				for (size_t j = 0; j < k && same; j++)
					same = word_eq(w[s + j], l[s + j], w[at + j], l[at + j]);
				if (!same)
					break;
				reps++;
				at += k;
			}
			if (reps >= 4 || (reps >= 3 && reps * k * 2 > n))
				return true;
		}
	}
	/* One long "word" made of a repeated run ("ahahahahahah", "FightingFightingFighting"). */
	for (size_t i = 0; i < n; i++) {
		if (l[i] < 24)
			continue;
		for (size_t per = 1; per <= 16 && per * 3 <= l[i]; per++) {
			size_t same = 0;
			for (size_t j = per; j < l[i]; j++)
				same += w[i][j] == w[i][j - per];
			if (same * 10 >= (l[i] - per) * 9)
				return true;
		}
	}
	return false;
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
		return tacit_fail(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO, "cannot open whisper model '%s': %s",
				  path, strerror(errno));
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
		if ((st = vad_open(a->vad_path, a->p.vad.n_threads, &a->vad)) != TACIT_OK)
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
	if (asr->vad)
		whisper_vad_free(asr->vad);
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

/* ---- speech packing ----------------------------------------------------------------- */

#define SAMPLES_PER_MS (TACIT_AUDIO_RATE / 1000)

/* A span's time as a sample index into audio of n samples. */
static size_t span_sample(int64_t ms, size_t n)
{
	size_t at = ms > 0 ? (size_t)ms * SAMPLES_PER_MS : 0;
	return at < n ? at : n;
}

enum tacit_status asr_pack_speech(const float *pcm, size_t n, const struct tacit_span *spans, size_t n_spans,
				     float **out, size_t *n_out, struct asr_piece **pieces, size_t *n_pieces)
{
	const size_t gap = (size_t)ASR_PACK_GAP_MS * SAMPLES_PER_MS;
	size_t total = 0, k = 0, pos = 0;
	struct asr_piece *pc = calloc(n_spans ? n_spans : 1, sizeof(*pc));
	float *buf = NULL;

	*out = NULL;
	*pieces = NULL;
	*n_out = *n_pieces = 0;
	if (!pc)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n_spans; i++) {
		size_t a = span_sample(spans[i].start_ms, n), b = span_sample(spans[i].end_ms, n);
		if (b > a)
			total += (total ? gap : 0) + (b - a);
	}
	if (total && !(buf = malloc(total * sizeof(float)))) {
		free(pc);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < n_spans; i++) {
		size_t a = span_sample(spans[i].start_ms, n), b = span_sample(spans[i].end_ms, n);
		if (b <= a)
			continue;
		if (k) {
			memset(buf + pos, 0, gap * sizeof(float));
			pos += gap;
		}
		memcpy(buf + pos, pcm + a, (b - a) * sizeof(float));
		pc[k++] = (struct asr_piece){ .at = (int64_t)(pos / SAMPLES_PER_MS),
					  .orig = (int64_t)(a / SAMPLES_PER_MS),
					  .len = (int64_t)((b - a) / SAMPLES_PER_MS) };
		pos += b - a;
	}
	*out = buf;
	*n_out = total;
	*pieces = pc;
	*n_pieces = k;
	return TACIT_OK;
}

int64_t asr_unpack_ms(const struct asr_piece *pieces, size_t n_pieces, int64_t t, bool end)
{
	if (!pieces || n_pieces == 0)
		return t;
	size_t lo = 0, hi = n_pieces; /* the last piece that starts at or before t */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (pieces[mid].at <= t)
			lo = mid;
		else
			hi = mid;
	}
	const struct asr_piece *p = &pieces[lo];
	if (t < p->at)
		return p->orig;
	if (t <= p->at + p->len)
		return p->orig + (t - p->at);
	if (end || lo + 1 == n_pieces)
		return p->orig + p->len;
	return pieces[lo + 1].orig;
}

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
		st = vad_run(asr->vad, &asr->p.vad, pcm, n, &spans, &n_spans);
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

/* ---- the parent's VAD ---------------------------------------------------------------- */

struct asr_vad {
	struct whisper_vad_context *ctx;
	struct tacit_vad_params p;
};

enum tacit_status asr_vad_open(const char *path, const struct tacit_vad_params *params, struct asr_vad **out)
{
	struct asr_vad *v = calloc(1, sizeof(*v));
	*out = NULL;
	if (!v)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	v->p = params ? *params : tacit_vad_default_params();
	enum tacit_status st = vad_open(path, v->p.n_threads, &v->ctx);
	if (st != TACIT_OK) {
		free(v);
		return st;
	}
	*out = v;
	return TACIT_OK;
}

void asr_vad_free(struct asr_vad *v)
{
	if (!v)
		return;
	whisper_vad_free(v->ctx);
	free(v);
}

enum tacit_status asr_vad_detect(struct asr_vad *v, const float *pcm, size_t n, struct tacit_span **out,
				 size_t *n_out)
{
	return vad_run(v->ctx, &v->p, pcm, n, out, n_out);
}
