/*
 * test_meeting.c — meeting tasks: transcript formats, grammar bounds, citation checking
 * (out of range, duplicates, empty, flagged answers), window planning on the 22,700-word
 * QMSum meeting Bmr003, Markdown, and grammar-valid JSON for every task on stories260K
 * (its words are nonsense; the structure is not), one pass and map→reduce.
 */
#include "internal.h"

#include "citations.h"
#include "grammar.h"
#include "meeting.h"
#include "plan.h"
#include "transcript.h"

#include "../check.h"

#include <regex.h>
#include <unistd.h>
#include <yyjson.h>

static struct tacit_transcript *parse(const char *text)
{
	struct tacit_transcript *t = NULL;
	CHECK_EQ_INT(transcript_parse(text, strlen(text), "test", &t), TACIT_OK);
	return t;
}

TEST(transcript_formats)
{
	struct tacit_transcript *t = parse("Alice: Ship on Friday.\n\nBob:   I   fix the bug.\nno speaker here. yes: x\n");
	if (!t)
		return;
	CHECK_EQ_INT(tacit_transcript_count(t), 3);
	CHECK_STR(t->segs[0].speaker, "Alice");
	CHECK_STR(t->segs[1].text, "I fix the bug.");
	CHECK_STR(t->segs[2].speaker, "Bob"); /* no "Name:": the previous speaker goes on */
	CHECK_EQ_INT(tacit_transcript_words(t), 12);
	struct buf b;
	buf_init(&b);
	transcript_line(t, 1, &b);
	CHECK_STR(b.data, "[S2] Bob: I fix the bug.\n");
	tacit_transcript_free(t);

	t = parse("[{\"speaker\":\"A\",\"text\":\"hello\",\"start_ms\":65000,\"end_ms\":70000},{\"text\":\"\"},"
		  "{\"text\":\"bye\",\"start_ms\":3725000}]");
	if (!t)
		return;
	CHECK_EQ_INT(t->n, 2);
	buf_reset(&b);
	transcript_line(t, 0, &b);
	transcript_line(t, 1, &b);
	CHECK_STR(b.data, "[S1 01:05] A: hello\n[S2 1:02:05] bye\n");
	tacit_transcript_free(t);

	t = parse("{\"meeting_transcripts\":[{\"speaker\":\"PhD C\",\"content\":\"This is Eric .\"}]}");
	if (t)
		CHECK_STR(t->segs[0].speaker, "PhD C");
	tacit_transcript_free(t);
	buf_release(&b);

	CHECK_EQ_INT(transcript_parse("[1,2", 4, "x", &t), TACIT_ERR_FORMAT);
	CHECK_EQ_INT(transcript_parse("{\"a\":1}", 7, "x", &t), TACIT_ERR_FORMAT);
	CHECK_EQ_INT(transcript_parse("\n\n", 2, "x", &t), TACIT_ERR_FORMAT);
	CHECK_EQ_INT(tacit_transcript_load("/nonexistent/t.txt", &t), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "'/nonexistent/t.txt'"));
}

TEST(grammar_limits_fit_budget)
{
	for (int task = 0; task <= TACIT_TASK_SUGGEST; task++) {
		struct grammar_limits l;
		for (size_t budget = 200; budget <= 8000; budget *= 2) {
			if (!grammar_limits_for((enum tacit_task)task, budget, 1832, true, &l))
				continue;
			CHECK(grammar_worst_len((enum tacit_task)task, &l) <= budget);
			CHECK_EQ_INT(l.digits, 4);
		}
		CHECK(!grammar_limits_for((enum tacit_task)task, 20, 10, true, &l));
		CHECK(grammar_limits_for((enum tacit_task)task, 4000, 10, false, &l));
		CHECK(l.max_items >= 2);
		struct buf g;
		buf_init(&g);
		grammar_build((enum tacit_task)task, &l, &g);
		CHECK(strstr(g.data, "root ::= "));
		CHECK(strstr(g.data, "cites"));
		buf_release(&g);
	}
	/* the worst case counts every character: one more char per string must exceed it */
	struct grammar_limits a = { .max_items = 2, .max_str = 10, .max_cites = 2, .digits = 2, .ascii = true }, b = a;
	b.max_str = 11;
	CHECK(grammar_worst_len(TACIT_TASK_SUMMARY, &b) == grammar_worst_len(TACIT_TASK_SUMMARY, &a) + 14);
}

