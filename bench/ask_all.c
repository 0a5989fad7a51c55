/*
 * ask_all.c — `tacit ask --all` over an archive: $TACIT_BENCH_ASK_ALL_MEETINGS meetings
 * (default 200), each $TACIT_BENCH_ASK_ALL_TURNS (default 24) turns of the QMSum sample
 * (../shared/data/qmsum-sample, 4,847 turns: every meeting's turns in turn, a different
 * stretch for each; 200 x 60 turns repeat each line in ~2.5 meetings, 200 x 24 turns
 * repeat none, as an archive of distinct meetings would), imported into a temporary
 * store; then five questions, each with a new worker as a new `tacit ask --all` process
 * would have. Figures: the retrieval (the search index's passages and their excerpts,
 * as tacit_ask_all() logs it) and the time from the call to the answer's first token,
 * medians of the five, against the targets (100 ms, 3 s). The note says how many
 * prompt tokens the excerpts made, which is what the first token waits for.
 * Model: $TACIT_BENCH_MODEL, else build/models/llama-3.2-1b-Q4_K_M.gguf, in a 4096 context
 * ($TACIT_BENCH_CTX); threads: $TACIT_BENCH_THREADS, else the usable cores.
 * Then search by meaning: every line indexed with the embedding model
 * ($TACIT_BENCH_EMBED_MODEL: a real one such as the catalog's
 * granite-embedding-30m-english-Q8_0.gguf, else its shape with random weights, made by
 * tools/synth-model into build/models), its rate in lines per second, and the same five
 * questions by words and meaning: the question's embedding (a new worker each) plus the
 * fused retrieval, and the first token.
 */
#include "bench.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yyjson.h>

#define QUESTIONS 5

struct probe {
	double start, first;
	double retrieval_ms, embed_ms;
	int prompt_tokens;
};

static void on_token(const char *piece, size_t len, void *user)
{
	struct probe *p = user;
	(void)piece;
	(void)len;
	if (!p->first)
		p->first = bench_now();
}

/* tacit_ask_all()'s own line: "... N passages retrieved in X ms, P prompt tokens ..." */
static void on_log(enum tacit_log_level level, const char *line, void *user)
{
	struct probe *p = *(struct probe **)user; /* the question being asked */
	const char *at = strstr(line, " passages retrieved in ");
	(void)level;
	if (getenv("TACIT_BENCH_VERBOSE"))
		fprintf(stderr, "%s\n", line);
	const char *em = strstr(line, "the question embedded in ");
	if (em && p)
		p->embed_ms = atof(em + strlen("the question embedded in "));
	if (at && p) {
		p->retrieval_ms = atof(at + strlen(" passages retrieved in "));
		const char *pt = strstr(at, " ms, ");
		if (pt)
			p->prompt_tokens = atoi(pt + 5);
	}
}

/* Every turn of the sample meetings, in file order: "speaker\tcontent" lines. */
static size_t load_turns(char ***out)
{
	static const char *const files[] = { "Bmr003", "ES2002a", "ES2002b", "IS1000a", "TS3005d", "education_1" };
	size_t n = 0, cap = 0;
	char **v = NULL;
	for (size_t f = 0; f < sizeof(files) / sizeof(*files); f++) {
		char path[256];
		snprintf(path, sizeof(path), "../shared/data/qmsum-sample/%s.json", files[f]);
		yyjson_doc *doc = yyjson_read_file(path, 0, NULL, NULL);
		yyjson_val *turns = yyjson_obj_get(yyjson_doc_get_root(doc), "meeting_transcripts"), *t;
		size_t i, max;
		yyjson_arr_foreach(turns, i, max, t)
		{
			const char *c = yyjson_get_str(yyjson_obj_get(t, "content"));
			const char *s = yyjson_get_str(yyjson_obj_get(t, "speaker"));
			if (!c || !*c || !s)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 1024;
				v = realloc(v, cap * sizeof(*v));
			}
			size_t len = strlen(s) + strlen(c) + 2;
			v[n] = malloc(len);
			snprintf(v[n++], len, "%s\t%s", s, c);
		}
		yyjson_doc_free(doc);
	}
	*out = v;
	return n;
}

/* Meeting k: `per` turns from its own place in the sample, as a QMSum file at path:
 * stretches that do not overlap when the archive needs no more turns than the sample has,
 * else overlapping ones (each line then stored in several meetings). */
