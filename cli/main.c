/*
 * main.c — `tacit`: dispatches subcommands (and `help`, `version`, `--help` anywhere in
 * a command's arguments, "did you mean" for a typo), owns process-wide choices (log sink
 * on stderr, verbosity) and the exit-code contract: 0 ok, 2 usage, 10+status on failure.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
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
	{ "index", cmd_index, "index every meeting's lines for search by meaning (ask --all)" },
	{ "export", cmd_export, "export a meeting as md, json, txt, srt or vtt, or notes into a folder" },
	{ "delete", cmd_delete, "delete a meeting, its audio and cached state for good" },
	{ "rename", cmd_rename, "give a meeting a new title" },
	{ "speakers", cmd_speakers, "list a meeting's speakers, rename one in every line, or remember a voice" },
	{ "voices", cmd_voices, "remembered voices (opt-in, biometric): list, on/off, forget" },
	{ "import", cmd_import, "import a transcript or a recording as a meeting (summarized as it is transcribed)" },
	{ "batch", cmd_batch, "import, transcribe and summarize every file under folders (resumable)" },
	{ "summarize", cmd_summarize, "summarize a meeting transcript (decisions, action items)" },
	{ "notes", cmd_notes, "detailed notes of a meeting transcript, by topic" },
	{ "actions", cmd_actions, "every action item across meetings; mark one done" },
	{ "templates", cmd_templates, "the summary templates (stand-up, sales, ...) and the default" },
	{ "ask", cmd_ask, "answer a question from a meeting transcript, or from all (--all)" },
	{ "suggest", cmd_suggest, "suggest questions, follow-ups and risks from a transcript" },
	{ "live", cmd_live, "a meeting as it happens: transcript, rolling summary, suggestions" },
	{ "transcribe", cmd_transcribe, "a recording or live audio to a timestamped transcript" },
	{ "diarize", cmd_diarize, "who speaks when in a recording (speaker turns as txt, json or rttm)" },
	{ "pull", cmd_pull, "download a model from the catalog (resumes; the only network use)" },
	{ "rm", cmd_rm, "delete a downloaded model and any partial download of it" },
	{ "serve", cmd_serve, "the web app on this machine only: picker, history, settings" },
	{ "mcp", cmd_mcp, "a Model Context Protocol server on stdio: your assistant reads meetings" },
	{ "add", cmd_add, "add a GGUF model file on disk as a custom model (checked, never copied)" },
	{ "forget", cmd_forget, "forget a custom model (its file is left alone)" },
	{ "setup", cmd_setup, "pick and download the models this machine needs (asks once)" },
	{ "doctor", cmd_doctor, "check models, sound, data folder and fit; say what to fix" },
	{ "engine", cmd_engine, "where the language model and speech run: this device, or a server you name" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: tacit [--version] [--verbose] <command> [<args>]\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-12s %s\n  %-12s %s\n", "help", "this list, or 'tacit help COMMAND' for one command",
		"version", "the versions of tacit and of the libraries it was built with");
	fprintf(f, "\n'tacit <command> --help' (or 'tacit help <command>') tells more about a command.\n");
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

int cli_int_option(const char *cmd, const char *opt, const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return cli_usage_error(cmd, "%s wants a number from %d to %d, not '%s'", opt, lo, hi, s);
	*out = (int)v;
	return 0;
}

void cli_log_to_stderr(enum tacit_log_level level)
{
	tacit_log_set(log_stderr, NULL, level);
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

size_t cli_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[129];
	if (la > 128 || lb > 128)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static const struct command *find_command(const char *name)
{
	for (size_t c = 0; c < N_COMMANDS; c++)
		if (!strcmp(name, commands[c].name))
			return &commands[c];
	return NULL;
}

/* "not a tacit command", with the closest command when a typo is likely (at most two
 * edits, and fewer than half the name's letters, so that 'x' does not suggest 'rm'). */
static int unknown_command(const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (size_t c = 0; c < N_COMMANDS; c++) {
		size_t d = cli_edit_distance(name, commands[c].name);
		if (d < best_d && d * 2 < strlen(commands[c].name)) {
			best = commands[c].name;
			best_d = d;
		}
	}
	if (best)
		fprintf(stderr, "tacit: '%s' is not a tacit command (did you mean '%s'?)\n", name, best);
	else
		fprintf(stderr, "tacit: '%s' is not a tacit command (see 'tacit help')\n", name);
	return EXIT_USAGE;
}

/* Whether a command's arguments ask for its help: '--help' or '-h' anywhere before
 * '--', so that 'tacit live --title x --help' shows help instead of starting a meeting. */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* Runs a command; with help asked anywhere, runs it as 'CMD --help' before it parses
 * (and perhaps rejects) its other arguments. */
static int run_command(const struct command *cmd, int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		char *help_argv[] = { argv[0], "--help", NULL };
		return cmd->fn(2, help_argv);
	}
	return cmd->fn(argc, argv);
}

/* 'tacit help [COMMAND]' */
static int help_command(int argc, char **argv)
{
	const struct command *cmd;
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "tacit help: one command at a time\n");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "version")) {
		usage(stdout);
		return 0;
	}
	if (!(cmd = find_command(argv[1])))
		return unknown_command(argv[1]);
	char *help_argv[] = { argv[1], "--help", NULL };
	return cmd->fn(2, help_argv);
}

const char *cli_count(int64_t n, const char *noun, char *buf, unsigned len)
{
	snprintf(buf, len, "%" PRId64 " %s%s", n, noun, n == 1 ? "" : "s");
	return buf;
}

static void print_version(void)
{
	struct tacit_versions v = tacit_versions();
	printf("tacit %s\nllama.cpp %s\nwhisper.cpp %s\nggml %s\nsqlite %s\n", v.tacit, v.llama, v.whisper, v.ggml,
	       v.sqlite);
	/* set by tools/runtime's `tacit` command: the root this tacit runs in */
	const char *runtime = getenv("TACIT_RUNTIME");
	if (runtime && *runtime)
		printf("runtime: %s\n", runtime);
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
	cli_log_to_stderr(level);
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help"))
		return help_command(argc - i, argv + i);
	if (!strcmp(argv[i], "version")) {
		print_version();
		return 0;
	}
	const struct command *cmd = find_command(argv[i]);
	if (!cmd)
		return unknown_command(argv[i]);
	return run_command(cmd, argc - i, argv + i);
}
