/*
 * test_template.c — summary templates: "general" is the old fixed summary byte for byte
 * (grammar without speakers, limits, instructions, checked JSON); with speakers every
 * template's grammar offers them as owners; custom files parse, and every mistake is reported at its
 * FILE:LINE; Markdown of per-speaker and action sections; artifacts keep their template.
 */
#include "internal.h"

#include "citations.h"
#include "grammar.h"
#include "template.h"

#include "../check.h"

static const struct template *builtin(const char *name)
{
	for (size_t i = 0; i < template_builtin_count(); i++)
		if (!strcmp(template_builtin(i)->name, name))
			return template_builtin(i);
	return NULL;
}

TEST(template_general_is_the_old_summary)
{
	const struct template *g = builtin("general");
	CHECK(g != NULL);
	if (!g)
		return;
	struct buf ins;
	buf_init(&ins);
	template_instructions(g, &ins);
	CHECK_STR(ins.data, "Summarize the meeting: a title, a short overview, the key points, decisions, action items "
			    "(owner, task, due date or \"\") and open questions.");
	buf_release(&ins);
	static const size_t budgets[] = { 300, 700, 1500, 3072, 9000 };
	for (size_t b = 0; b < ARRAY_SIZE(budgets); b++)
		for (int ascii = 0; ascii <= 1; ascii++) {
			struct grammar_limits a, t;
			bool fa = grammar_limits_for(TACIT_TASK_SUMMARY, budgets[b], 123, ascii, &a);
			bool ft = grammar_template_limits(g, 0, budgets[b], 123, ascii, &t);
			CHECK(fa == ft);
			if (!fa || !ft)
				continue;
			/* field by field: memcmp would also compare the padding after ascii */
			CHECK(a.max_items == t.max_items && a.max_str == t.max_str && a.max_cites == t.max_cites &&
			      a.digits == t.digits && a.ascii == t.ascii);
			CHECK_EQ_INT(grammar_worst_len(TACIT_TASK_SUMMARY, &a), grammar_template_worst_len(g, 0, &a));
			struct buf old, now;
			buf_init(&old);
			buf_init(&now);
			grammar_build(TACIT_TASK_SUMMARY, &a, &old);
			/* without speakers "general" is the old grammar; with them its owners are theirs */
			grammar_template_build(g, NULL, 0, &a, &now);
			CHECK_STR(now.data, old.data);
			buf_release(&old);
			buf_release(&now);
		}
	const char *json = "{\"title\":\"T\",\"overview\":\"O\",\"key_points\":[{\"text\":\"k\",\"cites\":[1,9]}],"
			   "\"decisions\":[],\"action_items\":[{\"owner\":\"A\",\"task\":\"x\",\"due\":\"\",\"cites\":[9]}],"
			   "\"open_questions\":[]}";
	struct buf a, b;
	buf_init(&a);
	buf_init(&b);
	CHECK_EQ_INT(citations_check(TACIT_TASK_SUMMARY, json, 3, &a, NULL), TACIT_OK);
	CHECK_EQ_INT(citations_check_template(g, json, 3, &b, NULL), TACIT_OK);
	CHECK_STR(b.data, a.data);
	CHECK(!strstr(b.data, "\"template\""));
	buf_release(&a);
	buf_release(&b);
}

TEST(template_builtins_grammar_offers_speakers)
{
	static const char *const want[] = { "general", "one-on-one", "stand-up", "sales", "interview", "lecture", "planning" };
	CHECK_EQ_INT(template_builtin_count(), ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct template tp;
		CHECK_EQ_INT(template_find(test_tmpdir(), want[i], &tp), TACIT_OK);
		CHECK(tp.n >= 3);
	}
	const struct template *su = builtin("stand-up");
	const char *names[] = { "Alice", "Bob \"the\" builder", "Bob", "Alice", "Zoë" };
	struct grammar_limits l;
	size_t who = grammar_who_width(names, ARRAY_SIZE(names), true);
	CHECK_EQ_INT(who, sizeof("\"unassigned\"") - 1);
	CHECK(grammar_template_limits(su, who, 3000, 40, true, &l));
	struct buf g;
	buf_init(&g);
	grammar_template_build(su, names, ARRAY_SIZE(names), &l, &g);
	/* a quote or, on a byte-level model, a non-ASCII name cannot be offered */
	CHECK(strstr(g.data, "who ::= \"\\\"unassigned\\\"\" | \"\\\"Alice\\\"\" | \"\\\"Bob\\\"\"\n") != NULL);
	CHECK(strstr(g.data, "\",\\\"done\\\":\" spoints") != NULL);
	CHECK(strstr(g.data, "spoint ::= \"{\\\"speaker\\\":\" who") != NULL);
	CHECK(!strstr(g.data, "actions ::="));
	buf_release(&g);
	/* no usable name: owners are any string */
	const char *bad[] = { "a\\b" };
	CHECK_EQ_INT(grammar_who_width(bad, 1, false), 0);
	CHECK_EQ_INT(grammar_who_width(names, ARRAY_SIZE(names), false), strlen("Zoë") + 2 > 12 ? strlen("Zoë") + 2 : 12);
}

