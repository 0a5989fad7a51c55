/*
 * cmd_transcribe.c — `tacit transcribe`: a recording, raw PCM on stdin (--live -) or a
 * file played at real-time speed (--realtime) to a timestamped transcript. whisper runs
 * in the supervised worker process (tacit-worker): a crash there is an error message.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: tacit transcribe [options] FILE\n"
	"       tacit transcribe [options] --live - [--channels N]\n"
	"       tacit transcribe [options] --realtime FILE [--speed X]\n"
	"       tacit transcribe [options] --mic [DEVICE] [--system [DEVICE]]   (Ctrl-C ends it)\n"
	"       tacit transcribe --list-devices [--json]\n"
	"  --asr-model NAME   whisper model: a catalog id or a path (or TACIT_WHISPER_MODEL;\n"
	"                     default: setting model.asr, else the downloaded one);\n"
	"                     --model NAME is an older spelling of it, still accepted\n"
	"  --vad-model NAME   Silero VAD model (or TACIT_VAD_MODEL; default: setting\n"
	"                     model.vad, else the downloaded one)\n"
	"  --no-vad           decode everything, silence included\n"
	"  --asr-engine URL   transcribe a FILE on that server (whisper-server, or an\n"
	"                     OpenAI-style /v1/audio/transcriptions): the audio goes\n"
	"                     there and nowhere else; 'local' = this device (default:\n"
	"                     setting engine.asr, see 'tacit engine --asr')\n"
	"  --format F         txt, json, srt, vtt or md (default txt); all but json print\n"
	"                     each segment as it is final, json the whole document at the end\n"
	"  --json             with FILE: one JSON line per final segment, as it is found\n"
	"  --language L       a language code, or auto (default auto)\n"
	"  --translate        translate to English\n"
	"  --speakers MODE    channels: channel 0 is \"Me\", channel 1 \"Them\";\n"
	"                     turns: the model's speaker-turn markers (tdrz models);\n"
	"                     auto, N or off: diarization of a FILE (\"Speaker 1\"...;\n"
	"                     with channels, of \"Them\"); default auto when a speaker\n"
	"                     embedding model is named, set or downloaded\n"
	"  --embedding-model NAME, --segmentation-model PATH\n"
	"                     the diarization models (see 'tacit diarize --help')\n"
	"  --threads N        threads (default: this machine's usable cores)\n"
	"  --fallback         retry unclear windows at higher temperature (off by\n"
	"                     default: each retry decodes a window again, and on noise a\n"
	"                     5-minute recording took over 12 minutes)\n"
	"  --no-fallback      the default: no retries at higher temperature\n"
	"  --live -           s16le 16 kHz PCM on stdin; prints JSON lines of partial and\n"
	"                     final segments\n"
	"  --mic [DEVICE]     a microphone (default: the default input); prints JSON\n"
	"                     lines like --live\n"
	"  --system [DEVICE]  with --mic: also the system's audio (the meeting) as channel\n"
	"                     \"Them\", the microphone being \"Me\" (default: the output's\n"
	"                     monitor with PulseAudio/PipeWire, loopback on Windows)\n"
	"  --list-devices     the capture devices --mic and --system can name\n"
	"  --channels N       channels of the --live or --mic input (1 or 2)\n"
	"  --realtime FILE    play FILE at real-time speed through the live path\n"
	"  --speed X          playback speed for --realtime (default 1)\n"
	"Ctrl-C on a FILE stops and keeps what is done: the segments so far are printed\n"
	"(--format json: as a whole document), stderr says how far it got, and the exit\n"
	"code is 17 (cancelled).\n";

static volatile int cancel_flag;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n((int *)&cancel_flag, 1, __ATOMIC_RELAXED);
}

struct live_out {
	double t0;    /* wall clock at audio time 0 (realtime playback), or 0 */
	double speed;
};

static bool print_live(const struct tacit_asr_segment *seg, void *user)
{
	struct live_out *lo = user;
	char *line = tacit_asr_segment_json(seg);
	if (!line)
		return false;
	size_t n = strlen(line);
	if (lo->t0 > 0 && n > 0 && line[n - 1] == '}') {
		/* How long after the end of the speech (in playback time) this came out. */
		double lag = (cli_now_s() - lo->t0) * lo->speed - (double)seg->end_ms / 1000.0;
		line[n - 1] = '\0';
		printf("%s,\"lag_ms\":%.0f}\n", line, lag * 1000.0);
	} else {
		printf("%s\n", line);
	}
	tacit_free(line);
	fflush(stdout);
	return true;
}

