/* test_schema.c — the JSON Schemas sent to servers without grammars: each task's schema
 * accepts what its grammar allows and rejects what it does not (a wrong type, a missing
 * or extra field, too many items, a citation of 0, an owner not offered), naming where;
 * and a speech server's verbose_json answer parsed into segments, or refused. */
#include "internal.h"

#include "../check.h"
#include "remote_asr.h"
#include "schema.h"
#include "template.h"

static const struct grammar_limits lim = { .max_items = 2, .max_str = 20, .max_cites = 2, .digits = 2 };

static bool follows(enum tacit_task task, const char *answer, char *why, size_t n)
{
	struct buf s;
	buf_init(&s);
	schema_build(task, &lim, &s);
	bool ok = schema_check(s.data, answer, strlen(answer), why, n);
	buf_release(&s);
	return ok;
}

TEST(schema_accepts_what_the_grammar_allows)
{
	char why[200];
	CHECK(follows(TACIT_TASK_ANSWER, "{\"answer\":\"Bob\",\"cites\":[]}", why, sizeof(why)));
	CHECK(follows(TACIT_TASK_ANSWER, "{\"answer\":\"Bob\",\"cites\":[3,99]}", why, sizeof(why)));
	CHECK(follows(TACIT_TASK_NOTES,
		      "{\"sections\":[{\"topic\":\"a\",\"start\":1,\"end\":2,\"bullets\":[{\"text\":\"x\",\"cites\":[1]}]}]}",
		      why, sizeof(why)));
	CHECK(follows(TACIT_TASK_SUGGEST, "{\"suggestions\":[{\"kind\":\"risk\",\"text\":\"x\",\"cites\":[1]}]}", why,
		      sizeof(why)));
	CHECK(follows(TACIT_TASK_SUMMARY,
		      "{\"title\":\"t\",\"overview\":\"o\",\"key_points\":[],\"decisions\":[],\"action_items\":[{\"owner\":"
		      "\"Al\",\"task\":\"x\",\"due\":\"\",\"cites\":[1]}],\"open_questions\":[]}",
		      why, sizeof(why)));
}

TEST(schema_rejects_and_says_where)
{
	char why[200];
	CHECK(!follows(TACIT_TASK_ANSWER, "{\"answer\":5,\"cites\":[]}", why, sizeof(why)));
	CHECK(!strcmp(why, "$.answer: not a string"));
	CHECK(!follows(TACIT_TASK_ANSWER, "{\"answer\":\"x\"}", why, sizeof(why)));
	CHECK(!strcmp(why, "$: no field \"cites\""));
	CHECK(!follows(TACIT_TASK_ANSWER, "{\"answer\":\"x\",\"cites\":[],\"more\":1}", why, sizeof(why)));
	CHECK(!strcmp(why, "$.more: a field the schema does not have"));
	CHECK(!follows(TACIT_TASK_ANSWER, "{\"answer\":\"x\",\"cites\":[0]}", why, sizeof(why)));
	CHECK(!strcmp(why, "$.cites[0]: under the schema's minimum"));
	CHECK(!follows(TACIT_TASK_ANSWER, "{\"answer\":\"x\",\"cites\":[1,2,3]}", why, sizeof(why)));
	CHECK(!strcmp(why, "$.cites: too many items"));
	CHECK(!follows(TACIT_TASK_ANSWER, "{\"answer\":\"123456789012345678901\",\"cites\":[]}", why, sizeof(why)));
	CHECK(!follows(TACIT_TASK_ANSWER, "{\"answer\":\"x\",\"cites\":[1.5]}", why, sizeof(why)));
	CHECK(!strcmp(why, "$.cites[0]: not an integer"));
	CHECK(!follows(TACIT_TASK_SUGGEST, "{\"suggestions\":[{\"kind\":\"joke\",\"text\":\"x\",\"cites\":[1]}]}", why,
		       sizeof(why)));
	CHECK(!strcmp(why, "$.suggestions[0].kind: not one of the values the schema allows"));
	CHECK(!follows(TACIT_TASK_NOTES, "{\"sections\":[]}", why, sizeof(why)));
	CHECK(!strcmp(why, "$.sections: too few items"));
	CHECK(!follows(TACIT_TASK_ANSWER, "not json", why, sizeof(why)));
	CHECK(!strcmp(why, "not JSON"));
}

/* The live meeting's map call adds "part" first to the summary's schema; its fold call
 * builds {title, overview} from an empty object. */
