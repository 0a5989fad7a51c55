/*
 * cmd_live.c — `tacit live`: a meeting as it happens. Audio comes from a file played at
 * real-time speed, raw PCM on stdin, or a transcript replayed as final segments (no
 * speech model: for measuring the language model's side). Events print as they come
 * (JSON lines with --json), under a status line on a terminal (live_status.c). Ctrl-C
 * stops the meeting (final summary, then the notes); a second Ctrl-C
 * aborts the stop (tacit_live_abort(): the model's work is cancelled) and leaves the
 * meeting resumable; a third ends the process at once. While it runs, other processes
 * can ask it questions (`tacit ask --live ID`).
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

#include <yyjson.h>

static const char usage_text[] =
	"usage: tacit live [options] --realtime FILE [--speed X]\n"
	"       tacit live [options] --pcm - [--channels N]\n"
	"       tacit live [options] --mic [DEVICE] [--system [DEVICE]]   (Ctrl-C stops it)\n"
	"       tacit live [options] --replay TRANSCRIPT [--speed X]\n"
	"       tacit live [options] --resume ID (--realtime FILE | --pcm - | --replay F)\n"
	"  --realtime FILE     play a recording at real-time speed (times --speed)\n"
	"  --pcm -             s16le 16 kHz PCM on stdin until end of input\n"
	"  --channels N        channels of --pcm (1 or 2: \"Me\" and \"Them\")\n"
	"  --mic [DEVICE]      a microphone (default: the default input)\n"
	"  --system [DEVICE]   with --mic: also the system's audio (the meeting) as \"Them\",\n"
	"                      the microphone being \"Me\" ('tacit transcribe --list-devices')\n"
	"  --replay FILE       replay a transcript (JSON segments, QMSum JSON, or\n"
	"                      \"Speaker: text\" lines) as live final segments, no speech model\n"
	"  --speed X           playback speed (default 1; 0 = as fast as possible)\n"
	"  --resume ID         continue an unfinished meeting\n"
	"  --title T           the new meeting's title\n"
	"  --suggest[=N]       automatic suggestions, every N seconds (default: the setting)\n"
	"  --no-suggest        none this time, whatever the setting says\n"
	"  --ask Q             ask Q at the end of the input, before stopping\n"
	"  --wait-idle         let the analysis catch up before stopping (benchmarks)\n"
	"  --no-stop           leave the meeting unfinished at the end of the input (no\n"
	"                      final summary; go on later with --resume ID)\n"
	"  --model NAME        language model (a catalog id, a custom name or a file)\n"
	"  --engine URL        where it runs: 'local', or an OpenAI-compatible server that\n"
	"                      then receives the transcript (default: 'tacit engine')\n"
	"  --asr-model NAME    speech model;  --vad-model NAME  voice activity model\n"
	"  --asr-engine URL    where speech is transcribed: 'local', or a whisper-server or\n"
	"                      OpenAI-style speech server that then receives each finished\n"
	"                      utterance's audio (no partials; default: 'tacit engine --asr');\n"
	"                      --asr-model then names the server's model\n"
	"  --no-analysis       transcript only, no language model\n"
	"  --speakers auto|off label the meeting's channel (\"Them\", or the only one) \"Speaker\n"
	"                      1\"...\"Speaker N\" as it goes, revised until the stop, which\n"
	"                      reclusters the meeting (auto, the default: when a speaker\n"
	"                      model is installed or named)\n"
	"  --embedding-model NAME  speaker-embedding model (ONNX) for --speakers\n"
	"  --speaker-threshold X   cosine distance to a speaker above which a segment opens\n"
	"                      a new one (default 0.6); the stop's recluster separates\n"
	"                      voices at 0.45 of it\n"
	"  --max-tokens N      output budget of each model call (default 320)\n"
	"  --window-tokens N   transcript tokens per rolling window\n"
	"  --ctx N             language model context (default 8192)\n"
	"  --threads N         speech recognition threads\n"
	"  --no-fallback       no whisper retries at higher temperature\n"
	"  --no-partials       final segments only (less CPU)\n"
	"  --json              JSON lines of events on stdout (\"meter\" about once a second:\n"
	"                      levels, lag, the model's state)\n"
	"  --template NAME     the summary's template ('tacit templates'; default: the\n"
	"                      setting summary.template, else general): each fold asks\n"
	"                      for its sections, and the stop's summary and notes are\n"
	"                      the template's, from the rolling state (no second pass)\n"
	"  --verbose           at the stop, where its time went (the stopped event's phases)\n"
	"On a terminal a status line shows the elapsed time, each channel's level, how far\n"
	"the transcript is behind, what the model does and the words being spoken. At the\n"
	"end (or Ctrl-C) the summary prints, then the notes.\n";

static volatile sig_atomic_t n_signals;
static struct tacit_live *volatile signal_live; /* set while the meeting is open */
static int stopped_itself; /* atomic: STOPPED came (the meeting reached live.max_minutes) */

