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
	int states_loaded, states_saved;
};

/* The window an answer reads over a plan of several: the one whose segments match the
 * question best (the sum of their relevance, t->n values or NULL); -1 when nothing
 * matches and the meeting is short enough to read every window; MEETING_TOO_MANY_WINDOWS
 * when nothing matches in more windows than an answer may read (meeting_run() then
 * fails with TACIT_ERR_CONTEXT_FULL and a message saying what to ask instead). */
#define MEETING_TOO_MANY_WINDOWS (-2)
int meeting_answer_focus(const struct plan *plan, const double *relevance);

/* tacit_meeting_run() with window states (states may be NULL: then params->state_path
 * serves a one-pass run); *out (may be NULL) says what happened. */
enum tacit_status meeting_run(struct tacit_llm *llm, const struct tacit_transcript *t,
			      const struct tacit_meeting_params *params, const struct meeting_states *states,
			      char **out_json, struct meeting_outcome *out);

#endif
