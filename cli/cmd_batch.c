/*
 * cmd_batch.c — `tacit batch PATH…`: every recording and transcript under the paths
 * becomes a meeting (imported and transcribed, its summary and notes written by the
 * import's own analysis as it runs), through the store's durable queue (tacit_batch_*), so a run killed at any point
 * resumes when started again and no file is processed twice. One process works the queue
 * at a time (an flock on <data dir>/batch.lock); each worker thread has its own store
 * handle. `tacit batch --status` shows the queue.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_ATTEMPTS 3
#define MAX_JOBS 16

static const char usage_text[] =
	"usage: tacit batch PATH... [--jobs N] [--engine URL]... [--json] [--no-summary] [options]\n"
	"       tacit batch --status [--json]\n"
	"  PATH             files or folders, walked recursively: recordings (found by\n"
	"                   their content: wav, mp3, m4a, ogg, flac, webm, mp4...) and\n"
	"                   transcripts (.txt, .json as 'tacit import' reads them); each\n"
	"                   becomes a meeting, then gets a summary and notes\n"
	"  --status         the queue: how many files are queued, running, done and\n"
	"                   failed, each failure's reason, and per file where its speech\n"
	"                   and its summary were done ('local' or the server's host)\n"
	"  --jobs N         files worked at once (default 1). Local models run one worker\n"
	"                   per model that fits in memory, so with summaries N stays 1;\n"
	"                   N up to 16 is allowed with --no-summary (imports only)\n"
	"  --json           one JSON line per file on stdout (and per retry), with the\n"
	"                   engines that did its work: \"speech\" and \"llm\", 'local' or\n"
	"                   the server's host (null: none was needed)\n"
	"  --no-summary     import and transcribe only\n"
	"  --engine URL     a language model server for summaries and notes (repeat it:\n"
	"                   the engines are used together; 'local' is this device). Each\n"
	"                   works as many files at once as it has slots (llama-server's\n"
	"                   /props), unless --jobs N is lower; default: setting engine.llm\n"
	"  --model NAME     language model for summaries and notes (default: the chosen\n"
	"                   one, else the best downloaded; none: summaries are skipped)\n"
	"  --speakers auto|N|off, --embedding-model NAME\n"
	"                   recordings' speakers by diarization, as for 'tacit import'\n"
	"                   (auto: when a speaker model is named, set or downloaded)\n"
	"  --asr-model NAME, --vad-model NAME, --no-vad, --threads N, --asr-engine URL\n"
	"                   as for 'tacit import' (with a speech server, recordings are\n"
	"                   transcribed there: --jobs N with --no-summary sends N at once)\n"
	"  --ctx N, --max-tokens N\n"
	"                   the analysis's context and each model call's output, as\n"
	"                   for 'tacit live' (the summary and notes are written while\n"
	"                   the file is imported, as 'tacit import' writes them)\n"
	"  --template NAME  the summaries' and notes' template ('tacit templates';\n"
	"                   default: setting summary.template, else general)\n"
	"  --lang L         their language, a code (fr) or a name (default: each\n"
	"                   meeting's)\n"
	"The queue lives in the meetings database: killed or stopped (Ctrl-C), run it again\n"
	"and it resumes (every file still queued, from these paths or an earlier run's); a\n"
	"file already done or failed (same path, size and time) is never done again.\n"
	"A file a stopped run left half-made is made again from the start (its half-made\n"
	"meeting is removed). Busy store and crashed workers are retried with backoff (at\n"
	"most 3 attempts); a bad file fails at once with the reason. Exit 0 when every file\n"
	"is done, 1 when some failed.\n";

#define MAX_ENGINES 8

struct batch {
	/* set before the workers start, read-only after */
	bool json, tty, summary;
	/* --engine: the language model engines used together; lane[i] is worker i's (a
	 * remote engine has as many lanes as the server has slots, this device one) */
	struct tacit_engine engines[MAX_ENGINES];
	int n_engines;
	int lane[MAX_JOBS];
	char *llm_path, *asr_path, *vad_path;
	const char *asr_error; /* why recordings cannot be transcribed; NULL = they can */
	struct tacit_audio_import_params ap;
	int n_ctx, max_tokens, n_threads;
	const char *template_name, *lang; /* of the summaries and notes; NULL = the default */
	struct tacit_engine local;        /* the language model on this device */
	/* under lock */
	pthread_mutex_t lock;
	int64_t total, done, failed;
	double t0;
};