/* Whether the audio or the replay goes on: no Ctrl-C, and the meeting has not stopped. */
static bool going(void)
{
	return !n_signals && !__atomic_load_n(&stopped_itself, __ATOMIC_ACQUIRE);
}

static void on_signal(int sig)
{
	(void)sig;
	int n = ++n_signals;
	struct tacit_live *live = signal_live;
	if (n == 2 && live) {
		static const char msg[] = "tacit: aborting; the meeting stays unfinished and can be resumed\n";
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		}
		tacit_live_abort(live); /* async-signal-safe: it only sets flags */
	} else if (n >= 2) {
		static const char msg[] = "tacit: aborted; the meeting can be resumed with 'tacit live --resume ID'\n";
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		}
		_exit(130);
	}
}

static void sleep_s(double s)
{
	if (s <= 0)
		return;
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	nanosleep(&ts, NULL);
}

struct out {
	bool json;
	bool verbose;
	double t0; /* wall time of playback time 0; 0 when not played back */
	double speed;
	struct cli_status *status; /* on a terminal while audio is transcribed; else NULL */
};

/* --verbose: the stop's phases, one line each, from the stopped event's JSON. */
static void print_phases(const char *json)
{
	yyjson_doc *doc = json ? yyjson_read(json, strlen(json), 0) : NULL;
	yyjson_val *r = yyjson_doc_get_root(doc), *ph = yyjson_obj_get(r, "phases");
	yyjson_val *pr = yyjson_obj_get(ph, "prompt"), *gen = yyjson_obj_get(ph, "generation");
#define NUM(o, k) yyjson_get_num(yyjson_obj_get(o, k))
	if (yyjson_is_obj(ph)) {
		fprintf(stderr, "tacit: the stop took %.0f ms:\n", NUM(r, "stop_ms"));
		fprintf(stderr, "  waiting for work in flight  %7.0f ms (%s; %.0f segments queued)\n", NUM(ph, "wait_ms"),
			yyjson_get_str(yyjson_obj_get(ph, "wait_job")), NUM(ph, "pending_segments"));
		fprintf(stderr, "  catching up                 %7.0f ms (%.0f windows folded first)\n",
			NUM(ph, "catch_up_ms"), NUM(ph, "catch_up_folds"));
		fprintf(stderr, "  state save/load             %7.0f ms\n", NUM(ph, "state_ms"));
		fprintf(stderr, "  prompt read                 %7.0f ms (%.0f tokens; %.0f cached)\n", NUM(pr, "ms"),
			NUM(pr, "tokens"), NUM(pr, "cached"));
		fprintf(stderr,
			"  generation                  %7.0f ms (%.0f tokens; sampling %.0f ms, %.0f grammar rejections, "
			"%.0f full-vocabulary and %.0f first-character filters)\n",
			NUM(gen, "ms"), NUM(gen, "tokens"), NUM(gen, "sample_ms"), NUM(gen, "grammar_rejections"),
			NUM(gen, "full_vocab_filters"), NUM(gen, "first_char_filters"));
		fprintf(stderr, "  fold                        %7.0f ms\n", NUM(ph, "fold_ms"));
		fprintf(stderr, "  store writes                %7.0f ms\n", NUM(ph, "store_ms"));
		fprintf(stderr, "  other                       %7.0f ms\n", NUM(ph, "other_ms"));
	}
#undef NUM
	yyjson_doc_free(doc);
}

