/*
 * live.h — the parts of live meetings that are pure decisions, kept apart so they are
 * unit-tested without models: when automatic suggestions run, given the settings, the
 * power source, the battery and the machine's load; when the language model must wait
 * for the transcription; and the rolling summary state, a pure function of the windows
 * folded into it (live_summary.c).
 */
#ifndef TACIT_LIVE_H
#define TACIT_LIVE_H

#include "internal.h"

struct live_policy {
	double interval_s;       /* suggestions.interval_s */
	double battery_factor;   /* suggestions.battery_factor */
	int battery_min_percent; /* suggestions.battery_min_percent */
	double max_load;         /* suggestions.max_load, per usable core */
};

enum live_suggest_state {
	LIVE_SUGGEST_RUN = 0,
	LIVE_SUGGEST_PAUSED_BATTERY = 1, /* on battery below the threshold: none until charged */
	LIVE_SUGGEST_BUSY = 2,           /* the machine is loaded: skip this round, back off */
};

/* Decides one round. *interval_s receives the wait before the next round: the
 * interval, times battery_factor on battery, times 2^backoff (backoff 0..3, which the
 * caller raises after each BUSY round and resets after a RUN). */
enum live_suggest_state live_suggest_decide(const struct live_policy *p, enum tacit_power power, int battery_percent,
					    double load1, int n_cores, int backoff, double *interval_s);

/* Transcription first: whether the language model's worker is paused now. It is while
 * the transcription has work the model would slow down: a final whisper request in flight
 * or queued (asr_busy), or more than max_backlog_ms of audio waiting for the transcription
 * thread (it falls behind). enabled: the setting live.asr_first. */
bool live_llm_must_wait(bool enabled, bool asr_busy, int64_t backlog_ms, int64_t max_backlog_ms);
/* The setting live.asr_backlog_ms as a limit: 0 to 600000 ms whatever was stored. */
int64_t live_backlog_limit(double setting_ms);
#define LIVE_DEFAULT_MAX_MINUTES 480
/* The setting live.max_minutes as the longest meeting in ms of audio: 480 minutes when
 * unset or not a positive number, else clamped to 0.1 minute to 1440 (a day). */
int64_t live_max_audio_ms(double setting_minutes);

/* Reads the 1-minute load average from <sysroot>/proc/loadavg; -1 when unreadable. */
double live_loadavg(const char *sysroot);

/* The rolling state: title, overview, the summary template's lists (general's: key
 * points, decisions, action items, open questions) and other text sections, one notes
 * section per window, and next_segment (it covers segments [1, next_segment)) and
 * windows (how many were folded). Stored as the JSON artifact "rolling_summary" (with
 * "template" when not general). Pure: no locks, no I/O, no model calls. */
struct live_roll;
struct template;

/* The empty state for template tp (NULL = general; the state keeps the pointer: tp must
 * outlive it and every state folded from it); NULL when out of memory. Free with
 * live_roll_free(). */
struct live_roll *live_roll_new(const struct template *tp);
/* A stored state when it has every field of tp's (NULL = general) and was folded with
 * it; NULL otherwise (start over). */
struct live_roll *live_roll_parse(const char *json, const struct template *tp);
void live_roll_free(struct live_roll *r); /* accepts NULL */
/* The state as JSON (caller frees); NULL when out of memory. */
char *live_roll_json(const struct live_roll *r);
const char *live_roll_title(const struct live_roll *r);    /* "" before the first fold */
const char *live_roll_overview(const struct live_roll *r); /* "" before the first fold */
bool live_roll_is_empty(const struct live_roll *r);         /* no title and no overview yet */
uint64_t live_roll_next_segment(const struct live_roll *r);
uint64_t live_roll_windows(const struct live_roll *r);

/* The state after the window of segment indices [first, end) (the section [S first+1,
 * S end]) is folded into prev: a new state (free it with live_roll_free(); prev is not
 * changed), NULL when out of memory.
 *   part: the window's checked summary JSON ("title", the template's sections, and
 *         "part", a topic, from the stop's call), or NULL when its model call failed: the
 *         window counts all the same (next_segment = end, windows + 1), for the meeting
 *         goes on. Its list items are appended with their cites cut to the window (an
 *         item left with none is dropped), a text section other than the overview takes
 *         the part's when not empty, and one notes section is added whose topic is
 *         "part", else "title", and whose bullets are the items of the template's first
 *         plain list (general's key points), else "WHO: text" of its per-speaker and
 *         actions lists (or the overview, cited to the window's first segment, when none
 *         is left).
 *   title, overview: the whole meeting's new ones; NULL keeps the old ones. */
struct live_roll *live_roll_fold(const struct live_roll *prev, const char *part, size_t part_len, const char *title,
				 const char *overview, size_t first, size_t end);

/* What every prompt says of the meeting before the window, ahead of its transcript: the
 * title and the overview of the part folded so far; nothing before the first fold. It
 * changes only when a window is folded, which moves the window's start anyway, so the
 * model's cache holds it with the transcript: a stop's final call reads only its
 * instructions, however long the meeting ran. */
void live_roll_preface(const struct live_roll *r, struct buf *out);

/* What a question's prompt adds after the window: the items of the template's first
 * plain list (general's key points) from the folded windows, numbered [S number],
 * [S number+1].. as the window's segments are (see struct cite_map); *earlier (caller
 * frees) gets the meeting's segment each stands for (its first cite), *n their count;
 * nothing when there are none. False when out of memory. */
bool live_roll_recap(const struct live_roll *r, size_t number, struct buf *out, long long **earlier, size_t *n);

/* The stop's "summary" (title, then the template's sections in its order) and "notes"
 * (the sections) JSON; both caller frees. TACIT_ERR_NOMEM. */
enum tacit_status live_roll_final_json(const struct live_roll *r, char **out_summary, char **out_notes);

#endif
