/*
 * test_ask_all.c — asking across all meetings: retrieval over three stored meetings
 * (the best hits across meetings, their neighbours numbered as each transcript numbers
 * them, grouped by meeting, the token budget), the [M S] citation check, and one real
 * run on stories260K (its words are noise: the mechanics and the JSON's shape only).
 */
#include "internal.h"

#include "../check.h"
#include "embed.h"
#include "retrieve.h"
#include "store.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
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
	/* meeting 3's "supplier" line matches one word of the three: under 0.4 of the best
	 * line's score, it is left out (RETRIEVE_MIN_SCORE_RATIO); meeting 1 says nothing */
	CHECK(!find(&r, id[2], 2));
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

/* A recurring meeting's line said word for word in many meetings is read once: the
 * other copies (and their neighbours) make way for other lines. */
TEST(ask_all_reads_a_repeated_line_once)
{
	static const char *const a[] = { "Welcome.", "The supplier contract is signed.", "Bye." };
	static const char *const b[] = { "Hello.", "The supplier contract is signed.", "Ciao." };
	static const char *const c[] = { "Hi.", "The supplier contract was signed late.", "Done." };
	struct tacit_store *s = NULL;
	struct retrieval r;
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	int64_t ia = meeting(s, "A", a, 3), ib = meeting(s, "B", b, 3), ic = meeting(s, "C", c, 3);
	CHECK_EQ_INT(retrieve(s, "supplier contract signed", 8, 1, 10000, &r), TACIT_OK);
	int copies = (find(&r, ia, 2) != NULL) + (find(&r, ib, 2) != NULL);
	CHECK_EQ_INT(copies, 1);
	CHECK(find(&r, ic, 2) && find(&r, ic, 2)->hit);
	CHECK_EQ_INT((int)r.n, 6); /* two hits, two neighbours each */
	retrieval_release(&r);
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

/* ---- search by meaning ---------------------------------------------------------- */

/* The catalog's embedding model's shape with random weights and 2 layers (made once into
 * build/models by tools/synth-model), or NULL. */
static const char *test_embed_model(void)
{
	static char path[PATH_MAX];
	return test_synth_model("embed-test.gguf", "--arch granite-embedding-30m --layers 2 --quant Q8_0", path) ? path
														  : NULL;
}

TEST(embed_quantize_keeps_the_cosine)
{
	float a[64], b[64];
	unsigned char qa[EMBED_Q_BYTES(64)];
	double na = 0, nb = 0, dot = 0;
	for (int i = 0; i < 64; i++) {
		a[i] = (float)((i * 37) % 11) - 5.0f;
		b[i] = (float)((i * 13) % 7) - 3.0f + a[i] * 0.5f;
		na += a[i] * a[i];
		nb += b[i] * b[i];
	}
	for (int i = 0; i < 64; i++) {
		a[i] /= (float)sqrt(na);
		b[i] /= (float)sqrt(nb);
		dot += (double)a[i] * b[i];
	}
	embed_quantize(a, 64, qa);
	CHECK(fabs(embed_dot_q(qa, b, 64) - dot) < 0.005);
	CHECK(fabs(embed_dot_q(qa, a, 64) - 1.0) < 0.005);
	/* a zero vector stays zero */
	memset(a, 0, sizeof(a));
	embed_quantize(a, 64, qa);
	CHECK(embed_dot_q(qa, b, 64) == 0.0f);
}

/* One model's vectors: the same text the same vector alone or in a batch, unit length. */
static void check_embedder(const char *model)
{
	struct embedder *e = NULL;
	const char *texts[] = { "We decided to sign with Acme.", "", "The supplier shipped late again.",
				"We decided to sign with Acme." };
	CHECK_EQ_INT(embedder_open(model, 2, &e), TACIT_OK);
	if (!e)
		return;
	int dim = embedder_dim(e);
	CHECK(dim > 0);
	float *all = calloc(5 * (size_t)dim, sizeof(float));
	CHECK_EQ_INT(embedder_run(e, texts, 4, NULL, all), TACIT_OK);
	CHECK_EQ_INT(embedder_run(e, texts + 2, 1, NULL, all + 4 * dim), TACIT_OK);
	double n0 = 0, d03 = 0, d24 = 0, d02 = 0;
	for (int i = 0; i < dim; i++) {
		n0 += all[i] * all[i];
		d03 += all[i] * all[3 * dim + i];
		d24 += all[2 * dim + i] * all[4 * dim + i];
		d02 += all[i] * all[2 * dim + i];
	}
	CHECK(fabs(n0 - 1.0) < 1e-3);
	CHECK(d03 > 0.999); /* the same text in one batch */
	CHECK(d24 > 0.999); /* alone or beside others */
	CHECK(d02 < 0.9999); /* other words, another vector */
	free(all);
	embedder_close(e);
}

TEST_MODEL(embed_worker_pools_an_encoder_and_a_language_model)
{
	const char *bert = test_embed_model();
	char path[4096];
	const char *shared = test_shared_dir();
	if (!bert)
		SKIP("cannot build the synthetic embedding model (build/tools/synth-model)");
	check_embedder(bert); /* CLS pooling, as its GGUF says */
	snprintf(path, sizeof(path), "%s/models/stories260K.gguf", shared ? shared : ".");
	if (shared && access(path, R_OK) == 0)
		check_embedder(path); /* no pooling named: the mean */
	/* a file that is no model: an error naming it, no worker left behind */
	struct embedder *e = NULL;
	CHECK_EQ_INT(embedder_open("/dev/null", 1, &e), TACIT_ERR_MODEL);
	CHECK(e == NULL && strstr(tacit_errmsg(), "/dev/null"));
}

static void count_progress(int64_t done, int64_t total, void *user)
{
	int64_t *last = user;
	CHECK(done <= total);
	last[0] = done;
	last[1] = total;
}

/* On stories260K, a small trained model (mean pooling): its vectors of different lines
 * are far apart (cosine ~0.8), so the nearest line to a question is the one with its
 * text; the random-weight encoder's all lie within 0.002 of each other. */
TEST_MODEL(index_then_ask_finds_by_meaning)
{
	char model[4096];
	const char *shared = test_shared_dir();
	snprintf(model, sizeof(model), "%s/models/stories260K.gguf", shared ? shared : ".");
	if (!shared || access(model, R_OK) != 0)
		SKIP("no ../shared/models/stories260K.gguf");
	int64_t id[3], n = -1, have = 0, todo = 0, seen[2] = { -1, -1 };
	struct tacit_store *s = three_meetings(id);
	static const char *const m4[] = { "Hello.", "So it is.", "Fine." };
	id[2] = meeting(s, "Short", m4, ARRAY_SIZE(m4));
	struct tacit_index_params ip = tacit_index_default_params();
	ip.embed_model = model;
	ip.n_threads = 2;
	ip.on_progress = count_progress;
	ip.user = seen;
	char key[INDEX_KEY_MAX];
	index_model_key(model, key);
	CHECK(strstr(key, "stories260K.gguf:") == key && atoll(strchr(key, ':') + 1) > 0);
	CHECK_EQ_INT(tacit_index(s, &ip, &n), TACIT_OK);
	CHECK_EQ_INT((int)n, 5 + 6 + 3 + 3);
	CHECK_EQ_INT((int)seen[0], 17);
	CHECK_EQ_INT((int)seen[1], 17);
	CHECK_EQ_INT(store_vectors_count(s, key, &have, &todo), TACIT_OK);
	CHECK_EQ_INT((int)have, 17);
	CHECK_EQ_INT((int)todo, 0);
	/* again: nothing to do, and no worker started */
	CHECK_EQ_INT(tacit_index(s, &ip, &n), TACIT_OK);
	CHECK_EQ_INT((int)n, 0);

	/* words alone find nothing in a question of stopwords; the meaning finds its line */
	struct retrieval r;
	float *q = NULL;
	int dim = 0;
	CHECK_EQ_INT(retrieve(s, "So it is.", 3, 0, 10000, &r), TACIT_OK);
	CHECK_EQ_INT((int)r.n, 0);
	retrieval_release(&r);
	CHECK_EQ_INT(index_question(s, model, "So it is.", 2, &q, &dim), TACIT_OK);
	CHECK(q != NULL && dim > 0);
	struct retrieve_dense dense = { key, q, dim };
	CHECK_EQ_INT(retrieve_in(s, NULL, "So it is.", 3, 0, 10000, &dense, &r), TACIT_OK);
	CHECK(r.n >= 1 && r.p[0].session_id == id[2]);
	CHECK(find(&r, id[2], 2) != NULL && find(&r, id[2], 2)->hit);
	CHECK_EQ_INT(r.n_dense_only, (int)r.n);
	retrieval_release(&r);
	free(q);

	/* a meeting deleted takes its vectors with it */
	CHECK_EQ_INT(tacit_store_session_delete(s, id[2]), TACIT_OK);
	CHECK_EQ_INT(store_vectors_count(s, key, &have, &todo), TACIT_OK);
	CHECK_EQ_INT((int)have, 14);
	tacit_store_close(s);
}