static void on_event(const struct tacit_live_event *ev, void *user)
{
	struct out *o = user;
	if (ev->type == TACIT_LIVE_STOPPED)
		__atomic_store_n(&stopped_itself, 1, __ATOMIC_RELEASE);
	if (ev->type == TACIT_LIVE_STOPPED && o->verbose)
		print_phases(ev->json);
	if (o->json) {
		char *line = tacit_live_event_json(ev);
		if (!line)
			return;
		size_t n = strlen(line);
		if (ev->type == TACIT_LIVE_FINAL && o->t0 > 0 && o->speed > 0 && n && line[n - 1] == '}') {
			double lag = (cli_now_s() - o->t0) * o->speed - (double)ev->end_ms / 1000.0;
			line[n - 1] = '\0';
			printf("%s,\"lag_ms\":%.0f}\n", line, lag * 1000.0);
		} else {
			printf("%s\n", line);
		}
		tacit_free(line);
		fflush(stdout);
		return;
	}
	if (o->status)
		cli_status_event(o->status, ev);
	if (ev->type == TACIT_LIVE_PARTIAL || ev->type == TACIT_LIVE_ANSWER_DELTA || ev->type == TACIT_LIVE_METER)
		return; /* the status line shows the first and the last */
	if (o->status)
		cli_status_hide(o->status);
	char clock[32];
	switch (ev->type) {
	case TACIT_LIVE_PARTIAL:
	case TACIT_LIVE_ANSWER_DELTA:
	case TACIT_LIVE_METER:
		break;
	case TACIT_LIVE_FINAL:
		printf("[%s] %s%s%s\n", cli_clock(ev->start_ms, clock, sizeof(clock)), ev->label,
		       *ev->label ? ": " : "", ev->text);
		break;
	case TACIT_LIVE_SUMMARY:
		fprintf(stderr, "tacit: summary updated: %s\n", ev->text);
		break;
	case TACIT_LIVE_SUGGESTION:
		printf("\nSuggestions:\n%s\n", ev->text);
		break;
	case TACIT_LIVE_ANSWER:
		printf("\nAnswer:\n%s\n", ev->text);
		break;
	case TACIT_LIVE_STATUS:
		fprintf(stderr, "tacit: %s\n", ev->text);
		break;
	case TACIT_LIVE_WARNING:
		fprintf(stderr, "tacit: warning: %s\n", ev->text);
		break;
	case TACIT_LIVE_SPEAKER:
		printf("[segment %" PRId64 "] %s%s%s%s\n", ev->segment_no, ev->json && strstr(ev->json, "\"revised\":true") ? "now " : "",
		       ev->label, *ev->text ? ", was " : "", ev->text);
		break;
	case TACIT_LIVE_STOPPED:
		if (*ev->text)
			printf("\n%s", ev->text);
		fprintf(stderr, "tacit: meeting %" PRId64 " ended\n", ev->session_id);
		break;
	}
	fflush(stdout);
	if (o->status)
		cli_status_show(o->status, ev->type != TACIT_LIVE_STOPPED);
}

/* After the stop: the meeting's notes below its summary (STOPPED printed that), as
 * 'tacit show' would print them. */
static void print_notes(int64_t id)
{
	struct tacit_store *store = NULL;
	char *md = NULL;
	if (tacit_store_open(NULL, &store) == TACIT_OK &&
	    tacit_store_get_artifact(store, id, "notes", NULL, &md) == TACIT_OK && md && *md)
		printf("\n# Notes\n\n%s%s", md, md[strlen(md) - 1] == '\n' ? "" : "\n");
	tacit_free(md); /* a meeting with no segments has none */
	tacit_store_close(store);
	fflush(stdout);
}

static enum tacit_status play_file(struct tacit_live *live, const char *path, double speed, struct out *o)
{
	struct tacit_audio_params ap = tacit_audio_default_params();
	struct tacit_audio a = { 0 };
	enum tacit_status st = tacit_audio_load(path, &ap, &a);
	const size_t chunk = TACIT_AUDIO_RATE / 10; /* 100 ms, as a capture callback delivers */
	o->t0 = cli_now_s();
	for (size_t at = 0; st == TACIT_OK && at < a.n_frames && going(); at += chunk) {
		size_t n = a.n_frames - at < chunk ? a.n_frames - at : chunk;
		if (speed > 0)
			sleep_s(o->t0 + (double)(at + n) / TACIT_AUDIO_RATE / speed - cli_now_s());
		st = tacit_live_push(live, a.samples + at * (size_t)a.n_channels, n);
	}
	tacit_audio_release(&a);
	return st;
}

