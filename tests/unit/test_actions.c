/*
 * test_actions.c — action items across meetings: listed from the newest summary of each
 * template, filtered by open, owner, date and meeting; a done mark survives a summary
 * made again when the item's text comes back (case, spaces, punctuation aside); ids are
 * stable; deleting a meeting deletes its items. On :memory: and on a file.
 */
#include "internal.h"

#include "../check.h"

struct seen {
	int n;
	int64_t id[16];
	char task[16][64];
	char owner[16][32];
	int64_t done[16];
	int64_t session[16];
	size_t n_cites[16];
};

static bool collect(const struct tacit_action *a, void *user)
{
	struct seen *s = user;
	if (s->n < 16) {
		s->id[s->n] = a->id;
		snprintf(s->task[s->n], sizeof(s->task[0]), "%s", a->task);
		snprintf(s->owner[s->n], sizeof(s->owner[0]), "%s", a->owner);
		s->done[s->n] = a->done_ms;
		s->session[s->n] = a->session_id;
		s->n_cites[s->n] = a->n_cites;
	}
	s->n++;
	return true;
}

static struct seen list(struct tacit_store *st, const struct tacit_action_params *p)
{
	struct seen s;
	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(tacit_store_actions(st, p, collect, &s), TACIT_OK);
	return s;
}

static int64_t session(struct tacit_store *st, int64_t started_ms)
{
	struct tacit_session_params sp = tacit_session_default_params();
	int64_t id = 0;
	sp.started_ms = started_ms;
	CHECK_EQ_INT(tacit_store_session_create(st, &sp, &id), TACIT_OK);
	return id;
}

static void summary(struct tacit_store *st, int64_t sid, const char *tmpl, const char *json)
{
	struct tacit_artifact a = { .kind = "summary", .json = json, .template_name = tmpl };
	CHECK_EQ_INT(tacit_store_add_artifact(st, sid, &a, NULL), TACIT_OK);
}

static void run(const char *path)
{
	struct tacit_store *st = NULL;
	CHECK_EQ_INT(tacit_store_open(path, &st), TACIT_OK);
	if (!st)
		return;
	int64_t m1 = session(st, 1700000000000LL), m2 = session(st, 1800000000000LL);
	summary(st, m1, "general",
		"{\"title\":\"a\",\"overview\":\"\",\"key_points\":[],\"decisions\":[],\"action_items\":["
		"{\"owner\":\"Bob\",\"task\":\"Send the report.\",\"due\":\"Friday\",\"cites\":[2,3]},"
		"{\"owner\":\"Alice\",\"task\":\"Book the room\",\"due\":\"\",\"cites\":[1]}],\"open_questions\":[]}");
	summary(st, m2, "sales",
		"{\"title\":\"b\",\"overview\":\"\",\"needs\":[],\"next_steps\":[{\"owner\":\"unassigned\",\"task\":"
		"\"Send a quote\",\"due\":\"\",\"cites\":[4]}],\"template\":\"sales\"}");
	struct seen s = list(st, NULL);
	CHECK_EQ_INT(s.n, 3);
	CHECK_STR(s.task[0], "Send a quote"); /* the newest meeting first */
	CHECK_EQ_INT(s.session[0], m2);
	CHECK_STR(s.task[1], "Send the report.");
	CHECK_EQ_INT(s.n_cites[1], 2);
	int64_t report = s.id[1], room = s.id[2];

	CHECK_EQ_INT(tacit_store_action_done(st, report, true), TACIT_OK);
	CHECK_EQ_INT(tacit_store_action_done(st, 9999, true), TACIT_ERR_NOT_FOUND);
	struct tacit_action_params p = tacit_action_default_params();
	p.open_only = true;
	s = list(st, &p);
	CHECK_EQ_INT(s.n, 2);
	p = tacit_action_default_params();
	p.owner = "bob";
	s = list(st, &p);
	CHECK_EQ_INT(s.n, 1);
	CHECK(s.done[0] > 0);
	p = tacit_action_default_params();
	p.since_ms = 1750000000000LL;
	s = list(st, &p);
	CHECK_EQ_INT(s.n, 1);
	CHECK_EQ_INT(s.session[0], m2);

	/* made again: the same item, said differently, keeps its id and mark; a changed
	 * item is new, and one gone is not listed */
	summary(st, m1, "general",
		"{\"title\":\"a\",\"overview\":\"\",\"key_points\":[],\"decisions\":[],\"action_items\":["
		"{\"owner\":\"Bob\",\"task\":\"send  the REPORT\",\"due\":\"Monday\",\"cites\":[2]},"
		"{\"owner\":\"Alice\",\"task\":\"Book a bigger room\",\"due\":\"\",\"cites\":[1]}],\"open_questions\":[]}");
	p = tacit_action_default_params();
	p.session_id = m1;
	s = list(st, &p);
	CHECK_EQ_INT(s.n, 2);
	CHECK_EQ_INT(s.id[0], report);
	CHECK_STR(s.task[0], "send  the REPORT");
	CHECK(s.done[0] > 0);
	CHECK(s.id[1] != room);
	CHECK_STR(s.task[1], "Book a bigger room");
	/* another template's summary of the same meeting adds its items beside */
	summary(st, m1, "planning",
		"{\"title\":\"a\",\"overview\":\"\",\"action_items\":[{\"owner\":\"Alice\",\"task\":\"Book the room\","
		"\"due\":\"\",\"cites\":[1]}],\"template\":\"planning\"}");
	s = list(st, &p);
	CHECK_EQ_INT(s.n, 3);
	bool room_back = false;
	for (int i = 0; i < s.n && i < 16; i++)
		room_back = room_back || s.id[i] == room;
	CHECK(room_back);
	CHECK_EQ_INT(tacit_store_action_done(st, report, false), TACIT_OK);
	p.open_only = true;
	s = list(st, &p);
	CHECK_EQ_INT(s.n, 3);

	CHECK_EQ_INT(tacit_store_session_delete(st, m1), TACIT_OK);
	s = list(st, NULL);
	CHECK_EQ_INT(s.n, 1);
	CHECK_EQ_INT(tacit_store_action_done(st, report, true), TACIT_ERR_NOT_FOUND);
	tacit_store_close(st);
}

TEST(actions_across_meetings_in_memory)
{
	run(":memory:");
}

TEST(actions_across_meetings_on_file)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/actions.db", test_tmpdir());
	run(path);
	/* reopened: the marks and ids are in the file */
	struct tacit_store *st = NULL;
	CHECK_EQ_INT(tacit_store_open(path, &st), TACIT_OK);
	struct seen s = list(st, NULL);
	CHECK_EQ_INT(s.n, 1);
	tacit_store_close(st);
}
