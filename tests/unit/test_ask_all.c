/*
 * test_ask_all.c — asking across all meetings: retrieval over three stored meetings
 * (the best hits across meetings, their neighbours numbered as each transcript numbers
 * them, grouped by meeting, the token budget), the [M S] citation check, and one real
 * run on stories260K (its words are noise: the mechanics and the JSON's shape only).
 */
#include "internal.h"

#include "../check.h"
#include "retrieve.h"

#include <unistd.h>
#include <yyjson.h>

static int64_t meeting(struct tacit_store *s, const char *title, const char *const *lines, size_t n)
{
	struct tacit_session_params p = tacit_session_default_params();
	int64_t id = 0;
	p.title = title;
	CHECK_EQ_INT(tacit_store_session_create(s, &p, &id), TACIT_OK);
	for (size_t i = 0; i < n; i++) {
		/* added out of time order: numbering follows the times, not the rows */
		size_t k = (i + 1) % n;
		struct tacit_segment g = { .start_ms = (int64_t)k * 1000, .end_ms = (int64_t)k * 1000 + 900,
					   .speaker = k % 2 ? "Bob" : "Alice", .text = lines[k], .confidence = -1 };
		CHECK_EQ_INT(tacit_store_add_segment(s, id, &g, NULL), TACIT_OK);
	}
	return id;
}

static const char *const m1[] = { "Good morning everyone.", "Let us look at the budget.", "Coffee is ready.",
				  "The weather is nice.", "See you next week." };
static const char *const m2[] = { "Welcome to the supplier review.", "Acme was cheaper than Globex.",
				  "We decided to sign the supplier contract with Acme.", "Alice sends it by Friday.",
				  "Any other business?", "No, thanks." };
static const char *const m3[] = { "Quick sync.", "The supplier shipped late again.", "Lunch at noon." };

static struct tacit_store *three_meetings(int64_t id[3])
{
	struct tacit_store *s = NULL;
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	id[0] = meeting(s, "Budget", m1, ARRAY_SIZE(m1));
	id[1] = meeting(s, "Supplier review", m2, ARRAY_SIZE(m2));
	id[2] = meeting(s, "Sync", m3, ARRAY_SIZE(m3));
	return s;
}

static const struct passage *find(const struct retrieval *r, int64_t session, int64_t seg)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->p[i].session_id == session && r->p[i].seg == seg)
			return &r->p[i];
	return NULL;
}

TEST(ask_all_retrieves_across_meetings)
{
	int64_t id[3];
	struct tacit_store *s = three_meetings(id);
	struct retrieval r;
	CHECK_EQ_INT(retrieve(s, "what did we decide about the supplier contract?", 8, 1, 10000, &r), TACIT_OK);
	/* the best hit: meeting 2's segment 3 (both words), so meeting 2 comes first */
	CHECK(r.n > 0 && r.p[0].session_id == id[1]);
	const struct passage *p = find(&r, id[1], 3);
	CHECK(p && p->hit && !strcmp(p->text, m2[2]) && !strcmp(p->speaker, "Alice") && p->start_ms == 2000);
	/* its neighbours come along, numbered from 1 in time order */
	CHECK(find(&r, id[1], 2) && !strcmp(find(&r, id[1], 2)->text, m2[1]));
	CHECK(find(&r, id[1], 4) && !find(&r, id[1], 4)->hit);
	/* meeting 3's "supplier" line is found too, meeting 1 says nothing of it */
	CHECK(find(&r, id[2], 2) && find(&r, id[2], 2)->hit);
	for (size_t i = 0; i < r.n; i++)
		CHECK(r.p[i].session_id != id[0]);
	/* grouped: one run per meeting, in transcript order within it */
	for (size_t i = 1; i < r.n; i++) {
		CHECK(r.p[i].group >= r.p[i - 1].group);
		if (r.p[i].session_id == r.p[i - 1].session_id)
			CHECK(r.p[i].seg > r.p[i - 1].seg);
	}
	retrieval_release(&r);

	/* no neighbours: hits only */
	CHECK_EQ_INT(retrieve(s, "supplier", 8, 0, 10000, &r), TACIT_OK);
	for (size_t i = 0; i < r.n; i++)
		CHECK(r.p[i].hit);
	CHECK_EQ_INT(r.n, 3);
	retrieval_release(&r);

	/* nothing matches: none, no error; only common words: none either */
	CHECK_EQ_INT(retrieve(s, "zebra", 8, 1, 10000, &r), TACIT_OK);
	CHECK_EQ_INT(r.n, 0);
	CHECK_EQ_INT(retrieve(s, "what did they do", 8, 1, 10000, &r), TACIT_OK);
	CHECK_EQ_INT(r.n, 0);
	tacit_store_close(s);
}

