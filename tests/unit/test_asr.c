/*
 * test_asr.c — transcription: the repeated-token-loop filter, every output format
 * against exact text, media decoding of fixtures made at test time by ffmpeg/sox
 * (every common container, bad input), the real Silero VAD on the real AMI clip
 * against its reference turns, silence and noise giving no segments, and the whisper
 * pipeline on a random-weight tiny.en model built by tools/synth-whisper.
 */
#include "internal.h"

#include "asr.h"

#include <ctype.h>
#include <math.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"

/* ---- helpers --------------------------------------------------------------------- */

static bool sh(const char *fmt, ...) TACIT_PRINTF(1, 2);
static bool sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

static bool have_tool(const char *name)
{
	return sh("command -v %s >/dev/null 2>&1", name);
}

static const char *shared_file(const char *rel)
{
	static char paths[4][4096]; /* callers hold up to four at once */
	static unsigned next;
	char *path = paths[next++ % 4];
	const char *d = test_shared_dir();
	if (!d)
		return NULL;
	snprintf(path, sizeof(paths[0]), "%s/%s", d, rel);
	return access(path, R_OK) == 0 ? path : NULL;
}

/* build/models/ggml-tiny.en-random.bin, built on first use from the real vocabulary. */
static const char *random_tiny(void)
{
	static char path[4096];
	const char *vocab = shared_file("models/whisper-vocab-tiny.en.bin");
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	if (!vocab)
		return NULL;
	snprintf(path, sizeof(path), "%s/models/ggml-tiny.en-random.bin", build);
	if (access(path, R_OK) == 0)
		return path;
	if (!sh("mkdir -p %s/models && %s/tools/synth-whisper %s %s.tmp && mv %s.tmp %s", build, build, vocab, path, path,
		path))
		return NULL;
	return path;
}

static struct tacit_asr_segment seg(int64_t a, int64_t b, int speaker, const char *text)
{
	return (struct tacit_asr_segment){ .start_ms = a, .end_ms = b, .speaker = speaker, .final = true,
				       .confidence = 0.5f, .text = text };
}

/* ---- the loop filter --------------------------------------------------------------- */

TEST(asr_loop_filter)
{
	CHECK(tacit_text_is_loop("the the the the the"));
	CHECK(tacit_text_is_loop("Thank you. Thank you. Thank you. Thank you."));
	CHECK(tacit_text_is_loop("so I think so I think so I think so I think we should"));
	CHECK(tacit_text_is_loop("FightingFightingFightingFightingFightingFighting"));
	CHECK(tacit_text_is_loop("ahahahahahahahahahahahahahahahah"));
	CHECK(!tacit_text_is_loop("And so my fellow Americans, ask not what your country can do for you"));
	CHECK(!tacit_text_is_loop("no, no, I said the budget is fine"));
	CHECK(!tacit_text_is_loop(""));
	CHECK(!tacit_text_is_loop("Supercalifragilisticexpialidocious"));
}

/* ---- formats ----------------------------------------------------------------------- */

static struct tacit_segments sample(void)
{
	struct tacit_segments t;
	tacit_segments_init(&t);
	/* Added out of order: the transcript sorts by start. */
	struct tacit_asr_segment b = seg(3000, 4250, TACIT_SPEAKER_THEM, "Hi, how are you?");
	struct tacit_asr_segment a = seg(1500, 2999, TACIT_SPEAKER_ME, "Hello \"there\".");
	struct tacit_asr_segment c = seg(3723004, 3725000, TACIT_SPEAKER_THEM, "Fine.");
	CHECK_EQ_INT(tacit_segments_add(&t, &b), TACIT_OK);
	CHECK_EQ_INT(tacit_segments_add(&t, &a), TACIT_OK);
	CHECK_EQ_INT(tacit_segments_add(&t, &c), TACIT_OK);
	return t;
}

static void check_render(const struct tacit_segments *t, enum tacit_format f, const char *want)
{
	char *got = NULL;
	CHECK_EQ_INT(tacit_segments_render(t, f, &got), TACIT_OK);
	CHECK_STR(got, want);
	tacit_free(got);
}

TEST(transcript_formats_exact)
{
	struct tacit_segments t = sample();
	CHECK_EQ_INT(t.n_segments, 3);
	check_render(&t, TACIT_FORMAT_TXT,
		     "[00:00:01.500 --> 00:00:02.999] Me: Hello \"there\".\n"
		     "[00:00:03.000 --> 00:00:04.250] Them: Hi, how are you?\n"
		     "[01:02:03.004 --> 01:02:05.000] Them: Fine.\n");
	check_render(&t, TACIT_FORMAT_SRT,
		     "1\n00:00:01,500 --> 00:00:02,999\nMe: Hello \"there\".\n\n"
		     "2\n00:00:03,000 --> 00:00:04,250\nThem: Hi, how are you?\n\n"
		     "3\n01:02:03,004 --> 01:02:05,000\nThem: Fine.\n\n");
	check_render(&t, TACIT_FORMAT_VTT,
		     "WEBVTT\n\n00:00:01.500 --> 00:00:02.999\n<v Me>Hello \"there\".\n\n"
		     "00:00:03.000 --> 00:00:04.250\n<v Them>Hi, how are you?\n\n"
		     "01:02:03.004 --> 01:02:05.000\n<v Them>Fine.\n\n");
	check_render(&t, TACIT_FORMAT_MD,
		     "# Transcript\n\n**Me** [00:01]\nHello \"there\".\n\n**Them** [00:03]\nHi, how are you?\nFine.\n");
	char *json = NULL;
	CHECK_EQ_INT(tacit_segments_render(&t, TACIT_FORMAT_JSON, &json), TACIT_OK);
	CHECK(json && strstr(json, "\"start\": 1.5"));
	CHECK(json && strstr(json, "\"speaker\": \"Them\""));
	CHECK(json && strstr(json, "\"text\": \"Hello \\\"there\\\".\""));
	CHECK(json && !strstr(json, "\"language\"")); /* unknown: not claimed */
	tacit_free(json);
	snprintf(t.language, sizeof(t.language), "de");
	CHECK_EQ_INT(tacit_segments_render(&t, TACIT_FORMAT_JSON, &json), TACIT_OK);
	CHECK(json && strstr(json, "\"language\": \"de\""));
	tacit_free(json);
	tacit_segments_release(&t);

	enum tacit_format f;
	CHECK(tacit_format_parse("vtt", &f) == TACIT_OK && f == TACIT_FORMAT_VTT);
	CHECK(tacit_format_parse("md", &f) == TACIT_OK && f == TACIT_FORMAT_MD);
	CHECK_EQ_INT(tacit_format_parse("docx", &f), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "unknown format 'docx'") != NULL);
}

