/*
 * cmd_meeting.c — the meeting tasks on a transcript file: `tacit summarize FILE`,
 * `tacit notes FILE`, `tacit ask FILE "QUESTION"`, `tacit suggest FILE`. Markdown on
 * stdout, or the checked JSON with --json; --verbose shows the map→reduce plan and the
 * speed of each model call on stderr. Ctrl-C cancels the model cleanly.
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

static void log_stderr(enum tacit_log_level level, const char *line, void *user)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	(void)user;
	fprintf(stderr, "tacit: %s: %s\n", names[level], line);
}

static bool on_progress(float progress, void *user)
{
	(void)user;
	fprintf(stderr, "\rloading model %3.0f%%", progress * 100.0f);
	if (progress >= 1.0f)
		fprintf(stderr, "\r                    \r");
	return !__atomic_load_n((int *)&cancel_flag, __ATOMIC_RELAXED);
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

static int run(const char *cmd, enum tacit_task task, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },      { "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },          { "max-tokens", required_argument, NULL, 'n' },
		{ "ctx", required_argument, NULL, 'c' },        { "threads", required_argument, NULL, 't' },
		{ "gpu-layers", required_argument, NULL, 'g' }, { "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_llm_params lp = tacit_llm_default_params();
	struct tacit_meeting_params mp = tacit_meeting_default_params();
	struct tacit_transcript *t = NULL;
	struct tacit_llm *llm = NULL;
	char *json = NULL, *md = NULL;
	bool json_out = false;
	int verbose = 0, c, rc = 0;

	opterr = 0;
	optind = 1;
	lp.model_path = getenv("TACIT_MODEL");
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			lp.model_path = optarg;
			break;
		case 'j':
			json_out = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'n':
			if ((rc = parse_int(cmd, "--max-tokens", optarg, 1, &mp.max_tokens)))
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
		case 'h':
			printf("usage: tacit %s FILE%s [--model PATH] [--json] [--verbose] [--max-tokens N]\n"
			       "       [--ctx N] [--threads N] [--gpu-layers N]\n"
			       "  FILE            a transcript: JSON segments {speaker, text, start_ms, end_ms},\n"
			       "                  or one 'Speaker: text' turn per line\n"
			       "  --model PATH    a GGUF model (or set TACIT_MODEL)\n"
			       "  --json          print the checked JSON instead of Markdown\n"
			       "  --verbose       show the plan for long meetings and the model's speed\n"
			       "  --max-tokens N  most tokens per model answer (default 1024)\n",
			       cmd, task == TACIT_TASK_ANSWER ? " QUESTION" : "");
			return 0;
		default:
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	int want = task == TACIT_TASK_ANSWER ? 2 : 1;
	if (argc - optind < want)
		return cli_usage_error(cmd, task == TACIT_TASK_ANSWER ? "needs a transcript file and a question"
								       : "needs a transcript file");
	if (argc - optind > want)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + want]);
	if (!lp.model_path || !*lp.model_path)
		return cli_usage_error(cmd, "no model: pass --model PATH (a GGUF file) or set TACIT_MODEL");
	mp.task = task;
	if (task == TACIT_TASK_ANSWER)
		mp.question = argv[optind + 1];
	mp.cancel = &cancel_flag;
	if (verbose)
		tacit_log_set(log_stderr, NULL, verbose > 1 ? TACIT_LOG_DEBUG : TACIT_LOG_INFO);

	enum tacit_status st = tacit_transcript_load(argv[optind], &t);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (isatty(STDERR_FILENO))
		lp.progress = on_progress;
	signal(SIGINT, on_sigint);
	st = tacit_llm_open(&lp, &llm);
	if (st == TACIT_OK)
		st = tacit_meeting_run(llm, t, &mp, &json);
	if (st == TACIT_OK && !json_out && !(md = tacit_meeting_markdown(task, json, t)))
		st = TACIT_ERR_NOMEM;
	if (st == TACIT_OK)
		printf("%s\n", json_out ? json : md);
	else
		rc = cli_fail(st);
	tacit_free(md);
	tacit_free(json);
	tacit_llm_close(llm);
	tacit_transcript_free(t);
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
	return run("ask", TACIT_TASK_ANSWER, argc, argv);
}

int cmd_suggest(int argc, char **argv)
{
	return run("suggest", TACIT_TASK_SUGGEST, argc, argv);
}
