/*
 * cmd_import.c — `tacit import FILE`: a recording (transcribed, its audio kept) or a
 * transcript (QMSum JSON or "Speaker: text" lines) becomes a meeting. A transcript has no
 * times: they are synthesized at a speaking rate, and the output says so. A recording is
 * summarized while it is transcribed when a language model is there (the library folds
 * it as a live meeting's analysis would), so its summary and notes come with the transcript;
 * a transcript file is stored, then summarized by the same analysis.
 */
#include "cli.h"

#include <getopt.h>
#include <pthread.h>
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
	"                   without it, VAD windows (see 'tacit diarize --help')\n"
	"summary and notes, written while a recording is transcribed (a transcript is\n"
	"summarized once stored, with the same analysis):\n"
	"  --llm-model NAME language model (default: setting model.llm, else the\n"
	"                   downloaded one; none downloaded: they are skipped, with a note)\n"
	"  --no-summary     transcribe only\n"
	"  --template NAME  the summary's template ('tacit templates'; default: setting\n"
	"                   summary.template, see 'tacit templates --default', else\n"
	"                   general), folded as the rest: no second pass\n"
	"  --lang L         write the summary and notes in this language, a code (fr)\n"
	"                   or a name (default: the meeting's)\n"
	"  --window-tokens N, --ctx N\n"
	"                   the analysis's window and context, as for 'tacit live'\n"
	"  --json           progress as JSON lines on stderr (with \"analysed_ms\", how far\n"
	"                   the summary has got) and the result as one JSON line\n"
	"Ctrl-C while a recording or a transcript is summarized keeps the meeting with\n"
	"what was transcribed so far and its audio, or its transcript (exit 17);\n"
	"'tacit summarize ID' finishes it.\n";

static volatile int cancel_flag;

/* Each final segment moves the progress line to the end of the speech found so far. */
static bool on_segment(const struct tacit_asr_segment *seg, void *user)
{
	struct cli_progress *bar = user;
	if (seg->final && seg->end_ms > cli_progress_done(bar))
		cli_progress_set(bar, seg->end_ms);
	return true;
}

/* The analysis's events: final segments' ends (a fold says how many segments it
 * covers), folds into the progress line, warnings. On the library's threads. */
struct analysis_ui {
	struct cli_progress *bar;
	pthread_mutex_t mu;
	int64_t *ends; /* end_ms by segment number - 1 */
	size_t n_ends, alloc;
	double t_last_final;
};

static void on_event(const struct tacit_live_event *ev, void *user)
{
	struct analysis_ui *u = user;
	int64_t ms = 0;
	if (ev->type == TACIT_LIVE_FINAL && ev->segment_no > 0) {
		size_t i = (size_t)(ev->segment_no - 1);
		pthread_mutex_lock(&u->mu);
		if (i >= u->alloc) {
			size_t n = u->alloc ? u->alloc * 2 : 256;
			while (n <= i)
				n *= 2;
			int64_t *e = realloc(u->ends, n * sizeof(*e));
			if (e) {
				memset(e + u->alloc, 0, (n - u->alloc) * sizeof(*e));
				u->ends = e;
				u->alloc = n;
			}
		}
		if (i < u->alloc) {
			u->ends[i] = ev->end_ms;
			u->n_ends = i + 1 > u->n_ends ? i + 1 : u->n_ends;
		}
		u->t_last_final = cli_now_s();
		pthread_mutex_unlock(&u->mu);
	} else if (ev->type == TACIT_LIVE_SUMMARY && ev->json) {
		const char *k = strstr(ev->json, "\"next_segment\":");
		long long next = k ? strtoll(k + strlen("\"next_segment\":"), NULL, 10) : 0;
		pthread_mutex_lock(&u->mu);
		if (next > 0 && (size_t)next <= u->n_ends)
			ms = u->ends[next - 1];
		pthread_mutex_unlock(&u->mu);
		cli_progress_analysed(u->bar, ms);
	} else if (ev->type == TACIT_LIVE_WARNING) {
		fprintf(stderr, "tacit: warning: %s\n", ev->text);
	}
}