TEST(transcript_turn_markers_and_live_json)
{
	struct tacit_segments t;
	tacit_segments_init(&t);
	struct tacit_asr_segment a = seg(0, 1000, TACIT_SPEAKER_UNKNOWN, "one");
	a.turn_next = true;
	struct tacit_asr_segment b = seg(1000, 2000, TACIT_SPEAKER_UNKNOWN, "two");
	tacit_segments_add(&t, &a);
	tacit_segments_add(&t, &b);
	check_render(&t, TACIT_FORMAT_TXT, "[00:00:00.000 --> 00:00:01.000] one\n--\n[00:00:01.000 --> 00:00:02.000] two\n");
	check_render(&t, TACIT_FORMAT_MD, "# Transcript\n\n**Speaker** [00:00]\none\n\n**Speaker** [00:01]\ntwo\n");
	tacit_segments_release(&t);

	struct tacit_asr_segment p = seg(250, 1750, TACIT_SPEAKER_ME, "partial words");
	p.final = false;
	char *line = tacit_asr_segment_json(&p);
	CHECK_STR(line, "{\"type\":\"partial\",\"start\":0.25,\"end\":1.75,\"speaker\":\"Me\",\"speaker_turn_next\":false,"
			"\"confidence\":0.5,\"text\":\"partial words\"}");
	tacit_free(line);
}

/* ---- media ------------------------------------------------------------------------- */

TEST(media_decodes_every_format)
{
	const char *jfk = shared_file("audio/jfk.wav");
	if (!jfk)
		SKIP("../shared/audio/jfk.wav absent");
	if (!have_tool("ffmpeg"))
		SKIP("ffmpeg not installed");
	const char *dir = test_tmpdir();
	static const struct {
		const char *name, *args;
	} fx[] = {
		{ "a.wav", "-ar 44100 -ac 2" },
		{ "a.mp3", "-c:a libmp3lame -b:a 64k" },
		{ "a.m4a", "-c:a aac -b:a 64k" },
		{ "a.ogg", "-c:a libopus -b:a 32k" },
		{ "a.flac", "-c:a flac" },
		{ "a.webm", "-c:a libopus -b:a 32k" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(fx); i++) {
		CHECK(sh("ffmpeg -v error -y -i %s %s %s/%s", jfk, fx[i].args, dir, fx[i].name));
	}
	/* A meeting recording: video plus audio, in mkv and mp4. */
	CHECK(sh("ffmpeg -v error -y -f lavfi -i color=c=blue:s=64x48:r=5 -i %s -shortest -c:v mpeg4 -c:a aac %s/v.mkv",
		 jfk, dir));
	CHECK(sh("ffmpeg -v error -y -f lavfi -i color=c=red:s=64x48:r=5 -i %s -shortest -c:v mpeg4 -c:a aac %s/v.mp4",
		 jfk, dir));
	const char *names[] = { "a.wav", "a.mp3", "a.m4a", "a.ogg", "a.flac", "a.webm", "v.mkv", "v.mp4" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[4096];
		struct tacit_audio a;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		enum tacit_status st = tacit_audio_load(path, NULL, &a);
		if (st != TACIT_OK)
			fprintf(stderr, "  %s: %s\n", names[i], tacit_errmsg());
		CHECK_EQ_INT(st, TACIT_OK);
		CHECK_EQ_INT(a.sample_rate, 16000);
		CHECK_EQ_INT(a.n_channels, 1);
		/* jfk.wav is 176000 samples (11.000 s); codecs pad a little. */
		double secs = (double)a.n_frames / 16000.0;
		if (fabs(secs - 11.0) > 0.05)
			fprintf(stderr, "  %s: %.3f s\n", names[i], secs);
		CHECK(fabs(secs - 11.0) <= 0.05);
		float peak = 0;
		for (size_t k = 0; k < a.n_frames; k++)
			peak = fmaxf(peak, fabsf(a.samples[k]));
		CHECK(peak > 0.1f && peak <= 1.01f);
		tacit_audio_release(&a);
	}
	/* Two channels kept when asked. */
	struct tacit_audio_params p = tacit_audio_default_params();
	p.channels = 2;
	struct tacit_audio a;
	char path[4096];
	snprintf(path, sizeof(path), "%s/a.wav", dir);
	CHECK_EQ_INT(tacit_audio_load(path, &p, &a), TACIT_OK);
	CHECK_EQ_INT(a.n_channels, 2);
	CHECK(fabs((double)a.n_frames / 16000.0 - 11.0) <= 0.05);
	tacit_audio_release(&a);
}

TEST(media_bad_input)
{
	const char *dir = test_tmpdir();
	struct tacit_audio a;
	char path[4096];

	CHECK_EQ_INT(tacit_audio_load("/nonexistent/x.mp3", NULL, &a), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "'/nonexistent/x.mp3'"));
	snprintf(path, sizeof(path), "%s", test_write_file(dir, "empty.wav", "", 0));
	CHECK_EQ_INT(tacit_audio_load(path, NULL, &a), TACIT_ERR_FORMAT);
	CHECK(strstr(tacit_errmsg(), "empty"));
	char garbage[4096];
	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (char)(i * 7919 % 251);
	snprintf(path, sizeof(path), "%s", test_write_file(dir, "garbage.mp3", garbage, sizeof(garbage)));
	enum tacit_status st = tacit_audio_load(path, NULL, &a);
	CHECK(st == TACIT_ERR_FORMAT || st == TACIT_ERR_UNSUPPORTED);
	CHECK(strstr(tacit_errmsg(), "garbage.mp3"));
	snprintf(path, sizeof(path), "%s", test_write_file(dir, "notes.txt", "hello, this is text\n", 20));
	st = tacit_audio_load(path, NULL, &a);
	CHECK(st == TACIT_ERR_FORMAT || st == TACIT_ERR_UNSUPPORTED);
	CHECK_EQ_INT(tacit_audio_load(dir, NULL, &a), TACIT_ERR_IO);
	CHECK_EQ_INT(tacit_audio_load_memory("", 0, "nothing", NULL, &a), TACIT_ERR_FORMAT);
	struct tacit_audio_params p = tacit_audio_default_params();
	p.channels = 3;
	CHECK_EQ_INT(tacit_audio_load(path, &p, &a), TACIT_ERR_USAGE);

	if (!have_tool("ffmpeg"))
		return;
	/* A video without sound. */
	snprintf(path, sizeof(path), "%s/silent-film.mkv", dir);
	CHECK(sh("ffmpeg -v error -y -f lavfi -i color=c=blue:s=64x48:r=5 -t 1 -c:v mpeg4 %s", path));
	CHECK_EQ_INT(tacit_audio_load(path, NULL, &a), TACIT_ERR_UNSUPPORTED);
	CHECK(strstr(tacit_errmsg(), "it has no sound track (only video or data)"));
	/* Truncated: the audio before the cut survives. */
	snprintf(path, sizeof(path), "%s/long.mp3", dir);
	CHECK(sh("ffmpeg -v error -y -f lavfi -i sine=f=440:d=4 -ar 16000 -c:a libmp3lame -f mp3 %s.full && head -c $(( $(stat -c %%s %s.full) * 4 / 10 )) %s.full >%s", path,
		 path, path, path));
	CHECK_EQ_INT(tacit_audio_load(path, NULL, &a), TACIT_OK);
	CHECK(a.n_frames > 16000 && a.n_frames < 4 * 16000);
	tacit_audio_release(&a);
	/* The length cap. */
	p = tacit_audio_default_params();
	p.max_seconds = 1.0;
	CHECK_EQ_INT(tacit_audio_load(path, &p, &a), TACIT_ERR_UNSUPPORTED);
	if (!strstr(tacit_errmsg(), "longer than"))
		fprintf(stderr, "  message: %s\n", tacit_errmsg());
	CHECK(strstr(tacit_errmsg(), "longer than"));
	/* From memory, as the fuzz target does. */
	snprintf(path, sizeof(path), "%s/s.flac", dir);
	CHECK(sh("ffmpeg -v error -y -f lavfi -i sine=f=300:d=0.5 -ar 8000 %s", path));
	FILE *f = fopen(path, "rb");
	static char data[1 << 16];
	size_t n = f ? fread(data, 1, sizeof(data), f) : 0;
	if (f)
		fclose(f);
	CHECK_EQ_INT(tacit_audio_load_memory(data, n, "s.flac", NULL, &a), TACIT_OK);
	CHECK(fabs((double)a.n_frames / 16000.0 - 0.5) <= 0.05);
	tacit_audio_release(&a);
}

