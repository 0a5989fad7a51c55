/*
 * test_owners.c — names in summaries: a stored meeting whose speakers were renamed gives
 * the summary grammar exactly those names (and "unassigned") as owners, and the check
 * after generation turns any other owner or speaker into "unassigned".
 */
#include "internal.h"

#include "grammar.h"
#include "meeting.h"
#include "owners.h"
#include "template.h"

#include "../check.h"

#include <unistd.h>

TEST(owners_grammar_offers_the_renamed_speakers)
{
	struct tacit_store *s = NULL;
	struct tacit_transcript *t = NULL;
	char **names = NULL;
	size_t n = 0;
	int64_t sid = 0;
	struct tacit_session_params p = tacit_session_default_params();
	p.started_ms = 1700000000000;
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_create(s, &p, &sid), TACIT_OK);
	static const char *const who[] = { "Speaker 1", "Speaker 2", "Speaker 1", "Speaker 3" };
	for (int i = 0; i < 4; i++) {
		struct tacit_segment g = { .start_ms = i * 2000, .end_ms = i * 2000 + 1500, .speaker = who[i],
					   .text = "we ship in May", .confidence = 0.9f };
		CHECK_EQ_INT(tacit_store_add_segment(s, sid, &g, NULL), TACIT_OK);
	}
	CHECK_EQ_INT(tacit_store_speaker_rename(s, sid, "Speaker 1", "Alice", NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_speaker_rename(s, sid, "Speaker 2", "Bob", NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_transcript_from_session(s, sid, &t), TACIT_OK);
	CHECK_EQ_INT(meeting_speaker_names(t, &names, &n), TACIT_OK);
	CHECK_EQ_INT(n, 3);

	struct template tp;
	struct grammar_limits l;
	struct buf g;
	buf_init(&g);
	CHECK_EQ_INT(template_find(NULL, "general", &tp), TACIT_OK);
	CHECK(tp.exact_owner);
	size_t w = grammar_who_width((const char *const *)names, n, true);
	CHECK(w > 0);
	CHECK(grammar_template_limits(&tp, w, 3000, 4, true, &l));
	grammar_template_build(&tp, (const char *const *)names, n, &l, &g);
	/* the renamed speakers by name, the other by its label, and nothing else */
	CHECK(strstr(g.data, "who ::= \"\\\"unassigned\\\"\" | \"\\\"Alice\\\"\" | \"\\\"Speaker 3\\\"\" | "
			     "\"\\\"Bob\\\"\"\n") != NULL ||
	      strstr(g.data, "who ::= \"\\\"unassigned\\\"\" | \"\\\"Alice\\\"\" | \"\\\"Bob\\\"\" | "
			     "\"\\\"Speaker 3\\\"\"\n") != NULL);
	CHECK(strstr(g.data, "action ::= \"{\\\"owner\\\":\" who") != NULL);
	CHECK(!strstr(g.data, "Speaker 1"));
	CHECK(!strstr(g.data, "Speaker 2"));
	buf_release(&g);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	tacit_transcript_free(t);
	tacit_store_close(s);
}

TEST(owners_check_maps_strangers_to_unassigned)
{
	const char *names[] = { "Alice", "Bob" };
	const char *json = "{\"title\":\"T\",\"decisions\":[{\"text\":\"x\",\"cites\":[1]}],"
			   "\"action_items\":[{\"owner\":\"Alice\",\"task\":\"a\",\"due\":\"\",\"cites\":[1]},"
			   "{\"owner\":\"Carol\",\"task\":\"b\",\"due\":\"\",\"cites\":[2]},"
			   "{\"owner\":\"alice\",\"task\":\"c\",\"due\":\"\",\"cites\":[2]},"
			   "{\"owner\":7,\"task\":\"d\",\"due\":\"\",\"cites\":[2]},"
			   "{\"owner\":\"unassigned\",\"task\":\"e\",\"due\":\"\",\"cites\":[2]}],"
			   "\"done\":[{\"speaker\":\"Bob\",\"text\":\"f\",\"cites\":[1]},"
			   "{\"speaker\":\"the team\",\"text\":\"g\",\"cites\":[1]}]}";
	struct buf out;
	int fixed = -1;
	buf_init(&out);
	CHECK_EQ_INT(owners_check(json, names, 2, &out, &fixed), TACIT_OK);
	CHECK_EQ_INT(fixed, 4);
	CHECK_STR(out.data, "{\"title\":\"T\",\"decisions\":[{\"text\":\"x\",\"cites\":[1]}],"
			    "\"action_items\":[{\"owner\":\"Alice\",\"task\":\"a\",\"due\":\"\",\"cites\":[1]},"
			    "{\"owner\":\"unassigned\",\"task\":\"b\",\"due\":\"\",\"cites\":[2]},"
			    "{\"owner\":\"unassigned\",\"task\":\"c\",\"due\":\"\",\"cites\":[2]},"
			    "{\"owner\":\"unassigned\",\"task\":\"d\",\"due\":\"\",\"cites\":[2]},"
			    "{\"owner\":\"unassigned\",\"task\":\"e\",\"due\":\"\",\"cites\":[2]}],"
			    "\"done\":[{\"speaker\":\"Bob\",\"text\":\"f\",\"cites\":[1]},"
			    "{\"speaker\":\"unassigned\",\"text\":\"g\",\"cites\":[1]}]}");
	/* a meeting without speakers: every owner is unassigned */
	buf_reset(&out);
	CHECK_EQ_INT(owners_check("{\"a\":[{\"owner\":\"Bob\"}]}", NULL, 0, &out, &fixed), TACIT_OK);
	CHECK_STR(out.data, "{\"a\":[{\"owner\":\"unassigned\"}]}");
	CHECK_EQ_INT(fixed, 1);
	buf_reset(&out);
	CHECK_EQ_INT(owners_check("[1]", names, 2, &out, NULL), TACIT_ERR_LLM);
	CHECK_EQ_INT(owners_check("{", names, 2, &out, NULL), TACIT_ERR_LLM);
	buf_release(&out);
}

/* A canned answer with an invented owner, and the request it was given. */
struct canned_owner {
	bool grammar_has_names, prompt_has_names;
};

static enum tacit_status invent_owner(const struct tacit_llm_request *req, char **out, struct tacit_llm_stats *stats,
				      void *user)
{
	struct canned_owner *c = user;
	c->grammar_has_names = req->grammar && strstr(req->grammar, "| \"\\\"Alice\\\"\" | \"\\\"Bob\\\"\"");
	c->prompt_has_names = strstr(req->messages[req->n_messages - 1].content, "] Alice: ") &&
			      strstr(req->messages[req->n_messages - 1].content, "] Bob: ");
	stats->finish = TACIT_FINISH_STOP;
	*out = strdup("{\"title\":\"T\",\"overview\":\"O\",\"key_points\":[],\"decisions\":[],\"action_items\":["
		      "{\"owner\":\"Bob\",\"task\":\"send the design\",\"due\":\"Friday\",\"cites\":[2]},"
		      "{\"owner\":\"Carol\",\"task\":\"book the room\",\"due\":\"\",\"cites\":[3]}],\"open_questions\":[]}");
	return *out ? TACIT_OK : TACIT_ERR_NOMEM;
}

/* Every owner and speaker in a summary's JSON is one of the names or "unassigned". */
static bool owners_known(const char *json, const char *const *names, size_t n, int *n_items)
{
	struct buf b;
	int fixed = -1;
	buf_init(&b);
	bool ok = owners_check(json, names, n, &b, &fixed) == TACIT_OK && fixed == 0;
	buf_release(&b);
	*n_items = 0;
	for (const char *p = json; (p = strstr(p, "\"owner\":")); p++)
		(*n_items)++;
	return ok;
}

TEST_MODEL(owners_in_summaries_of_the_tiny_model)
{
	char path[4096];
	const char *shared = test_shared_dir();
	if (!shared)
		SKIP("no ../shared");
	snprintf(path, sizeof(path), "%s/models/stories260K.gguf", shared);
	if (access(path, R_OK) != 0)
		SKIP("no ../shared/models/stories260K.gguf");
	struct tacit_store *s = NULL;
	struct tacit_transcript *t = NULL;
	struct tacit_llm *llm = NULL;
	struct tacit_llm_params lp = tacit_llm_default_params();
	struct tacit_session_params sp = tacit_session_default_params();
	int64_t sid = 0;
	char *json = NULL;
	sp.started_ms = 1700000000000;
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_create(s, &sp, &sid), TACIT_OK);
	static const char *const lines[][2] = {
		{ "Speaker 1", "Good morning. The budget for the remote control is ready for review." },
		{ "Speaker 2", "Thanks. I will send the design to Carol by Friday." },
		{ "Speaker 1", "Then Dave books the room and I check the batteries." },
		{ "Speaker 2", "Agreed, we ship in May." },
	};
	for (int i = 0; i < 4; i++) {
		struct tacit_segment g = { .start_ms = i * 4000, .end_ms = i * 4000 + 3500, .speaker = lines[i][0],
					   .text = lines[i][1], .confidence = 0.9f };
		CHECK_EQ_INT(tacit_store_add_segment(s, sid, &g, NULL), TACIT_OK);
	}
	CHECK_EQ_INT(tacit_store_speaker_rename(s, sid, "Speaker 1", "Alice", NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_speaker_rename(s, sid, "Speaker 2", "Bob", NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_transcript_from_session(s, sid, &t), TACIT_OK);
	lp.model_path = path;
	lp.n_ctx = 1024;
	lp.n_threads = 2;
	CHECK_EQ_INT(tacit_llm_open(&lp, &llm), TACIT_OK);
	if (!llm || !t)
		goto out;
	static const char *const names[] = { "Alice", "Bob" };
	struct tacit_meeting_params mp = tacit_meeting_default_params();
	mp.task = TACIT_TASK_SUMMARY;
	mp.max_tokens = 420;
	int n_items = 0;

	/* the model itself, under the grammar: whatever it writes, owners are names */
	CHECK_EQ_INT(meeting_run(llm, t, &mp, NULL, &json, NULL), TACIT_OK);
	CHECK(json && owners_known(json, names, 2, &n_items));
	tacit_free(json);
	json = NULL;

	/* an owner the grammar would not have allowed (a remote engine, a merge): unassigned */
	struct canned_owner c = { false, false };
	meeting_set_generate_hook(invent_owner, &c);
	CHECK_EQ_INT(meeting_run(llm, t, &mp, NULL, &json, NULL), TACIT_OK);
	meeting_set_generate_hook(NULL, NULL);
	CHECK(c.grammar_has_names);
	CHECK(c.prompt_has_names);
	CHECK(json && owners_known(json, names, 2, &n_items));
	CHECK_EQ_INT(n_items, 2);
	CHECK(json && strstr(json, "{\"owner\":\"Bob\",\"task\":\"send the design\""));
	CHECK(json && strstr(json, "{\"owner\":\"unassigned\",\"task\":\"book the room\""));
out:
	tacit_free(json);
	tacit_llm_close(llm);
	tacit_transcript_free(t);
	tacit_store_close(s);
}