TEST(ask_all_retrieval_keeps_to_the_budget)
{
	int64_t id[3];
	struct tacit_store *s = three_meetings(id);
	struct retrieval r;
	/* a budget too small for two hits: the best one is kept whatever its size */
	CHECK_EQ_INT(retrieve(s, "supplier", 8, 1, 1, &r), TACIT_OK);
	CHECK(r.n >= 1 && r.n <= 3);
	int64_t first = r.p[0].session_id;
	for (size_t i = 0; i < r.n; i++)
		CHECK(r.p[i].session_id == first);
	retrieval_release(&r);
	/* a larger budget holds more, and the estimate stays under it */
	CHECK_EQ_INT(retrieve(s, "supplier", 8, 2, 60, &r), TACIT_OK);
	CHECK(r.n_tokens <= 60 || r.n <= 5);
	int total = 0;
	for (size_t i = 0; i < r.n; i++)
		total += retrieve_passage_tokens(&r.p[i]);
	CHECK_EQ_INT(total, r.n_tokens);
	retrieval_release(&r);
	/* top_k 1: one hit and its neighbours */
	CHECK_EQ_INT(retrieve(s, "supplier", 1, 1, 10000, &r), TACIT_OK);
	int hits = 0;
	for (size_t i = 0; i < r.n; i++)
		hits += r.p[i].hit;
	CHECK_EQ_INT(hits, 1);
	retrieval_release(&r);
	tacit_store_close(s);
}

TEST(ask_all_citation_check)
{
	struct passage ps[3] = { { .session_id = 12, .seg = 40 }, { .session_id = 12, .seg = 41 },
				 { .session_id = 3, .seg = 1 } };
	struct retrieval r = { .p = ps, .n = 3 };
	struct buf clean;
	struct cite *c;
	size_t n;
	int dropped;
	buf_init(&clean);
	CHECK_EQ_INT(retrieve_check("Acme won [M12 S40] [M12 S99] and Bob agreed [m3, s1] [M12 S40]. [M7 S1] See [S4] "
				    "and [M12 S41.",
				    &r, &clean, &c, &n, &dropped),
		     TACIT_OK);
	CHECK_STR(clean.data, "Acme won [M12 S40] and Bob agreed [M3 S1] [M12 S40]. See [S4] and [M12 S41.");
	CHECK_EQ_INT(dropped, 2);
	CHECK_EQ_INT(n, 2);
	CHECK(c[0].session_id == 12 && c[0].seg == 40 && c[1].session_id == 3 && c[1].seg == 1);
	free(c);
	buf_reset(&clean);
	/* nothing cited: nothing kept, nothing dropped */
	CHECK_EQ_INT(retrieve_check("No idea.", &r, &clean, &c, &n, &dropped), TACIT_OK);
	CHECK_STR(clean.data, "No idea.");
	CHECK(n == 0 && dropped == 0);
	free(c);
	buf_release(&clean);
}

TEST_MODEL(ask_all_on_stories260k)
{
	char path[4096];
	const char *shared = test_shared_dir();
	snprintf(path, sizeof(path), "%s/models/stories260K.gguf", shared ? shared : ".");
	if (!shared || access(path, R_OK) != 0)
		SKIP("no ../shared/models/stories260K.gguf");
	int64_t id[3];
	struct tacit_store *s = three_meetings(id);
	struct tacit_llm_params lp = tacit_llm_default_params();
	struct tacit_llm *llm = NULL;
	lp.model_path = path;
	lp.n_ctx = 512;
	lp.n_threads = 2;
	enum tacit_status st = tacit_llm_open(&lp, &llm);
	CHECK_EQ_INT(st, TACIT_OK);
	if (st != TACIT_OK) {
		fprintf(stderr, "  open: %s\n", tacit_errmsg());
		tacit_store_close(s);
		return;
	}
	struct tacit_ask_all_params p = tacit_ask_all_default_params();
	p.max_tokens = 48;
	char *json = NULL;
	CHECK_EQ_INT(tacit_ask_all(s, llm, "What about the supplier?", &p, &json), TACIT_OK);
	yyjson_doc *d = json ? yyjson_read(json, strlen(json), 0) : NULL;
	yyjson_val *root = yyjson_doc_get_root(d);
	CHECK(yyjson_is_str(yyjson_obj_get(root, "answer")));
	CHECK(yyjson_is_arr(yyjson_obj_get(root, "cites")));
	yyjson_val *ms = yyjson_obj_get(root, "meetings");
	CHECK(yyjson_arr_size(ms) >= 1); /* 512 tokens of context may leave room for one meeting */
	CHECK_EQ_INT(yyjson_get_sint(yyjson_obj_get(yyjson_arr_get(ms, 0), "meeting")), id[1]);
	yyjson_doc_free(d);
	tacit_free(json);
	/* a question no meeting answers is an error the user can act on */
	json = NULL;
	CHECK_EQ_INT(tacit_ask_all(s, llm, "zebra", &p, &json), TACIT_ERR_NOT_FOUND);
	CHECK(json == NULL && strstr(tacit_errmsg(), "tacit search"));
	/* a context too small for any excerpt */
	p.max_tokens = 400;
	st = tacit_ask_all(s, llm, "supplier", &p, &json);
	if (st != TACIT_ERR_CONTEXT_FULL)
		fprintf(stderr, "  ask_all: %s\n", tacit_errmsg());
	CHECK_EQ_INT(st, TACIT_ERR_CONTEXT_FULL);
	tacit_llm_close(llm);
	tacit_store_close(s);
}