/* The grammar's "num" rule as a POSIX extended regex ("4" [0-6] -> 4[0-6]). */
static bool num_rule_regex(const struct buf *g, regex_t *re)
{
	const char *at = g->data ? strstr(g->data, "num ::= ") : NULL;
	struct buf rx;
	buf_init(&rx);
	buf_adds(&rx, "^(");
	for (at = at ? at + 8 : ""; *at && *at != '\n'; at++)
		if (*at != ' ' && *at != '"')
			buf_add(&rx, at, 1);
	buf_adds(&rx, ")$");
	bool ok = regcomp(re, rx.data, REG_EXTENDED | REG_NOSUB) == 0;
	buf_release(&rx);
	return ok;
}

/* A cite names a segment that exists: the grammar's numbers are exactly 1..n. */
TEST(grammar_numbers_are_the_segments)
{
	static const size_t ns[] = { 1, 9, 10, 46, 100, 199, 200, 2304, 9999, 10000, 30517 };
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		struct grammar_limits l;
		struct buf g;
		regex_t re;
		char num[24];
		CHECK(grammar_limits_for(TACIT_TASK_ANSWER, 4000, ns[k], true, &l));
		buf_init(&g);
		grammar_build(TACIT_TASK_ANSWER, &l, &g);
		if (!num_rule_regex(&g, &re)) {
			CHECK(!"the num rule is a regular expression");
			buf_release(&g);
			continue;
		}
		int wrong = 0;
		for (size_t v = 0; v <= ns[k] + 120 && v < 40000; v++) {
			snprintf(num, sizeof(num), "%zu", v);
			bool allowed = regexec(&re, num, 0, NULL, 0) == 0;
			wrong += allowed != (v >= 1 && v <= ns[k]);
		}
		CHECK(regexec(&re, "01", 0, NULL, 0) != 0); /* no leading zero */
		CHECK_EQ_INT(wrong, 0);
		regfree(&re);
		buf_release(&g);
	}
}

/* A live window's cites ([S1] is its first segment) come back in the meeting's numbers. */
TEST(citations_renumber_to_the_meeting)
{
	static const long long to[] = { 2259, 2260, 2261, 57, 57 }; /* 3 window lines, 2 recap points */
	struct buf j;
	buf_init(&j);
	buf_adds(&j, "{\"answer\":\"x\",\"cites\":[1,3,4,5,9],\"grounded\":true,"
		     "\"key_points\":[{\"text\":\"y\",\"cites\":[2]}]}");
	CHECK_EQ_INT(citations_renumber(&j, to, 5), TACIT_OK);
	CHECK_STR(j.data, "{\"answer\":\"x\",\"cites\":[2259,2261,57],\"grounded\":true,"
			  "\"key_points\":[{\"text\":\"y\",\"cites\":[2260]}]}");
	buf_reset(&j);
	buf_adds(&j, "{\"cites\":");
	CHECK_EQ_INT(citations_renumber(&j, to, 5), TACIT_ERR_LLM);
	buf_release(&j);
}

static yyjson_doc *checked(enum tacit_task task, const char *json, size_t n, int *dropped)
{
	struct buf out;
	buf_init(&out);
	enum tacit_status st = citations_check(task, json, n, &out, dropped);
	yyjson_doc *doc = st == TACIT_OK ? yyjson_read(out.data, out.len, 0) : NULL;
	buf_release(&out);
	return doc;
}