/* ---- speech packing ------------------------------------------------------------------ */

/* Hostile recordings from an outside attack: each is read, or refused in a user's
 * words ("cannot resample: Invalid argument", "no decoder for its none audio" and
 * "no audio stream" for an MP4 without its index were the messages). */
TEST(media_hostile_files_say_why)
{
	const char *dir = test_tmpdir();
	static uint8_t b[44 + 64 * 2 * 800];
	struct tacit_audio a;
	char path[4096];

	/* 64 channels at 8 kHz have no named layout: mixed down, not refused */
	size_t n = test_wav_bytes(b, 1, 64, 8000, 64 * 2 * 800);
	snprintf(path, sizeof(path), "%s", test_write_file(dir, "64ch-8k.wav", b, n));
	enum tacit_status st = tacit_audio_load(path, NULL, &a);
	if (st != TACIT_OK)
		fprintf(stderr, "  64ch-8k.wav: %s\n", tacit_errmsg());
	CHECK_EQ_INT(st, TACIT_OK);
	if (st == TACIT_OK) {
		CHECK_EQ_INT(a.n_channels, 1);
		CHECK(a.n_frames >= 1500 && a.n_frames <= 1700); /* 0.1 s at 16 kHz */
		tacit_audio_release(&a);
	}
	/* an encoding nobody knows */
	n = test_wav_bytes(b, 0x1234, 1, 8000, 1600);
	snprintf(path, sizeof(path), "%s", test_write_file(dir, "tag.wav", b, n));
	CHECK_EQ_INT(tacit_audio_load(path, NULL, &a), TACIT_ERR_UNSUPPORTED);
	CHECK(strstr(tacit_errmsg(), "its sound is in an unknown encoding (format tag 0x1234)"));
	CHECK(!strstr(tacit_errmsg(), "none"));
	/* an MP4 cut before its index (moov) was written: ftyp, then media data only */
	static const uint8_t ftyp[28] = { 0, 0, 0, 28, 'f', 't', 'y', 'p', 'M', '4', 'A', ' ', 0, 0, 2, 0,
					  'M', '4', 'A', ' ', 'i', 's', 'o', 'm', 'i', 's', 'o', '2' };
	memcpy(b, ftyp, sizeof(ftyp));
	uint8_t mdat[8] = { 0, 0, 0x03, 0xe8, 'm', 'd', 'a', 't' }; /* 1000 bytes */
	memcpy(b + 28, mdat, 8);
	memset(b + 36, 0x21, 992);
	snprintf(path, sizeof(path), "%s", test_write_file(dir, "nomoov.m4a", b, 28 + 1000));
	CHECK_EQ_INT(tacit_audio_load(path, NULL, &a), TACIT_ERR_FORMAT);
	if (!strstr(tacit_errmsg(), "damaged or incomplete"))
		fprintf(stderr, "  nomoov.m4a: %s\n", tacit_errmsg());
	CHECK(strstr(tacit_errmsg(), "damaged or incomplete"));
}

