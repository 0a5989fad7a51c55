/*
 * test_date_phrase.c — date phrases in questions, in UTC so the spans can be written out:
 * "now" is Wednesday 2026-12-09 15:00. Each phrase gives its span and where it stands in
 * the text; words that only look like dates ("may", a lone number) give none.
 */
#include "internal.h"

#include "date_phrase.h"

#include "../check.h"
#include "tz_utc.h"

#include <stdlib.h>
#include <time.h>

#define DAY_MS 86400000LL
#define NOW 1796828400000LL  /* 2026-12-09 15:00 UTC, a Wednesday */
#define D(y, m, d) day_ms(y, m, d)

static int64_t day_ms(int y, int m, int d)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d };
	return (int64_t)timegm(&tm) * 1000;
}

static void span(const char *text, int64_t from, int64_t to, const char *phrase)
{
	struct date_span s = { -1, -1 };
	size_t at = 0, len = 0;
	bool found = date_phrase_find(text, NOW, &s, &at, &len);
	if (!found) {
		test_failed(__FILE__, __LINE__, text);
		return;
	}
	CHECK_EQ_INT(s.from_ms, from);
	CHECK_EQ_INT(s.to_ms, to);
	char got[128];
	snprintf(got, sizeof(got), "%.*s", (int)len, text + at);
	CHECK_STR(got, phrase);
}

static void none(const char *text)
{
	struct date_span s;
	size_t at, len;
	if (date_phrase_find(text, NOW, &s, &at, &len))
		test_failed(__FILE__, __LINE__, text);
}

TEST(date_phrase_english)
{
	char *tz = tz_utc();
	CHECK_EQ_INT(D(2026, 12, 9), NOW - 15 * 3600000LL);
	span("what did we say today?", D(2026, 12, 9), D(2026, 12, 10), "today");
	span("What did Alice say yesterday", D(2026, 12, 8), D(2026, 12, 9), "yesterday");
	span("budget talks last week", D(2026, 11, 30), D(2026, 12, 7), "last week");
	span("this week", D(2026, 12, 7), D(2026, 12, 14), "this week");
	span("decisions in March", D(2026, 3, 1), D(2026, 4, 1), "in March");
	span("in december", D(2026, 12, 1), D(2027, 1, 1), "in december");
	span("anything in June 2025?", D(2025, 6, 1), D(2025, 7, 1), "in June 2025");
	span("last month", D(2026, 11, 1), D(2026, 12, 1), "last month");
	span("last year", D(2025, 1, 1), D(2026, 1, 1), "last year");
	span("3 days ago", D(2026, 12, 6), D(2026, 12, 7), "3 days ago");
	span("two weeks ago", D(2026, 11, 23), D(2026, 11, 30), "two weeks ago");
	span("in the last 7 days", D(2026, 12, 3), 0, "last 7 days");
	span("over the past week", D(2026, 12, 3), 0, "past week");
	span("on Monday", D(2026, 12, 7), D(2026, 12, 8), "on Monday");
	span("on Wednesday", D(2026, 12, 9), D(2026, 12, 10), "on Wednesday");
	span("last Wednesday", D(2026, 12, 2), D(2026, 12, 3), "last Wednesday");
	span("since 2026-03-05", D(2026, 3, 5), 0, "since 2026-03-05");
	span("before last week", 0, D(2026, 11, 30), "before last week");
	span("on 2026-02-28", D(2026, 2, 28), D(2026, 3, 1), "2026-02-28");
	none("may we ship it?");
	none("what about the 3 options");
	none("the week was long");
	none("2026-13-45");
	none("2026-02-29"); /* not a leap year */
	none("");
	tz_restore(tz);
}

TEST(date_phrase_french_spanish_german)
{
	char *tz = tz_utc();
	span("qu'a dit Alice hier ?", D(2026, 12, 8), D(2026, 12, 9), "hier");
	span("la semaine dernière", D(2026, 11, 30), D(2026, 12, 7), "la semaine dernière");
	span("le budget en mars", D(2026, 3, 1), D(2026, 4, 1), "en mars");
	span("lundi dernier", D(2026, 12, 7), D(2026, 12, 8), "lundi dernier");
	span("¿qué dijo Ana ayer?", D(2026, 12, 8), D(2026, 12, 9), "ayer");
	span("la semana pasada", D(2026, 11, 30), D(2026, 12, 7), "la semana pasada");
	span("el mes pasado", D(2026, 11, 1), D(2026, 12, 1), "el mes pasado");
	span("Was sagte Bob gestern?", D(2026, 12, 8), D(2026, 12, 9), "gestern");
	span("letzte Woche", D(2026, 11, 30), D(2026, 12, 7), "letzte Woche");
	span("im März", D(2026, 3, 1), D(2026, 4, 1), "im März");
	span("seit 2026-11-01", D(2026, 11, 1), 0, "seit 2026-11-01");
	tz_restore(tz);
}

TEST(date_phrase_parse_whole)
{
	char *tz = tz_utc();
	struct date_span s;
	CHECK(date_phrase_parse("2026-03-05", NOW, &s) && s.from_ms == D(2026, 3, 5) && s.to_ms == D(2026, 3, 6));
	CHECK(date_phrase_parse(" yesterday ", NOW, &s) && s.from_ms == D(2026, 12, 8));
	CHECK(date_phrase_parse("last week", NOW, &s) && s.to_ms == D(2026, 12, 7));
	CHECK(!date_phrase_parse("yesterday please", NOW, &s));
	CHECK(!date_phrase_parse("March", NOW, &s));
	CHECK(!date_phrase_parse("2026/03/05", NOW, &s));
	tz_restore(tz);
}
