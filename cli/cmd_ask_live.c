/*
 * cmd_ask_live.c — `tacit ask --live ID "QUESTION"`: a question to a meeting running in
 * another process (`tacit live`, `tacit serve`), answered from that meeting's live
 * context. The answer's text prints as the model writes it (the "answer" string picked
 * out of the model's JSON as it streams), then its citations; --json prints only the
 * checked JSON at the end. Ctrl-C gives up and the meeting stops writing the answer.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int cancel_flag;

static void on_sigint(int sig)
{
	(void)sig;
	__atomic_store_n((int *)&cancel_flag, 1, __ATOMIC_RELAXED);
	signal(SIGINT, SIG_DFL); /* a second Ctrl-C ends the command at once */
}

/* The model's raw JSON so far, and how much of its "answer" string has been printed. */
struct stream {
	char *raw;
	size_t len, alloc;
	size_t printed; /* decoded bytes of the answer already on stdout */
	char *shown;    /* what was printed, to compare with the checked answer */
	size_t shown_len;
};

static size_t put_utf8(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/* Decodes the "answer" string of raw JSON as far as it is complete into out (which has
 * room for len bytes): returns the decoded length. */
static size_t answer_so_far(const char *raw, size_t len, char *out)
{
	const char *p = strstr(raw, "\"answer\""), *end = raw + len;
	size_t n = 0;
	if (!p)
		return 0;
	for (p += 8; p < end && (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t'); p++) {
	}
	if (p >= end || *p != '"')
		return 0;
	for (p++; p < end && *p != '"';) {
		if (*p != '\\') {
			out[n++] = *p++;
			continue;
		}
		if (end - p < 2)
			break; /* an escape cut in two: wait for the rest */
		char c = p[1];
		if (c == 'u') {
			if (end - p < 6)
				break;
			char hex[5] = { p[2], p[3], p[4], p[5], 0 };
			unsigned cp = (unsigned)strtoul(hex, NULL, 16);
			if (cp >= 0xD800 && cp <= 0xDFFF)
				cp = 0xFFFD; /* surrogates: the checked answer prints correctly at the end */
			n += put_utf8(cp, out + n);
			p += 6;
			continue;
		}
		out[n++] = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'b' ? '\b' : c == 'f' ? '\f' : c;
		p += 2;
	}
	return n;
}

static void on_token(const char *piece, size_t len, void *user)
{
	struct stream *s = user;
	if (s->len + len + 1 > s->alloc) {
		size_t na = (s->len + len + 1) * 2;
		char *r = realloc(s->raw, na), *d = realloc(s->shown, na * 2);
		if (r)
			s->raw = r;
		if (d)
			s->shown = d;
		if (!r || !d)
			return;
		s->alloc = na;
	}
	memcpy(s->raw + s->len, piece, len);
	s->len += len;
	s->raw[s->len] = '\0';
	size_t n = answer_so_far(s->raw, s->len, s->shown);
	if (n > s->printed) {
		fwrite(s->shown + s->printed, 1, n - s->printed, stdout);
		fflush(stdout);
		s->printed = n;
	}
	s->shown_len = s->printed;
}

int cmd_ask_live(int64_t session_id, const char *question, bool json)
{
	struct stream s = { 0 };
	char *answer = NULL;
	int rc = 0;
	signal(SIGINT, on_sigint);
	enum tacit_status st = tacit_live_ask_remote(NULL, session_id, question, json ? NULL : on_token, &s,
						     &cancel_flag, &answer);
	if (st != TACIT_OK) {
		if (s.printed)
			putchar('\n');
		fflush(stdout);
		rc = cli_fail(st);
	} else if (json) {
		printf("%s\n", answer);
	} else {
		/* the checked answer as `tacit ask` prints it; what streamed is not printed again */
		char *md = tacit_meeting_markdown(TACIT_TASK_ANSWER, answer, NULL);
		const char *rest = md ? md : "";
		if (s.printed && md && !strncmp(md, s.shown, s.shown_len))
			rest = md + s.shown_len;
		else if (s.printed)
			putchar('\n');
		fputs(rest, stdout);
		tacit_free(md);
	}
	tacit_free(answer);
	free(s.raw);
	free(s.shown);
	return rc;
}