TEST(template_parse_and_errors)
{
	const char good[] = "# a design review\n"
			    "description: A design review\r\n"
			    "notes: By design.\n"
			    "\n"
			    "section: designs list Designs shown | the designs shown\n"
			    "section:  owners per-speaker Owners|what each person owns \n"
			    "section: next actions Next steps | next steps (owner, task, due date or \"\")\n"
			    "section: gist text Gist | one line\n";
	struct template tp;
	CHECK_EQ_INT(template_parse(good, strlen(good), "design", "d.tmpl", &tp), TACIT_OK);
	CHECK_EQ_INT(tp.n, 4);
	CHECK_STR(tp.description, "A design review");
	CHECK_STR(tp.notes, "By design.");
	CHECK_STR(tp.s[0].heading, "Designs shown");
	CHECK_STR(tp.s[1].key, "owners");
	CHECK_EQ_INT(tp.s[1].kind, TEMPLATE_SPEAKERS);
	CHECK_STR(tp.s[1].instruction, "what each person owns");
	CHECK_EQ_INT(tp.s[2].kind, TEMPLATE_ACTIONS);
	CHECK(tp.exact_owner);
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "section: a list A | a\nsection: b table B | b\n", "x.tmpl:2: 'table' is not a section kind" },
		{ "\n\nsection: a list A a\n", "x.tmpl:3: a section needs 'KEY KIND Heading | instruction'" },
		{ "section: A list A | a\n", "x.tmpl:1: section key 'A' must be a lowercase word" },
		{ "section: title text T | t\n", "x.tmpl:1: section key 'title' is reserved" },
		{ "section: a list A | a\nsection: a text B | b\n", "x.tmpl:2: section key 'a' is used twice" },
		{ "section: a list | a\n", "x.tmpl:1: the heading is empty" },
		{ "section: a list A |\n", "x.tmpl:1: the instruction is empty" },
		{ "hello\n", "x.tmpl:1: expected 'description:'" },
		{ "colour: red\n", "x.tmpl:1: expected 'description:'" },
		{ "description: a\ndescription: b\n", "x.tmpl:2: 'description:' is given twice" },
		{ "# nothing\n", "x.tmpl: no sections" },
		{ "description: a\x01\n", "x.tmpl:1: a control character" },
		{ "description: \xff\n", "x.tmpl: not UTF-8 text" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_EQ_INT(template_parse(bad[i].text, strlen(bad[i].text), "x", "x.tmpl", &tp), TACIT_ERR_FORMAT);
		if (!strstr(tacit_errmsg(), bad[i].msg))
			fprintf(stderr, "  case %zu: got '%s'\n", i, tacit_errmsg());
		CHECK(strstr(tacit_errmsg(), bad[i].msg) != NULL);
	}
	struct buf many;
	buf_init(&many);
	for (int i = 0; i < TEMPLATE_MAX_SECTIONS + 1; i++)
		buf_addf(&many, "section: s%d list S | s\n", i);
	CHECK_EQ_INT(template_parse(many.data, many.len, "x", "x.tmpl", &tp), TACIT_ERR_FORMAT);
	CHECK(strstr(tacit_errmsg(), "x.tmpl:9: more than 8 sections") != NULL);
	buf_release(&many);
	CHECK_EQ_INT(template_parse(good, strlen(good), "Bad Name", "x.tmpl", &tp), TACIT_ERR_FORMAT);

	/* lookup: built-ins first, then the directory's files */
	const char *dir = test_tmpdir();
	test_write_file(dir, "design.tmpl", good, strlen(good));
	test_write_file(dir, "broken.tmpl", "section: a\n", 11);
	CHECK_EQ_INT(template_find(dir, "design", &tp), TACIT_OK);
	CHECK_EQ_INT(tp.n, 4);
	CHECK_EQ_INT(template_find(dir, "broken", &tp), TACIT_ERR_FORMAT);
	CHECK(strstr(tacit_errmsg(), "broken.tmpl:1:") != NULL);
	CHECK_EQ_INT(template_find(dir, "nope", &tp), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "see 'tacit templates'") != NULL);
	CHECK_EQ_INT(template_find(dir, "../etc", &tp), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(template_find(dir, NULL, &tp), TACIT_OK);
	CHECK_STR(tp.name, "general");
}

