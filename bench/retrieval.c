/*
 * retrieval.c — how well `ask --all` finds what a question is about, on real meetings:
 * the six QMSum sample meetings (../shared/data/qmsum-sample, every turn a line, all in
 * one store) and their 40 specific queries, whose annotators marked the turns that
 * answer each (relevant_text_span). Each query goes the way tacit_ask_all() takes it
 * (its speaker and date filters read, then the 12 best lines, without neighbours);
 * figures over the queries: success@12 (some line found lies in an answering span of the
 * right meeting) and precision@12 (the share of lines found that do). First by words
 * (BM25), then by words and meaning (reciprocal rank fusion) with the embedding model
 * $TACIT_BENCH_EMBED_MODEL: with a real model (the catalog's
 * granite-embedding-30m-english-Q8_0.gguf) the second pair is its quality; without one,
 * the random-weight real shape (build/models) shows only that the pipeline runs, and the
 * note says so.
 */
#include "bench.h"

#include "internal.h"

#include "ask_filter.h"
#include "retrieve.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yyjson.h>

#define TOP_K 12
#define MAX_QUERIES 64

static const char *const files[] = { "Bmr003", "ES2002a", "ES2002b", "IS1000a", "TS3005d", "education_1" };

struct query {
	char *text;
	int64_t session;
	int span[4][2]; /* turn indices, inclusive */
	int n_spans;
};

struct score {
	int queries, success, hits, tokens;
	double precision;
};

static bool in_span(const struct query *q, const struct passage *p)
{
	int turn = (int)(p->start_ms / 1000);
	if (p->session_id != q->session)
		return false;
	for (int i = 0; i < q->n_spans; i++)
		if (turn >= q->span[i][0] && turn <= q->span[i][1])
			return true;
	return false;
}

static void run(struct tacit_store *s, struct query *qs, int n, const struct retrieve_dense *model, struct score *sc)
{
	memset(sc, 0, sizeof(*sc));
	for (int i = 0; i < n; i++) {
		struct ask_filter af;
		struct store_filter f = { 0 };
		struct retrieval r;
		struct buf rest;
		float *qv = NULL;
		int dim = 0;
		buf_init(&rest);
		if (ask_filter_read(s, qs[i].text, 0, &af, &rest) != TACIT_OK)
			continue;
		f.since_ms = af.since_ms;
		f.until_ms = af.until_ms;
		f.speaker = af.speaker[0] ? af.speaker : NULL;
		struct retrieve_dense d = { 0 };
		char key[INDEX_KEY_MAX];
		if (model && index_question(s, model->model, rest.data, bench_threads(), &qv, &dim) == TACIT_OK && qv) {
			index_model_key(model->model, key);
			d = (struct retrieve_dense){ key, qv, dim };
		}
		if (retrieve_in(s, &f, rest.data, TOP_K, 0, 1 << 30, qv ? &d : NULL, &r) == TACIT_OK) {
			int hits = 0, good = 0;
			for (size_t k = 0; k < r.n; k++) {
				sc->tokens += r.p[k].hit ? retrieve_passage_tokens(&r.p[k]) : 0;
				hits += r.p[k].hit;
				good += r.p[k].hit && in_span(&qs[i], &r.p[k]);
			}
			if (getenv("TACIT_BENCH_VERBOSE")) {
				fprintf(stderr, "%d/%d [%s] %s:", good, hits, f.speaker ? f.speaker : "", qs[i].text);
				for (size_t k = 0; k < r.n; k++)
					if (r.p[k].hit)
						fprintf(stderr, " %lld:%d", (long long)r.p[k].session_id, (int)(r.p[k].start_ms / 1000));
				fprintf(stderr, "  want %lld:%d-%d\n", (long long)qs[i].session, qs[i].span[0][0], qs[i].span[0][1]);
			}
			sc->queries++;
			sc->hits += hits;
			sc->success += good > 0;
			sc->precision += hits ? (double)good / hits : 0;
			retrieval_release(&r);
		}
		free(qv);
		buf_release(&rest);
	}
	if (sc->queries)
		sc->precision /= sc->queries;
}

