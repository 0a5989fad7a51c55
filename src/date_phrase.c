/*
 * date_phrase.c — date phrases in questions: the text is cut into words (letters, digits,
 * any UTF-8 byte, with ' and - inside a word), each lowercased copy at most 31 bytes, and
 * the phrases are matched word by word from the left, the longest at a place winning.
 * Spans are computed with mktime() on local calendar fields, so a day across a daylight
 * saving change is still midnight to midnight.
 */
#include "internal.h"

#include "date_phrase.h"

#include <ctype.h>
#include <time.h>

#define WORD_MAX 32
#define WORDS_MAX 256

struct word {
	size_t at, len;
	char w[WORD_MAX]; /* lowercased ASCII; "" when longer than WORD_MAX - 1 */
};

struct words {
	struct word v[WORDS_MAX];
	size_t n;
};

enum unit { DAY, WEEK, MONTH, YEAR };

static bool word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

static void split(const char *text, struct words *ws)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	ws->n = 0;
	while (s[i] && ws->n < WORDS_MAX) {
		if (!word_byte(s[i])) {
			i++;
			continue;
		}
		size_t b = i;
		while (word_byte(s[i]) || ((s[i] == '\'' || s[i] == '-') && i > b && word_byte(s[i + 1])))
			i++;
		struct word *w = &ws->v[ws->n++];
		w->at = b;
		w->len = i - b;
		if (w->len >= WORD_MAX) {
			w->w[0] = '\0';
			continue;
		}
		for (size_t k = 0; k < w->len; k++)
			w->w[k] = (char)tolower(s[b + k]);
		w->w[w->len] = '\0';
	}
}

/* The index of w in a NULL-ended list, or -1. */
static int find(const char *const *list, const char *w)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(list[i], w))
			return i;
	return -1;
}

static bool is(const struct words *ws, size_t i, const char *const *list)
{
	return i < ws->n && find(list, ws->v[i].w) >= 0;
}

/* Month names in English, French, Spanish and German: index % 12 is the month. */
static const char *const months[] = {
	"january",  "february", "march",     "april",   "may",      "june",      "july",    "august",
	"september", "october", "november",  "december", "janvier", "février",   "mars",    "avril",
	"mai",      "juin",     "juillet",   "août",    "septembre", "octobre",  "novembre", "décembre",
	"enero",    "febrero",  "marzo",     "abril",   "mayo",     "junio",     "julio",   "agosto",
	"septiembre", "octubre", "noviembre", "diciembre", "januar", "februar",  "märz",    "april",
	"mai",      "juni",     "juli",      "august",  "september", "oktober",  "november", "dezember",
	NULL,
};

/* Weekday names: index % 7 is the day, Monday first. */
static const char *const weekdays[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
	"lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
	"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
	NULL,
};

static const char *const numbers[] = { "zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
				       "nine", "ten", "eleven", "twelve", NULL };

/* Fixed phrases: the words, the unit and how many of them back from the current one. */
static const struct fixed {
	const char *words;
	enum unit unit;
	int back;
} fixed[] = {
	{ "today", DAY, 0 },           { "yesterday", DAY, 1 },       { "this week", WEEK, 0 },
	{ "last week", WEEK, 1 },      { "this month", MONTH, 0 },    { "last month", MONTH, 1 },
	{ "this year", YEAR, 0 },      { "last year", YEAR, 1 },      { "the day before yesterday", DAY, 2 },
	{ "aujourd'hui", DAY, 0 },     { "hier", DAY, 1 },            { "avant-hier", DAY, 2 },
	{ "cette semaine", WEEK, 0 },  { "la semaine dernière", WEEK, 1 }, { "la semaine passée", WEEK, 1 },
	{ "ce mois-ci", MONTH, 0 },    { "le mois dernier", MONTH, 1 }, { "cette année", YEAR, 0 },
	{ "l'année dernière", YEAR, 1 }, { "hoy", DAY, 0 },           { "ayer", DAY, 1 },
	{ "anteayer", DAY, 2 },        { "esta semana", WEEK, 0 },    { "la semana pasada", WEEK, 1 },
	{ "este mes", MONTH, 0 },      { "el mes pasado", MONTH, 1 }, { "este año", YEAR, 0 },
	{ "el año pasado", YEAR, 1 },  { "heute", DAY, 0 },           { "gestern", DAY, 1 },
	{ "vorgestern", DAY, 2 },      { "diese woche", WEEK, 0 },    { "letzte woche", WEEK, 1 },
	{ "vergangene woche", WEEK, 1 }, { "diesen monat", MONTH, 0 }, { "letzten monat", MONTH, 1 },
	{ "dieses jahr", YEAR, 0 },    { "letztes jahr", YEAR, 1 },
};

