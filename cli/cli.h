/*
 * cli.h — shared pieces of the `tacit` command: one function per subcommand, and the
 * helpers that turn a tacit_status into a message on stderr and an exit code.
 * The CLI includes only <tacit.h>: it is the first embedder of the library.
 */
#ifndef TACIT_CLI_H
#define TACIT_CLI_H

#include <tacit.h>

#include <pthread.h>

#define EXIT_USAGE 2

/* Prints "tacit: <errmsg>" (or the status name) and returns the status's exit code. */
int cli_fail(enum tacit_status st);
/* Prints "tacit CMD: <message>" and the command's usage hint; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The usage error for what getopt_long() rejected (c: what it returned, with an
 * optstring that starts with ':' so that a missing value is told from an unknown
 * option; then optopt and optind say which). Returns EXIT_USAGE. */
int cli_option_error(const char *cmd, int c, char **argv);
/* "1.2 GiB" into buf. */
const char *cli_bytes(unsigned long long n, char *buf, unsigned len);
/* "1 segment", "2 segments" into buf (a noun whose plural takes an s). */
const char *cli_count(int64_t n, const char *noun, char *buf, unsigned len);
/* Levenshtein distance of two names (1000 past 128 bytes), for "did you mean". */
size_t cli_edit_distance(const char *a, const char *b);
/* An input file that must exist ('-' passes): prints "tacit: cannot open 'F': why" and
 * returns the exit code (not found, or I/O) when it does not, EXIT_USAGE for a
 * directory; else 0. */
int cli_input_check(const char *path);
/* A model a command needs: its kind, what the user named (NULL: the setting or the
 * downloaded one), the command's flag for it ("--asr-model") and, optionally, more
 * advice after the flag (" (or --no-vad)"). path: the file, set by cli_models_resolve(),
 * caller frees with tacit_free(). */
struct cli_model {
	enum tacit_model_kind kind;
	const char *name;
	const char *flag;
	const char *extra;
	char *path;
};
/* Resolves all n models. When any fails, prints one message naming each missing one
 * with its flag and where to get it, frees the paths and returns the exit code;
 * else 0. */
int cli_models_resolve(const char *cmd, struct cli_model *m, size_t n);
/* Monotonic seconds, for pacing and lag (the library's clock is internal). */
double cli_now_s(void);

/* The progress line of a long command (progress.c). On a terminal: one line on stderr,
 * rewritten; with json: JSON lines on stderr, one schema for every command:
 *   {"event":"progress","phase":"read"|"write"|"transcribe","done":N,"total":N|null,
 *    "unit":"tokens"|"ms","elapsed_s":X,"rate":X,"left_s":X|null}
 * (rate: units per second over the phase so far; done never decreases within a phase;
 * each phase prints when it starts, at most every 0.25 s as it moves, every second
 * while it does not, and when it ends). Otherwise nothing. Thread-safe. */
struct cli_progress {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t ticker;
	bool on, json, ticking, stop;
	char phase[16];        /* "" before the first phase */
	long long done, total; /* total 0 = unknown */
	double t0, last;       /* the phase's start, the last time drawn */
	int width;             /* of the line on the terminal */
};
void cli_progress_start(struct cli_progress *p, bool json);
/* Starts a phase ("read", "write", "transcribe") with its total (0 = unknown). */
void cli_progress_phase(struct cli_progress *p, const char *phase, long long total);
void cli_progress_set(struct cli_progress *p, long long done);
long long cli_progress_done(struct cli_progress *p);
/* Ends the line (cleared on a terminal) and the ticker. */
void cli_progress_stop(struct cli_progress *p);

int cmd_system(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_forget(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_import(int argc, char **argv);
/* Session store helpers (cmd_sessions.c): parse a session id (prints the usage error
 * and returns false when it is not one), and "hh:mm:ss" of a duration. */
bool cli_session_id(const char *cmd, const char *arg, int64_t *out);
const char *cli_clock(int64_t ms, char *buf, unsigned len);
int cmd_summarize(int argc, char **argv);
int cmd_notes(int argc, char **argv);
int cmd_ask(int argc, char **argv);
/* `tacit ask --live ID QUESTION` (cmd_ask_live.c), called by cmd_ask. */
int cmd_ask_live(int64_t session_id, const char *question, bool json);
int cmd_suggest(int argc, char **argv);
int cmd_transcribe(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_engine(int argc, char **argv);
/* Where the language model runs: the settings engine.llm.*, with url (--engine; NULL =
 * none given) in place of engine.llm. 0, else the exit code (the error printed). */
int cli_engine(const char *cmd, const char *url, struct tacit_engine *out);

#endif
