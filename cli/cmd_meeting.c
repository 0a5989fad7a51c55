/*
 * cmd_meeting.c — the meeting tasks: `tacit summarize ID|FILE`, `tacit notes ID|FILE`,
 * `tacit ask ID|FILE "QUESTION"`, `tacit suggest ID|FILE`. A number is a stored meeting,
 * whose result is stored with it (and whose transcript state is saved for the next
 * task); anything else is a transcript file. Markdown on stdout, or the checked JSON
 * with --json; --verbose shows the map→reduce plan, the saved state and the speed of each
 * model call on stderr; a progress line on a terminal (JSON lines with --json). Ctrl-C
 * cancels the model cleanly. `tacit ask --live ID` asks a meeting running in another
 * process instead (cmd_ask_live.c).
 */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int cancel_flag;

static void on_sigint(int sig)
{
	(void)sig;
	__atomic_store_n((int *)&cancel_flag, 1, __ATOMIC_RELAXED);
	signal(SIGINT, SIG_DFL); /* a second Ctrl-C ends the command at once */
}

/* The model's load (a percentage on a terminal), then how far each model call has read
 * its prompt: a call after one that wrote is the next window of a long meeting. */
static bool on_progress(const struct tacit_progress *ev, void *user)
{
	struct cli_progress *bar = user;
	if (ev->phase == TACIT_PROGRESS_LOAD && isatty(STDERR_FILENO)) {
		fprintf(stderr, "\rloading model %3.0f%%", ev->fraction * 100.0f);
		if (ev->fraction >= 1.0f)
			fprintf(stderr, "\r                    \r");
	} else if (ev->phase == TACIT_PROGRESS_READ) {
		cli_progress_count(bar, "read", ev->done, ev->total);
	}
	return !__atomic_load_n((int *)&cancel_flag, __ATOMIC_RELAXED);
}

/* The model's answer streams token by token: the first one ends the reading. */
static void on_token(const char *piece, size_t len, void *user)
{
	struct cli_progress *bar = user;
	(void)piece;
	(void)len;
	if (strcmp(bar->phase, "write") != 0) /* the phase changes only on this thread */
		cli_progress_phase(bar, "write", 0);
	cli_progress_set(bar, cli_progress_done(bar) + 1);
}

static int parse_int(const char *cmd, const char *opt, const char *s, int lo, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > 1 << 24)
		return cli_usage_error(cmd, "%s needs a number >= %d, not '%s'", opt, lo, s);
	*out = (int)v;
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Whether the meetings database exists: a transcript file's task reads the device's
 * settings from it, and must not create one just for that. */
static bool store_exists(void)
{
	char *dir = NULL, path[4096];
	if (tacit_dir_path(TACIT_DIR_DATA, &dir) != TACIT_OK)
		return false;
	snprintf(path, sizeof(path), "%s/tacit.db", dir);
	tacit_free(dir);
	return access(path, F_OK) == 0;
}