TEST(schema_takes_a_first_string_field)
{
	char why[200];
	struct buf s;
	buf_init(&s);
	schema_build(TACIT_TASK_SUMMARY, &lim, &s);
	schema_add_first_string(&s, "part", 5);
	static const char rest[] = "\"title\":\"t\",\"overview\":\"o\",\"key_points\":[],\"decisions\":[],"
				   "\"action_items\":[],\"open_questions\":[{\"text\":\"q\",\"cites\":[1]}]}";
	char a[400];
	snprintf(a, sizeof(a), "{\"part\":\"intro\",%s", rest);
	CHECK(schema_check(s.data, a, strlen(a), why, sizeof(why)));
	snprintf(a, sizeof(a), "{%s", rest);
	CHECK(!schema_check(s.data, a, strlen(a), why, sizeof(why)));
	CHECK(!strcmp(why, "$: no field \"part\""));
	snprintf(a, sizeof(a), "{\"part\":\"too long\",%s", rest);
	CHECK(!schema_check(s.data, a, strlen(a), why, sizeof(why)));
	CHECK(strstr(why, "$.part: ") == why);
	/* the nested objects' "required" lists are untouched: a point still needs cites */
	snprintf(a, sizeof(a), "{\"part\":\"p\",%s", rest);
	char *cites = strstr(a, ",\"cites\":[1]");
	memmove(cites, cites + 12, strlen(cites + 12) + 1);
	CHECK(!schema_check(s.data, a, strlen(a), why, sizeof(why)));
	CHECK(!strcmp(why, "$.open_questions[0]: no field \"cites\""));
	buf_release(&s);

	buf_init(&s);
	buf_adds(&s, "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{},\"required\":[]}");
	schema_add_first_string(&s, "overview", 10);
	schema_add_first_string(&s, "title", 10);
	CHECK(schema_check(s.data, "{\"title\":\"a\",\"overview\":\"b\"}", 28, why, sizeof(why)));
	CHECK(!schema_check(s.data, "{\"title\":\"a\"}", 13, why, sizeof(why)));
	CHECK(!strcmp(why, "$: no field \"overview\""));
	CHECK(!schema_check(s.data, "{\"title\":1,\"overview\":\"b\"}", 26, why, sizeof(why)));
	CHECK(!strcmp(why, "$.title: not a string"));
	buf_release(&s);
}

TEST(schema_of_a_template_offers_the_speakers)
{
	struct template tp;
	struct buf s;
	char why[200];
	const char *names[] = { "Alice", "Bob", "Alice" };
	CHECK(template_find(NULL, "general", &tp) == TACIT_OK);
	buf_init(&s);
	schema_template_build(&tp, names, 3, &lim, &s);
	CHECK(strstr(s.data, "\"enum\":[\"unassigned\",\"Alice\",\"Bob\"]") != NULL);
	CHECK(schema_check(s.data, "{}", 2, why, sizeof(why)) == false);
	CHECK(!strcmp(why, "$: no field \"title\""));
	buf_release(&s);
}

TEST(speech_answer_is_parsed_or_refused)
{
	struct remote_asr_seg *segs = NULL;
	size_t n = 0;
	char lang[8];
	static const char ok[] = "{\"language\":\"english\",\"segments\":[{\"start\":0.5,\"end\":1.25,\"text\":\" Hi.\","
				 "\"avg_logprob\":0},{\"start\":1.25,\"end\":2,\"text\":\"  \"}]}";
	CHECK(remote_asr_parse(ok, strlen(ok), 3000, "h", &segs, &n, lang) == TACIT_OK);
	CHECK(n == 1 && segs[0].start_ms == 500 && segs[0].end_ms == 1250 && !strcmp(segs[0].text, "Hi."));
	CHECK(segs[0].confidence == 1.0f && !strcmp(lang, "en"));
	remote_asr_segments_free(segs, n);
	CHECK(remote_asr_parse("{\"text\":\"all\",\"language\":\"de\"}", 30, 3000, "h", &segs, &n, lang) == TACIT_OK);
	CHECK(n == 1 && segs[0].end_ms == 3000 && !strcmp(lang, "de"));
	remote_asr_segments_free(segs, n);
	/* an end before the start (whisper-server sends them): kept, ending where it starts;
	 * the whole file once failed for it */
	CHECK(remote_asr_parse("{\"segments\":[{\"start\":2,\"end\":1,\"text\":\"x\"}]}", 45, 3000, "h", &segs, &n,
			       lang) == TACIT_OK);
	CHECK(n == 1 && segs[0].start_ms == 2000 && segs[0].end_ms == 2000 && !strcmp(segs[0].text, "x"));
	remote_asr_segments_free(segs, n);
	segs = NULL;
	n = 0;
	CHECK(remote_asr_parse("{\"segments\":[{\"end\":1,\"text\":\"x\"}]}", 35, 3000, "h:1", &segs, &n, lang) ==
	      TACIT_ERR_NETWORK);
	CHECK(strstr(tacit_errmsg(), "the speech server 'h:1' sent segment 1 without text, start and end") != NULL);
	CHECK(!segs && !n);
	CHECK(remote_asr_parse("{\"error\":\"busy\"}", 16, 3000, "h:1", &segs, &n, lang) == TACIT_ERR_NETWORK);
	CHECK(strstr(tacit_errmsg(), "failed the transcription: busy") != NULL);
	CHECK(remote_asr_parse("<html>", 6, 3000, "h:1", &segs, &n, lang) == TACIT_ERR_NETWORK);
}