static int run_live_stdin(struct tacit_asr *asr, int channels, struct live_out *lo)
{
	struct tacit_asr_stream *s = NULL;
	enum tacit_status st = tacit_asr_stream_open(asr, channels, 1000, print_live, lo, &s);
	int16_t raw[3200];
	float pcm[3200];
	size_t have = 0;
	while (st == TACIT_OK && !cancel_flag) {
		ssize_t got = read(STDIN_FILENO, (char *)raw + have, sizeof(raw) - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		have += (size_t)got;
		size_t frame_bytes = sizeof(int16_t) * (size_t)channels;
		size_t n_frames = have / frame_bytes;
		for (size_t i = 0; i < n_frames * (size_t)channels; i++)
			pcm[i] = (float)raw[i] / 32768.0f;
		st = tacit_asr_stream_push(s, pcm, n_frames, &cancel_flag);
		size_t used = n_frames * frame_bytes;
		memmove(raw, (char *)raw + used, have - used);
		have -= used;
	}
	if (st == TACIT_OK)
		st = tacit_asr_stream_finish(s, &cancel_flag);
	tacit_asr_stream_close(s);
	return st == TACIT_OK ? 0 : cli_fail(st);
}

static int run_realtime(struct tacit_asr *asr, const struct tacit_audio *a, struct live_out *lo)
{
	struct tacit_asr_stream *s = NULL;
	enum tacit_status st = tacit_asr_stream_open(asr, a->n_channels, 1000, print_live, lo, &s);
	const size_t chunk = TACIT_AUDIO_RATE / 10; /* 100 ms, as a capture callback would deliver */
	lo->t0 = cli_now_s();
	for (size_t at = 0; st == TACIT_OK && at < a->n_frames && !cancel_flag; at += chunk) {
		size_t n = a->n_frames - at < chunk ? a->n_frames - at : chunk;
		/* Wait until this chunk would have been captured. */
		double due = lo->t0 + (double)(at + n) / TACIT_AUDIO_RATE / lo->speed;
		double wait = due - cli_now_s();
		if (wait > 0) {
			struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
			nanosleep(&ts, NULL);
		}
		st = tacit_asr_stream_push(s, a->samples + at * (size_t)a->n_channels, n, &cancel_flag);
	}
	if (st == TACIT_OK)
		st = tacit_asr_stream_finish(s, &cancel_flag);
	tacit_asr_stream_close(s);
	return st == TACIT_OK ? 0 : cli_fail(st);
}

/* What the capture thread hands to the transcribing one. */
struct mic_queue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	float *pcm;
	size_t n, alloc; /* floats */
	size_t dropped;  /* frames lost because the queue could not grow */
};