TEST(asr_pack_speech_maps_times_back)
{
	/* 10 s of audio whose sample i holds i: the packed copy shows what was taken. */
	size_t n = 10 * 16000;
	float *pcm = malloc(n * sizeof(float));
	for (size_t i = 0; i < n; i++)
		pcm[i] = (float)i;
	/* Two regions, one empty, one running past the end: 1-2 s, 5-5 s, 7-12 s. */
	struct tacit_span spans[] = { { 1000, 2000 }, { 5000, 5000 }, { 7000, 12000 } };
	float *out = NULL;
	size_t n_out = 0, n_pieces = 0;
	struct asr_piece *pieces = NULL;
	CHECK_EQ_INT(asr_pack_speech(pcm, n, spans, 3, &out, &n_out, &pieces, &n_pieces), TACIT_OK);
	CHECK_EQ_INT((int)n_pieces, 2);
	/* 1 s + the gap + 3 s (clamped at 10 s) */
	CHECK_EQ_INT((int)n_out, (int)((1000 + ASR_PACK_GAP_MS + 3000) * 16));
	if (n_pieces == 2 && n_out == (1000 + ASR_PACK_GAP_MS + 3000) * 16) {
		CHECK(out[0] == 16000.0f && out[15999] == 31999.0f);
		CHECK(out[16000] == 0.0f && out[16000 + ASR_PACK_GAP_MS * 16 - 1] == 0.0f); /* the gap */
		CHECK(out[(1000 + ASR_PACK_GAP_MS) * 16] == 7.0f * 16000);
		CHECK(out[n_out - 1] == (float)(n - 1));
		CHECK_EQ_INT((int)pieces[0].at, 0);
		CHECK_EQ_INT((int)pieces[0].orig, 1000);
		CHECK_EQ_INT((int)pieces[1].at, 1000 + ASR_PACK_GAP_MS);
		CHECK_EQ_INT((int)pieces[1].orig, 7000);
		CHECK_EQ_INT((int)pieces[1].len, 3000);
	}
	/* Times inside a region move with it; in the gap, an end stays with the region
	 * before and a start goes to the next; past either end, the nearest edge. */
	CHECK_EQ_INT((int)asr_unpack_ms(pieces, n_pieces, 0, false), 1000);
	CHECK_EQ_INT((int)asr_unpack_ms(pieces, n_pieces, 500, true), 1500);
	CHECK_EQ_INT((int)asr_unpack_ms(pieces, n_pieces, 1050, true), 2000);
	CHECK_EQ_INT((int)asr_unpack_ms(pieces, n_pieces, 1050, false), 7000);
	CHECK_EQ_INT((int)asr_unpack_ms(pieces, n_pieces, 1000 + ASR_PACK_GAP_MS + 2500, false), 9500);
	CHECK_EQ_INT((int)asr_unpack_ms(pieces, n_pieces, 99999, true), 10000);
	CHECK_EQ_INT((int)asr_unpack_ms(pieces, n_pieces, -5, false), 1000);
	/* Without packing, times stay as they are. */
	CHECK_EQ_INT((int)asr_unpack_ms(NULL, 0, 1234, true), 1234);
	free(out);
	free(pieces);

	/* No region: nothing to decode. */
	CHECK_EQ_INT(asr_pack_speech(pcm, n, spans + 1, 1, &out, &n_out, &pieces, &n_pieces), TACIT_OK);
	CHECK_EQ_INT((int)n_out, 0);
	CHECK_EQ_INT((int)n_pieces, 0);
	free(out);
	free(pieces);
	free(pcm);
}

/* ---- the real Silero VAD ------------------------------------------------------------ */

struct ref_turn {
	double a, b;
};

/* Reads "start_seconds"/"end_seconds" pairs from the clip's JSON and merges overlaps. */
static size_t load_reference(const char *path, struct ref_turn *out, size_t max)
{
	struct buf b;
	buf_init(&b);
	size_t n = 0;
	if (!read_small_file(path, &b, 1 << 20))
		return 0;
	const char *p = b.data;
	while (n < max && (p = strstr(p, "\"start_seconds\":")) != NULL) {
		double a = atof(p + 16);
		const char *e = strstr(p, "\"end_seconds\":");
		if (!e)
			break;
		out[n].a = a;
		out[n].b = atof(e + 14);
		n++;
		p = e;
	}
	buf_release(&b);
	for (size_t i = 1; i < n; i++) /* insertion sort by start */
		for (size_t j = i; j > 0 && out[j].a < out[j - 1].a; j--) {
			struct ref_turn t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && out[i].a <= out[m - 1].b)
			out[m - 1].b = fmax(out[m - 1].b, out[i].b);
		else
			out[m++] = out[i];
	}
	return m;
}

TEST_MODEL(vad_real_silero_on_ami_meeting)
{
	const char *vad = shared_file("models/ggml-silero-v6.2.0.bin");
	const char *wav = shared_file("audio/ami-en2002b-4speakers-15s.wav");
	const char *ref = shared_file("audio/ami-en2002b-4speakers-15s.json");
	if (!vad || !wav || !ref)
		SKIP("../shared VAD model or AMI clip absent");
	char vad_path[4096];
	snprintf(vad_path, sizeof(vad_path), "%s", vad);
	struct ref_turn turns[64];
	size_t n_ref = load_reference(ref, turns, 64);
	CHECK(n_ref >= 2); /* 8 turns merge into 2 speech regions, 0.43-6.12 and 7.37-15.04 */

	struct tacit_audio a;
	CHECK_EQ_INT(tacit_audio_load(wav, NULL, &a), TACIT_OK);
	struct tacit_span *spans = NULL;
	size_t n = 0;
	CHECK_EQ_INT(tacit_vad_detect(vad_path, NULL, a.samples, a.n_frames, &spans, &n), TACIT_OK);
	CHECK(n >= 1);
	/* Tolerance: every detected region overlaps a reference region (widened by 0.5 s),
	 * and at least 80% of reference speech time is covered by detected regions. */
	double ref_total = 0, covered = 0;
	for (size_t i = 0; i < n; i++) {
		double s = (double)spans[i].start_ms / 1000.0, e = (double)spans[i].end_ms / 1000.0;
		bool hit = false;
		for (size_t j = 0; j < n_ref; j++)
			hit |= s < turns[j].b + 0.5 && e > turns[j].a - 0.5;
		CHECK(hit);
		CHECK(e > s);
	}
	for (size_t j = 0; j < n_ref; j++) {
		ref_total += turns[j].b - turns[j].a;
		for (size_t i = 0; i < n; i++) {
			double s = fmax((double)spans[i].start_ms / 1000.0, turns[j].a);
			double e = fmin((double)spans[i].end_ms / 1000.0, turns[j].b);
			if (e > s)
				covered += e - s;
		}
	}
	if (covered < 0.8 * ref_total)
		fprintf(stderr, "  VAD covers %.2f of %.2f s of reference speech\n", covered, ref_total);
	CHECK(covered >= 0.8 * ref_total);

	/* Audio longer than one request goes to the worker in pieces and Silero runs once
	 * over all of them: the clip placed across the boundary (at 230 s of 250 s) gives
	 * the same regions, moved by 230 s, none cut in two at 240 s. */
	size_t at = 230 * 16000, long_n = 250 * 16000;
	float *longer = calloc(long_n, sizeof(float));
	CHECK(longer && a.n_frames <= long_n - at);
	struct tacit_span *moved = NULL;
	size_t n_moved = 0;
	if (longer && a.n_frames <= long_n - at) {
		memcpy(longer + at, a.samples, a.n_frames * sizeof(float));
		CHECK_EQ_INT(tacit_vad_detect(vad_path, NULL, longer, long_n, &moved, &n_moved), TACIT_OK);
	}
	CHECK_EQ_INT(n_moved, n);
	for (size_t i = 0; i < n && i < n_moved; i++) {
		CHECK(llabs(moved[i].start_ms - 230000 - spans[i].start_ms) <= 100);
		CHECK(llabs(moved[i].end_ms - 230000 - spans[i].end_ms) <= 100);
	}
	tacit_free(moved);
	free(longer);
	tacit_free(spans);

	/* Silence and white noise: no speech at all. */
	size_t m = 5 * 16000;
	float *pcm = calloc(m, sizeof(float));
	CHECK_EQ_INT(tacit_vad_detect(vad_path, NULL, pcm, m, &spans, &n), TACIT_OK);
	CHECK_EQ_INT(n, 0);
	tacit_free(spans);
	uint32_t x = 12345;
	for (size_t i = 0; i < m; i++) {
		x = x * 1664525u + 1013904223u;
		pcm[i] = ((float)(x >> 8) / 16777216.0f - 0.5f) * 0.2f;
	}
	CHECK_EQ_INT(tacit_vad_detect(vad_path, NULL, pcm, m, &spans, &n), TACIT_OK);
	CHECK_EQ_INT(n, 0);
	tacit_free(spans);
	free(pcm);
	tacit_audio_release(&a);

	CHECK_EQ_INT(tacit_vad_detect("/nonexistent.bin", NULL, NULL, 0, &spans, &n), TACIT_ERR_NOT_FOUND);
}

