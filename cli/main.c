/*
 * main.c — `tacit`: dispatches subcommands, owns process-wide choices (log sink on
 * stderr, verbosity) and the exit-code contract: 0 ok, 2 usage, 10+status on failure.
 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "system", cmd_system, "show this machine's hardware, as the model scorer sees it" },
	{ "models", cmd_models, "the models this machine can run: fit, memory, speed" },
	{ "inspect", cmd_inspect, "validate a GGUF model file and show what it holds" },
	{ "sessions", cmd_sessions, "list the meetings stored on this device" },
	{ "show", cmd_show, "show a meeting: details, summary, notes, transcript" },
	{ "search", cmd_search, "search what was said across all meetings" },
	{ "export", cmd_export, "export a meeting as md, json, txt, srt or vtt" },
	{ "delete", cmd_delete, "delete a meeting, its audio and cached state for good" },
	{ "rename", cmd_rename, "give a meeting a new title" },
	{ "import", cmd_import, "import a transcript file as a meeting" },
	{ "summarize", cmd_summarize, "summarize a meeting transcript (decisions, action items)" },
	{ "notes", cmd_notes, "detailed notes of a meeting transcript, by topic" },
	{ "ask", cmd_ask, "answer a question from a meeting transcript" },
	{ "suggest", cmd_suggest, "suggest questions, follow-ups and risks from a transcript" },
	{ "live", cmd_live, "a meeting as it happens: transcript, rolling summary, suggestions" },
	{ "transcribe", cmd_transcribe, "a recording or live audio to a timestamped transcript" },
	{ "pull", cmd_pull, "download a model from the catalog (resumes; the only network use)" },
	{ "rm", cmd_rm, "delete a downloaded model and any partial download of it" },
	{ "serve", cmd_serve, "the web app on this machine only: picker, history, settings" },
	{ "add", cmd_add, "add a GGUF model file on disk as a custom model (checked, never copied)" },
	{ "forget", cmd_forget, "forget a custom model (its file is left alone)" },
	{ "setup", cmd_setup, "pick and download the models this machine needs (asks once)" },
	{ "doctor", cmd_doctor, "check models, audio devices, data folder and fit; say what to fix" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: tacit [--version] [--verbose] <command> [<args>]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'tacit <command> --help' tells more about a command.\n");
}

static void log_stderr(enum tacit_log_level level, const char *line, void *user)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	(void)user;
	fprintf(stderr, "tacit: %s: %s\n", names[level], line);
}

int cli_fail(enum tacit_status st)
{
	const char *msg = tacit_errmsg();
	fprintf(stderr, "tacit: %s\n", msg && *msg ? msg : tacit_status_str(st));
	return tacit_status_exit_code(st);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tacit %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'tacit %s --help')\n", cmd);
	return EXIT_USAGE;
}

double cli_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cli_option_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
	if (optopt && optopt < 128)
		return cli_usage_error(cmd,
				       "unknown option '-%c' (an argument that starts with '-' goes after '--': "
				       "tacit %s -- ARG)",
				       optopt, cmd);
	return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

const char *cli_bytes(unsigned long long n, char *buf, unsigned len)
{
	if (n >= (1ull << 30))
		snprintf(buf, len, "%.1f GiB", (double)n / (double)(1ull << 30));
	else if (n >= (1ull << 20))
		snprintf(buf, len, "%.0f MiB", (double)n / (double)(1ull << 20));
	else
		snprintf(buf, len, "%llu KiB", n >> 10);
	return buf;
}

static void print_version(void)
{
	struct tacit_versions v = tacit_versions();
	printf("tacit %s\nllama.cpp %s\nwhisper.cpp %s\nggml %s\nsqlite %s\n", v.tacit, v.llama, v.whisper, v.ggml,
	       v.sqlite);
}

int main(int argc, char **argv)
{
	enum tacit_log_level level = TACIT_LOG_WARN;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			print_version();
			return 0;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v")) {
			level = level == TACIT_LOG_WARN ? TACIT_LOG_INFO : TACIT_LOG_DEBUG;
		} else {
			fprintf(stderr, "tacit: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (getenv("TACIT_DEBUG"))
		level = TACIT_LOG_DEBUG;
	tacit_log_set(log_stderr, NULL, level);
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i);
	fprintf(stderr, "tacit: '%s' is not a tacit command (see 'tacit --help')\n", argv[i]);
	return EXIT_USAGE;
}
