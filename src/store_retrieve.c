/*
 * store_retrieve.c — the passages for a question asked across every meeting: the best
 * BM25 segments of the whole history (store_segment_relevance with no session), each with
 * its neighbours for context, numbered as the meeting's transcript numbers them ([S]),
 * grouped by meeting in the order of their best hit, and cut at a token budget. A hit
 * whose words an earlier hit said already is left out with its neighbours.
 */
#include "internal.h"

#include "retrieve.h"
#include "store_int.h"

#define RETRIEVE_MAX_HITS 64

#define RRF_K 60 /* reciprocal rank fusion's constant, as its authors use it */

struct hits {
	int64_t id[RETRIEVE_MAX_HITS];
	int n, cap;
	double best;
};

/* A line scoring under this share of the best line's BM25 is left out: on the QMSum
 * sample's 41 annotated queries (bench/retrieval.c) 0.4 kept every query whose 12 best
 * lines reached an answering span (27), raised the share of lines found that lie in one
 * from 0.091 to 0.101, and cut the excerpts' tokens from ~756 to ~545 a question: fewer
 * lines that barely match, so a shorter prompt and a sooner first token. (Leaving the
 * questions' own words such as "discuss" or "think" out of the search, and scaling
 * short lines' scores down, raised that share further but read longer lines, more
 * tokens, and lost a query: not kept.) */
#define RETRIEVE_MIN_SCORE_RATIO 0.4

static void on_score(int64_t segment_id, double score, void *user)
{
	struct hits *h = user;
	if (!h->n)
		h->best = score;
	else if (score < h->best * RETRIEVE_MIN_SCORE_RATIO)
		return;
	if (h->n < h->cap)
		h->id[h->n++] = segment_id;
}

/* The meaning's ranking: every one of the nearest, however far. */
static void on_near(int64_t segment_id, double score, void *user)
{
	struct hits *h = user;
	(void)score;
	if (h->n < h->cap)
		h->id[h->n++] = segment_id;
}

struct fused {
	int64_t id;
	double score;
	bool words;
};

static int by_fused(const void *a, const void *b)
{
	const struct fused *x = a, *y = b;
	return x->score > y->score ? -1 : x->score < y->score;
}

/* Fuses the two rankings into out (top_k best), by reciprocal rank; *dense_only counts
 * the kept hits the words did not find. */
static void fuse(const struct hits *words, const struct hits *meaning, int top_k, struct hits *out, int *dense_only)
{
	struct fused f[2 * RETRIEVE_MAX_HITS];
	int n = 0;
	for (int i = 0; i < words->n; i++)
		f[n++] = (struct fused){ words->id[i], 1.0 / (RRF_K + i + 1), true };
	for (int i = 0; i < meaning->n; i++) {
		int j = 0;
		while (j < n && f[j].id != meaning->id[i])
			j++;
		if (j == n)
			f[n++] = (struct fused){ meaning->id[i], 0, false };
		f[j].score += 1.0 / (RRF_K + i + 1);
	}
	qsort(f, (size_t)n, sizeof(*f), by_fused);
	out->n = 0;
	*dense_only = 0;
	for (int i = 0; i < n && i < top_k && i < RETRIEVE_MAX_HITS; i++) {
		out->id[out->n++] = f[i].id;
		*dense_only += !f[i].words;
	}
}

int retrieve_passage_tokens(const struct passage *p)
{
	/* about 4 bytes a token in English; 3 keeps the estimate on the safe side, and the
	 * "[M12 S40] " tag and newline cost about 8 */
	return (int)((strlen(p->text) + strlen(p->speaker)) / 3) + 8;
}

static bool have(const struct retrieval *r, int64_t segment_id, size_t *at)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->p[i].segment_id == segment_id) {
			*at = i;
			return true;
		}
	return false;
}

/* Whether hit segment_id, read into r->p[first..r->n), says exactly what a hit before
 * first says. */
static bool repeats(const struct retrieval *r, size_t first, int64_t segment_id)
{
	const struct passage *hit = NULL;
	for (size_t i = first; i < r->n && !hit; i++)
		if (r->p[i].segment_id == segment_id)
			hit = &r->p[i];
	for (size_t i = 0; hit && i < first; i++)
		if (r->p[i].hit && !strcmp(r->p[i].text, hit->text))
			return true;
	return false;
}

static int by_group(const void *a, const void *b)
{
	const struct passage *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->seg < y->seg ? -1 : x->seg > y->seg;
}

void retrieval_release(struct retrieval *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->p[i].speaker);
		free(r->p[i].text);
	}
	free(r->p);
	memset(r, 0, sizeof(*r));
}

enum tacit_status store_speaker_names(struct tacit_store *s, store_name_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	enum tacit_status ret = prep(s, "SELECT DISTINCT COALESCE(NULLIF(name, ''), label) FROM speakers", &st);
	if (ret != TACIT_OK)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(col_text(st, 0), user);
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read the speakers' names");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status retrieve(struct tacit_store *s, const char *question, int top_k, int n_neighbours, int max_tokens,
			   struct retrieval *r)
{
	return retrieve_in(s, NULL, question, top_k, n_neighbours, max_tokens, NULL, r);
}