static const char *const transcript_ext[] = { ".txt", ".json" };
static const char *const media_ext[] = { ".wav",  ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".flac",
					 ".webm", ".mp4", ".mkv", ".aac", ".wma", ".mov", ".aiff" };

static bool has_ext(const char *path, const char *const *exts, size_t n)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(dot, exts[i]))
			return true;
	return false;
}

/* ---- walking the paths ---------------------------------------------------------- */

static struct tacit_store *walk_store;
static int64_t walk_added, walk_known, walk_seen;
static enum tacit_status walk_status;

/* A file is taken by its name when it says transcript or media, else by its content
 * (the media decoder's probe): an archive's recordings need not have the usual names. */
static int walk_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	if (type != FTW_F || base[0] == '.')
		return 0;
	if (!has_ext(path, transcript_ext, 2) && !has_ext(path, media_ext, sizeof(media_ext) / sizeof(media_ext[0])) &&
	    !tacit_file_is_audio(path))
		return 0;
	char *abs = realpath(path, NULL);
	bool added = false;
	if (!abs)
		return 0;
	walk_seen++;
	walk_status = tacit_batch_enqueue(walk_store, abs,
					  (int64_t)sb->st_size,
					  (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec, &added);
	free(abs);
	if (walk_status != TACIT_OK)
		return 1;
	if (added)
		walk_added++;
	else
		walk_known++;
	return 0;
}

/* ---- output ------------------------------------------------------------------------ */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* A JSON string, or null for "". */
static void json_str_or_null(FILE *f, const char *s)
{
	if (*s)
		json_str(f, s);
	else
		fputs("null", f);
}

/* "; speech: X, language model: Y" for the engines a job records ("" when none). */
static void engines_words(const struct tacit_batch_job *j, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s%s", j->speech_engine[0] ? "; speech: " : "", j->speech_engine,
		 !j->llm_engine[0] ? "" : j->speech_engine[0] ? ", language model: " : "; language model: ", j->llm_engine);
}

/* One file's outcome: a JSON line, a progress line on a terminal (files done/total,
 * rate, time left), or a plain line per file. Called under b->lock. */
static void report(struct batch *b, const struct tacit_batch_job *j, const char *event, const char *error)
{
	double el = cli_now_s() - b->t0;
	int64_t finished = b->done + b->failed;
	if (b->json) {
		printf("{\"event\":\"%s\",\"path\":", event);
		json_str(stdout, j->path);
		printf(",\"attempt\":%d,\"session\":%" PRId64 ",\"speech\":", j->attempts, j->session_id);
		json_str_or_null(stdout, j->speech_engine);
		fputs(",\"llm\":", stdout);
		json_str_or_null(stdout, j->llm_engine);
		fputs(",\"error\":", stdout);
		json_str_or_null(stdout, error ? error : "");
		printf(",\"done\":%" PRId64 ",\"failed\":%" PRId64 ",\"total\":%" PRId64 ",\"elapsed_s\":%.1f}\n",
		       b->done, b->failed, b->total, el);
		fflush(stdout);
		return;
	}
	if (b->tty)
		fprintf(stderr, "\r\033[K");
	char where[600];
	engines_words(j, where, sizeof(where));
	if (!strcmp(event, "done"))
		printf("done    %s (meeting %" PRId64 "%s)\n", j->path, j->session_id, where);
	else
		printf("%-7s %s: %s\n", event, j->path, error ? error : "");
	fflush(stdout);
	if (b->tty && finished < b->total) {
		double rate = finished > 0 ? finished / el : 0;
		long left = rate > 0 ? (long)((double)(b->total - finished) / rate) : -1;
		fprintf(stderr, "batch: %" PRId64 "/%" PRId64 " files, %.1f files/min", finished, b->total, rate * 60);
		if (left >= 0)
			fprintf(stderr, ", about %ldm%02lds left", left / 60, left % 60);
		fflush(stderr);
	}
}

/* ---- one file ------------------------------------------------------------------------ */

/* Failures worth another attempt: the store busy with another writer, or the worker
 * process gone (a crash or a kill); anything else is the file's or the setup's. */
static bool transient(enum tacit_status st)
{
	return st == TACIT_ERR_DB || st == TACIT_ERR_WORKER || st == TACIT_ERR_NOMEM;
}

/* The job's meeting, recorded as soon as the import creates it (before any segment is
 * analysed): a run killed during the analysis finds it and makes it again. */