/* ---- the whisper pipeline on a random-weight model ----------------------------------- */

struct collected {
	struct tacit_segments t;
	int n_calls;
	int stop_after;
};

static bool collect(const struct tacit_asr_segment *s, void *user)
{
	struct collected *c = user;
	c->n_calls++;
	CHECK(s->final);
	CHECK(s->start_ms >= 0 && s->end_ms >= s->start_ms);
	CHECK(s->text && *s->text && !isspace((unsigned char)s->text[0]));
	tacit_segments_add(&c->t, s);
	return c->stop_after == 0 || c->n_calls < c->stop_after;
}

TEST_MODEL(asr_pipeline_random_tiny)
{
	const char *model = random_tiny();
	const char *jfk = shared_file("audio/jfk.wav");
	const char *vad = shared_file("models/ggml-silero-v6.2.0.bin");
	if (!model || !jfk || !vad)
		SKIP("../shared models or audio absent (random tiny.en model not built)");
	char vad_path[4096];
	snprintf(vad_path, sizeof(vad_path), "%s", vad);
	struct tacit_audio a;
	CHECK_EQ_INT(tacit_audio_load(jfk, NULL, &a), TACIT_OK);

	struct tacit_asr_params p = tacit_asr_default_params();
	p.model_path = model;
	p.vad_model_path = vad_path;
	p.temperature_fallback = false;
	p.n_threads = 2;
	struct tacit_asr *asr = NULL;
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_OK);
	if (!asr) {
		tacit_audio_release(&a);
		return;
	}
	CHECK(!tacit_asr_multilingual(asr));

	/* Speech: segments in order, inside the audio, shifted by the offset. */
	struct collected c = { 0 };
	tacit_segments_init(&c.t);
	CHECK_EQ_INT(tacit_asr_transcribe(asr, a.samples, a.n_frames, 60000, TACIT_SPEAKER_THEM, NULL, collect, &c),
		     TACIT_OK);
	for (size_t i = 0; i < c.t.n_segments; i++) {
		CHECK(c.t.segments[i].start_ms >= 60000 && c.t.segments[i].end_ms <= 60000 + 11000);
		CHECK_EQ_INT(c.t.segments[i].speaker, TACIT_SPEAKER_THEM);
		CHECK(!tacit_text_is_loop(c.t.segments[i].text));
	}
	tacit_segments_release(&c.t);

	/* The same speech after 20 s of silence: whisper hears only the speech (packed), and
	 * every segment's time maps back into it. The random model says nothing on this
	 * clip, so a second worker is made to decode 2 tokens a window (the benchmarks'
	 * TACIT_ASR_BENCH_TOKENS; more would repeat one token, a loop the filter drops): one
	 * segment, whose times whisper gives on the packed audio (from 0 s) and which must
	 * come out inside the speech (from 20 s). */
	size_t lead = 20 * 16000;
	float *late = calloc(lead + a.n_frames, sizeof(float));
	struct tacit_asr *bench = NULL;
	setenv("TACIT_ASR_BENCH_TOKENS", "2", 1);
	CHECK_EQ_INT(tacit_asr_open(&p, &bench), TACIT_OK);
	unsetenv("TACIT_ASR_BENCH_TOKENS");
	CHECK(late != NULL);
	if (late && bench) {
		memcpy(late + lead, a.samples, a.n_frames * sizeof(float));
		c = (struct collected){ 0 };
		tacit_segments_init(&c.t);
		CHECK_EQ_INT(tacit_asr_transcribe(bench, late, lead + a.n_frames, 0, TACIT_SPEAKER_UNKNOWN, NULL,
						  collect, &c),
			     TACIT_OK);
		CHECK(c.t.n_segments >= 1);
		for (size_t i = 0; i < c.t.n_segments; i++)
			CHECK(c.t.segments[i].start_ms >= 20000 - 100 && c.t.segments[i].end_ms <= 20000 + 11100);
		tacit_segments_release(&c.t);
	}
	tacit_asr_close(bench);
	free(late);

	/* Silence and noise: no segments at all, nothing invented. */
	size_t m = 4 * 16000;
	float *quiet = calloc(m, sizeof(float));
	c = (struct collected){ 0 };
	tacit_segments_init(&c.t);
	CHECK_EQ_INT(tacit_asr_transcribe(asr, quiet, m, 0, TACIT_SPEAKER_UNKNOWN, NULL, collect, &c), TACIT_OK);
	uint32_t x = 99;
	for (size_t i = 0; i < m; i++) {
		x = x * 1664525u + 1013904223u;
		quiet[i] = ((float)(x >> 8) / 16777216.0f - 0.5f) * 0.3f;
	}
	CHECK_EQ_INT(tacit_asr_transcribe(asr, quiet, m, 0, TACIT_SPEAKER_UNKNOWN, NULL, collect, &c), TACIT_OK);
	CHECK_EQ_INT(c.n_calls, 0);
	/* Too short to hold a word. */
	CHECK_EQ_INT(tacit_asr_transcribe(asr, quiet, 800, 0, TACIT_SPEAKER_UNKNOWN, NULL, collect, &c), TACIT_OK);
	CHECK_EQ_INT(c.n_calls, 0);
	tacit_segments_release(&c.t);
	free(quiet);

	/* Cancellation: a flag set before the call stops it. */
	volatile int cancel = 1;
	CHECK_EQ_INT(tacit_asr_transcribe(asr, a.samples, a.n_frames, 0, 0, &cancel, NULL, NULL), TACIT_ERR_CANCELLED);
	tacit_asr_close(asr);
	tacit_audio_release(&a);

	/* Bad models. */
	p.model_path = "/nonexistent/ggml-tiny.bin";
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_ERR_NOT_FOUND);
	p.model_path = vad_path; /* a VAD model is not a whisper model */
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_ERR_MODEL);
	p.model_path = model;
	p.language = "xx-nope";
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_ERR_USAGE);
	p.language = "fr";
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_ERR_UNSUPPORTED); /* English-only model */
	CHECK(strstr(tacit_errmsg(), "English-only"));
}

