/*
 * speech_fit.c — the speech scorer: an estimate of a whisper model's real-time factor on
 * this machine from the model's shape (the multiply-adds one 30 s window costs) and one
 * measured anchor, and the verdict the picker shows. Pure arithmetic on plain structs,
 * like fit.c; every constant is in the block below and docs/fit.md explains it.
 */
#include "internal.h"

/* ---- constants ------------------------------------------------------------------------
 *
 * ANCHOR_RTF, ANCHOR_*    The measured basis: bench/asr.sh decodes 60 s of read speech
 *                         with the tiny.en shape (4 + 4 layers, width 384) in 3.19 s on
 *                         2 threads of an idle 2-core AMD EPYC (no VAD): 0.053 s of work
 *                         per second of speech. Every other model is scaled from it by
 *                         its work per window (window_flops()) and by the cores the
 *                         machine has: whisper.cpp's encoder is compute-bound and splits
 *                         its matrix products over the threads.
 * WINDOW_FRAMES           Encoder positions in a 30 s window (whisper's fixed input).
 * TOKENS_PER_WINDOW       Tokens the decoder writes per 30 s of speech: about 75 words
 *                         at 150 words a minute, 1.3 tokens a word.
 * LIVE_RTF                A live meeting keeps up when whisper needs at most half of
 *                         real time: the other half is the margin for the language model
 *                         (paused while whisper decodes, but its work must fit in the
 *                         gaps) and for bursts of speech.
 * RECORDINGS_RTF          Beyond this an hour of recording takes more than two hours to
 *                         transcribe: "too slow".
 * GPU_SPEEDUP             On a machine with a GPU whisper.cpp runs the encoder there.
 *                         Not measured here (no GPU): a conservative 8x over the CPU
 *                         estimate, so a GPU never turns "too slow" into "keeps up"
 *                         by a wide guess.
 * OVERHEAD_BYTES, RAM_FRACTION  As models.c's default picker: whisper's compute buffers
 *                         and the rest of the pipeline beside the file, within 80% of
 *                         the RAM available.
 */
static const double ANCHOR_RTF = 3.19 / 60.0;
static const int ANCHOR_CORES = 2;
static const struct tacit_speech_shape ANCHOR_SHAPE = {
	.n_audio_layer = 4, .n_text_layer = 4, .n_audio_state = 384, .n_text_state = 384, .n_mels = 80,
	.n_vocab = 51864, .multilingual = false,
};
static const double WINDOW_FRAMES = 1500.0;
static const double TOKENS_PER_WINDOW = 100.0;
static const double LIVE_RTF = 0.5;
static const double RECORDINGS_RTF = 2.0;
static const double GPU_SPEEDUP = 8.0;
static const uint64_t OVERHEAD_BYTES = 512ull << 20;
static const double RAM_FRACTION = 0.8;

const char *tacit_speech_verdict_str(enum tacit_speech_verdict verdict)
{
	switch (verdict) {
	case TACIT_SPEECH_LIVE:
		return "keeps up live";
	case TACIT_SPEECH_RECORDINGS:
		return "recordings only";
	case TACIT_SPEECH_TOO_SLOW:
		return "too slow";
	}
	return "unknown";
}

/* Floating-point operations of one 30 s window: the encoder's blocks over 1500 positions
 * (12 d^2 weights per position in attention and MLP, attention scores 2 x 1500 x d), the
 * decoder's blocks per written token (16 d^2 with cross-attention, cross-attention over
 * the 1500 encoder positions) and its output head over the vocabulary. 2 FLOPs per
 * multiply-add. */
static double window_flops(const struct tacit_speech_shape *s)
{
	double da = s->n_audio_state, dt = s->n_text_state;
	double enc = s->n_audio_layer * WINDOW_FRAMES * 2.0 * (12.0 * da * da + 2.0 * WINDOW_FRAMES * da);
	double dec = TOKENS_PER_WINDOW *
		     (s->n_text_layer * 2.0 * (16.0 * dt * dt + 2.0 * WINDOW_FRAMES * dt) + 2.0 * s->n_vocab * dt);
	return enc + dec;
}

static bool has_gpu(const struct tacit_system *sys)
{
	for (int i = 0; i < sys->n_devices && i < TACIT_MAX_DEVICES; i++)
		if (sys->devices[i].type == TACIT_DEVICE_GPU || sys->devices[i].type == TACIT_DEVICE_IGPU)
			return true;
	return false;
}

