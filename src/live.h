/*
 * live.h — the parts of live meetings that are pure decisions, kept apart so they are
 * unit-tested without models: when automatic suggestions run, given the settings, the
 * power source, the battery and the machine's load; and when the language model must
 * wait for the transcription.
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

/* Reads the 1-minute load average from <sysroot>/proc/loadavg; -1 when unreadable. */
double live_loadavg(const char *sysroot);

#endif
