/*
 * test_ask_filter.c — filters in a question across meetings: three meetings on three
 * days with Alice and Bob; "last week", "yesterday", "what did Alice say", "according to
 * Bob" and explicit filters limit what retrieval reads, the filter's words leave the
 * search, and a name that is only talked about ("Alice's budget") filters nothing.
 */
#include "internal.h"

#include "../check.h"
#include "tz_utc.h"
#include "ask_filter.h"
#include "retrieve.h"

#include <stdlib.h>
#include <time.h>

#define DAY 86400000LL
#define NOW 1796828400000LL /* Wednesday 2026-12-09 15:00 UTC */

static int64_t add_meeting(struct tacit_store *s, const char *title, int64_t started, const char *const *lines,
			   size_t n)
{
	struct tacit_session_params p = tacit_session_default_params();
	int64_t id = 0;
	p.title = title;
	p.started_ms = started;
	CHECK_EQ_INT(tacit_store_session_create(s, &p, &id), TACIT_OK);
	for (size_t i = 0; i < n; i++) {
		struct tacit_segment g = { .start_ms = (int64_t)i * 1000, .end_ms = (int64_t)i * 1000 + 900,
					   .speaker = i % 2 ? "Bob" : "Alice", .text = lines[i], .confidence = -1 };
		CHECK_EQ_INT(tacit_store_add_segment(s, id, &g, NULL), TACIT_OK);
	}
	return id;
}

static const char *const old_lines[] = { "The supplier contract is signed.", "The supplier is Acme." };
static const char *const week_lines[] = { "The supplier was late.", "I will call the supplier." };
static const char *const yday_lines[] = { "Budget first.", "The supplier sent the invoice." };

struct ids {
	int64_t old, week, yday;
};

static struct tacit_store *meetings(struct ids *id)
{
	struct tacit_store *s = NULL;
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	id->old = add_meeting(s, "March", NOW - 270 * DAY, old_lines, 2);
	id->week = add_meeting(s, "Last week", NOW - 7 * DAY, week_lines, 2);   /* Wed 2 Dec */
	id->yday = add_meeting(s, "Yesterday", NOW - DAY, yday_lines, 2);       /* Tue 8 Dec */
	return s;
}

/* The meetings and speakers retrieval read for question, filtered as tacit_ask_all does. */
static void read_for(struct tacit_store *s, const char *question, bool *saw, const int64_t *ids, size_t n_ids,
		     char *speakers, size_t n_speakers, char *rest_out, size_t n_rest)
{
	struct ask_filter af;
	struct buf rest;
	struct retrieval r;
	buf_init(&rest);
	CHECK_EQ_INT(ask_filter_read(s, question, NOW, &af, &rest), TACIT_OK);
	struct store_filter f = { .since_ms = af.since_ms, .until_ms = af.until_ms,
				  .speaker = af.speaker[0] ? af.speaker : NULL };
	snprintf(rest_out, n_rest, "%s", rest.data);
	CHECK_EQ_INT(retrieve_in(s, &f, rest.data, 12, 0, 10000, NULL, &r), TACIT_OK);
	memset(saw, 0, n_ids * sizeof(*saw));
	speakers[0] = '\0';
	for (size_t i = 0; i < r.n; i++) {
		for (size_t k = 0; k < n_ids; k++)
			saw[k] |= r.p[i].session_id == ids[k];
		if (!strstr(speakers, r.p[i].speaker) && strlen(speakers) + strlen(r.p[i].speaker) + 2 < n_speakers)
			strcat(strcat(speakers, r.p[i].speaker), " ");
	}
	retrieval_release(&r);
	buf_release(&rest);
}

TEST(ask_filter_dates_and_speakers)
{
	char *tz = tz_utc();
	struct ids id;
	struct tacit_store *s = meetings(&id);
	int64_t ids[3] = { id.old, id.week, id.yday };
	bool saw[3];
	char who[64], rest[256];

	read_for(s, "what about the supplier?", saw, ids, 3, who, sizeof(who), rest, sizeof(rest));
	CHECK(saw[0] && saw[1] && saw[2]);
	read_for(s, "what about the supplier last week?", saw, ids, 3, who, sizeof(who), rest, sizeof(rest));
	CHECK(!saw[0] && saw[1] && !saw[2]);
	CHECK_STR(rest, "what about the supplier          ?");
	read_for(s, "supplier yesterday", saw, ids, 3, who, sizeof(who), rest, sizeof(rest));
	CHECK(!saw[0] && !saw[1] && saw[2]);
	read_for(s, "the supplier in March", saw, ids, 3, who, sizeof(who), rest, sizeof(rest));
	CHECK(saw[0] && !saw[1] && !saw[2]);
	read_for(s, "what did Bob say about the supplier?", saw, ids, 3, who, sizeof(who), rest, sizeof(rest));
	CHECK_STR(who, "Bob ");
	CHECK_STR(rest, "what did         about the supplier?");
	/* no word left but the filters: the filter's lines, newest meeting first */
	read_for(s, "What did Alice say yesterday?", saw, ids, 3, who, sizeof(who), rest, sizeof(rest));
	CHECK(!saw[0] && !saw[1] && saw[2]);
	CHECK_STR(who, "Alice ");
	read_for(s, "according to alice, is the supplier late", saw, ids, 3, who, sizeof(who), rest, sizeof(rest));
	CHECK_STR(who, "Alice ");
	/* talked about, not speaking; a name no meeting has */
	read_for(s, "is Alice happy with the supplier", saw, ids, 3, who, sizeof(who), rest, sizeof(rest));
	CHECK_STR(who, "Alice Bob ");
	read_for(s, "what did Zoe say about the supplier", saw, ids, 3, who, sizeof(who), rest, sizeof(rest));
	CHECK(saw[0] && saw[1] && saw[2]);
	/* a stereo recording's "Me" and "Them" are pronouns in a question */
	struct tacit_segment g = { .start_ms = 5000, .end_ms = 5900, .speaker = "Me", .text = "The supplier called me.",
				   .confidence = -1 };
	CHECK_EQ_INT(tacit_store_add_segment(s, id.old, &g, NULL), TACIT_OK);
	read_for(s, "tell me about the supplier", saw, ids, 3, who, sizeof(who), rest, sizeof(rest));
	CHECK(strstr(who, "Alice") && strstr(who, "Bob") && strstr(who, "Me"));

	struct buf b;
	buf_init(&b);
	struct store_filter f = { .since_ms = NOW - 9 * DAY - 15 * 3600000LL, .until_ms = NOW - 2 * DAY - 15 * 3600000LL,
				  .speaker = "Alice" };
	ask_filter_describe(&f, &b);
	CHECK_STR(b.data, "meetings from 2026-11-30 to 2026-12-06, lines by Alice");
	buf_reset(&b);
	struct store_filter day = { .since_ms = NOW - DAY - 15 * 3600000LL, .until_ms = NOW - 15 * 3600000LL };
	ask_filter_describe(&day, &b);
	CHECK_STR(b.data, "meetings on 2026-12-08");
	buf_release(&b);
	tacit_store_close(s);
	tz_restore(tz);
}

TEST(ask_filter_date_parse_api)
{
	int64_t from = -1, to = -1;
	CHECK_EQ_INT(tacit_date_parse("2026-03-05", NOW, &from, &to), TACIT_OK);
	CHECK(to - from >= 23 * 3600000LL && to - from <= 25 * 3600000LL);
	CHECK_EQ_INT(tacit_date_parse("not a date", NOW, &from, &to), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "'not a date' is not a date") != NULL);
}