enum tacit_status tacit_speech_score(const struct tacit_system *sys, const struct tacit_model_info *m,
				     struct tacit_speech_fit *out)
{
	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_speech_score: out is NULL");
	memset(out, 0, sizeof(*out));
	out->verdict = TACIT_SPEECH_TOO_SLOW;
	if (!sys || !m || m->kind != TACIT_MODEL_ASR)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_speech_score: sys or m is NULL, or not a speech model");
	if (m->speech.n_audio_layer < 1 || m->speech.n_text_layer < 1)
		return tacit_fail(TACIT_ERR_USAGE, "speech model '%s' has no shape in the catalog: its speed is unknown",
				  m->id);
	int cores = sys->n_cores_usable > 0 ? sys->n_cores_usable : 1;
	if (sys->n_cores_physical > 0 && sys->n_cores_physical < cores)
		cores = sys->n_cores_physical;
	out->english_only = !m->speech.multilingual;
	out->est_rtf = ANCHOR_RTF * window_flops(&m->speech) / window_flops(&ANCHOR_SHAPE) * ANCHOR_CORES / cores;
	if (has_gpu(sys))
		out->est_rtf /= GPU_SPEEDUP;
	out->mem_needed = m->file_bytes + OVERHEAD_BYTES;
	if (sys->ram_available && (double)out->mem_needed > RAM_FRACTION * (double)sys->ram_available) {
		snprintf(out->reason, sizeof(out->reason), "needs %.1f GiB, more than 80%% of the %.1f GiB of RAM available",
			 (double)out->mem_needed / (1 << 30), (double)sys->ram_available / (1 << 30));
		return TACIT_OK;
	}
	if (out->est_rtf <= LIVE_RTF)
		out->verdict = TACIT_SPEECH_LIVE;
	else if (out->est_rtf <= RECORDINGS_RTF)
		out->verdict = TACIT_SPEECH_RECORDINGS;
	snprintf(out->reason, sizeof(out->reason), "about %.2f s of work per second of speech on %d core%s%s", out->est_rtf,
		 cores, cores == 1 ? "" : "s", has_gpu(sys) ? " and the GPU" : "");
	return TACIT_OK;
}

/* Quality order among speech models: more work per window, then the larger file (less
 * quantization). */
static bool speech_better(const struct tacit_model_info *a, const struct tacit_model_info *b)
{
	double fa = window_flops(&a->speech), fb = window_flops(&b->speech);
	if (fa != fb)
		return fa > fb;
	return a->file_bytes > b->file_bytes;
}

const struct tacit_model_info *tacit_models_recommend(const struct tacit_system *sys, const struct tacit_catalog *cat,
						       enum tacit_model_kind kind)
{
	const struct tacit_model_info *best = NULL, *fastest = NULL;
	struct tacit_speech_fit sf, fastest_fit;
	size_t n = cat ? tacit_catalog_count(cat) : 0;

	if (!sys || !cat)
		return NULL;
	if (kind == TACIT_MODEL_LLM) {
		struct tacit_fit *fits = calloc(n ? n : 1, sizeof(*fits));
		if (!fits)
			return NULL;
		struct errsave e; /* a recommendation is a hint: it leaves the last error alone */
		errsave_push(&e);
		enum tacit_status st = tacit_fit_score_all(sys, cat, NULL, fits);
		errsave_pop(&e, TACIT_OK);
		for (size_t i = 0; (st == TACIT_OK || st == TACIT_ERR_NO_FIT) && i < n; i++) {
			const struct tacit_model_info *m = tacit_catalog_get(cat, i);
			if (m->kind != TACIT_MODEL_LLM || m->archived || !fits[i].listed)
				continue;
			if (fits[i].recommended) {
				best = m;
				break;
			}
			if (!fastest || fits[i].mem_needed < fastest_fit.mem_needed) {
				fastest = m;
				fastest_fit.mem_needed = fits[i].mem_needed;
			}
		}
		free(fits);
		return best ? best : fastest;
	}
	for (size_t i = 0; i < n; i++) {
		const struct tacit_model_info *m = tacit_catalog_get(cat, i);
		if (m->kind != kind || m->archived)
			continue;
		if (kind != TACIT_MODEL_ASR) /* a small model every machine runs: the first */
			return m;
		struct errsave e;
		errsave_push(&e);
		enum tacit_status st = tacit_speech_score(sys, m, &sf);
		errsave_pop(&e, TACIT_OK);
		if (st != TACIT_OK)
			continue;
		if (sf.verdict == TACIT_SPEECH_LIVE && (!best || speech_better(m, best)))
			best = m;
		if (!fastest || sf.est_rtf < fastest_fit.est_rtf) {
			fastest = m;
			fastest_fit = sf;
		}
	}
	return best ? best : fastest;
}