static int run(const char *cmd, enum tacit_task task, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },      { "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },          { "max-tokens", required_argument, NULL, 'n' },
		{ "ctx", required_argument, NULL, 'c' },        { "threads", required_argument, NULL, 't' },
		{ "gpu-layers", required_argument, NULL, 'g' }, { "lang", required_argument, NULL, 'l' },
		{ "no-state", no_argument, NULL, 's' },         { "help", no_argument, NULL, 'h' },
		{ "live", no_argument, NULL, 'L' },             { "template", required_argument, NULL, 'T' },
		{ "engine", required_argument, NULL, 'E' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_llm_params lp = tacit_llm_default_params();
	struct tacit_session_task_params sp = tacit_session_task_default_params();
	struct tacit_meeting_params *mp = &sp.meeting;
	struct tacit_session_task_result res = { 0 };
	struct tacit_transcript *t = NULL;
	struct tacit_store *store = NULL;
	struct tacit_llm *llm = NULL;
	struct cli_progress bar;
	bool bar_on = false;
	char *model_path = NULL;
	const char *model_name = getenv("TACIT_MODEL");
	const char *engine_url = NULL;
	struct tacit_engine engine = tacit_engine_default();
	bool json_out = false, live = false, model_opts = false;
	int verbose = 0, c, rc = 0;
	int64_t session_id = 0;
	bool has_template = task == TACIT_TASK_SUMMARY || task == TACIT_TASK_NOTES;
	char *default_template = NULL;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			model_name = optarg;
			model_opts = true;
			break;
		case 'E':
			engine_url = optarg;
			model_opts = true;
			break;
		case 'L':
			if (task != TACIT_TASK_ANSWER)
				return cli_usage_error(cmd, "unknown option '--live'");
			live = true;
			break;
		case 'j':
			json_out = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'n':
			if ((rc = parse_int(cmd, "--max-tokens", optarg, 1, &mp->max_tokens)))
				return rc;
			break;
		case 'c':
			if ((rc = parse_int(cmd, "--ctx", optarg, 0, &lp.n_ctx)))
				return rc;
			break;
		case 't':
			if ((rc = parse_int(cmd, "--threads", optarg, 0, &lp.n_threads)))
				return rc;
			break;
		case 'g':
			if ((rc = parse_int(cmd, "--gpu-layers", optarg, -1, &lp.n_gpu_layers)))
				return rc;
			break;
		case 'l':
			mp->language = optarg;
			break;
		case 'T':
			if (task != TACIT_TASK_SUMMARY && task != TACIT_TASK_NOTES)
				return cli_usage_error(cmd, "unknown option '--template'");
			mp->template_name = optarg;
			break;
		case 's':
			sp.use_state = false;
			model_opts = true;
			break;
		case 'h':
			if (task == TACIT_TASK_ANSWER)
				printf("usage: tacit ask --all QUESTION [--model NAME] [--top N] [--json]\n"
				       "  --all           ask every stored meeting: the search index picks the best\n"
				       "                  lines and their neighbours, the answer cites [M12 S40]\n"
				       "                  (meeting 12, segment 40; others are removed); --top N:\n"
				       "                  lines to read (default 12); --model, --ctx, --max-tokens\n"
				       "                  and --verbose as below\n"
				       "usage: tacit ask --live ID QUESTION [--json]\n"
				       "  --live          ask meeting ID while it runs in another process ('tacit live',\n"
				       "                  'tacit serve'): answered from its live context as it is written\n");
			printf("usage: tacit %s ID|FILE%s [--model NAME] [--engine URL] [--lang L]%s [--json]\n"
			       "       [--verbose] [--max-tokens N] [--ctx N] [--threads N] [--gpu-layers N] [--no-state]\n"
			       "  ID              a meeting in the store (see 'tacit sessions'): the result is\n"
			       "                  stored with it (%s)\n"
			       "  FILE            or a transcript file: JSON segments, 'tacit transcribe' JSON,\n"
			       "                  QMSum JSON, or one 'Speaker: text' turn per line\n"
			       "  --model NAME    a GGUF path, catalog id or custom model (default: the chosen\n"
			       "                  one, else the best downloaded; TACIT_MODEL also sets it)\n"
			       "  --engine URL    where the model runs: 'local' (this device), or an http(s)://\n"
			       "                  OpenAI-compatible server (llama-server, vLLM): the transcript\n"
			       "                  goes to that host; --model then names the server's model\n"
			       "                  (default: setting engine.llm, else local)\n"
			       "  --lang L        write in this language (default: the meeting's)\n"
			       "%s"
			       "  --json          print the stored JSON instead of Markdown, and the progress\n"
			       "                  as JSON lines on stderr (on a terminal it is one line)\n"
			       "  --verbose       show the plan, the saved state and the model's speed\n"
			       "  --max-tokens N  most tokens per model answer (default 1024)\n"
			       "  --ctx N         context (default: enough for the meeting in one pass)\n"
			       "  --no-state      neither load nor save the meeting's transcript state\n",
			       cmd, task == TACIT_TASK_ANSWER ? " QUESTION" : "", has_template ? " [--template NAME]" : "",
			       task == TACIT_TASK_ANSWER	   ? "as chat messages"
			       : task == TACIT_TASK_SUGGEST ? "as suggestions"
							    : "as an artifact, beside those made with other templates",
			       has_template ? "  --template NAME the summary's sections: general (default), one-on-one,\n"
					      "                  stand-up, sales, interview, lecture, planning or a custom\n"
					      "                  one (see 'tacit templates'; its default: 'tacit templates\n"
					      "                  --default NAME')\n"
					    : "");
			return 0;
		default:
			return cli_option_error(cmd, c, argv);
		}
	}
	int want = task == TACIT_TASK_ANSWER ? 2 : 1;
	if (argc - optind < want)
		return cli_usage_error(cmd, task == TACIT_TASK_ANSWER ? "needs a meeting (ID or FILE) and a question"
								       : "needs a meeting (ID or FILE)");
	if (argc - optind > want)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + want]);
	const char *what = argv[optind];
	if (all_digits(what) && !cli_session_id(cmd, what, &session_id))
		return EXIT_USAGE;
	if (live) {
		if (!session_id)
			return cli_usage_error(cmd, "--live needs the id of a running meeting, not '%s'", what);
		if (model_opts || mp->max_tokens || lp.n_ctx || lp.n_threads || lp.n_gpu_layers || mp->language || verbose)
			return cli_usage_error(cmd, "--live asks the running meeting's own model: only --json goes with it");
		return cmd_ask_live(session_id, argv[optind + 1], json_out);
	}
	mp->task = task;
	if (task == TACIT_TASK_ANSWER)
		mp->question = argv[optind + 1];
	mp->cancel = &cancel_flag;
	if (verbose)
		cli_log_to_stderr(verbose > 1 ? TACIT_LOG_DEBUG : TACIT_LOG_INFO);

	enum tacit_status st;
	if (session_id) {
		if ((st = tacit_store_open(NULL, &store)) == TACIT_OK)
			st = tacit_transcript_from_session(store, session_id, &t);
	} else {
		st = tacit_transcript_load(what, &t);
		/* a file has no store to keep a result in, but the device's default template
		 * still applies */
		if (st == TACIT_OK && has_template && !mp->template_name && store_exists() &&
		    tacit_store_open(NULL, &store) == TACIT_OK &&
		    tacit_store_setting_get(store, "summary.template", &default_template) == TACIT_OK)
			mp->template_name = default_template;
	}
	if (st == TACIT_OK && has_template)
		st = tacit_template_check(mp->template_name);
	if (st != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	/* where the model runs: the flag, else the device's setting (never remote unasked) */
	if (!store && (st = tacit_store_open(NULL, &store)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if ((st = tacit_engine_from_settings(store, "llm", &engine)) == TACIT_OK && engine_url)
		st = tacit_engine_set_url(&engine, engine_url);
	if (st != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (tacit_engine_is_remote(&engine)) {
		if (model_name && *model_name)
			snprintf(engine.model, sizeof(engine.model), "%s", model_name);
		lp.engine = &engine;
	} else {
		struct cli_model need = { TACIT_MODEL_LLM, model_name, "--model", NULL, NULL };
		if ((rc = cli_models_resolve(argv[0], &need, 1)))
			goto out;
		model_path = need.path;
		lp.model_path = model_path;
	}
	if (!lp.n_ctx)
		lp.n_ctx_cap = tacit_transcript_one_pass_context(t, mp->max_tokens);
	lp.progress = on_progress;
	lp.progress_user = &bar;
	signal(SIGINT, on_sigint);
	cli_progress_start(&bar, json_out);
	bar_on = true;
	st = tacit_llm_open(&lp, &llm);
	if (st == TACIT_OK && tacit_engine_is_remote(&engine) && !json_out)
		fprintf(stderr, "language model: %s\n", tacit_llm_where(llm));
	if (st == TACIT_OK) {
		mp->on_token = on_token;
		mp->user = &bar;
		cli_progress_phase(&bar, "read", tacit_transcript_estimate_tokens(t));
	}
	if (st == TACIT_OK && session_id) {
		sp.model_name = model_name && *model_name && !strchr(model_name, '/') && !lp.engine ? model_name : NULL;
		st = tacit_session_task(store, session_id, llm, &sp, &res);
	} else if (st == TACIT_OK) {
		st = tacit_meeting_run(llm, t, mp, &res.json);
		if (st == TACIT_OK && !(res.markdown = tacit_meeting_markdown(task, res.json, t)))
			st = TACIT_ERR_NOMEM;
	}
	if (bar_on)
		cli_progress_stop(&bar);
	if (st == TACIT_OK)
		printf("%s\n", json_out ? res.json : res.markdown);
	else
		rc = cli_fail(st);
out:
	tacit_session_task_result_release(&res);
	tacit_llm_close(llm);
	tacit_transcript_free(t);
	tacit_store_close(store);
	tacit_free(model_path);
	tacit_free(default_template);
	return rc;
}

int cmd_summarize(int argc, char **argv)
{
	return run("summarize", TACIT_TASK_SUMMARY, argc, argv);
}

int cmd_notes(int argc, char **argv)
{
	return run("notes", TACIT_TASK_NOTES, argc, argv);
}

int cmd_ask(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--all"))
			return cmd_ask_all(argc, argv);
	return run("ask", TACIT_TASK_ANSWER, argc, argv);
}

int cmd_suggest(int argc, char **argv)
{
	return run("suggest", TACIT_TASK_SUGGEST, argc, argv);
}