static enum tacit_status record_session(struct tacit_store *s, int64_t session_id, void *user)
{
	struct tacit_batch_job *j = user;
	j->session_id = session_id;
	return tacit_batch_set_session(s, j->id, session_id);
}

/* Imports the file; with a model, the import's own analysis (import_fold.c) writes its
 * summary and notes in the template and language asked while it runs: no second pass.
 * The meeting is recorded with the job as soon as it exists (recovery then finds it). */
static enum tacit_status process(struct batch *b, const struct tacit_engine *e, struct tacit_store *s,
				 struct tacit_batch_job *j, char *why, size_t n_why)
{
	struct stat sb;
	enum tacit_status st;
	if (stat(j->path, &sb) != 0) {
		snprintf(why, n_why, "cannot open '%s': %s", j->path, strerror(errno));
		return TACIT_ERR_NOT_FOUND;
	}
	if ((int64_t)sb.st_size != j->size ||
	    (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec != j->mtime_ns) {
		snprintf(why, n_why, "'%s' changed since it was queued (run 'tacit batch' on it again)", j->path);
		return TACIT_ERR_IO;
	}
	int64_t id = 0;
	bool audio = tacit_file_is_audio(j->path);
	if (!audio && !has_ext(j->path, transcript_ext, 2)) {
		snprintf(why, n_why, "'%s' is neither a recording tacit can decode nor a transcript", j->path);
		return TACIT_ERR_FORMAT;
	}
	/* where the work goes, recorded before it starts: a failure then says where */
	if (audio)
		tacit_engine_host(b->ap.asr_engine, j->speech_engine, sizeof(j->speech_engine));
	if (b->summary)
		tacit_engine_host(e, j->llm_engine, sizeof(j->llm_engine));
	if ((st = tacit_batch_set_engines(s, j->id, j->speech_engine, j->llm_engine)) != TACIT_OK)
		return st;
	if (audio && b->asr_error) {
		snprintf(why, n_why, "%s", b->asr_error);
		return TACIT_ERR_NOT_FOUND;
	}
	struct tacit_import_params p = tacit_import_default_params();
	p.audio = &b->ap; /* a recording's speech settings */
	p.on_session = record_session;
	p.session_user = j;
	if (b->summary) {
		p.analyze = true;
		p.llm_model = b->llm_path;
		p.llm_engine = e ? e : &b->local; /* this lane's, whatever the setting says later */
		p.n_ctx = b->n_ctx;
		p.max_tokens = b->max_tokens;
		p.template_name = b->template_name; /* NULL: the setting summary.template */
		p.output_language = b->lang;
		/* a transcript's analysis runs alone: 0 gives the model every core; a
		 * recording's shares them with whisper (import_fold_threads()) */
		p.llm_threads = audio ? 0 : b->n_threads;
	}
	st = tacit_store_import(s, j->path, &p, &id);
	if (st != TACIT_OK && !id && j->session_id) {
		/* the import removed what it had made: the job holds no meeting (the reason
		 * is taken first, as recording that overwrites the last error) */
		if (!*why)
			snprintf(why, n_why, "%s", tacit_errmsg());
		j->session_id = 0;
		tacit_batch_set_session(s, j->id, 0);
	}
	return st;
}

struct worker_arg {
	struct batch *b;
	int index;
};

static void *worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct batch *b = wa->b;
	const struct tacit_engine *engine = b->n_engines ? &b->engines[b->lane[wa->index]] : NULL;
	struct tacit_store *s = NULL;
	struct tacit_batch_job *j = calloc(1, sizeof(*j));
	enum tacit_status st = j ? tacit_store_open(NULL, &s) : TACIT_ERR_NOMEM;
	int pid = (int)getpid();
	while (st == TACIT_OK) {
		int64_t wait = 0;
		st = tacit_batch_claim(s, pid, j, &wait);
		if (st == TACIT_ERR_NOT_FOUND) {
			if (!wait) {
				st = TACIT_OK;
				break;
			}
			struct timespec ts = { wait / 1000, (long)(wait % 1000) * 1000000 };
			nanosleep(&ts, NULL);
			st = TACIT_OK;
			continue;
		}
		if (st != TACIT_OK)
			break;
		char why[512] = "";
		enum tacit_status fst = process(b, engine, s, j, why, sizeof(why));
		if (fst != TACIT_OK && !*why)
			snprintf(why, sizeof(why), "%s", tacit_errmsg());
		if (fst != TACIT_OK && !*why)
			snprintf(why, sizeof(why), "%s", tacit_status_str(fst));
		const char *event = "done";
		if (fst == TACIT_OK) {
			st = tacit_batch_finish(s, j->id, TACIT_BATCH_DONE, NULL, 0);
		} else if (transient(fst) && j->attempts < MAX_ATTEMPTS) {
			/* the retry makes the meeting again from the start, as after a kill */
			if (j->session_id && (st = tacit_store_session_delete(s, j->session_id)) != TACIT_OK)
				break;
			j->session_id = 0;
			event = "retry";
			st = tacit_batch_finish(s, j->id, TACIT_BATCH_QUEUED, why, 500LL << (j->attempts - 1));
		} else {
			/* a meeting that was made is kept (its transcript is the user's): only
			 * what failed after it is missing, and the reason says what */
			event = "failed";
			st = tacit_batch_finish(s, j->id, TACIT_BATCH_FAILED, why, 0);
		}
		if (st != TACIT_OK)
			break;
		pthread_mutex_lock(&b->lock);
		if (!strcmp(event, "done"))
			b->done++;
		else if (!strcmp(event, "failed"))
			b->failed++;
		report(b, j, event, fst == TACIT_OK ? NULL : why);
		pthread_mutex_unlock(&b->lock);
	}
	if (st != TACIT_OK) {
		pthread_mutex_lock(&b->lock);
		cli_fail(st);
		pthread_mutex_unlock(&b->lock);
	}
	tacit_store_close(s);
	free(j);
	return (void *)(intptr_t)(st != TACIT_OK);
}