struct live_log {
	int n_partial, n_final;
	int64_t last_final_end;
	bool order_ok;
};

static bool on_live(const struct tacit_asr_segment *s, void *user)
{
	struct live_log *l = user;
	if (s->final) {
		/* A final segment is never revised: finals never step back before an earlier one. */
		if (s->start_ms + 1 < l->last_final_end - 1000)
			l->order_ok = false;
		l->last_final_end = s->end_ms;
		l->n_final++;
	} else {
		l->n_partial++;
	}
	return true;
}

TEST_MODEL(asr_stream_live_two_utterances)
{
	const char *model = random_tiny();
	const char *jfk = shared_file("audio/jfk.wav");
	const char *vad = shared_file("models/ggml-silero-v6.2.0.bin");
	if (!model || !jfk || !vad)
		SKIP("../shared models or audio absent");
	char vad_path[4096];
	snprintf(vad_path, sizeof(vad_path), "%s", vad);
	struct tacit_audio a;
	CHECK_EQ_INT(tacit_audio_load(jfk, NULL, &a), TACIT_OK);
	/* 3 s of speech, 2 s of silence, 3 s of speech, 1 s of silence. */
	size_t n = 9 * 16000;
	float *pcm = calloc(n, sizeof(float));
	memcpy(pcm, a.samples + 16000, 3 * 16000 * sizeof(float));
	memcpy(pcm + 5 * 16000, a.samples + 6 * 16000, 3 * 16000 * sizeof(float));

	struct tacit_asr_params p = tacit_asr_default_params();
	p.model_path = model;
	p.vad_model_path = vad_path;
	p.temperature_fallback = false;
	p.n_threads = 2;
	struct tacit_asr *asr = NULL;
	struct tacit_asr_stream *s = NULL;
	struct live_log log = { .order_ok = true };
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_OK);
	CHECK_EQ_INT(tacit_asr_stream_open(asr, 1, 0, on_live, &log, &s), TACIT_OK);
	for (size_t at = 0; s && at < n; at += 1600)
		CHECK_EQ_INT(tacit_asr_stream_push(s, pcm + at, 1600, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_asr_stream_finish(s, NULL), TACIT_OK);
	CHECK(log.order_ok);
	CHECK_EQ_INT(log.n_partial, 0); /* partials were not asked for */
	CHECK(log.last_final_end <= 9000);
	tacit_asr_stream_close(s);
	tacit_asr_close(asr);
	free(pcm);
	tacit_audio_release(&a);
}

/* A crash inside whisper.cpp (here: an abort injected into the worker) fails the call
 * with TACIT_ERR_WORKER; the caller lives on, and the next call starts a new worker. */
TEST_MODEL(asr_worker_crash_recovers)
{
	const char *model = random_tiny();
	const char *jfk = shared_file("audio/jfk.wav");
	if (!model || !jfk)
		SKIP("../shared models or audio absent");
	struct tacit_audio a;
	CHECK_EQ_INT(tacit_audio_load(jfk, NULL, &a), TACIT_OK);
	char flag[4096];
	snprintf(flag, sizeof(flag), "%s/crash-once", test_tmpdir());
	test_write_file(test_tmpdir(), "crash-once", "", 0);
	setenv("TACIT_WORKER_TEST", "1", 1);
	setenv("TACIT_ASR_CRASH_ONCE", flag, 1);

	struct tacit_asr_params p = tacit_asr_default_params();
	p.model_path = model;
	p.temperature_fallback = false;
	p.n_threads = 2;
	struct tacit_asr *asr = NULL;
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_OK);
	if (asr) {
		size_t n = 2 * 16000;
		CHECK_EQ_INT(tacit_asr_transcribe(asr, a.samples + 16000, n, 0, 0, NULL, NULL, NULL), TACIT_ERR_WORKER);
		CHECK(strstr(tacit_errmsg(), "signal 6"));
		CHECK(access(flag, F_OK) != 0); /* the crash happened in the worker */
		/* the same handle works again: a new worker, the model loaded again */
		struct collected c = { 0 };
		tacit_segments_init(&c.t);
		CHECK_EQ_INT(tacit_asr_transcribe(asr, a.samples + 16000, n, 1000, 0, NULL, collect, &c), TACIT_OK);
		for (size_t i = 0; i < c.t.n_segments; i++)
			CHECK(c.t.segments[i].start_ms >= 1000 && c.t.segments[i].end_ms <= 3000);
		tacit_segments_release(&c.t);
	}
	tacit_asr_close(asr);
	unsetenv("TACIT_ASR_CRASH_ONCE");
	unsetenv("TACIT_WORKER_TEST");
	tacit_audio_release(&a);
}

/* The live stream's VAD runs in a worker of its own: one crash there (an abort injected
 * into it) starts it again and the answer still comes; a second one gives the VAD up with
 * a warning, and the stream goes on with fixed windows (TACIT_ERR_UNSUPPORTED). */
static char vad_warning[512];
static void keep_warning(enum tacit_log_level level, const char *line, void *user)
{
	(void)user;
	if (level == TACIT_LOG_WARN && strstr(line, "voice activity"))
		snprintf(vad_warning, sizeof(vad_warning), "%s", line);
}

