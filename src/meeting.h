/*
 * meeting.h — the meeting tasks' entry point for the session layer (session_task.c):
 * tacit_meeting_run() with a saved prefix state per transcript window, the question's
 * relevance to each segment (an answer to a long meeting reads the best window only),
 * and what happened (windows, states, the last model call's stats).
 */
#ifndef TACIT_MEETING_H
#define TACIT_MEETING_H

#include "internal.h"

#include "plan.h"

/* Window states: the transcript prefix of each window's prompt is saved to, or loaded
 * from, a file the session layer names after what it depends on. */
struct meeting_states {
	/* Sets out to the state file of the window whose transcript text is body; false =
	 * none for this window (the window is decoded without a saved state). */
	bool (*path)(void *user, const char *body, struct buf *out);
	/* Called once for every window of the plan when the run ends (also after a
	 * failure, once the plan was made): its file and what happened with it. */
	void (*report)(void *user, const char *path, enum tacit_state_use use);
	void *user;
	/* TACIT_TASK_ANSWER: how well each segment matches the question (0 = not at all),
	 * t->n values; NULL = no ranking. A meeting longer than the context is then answered
	 * from its best-matching window alone. */
	const double *relevance;
};

struct meeting_outcome {
	struct tacit_llm_stats last; /* the last model call's */
	int n_windows;               /* of the plan; 1 = one pass */
	int answer_window;           /* 1-based window an answer came from alone; 0 = all */
	int n_calls;                 /* model calls: one per window read, one per merge */
	int n_lang_retries;          /* calls asked again because the answer's language differed */
	const char *language;        /* the checked output language ("fr", static), or NULL */
	int states_loaded, states_saved;
};

/* The window an answer reads over a plan of several: the one whose segments match the
 * question best (the sum of their relevance, t->n values or NULL); -1 when nothing
 * matches and the meeting is short enough to read every window; MEETING_TOO_MANY_WINDOWS
 * when nothing matches in more windows than an answer may read (meeting_run() then
 * fails with TACIT_ERR_CONTEXT_FULL and a message saying what to ask instead). */
#define MEETING_TOO_MANY_WINDOWS (-2)
int meeting_answer_focus(const struct plan *plan, const double *relevance);

/* The meeting's speakers (their names when renamed), once each in order of first words,
 * at most 32: the owners a summary's grammar offers and owners_check() keeps. *out: n
 * strings and the array, each freed with free(). */
enum tacit_status meeting_speaker_names(const struct tacit_transcript *t, char ***out, size_t *n_out);

/* tacit_meeting_run() with window states (states may be NULL: then params->state_path
 * serves a one-pass run); *out (may be NULL) says what happened. */
enum tacit_status meeting_run(struct tacit_llm *llm, const struct tacit_transcript *t,
			      const struct tacit_meeting_params *params, const struct meeting_states *states,
			      char **out_json, struct meeting_outcome *out);

/* The language a task's output is asked in: lang when given (not "auto"), else for an
 * answer none (it follows the question), else the transcript's stored language, else
 * the one lang_detect() reads in its text; NULL = unknown. Points into lang, t or
 * static storage. */
const char *meeting_output_language(enum tacit_task task, const char *lang, const struct tacit_transcript *t);
/* "fr"/"French" -> "French" (anything else as given) and -> "fr" (NULL when unknown). */
const char *meeting_language_name(const char *lang);
const char *meeting_language_code(const char *lang);
/* The prompt's language instruction (lang from meeting_output_language()); strong: the
 * firmer one of the retry. */
void meeting_language_line(enum tacit_task task, const char *lang, bool strong, struct buf *out);
/* The language of an answer's text values (names and fixed words left out), by
 * lang_detect(); NULL when it cannot tell. */
const char *meeting_answer_language(const char *json, int *hits);

/* Tests: every model call of meeting_run() and of a live meeting's analysis goes to fn
 * instead of the model (NULL = the model again). fn returns the raw answer in *out_text
 * (freed with tacit_free()). */
typedef enum tacit_status (*meeting_generate_hook)(const struct tacit_llm_request *req, char **out_text,
						   struct tacit_llm_stats *stats, void *user);
void meeting_set_generate_hook(meeting_generate_hook fn, void *user);
/* The live analysis's calls too (live_prompt.c): true when a hook is set and has
 * answered req, its status in *st. */
bool meeting_generate_hooked(const struct tacit_llm_request *req, char **out_text, struct tacit_llm_stats *stats,
			     enum tacit_status *st);

#endif