/* ---- --status ------------------------------------------------------------------------ */

static int show_status(bool json)
{
	struct tacit_store *s = NULL;
	struct tacit_batch_job *jobs = NULL;
	size_t n = 0;
	int64_t counts[4];
	enum tacit_status st = tacit_store_open(NULL, &s);
	if (st == TACIT_OK)
		st = tacit_batch_list(s, -1, &jobs, &n, counts);
	tacit_store_close(s);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (json) {
		printf("{\"queued\":%" PRId64 ",\"running\":%" PRId64 ",\"done\":%" PRId64 ",\"failed\":%" PRId64
		       ",\"failures\":[",
		       counts[0], counts[1], counts[2], counts[3]);
		for (int files = 0; files < 2; files++) {
			bool first = true;
			if (files)
				fputs("],\"files\":[", stdout);
			for (size_t i = 0; i < n; i++) {
				if (!files && jobs[i].state != TACIT_BATCH_FAILED)
					continue;
				printf("%s{\"path\":", first ? "" : ",");
				first = false;
				json_str(stdout, jobs[i].path);
				if (files)
					printf(",\"state\":\"%s\"", tacit_batch_state_str(jobs[i].state));
				printf(",\"attempts\":%d,\"session\":%" PRId64 ",\"speech\":", jobs[i].attempts,
				       jobs[i].session_id);
				json_str_or_null(stdout, jobs[i].speech_engine);
				fputs(",\"llm\":", stdout);
				json_str_or_null(stdout, jobs[i].llm_engine);
				fputs(",\"error\":", stdout);
				json_str(stdout, jobs[i].error);
				printf("}");
			}
		}
		printf("]}\n");
	} else {
		printf("queued %" PRId64 ", running %" PRId64 ", done %" PRId64 ", failed %" PRId64 "\n", counts[0],
		       counts[1], counts[2], counts[3]);
		for (size_t i = 0; i < n; i++) {
			char where[600];
			engines_words(&jobs[i], where, sizeof(where));
			if (jobs[i].state == TACIT_BATCH_FAILED)
				printf("failed  %s: %s%s%s%s\n", jobs[i].path, jobs[i].error, where[0] ? " (" : "",
				       where[0] ? where + 2 : "", where[0] ? ")" : "");
			else if (jobs[i].state == TACIT_BATCH_DONE)
				printf("done    %s (meeting %" PRId64 "%s)\n", jobs[i].path, jobs[i].session_id, where);
		}
	}
	tacit_free(jobs);
	return 0;
}

/* ---- the command --------------------------------------------------------------------- */

/* Only one process works the queue: recovery re-queues every 'running' job, which is
 * right only when no one else is running one. The lock goes with the process. */
