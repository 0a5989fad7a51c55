/*
 * live_status.c — the status line of `tacit live` on a terminal: elapsed time, each
 * channel's level, how far the transcript is behind, what the model does and the words
 * being spoken, on stderr, rewritten with '\r' every second and at each meter or partial.
 * Other output hides it first (cli_status_hide) and brings it back after (cli_status_show),
 * under one lock, so a line of transcript never lands in the middle of it. Elsewhere
 * (not a terminal) it does nothing.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* "[#####...]": -60 dBFS and below empty, 0 dBFS full. */
static void bar(float dbfs, char *out, size_t len)
{
	int cells = (int)len - 3, on = (int)((dbfs + 60.0f) / 60.0f * (float)cells + 0.5f);
	on = on < 0 ? 0 : on > cells ? cells : on;
	out[0] = '[';
	for (int i = 0; i < cells; i++)
		out[1 + i] = i < on ? '#' : '.';
	out[cells + 1] = ']';
	out[cells + 2] = '\0';
}

static int columns(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

/* Draws the line; the caller holds the lock. */
static void draw(struct cli_status *s)
{
	char line[512], clock[32], b[13];
	int n = snprintf(line, sizeof(line), "%s", cli_clock((int64_t)((cli_now_s() - s->t0) * 1000.0), clock,
							    sizeof(clock)));
	if (*s->note) {
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  %s", s->note);
	} else if (!s->have_meter) {
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  starting");
	} else {
		for (int c = 0; c < s->n_levels; c++) {
			bar(s->rms[c], b, sizeof(b));
			n += snprintf(line + n, sizeof(line) - (size_t)n, "  %s%s%s %3.0f dB", s->label[c],
				      *s->label[c] ? " " : "", b, s->rms[c]);
		}
		if (s->n_levels == 0)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "  no audio");
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  lag %.1f s  %s", s->lag_s,
			      !strcmp(s->state, "paused") ? "paused for transcription" : s->state);
	}
	if (*s->partial && (size_t)n + 4 < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, "  \"%s\"", s->partial);
	/* one terminal line: cut at its width (on a character boundary), never wrap */
	int width = columns() - 1, len = (int)strlen(line);
	if (len > width) {
		len = width;
		while (len > 0 && ((unsigned char)line[len] & 0xC0) == 0x80)
			len--;
		line[len] = '\0';
	}
	fprintf(stderr, "\r%s%*s", line, s->width > len ? s->width - len : 0, "");
	s->width = len;
	s->shown = true;
	fflush(stderr);
}

static void *ticker_main(void *arg)
{
	struct cli_status *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&s->cond, &s->lock, &until);
		if (!s->stop && !s->hidden)
			draw(s);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

void cli_status_start(struct cli_status *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->on = isatty(STDERR_FILENO);
	s->t0 = cli_now_s();
	if (s->on) {
		/* Ctrl-C is the command's own to handle, on its own thread: never this one */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		s->ticking = pthread_create(&s->ticker, NULL, ticker_main, s) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
}

/* Clears the line on the terminal; the caller holds the lock. */
static void clear(struct cli_status *s)
{
	if (s->shown && s->width)
		fprintf(stderr, "\r%*s\r", s->width, "");
	s->shown = false;
	s->width = 0;
	fflush(stderr);
}

void cli_status_event(struct cli_status *s, const struct tacit_live_event *ev)
{
	if (!s->on)
		return;
	pthread_mutex_lock(&s->lock);
	if (ev->type == TACIT_LIVE_METER) {
		s->have_meter = true;
		s->n_levels = ev->n_levels;
		for (int c = 0; c < ev->n_levels && c < 2; c++) {
			s->rms[c] = ev->rms_dbfs[c];
			snprintf(s->label[c], sizeof(s->label[c]), "%s",
				 ev->n_levels == 2 ? tacit_speaker_name(c ? TACIT_SPEAKER_THEM : TACIT_SPEAKER_ME)
						   : "");
		}
		s->lag_s = (double)ev->lag_ms / 1000.0;
		snprintf(s->state, sizeof(s->state), "%s", ev->text);
	} else if (ev->type == TACIT_LIVE_PARTIAL) {
		/* the newest words: what fits at the end of the line */
		size_t len = strlen(ev->text), keep = sizeof(s->partial) - 1;
		const char *from = len > keep ? ev->text + len - keep : ev->text;
		while (((unsigned char)*from & 0xC0) == 0x80)
			from++;
		while (*from == ' ')
			from++;
		snprintf(s->partial, sizeof(s->partial), "%s", from);
	} else if (ev->type == TACIT_LIVE_FINAL) {
		s->partial[0] = '\0';
	}
	if (!s->hidden && !s->stop && (ev->type == TACIT_LIVE_METER || ev->type == TACIT_LIVE_PARTIAL))
		draw(s);
	pthread_mutex_unlock(&s->lock);
}

void cli_status_note(struct cli_status *s, const char *text)
{
	if (!s->on)
		return;
	pthread_mutex_lock(&s->lock);
	snprintf(s->note, sizeof(s->note), "%s", text);
	s->partial[0] = '\0';
	if (!s->hidden && !s->stop)
		draw(s);
	pthread_mutex_unlock(&s->lock);
}

void cli_status_hide(struct cli_status *s)
{
	if (!s->on)
		return;
	pthread_mutex_lock(&s->lock);
	clear(s);
	s->hidden = true;
}

void cli_status_show(struct cli_status *s, bool again)
{
	if (!s->on)
		return;
	fflush(stdout);
	s->hidden = false;
	if (!again) { /* the meeting has ended: the line stays away */
		s->stop = true;
		pthread_cond_signal(&s->cond);
	}
	if (!s->stop)
		draw(s);
	pthread_mutex_unlock(&s->lock);
}

void cli_status_stop(struct cli_status *s)
{
	if (!s->on)
		return;
	pthread_mutex_lock(&s->lock);
	clear(s);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	if (s->ticking)
		pthread_join(s->ticker, NULL);
	s->ticking = false;
}