TEST_MODEL(asr_vad_worker_crash_restarts_once_then_gives_up)
{
	const char *model = random_tiny();
	const char *jfk = shared_file("audio/jfk.wav");
	const char *vad = shared_file("models/ggml-silero-v6.2.0.bin");
	if (!model || !jfk || !vad)
		SKIP("../shared models or audio absent");
	char vad_path[4096], flag[4096];
	snprintf(vad_path, sizeof(vad_path), "%s", vad);
	struct tacit_audio a;
	CHECK_EQ_INT(tacit_audio_load(jfk, NULL, &a), TACIT_OK);
	snprintf(flag, sizeof(flag), "%s/vad-crash-once", test_tmpdir());
	test_write_file(test_tmpdir(), "vad-crash-once", "", 0);
	setenv("TACIT_WORKER_TEST", "1", 1);
	setenv("TACIT_VAD_CRASH", flag, 1);
	tacit_log_set(keep_warning, NULL, TACIT_LOG_WARN);

	struct tacit_asr_params p = tacit_asr_default_params();
	p.model_path = model;
	p.vad_model_path = vad_path;
	struct tacit_asr *asr = NULL;
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_OK);
	if (asr) {
		struct tacit_span *spans = NULL;
		size_t n = 0;
		CHECK_EQ_INT(asr_vad(asr, a.samples, a.n_frames, &spans, &n), TACIT_OK);
		CHECK(access(flag, F_OK) != 0); /* it crashed once, in the worker */
		CHECK(n >= 1 && spans);         /* and answered from the new one */
		free(spans);
		CHECK(strstr(vad_warning, "starting it again"));
		test_write_file(test_tmpdir(), "vad-crash-once", "", 0); /* the new worker crashes too */
		vad_warning[0] = '\0';
		CHECK_EQ_INT(asr_vad(asr, a.samples, a.n_frames, &spans, &n), TACIT_ERR_UNSUPPORTED);
		CHECK(n == 0 && !spans);
		CHECK(strstr(vad_warning, "signal 6") && strstr(vad_warning, "without voice activity detection"));
		CHECK(access(flag, F_OK) != 0);
		CHECK_EQ_INT(asr_vad(asr, a.samples, a.n_frames, &spans, &n), TACIT_ERR_UNSUPPORTED); /* given up */
	}
	tacit_asr_close(asr);
	tacit_log_set(NULL, NULL, TACIT_LOG_WARN);
	unsetenv("TACIT_VAD_CRASH");
	unsetenv("TACIT_WORKER_TEST");
	tacit_audio_release(&a);
}

/* ---- the language whisper decoded in ------------------------------------------------- */

/* A multilingual random-weight model: the tiny.en vocabulary with one more token, which
 * is what makes whisper.cpp treat a model as multilingual (language tokens, detection). */
static const char *random_multilingual(void)
{
	static char path[4096];
	const char *vocab = shared_file("models/whisper-vocab-tiny.en.bin");
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	if (!vocab)
		return NULL;
	snprintf(path, sizeof(path), "%s/models/ggml-tiny-multi-random.bin", build);
	if (access(path, R_OK) == 0)
		return path;
	FILE *f = fopen(vocab, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	int32_t n_vocab = 51865;
	if (b.len < 8 || b.failed) {
		buf_release(&b);
		return NULL;
	}
	memcpy(b.data + 4, &n_vocab, sizeof(n_vocab));
	const char *mv = test_write_file(test_tmpdir(), "vocab-multi.bin", b.data, b.len);
	buf_release(&b);
	char vocab_multi[4096];
	snprintf(vocab_multi, sizeof(vocab_multi), "%s", mv);
	if (!sh("mkdir -p %s/models && %s/tools/synth-whisper %s %s.tmp 7 && mv %s.tmp %s", build, build, vocab_multi,
		path, path, path))
		return NULL;
	return path;
}

static bool is_lang_code(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]))
			return false;
	return true;
}

TEST_MODEL(asr_language_detected_and_fixed)
{
	const char *model = random_tiny();
	const char *jfk = shared_file("audio/jfk.wav");
	if (!model || !jfk)
		SKIP("../shared models or audio absent");
	struct tacit_audio a;
	CHECK_EQ_INT(tacit_audio_load(jfk, NULL, &a), TACIT_OK);
	struct tacit_asr_params p = tacit_asr_default_params();
	p.temperature_fallback = false;
	p.n_threads = 2;
	struct tacit_asr *asr = NULL;

	/* An English-only model decodes English, whatever was asked */
	p.model_path = model;
	p.language = "auto";
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_OK);
	CHECK_STR(tacit_asr_language(asr), "en");
	tacit_asr_close(asr);
	asr = NULL;
	CHECK_STR(tacit_asr_language(NULL), "");

	const char *multi = random_multilingual();
	if (!multi) {
		tacit_audio_release(&a);
		SKIP("cannot build the multilingual random model");
	}
	char multi_path[4096];
	snprintf(multi_path, sizeof(multi_path), "%s", multi);
	p.model_path = multi_path;
	p.language = NULL; /* auto: whisper detects it, the worker reports it */
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_OK);
	if (asr) {
		CHECK(tacit_asr_multilingual(asr));
		CHECK_STR(tacit_asr_language(asr), ""); /* nothing decoded yet */
		CHECK_EQ_INT(tacit_asr_transcribe(asr, a.samples, 3 * 16000, 0, TACIT_SPEAKER_UNKNOWN, NULL, NULL, NULL),
			     TACIT_OK);
		const char *got = tacit_asr_language(asr);
		CHECK(is_lang_code(got));
		/* the transcript JSON carries it */
		struct tacit_segments t;
		char *json = NULL;
		tacit_segments_init(&t);
		snprintf(t.language, sizeof(t.language), "%s", got);
		CHECK_EQ_INT(tacit_segments_render(&t, TACIT_FORMAT_JSON, &json), TACIT_OK);
		char want[64];
		snprintf(want, sizeof(want), "\"language\": \"%s\"", got);
		CHECK(json && strstr(json, want));
		tacit_free(json);
		tacit_segments_release(&t);
		tacit_asr_close(asr);
		asr = NULL;
	}
	/* fixed: that language, never a detected one */
	p.language = "de";
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_OK);
	if (asr) {
		CHECK_STR(tacit_asr_language(asr), "de");
		CHECK_EQ_INT(tacit_asr_transcribe(asr, a.samples, 3 * 16000, 0, TACIT_SPEAKER_UNKNOWN, NULL, NULL, NULL),
			     TACIT_OK);
		CHECK_STR(tacit_asr_language(asr), "de");
	}
	tacit_asr_close(asr);
	tacit_audio_release(&a);
}

/* ---- live: partials come and go, a final never changes -------------------------------- */