static int take_lock(int *out_fd)
{
	char *dir = NULL, path[4096];
	enum tacit_status st = tacit_dir_path(TACIT_DIR_DATA, &dir);
	if (st != TACIT_OK)
		return cli_fail(st);
	snprintf(path, sizeof(path), "%s/batch.lock", dir);
	tacit_free(dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "tacit: cannot open '%s': %s\n", path, strerror(errno));
		return tacit_status_exit_code(TACIT_ERR_IO);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		fprintf(stderr, "tacit: another 'tacit batch' is working the queue (wait for it, or stop it; "
				"'tacit batch --status' shows where it is)\n");
		close(fd);
		return tacit_status_exit_code(TACIT_ERR_USAGE);
	}
	*out_fd = fd;
	return 0;
}

int cmd_batch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "jobs", required_argument, NULL, 'j' },     { "json", no_argument, NULL, 'J' },
		{ "no-summary", no_argument, NULL, 'S' },     { "status", no_argument, NULL, 's' },
		{ "model", required_argument, NULL, 'm' },    { "asr-model", required_argument, NULL, 'a' },
		{ "vad-model", required_argument, NULL, 'V' }, { "no-vad", no_argument, NULL, 'N' },
		{ "threads", required_argument, NULL, 't' },  { "ctx", required_argument, NULL, 'c' },
		{ "max-tokens", required_argument, NULL, 'n' }, { "help", no_argument, NULL, 'h' },
		{ "asr-engine", required_argument, NULL, 'e' }, { "engine", required_argument, NULL, 'E' },
		{ "speakers", required_argument, NULL, 'k' },   { "embedding-model", required_argument, NULL, 'b' },
		{ "template", required_argument, NULL, 'K' },   { "lang", required_argument, NULL, 'g' },
		{ 0, 0, 0, 0 },
	};
	struct batch b = { 0 };
	const char *llm_name = getenv("TACIT_MODEL"), *asr_name = NULL, *vad_name = NULL, *asr_url = NULL;
	struct tacit_engine asr_engine;
	bool status = false, no_summary = false, llm_named = false, jobs_given = false, speakers_off = false;
	const char *emb_name = getenv("TACIT_EMBEDDING_MODEL");
	char *speaker_path = NULL, *end;
	int n_jobs = 1, c, rc = 0, lock_fd = -1;
	struct tacit_store *s = NULL;
	pthread_t threads[MAX_JOBS];
	struct worker_arg args[MAX_JOBS];
	int n_started = 0;
	enum tacit_status st;
	struct cli_model need[] = {
		{ TACIT_MODEL_ASR, NULL, "--asr-model", NULL, NULL },
		{ TACIT_MODEL_VAD, NULL, "--vad-model", " (or --no-vad)", NULL },
	};

	b.ap = tacit_audio_import_default_params();
	b.local = tacit_engine_default();
	b.ap.temperature_fallback = false;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if ((rc = cli_int_option("batch", "--jobs", optarg, 1, MAX_JOBS, &n_jobs)))
				return rc;
			jobs_given = true;
			break;
		case 'E':
			if (b.n_engines == MAX_ENGINES)
				return cli_usage_error("batch", "at most %d --engine", MAX_ENGINES);
			b.engines[b.n_engines] = tacit_engine_default();
			if (tacit_engine_set_url(&b.engines[b.n_engines++], optarg) != TACIT_OK)
				return cli_usage_error("batch", "%s", tacit_errmsg());
			break;
		case 'J':
			b.json = true;
			break;
		case 'S':
			no_summary = true;
			break;
		case 's':
			status = true;
			break;
		case 'm':
			llm_name = optarg;
			llm_named = true;
			break;
		case 'a':
			asr_name = optarg;
			break;
		case 'V':
			vad_name = optarg;
			break;
		case 'N':
			b.ap.no_vad = true;
			break;
		case 't':
			if ((rc = cli_int_option("batch", "--threads", optarg, 1, 512, &b.n_threads)))
				return rc;
			b.ap.n_threads = b.n_threads;
			break;
		case 'c':
			if ((rc = cli_int_option("batch", "--ctx", optarg, 0, 1 << 24, &b.n_ctx)))
				return rc;
			break;
		case 'n':
			if ((rc = cli_int_option("batch", "--max-tokens", optarg, 1, 1 << 24, &b.max_tokens)))
				return rc;
			break;
		case 'e':
			asr_url = optarg;
			break;
		case 'k':
			speakers_off = !strcmp(optarg, "off");
			if (speakers_off || !strcmp(optarg, "auto"))
				break;
			b.ap.n_speakers = (int)strtol(optarg, &end, 10);
			if (*end || b.ap.n_speakers < 1 || b.ap.n_speakers > 100)
				return cli_usage_error("batch", "bad --speakers '%s' (auto, off or a number from 1 to 100)",
						       optarg);
			break;
		case 'b':
			emb_name = optarg;
			break;
		case 'K':
			b.template_name = optarg;
			break;
		case 'g':
			b.lang = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("batch", c, argv);
		}
	}
	if (status) {
		if (optind < argc)
			return cli_usage_error("batch", "--status takes no paths");
		return show_status(b.json);
	}
	if (optind >= argc)
		return cli_usage_error("batch", "needs the files or folders to process");
	if (no_summary && (b.template_name || b.lang))
		return cli_usage_error("batch", "--no-summary leaves no summary for --template or --lang");
	if ((st = tacit_template_check(b.template_name)) != TACIT_OK) /* before any file is queued */
		return cli_fail(st);
	for (int i = optind; i < argc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb) != 0) {
			fprintf(stderr, "tacit: cannot open '%s': %s\n", argv[i], strerror(errno));
			return tacit_status_exit_code(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO);
		}
	}
	/* --engine given: those engines, used together, each as many files at once as it
	 * serves (this device one, a server its slots); none: the setting engine.llm */
	bool any_local = !b.n_engines;
	if (!b.n_engines && !no_summary) {
		if ((rc = cli_engine("batch", NULL, &b.engines[0])))
			return rc;
		b.n_engines = tacit_engine_is_remote(&b.engines[0]) ? 1 : 0;
		any_local = !b.n_engines;
	}
	int n_lanes = 0, slots[MAX_ENGINES], most = 0;
	for (int i = 0; i < b.n_engines && !no_summary; i++) {
		slots[i] = 1;
		if (tacit_engine_is_remote(&b.engines[i])) {
			struct tacit_llm_params lp = tacit_llm_default_params();
			struct tacit_llm *llm = NULL;
			lp.engine = &b.engines[i];
			if ((st = tacit_llm_open(&lp, &llm)) != TACIT_OK)
				return cli_fail(st); /* a server named is a server that answers */
			slots[i] = tacit_llm_info(llm).n_slots > 0 ? tacit_llm_info(llm).n_slots : 1;
			fprintf(stderr, "batch: %s serves %d at once\n", tacit_llm_where(llm), slots[i]);
			tacit_llm_close(llm);
		} else {
			any_local = true;
		}
		most = slots[i] > most ? slots[i] : most;
	}
	/* lanes taken in turns, so the first workers spread over the engines */
	for (int round = 0; round < most; round++)
		for (int i = 0; i < b.n_engines && !no_summary; i++)
			if (round < slots[i] && n_lanes < MAX_JOBS)
				b.lane[n_lanes++] = i;
	if (n_lanes && (!jobs_given || n_jobs > n_lanes))
		n_jobs = n_lanes; /* never more at once than the engines serve */
	/* the language model: one worker per model that fits in memory, so one file at a time */
	if (!no_summary && !any_local) {
		b.summary = true;
	} else if (!no_summary) {
		st = tacit_model_resolve(TACIT_MODEL_LLM, llm_name && *llm_name ? llm_name : NULL, &b.llm_path);
		if (st != TACIT_OK && (llm_named || (llm_name && *llm_name)))
			return cli_fail(st);
		if (st != TACIT_OK)
			fprintf(stderr, "note: no language model is downloaded: summaries and notes are skipped "
					"(run 'tacit setup', or pass --model)\n");
	}
	if (any_local)
		b.summary = b.llm_path != NULL;
	if (b.summary && n_jobs > 1 && !n_lanes) {
		rc = cli_usage_error("batch", "--jobs %d needs --no-summary: a local model runs one worker per model "
					      "that fits in memory, one file at a time",
				     n_jobs);
		goto out;
	}
	/* speech models: missing ones fail each recording with the remedy, not the batch; a
	 * speech server needs none here */
	if ((rc = cli_asr_engine("batch", asr_url, &asr_engine)))
		goto out;
	b.ap.asr_engine = &asr_engine;
	need[0].name = asr_name;
	need[1].name = vad_name;
	static char asr_why[600];
	for (int i = 0; i < (tacit_engine_is_remote(&asr_engine) ? 0 : b.ap.no_vad ? 1 : 2); i++) {
		if ((st = tacit_model_resolve(need[i].kind, need[i].name, &need[i].path)) != TACIT_OK && !b.asr_error) {
			snprintf(asr_why, sizeof(asr_why), "%s", tacit_errmsg());
			b.asr_error = asr_why;
		}
	}
	/* speakers, as for import: auto diarizes recordings when a speaker model is named, set
	 * or downloaded; one asked for (named, or --speakers N) must be there */
	if (emb_name && !*emb_name)
		emb_name = NULL;
	if (!speakers_off) {
		st = tacit_model_resolve(TACIT_MODEL_SPEAKER, emb_name, &speaker_path);
		if (st == TACIT_OK) {
			b.ap.embedding_model = speaker_path;
		} else if (emb_name || b.ap.n_speakers > 0) {
			rc = cli_fail(st);
			goto out;
		}
	}
	b.asr_path = need[0].path;
	b.vad_path = need[1].path;
	b.ap.asr_model = b.asr_path;
	b.ap.vad_model = b.vad_path;

	if ((rc = take_lock(&lock_fd)))
		goto out;
	if ((st = tacit_store_open(NULL, &s)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	int requeued = 0, removed = 0;
	if ((st = tacit_batch_recover(s, &requeued, &removed)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (requeued)
		fprintf(stderr,
			"note: resuming: %d file%s a stopped run left unfinished %s queued again; %d half-made "
			"meeting%s removed (made again from the start)\n",
			requeued, requeued == 1 ? "" : "s", requeued == 1 ? "is" : "are", removed, removed == 1 ? "" : "s");
	walk_store = s;
	for (int i = optind; i < argc && walk_status == TACIT_OK; i++)
		nftw(argv[i], walk_one, 32, FTW_PHYS);
	if (walk_status != TACIT_OK) {
		rc = cli_fail(walk_status);
		goto out;
	}
	int64_t counts[4];
	struct tacit_batch_job *none = NULL;
	size_t n_none = 0;
	if ((st = tacit_batch_list(s, TACIT_BATCH_RUNNING, &none, &n_none, counts)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	tacit_free(none);
	b.total = counts[TACIT_BATCH_QUEUED];
	fprintf(stderr, "batch: %" PRId64 " file%s found (%" PRId64 " new, %" PRId64 " queued before); %" PRId64
			" to process%s\n",
		walk_seen, walk_seen == 1 ? "" : "s", walk_added, walk_known, b.total,
		b.summary ? "" : ", without summaries");
	b.tty = isatty(STDERR_FILENO) && !b.json;
	b.t0 = cli_now_s();
	if (b.tty && b.total)
		fprintf(stderr, "batch: 0/%" PRId64 " files", b.total);
	pthread_mutex_init(&b.lock, NULL);
	for (; n_started < n_jobs; n_started++) {
		args[n_started] = (struct worker_arg){ &b, n_started };
		if (pthread_create(&threads[n_started], NULL, worker, &args[n_started]) != 0)
			break;
	}
	bool worker_failed = n_started == 0;
	for (int i = 0; i < n_started; i++) {
		void *r = NULL;
		pthread_join(threads[i], &r);
		worker_failed |= r != NULL;
	}
	pthread_mutex_destroy(&b.lock);
	if (b.tty)
		fprintf(stderr, "\r\033[K");
	if (!b.json)
		printf("batch: %" PRId64 " done, %" PRId64 " failed in %.1f s%s\n", b.done, b.failed,
		       cli_now_s() - b.t0, b.failed ? " (see 'tacit batch --status')" : "");
	rc = worker_failed ? tacit_status_exit_code(TACIT_ERR_DB) : b.failed ? 1 : 0;
	if (!worker_failed && b.done) {
		/* with an embedding model here, the new meetings are searched by meaning at once */
		char *embed = NULL;
		if (cli_index_for_search("batch", s, NULL, 0, b.json, &embed) != 0)
			fprintf(stderr, "note: the meetings are stored; 'tacit index' indexes them for search by meaning\n");
		tacit_free(embed);
	}
out:
	tacit_store_close(s);
	if (lock_fd >= 0)
		close(lock_fd);
	tacit_free(b.llm_path);
	tacit_free(need[0].path);
	tacit_free(need[1].path);
	tacit_free(speaker_path);
	return rc;
}