TEST(citations_are_checked)
{
	int dropped = -1;
	yyjson_doc *d = checked(TACIT_TASK_SUMMARY,
				"{\"title\":\"t\",\"overview\":\"o\",\"key_points\":[{\"text\":\"real\",\"cites\":[2,2,9]},"
				"{\"text\":\"made up\",\"cites\":[7,0]}],\"decisions\":[],\"action_items\":[{\"owner\":\"Bob\","
				"\"task\":\"fix\",\"due\":\"\",\"cites\":[]}],\"open_questions\":[]}",
				5, &dropped);
	CHECK(d != NULL);
	yyjson_val *root = yyjson_doc_get_root(d);
	yyjson_val *kp = yyjson_obj_get(root, "key_points");
	CHECK_EQ_INT(yyjson_arr_size(kp), 1);
	CHECK_EQ_INT(yyjson_arr_size(yyjson_obj_get(yyjson_arr_get(kp, 0), "cites")), 1); /* 2 once; 9 gone */
	CHECK_EQ_INT(yyjson_arr_size(yyjson_obj_get(root, "action_items")), 0);
	CHECK_EQ_INT(dropped, 2);
	CHECK_EQ_INT(yyjson_get_int(yyjson_obj_get(root, "dropped")), 2);
	yyjson_doc_free(d);

	d = checked(TACIT_TASK_ANSWER, "{\"answer\":\"no idea\",\"cites\":[40]}", 5, NULL);
	CHECK(d && !yyjson_get_bool(yyjson_obj_get(yyjson_doc_get_root(d), "grounded")));
	yyjson_doc_free(d);
	d = checked(TACIT_TASK_ANSWER, "{\"answer\":\"Friday\",\"cites\":[1]}", 5, NULL);
	CHECK(d && yyjson_get_bool(yyjson_obj_get(yyjson_doc_get_root(d), "grounded")));
	yyjson_doc_free(d);

	d = checked(TACIT_TASK_NOTES,
		    "{\"sections\":[{\"topic\":\"a\",\"start\":9,\"end\":1,\"bullets\":[{\"text\":\"x\",\"cites\":[3,2]}]},"
		    "{\"topic\":\"b\",\"start\":1,\"end\":2,\"bullets\":[{\"text\":\"y\",\"cites\":[8]}]}]}",
		    5, &dropped);
	CHECK(d != NULL);
	yyjson_val *secs = yyjson_obj_get(yyjson_doc_get_root(d), "sections");
	CHECK_EQ_INT(yyjson_arr_size(secs), 1);
	CHECK_EQ_INT(yyjson_get_int(yyjson_obj_get(yyjson_arr_get(secs, 0), "start")), 2);
	CHECK_EQ_INT(yyjson_get_int(yyjson_obj_get(yyjson_arr_get(secs, 0), "end")), 3);
	CHECK_EQ_INT(dropped, 2); /* the bullet citing 8, then its empty section */
	yyjson_doc_free(d);

	struct buf out;
	buf_init(&out);
	CHECK_EQ_INT(citations_check(TACIT_TASK_SUGGEST, "{\"suggestions\":[{\"kind\":", 5, &out, NULL), TACIT_ERR_LLM);
	CHECK_EQ_INT(citations_check(TACIT_TASK_SUMMARY, "{\"title\":\"x\"}", 5, &out, NULL), TACIT_ERR_LLM);
	buf_release(&out);
}

TEST(plan_windows_bmr003)
{
	const char *shared = test_shared_dir();
	char path[4096];
	if (!shared)
		SKIP("no ../shared/data/qmsum-sample");
	snprintf(path, sizeof(path), "%s/data/qmsum-sample/Bmr003.json", shared);
	struct tacit_transcript *t = NULL;
	if (tacit_transcript_load(path, &t) != TACIT_OK)
		SKIP("no ../shared/data/qmsum-sample/Bmr003.json");
	CHECK(t->words > 20000 && t->words < 25000);
	int *tok = calloc(t->n, sizeof(*tok));
	long long total = 0;
	struct buf line;
	buf_init(&line);
	for (size_t i = 0; i < t->n; i++) {
		buf_reset(&line);
		transcript_line(t, i, &line);
		tok[i] = plan_estimate_tokens(line.data);
		total += tok[i];
	}
	CHECK(total > 30000); /* ~1.35 tokens per word plus the [S12] Speaker: prefixes */
	struct plan p;
	int budget = 3000, overlap = 300;
	CHECK_EQ_INT(plan_windows(tok, t->n, budget, overlap, &p), TACIT_OK);
	CHECK(p.n >= (size_t)(total / budget) && p.n <= (size_t)(total / (budget - 2 * overlap)) + 2);
	CHECK_EQ_INT(p.w[0].first, 0);
	CHECK_EQ_INT(p.w[p.n - 1].last, t->n - 1);
	for (size_t w = 0; w < p.n; w++) {
		int sum = 0;
		for (size_t i = p.w[w].first; i <= p.w[w].last; i++)
			sum += tok[i];
		CHECK(sum == p.w[w].tokens && sum <= budget);
		if (w) { /* no gap, some overlap, always forward */
			CHECK(p.w[w].first <= p.w[w - 1].last);
			CHECK(p.w[w].first > p.w[w - 1].first);
		}
	}
	plan_release(&p);
	int big[] = { 10, 5000, 10 };
	CHECK_EQ_INT(plan_windows(big, 3, 3000, 300, &p), TACIT_ERR_CONTEXT_FULL);
	CHECK(strstr(tacit_errmsg(), "segment S2 alone has 5000 tokens"));
	free(tok);
	buf_release(&line);
	tacit_transcript_free(t);
}