/* Whether the words of phrase follow from word i; *n gets how many. */
static bool match_words(const struct words *ws, size_t i, const char *phrase, size_t *n)
{
	size_t k = 0;
	for (const char *p = phrase; *p; k++) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);
		if (i + k >= ws->n || strlen(ws->v[i + k].w) != len || memcmp(ws->v[i + k].w, p, len))
			return false;
		p += len + (sp ? 1 : 0);
	}
	*n = k;
	return true;
}

static int64_t local_ms(struct tm tm)
{
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	return t == (time_t)-1 ? 0 : (int64_t)t * 1000;
}

/* Midnight starting the unit that holds now, moved back `back` units; the span is that
 * one unit. */
static struct date_span unit_span(const struct tm *now, enum unit u, int back)
{
	struct tm a = *now, b;
	a.tm_hour = a.tm_min = a.tm_sec = 0;
	if (u == WEEK)
		a.tm_mday -= (a.tm_wday + 6) % 7; /* back to Monday */
	if (u == MONTH || u == YEAR)
		a.tm_mday = 1;
	if (u == YEAR)
		a.tm_mon = 0;
	switch (u) {
	case DAY: a.tm_mday -= back; break;
	case WEEK: a.tm_mday -= 7 * back; break;
	case MONTH: a.tm_mon -= back; break;
	case YEAR: a.tm_year -= back; break;
	}
	b = a;
	switch (u) {
	case DAY: b.tm_mday += 1; break;
	case WEEK: b.tm_mday += 7; break;
	case MONTH: b.tm_mon += 1; break;
	case YEAR: b.tm_year += 1; break;
	}
	return (struct date_span){ local_ms(a), local_ms(b) };
}

static int number(const struct word *w)
{
	int k = find(numbers, w->w);
	if (k >= 0)
		return k;
	if (!w->w[0] || w->len > 4)
		return -1;
	for (size_t i = 0; i < w->len; i++)
		if (!isdigit((unsigned char)w->w[i]))
			return -1;
	return atoi(w->w);
}

static enum unit unit_of(const char *w, bool *ok)
{
	static const char *const days[] = { "day", "days", NULL }, *const weeks[] = { "week", "weeks", NULL },
				  *const mons[] = { "month", "months", NULL }, *const years[] = { "year", "years", NULL };
	*ok = true;
	if (find(days, w) >= 0)
		return DAY;
	if (find(weeks, w) >= 0)
		return WEEK;
	if (find(mons, w) >= 0)
		return MONTH;
	if (find(years, w) >= 0)
		return YEAR;
	*ok = false;
	return DAY;
}

/* "2026-03-05" */
static bool iso_day(const struct word *w, struct date_span *out)
{
	int y, m, d;
	char tail;
	if (w->len != 10 || sscanf(w->w, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
	    d > 31 || y < 1970 || y > 9999)
		return false;
	static const int month_days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > month_days[m - 1] || (m == 2 && d == 29 && !leap))
		return false; /* 2026-02-30 is no day, not 2 March */
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d };
	*out = unit_span(&tm, DAY, 0);
	return out->from_ms != 0;
}