static bool write_meeting(char **turns, size_t n, int k, int meetings, size_t per, const char *path)
{
	yyjson_mut_doc *out = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(out);
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(out, root, "meeting_transcripts");
	yyjson_mut_doc_set_root(out, root);
	size_t from = (size_t)meetings * per <= n ? (size_t)k * per : n > per ? ((size_t)k * 97) % (n - per) : 0;
	for (size_t i = from; i < from + per && i < n; i++) {
		const char *tab = strchr(turns[i], '\t');
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(out, arr);
		yyjson_mut_obj_add_strncpy(out, o, "speaker", turns[i], (size_t)(tab - turns[i]));
		yyjson_mut_obj_add_str(out, o, "content", tab + 1);
	}
	bool ok = yyjson_mut_write_file(path, out, 0, NULL, NULL);
	yyjson_mut_doc_free(out);
	return ok;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static const char *const questions[QUESTIONS] = {
	"What did they decide about the remote control's buttons?",
	"Who will look into the transcription and the recognizer?",
	"What was said about the budget and the production cost?",
	"What did the students say about the school meals?",
	"When is the next meeting, and what is due for it?",
};

static struct probe *asking; /* the question being asked, for on_log */

/* The five questions' figures, each sorted. */
struct round {
	double retrieval[QUESTIONS], embed[QUESTIONS], total[QUESTIONS], first[QUESTIONS];
	int prompt_min, prompt_max, done;
};

/* Asks every question with a new worker each (embed: search by meaning too). */
static void ask_round(struct tacit_store *s, const struct tacit_llm_params *lp, const char *embed, struct round *r)
{
	r->prompt_min = 1 << 30;
	for (int q = 0; q < QUESTIONS; q++) {
		struct probe p = { 0 };
		struct tacit_llm *llm = NULL;
		struct tacit_ask_all_params ap = tacit_ask_all_default_params();
		char *json = NULL;
		ap.max_tokens = 32; /* the first token is what counts */
		ap.on_token = on_token;
		ap.user = &p;
		ap.embed_model = embed;
		ap.embed_threads = lp->n_threads;
		asking = &p;
		p.start = bench_now();
		enum tacit_status st = tacit_llm_open(lp, &llm);
		if (st == TACIT_OK)
			st = tacit_ask_all(s, llm, questions[q], &ap, &json);
		tacit_llm_close(llm);
		asking = NULL;
		tacit_free(json);
		if (st != TACIT_OK || !p.first) {
			fprintf(stderr, "bench ask_all: '%s': %s\n", questions[q], st != TACIT_OK ? tacit_errmsg() : "no token");
			continue;
		}
		if (getenv("TACIT_BENCH_VERBOSE"))
			fprintf(stderr, "question %d%s: first token %.0f ms, %d prompt tokens, embedded in %.0f ms\n", q + 1,
				embed ? " (words and meaning)" : "", (p.first - p.start) * 1e3, p.prompt_tokens, p.embed_ms);
		r->retrieval[r->done] = p.retrieval_ms;
		r->embed[r->done] = p.embed_ms;
		r->total[r->done] = p.embed_ms + p.retrieval_ms;
		r->first[r->done++] = (p.first - p.start) * 1e3;
		r->prompt_min = p.prompt_tokens < r->prompt_min ? p.prompt_tokens : r->prompt_min;
		r->prompt_max = p.prompt_tokens > r->prompt_max ? p.prompt_tokens : r->prompt_max;
	}
	qsort(r->retrieval, (size_t)r->done, sizeof(double), cmp_double);
	qsort(r->embed, (size_t)r->done, sizeof(double), cmp_double);
	qsort(r->total, (size_t)r->done, sizeof(double), cmp_double);
	qsort(r->first, (size_t)r->done, sizeof(double), cmp_double);
}

int main(void)
{
	char home[] = "/tmp/tacit-bench-XXXXXX", file[PATH_MAX];
	bench_use_built_worker();
	const char *model = getenv("TACIT_BENCH_MODEL") ? getenv("TACIT_BENCH_MODEL")
							: "build/models/llama-3.2-1b-Q4_K_M.gguf";
	int meetings = getenv("TACIT_BENCH_ASK_ALL_MEETINGS") ? atoi(getenv("TACIT_BENCH_ASK_ALL_MEETINGS")) : 200;
	int ctx = getenv("TACIT_BENCH_CTX") ? atoi(getenv("TACIT_BENCH_CTX")) : 4096;
	int per = getenv("TACIT_BENCH_ASK_ALL_TURNS") ? atoi(getenv("TACIT_BENCH_ASK_ALL_TURNS")) : 24;
	if (per < 1)
		per = 24;
	if (access(model, R_OK) != 0 || access("../shared/data/qmsum-sample/Bmr003.json", R_OK) != 0) {
		fprintf(stderr, "bench ask_all: needs %s and ../shared's QMSum sample (bench/models.sh makes the model)\n",
			model);
		return 0;
	}
	if (!mkdtemp(home))
		return 1;
	setenv("TACIT_HOME", home, 1);
	char **turns = NULL;
	size_t n_turns = load_turns(&turns);
	struct tacit_store *s = NULL;
	if (n_turns < (size_t)per || tacit_store_open(NULL, &s) != TACIT_OK) {
		fprintf(stderr, "bench ask_all: no turns or no store: %s\n", tacit_errmsg());
		return 1;
	}
	double t0 = bench_now();
	for (int k = 0; k < meetings; k++) {
		int64_t id = 0;
		snprintf(file, sizeof(file), "%s/meeting-%03d.json", home, k);
		if (!write_meeting(turns, n_turns, k, meetings, (size_t)per, file) ||
		    tacit_store_import(s, file, NULL, &id) != TACIT_OK) {
			fprintf(stderr, "bench ask_all: cannot import meeting %d: %s\n", k, tacit_errmsg());
			return 1;
		}
		unlink(file);
	}
	double import_s = bench_now() - t0;

	struct tacit_llm_params lp = tacit_llm_default_params();
	lp.model_path = model;
	lp.n_threads = bench_threads();
	lp.n_ctx = ctx;
	struct round words = { 0 }, meaning = { 0 };
	tacit_log_set(on_log, &asking, TACIT_LOG_INFO); /* once, before the workers' threads */
	ask_round(s, &lp, NULL, &words);
	int rc = words.done ? 0 : 1;
	if (words.done) {
		char note[768];
		const char *base = strrchr(model, '/');
		snprintf(note, sizeof(note),
			 "median of %d questions over %d meetings of %d QMSum turns, each line in %.1f meetings on average "
			 "(imported in %.0f s); the search index's passages and their excerpts read from the store; target "
			 "100 ms",
			 words.done, meetings, per, (double)meetings * per / (double)n_turns < 1 ? 1.0 : (double)meetings * per / (double)n_turns,
			 import_s);
		bench_emit("ask_all_retrieval_ms", words.retrieval[words.done / 2], "ms", "target", 100, 0, note);
		snprintf(note, sizeof(note),
			 "median of %d questions, from the call to the first answer token, a new worker each (the model "
			 "loaded, %d-%d prompt tokens of excerpts read), %s, %d threads, context %d; slowest %.0f ms; target 3 s",
			 words.done, words.prompt_min, words.prompt_max, base ? base + 1 : model, lp.n_threads, ctx,
			 words.first[words.done - 1]);
		bench_emit("ask_all_first_token_ms", words.first[words.done / 2], "ms", "target", 3000, 0, note);
	}

	/* search by meaning: index every line, then the same questions */
	char embed[PATH_MAX];
	const char *em = getenv("TACIT_BENCH_EMBED_MODEL");
	snprintf(embed, sizeof(embed), "%s", em && *em ? em : "build/models/granite-embedding-30m-Q8_0.gguf");
	if (access(embed, R_OK) != 0 && !(em && *em) &&
	    system("build/tools/synth-model --arch granite-embedding-30m --quant Q8_0 "
		   "--out build/models/granite-embedding-30m-Q8_0.gguf --quiet") != 0) {
		fprintf(stderr, "bench ask_all: no embedding model (build/tools/synth-model failed)\n");
		goto out;
	}
	struct tacit_index_params ip = tacit_index_default_params();
	int64_t n_indexed = 0;
	ip.embed_model = embed;
	ip.n_threads = bench_threads();
	t0 = bench_now();
	if (tacit_index(s, &ip, &n_indexed) != TACIT_OK) {
		fprintf(stderr, "bench ask_all: indexing failed: %s\n", tacit_errmsg());
		rc = 1;
		goto out;
	}
	double index_s = bench_now() - t0;
	const char *ebase = strrchr(embed, '/');
	char note[768];
	snprintf(note, sizeof(note),
		 "every line of %d meetings (%lld lines) given a vector by %s (%s), %d threads, one worker, %.1f s in all",
		 meetings, (long long)n_indexed, ebase ? ebase + 1 : embed, em && *em ? "as given" : "random weights, real shape",
		 ip.n_threads, index_s);
	bench_emit("ask_all_index_lines_per_s", (double)n_indexed / index_s, "lines/s", "none", 0, 0, note);
	ask_round(s, &lp, embed, &meaning);
	if (meaning.done) {
		snprintf(note, sizeof(note),
			 "median of %d questions by words and meaning: the question embedded (a new worker, the model "
			 "loaded: median %.0f ms) plus the fused ranking over %lld vectors and the excerpts read "
			 "(median %.1f ms); target 100 ms",
			 meaning.done, meaning.embed[meaning.done / 2], (long long)n_indexed,
			 meaning.retrieval[meaning.done / 2]);
		bench_emit("ask_all_hybrid_retrieval_ms", meaning.total[meaning.done / 2], "ms", "target", 100, 0, note);
		snprintf(note, sizeof(note),
			 "median of %d questions by words and meaning, from the call to the first answer token (%d-%d "
			 "prompt tokens); by words alone %.0f ms; target 3 s",
			 meaning.done, meaning.prompt_min, meaning.prompt_max,
			 words.done ? words.first[words.done / 2] : 0.0);
		bench_emit("ask_all_hybrid_first_token_ms", meaning.first[meaning.done / 2], "ms", "target", 3000, 0, note);
	} else {
		rc = 1;
	}
out:
	tacit_store_close(s);
	for (size_t i = 0; i < n_turns; i++)
		free(turns[i]);
	free(turns);
	bench_remove_home(home, "ask_all");
	return rc;
}