TEST(markdown_rendering)
{
	struct tacit_transcript *t =
		parse("[{\"speaker\":\"A\",\"text\":\"ship Friday\",\"start_ms\":61000},{\"text\":\"ok\",\"start_ms\":62000}]");
	char *md = tacit_meeting_markdown(
		TACIT_TASK_SUMMARY,
		"{\"title\":\"Beta\",\"overview\":\"Plan.\",\"key_points\":[{\"text\":\"Ship\",\"cites\":[1,2]}],"
		"\"decisions\":[],\"action_items\":[{\"owner\":\"Bob\",\"task\":\"fix\",\"due\":\"Fri\",\"cites\":[2]}],"
		"\"open_questions\":[],\"dropped\":1}",
		t);
	CHECK(md && strstr(md, "# Beta\n\nPlan.\n"));
	CHECK(md && strstr(md, "## Key points\n\n- Ship [S1 01:01, S2 01:02]\n"));
	CHECK(md && strstr(md, "- [ ] Bob: fix (due Fri) [S2 01:02]\n"));
	CHECK(md && !strstr(md, "Decisions"));
	CHECK(md && strstr(md, "(1 item dropped"));
	tacit_free(md);
	md = tacit_meeting_markdown(TACIT_TASK_ANSWER, "{\"answer\":\"?\",\"cites\":[],\"grounded\":false}", t);
	CHECK(md && strstr(md, "cites no part of the meeting"));
	tacit_free(md);
	CHECK(tacit_meeting_markdown(TACIT_TASK_NOTES, "[1,", t) == NULL);
	tacit_transcript_free(t);
}

static const char *stories(void)
{
	static char path[4096];
	const char *shared = test_shared_dir();
	if (!shared)
		return NULL;
	snprintf(path, sizeof(path), "%s/models/stories260K.gguf", shared);
	return access(path, R_OK) == 0 ? path : NULL;
}

static void check_task_json(enum tacit_task task, const char *json, size_t n_segments)
{
	yyjson_doc *d = json ? yyjson_read(json, strlen(json), 0) : NULL;
	yyjson_val *root = yyjson_doc_get_root(d);
	CHECK(yyjson_is_obj(root));
	static const char *const keys[][7] = {
		{ "title", "overview", "key_points", "decisions", "action_items", "open_questions", "dropped" },
		{ "sections", "dropped" },
		{ "answer", "cites", "grounded", "dropped" },
		{ "suggestions", "dropped" },
	};
	for (int k = 0; k < 7 && keys[task][k]; k++)
		CHECK(yyjson_obj_get(root, keys[task][k]) != NULL);
	/* every cite left is a real segment */
	struct buf again;
	buf_init(&again);
	int dropped = -1;
	if (json)
		CHECK_EQ_INT(citations_check(task, json, n_segments, &again, &dropped), TACIT_OK);
	CHECK_EQ_INT(dropped, yyjson_get_int(yyjson_obj_get(root, "dropped")));
	buf_release(&again);
	yyjson_doc_free(d);
}

