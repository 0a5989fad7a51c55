/*
 * asr.c — transcription's shared pieces on the caller's side: default parameters,
 * speaker names, the repeated-token-loop filter, and speech packing (whisper hears only
 * the speech regions, packed one after another; times are mapped back). The whisper.cpp
 * engine itself runs in tacit-worker (worker/asr_engine.c), and so does the Silero VAD
 * (worker/vad_engine.c; vad.c is its client).
 */
#include "internal.h"

#include "asr.h"

#include <ctype.h>

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

/* "Speaker 1" ... "Speaker 64": static strings for diarized speakers */
#define SPK10(t) "Speaker " #t "0", "Speaker " #t "1", "Speaker " #t "2", "Speaker " #t "3", "Speaker " #t "4", \
		 "Speaker " #t "5", "Speaker " #t "6", "Speaker " #t "7", "Speaker " #t "8", "Speaker " #t "9"
static const char *const diarized[64] = {
	"Speaker 1", "Speaker 2", "Speaker 3", "Speaker 4", "Speaker 5", "Speaker 6", "Speaker 7", "Speaker 8",
	"Speaker 9", SPK10(1), SPK10(2), SPK10(3), SPK10(4), SPK10(5), "Speaker 60", "Speaker 61", "Speaker 62",
	"Speaker 63", "Speaker 64",
};

const char *tacit_speaker_name(int speaker)
{
	if (speaker >= TACIT_SPEAKER_DIARIZED && speaker < TACIT_SPEAKER_DIARIZED + 64)
		return diarized[speaker - TACIT_SPEAKER_DIARIZED];
	switch (speaker) {
	case TACIT_SPEAKER_ME:
		return "Me";
	case TACIT_SPEAKER_THEM:
		return "Them";
	default:
		return "";
	}
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