TEST(template_markdown)
{
	const struct template *su = builtin("stand-up");
	const char *json = "{\"title\":\"Daily\",\"overview\":\"On track.\",\"done\":[{\"speaker\":\"Alice\",\"text\":"
			   "\"login page\",\"cites\":[1]},{\"speaker\":\"Bob\",\"text\":\"review\",\"cites\":[2]},"
			   "{\"speaker\":\"Alice\",\"text\":\"tests\",\"cites\":[7]}],\"next\":[],\"blockers\":[{\"speaker\":"
			   "\"Alice\",\"text\":\"API keys\",\"cites\":[3]}]}";
	struct buf checked;
	buf_init(&checked);
	int dropped = 0;
	CHECK_EQ_INT(citations_check_template(su, json, 3, &checked, &dropped), TACIT_OK);
	CHECK_EQ_INT(dropped, 1);
	CHECK(strstr(checked.data, "\"template\":\"stand-up\"") != NULL);
	char *md = tacit_meeting_markdown(TACIT_TASK_SUMMARY, checked.data, NULL);
	CHECK_STR(md, "# Daily\n\nOn track.\n\n## Done\n\n**Alice**\n\n- login page [S1]\n\n**Bob**\n\n- review [S2]\n"
		      "\n## Blockers\n\n**Alice**\n\n- API keys [S3]\n\n(1 item dropped: it cited no segment of the "
		      "transcript.)\n");
	tacit_free(md);
	/* a template that is gone: rendered by the JSON's shape */
	const char *gone = "{\"title\":\"X\",\"the_gist\":\"g\",\"next_steps\":[{\"owner\":\"Bob\",\"task\":\"send\","
			   "\"due\":\"Friday\",\"cites\":[2]}],\"template\":\"no-such-template\",\"dropped\":0}";
	md = tacit_meeting_markdown(TACIT_TASK_SUMMARY, gone, NULL);
	CHECK_STR(md, "# X\n\n## The gist\n\ng\n\n## Next steps\n\n- [ ] Bob: send (due Friday) [S2]\n");
	tacit_free(md);
	/* a list missing from the answer is not the template's JSON */
	buf_reset(&checked);
	CHECK_EQ_INT(citations_check_template(su, "{\"title\":\"a\",\"overview\":\"b\",\"done\":[]}", 3, &checked, NULL),
		     TACIT_ERR_LLM);
	buf_release(&checked);
}

TEST(template_artifacts_kept_side_by_side)
{
	struct tacit_store *s = NULL;
	int64_t id = 0;
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	if (!s)
		return;
	struct tacit_session_params sp = tacit_session_default_params();
	CHECK_EQ_INT(tacit_store_session_create(s, &sp, &id), TACIT_OK);
	struct tacit_artifact old = { .kind = "summary", .json = "{\"v\":0}", .created_ms = 1 };
	struct tacit_artifact gen = { .kind = "summary", .json = "{\"v\":1}", .created_ms = 2, .template_name = "general" };
	struct tacit_artifact su = { .kind = "summary", .json = "{\"v\":2}", .created_ms = 3, .template_name = "stand-up" };
	CHECK_EQ_INT(tacit_store_add_artifact(s, id, &old, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_artifact(s, id, &gen, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_artifact(s, id, &su, NULL), TACIT_OK);
	char *j = NULL;
	CHECK_EQ_INT(tacit_store_get_artifact(s, id, "summary", &j, NULL), TACIT_OK);
	CHECK_STR(j, "{\"v\":2}");
	tacit_free(j);
	CHECK_EQ_INT(tacit_store_get_artifact_template(s, id, "summary", "general", &j, NULL), TACIT_OK);
	CHECK_STR(j, "{\"v\":1}");
	tacit_free(j);
	CHECK_EQ_INT(tacit_store_get_artifact_template(s, id, "summary", "stand-up", &j, NULL), TACIT_OK);
	CHECK_STR(j, "{\"v\":2}");
	tacit_free(j);
	CHECK_EQ_INT(tacit_store_get_artifact_template(s, id, "summary", "sales", &j, NULL), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "template 'sales'") != NULL);
	tacit_store_close(s);
}