TEST_MODEL(meeting_tasks_give_valid_json_on_stories260k)
{
	if (!stories())
		SKIP("no ../shared/models/stories260K.gguf");
	struct tacit_transcript *t = parse("Alice: Let us ship the beta on Friday.\nBob: I will fix the login bug.\n"
					   "Carol: I write the release notes by Thursday.\n");
	struct tacit_llm_params lp = tacit_llm_default_params();
	struct tacit_llm *llm = NULL;
	lp.model_path = stories();
	lp.n_ctx = 1024; /* past its training context: nonsense words, but the grammar holds */
	lp.n_threads = 2;
	CHECK_EQ_INT(tacit_llm_open(&lp, &llm), TACIT_OK);
	if (!llm || !t) {
		tacit_transcript_free(t);
		return;
	}
	for (int task = 0; task <= TACIT_TASK_SUGGEST; task++) {
		struct tacit_meeting_params mp = tacit_meeting_default_params();
		char *json = NULL;
		mp.task = (enum tacit_task)task;
		mp.question = "Who writes the notes?";
		mp.max_tokens = 360;
		enum tacit_status st = tacit_meeting_run(llm, t, &mp, &json);
		if (st != TACIT_OK)
			fprintf(stderr, "  task %d: %s\n", task, tacit_errmsg());
		CHECK_EQ_INT(st, TACIT_OK);
		check_task_json(mp.task, json, t->n);
		char *md = tacit_meeting_markdown(mp.task, json, t);
		CHECK(md != NULL);
		tacit_free(md);
		tacit_free(json);
	}
	struct tacit_meeting_params mp = tacit_meeting_default_params();
	char *json = NULL;
	mp.task = TACIT_TASK_ANSWER;
	CHECK_EQ_INT(tacit_meeting_run(llm, t, &mp, &json), TACIT_ERR_USAGE); /* no question */
	mp.task = TACIT_TASK_SUMMARY;
	mp.max_tokens = 30;
	CHECK_EQ_INT(tacit_meeting_run(llm, t, &mp, &json), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "raise --max-tokens"));
	tacit_llm_close(llm);
	tacit_transcript_free(t);
}

TEST_MODEL(meeting_map_reduce_on_stories260k)
{
	if (!stories())
		SKIP("no ../shared/models/stories260K.gguf");
	struct buf text;
	buf_init(&text);
	for (int i = 0; i < 24; i++)
		buf_addf(&text, "Speaker%d: We talked about item number %d and agreed to look at it again soon.\n", i % 3, i);
	struct tacit_transcript *t = parse(text.data);
	struct tacit_llm_params lp = tacit_llm_default_params();
	struct tacit_llm *llm = NULL;
	lp.model_path = stories();
	lp.n_ctx = 1024;
	lp.n_threads = 2;
	CHECK_EQ_INT(tacit_llm_open(&lp, &llm), TACIT_OK);
	if (llm && t) {
		struct tacit_meeting_params mp = tacit_meeting_default_params();
		struct meeting_outcome oc;
		char *json = NULL;
		mp.task = TACIT_TASK_SUGGEST;
		mp.max_tokens = 200;
		enum tacit_status st = meeting_run(llm, t, &mp, NULL, &json, &oc);
		if (st != TACIT_OK)
			fprintf(stderr, "  %s\n", tacit_errmsg());
		CHECK_EQ_INT(st, TACIT_OK);
		check_task_json(mp.task, json, t->n);
		/* The transcript is longer than the context: every window is read (a call
		 * each), then merged (at least one more call). One pass would be n_windows 1. */
		CHECK(oc.n_windows > 1);
		CHECK(oc.n_calls > oc.n_windows);
		tacit_free(json);
	}
	tacit_llm_close(llm);
	tacit_transcript_free(t);
	buf_release(&text);
}

TEST(answer_reads_a_bounded_number_of_windows)
{
	struct window w[100];
	double rel[100];
	struct plan p = { w, 0 };
	for (size_t i = 0; i < 100; i++) {
		w[i].first = w[i].last = i;
		w[i].tokens = 10;
		rel[i] = 0;
	}
	p.n = 3; /* nothing matches a short meeting: read it all */
	CHECK_EQ_INT(meeting_answer_focus(&p, rel), -1);
	CHECK_EQ_INT(meeting_answer_focus(&p, NULL), -1);
	p.n = 100; /* nothing matches a long one: too many windows, not a map over all of them */
	CHECK_EQ_INT(meeting_answer_focus(&p, rel), MEETING_TOO_MANY_WINDOWS);
	CHECK_EQ_INT(meeting_answer_focus(&p, NULL), MEETING_TOO_MANY_WINDOWS);
	rel[57] = 0.5, rel[12] = 0.25; /* the best match alone */
	CHECK_EQ_INT(meeting_answer_focus(&p, rel), 57);
}