/* A phrase that names a span, starting at word i: its span and its length in words. */
static bool span_at(const struct words *ws, size_t i, const struct tm *now, struct date_span *out, size_t *n)
{
	static const char *const month_in[] = { "in", "during", "en", "im", NULL };
	static const char *const day_on[] = { "on", "last", "am", "letzten", "letzte", "le", NULL };
	static const char *const day_after[] = { "dernier", "pasado", NULL };
	static const char *const ago[] = { "ago", NULL };
	static const char *const past[] = { "last", "past", NULL };
	size_t best = 0;
	struct date_span s;
	for (size_t k = 0; k < ARRAY_SIZE(fixed); k++) {
		size_t m;
		if (match_words(ws, i, fixed[k].words, &m) && m > best) {
			best = m;
			*out = unit_span(now, fixed[k].unit, fixed[k].back);
		}
	}
	if (best) {
		*n = best;
		return true;
	}
	if (i < ws->n && iso_day(&ws->v[i], out)) {
		*n = 1;
		return true;
	}
	if (is(ws, i, month_in) && is(ws, i + 1, months)) {
		/* the last such month that has begun, or the year given */
		int mon = find(months, ws->v[i + 1].w) % 12;
		int year = i + 2 < ws->n ? number(&ws->v[i + 2]) : -1;
		struct tm a = *now;
		a.tm_mday = 1;
		a.tm_hour = a.tm_min = a.tm_sec = 0;
		a.tm_mon = mon;
		*n = 2;
		if (i + 2 < ws->n && ws->v[i + 2].len == 4 && year >= 1970) {
			a.tm_year = year - 1900;
			(*n)++;
		} else if (mon > now->tm_mon) {
			a.tm_year--;
		}
		*out = unit_span(&a, MONTH, 0);
		return true;
	}
	/* "last Monday", "on Friday", "am Montag": the latest such day before today ("on":
	 * today included); "lundi dernier", "el lunes pasado" */
	bool before = is(ws, i, day_on) && is(ws, i + 1, weekdays);
	bool after = !before && is(ws, i, weekdays) && is(ws, i + 1, day_after);
	if (before || after) {
		int wd = find(weekdays, ws->v[before ? i + 1 : i].w) % 7; /* Monday 0 */
		int today = (now->tm_wday + 6) % 7;
		int back = (today - wd + 7) % 7;
		if (!back && (after || strcmp(ws->v[i].w, "on")))
			back = 7;
		*out = unit_span(now, DAY, back);
		*n = 2;
		return true;
	}
	/* "3 days ago" (that day, week, month or year), "last 2 weeks" (until now) */
	int num = i < ws->n ? number(&ws->v[i]) : -1;
	bool ok = false;
	enum unit u = i + 1 < ws->n ? unit_of(ws->v[i + 1].w, &ok) : DAY;
	if (num >= 0 && ok && is(ws, i + 2, ago)) {
		*out = unit_span(now, u, num);
		*n = 3;
		return true;
	}
	num = i + 1 < ws->n ? number(&ws->v[i + 1]) : -1;
	u = i + 2 < ws->n ? unit_of(ws->v[i + 2].w, &ok) : DAY;
	size_t words = 3;
	if (is(ws, i, past) && i + 1 < ws->n && num < 0) { /* "past week": one of them */
		u = unit_of(ws->v[i + 1].w, &ok);
		num = 1;
		words = 2;
	}
	if (is(ws, i, past) && num > 0 && ok) {
		struct tm a = *now;
		a.tm_hour = a.tm_min = a.tm_sec = 0;
		switch (u) {
		case DAY: a.tm_mday -= num - 1; break;
		case WEEK: a.tm_mday -= 7 * num - 1; break;
		case MONTH: a.tm_mon -= num; break;
		case YEAR: a.tm_year -= num; break;
		}
		s.from_ms = local_ms(a);
		s.to_ms = 0;
		*out = s;
		*n = words;
		return true;
	}
	return false;
}

/* A span at word i, or one opened by "since"/"before" (and their French, Spanish and
 * German words) ahead of one. */
static bool phrase_at(const struct words *ws, size_t i, const struct tm *now, struct date_span *out, size_t *n)
{
	static const char *const since[] = { "since", "after", "depuis", "desde", "seit", NULL };
	static const char *const until[] = { "before", "until", "avant", "antes", "vor", "bis", NULL };
	bool from = is(ws, i, since), to = !from && is(ws, i, until);
	if ((from || to) && span_at(ws, i + 1, now, out, n)) {
		if (from)
			out->to_ms = 0;
		else {
			out->to_ms = out->from_ms;
			out->from_ms = 0;
		}
		(*n)++;
		return true;
	}
	return span_at(ws, i, now, out, n);
}

static bool local_now(int64_t now_ms, struct tm *tm)
{
	time_t t = (time_t)(now_ms / 1000);
	return localtime_r(&t, tm) != NULL;
}

bool date_phrase_find(const char *text, int64_t now_ms, struct date_span *out, size_t *at, size_t *len)
{
	struct words *ws = malloc(sizeof(*ws));
	struct tm now;
	bool found = false;
	if (!ws || !text || !local_now(now_ms, &now)) {
		free(ws);
		return false;
	}
	split(text, ws);
	for (size_t i = 0; i < ws->n && !found; i++) {
		size_t n = 0;
		if (phrase_at(ws, i, &now, out, &n) && n) {
			const struct word *last = &ws->v[i + n - 1];
			*at = ws->v[i].at;
			*len = last->at + last->len - *at;
			found = true;
		}
	}
	free(ws);
	return found;
}

bool date_phrase_parse(const char *text, int64_t now_ms, struct date_span *out)
{
	size_t at, len;
	if (!text || !date_phrase_find(text, now_ms, out, &at, &len))
		return false;
	/* the phrase must be all of it, blanks aside */
	for (size_t i = 0; text[i]; i++)
		if ((i < at || i >= at + len) && !isspace((unsigned char)text[i]))
			return false;
	return true;
}