static enum tacit_status play_pcm(struct tacit_live *live, int channels)
{
	int16_t raw[3200];
	float pcm[3200];
	size_t have = 0, frame = sizeof(int16_t) * (size_t)channels;
	enum tacit_status st = TACIT_OK;
	while (st == TACIT_OK && going()) {
		ssize_t got = read(STDIN_FILENO, (char *)raw + have, sizeof(raw) - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		have += (size_t)got;
		size_t n = have / frame;
		for (size_t i = 0; i < n * (size_t)channels; i++)
			pcm[i] = (float)raw[i] / 32768.0f;
		st = tacit_live_push(live, pcm, n);
		memmove(raw, (char *)raw + n * frame, have - n * frame);
		have -= n * frame;
	}
	return st;
}

struct mic_state {
	struct tacit_live *live;
	volatile int failed; /* a push failed: the main thread reports it */
	enum tacit_status st;
	bool all_lost;       /* every device went away: the meeting ended early */
};

static void on_mic(const float *pcm, size_t n_frames, int n_channels, void *user)
{
	struct mic_state *m = user;
	(void)n_channels;
	if (__atomic_load_n(&m->failed, __ATOMIC_ACQUIRE))
		return;
	enum tacit_status st = tacit_live_push(m->live, pcm, n_frames);
	if (st != TACIT_OK) {
		m->st = st;
		__atomic_store_n(&m->failed, 1, __ATOMIC_RELEASE);
	}
}

/* A device went away (tacit_capture_lost): a warning event, in the meeting's output
 * like the library's own. The meeting goes on with the source left; with none left the
 * capture ends and the meeting stops as after Ctrl-C, so everything heard is kept. */
static void say_lost(unsigned lost, unsigned sources, int64_t id, struct out *o)
{
	char text[400];
	const char *why = "unplugged, its output removed, or the sound server stopped";
	if ((lost & sources) == sources)
		snprintf(text, sizeof(text),
			 "%s gone (%s); ending the meeting: everything heard so far is kept",
			 sources == TACIT_CAPTURE_MIC ? "the microphone is" : "the microphone and the system audio are",
			 sources == TACIT_CAPTURE_MIC ? why : "unplugged, or the sound server stopped");
	else if (lost & TACIT_CAPTURE_SYSTEM)
		snprintf(text, sizeof(text),
			 "the system audio is gone (%s); the meeting goes on with the microphone alone (\"Them\" is silent "
			 "from here)",
			 why);
	else
		snprintf(text, sizeof(text),
			 "the microphone is gone (%s); the meeting goes on with the system audio alone (\"Me\" is silent "
			 "from here)",
			 why);
	struct tacit_live_event ev = { .type = TACIT_LIVE_WARNING, .session_id = id, .label = "", .text = text };
	on_event(&ev, o);
}

/* Captures until Ctrl-C (or a failure, or no device left): the microphone, and the
 * system audio with it. cap was opened before the meeting, so that a missing device
 * leaves no meeting. */
static enum tacit_status play_mic(struct tacit_capture *cap, struct mic_state *m, bool system, int64_t id,
				  struct out *o)
{
	unsigned sources = TACIT_CAPTURE_MIC | (system ? TACIT_CAPTURE_SYSTEM : 0), told = 0;
	enum tacit_status st = tacit_capture_start(cap);
	while (st == TACIT_OK && going() && !__atomic_load_n(&m->failed, __ATOMIC_ACQUIRE) && !m->all_lost) {
		sleep_s(0.05);
		unsigned lost = tacit_capture_lost(cap);
		if (lost != told) {
			say_lost(lost, sources, id, o);
			told = lost;
			m->all_lost = (lost & sources) == sources;
		}
	}
	tacit_capture_stop(cap);
	if (st == TACIT_OK && m->failed)
		st = m->st; /* its message was recorded on the audio thread */
	return st;
}

/* --mic DEVICE, --system DEVICE: the device is optional, so it may come as the next word. */
static const char *optional_word(int argc, char **argv)
{
	if (optarg)
		return optarg;
	if (optind < argc && argv[optind][0] != '-')
		return argv[optind++];
	return NULL;
}

/* Replays a transcript's segments; files without times get them at 150 words a minute. */
static enum tacit_status play_transcript(struct tacit_live *live, const char *path, double speed, struct out *o)
{
	struct tacit_transcript *t = NULL;
	enum tacit_status st = tacit_transcript_load(path, &t);
	int64_t at = 0;
	o->t0 = cli_now_s();
	for (size_t i = 0; st == TACIT_OK && i < tacit_transcript_count(t) && going(); i++) {
		struct tacit_segment seg;
		tacit_transcript_get(t, i, &seg);
		if (seg.start_ms < 0 || seg.end_ms < seg.start_ms) {
			int words = 1;
			for (const char *p = seg.text; *p; p++)
				words += *p == ' ';
			seg.start_ms = at;
			seg.end_ms = at + (words * 60000 / 150 > 1000 ? words * 60000 / 150 : 1000);
		}
		at = seg.end_ms;
		if (speed > 0)
			sleep_s(o->t0 + (double)seg.end_ms / 1000.0 / speed - cli_now_s());
		st = tacit_live_add_segment(live, &seg);
	}
	tacit_transcript_free(t);
	return st;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* The template the analysis folds with from its first window (so the stop's summary and
 * notes are the template's own, no second pass): --template, else the setting
 * summary.template (copied into buf), else general (NULL). */
static const char *live_template(const char *named, char *buf, size_t n)
{
	struct tacit_store *store = NULL;
	char *setting = NULL;
	if (named)
		return named;
	if (tacit_store_open(NULL, &store) == TACIT_OK &&
	    tacit_store_setting_get(store, "summary.template", &setting) == TACIT_OK && setting)
		snprintf(buf, n, "%s", setting);
	tacit_free(setting);
	tacit_store_close(store);
	return *buf ? buf : NULL;
}

int cmd_live(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "realtime", required_argument, NULL, 'R' }, { "pcm", required_argument, NULL, 'P' },
		{ "channels", required_argument, NULL, 'c' }, { "replay", required_argument, NULL, 'r' },
		{ "speed", required_argument, NULL, 'S' },    { "resume", required_argument, NULL, 'u' },
		{ "title", required_argument, NULL, 'T' },    { "suggest", optional_argument, NULL, 'g' },
		{ "no-suggest", no_argument, NULL, 'G' },     { "ask", required_argument, NULL, 'a' },
		{ "wait-idle", no_argument, NULL, 'w' },      { "model", required_argument, NULL, 'm' },
		{ "no-stop", no_argument, NULL, 'N' },        { "engine", required_argument, NULL, 'E' },
		{ "asr-model", required_argument, NULL, 'A' }, { "vad-model", required_argument, NULL, 'V' },
		{ "no-analysis", no_argument, NULL, 'n' },    { "max-tokens", required_argument, NULL, 'x' },
		{ "window-tokens", required_argument, NULL, 'W' }, { "ctx", required_argument, NULL, 'C' },
		{ "threads", required_argument, NULL, 't' },  { "no-fallback", no_argument, NULL, 'F' },
		{ "no-partials", no_argument, NULL, 'p' },    { "json", no_argument, NULL, 'j' },           { "sysroot", required_argument, NULL, 's' },
		{ "mic", optional_argument, NULL, 'M' },      { "system", optional_argument, NULL, 'Y' },
		{ "template", required_argument, NULL, 'K' },
		{ "speakers", required_argument, NULL, 'k' }, { "embedding-model", required_argument, NULL, 'e' },
		{ "speaker-threshold", required_argument, NULL, 'H' },
		{ "asr-engine", required_argument, NULL, 'X' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },           { 0, 0, 0, 0 },
	};
	struct tacit_live_params p = tacit_live_default_params();
	const char *template_name = NULL;
	struct tacit_engine engine = tacit_engine_default(), asr_engine = tacit_engine_default();
	const char *engine_url = NULL, *asr_url = NULL;
	const char *realtime = NULL, *pcm = NULL, *replay = NULL, *question = NULL;
	double speed = 1.0;
	bool wait_idle = false, mic = false, no_stop = false, speakers_off = false;
	const char *speaker_named = getenv("TACIT_EMBEDDING_MODEL");
	char *speaker_path = NULL;
	struct tacit_capture_params cp = tacit_capture_default_params();
	struct tacit_capture *cap = NULL;
	struct mic_state m = { NULL, 0, TACIT_OK, false };
	struct out o = { .json = false, .t0 = 0, .speed = 1.0 };
	struct cli_status status; /* outlives the meeting: its events may come until close */
	int c, rc = 0;
	char *end;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			realtime = optarg;
			break;
		case 'P':
			if (strcmp(optarg, "-") != 0)
				return cli_usage_error("live", "--pcm reads standard input: use '--pcm -'");
			pcm = optarg;
			break;
		case 'c':
			if (parse_int(optarg, 1, 2, &p.n_channels))
				return cli_usage_error("live", "--channels must be 1 or 2, not '%s'", optarg);
			break;
		case 'r':
			replay = optarg;
			break;
		case 'M':
			mic = true;
			cp.device = optional_word(argc, argv);
			break;
		case 'Y':
			cp.system = true;
			cp.system_device = optional_word(argc, argv);
			break;
		case 'S':
			speed = strtod(optarg, &end);
			if (*end || !(speed >= 0 && speed <= 100000))
				return cli_usage_error("live", "bad speed '%s'", optarg);
			break;
		case 'u':
			if (!cli_session_id("live", optarg, &p.resume_id))
				return EXIT_USAGE;
			break;
		case 'T':
			p.title = optarg;
			break;
		case 'g':
			p.suggest = 1;
			if (optarg && parse_int(optarg, 1, 86400, &p.suggest_interval_s))
				return cli_usage_error("live", "bad suggestion interval '%s' (seconds)", optarg);
			break;
		case 'G':
			p.suggest = 0;
			break;
		case 'a':
			question = optarg;
			break;
		case 'w':
			wait_idle = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'N':
			no_stop = true;
			break;
		case 'm':
			p.llm_model = optarg;
			break;
		case 'E':
			engine_url = optarg;
			break;
		case 'X':
			asr_url = optarg;
			break;
		case 'K':
			template_name = optarg;
			break;
		case 'A':
			p.asr_model = optarg;
			break;
		case 'V':
			p.vad_model = optarg;
			break;
		case 'n':
			p.analyze = false;
			break;
		case 'x':
			if (parse_int(optarg, 16, 8192, &p.max_tokens))
				return cli_usage_error("live", "bad --max-tokens '%s'", optarg);
			break;
		case 'W':
			if (parse_int(optarg, 64, 1 << 20, &p.window_tokens))
				return cli_usage_error("live", "bad --window-tokens '%s'", optarg);
			break;
		case 'C':
			if (parse_int(optarg, 256, 1 << 20, &p.n_ctx))
				return cli_usage_error("live", "bad --ctx '%s'", optarg);
			break;
		case 't':
			if (parse_int(optarg, 1, 512, &p.asr_threads))
				return cli_usage_error("live", "bad thread count '%s'", optarg);
			break;
		case 'F':
			p.asr_fallback = false;
			break;
		case 'p':
			p.partial_every_ms = 0;
			break;
		case 'j':
			o.json = true;
			break;
		case 's':
			p.sysroot = optarg;
			break;
		case 'k':
			speakers_off = !strcmp(optarg, "off");
			if (!speakers_off && strcmp(optarg, "auto"))
				return cli_usage_error("live", "--speakers is auto or off, not '%s'", optarg);
			break;
		case 'e':
			speaker_named = optarg;
			break;
		case 'H':
			p.speaker_threshold = strtof(optarg, &end);
			if (*end || !(p.speaker_threshold > 0.0f && p.speaker_threshold < 2.0f))
				return cli_usage_error("live", "bad --speaker-threshold '%s' (a distance between 0 and 2)", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("live", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("live", "unexpected argument '%s'", argv[optind]);
	if (!!realtime + !!pcm + !!replay + mic != 1)
		return cli_usage_error("live", "give one of --realtime FILE, --pcm -, --mic or --replay TRANSCRIPT");
	if (cp.system && !mic)
		return cli_usage_error("live", "--system goes with --mic (the microphone is \"Me\", the system \"Them\")");
	if (replay && !p.analyze)
		return cli_usage_error("live", "--replay feeds the analysis: it cannot go with --no-analysis");
	if (question && !p.analyze)
		return cli_usage_error("live", "--ask needs the analysis");
	if (pcm && p.n_channels == 0)
		p.n_channels = 1;
	if (realtime)
		p.n_channels = 1;
	if (mic) {
		if (!cp.system && p.n_channels == 2)
			cp.channels = 2;
		p.n_channels = cp.system ? 2 : cp.channels;
	}
	p.transcribe = !replay;
	p.record_audio = !replay;
	if ((realtime && (rc = cli_input_check(realtime))) || (replay && (rc = cli_input_check(replay))))
		return rc;
	if (template_name && !p.analyze)
		return cli_usage_error("live", "--template needs the language model (not --no-analysis)");
	char template_setting[256] = "";
	if (p.analyze)
		p.template_name = live_template(template_name, template_setting, sizeof(template_setting));
	enum tacit_status tst = tacit_template_check(p.template_name);
	if (tst != TACIT_OK) /* before a meeting exists */
		return cli_fail(tst);
	/* a remote engine needs no language model here; --model then names the server's */
	if (p.analyze && (rc = cli_engine("live", engine_url, &engine)))
		return rc;
	if (p.analyze && tacit_engine_is_remote(&engine)) {
		if (p.llm_model)
			snprintf(engine.model, sizeof(engine.model), "%s", p.llm_model);
		p.engine = &engine;
	} else if (p.analyze) {
		p.engine = &engine; /* local, as decided here, whatever the setting says later */
	}
	/* and speech: a server needs no whisper model here (the VAD still runs here) */
	if (p.transcribe && (rc = cli_asr_engine("live", asr_url, &asr_engine)))
		return rc;
	bool asr_remote = p.transcribe && tacit_engine_is_remote(&asr_engine);
	if (asr_remote && p.asr_model)
		snprintf(asr_engine.model, sizeof(asr_engine.model), "%s", p.asr_model);
	p.asr_engine = p.transcribe ? &asr_engine : NULL;
	/* all missing models in one message, before a meeting exists */
	struct cli_model need[3];
	size_t n_need = 0;
	if (p.analyze && !tacit_engine_is_remote(&engine))
		need[n_need++] = (struct cli_model){ TACIT_MODEL_LLM, p.llm_model, "--model", " (or --no-analysis)", NULL };
	if (p.transcribe) {
		if (!asr_remote)
			need[n_need++] = (struct cli_model){ TACIT_MODEL_ASR, p.asr_model, "--asr-model", NULL, NULL };
		need[n_need++] = (struct cli_model){ TACIT_MODEL_VAD, p.vad_model, "--vad-model", NULL, NULL };
	}
	if ((rc = cli_models_resolve("live", need, n_need)))
		return rc;
	enum tacit_status st;
	/* speaker labels: auto when a speaker model is installed; one named must be there */
	if (p.transcribe && !speakers_off) {
		if (speaker_named && !*speaker_named)
			speaker_named = NULL;
		st = tacit_model_resolve(TACIT_MODEL_SPEAKER, speaker_named, &speaker_path);
		if (st == TACIT_OK) {
			p.speaker_model = speaker_path;
		} else if (speaker_named) {
			rc = cli_fail(st);
			goto out;
		}
	}
	if (mic && (st = tacit_capture_open(&cp, on_mic, &m, &cap)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	for (size_t i = 0; i < n_need; i++) {
		if (need[i].kind == TACIT_MODEL_LLM)
			p.llm_model = need[i].path;
		else if (need[i].kind == TACIT_MODEL_ASR)
			p.asr_model = need[i].path;
		else
			p.vad_model = need[i].path;
	}
	p.on_event = on_event;
	p.user = &o;
	o.speed = speed;

	if (p.suggest == 1) { /* the user turns them on: the one-time notice */
		struct tacit_store *store = NULL;
		char *notice = NULL;
		st = tacit_store_open(NULL, &store);
		if (st == TACIT_OK)
			st = tacit_suggestions_notice(store, &notice);
		tacit_store_close(store);
		if (st != TACIT_OK) {
			rc = cli_fail(st);
			goto out;
		}
		if (notice)
			fprintf(stderr, "tacit: %s\n", notice);
		tacit_free(notice);
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* the library's threads inherit a mask without SIGINT and SIGTERM, so the handler
	 * runs on this thread only and never beside tacit_live_close() */
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	if (!o.json && p.transcribe) { /* from here: loading the models is not silent either */
		cli_status_start(&status);
		o.status = &status;
	}
	struct tacit_live *live = NULL;
	st = tacit_live_open(&p, &live);
	signal_live = live;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (st != TACIT_OK) {
		if (o.status)
			cli_status_stop(o.status);
		rc = cli_fail(st);
		goto out;
	}
	if (n_signals >= 2)
		tacit_live_abort(live);
	m.live = live;
	int64_t id = tacit_live_session_id(live);
	if (o.status)
		cli_status_hide(o.status);
	if (!o.json && p.analyze)
		fprintf(stderr,
			"tacit: meeting %" PRId64 " is live (Ctrl-C stops it; ask it from another terminal with "
			"'tacit ask --live %" PRId64 " \"QUESTION\"')\n",
			id, id);
	else if (!o.json)
		fprintf(stderr, "tacit: meeting %" PRId64 " is live (Ctrl-C stops it)\n", id);
	if (mic)
		fprintf(stderr, "tacit: listening on '%s' (Ctrl-C stops)\n", tacit_capture_device_name(cap));
	if (o.status)
		cli_status_show(o.status, true);
	if (realtime)
		st = play_file(live, realtime, speed, &o);
	else if (pcm)
		st = play_pcm(live, p.n_channels);
	else if (mic)
		st = play_mic(cap, &m, cp.system, id, &o);
	else
		st = play_transcript(live, replay, speed, &o);
	if (o.status)
		cli_status_note(o.status, p.analyze ? "stopping: the rest of the transcript, then the summary"
						  : "stopping: the rest of the transcript");
	if (st != TACIT_OK && o.status)
		cli_status_hide(o.status);
	bool input_failed = st != TACIT_OK; /* e.g. the speech server went away */
	if (st != TACIT_OK)
		rc = cli_fail(st);
	if (st != TACIT_OK && o.status)
		cli_status_show(o.status, true);
	if (st == TACIT_OK && question && !n_signals) {
		if ((st = tacit_live_wait_idle(live, -1)) == TACIT_OK)
			st = tacit_live_ask(live, question, NULL);
		if (st == TACIT_OK)
			st = tacit_live_wait_idle(live, -1);
		if (st != TACIT_OK)
			rc = cli_fail(st);
	}
	if (st == TACIT_OK && wait_idle && !n_signals)
		tacit_live_wait_idle(live, -1);
	if (rc == 0 && no_stop && going()) {
		if (o.status)
			cli_status_stop(o.status);
		fprintf(stderr, "tacit: meeting %" PRId64 " stays unfinished (go on with 'tacit live --resume %" PRId64 "')\n",
			id, id);
	} else if (rc == 0) {
		st = tacit_live_stop(live, NULL);
		if (o.status)
			cli_status_stop(o.status);
		if (st != TACIT_OK)
			rc = cli_fail(st);
		input_failed = st == TACIT_ERR_NETWORK || st == TACIT_ERR_WORKER; /* the transcription's */
		if (st == TACIT_ERR_CANCELLED && n_signals >= 2)
			rc = 130; /* as the signal would have */
		if (st == TACIT_OK && p.analyze && !o.json)
			print_notes(id);
	}
	if (o.status)
		cli_status_stop(o.status);
	if (rc == 0 && m.all_lost) { /* stopped and kept, but not as asked: say so */
		fprintf(stderr, "tacit: meeting %" PRId64 " ended early: its audio devices went away\n", id);
		rc = tacit_status_exit_code(TACIT_ERR_IO);
	}
	signal_live = NULL;
	tacit_live_close(live);
	if (input_failed)
		fprintf(stderr,
			"tacit: meeting %" PRId64 " stays unfinished, its recording and transcript so far kept (go on "
			"with 'tacit live --resume %" PRId64 "')\n",
			id, id);
out:
	tacit_capture_close(cap);
	for (size_t i = 0; i < n_need; i++)
		tacit_free(need[i].path);
	tacit_free(speaker_path);
	return rc;
}