int main(void)
{
	char home[] = "/tmp/tacit-bench-XXXXXX";
	struct query qs[MAX_QUERIES];
	int n_q = 0;
	bench_use_built_worker();
	if (access("../shared/data/qmsum-sample/Bmr003.json", R_OK) != 0) {
		fprintf(stderr, "bench retrieval: needs ../shared's QMSum sample\n");
		return 0;
	}
	if (!mkdtemp(home))
		return 1;
	setenv("TACIT_HOME", home, 1);
	struct tacit_store *s = NULL;
	if (tacit_store_open(NULL, &s) != TACIT_OK)
		return 1;
	int lines = 0;
	for (size_t fi = 0; fi < sizeof(files) / sizeof(*files); fi++) {
		char path[256];
		snprintf(path, sizeof(path), "../shared/data/qmsum-sample/%s.json", files[fi]);
		yyjson_doc *doc = yyjson_read_file(path, 0, NULL, NULL);
		yyjson_val *root = yyjson_doc_get_root(doc), *t, *q;
		struct tacit_session_params sp = tacit_session_default_params();
		int64_t id = 0;
		size_t i, max;
		sp.title = files[fi];
		if (tacit_store_session_create(s, &sp, &id) != TACIT_OK)
			return 1;
		yyjson_arr_foreach(yyjson_obj_get(root, "meeting_transcripts"), i, max, t)
		{
			/* the turn's index as its time (1 s a turn), so a line maps back to its turn */
			struct tacit_segment g = { .start_ms = (int64_t)i * 1000, .end_ms = (int64_t)i * 1000 + 900,
						   .speaker = yyjson_get_str(yyjson_obj_get(t, "speaker")),
						   .text = yyjson_get_str(yyjson_obj_get(t, "content")), .confidence = -1 };
			if (!g.text || !*g.text)
				continue;
			if (tacit_store_add_segment(s, id, &g, NULL) != TACIT_OK)
				return 1;
			lines++;
		}
		yyjson_arr_foreach(yyjson_obj_get(root, "specific_query_list"), i, max, q)
		{
			yyjson_val *spans = yyjson_obj_get(q, "relevant_text_span"), *sv;
			size_t j, jmax;
			if (n_q == MAX_QUERIES)
				break;
			struct query *x = &qs[n_q];
			memset(x, 0, sizeof(*x));
			x->text = strdup(yyjson_get_str(yyjson_obj_get(q, "query")));
			x->session = id;
			yyjson_arr_foreach(spans, j, jmax, sv)
			{
				if (x->n_spans == 4)
					break;
				x->span[x->n_spans][0] = atoi(yyjson_get_str(yyjson_arr_get(sv, 0)));
				x->span[x->n_spans][1] = atoi(yyjson_get_str(yyjson_arr_get(sv, 1)));
				x->n_spans++;
			}
			n_q++;
		}
		yyjson_doc_free(doc);
	}
	struct score words, both;
	char note[768];
	run(s, qs, n_q, NULL, &words);
	snprintf(note, sizeof(note),
		 "%d QMSum specific queries over the 6 sample meetings in one store (%d lines): share whose 12 best lines "
		 "by words (BM25, after the question's speaker filter) include one in an annotated answering span of its "
		 "meeting",
		 words.queries, lines);
	bench_emit("retrieval_words_success_at_12", (double)words.success / (words.queries ? words.queries : 1), "share",
		   "none", 0, 1, note);
	snprintf(note, sizeof(note),
		 "mean share of the lines found by words (at most 12, %.1f a query, ~%.0f prompt tokens) that lie in an "
		 "answering span (%d queries)",
		 (double)words.hits / (words.queries ? words.queries : 1),
		 (double)words.tokens / (words.queries ? words.queries : 1), words.queries);
	bench_emit("retrieval_words_precision_at_12", words.precision, "share", "none", 0, 1, note);

	char embed[PATH_MAX];
	const char *em = getenv("TACIT_BENCH_EMBED_MODEL");
	bool real = em && *em;
	snprintf(embed, sizeof(embed), "%s", real ? em : "build/models/granite-embedding-30m-Q8_0.gguf");
	if (access(embed, R_OK) != 0 && !real &&
	    system("build/tools/synth-model --arch granite-embedding-30m --quant Q8_0 "
		   "--out build/models/granite-embedding-30m-Q8_0.gguf --quiet") != 0) {
		fprintf(stderr, "bench retrieval: no embedding model (build/tools/synth-model failed)\n");
	} else {
		struct tacit_index_params ip = tacit_index_default_params();
		struct retrieve_dense m = { embed, NULL, 0 };
		ip.embed_model = embed;
		ip.n_threads = bench_threads();
		if (tacit_index(s, &ip, NULL) == TACIT_OK) {
			const char *base = strrchr(embed, '/');
			run(s, qs, n_q, &m, &both);
			snprintf(note, sizeof(note),
				 "the same by words and meaning (reciprocal rank fusion) with %s%s; by words alone %.3f",
				 base ? base + 1 : embed,
				 real ? "" : " with random weights: its vectors mean nothing, this shows the pipeline runs, "
					     "not its quality",
				 (double)words.success / (words.queries ? words.queries : 1));
			bench_emit("retrieval_hybrid_success_at_12", (double)both.success / (both.queries ? both.queries : 1),
				   "share", "none", 0, 1, note);
			snprintf(note, sizeof(note), "the same by words and meaning%s; by words alone %.3f",
				 real ? "" : " (random weights: not a quality figure)", words.precision);
			bench_emit("retrieval_hybrid_precision_at_12", both.precision, "share", "none", 0, 1, note);
		} else {
			fprintf(stderr, "bench retrieval: indexing failed: %s\n", tacit_errmsg());
		}
	}
	for (int i = 0; i < n_q; i++)
		free(qs[i].text);
	tacit_store_close(s);
	bench_remove_home(home, "retrieval");
	return 0;
}