/* A transcript's analysis: segments summarized so far, of all. */
static bool on_summarized(const struct tacit_progress *pr, void *user)
{
	cli_progress_count(user, "summarize", pr->done, pr->total);
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
		{ "llm-model", required_argument, NULL, 'L' },
		{ "no-summary", no_argument, NULL, 'n' },
		{ "template", required_argument, NULL, 'K' },
		{ "lang", required_argument, NULL, 'g' },
		{ "window-tokens", required_argument, NULL, 'W' },
		{ "ctx", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_import_params p = tacit_import_default_params();
	struct tacit_audio_import_params ap = tacit_audio_import_default_params();
	struct tacit_session ss;
	int64_t id = 0;
	char *end, clock[32];
	int c, rc;
	const char *engine_url = NULL;
	struct tacit_engine engine;
	enum tacit_status st0;
	bool speakers_off = false, no_summary = false, json = false;
	const char *llm_name = NULL, *template_name = NULL, *lang = NULL;

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
		case 'L':
			llm_name = optarg;
			break;
		case 'n':
			no_summary = true;
			break;
		case 'K':
			template_name = optarg;
			break;
		case 'g':
			lang = optarg;
			break;
		case 'W':
			ap.window_tokens = (int)strtol(optarg, &end, 10);
			if (*end || ap.window_tokens < 50 || ap.window_tokens > 1000000)
				return cli_usage_error("import", "--window-tokens wants a number from 50 to 1000000, not '%s'",
						       optarg);
			break;
		case 'C':
			ap.n_ctx = (int)strtol(optarg, &end, 10);
			if (*end || ap.n_ctx < 512 || ap.n_ctx > 1048576)
				return cli_usage_error("import", "--ctx wants a number from 512 to 1048576, not '%s'", optarg);
			break;
		case 'J':
			json = true;
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
	if (no_summary && (llm_name || template_name || lang))
		return cli_usage_error("import", "--no-summary leaves no summary for --llm-model, --template or --lang");
	if ((st0 = tacit_template_check(template_name)) != TACIT_OK) /* before anything is read */
		return cli_fail(st0);
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
	char *speaker_path = NULL, *llm_path = NULL;
	struct tacit_store *s = NULL;
	struct analysis_ui ui = { 0 };
	struct cli_progress bar;
	const char *named = ap.embedding_model && *ap.embedding_model ? ap.embedding_model : NULL;
	ap.embedding_model = NULL;
	rc = 0;
	pthread_mutex_init(&ui.mu, NULL);
	cli_progress_start(&bar, json);
	bool bar_on = true;
	if (audio && !speakers_off) {
		st = tacit_model_resolve(TACIT_MODEL_SPEAKER, named, &speaker_path);
		if (st == TACIT_OK)
			ap.embedding_model = speaker_path;
		else if (named || ap.n_speakers > 0)
			goto out;
		st = TACIT_OK;
	}
	/* the language model: named, set or downloaded; with none the import goes on */
	if (!no_summary) {
		st = tacit_model_resolve(TACIT_MODEL_LLM, llm_name, &llm_path);
		if (st != TACIT_OK && llm_name)
			goto out;
		if (st != TACIT_OK)
			fprintf(stderr, "note: no language model is downloaded: the summary and notes are skipped "
					"(run 'tacit setup', or pass --llm-model)\n");
		st = TACIT_OK;
	}
	if ((st = tacit_store_open(NULL, &s)) != TACIT_OK)
		goto out;
	if (audio) {
		ap.title = p.title;
		ap.cancel = &cancel_flag;
		ap.on_segment = on_segment;
		ap.user = &bar;
		ap.analyze = llm_path != NULL;
		ap.llm_model = llm_path;
		ap.on_event = on_event;
		ap.event_user = &ui;
		ap.template_name = template_name;
		ap.output_language = lang;
		cli_progress_phase(&bar, "transcribe", 0);
	} else if (llm_path) { /* a transcript: folded once stored, its progress in segments */
		p.analyze = true;
		p.llm_model = llm_path;
		p.window_tokens = ap.window_tokens;
		p.n_ctx = ap.n_ctx;
		p.llm_threads = ap.n_threads;
		p.template_name = template_name;
		p.output_language = lang;
		p.on_event = on_event;
		p.event_user = &ui;
		p.progress = on_summarized;
		p.progress_user = &bar;
		p.cancel = &cancel_flag;
	}
	ui.bar = &bar;
	if (audio || p.analyze) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	}
	st = audio ? tacit_store_import_audio(s, file, &ap, &id) : tacit_store_import(s, file, &p, &id);
	bool analysed = ap.analyze || p.analyze;
	double t_ready = cli_now_s();
	cli_progress_stop(&bar);
	bar_on = false;
	if (st != TACIT_OK && id > 0 && analysed) { /* the meeting is kept with what it has */
		rc = cli_fail(st);
		fprintf(stderr, "note: meeting %" PRId64 " keeps %s ('tacit show %" PRId64 "'; 'tacit summarize %" PRId64
				"' for a summary)\n",
			id, audio ? "what was transcribed and its audio" : "its transcript", id, id);
		goto out;
	}
	if (st == TACIT_OK)
		st = tacit_store_session_get(s, id, &ss);
	if (st != TACIT_OK)
		goto out;
	char segs[48], spk[48];
	if (json) {
		printf("{\"session\":%" PRId64 ",\"segments\":%" PRId64 ",\"duration_ms\":%" PRId64 ",\"summary\":%s", id,
		       (int64_t)ss.n_segments, (int64_t)ss.duration_ms, analysed ? "true" : "false");
		if (ap.analyze && ui.t_last_final > 0)
			printf(",\"summary_after_last_segment_s\":%.3f", t_ready - ui.t_last_final);
		printf("}\n");
	} else {
		printf("imported '%s' as session %" PRId64 ": %s, %s, %s\n", ss.title, id,
		       cli_count(ss.n_segments, "segment", segs, sizeof(segs)),
		       ss.n_speakers ? cli_count(ss.n_speakers, "speaker", spk, sizeof(spk)) : "speakers unknown",
		       cli_clock(ss.duration_ms, clock, sizeof(clock)));
		if (analysed)
			printf("summary and notes stored ('tacit show %" PRId64 "')\n", id);
	}
	if (ss.n_segments) {
		/* with an embedding model here, the meeting is searched by meaning at once */
		char *embed = NULL;
		if (cli_index_for_search("import", s, NULL, 0, json, &embed) != 0)
			fprintf(stderr, "note: the meeting is stored; 'tacit index' indexes it for search by meaning\n");
		tacit_free(embed);
	}
	if (ss.times_synthesized)
		fprintf(stderr, "note: the transcript had no times; they are estimated at %d words per minute\n",
			p.words_per_minute);
	else if (ss.n_segments == 0)
		fprintf(stderr, "note: no speech was found in the recording\n");
out:
	if (bar_on)
		cli_progress_stop(&bar);
	if (st != TACIT_OK && !rc)
		rc = cli_fail(st);
	tacit_store_close(s);
	if (spooled)
		unlink(spooled);
	tacit_free(spooled);
	tacit_free(need[0].path);
	tacit_free(need[1].path);
	tacit_free(speaker_path);
	tacit_free(llm_path);
	free(ui.ends);
	pthread_mutex_destroy(&ui.mu);
	return rc;
}
