/*
 * cmd_import.c — `tacit import FILE`: a recording (transcribed, its audio kept) or a
 * transcript (QMSum JSON or "Speaker: text" lines) becomes a meeting. A transcript has no
 * times: they are synthesized at a speaking rate, and the output says so.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: tacit import [options] FILE\n"
	"  FILE             a recording (wav, mp3, m4a, ogg, flac, webm, mp4...), or a\n"
	"                   transcript: QMSum-style JSON or \"Speaker: text\" lines;\n"
	"                   '-' reads standard input (a pipe or FIFO works too)\n"
	"  --title T        the meeting's title (default: the file name)\n"
	"  --wpm N          transcripts: speaking rate used to estimate times (default 150)\n"
	"recordings (a stereo file gives \"Me\" for channel 0 and \"Them\" for channel 1):\n"
	"  --asr-model NAME whisper model: a catalog id or a path (default: setting\n"
	"                   model.asr, else the downloaded one); --model NAME is an\n"
	"                   older spelling of it, still accepted\n"
	"  --vad-model NAME Silero VAD model (default: setting model.vad, else downloaded)\n"
	"  --no-vad         decode everything, silence included\n"
	"  --asr-engine URL transcribe on that speech server (whisper-server or OpenAI-style):\n"
	"                   the audio goes there and nowhere else; 'local' = this device\n"
	"                   (default: setting engine.asr, see 'tacit engine --asr')\n"
	"  --language L     a language code, or auto (default auto)\n"
	"  --threads N      threads (default: this machine's usable cores)\n"
	"  --fallback       retry unclear windows at higher temperature (off by\n"
	"                   default: each retry decodes a window again, and on noise a\n"
	"                   5-minute recording took over 12 minutes)\n"
	"  --no-fallback    the default: no retries at higher temperature\n"
	"  --speakers auto|N|off\n"
	"                   who spoke: a mono file's segments (a stereo file's \"Them\")\n"
	"                   get \"Speaker 1\"...\"Speaker N\"; N: exactly N speakers\n"
	"                   (default auto: when an embedding model is named, set or\n"
	"                   downloaded; else off)\n"
	"  --embedding-model NAME\n"
	"                   speaker-embedding ONNX, a path or a catalog id (or\n"
	"                   TACIT_EMBEDDING_MODEL; default: setting model.speaker, else\n"
	"                   the downloaded one)\n"
	"  --segmentation-model PATH\n"
	"                   pyannote segmentation-3.0 ONNX (or TACIT_SEGMENTATION_MODEL);\n"
	"                   without it, VAD windows (see 'tacit diarize --help')\n";

static volatile int cancel_flag;

/* Each final segment moves the progress line to the end of the speech found so far. */
static bool on_segment(const struct tacit_asr_segment *seg, void *user)
{
	struct cli_progress *bar = user;
	if (seg->final && seg->end_ms > cli_progress_done(bar))
		cli_progress_set(bar, seg->end_ms);
	return true;
}

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n((int *)&cancel_flag, 1, __ATOMIC_RELAXED);
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "wpm", required_argument, NULL, 'w' },
		{ "asr-model", required_argument, NULL, 'm' },
		{ "model", required_argument, NULL, 'm' }, /* before --asr-model: kept for scripts */
		{ "vad-model", required_argument, NULL, 'V' },
		{ "no-vad", no_argument, NULL, 'N' },
		{ "language", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 'j' },
		{ "no-fallback", no_argument, NULL, 'F' },   { "fallback", no_argument, NULL, 'B' },
		{ "speakers", required_argument, NULL, 'S' },
		{ "embedding-model", required_argument, NULL, 'E' },
		{ "segmentation-model", required_argument, NULL, 'G' },
		{ "asr-engine", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_import_params p = tacit_import_default_params();
	struct tacit_audio_import_params ap = tacit_audio_import_default_params();
	struct tacit_store *s;
	struct tacit_session ss;
	int64_t id = 0;
	char *end, clock[32];
	int c, rc;
	bool speakers_off = false;
	const char *engine_url = NULL;
	struct tacit_engine engine;

	ap.temperature_fallback = false; /* a bounded cost: --fallback asks for it */
	ap.embedding_model = getenv("TACIT_EMBEDDING_MODEL");
	ap.segmentation_model = getenv("TACIT_SEGMENTATION_MODEL");
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			p.title = optarg;
			break;
		case 'w':
			p.words_per_minute = (int)strtol(optarg, &end, 10);
			if (*end || p.words_per_minute < 1 || p.words_per_minute > 1000)
				return cli_usage_error("import", "--wpm wants a number from 1 to 1000, not '%s'", optarg);
			break;
		case 'm':
			ap.asr_model = optarg;
			break;
		case 'V':
			ap.vad_model = optarg;
			break;
		case 'N':
			ap.no_vad = true;
			break;
		case 'l':
			ap.language = optarg;
			break;
		case 'j':
			ap.n_threads = (int)strtol(optarg, &end, 10);
			if (*end || ap.n_threads < 1 || ap.n_threads > 512)
				return cli_usage_error("import", "bad thread count '%s'", optarg);
			break;
		case 'F':
			ap.temperature_fallback = false;
			break;
		case 'B':
			ap.temperature_fallback = true;
			break;
		case 'S':
			speakers_off = !strcmp(optarg, "off");
			if (speakers_off || !strcmp(optarg, "auto")) {
				ap.n_speakers = 0;
				break;
			}
			ap.n_speakers = (int)strtol(optarg, &end, 10);
			if (*end || ap.n_speakers < 1 || ap.n_speakers > 100)
				return cli_usage_error("import", "bad --speakers '%s' (auto, off or a number from 1 to 100)",
						       optarg);
			break;
		case 'E':
			ap.embedding_model = optarg;
			break;
		case 'G':
			ap.segmentation_model = optarg;
			break;
		case 'e':
			engine_url = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("import", c, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("import", argc - optind ? "one file at a time" : "missing the file to import");
	if (ap.segmentation_model && !*ap.segmentation_model)
		ap.segmentation_model = NULL;
	if ((rc = cli_asr_engine("import", engine_url, &engine)))
		return rc;
	ap.asr_engine = &engine;
	/* A stream can be read once: it is copied to a file before anything looks at it. */
	const char *file = argv[optind];
	char *spooled = NULL, title[256];
	if ((rc = cli_input_check(file)))
		return rc;
	enum tacit_status st = tacit_import_spool(file, &spooled);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (spooled && !p.title) {
		const char *base = strrchr(file, '/');
		base = base ? base + 1 : file;
		const char *dot = strrchr(base, '.');
		int n = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
		if (!strcmp(file, "-"))
			snprintf(title, sizeof(title), "stdin");
		else
			snprintf(title, sizeof(title), "%.*s", n, base);
		p.title = title;
	}
	if (spooled)
		file = spooled;
	bool audio = tacit_file_is_audio(file);
	struct cli_model need[] = {
		{ TACIT_MODEL_ASR, ap.asr_model, "--asr-model", NULL, NULL },
		{ TACIT_MODEL_VAD, ap.vad_model, "--vad-model", " (or --no-vad to decode silence too)", NULL },
	};
	bool remote = tacit_engine_is_remote(&engine); /* the server's models, none here */
	if (audio && !remote && (rc = cli_models_resolve("import", need, ap.no_vad ? 1 : 2))) {
		if (spooled)
			unlink(spooled);
		tacit_free(spooled);
		return rc;
	}
	if (audio && !remote) {
		ap.asr_model = need[0].path;
		ap.vad_model = need[1].path;
	}
	/* speakers: auto diarizes when an embedding model is named, set or downloaded; a
	 * model asked for (named, or --speakers N) must be there */
	char *speaker_path = NULL;
	const char *named = ap.embedding_model && *ap.embedding_model ? ap.embedding_model : NULL;
	ap.embedding_model = NULL;
	if (audio && !speakers_off) {
		st = tacit_model_resolve(TACIT_MODEL_SPEAKER, named, &speaker_path);
		if (st == TACIT_OK) {
			ap.embedding_model = speaker_path;
		} else if (named || ap.n_speakers > 0) {
			rc = cli_fail(st);
			if (spooled)
				unlink(spooled);
			tacit_free(spooled);
			tacit_free(need[0].path);
			tacit_free(need[1].path);
			return rc;
		}
	}
	st = tacit_store_open(NULL, &s);
	if (audio) {
		ap.title = p.title;
		ap.cancel = &cancel_flag;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	}
	struct cli_progress bar;
	cli_progress_start(&bar, false);
	if (audio) {
		ap.on_segment = on_segment;
		ap.user = &bar;
		cli_progress_phase(&bar, "transcribe", 0);
	}
	if (st == TACIT_OK)
		st = audio ? tacit_store_import_audio(s, file, &ap, &id) : tacit_store_import(s, file, &p, &id);
	cli_progress_stop(&bar);
	if (st == TACIT_OK)
		st = tacit_store_session_get(s, id, &ss);
	tacit_store_close(s);
	if (spooled)
		unlink(spooled);
	tacit_free(spooled);
	tacit_free(need[0].path);
	tacit_free(need[1].path);
	tacit_free(speaker_path);
	if (st != TACIT_OK)
		return cli_fail(st);
	char segs[48], spk[48];
	printf("imported '%s' as session %" PRId64 ": %s, %s, %s\n", ss.title, id,
	       cli_count(ss.n_segments, "segment", segs, sizeof(segs)),
	       ss.n_speakers ? cli_count(ss.n_speakers, "speaker", spk, sizeof(spk)) : "speakers unknown",
	       cli_clock(ss.duration_ms, clock, sizeof(clock)));
	if (ss.times_synthesized)
		fprintf(stderr, "note: the transcript had no times; they are estimated at %d words per minute\n",
			p.words_per_minute);
	else if (ss.n_segments == 0)
		fprintf(stderr, "note: no speech was found in the recording\n");
	return 0;
}