struct stream_event {
	bool final;
	int64_t start_ms, end_ms;
	int speaker;
};

struct stream_log {
	struct stream_event ev[512];
	int n;
};

static bool on_stream(const struct tacit_asr_segment *s, void *user)
{
	struct stream_log *l = user;
	if (l->n < (int)ARRAY_SIZE(l->ev))
		l->ev[l->n++] = (struct stream_event){ s->final, s->start_ms, s->end_ms, s->speaker };
	return true;
}

/* Waits (however slow the machine) until the stream has nothing queued or in flight, so
 * every partial that falls due is asked for: the test is about order, not speed. */
static void wait_idle(struct tacit_asr_stream *s)
{
	for (int i = 0; i < 60000 && !asr_stream_idle(s); i++) {
		CHECK_EQ_INT(tacit_asr_stream_push(s, NULL, 0, NULL), TACIT_OK);
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	CHECK(asr_stream_idle(s));
}

TEST_MODEL(asr_stream_final_never_changes)
{
	const char *model = random_tiny();
	const char *jfk = shared_file("audio/jfk.wav");
	const char *vad = shared_file("models/ggml-silero-v6.2.0.bin");
	if (!model || !jfk || !vad)
		SKIP("../shared models or audio absent");
	char vad_path[4096];
	snprintf(vad_path, sizeof(vad_path), "%s", vad);
	struct tacit_audio a;
	CHECK_EQ_INT(tacit_audio_load(jfk, NULL, &a), TACIT_OK);
	/* two utterances on each channel of a two-channel stream: "Me" talks, then "Them" */
	size_t n = 10 * 16000;
	float *pcm = calloc(2 * n, sizeof(float));
	for (size_t i = 0; i < 3 * 16000; i++) {
		pcm[2 * (i + 0 * 16000)] = a.samples[16000 + i];
		pcm[2 * (i + 5 * 16000) + 1] = a.samples[6 * 16000 + i];
	}
	struct tacit_asr_params p = tacit_asr_default_params();
	p.model_path = model;
	p.vad_model_path = vad_path;
	p.temperature_fallback = false;
	p.n_threads = 2;
	struct tacit_asr *asr = NULL;
	struct tacit_asr_stream *s = NULL;
	struct stream_log *log = calloc(1, sizeof(*log));
	CHECK_EQ_INT(tacit_asr_open(&p, &asr), TACIT_OK);
	CHECK_EQ_INT(tacit_asr_stream_open(asr, 2, 1000, on_stream, log, &s), TACIT_OK);
	for (size_t at = 0; s && at < n; at += 1600) {
		CHECK_EQ_INT(tacit_asr_stream_push(s, pcm + 2 * at, 1600, NULL), TACIT_OK);
		wait_idle(s);
	}
	CHECK_EQ_INT(tacit_asr_stream_finish(s, NULL), TACIT_OK);
	int n_partial = 0, n_final = 0;
	for (int i = 0; i < log->n; i++) {
		const struct stream_event *e = &log->ev[i];
		n_partial += !e->final;
		n_final += e->final;
		CHECK(e->speaker == TACIT_SPEAKER_ME || e->speaker == TACIT_SPEAKER_THEM);
		CHECK(e->start_ms >= 0 && e->start_ms <= e->end_ms && e->end_ms <= 10000);
		if (!e->final)
			continue;
		/* Once final, that stretch of that speaker's audio is closed: nothing later, partial
		 * or final, starts inside it (no revision, no repeat, no late partial). */
		for (int j = i + 1; j < log->n; j++)
			if (log->ev[j].speaker == e->speaker)
				CHECK(log->ev[j].start_ms >= e->end_ms);
	}
	CHECK(n_final >= 1);
	CHECK(n_partial >= 1); /* partials were asked for and the worker was idle for each */
	tacit_asr_stream_close(s);
	tacit_asr_close(asr);
	free(log);
	free(pcm);
	tacit_audio_release(&a);
}

/* ---- a live meeting's language ------------------------------------------------------ */

/* A live meeting stores the language whisper detects in its speech, once it is settled
 * (not only at the end, as an import does): read from a second store connection while
 * the meeting still runs, and still there after the stop. */
TEST_MODEL(asr_live_meeting_stores_language)
{
	const char *model = random_tiny();
	const char *jfk = shared_file("audio/jfk.wav");
	const char *vad = shared_file("models/ggml-silero-v6.2.0.bin");
	if (!model || !jfk || !vad)
		SKIP("../shared models or audio absent (random tiny.en model not built)");
	char vad_path[4096], db[4096];
	snprintf(vad_path, sizeof(vad_path), "%s", vad);
	snprintf(db, sizeof(db), "%s/live.db", test_tmpdir());
	struct tacit_audio a;
	CHECK_EQ_INT(tacit_audio_load(jfk, NULL, &a), TACIT_OK);

	struct tacit_live_params p = tacit_live_default_params();
	p.store_path = db;
	p.asr_model = model;
	p.vad_model = vad_path;
	p.analyze = false;
	p.record_audio = false;
	p.asr_threads = 2;
	p.asr_fallback = false;
	p.partial_every_ms = 0;
	struct tacit_live *l = NULL;
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l) {
		tacit_audio_release(&a);
		return;
	}
	int64_t id = tacit_live_session_id(l);
	struct tacit_store *st = NULL;
	CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
	struct tacit_session sess;
	CHECK_EQ_INT(tacit_store_session_get(st, id, &sess), TACIT_OK);
	CHECK_STR(sess.language, ""); /* nothing heard yet */

	/* the speech, then silence (which ends the utterance) until the language is there */
	CHECK_EQ_INT(tacit_live_push(l, a.samples, a.n_frames), TACIT_OK);
	float quiet[1600] = { 0 };
	bool found = false;
	for (int i = 0; i < 1200 && !found; i++) { /* up to a minute: a slow machine is no failure */
		CHECK_EQ_INT(tacit_live_push(l, quiet, 1600), TACIT_OK);
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		found = tacit_store_session_get(st, id, &sess) == TACIT_OK && sess.language[0];
	}
	CHECK(found);
	CHECK_STR(sess.language, "en"); /* the English-only model decodes English */
	CHECK_EQ_INT(tacit_live_stop(l, NULL), TACIT_OK);
	tacit_live_close(l);
	CHECK_EQ_INT(tacit_store_session_get(st, id, &sess), TACIT_OK);
	CHECK_STR(sess.language, "en");
	CHECK(sess.ended_ms > 0);
	tacit_store_close(st);
	tacit_audio_release(&a);
}
