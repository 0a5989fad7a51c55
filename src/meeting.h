/*
 * meeting.h — the meeting tasks' entry point for the session layer (session_task.c):
 * tacit_meeting_run() plus the stats of its last model call (saved state, reuse).
 */
#ifndef TACIT_MEETING_H
#define TACIT_MEETING_H

#include "internal.h"

/* tacit_meeting_run(); *last (may be NULL) receives the last model call's stats. */
enum tacit_status meeting_run(struct tacit_llm *llm, const struct tacit_transcript *t,
			      const struct tacit_meeting_params *params, char **out_json, struct tacit_llm_stats *last);

#endif
