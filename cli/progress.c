/*
 * progress.c — the one progress line of long commands: on a terminal, a line on stderr
 * rewritten with '\r' ("reading the transcript: 1,024 of 5,000 tokens, 210 tok/s, 19 s
 * left", "writing: 87 tokens, 12 tok/s");
 * with --json, JSON lines on stderr instead; elsewhere nothing. A ticker thread redraws
 * it every second, so a command never looks stuck while the model reads in silence.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* 1234567 as "1,234,567". */
static const char *thousands(long long n, char *buf, size_t len)
{
	char raw[32];
	int k = snprintf(raw, sizeof(raw), "%lld", n < 0 ? 0 : n), o = 0;
	for (int i = 0; i < k && (size_t)o + 2 < len; i++) {
		if (i > 0 && (k - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = '\0';
	return buf;
}

/* Prints the current state; the caller holds the lock. */
static void draw(struct cli_progress *p, double now)
{
	double elapsed = now - p->t0;
	long long moved = p->done - p->base;
	double rate = elapsed > 0.05 && moved > 0 ? (double)moved / elapsed : 0;
	double left = rate > 0 && p->total > p->done ? (double)(p->total - p->done) / rate : -1;
	bool ms = !strcmp(p->phase, "transcribe"), index = !strcmp(p->phase, "index");
	bool segs = index || !strcmp(p->phase, "summarize");
	p->last = now;
	if (p->json) {
		fprintf(stderr, "{\"event\":\"progress\",\"phase\":\"%s\",\"done\":%lld,\"total\":", p->phase, p->done);
		if (p->total > 0)
			fprintf(stderr, "%lld", p->total);
		else
			fputs("null", stderr);
		fprintf(stderr, ",\"exact\":%s,\"unit\":\"%s\",\"elapsed_s\":%.1f,\"rate\":%.1f,",
			p->exact || ms ? "true" : "false", ms ? "ms" : segs ? "segments" : "tokens", elapsed, rate);
		if (ms && p->analysed > 0)
			fprintf(stderr, "\"analysed_ms\":%lld,", p->analysed);
		fputs("\"left_s\":", stderr);
		if (left >= 0)
			fprintf(stderr, "%.0f}\n", left);
		else
			fputs("null}\n", stderr);
		return;
	}
	char a[32], b[32], line[160];
	if (ms && p->analysed > 0) {
		snprintf(line, sizeof(line), "transcribing: %s of the recording done, summarized to %s (%.0f s)",
			 cli_clock(p->done, a, sizeof(a)), cli_clock(p->analysed, b, sizeof(b)), elapsed);
	} else if (ms) {
		snprintf(line, sizeof(line), "transcribing: %s of the recording done (%.0f s)",
			 cli_clock(p->done, a, sizeof(a)), elapsed);
	} else if (index) {
		int n = snprintf(line, sizeof(line), "indexing for search by meaning: %s of %s lines",
				 thousands(p->done, a, sizeof(a)), thousands(p->total, b, sizeof(b)));
		if (left >= 0 && n > 0 && (size_t)n < sizeof(line))
			snprintf(line + n, sizeof(line) - (size_t)n, ", %.0f s left", left);
	} else if (segs) {
		snprintf(line, sizeof(line), "summarizing: %s of %s segments (%.0f s)", thousands(p->done, a, sizeof(a)),
			 thousands(p->total, b, sizeof(b)), elapsed);
	} else if (!strcmp(p->phase, "read") && !p->exact) {
		/* the model has not said yet how long the prompt is: the estimate and the time */
		snprintf(line, sizeof(line), "reading the transcript: ~%s tokens (%.0f s)",
			 thousands(p->total, a, sizeof(a)), elapsed);
	} else if (!strcmp(p->phase, "read")) {
		int n = snprintf(line, sizeof(line), "reading the transcript: %s of %s tokens",
				 thousands(p->done, a, sizeof(a)), thousands(p->total, b, sizeof(b)));
		if (rate > 0 && n > 0 && (size_t)n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - (size_t)n, ", %.0f tok/s", rate);
		if (left >= 0 && n > 0 && (size_t)n < sizeof(line))
			snprintf(line + n, sizeof(line) - (size_t)n, ", %.0f s left", left);
	} else {
		snprintf(line, sizeof(line), "writing: %s tokens, %.0f tok/s", thousands(p->done, a, sizeof(a)), rate);
	}
	/* Pad over a longer line drawn before, then come back to the line's start. */
	int n = (int)strlen(line);
	fprintf(stderr, "\r%s%*s", line, p->width > n ? p->width - n : 0, "");
	p->width = n;
	fflush(stderr);
}

static void *ticker_main(void *arg)
{
	struct cli_progress *p = arg;
	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&p->cond, &p->lock, &until);
		double now = cli_now_s();
		if (!p->stop && p->phase[0] && now - p->last >= 0.9)
			draw(p, now);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

void cli_progress_start(struct cli_progress *p, bool json)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->json = json;
	p->on = json || isatty(STDERR_FILENO);
	if (p->on)
		p->ticking = pthread_create(&p->ticker, NULL, ticker_main, p) == 0;
}

/* Ends the phase under way (its last state, with --json) and starts another; with the
 * lock held. */
static void begin_phase(struct cli_progress *p, const char *phase, long long total, bool exact, long long done)
{
	if (!strcmp(p->phase, "read"))
		p->done = p->total; /* the model writes once it has read everything */
	if (p->phase[0] && p->json)
		draw(p, cli_now_s()); /* the last state of the phase that ends */
	snprintf(p->phase, sizeof(p->phase), "%s", phase);
	p->done = p->base = done;
	p->exact = exact;
	p->total = total;
	p->t0 = cli_now_s();
	draw(p, p->t0);
}

void cli_progress_phase(struct cli_progress *p, const char *phase, long long total)
{
	if (!p->on)
		return;
	pthread_mutex_lock(&p->lock);
	begin_phase(p, phase, total, false, 0);
	pthread_mutex_unlock(&p->lock);
}

void cli_progress_analysed(struct cli_progress *p, long long ms)
{
	if (!p->on)
		return;
	pthread_mutex_lock(&p->lock);
	if (ms > p->analysed) {
		p->analysed = ms;
		if (!strcmp(p->phase, "transcribe"))
			draw(p, cli_now_s()); /* a fold is news: shown at once */
	}
	pthread_mutex_unlock(&p->lock);
}

void cli_progress_set(struct cli_progress *p, long long done)
{
	if (!p->on)
		return;
	pthread_mutex_lock(&p->lock);
	p->done = done;
	double now = cli_now_s();
	if (now - p->last >= 0.25)
		draw(p, now);
	pthread_mutex_unlock(&p->lock);
}

void cli_progress_count(struct cli_progress *p, const char *phase, long long done, long long total)
{
	if (!p->on)
		return;
	pthread_mutex_lock(&p->lock);
	if (strcmp(p->phase, phase) != 0 || done < p->done) { /* the next model call */
		begin_phase(p, phase, total, true, done);
	} else {
		if (!p->exact) /* what was there before (a cache, a saved state) took no time */
			p->base = done;
		bool first = !p->exact;
		p->exact = true;
		p->done = done;
		p->total = total;
		double now = cli_now_s();
		if (p->json || first || now - p->last >= 0.25)
			draw(p, now);
	}
	pthread_mutex_unlock(&p->lock);
}

long long cli_progress_done(struct cli_progress *p)
{
	pthread_mutex_lock(&p->lock);
	long long done = p->done;
	pthread_mutex_unlock(&p->lock);
	return done;
}

void cli_progress_stop(struct cli_progress *p)
{
	if (p->on) {
		pthread_mutex_lock(&p->lock);
		if (p->phase[0] && p->json)
			draw(p, cli_now_s());
		else if (p->width)
			fprintf(stderr, "\r%*s\r", p->width, "");
		p->stop = true;
		pthread_cond_signal(&p->cond);
		pthread_mutex_unlock(&p->lock);
		if (p->ticking)
			pthread_join(p->ticker, NULL);
		fflush(stderr);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	p->on = false;
}
