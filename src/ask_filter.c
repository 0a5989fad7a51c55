/*
 * ask_filter.c — the filters a question across meetings carries in its words: a date
 * phrase ("last week", "in March": date_phrase.c) limits the meetings by when they
 * started, a speaker named as the one speaking ("what did Alice say", "according to
 * Bob") limits the lines to theirs. Both are taken out of the words the index searches
 * for, since a meeting rarely says "last week" or its speaker's own name.
 */
#include "internal.h"

#include "ask_filter.h"
#include "date_phrase.h"

#include <ctype.h>
#include <time.h>

#define NAMES_MAX 256

/* Words that make the name next to them the one speaking. */
static const char *const speech[] = {
	"say",      "said",    "says",    "saying",   "tell",      "told",     "mention",  "mentioned",
	"mentions", "think",   "thinks",  "thought",  "propose",   "proposed", "proposes", "suggest",
	"suggested", "suggests", "want",  "wanted",   "wants",     "ask",      "asked",    "asks",
	"talk",     "talked",  "talks",   "decide",   "decided",   "promise",  "promised", "agree",
	"agreed",   "explain", "explained", "report", "reported",  "dit",      "disait",   "pense",
	"dijo",     "dice",    "dicho",   "piensa",   "sagte",     "sagt",     "gesagt",   "meinte",
	"meint",    NULL,
};
/* Words before a name that make it the source: "according to", "selon", "según", "laut". */
static const char *const source[] = { "selon", "según", "laut", NULL };

struct names {
	char *v[NAMES_MAX];
	size_t n;
};

/* Labels that are also pronouns ("Me" and "Them", a stereo recording's channels): "tell
 * me" or "told them" in a question names no speaker; --speaker Me still does. */
static const char *const pronouns[] = { "me", "them", "you", "us", "we", "him", "her", "i", "it", NULL };

static void add_name(const char *name, void *user)
{
	struct names *ns = user;
	bool pronoun = false;
	for (size_t i = 0; pronouns[i] && !pronoun; i++)
		pronoun = !strcasecmp(pronouns[i], name);
	if (ns->n < NAMES_MAX && *name && !pronoun && (ns->v[ns->n] = strdup(name)))
		ns->n++;
}

static bool word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* The word at or after *p: its start and length; false at the end. */
static bool next_word(const char *text, size_t *p, size_t *at, size_t *len)
{
	size_t i = *p;
	while (text[i] && !word_byte((unsigned char)text[i]))
		i++;
	if (!text[i])
		return false;
	*at = i;
	while (word_byte((unsigned char)text[i]))
		i++;
	*len = i - *at;
	*p = i;
	return true;
}

static bool word_in(const char *w, size_t n, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && !strncasecmp(list[i], w, n))
			return true;
	return false;
}

/* Whether name's words (case aside) stand at text + at as whole words; *end after them. */
static bool name_at(const char *text, size_t at, const char *name, size_t *end)
{
	size_t i = at;
	for (const char *p = name; *p;) {
		while (*p && !word_byte((unsigned char)*p))
			p++;
		size_t n = 0;
		while (word_byte((unsigned char)p[n]))
			n++;
		if (!n)
			break;
		while (text[i] && !word_byte((unsigned char)text[i]) && i > at)
			i++;
		if (strncasecmp(text + i, p, n) || word_byte((unsigned char)text[i + n]))
			return false;
		i += n;
		p += n;
	}
	*end = i;
	return i > at;
}

/* A speaker named as the one speaking: the first name in names that stands next to a
 * speech word, or after "according to": its name in speaker, its bytes at *at, *len. */
static bool find_speaker(const char *q, const struct names *ns, char *speaker, size_t n_speaker, size_t *at,
			 size_t *len)
{
	size_t p = 0, w_at, w_len, prev_at = 0, prev_len = 0, prev2_at = 0, prev2_len = 0;
	while (next_word(q, &p, &w_at, &w_len)) {
		for (size_t k = 0; k < ns->n; k++) {
			size_t end, after = 0, a_at, a_len;
			if (!name_at(q, w_at, ns->v[k], &end))
				continue;
			/* the speech words go with the name: "say" would only find lines saying it */
			size_t from = w_at;
			bool spoken = false;
			after = end;
			if (next_word(q, &after, &a_at, &a_len) && word_in(q + a_at, a_len, speech)) {
				end = a_at + a_len;
				spoken = true;
			}
			if (prev_len && (word_in(q + prev_at, prev_len, speech) || word_in(q + prev_at, prev_len, source))) {
				from = prev_at;
				spoken = true;
			} else if (prev2_len == 9 && !strncasecmp(q + prev2_at, "according", 9) && prev_len == 2 &&
				   !strncasecmp(q + prev_at, "to", 2)) {
				from = prev2_at;
				spoken = true;
			}
			if (spoken) {
				snprintf(speaker, n_speaker, "%s", ns->v[k]);
				*at = from;
				*len = end - from;
				return true;
			}
		}
		prev2_at = prev_at;
		prev2_len = prev_len;
		prev_at = w_at;
		prev_len = w_len;
	}
	return false;
}

/* Copies q into rest with [at, at + len) blanked. */
static void cut(struct buf *rest, size_t at, size_t len)
{
	memset(rest->data + at, ' ', len);
}

enum tacit_status ask_filter_read(struct tacit_store *s, const char *question, int64_t now_ms,
				  struct ask_filter *out, struct buf *rest)
{
	struct names ns = { .n = 0 };
	struct date_span span;
	size_t at, len;
	enum tacit_status st;

	memset(out, 0, sizeof(*out));
	buf_adds(rest, question);
	if (rest->failed)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (!now_ms)
		now_ms = (int64_t)time(NULL) * 1000;
	if (date_phrase_find(question, now_ms, &span, &at, &len)) {
		out->since_ms = span.from_ms;
		out->until_ms = span.to_ms;
		snprintf(out->date_phrase, sizeof(out->date_phrase), "%.*s", (int)len, question + at);
		cut(rest, at, len);
	}
	if ((st = store_speaker_names(s, add_name, &ns)) != TACIT_OK)
		goto out;
	if (find_speaker(question, &ns, out->speaker, sizeof(out->speaker), &at, &len))
		cut(rest, at, len);
out:
	for (size_t i = 0; i < ns.n; i++)
		free(ns.v[i]);
	return st;
}

void ask_filter_describe(const struct store_filter *f, struct buf *b)
{
	char from[32] = "", to[32] = "";
	struct tm tm;
	time_t t;
	if (f->since_ms) {
		t = (time_t)(f->since_ms / 1000);
		localtime_r(&t, &tm);
		strftime(from, sizeof(from), "%Y-%m-%d", &tm);
	}
	if (f->until_ms) {
		t = (time_t)(f->until_ms / 1000 - 1); /* the last day in the span */
		localtime_r(&t, &tm);
		strftime(to, sizeof(to), "%Y-%m-%d", &tm);
	}
	if (*from && !strcmp(from, to))
		buf_addf(b, "meetings on %s", from);
	else if (*from)
		buf_addf(b, "meetings from %s%s%s", from, *to ? " to " : "", to);
	else if (*to)
		buf_addf(b, "meetings up to %s", to);
	if (f->speaker)
		buf_addf(b, "%slines by %s", f->since_ms || f->until_ms ? ", " : "", f->speaker);
}
