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
/* An option's whole-number value s, from lo to hi, into *out: 0, or the usage error
 * ("--ctx wants a number from 0 to 16777216, not 'x'") as cli_usage_error() returns it. */
int cli_int_option(const char *cmd, const char *opt, const char *s, int lo, int hi, int *out);
/* The library's log lines on stderr as "tacit: LEVEL: line", from level up (--verbose). */
void cli_log_to_stderr(enum tacit_log_level level);
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
/* Search by meaning (cmd_index.c): the embedding model named (NULL = the chosen or
 * downloaded one, none being no error unless named) gets every line without a vector of
 * it, with a progress line; *path (caller frees; NULL when none) is the model for
 * tacit_ask_all_params.embed_model. Returns an exit code. */
int cli_index_for_search(const char *cmd, struct tacit_store *store, const char *named, int threads, bool json,
			 char **path);

/* Monotonic seconds, for pacing and lag (the library's clock is internal). */
double cli_now_s(void);

/* The progress line of a long command (progress.c). On a terminal: one line on stderr,
 * rewritten; with json: JSON lines on stderr, one schema for every command:
 *   {"event":"progress","phase":"read"|"write"|"transcribe"|"summarize"|"index","done":N,
 *    "total":N|null,"exact":B,"unit":"tokens"|"ms"|"segments","elapsed_s":X,"rate":X,"left_s":X|null}
 * (exact: false while total is an estimate; rate: units per second over the phase so far,
 * not counting what was done when it started; done never decreases within a phase;
 * each phase prints when it starts, at most every 0.25 s as it moves, every second
 * while it does not, and when it ends). Otherwise nothing. Thread-safe. */
struct cli_progress {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t ticker;
	bool on, json, ticking, stop;
	char phase[16];        /* "" before the first phase */
	long long done, total; /* total 0 = unknown */
	long long base;        /* done when the counts became exact (the rate leaves it out) */
	bool exact;            /* total is counted, not estimated */
	double t0, last;       /* the phase's start, the last time drawn */
	int width;             /* of the line on the terminal */
	long long analysed;    /* "transcribe": the recording summarized so far (ms; 0 none) */
};
void cli_progress_start(struct cli_progress *p, bool json);
/* Starts a phase ("read", "write", "transcribe", "summarize" and "index": segments) with its total
 * (0 = unknown). */
void cli_progress_phase(struct cli_progress *p, const char *phase, long long total);
void cli_progress_set(struct cli_progress *p, long long done);
/* Exact counts (the model's own, replacing an estimate) for phase: the one under way,
 * or a new one when another phase is under way or done went back (the next model call);
 * with json each call prints. */
void cli_progress_count(struct cli_progress *p, const char *phase, long long done, long long total);
long long cli_progress_done(struct cli_progress *p);
/* How far into the recording the analysis has summarized while it is transcribed (ms):
 * the "transcribe" line says it, and JSON lines carry "analysed_ms". */
void cli_progress_analysed(struct cli_progress *p, long long ms);
/* Ends the line (cleared on a terminal) and the ticker. */
void cli_progress_stop(struct cli_progress *p);

/* The status line of `tacit live` on a terminal (live_status.c): elapsed time, levels,
 * lag, the model's state and the words being spoken, redrawn every second. Events go to
 * cli_status_event(); output between hide and show (which hold its lock) never mixes
 * with it; show(false) after the last output ends it, as stop does (once or more; events
 * may still come after it, and draw nothing). Nothing when stderr is not a terminal. */
struct cli_status {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t ticker;
	bool on, ticking, stop, hidden, shown, have_meter;
	double t0;
	int n_levels;
	float rms[2];
	char label[2][8];
	double lag_s;
	char state[16];
	char partial[96];
	char note[96]; /* shown instead of the levels once set (the stop) */
	int width;
};
void cli_status_start(struct cli_status *s);
void cli_status_event(struct cli_status *s, const struct tacit_live_event *ev);
/* Replaces the levels, lag and state with text (the audio has ended). */
void cli_status_note(struct cli_status *s, const char *text);
void cli_status_hide(struct cli_status *s);
void cli_status_show(struct cli_status *s, bool again);
void cli_status_stop(struct cli_status *s);

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
int cmd_index(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_speakers(int argc, char **argv);
int cmd_voices(int argc, char **argv);
/* Prints s to stdout as a JSON string (quotes, backslashes and control bytes escaped;
 * in cmd_speakers.c). */
void cli_json_str(const char *s);
int cmd_import(int argc, char **argv);
int cmd_batch(int argc, char **argv);
/* Session store helpers (cmd_sessions.c): parse a session id (prints the usage error
 * and returns false when it is not one), and "hh:mm:ss" of a duration. */
bool cli_session_id(const char *cmd, const char *arg, int64_t *out);
const char *cli_clock(int64_t ms, char *buf, unsigned len);
int cmd_summarize(int argc, char **argv);
int cmd_notes(int argc, char **argv);
int cmd_templates(int argc, char **argv);
int cmd_actions(int argc, char **argv);
int cmd_mcp(int argc, char **argv);
int cmd_ask(int argc, char **argv);
/* `tacit ask --all QUESTION` (cmd_ask_all.c), called by cmd_ask. */
int cmd_ask_all(int argc, char **argv);
/* `tacit ask --live ID QUESTION` (cmd_ask_live.c), called by cmd_ask. */
int cmd_ask_live(int64_t session_id, const char *question, bool json);
int cmd_suggest(int argc, char **argv);
int cmd_transcribe(int argc, char **argv);
int cmd_diarize(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_engine(int argc, char **argv);
/* Where the language model runs: the settings engine.llm.*, with url (--engine; NULL =
 * none given) in place of engine.llm. 0, else the exit code (the error printed). */
int cli_engine(const char *cmd, const char *url, struct tacit_engine *out);
/* The same for speech: the settings engine.asr.*, with url (--asr-engine) in place of
 * engine.asr. */
int cli_asr_engine(const char *cmd, const char *url, struct tacit_engine *out);

#endif