enum tacit_status retrieve_in(struct tacit_store *s, const struct store_filter *f, const char *question, int top_k,
			      int n_neighbours, int max_tokens, const struct retrieve_dense *dense,
			      struct retrieval *r)
{
	struct store_filter all = { 0 };
	int k = top_k < 1 ? 1 : top_k > RETRIEVE_MAX_HITS ? RETRIEVE_MAX_HITS : top_k;
	struct hits h = { .cap = dense ? RETRIEVE_MAX_HITS : k };
	sqlite3_stmt *st = NULL;
	size_t alloc = 0;
	int rc, n_groups = 0;
	int64_t group_session[RETRIEVE_MAX_HITS];

	memset(r, 0, sizeof(*r));
	if (!s || !question)
		return tacit_fail(TACIT_ERR_USAGE, "retrieve: store or question is NULL");
	if (n_neighbours < 0)
		n_neighbours = 0;
	enum tacit_status ret = store_segment_relevance_in(s, f ? f : &all, question, on_score, &h);
	if (ret == TACIT_OK && dense) {
		struct hits m = { .cap = RETRIEVE_MAX_HITS };
		ret = store_vectors_nearest(s, f ? f : &all, dense->model, dense->q, dense->dim, RETRIEVE_MAX_HITS,
					    on_near, &m);
		struct hits words = h;
		fuse(&words, &m, k, &h, &r->n_dense_only);
	}
	if (ret != TACIT_OK || !h.n)
		return ret;
	/* the hit and its neighbours, numbered among the meeting's final segments in the
	 * order its transcript has them (start, then row) */
	ret = prep(s,
		   "WITH t AS (SELECT g.id, g.session_id, g.start_ms, g.text, COALESCE(p.name, p.label, '') AS who,"
		   " ROW_NUMBER() OVER (ORDER BY g.start_ms, g.id) AS n FROM segments g"
		   " LEFT JOIN speakers p ON p.id = g.speaker_id"
		   " WHERE g.final = 1 AND g.session_id = (SELECT session_id FROM segments WHERE id = ?1)),"
		   " c AS (SELECT n FROM t WHERE id = ?1)"
		   " SELECT t.id, t.session_id, t.n, t.start_ms, t.who, t.text, t.id = ?1 FROM t, c"
		   " WHERE t.n BETWEEN c.n - ?2 AND c.n + ?2 ORDER BY t.n",
		   &st);
	if (ret != TACIT_OK)
		return ret;
	for (int i = 0; i < h.n; i++) {
		size_t first = r->n;
		int tokens = 0;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, h.id[i]);
		sqlite3_bind_int(st, 2, n_neighbours);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0), session = sqlite3_column_int64(st, 1);
			bool is_hit = sqlite3_column_int(st, 6) != 0;
			size_t at;
			if (have(r, id, &at)) { /* already there as another hit's neighbour */
				r->p[at].hit |= is_hit;
				continue;
			}
			if (r->n == alloc) {
				size_t na = alloc ? alloc * 2 : 32;
				struct passage *np = realloc(r->p, na * sizeof(*np));
				if (!np) {
					ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
					goto out;
				}
				r->p = np;
				alloc = na;
			}
			int g = 0;
			while (g < n_groups && group_session[g] != session)
				g++;
			if (g == n_groups)
				group_session[n_groups++] = session;
			struct passage *p = &r->p[r->n];
			*p = (struct passage){ .session_id = session, .seg = sqlite3_column_int64(st, 2), .segment_id = id,
					       .start_ms = sqlite3_column_int64(st, 3), .group = g, .hit = is_hit };
			p->speaker = strdup(col_text(st, 4));
			p->text = strdup(col_text(st, 5));
			if (!p->speaker || !p->text) {
				free(p->speaker);
				free(p->text);
				ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
				goto out;
			}
			r->n++;
			tokens += retrieve_passage_tokens(p);
		}
		if (rc != SQLITE_DONE) {
			ret = store_db_fail(s, rc, "read the passages of a question");
			goto out;
		}
		bool full = i > 0 && r->n_tokens + tokens > max_tokens;
		if (full || repeats(r, first, h.id[i])) {
			/* this hit and its new neighbours do not fit (stop), or the hit's words were
			 * found already in another line (a recurring meeting's "Let's get started"):
			 * take them back; the model would read the same thing twice */
			while (r->n > first) {
				r->n--;
				free(r->p[r->n].speaker);
				free(r->p[r->n].text);
			}
			if (full)
				break;
			continue;
		}
		r->n_tokens += tokens;
	}
	qsort(r->p, r->n, sizeof(*r->p), by_group);
out:
	sqlite3_finalize(st);
	if (ret != TACIT_OK)
		retrieval_release(r);
	return ret;
}