static void on_mic(const float *pcm, size_t n_frames, int n_channels, void *user)
{
	struct mic_queue *q = user;
	size_t n = n_frames * (size_t)n_channels;
	pthread_mutex_lock(&q->lock);
	if (q->n + n > q->alloc) {
		size_t want = (q->n + n) * 2;
		float *p = realloc(q->pcm, want * sizeof(float));
		if (!p) {
			q->dropped += n_frames;
			pthread_mutex_unlock(&q->lock);
			return;
		}
		q->pcm = p;
		q->alloc = want;
	}
	memcpy(q->pcm + q->n, pcm, n * sizeof(float));
	q->n += n;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

static int run_mic(struct tacit_asr *asr, int channels, const char *device, bool system, const char *system_device,
		   struct live_out *lo)
{
	struct mic_queue q = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	struct tacit_capture_params cp = tacit_capture_default_params();
	struct tacit_capture *cap = NULL;
	struct tacit_asr_stream *s = NULL;
	float *mine = NULL;
	size_t mine_alloc = 0;

	cp.channels = system ? 2 : channels;
	cp.device = device;
	cp.system = system;
	cp.system_device = system_device;
	channels = cp.channels;
	enum tacit_status st = tacit_capture_open(&cp, on_mic, &q, &cap);
	if (st == TACIT_OK)
		st = tacit_asr_stream_open(asr, channels, 1000, print_live, lo, &s);
	if (st == TACIT_OK) {
		fprintf(stderr, "tacit: listening on '%s' (Ctrl-C ends)\n", tacit_capture_device_name(cap));
		st = tacit_capture_start(cap);
	}
	unsigned sources = TACIT_CAPTURE_MIC | (system ? TACIT_CAPTURE_SYSTEM : 0), told = 0;
	while (st == TACIT_OK && !cancel_flag && (told & sources) != sources) {
		unsigned lost = tacit_capture_lost(cap);
		if (lost != told) { /* a device went away: the rest goes on, as `tacit live` does */
			told = lost;
			fprintf(stderr, "tacit: warning: %s gone (unplugged, its output removed, or the sound server stopped)%s\n",
				(lost & sources) == sources ? "every audio device is"
				: lost & TACIT_CAPTURE_SYSTEM ? "the system audio is"
							      : "the microphone is",
				(lost & sources) == sources ? "; ending with what was heard" : "; going on with the other");
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&q.lock);
		if (!q.n)
			pthread_cond_timedwait(&q.cond, &q.lock, &until);
		size_t n = q.n;
		if (n > mine_alloc) { /* swap buffers: the audio thread never waits on the decoder */
			float *p = realloc(mine, n * sizeof(float));
			if (!p) {
				pthread_mutex_unlock(&q.lock);
				st = TACIT_ERR_NOMEM;
				break;
			}
			mine = p;
			mine_alloc = n;
		}
		if (n)
			memcpy(mine, q.pcm, n * sizeof(float));
		q.n = 0;
		pthread_mutex_unlock(&q.lock);
		st = tacit_asr_stream_push(s, mine, n / (size_t)channels, NULL);
	}
	if (cap)
		tacit_capture_stop(cap);
	if (st == TACIT_OK)
		st = tacit_asr_stream_finish(s, NULL);
	if (q.dropped)
		fprintf(stderr, "tacit: %zu frames of audio were dropped (out of memory)\n", q.dropped);
	tacit_asr_stream_close(s);
	tacit_capture_close(cap);
	free(mine);
	free(q.pcm);
	if (st == TACIT_OK && (told & sources) == sources)
		return tacit_status_exit_code(TACIT_ERR_IO); /* transcribed, but ended early: said above */
	return st == TACIT_OK ? 0 : cli_fail(st);
}

/* A recording decoded on a thread of its own, while the worker starts and loads the
 * model: the two costs overlap instead of adding up. */
struct audio_load {
	const char *path;
	struct tacit_audio_params params;
	struct tacit_audio *out;
	enum tacit_status st;
	char msg[512]; /* tacit_errmsg() is per thread */
};

static void *audio_load_main(void *arg)
{
	struct audio_load *j = arg;
	j->st = tacit_audio_load(j->path, &j->params, j->out);
	if (j->st != TACIT_OK)
		snprintf(j->msg, sizeof(j->msg), "%s", tacit_errmsg());
	return NULL;
}

/* A file's transcript as it is found. Mono segments arrive in time order, and every
 * text rendering (txt, srt, vtt, md) of the first k segments is a prefix of the
 * rendering of k+1, so the new tail of the rendering is printed after each segment:
 * numbering, headers and speaker marks stay exactly those of the whole document.
 * --format json is one document, printed at the end; --json prints one JSON line per
 * segment instead. Two channels are transcribed one after the other and interleaved
 * by time, so they print at the end too. */
struct file_out {
	const struct tacit_diarization *who; /* relabels diar_speaker's segments; may be NULL */
	int diar_speaker;
	struct tacit_segments t;
	enum tacit_format fmt;
	bool stream;       /* print the rendering's new tail as each segment arrives */
	bool json_lines;   /* one JSON line per segment */
	size_t printed;    /* bytes of the rendering already on stdout */
	int64_t done_ms;   /* the end of the last final segment */
	size_t n_final;
};

static bool print_file_segment(const struct tacit_asr_segment *seg_in, void *user)
{
	struct file_out *fo = user;
	struct tacit_asr_segment copy = *seg_in;
	const struct tacit_asr_segment *seg = &copy;
	char *text = NULL;
	if (!seg->final)
		return true;
	if (fo->who && seg->speaker == fo->diar_speaker) { /* the speaker who talks most in it */
		int k = tacit_diarization_speaker_at(fo->who, seg->start_ms, seg->end_ms);
		if (k >= 0 && k < 64)
			copy.speaker = TACIT_SPEAKER_DIARIZED + k;
	}
	fo->n_final++;
	if (seg->end_ms > fo->done_ms)
		fo->done_ms = seg->end_ms;
	if (fo->json_lines)
		return print_live(seg, &(struct live_out){ 0, 1.0 });
	if (tacit_segments_add(&fo->t, seg) != TACIT_OK)
		return false;
	if (!fo->stream)
		return true;
	if (tacit_segments_render(&fo->t, fo->fmt, &text) != TACIT_OK)
		return false;
	size_t n = strlen(text);
	if (n > fo->printed) {
		fputs(text + fo->printed, stdout);
		fo->printed = n;
	}
	fflush(stdout);
	tacit_free(text);
	return true;
}

/* "02:14", or "1:02:14" past an hour. */
static const char *mmss(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms / 1000;
	if (s >= 3600)
		snprintf(buf, len, "%" PRId64 ":%02" PRId64 ":%02" PRId64, s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%02" PRId64 ":%02" PRId64, s / 60, s % 60);
	return buf;
}

static int run_file(struct tacit_asr *asr, const struct tacit_audio *a, enum tacit_format fmt, bool json_lines,
		    const struct tacit_diarization *who)
{
	struct file_out fo = { .fmt = fmt, .json_lines = json_lines, .who = who };
	fo.diar_speaker = a->n_channels == 1 ? TACIT_SPEAKER_UNKNOWN : TACIT_SPEAKER_THEM;
	enum tacit_status st = TACIT_OK;
	float *mono = NULL;
	char *text = NULL;

	tacit_segments_init(&fo.t);
	fo.stream = a->n_channels == 1 && fmt != TACIT_FORMAT_JSON;
	if (a->n_channels == 1) {
		st = tacit_asr_transcribe(asr, a->samples, a->n_frames, 0, TACIT_SPEAKER_UNKNOWN, &cancel_flag,
					  print_file_segment, &fo);
	} else {
		mono = malloc((a->n_frames ? a->n_frames : 1) * sizeof(float));
		if (!mono)
			st = TACIT_ERR_NOMEM;
		for (int c = 0; st == TACIT_OK && c < 2; c++) {
			for (size_t i = 0; i < a->n_frames; i++)
				mono[i] = a->samples[i * 2 + (size_t)c];
			st = tacit_asr_transcribe(asr, mono, a->n_frames, 0, c, &cancel_flag, print_file_segment, &fo);
		}
	}
	/* Ctrl-C keeps what is done: the segments so far are final, so they are printed
	 * (or completed) like a whole transcript, and the command exits with CANCELLED. */
	bool stopped = st == TACIT_ERR_CANCELLED && __atomic_load_n((int *)&cancel_flag, __ATOMIC_RELAXED);
	if ((st == TACIT_OK || stopped) && !json_lines) {
		snprintf(fo.t.language, sizeof(fo.t.language), "%s", tacit_asr_language(asr));
		enum tacit_status rs = tacit_segments_render(&fo.t, fmt, &text);
		if (rs != TACIT_OK)
			st = rs;
		else if (strlen(text) > fo.printed)
			fputs(text + fo.printed, stdout);
	}
	fflush(stdout);
	if (st == TACIT_OK && fo.n_final == 0)
		fprintf(stderr, "tacit: no speech found\n");
	if (stopped) {
		char at[32], of[32];
		fprintf(stderr, "tacit: stopped at %s of %s (the segments above are complete)\n",
			mmss(fo.done_ms, at, sizeof(at)),
			mmss((int64_t)a->n_frames * 1000 / TACIT_AUDIO_RATE, of, sizeof(of)));
	}
	tacit_free(text);
	free(mono);
	tacit_segments_release(&fo.t);
	if (stopped)
		return tacit_status_exit_code(TACIT_ERR_CANCELLED);
	return st == TACIT_OK ? 0 : cli_fail(st);
}

static void json_string(const char *s)
{
	putchar('"');
	for (const char *c = s; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if ((unsigned char)*c < 0x20)
			printf("\\u%04x", (unsigned)(unsigned char)*c);
		else
			putchar(*c);
	}
	putchar('"');
}

/* One line a device: its kind, its name, and its id where that differs (two outputs'
 * monitors can share a name; their ids never do). */
static int list_devices(bool json)
{
	struct tacit_audio_device *d = NULL;
	size_t n = 0;
	enum tacit_status st = tacit_capture_devices(NULL, &d, &n);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (json)
		printf("[");
	for (size_t i = 0; i < n; i++) {
		if (json) {
			printf("%s{\"name\":", i ? "," : "");
			json_string(d[i].name);
			printf(",\"id\":");
			json_string(d[i].id);
			printf(",\"backend\":\"%s\",\"default\":%s,\"system\":%s,\"loopback\":%s}", d[i].backend,
			       d[i].is_default ? "true" : "false", d[i].system ? "true" : "false",
			       d[i].loopback ? "true" : "false");
		} else {
			bool show_id = *d[i].id && strcmp(d[i].id, d[i].name) != 0;
			printf("%-7s %s%s%s%s%s\n", d[i].system ? "system" : "input", d[i].name, show_id ? " [" : "",
			       show_id ? d[i].id : "", show_id ? "]" : "", d[i].is_default ? " (default)" : "");
		}
	}
	if (json)
		printf("]\n");
	else if (n == 0)
		fprintf(stderr, "tacit: no capture devices found\n");
	else
		fprintf(stderr, "tacit: through %s; --mic DEVICE and --system DEVICE take a name, an [id], or a unique "
				"part of one\n",
			d[0].backend);
	tacit_free(d);
	return 0;
}

/* Who speaks when in a FILE, before it is transcribed (so its segments still print as
 * they come): the mono file, or a stereo one's "Them" channel. Auto (no model named, n
 * 0) quietly does nothing when no embedding model is there; a model asked for must be.
 * A failure of diarization itself is a warning: the transcript comes without speakers.
 * Returns the exit code (0 to go on). */
static int diarize_file(const struct tacit_audio *a, const char *emb, const char *seg, const char *vad_path, int n,
			char **emb_path, struct tacit_diarization *who)
{
	const char *named = emb && *emb ? emb : NULL;
	enum tacit_status st = tacit_model_resolve(TACIT_MODEL_SPEAKER, named, emb_path);
	if (st != TACIT_OK)
		return named || n > 0 ? cli_fail(st) : 0;
	struct tacit_diar_params p = tacit_diar_default_params();
	p.embedding_model = *emb_path;
	p.segmentation_model = seg;
	p.vad_model = vad_path;
	p.n_speakers = n;
	p.cancel = &cancel_flag;
	float *them = NULL;
	const float *pcm = a->samples;
	if (a->n_channels == 2) {
		if (!(them = malloc((a->n_frames ? a->n_frames : 1) * sizeof(float))))
			return cli_fail(TACIT_ERR_NOMEM);
		for (size_t i = 0; i < a->n_frames; i++)
			them[i] = a->samples[i * 2 + 1];
		pcm = them;
	}
	st = tacit_diarize(&p, pcm, a->n_frames, who);
	free(them);
	if (st == TACIT_ERR_CANCELLED)
		return cli_fail(st);
	if (st != TACIT_OK)
		fprintf(stderr, "tacit: warning: speaker diarization failed: %s; the transcript has no speakers\n",
			tacit_errmsg());
	return 0;
}

/* --mic DEVICE and --system DEVICE: the device is optional, so it may also come as the
 * next word (no FILE can follow these options). */
static const char *optional_word(int argc, char **argv)
{
	if (optarg)
		return optarg;
	if (optind < argc && argv[optind][0] != '-')
		return argv[optind++];
	return NULL;
}

int cmd_transcribe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "asr-model", required_argument, NULL, 'm' }, { "vad-model", required_argument, NULL, 'V' },
		{ "model", required_argument, NULL, 'm' }, /* before --asr-model: kept for scripts */
		{ "no-vad", no_argument, NULL, 'N' },          { "format", required_argument, NULL, 'f' },
		{ "language", required_argument, NULL, 'l' }, { "translate", no_argument, NULL, 'T' },
		{ "speakers", required_argument, NULL, 's' }, { "threads", required_argument, NULL, 't' },
		{ "live", required_argument, NULL, 'L' },      { "channels", required_argument, NULL, 'c' },
		{ "realtime", required_argument, NULL, 'R' }, { "speed", required_argument, NULL, 'S' },
		{ "no-fallback", no_argument, NULL, 'F' },   { "mic", optional_argument, NULL, 'M' },
		{ "fallback", no_argument, NULL, 'B' },
		{ "system", optional_argument, NULL, 'Y' },  { "list-devices", no_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'J' },          { "help", no_argument, NULL, 'h' },
		{ "embedding-model", required_argument, NULL, 'E' },
		{ "segmentation-model", required_argument, NULL, 'G' },
		{ "asr-engine", required_argument, NULL, 'e' },
		{ 0, 0, 0, 0 },
	};
	/* diarization of a FILE: auto (when a model is there), N speakers, or off */
	const char *emb = getenv("TACIT_EMBEDDING_MODEL"), *seg = getenv("TACIT_SEGMENTATION_MODEL");
	int diar_n = 0;
	bool diar_off = false, diar_asked = false;
	char *emb_path = NULL;
	struct tacit_diarization who = { 0 };
	struct tacit_asr_params ap = tacit_asr_default_params();
	struct tacit_audio_params aud = tacit_audio_default_params();
	enum tacit_format fmt = TACIT_FORMAT_TXT;
	const char *model = getenv("TACIT_WHISPER_MODEL"), *vad = getenv("TACIT_VAD_MODEL");
	const char *live = NULL, *realtime = NULL, *file = NULL;
	bool no_vad = false, by_channel = false, mic = false, system = false, list = false, json = false;
	const char *mic_device = NULL, *system_device = NULL, *engine_url = NULL;
	struct tacit_engine engine;
	int channels = 1, c, rc = 0;
	double speed = 1.0;
	char *model_path = NULL, *vad_path = NULL, *end;
	struct tacit_asr *asr = NULL;
	struct tacit_audio audio = { 0 };
	struct live_out lo = { 0, 1.0 };
	enum tacit_status st;

	ap.temperature_fallback = false; /* a bounded cost: --fallback asks for it */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			model = optarg;
			break;
		case 'V':
			vad = optarg;
			break;
		case 'N':
			no_vad = true;
			break;
		case 'f':
			if (tacit_format_parse(optarg, &fmt) != TACIT_OK)
				return cli_usage_error("transcribe", "unknown format '%s' (txt, json, srt, vtt, md)", optarg);
			break;
		case 'l':
			ap.language = optarg;
			break;
		case 'T':
			ap.translate = true;
			break;
		case 's':
			if (!strcmp(optarg, "channels"))
				by_channel = true;
			else if (!strcmp(optarg, "turns"))
				ap.speaker_turns = true;
			else if (!strcmp(optarg, "off"))
				diar_off = true;
			else if (!strcmp(optarg, "auto"))
				diar_asked = true;
			else if ((diar_n = (int)strtol(optarg, &end, 10)) >= 1 && diar_n <= 64 && !*end)
				diar_asked = true;
			else
				return cli_usage_error("transcribe",
						       "unknown speakers mode '%s' (channels, turns, auto, off or a number "
						       "from 1 to 64)",
						       optarg);
			break;
		case 'E':
			emb = optarg;
			diar_asked = true;
			break;
		case 'G':
			seg = optarg;
			break;
		case 't':
			errno = 0;
			ap.n_threads = (int)strtol(optarg, &end, 10);
			if (errno || *end || ap.n_threads < 1 || ap.n_threads > 512)
				return cli_usage_error("transcribe", "bad thread count '%s'", optarg);
			break;
		case 'L':
			if (strcmp(optarg, "-") != 0)
				return cli_usage_error("transcribe", "--live reads standard input: use '--live -'");
			live = optarg;
			break;
		case 'c':
			if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0)
				return cli_usage_error("transcribe", "--channels must be 1 or 2, not '%s'", optarg);
			channels = atoi(optarg);
			break;
		case 'M':
			mic = true;
			mic_device = optional_word(argc, argv);
			break;
		case 'Y':
			system = true;
			system_device = optional_word(argc, argv);
			break;
		case 'D':
			list = true;
			break;
		case 'J':
			json = true;
			break;
		case 'R':
			realtime = optarg;
			break;
		case 'S':
			speed = strtod(optarg, &end);
			if (*end || !(speed > 0 && speed <= 1000))
				return cli_usage_error("transcribe", "bad speed '%s'", optarg);
			break;
		case 'F':
			ap.temperature_fallback = false;
			break;
		case 'B':
			ap.temperature_fallback = true;
			break;
		case 'e':
			engine_url = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("transcribe", c, argv);
		}
	}
	if (optind < argc)
		file = argv[optind++];
	if (optind < argc)
		return cli_usage_error("transcribe", "unexpected argument '%s'", argv[optind]);
	if (list) {
		if (file || live || realtime || mic || system)
			return cli_usage_error("transcribe", "--list-devices goes alone");
		return list_devices(json);
	}
	if (!!file + !!live + !!realtime + mic != 1)
		return cli_usage_error("transcribe", "give one of FILE, --live -, --realtime FILE or --mic");
	if (json && file && fmt != TACIT_FORMAT_TXT)
		return cli_usage_error("transcribe", "--json prints JSON lines: leave out --format");
	if (system && !mic)
		return cli_usage_error("transcribe", "--system goes with --mic (the microphone is \"Me\", the system \"Them\")");
	if (diar_asked && !file)
		return cli_usage_error("transcribe", "--speakers auto or N diarizes a FILE (live audio is labelled by "
						     "channel)");
	if (seg && !*seg)
		seg = NULL;
	if ((file && (rc = cli_input_check(file))) || (realtime && (rc = cli_input_check(realtime))))
		return rc;
	if ((rc = cli_asr_engine("transcribe", engine_url, &engine)))
		return rc;
	if (tacit_engine_is_remote(&engine)) {
		if (!file)
			return cli_usage_error("transcribe", "the speech engine on '%s' takes files here; live audio "
							     "goes to it from a meeting ('tacit live --asr-engine URL'), or is "
							     "transcribed on this device (--asr-engine local)",
					       engine.url);
		ap.engine = &engine; /* the server's models; diarization here needs its own */
		no_vad = true;
	}
	/* one answer to "which model" everywhere: a path, a catalog id, or the default */
	struct cli_model need[] = {
		{ TACIT_MODEL_ASR, model, "--asr-model", NULL, NULL },
		{ TACIT_MODEL_VAD, vad, "--vad-model", " (or --no-vad to decode silence too)", NULL },
	};
	if (!ap.engine && (rc = cli_models_resolve("transcribe", need, no_vad ? 1 : 2)))
		return rc;
	model_path = need[0].path;
	vad_path = need[1].path;
	ap.model_path = model_path;
	ap.vad_model_path = no_vad ? NULL : vad_path;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	struct audio_load al = { .st = TACIT_OK };
	pthread_t loader;
	bool loading = false;
	if (file || realtime) {
		aud.channels = by_channel ? 2 : 1;
		al = (struct audio_load){ .path = file ? file : realtime, .params = aud, .out = &audio };
		loading = pthread_create(&loader, NULL, audio_load_main, &al) == 0;
		if (!loading)
			audio_load_main(&al);
	}
	st = tacit_asr_open(&ap, &asr);
	if (loading)
		pthread_join(loader, NULL);
	if (al.st != TACIT_OK) { /* the recording's error first: the likelier typo */
		fprintf(stderr, "tacit: %s\n", al.msg[0] ? al.msg : tacit_status_str(al.st));
		rc = tacit_status_exit_code(al.st);
		goto out;
	}
	if (st != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (file && !diar_off && (rc = diarize_file(&audio, emb, seg, no_vad ? NULL : vad_path, diar_n, &emb_path, &who)))
		goto out;
	lo.speed = speed;
	if (file)
		rc = run_file(asr, &audio, fmt, json, who.n_turns ? &who : NULL);
	else if (realtime)
		rc = run_realtime(asr, &audio, &lo);
	else if (mic)
		rc = run_mic(asr, channels, mic_device, system, system_device, &lo);
	else
		rc = run_live_stdin(asr, channels, &lo);
out:
	tacit_diarization_release(&who);
	tacit_free(emb_path);
	tacit_asr_close(asr);
	tacit_audio_release(&audio);
	tacit_free(model_path);
	tacit_free(vad_path);
	return rc;
}
