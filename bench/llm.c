/*
 * llm.c — the LLM engine against llama-bench on the same model and threads: prefill
 * tokens/s (128-token prompt) and decode tokens/s (64 tokens), both through the worker
 * (so IPC and sampling are included), and cancel latency: from the cancel flag set to the
 * call returning with the worker idle, p50/p99 over 50 cancels during generation.
 * Like with like: our 64 tokens follow the 128-token prompt, so the decode reference is
 * llama-bench's tg64 at depth 128 (-d 128: the same attention span); tg64 from an empty
 * cache is printed too. llama-bench's tg decodes random tokens and samples nothing; ours
 * samples each token (the sampler named in the note) and streams it to the caller, and
 * its first token comes from the prompt's pass (64 tokens, 63 forward passes). The
 * per-token breakdown (forward pass, sampling, emitting, rest) is measured in the worker.
 * Model: $TACIT_BENCH_MODEL, else the largest GGUF in build/models up to 2 GB, else
 * ../shared/models/stories260K.gguf. Threads: $TACIT_BENCH_THREADS, else the usable cores
 * (the probe's n_cores_usable).
 */
#include "bench.h"

#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yyjson.h>

static char model[PATH_MAX];

static void pick_model(void)
{
	const char *env = getenv("TACIT_BENCH_MODEL");
	long long best = -1;
	if (env && *env) {
		snprintf(model, sizeof(model), "%s", env);
		return;
	}
	DIR *d = opendir("build/models");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[PATH_MAX];
		struct stat st;
		if (n < 5 || strcmp(e->d_name + n - 5, ".gguf"))
			continue;
		snprintf(path, sizeof(path), "build/models/%s", e->d_name);
		if (stat(path, &st) == 0 && st.st_size <= (2ll << 30) && st.st_size > best) {
			best = st.st_size;
			snprintf(model, sizeof(model), "%s", path);
		}
	}
	if (d)
		closedir(d);
	if (best < 0)
		snprintf(model, sizeof(model), "../shared/models/stories260K.gguf");
}

/* llama-bench's best tokens/s of its 5 runs (samples_ts; avg_ts if absent) for pp128
 * (n_gen 0, depth 0), tg64 from an empty cache (depth 0) and tg64 after 128 tokens
 * (depth 128): best against best, like ours. */
struct reference {
	double pp, tg, tg_d128;
};

static void reference(int threads, struct reference *ref)
{
	char cmd[PATH_MAX + 128];
	snprintf(cmd, sizeof(cmd), "llama-bench -m '%s' -t %d -p 128 -n 64 -d 0,128 -r 5 -o json 2>/dev/null", model,
		 threads);
	FILE *f = popen(cmd, "r");
	char *text = NULL;
	size_t len = 0;
	memset(ref, 0, sizeof(*ref));
	if (!f)
		return;
	FILE *mem = open_memstream(&text, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(mem);
	pclose(f);
	yyjson_doc *doc = yyjson_read(text, len, 0);
	yyjson_val *row;
	size_t i, max;
	yyjson_arr_foreach(yyjson_doc_get_root(doc), i, max, row)
	{
		double ts = yyjson_get_num(yyjson_obj_get(row, "avg_ts"));
		yyjson_val *s;
		size_t j, n_s;
		yyjson_arr_foreach(yyjson_obj_get(row, "samples_ts"), j, n_s, s)
		{
			if (yyjson_get_num(s) > ts)
				ts = yyjson_get_num(s);
		}
		long long depth = yyjson_get_sint(yyjson_obj_get(row, "n_depth"));
		if (yyjson_get_sint(yyjson_obj_get(row, "n_gen")) == 0) {
			if (depth == 0)
				ref->pp = ts;
		} else if (depth == 0) {
			ref->tg = ts;
		} else {
			ref->tg_d128 = ts;
		}
	}
	yyjson_doc_free(doc);
	free(text);
}

struct cancel_state {
	volatile int flag;
	double set_at;
};

static void cancel_on_first(const char *piece, size_t len, void *user)
{
	struct cancel_state *c = user;
	(void)piece;
	(void)len;
	if (!c->flag) {
		c->set_at = bench_now();
		__atomic_store_n((int *)&c->flag, 1, __ATOMIC_RELAXED);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(void)
{
	bench_use_built_worker();
	pick_model();
	if (access(model, R_OK) != 0) {
		fprintf(stderr, "bench llm: no model (set TACIT_BENCH_MODEL)\n");
		return 0;
	}
	int threads = bench_threads();

	struct tacit_llm_params p = tacit_llm_default_params();
	struct tacit_llm *llm = NULL;
	p.model_path = model;
	p.n_ctx = 512;
	p.n_threads = threads;
	if (tacit_llm_open(&p, &llm) != TACIT_OK) {
		fprintf(stderr, "bench llm: %s\n", tacit_errmsg());
		return 1;
	}

	/* a prompt of exactly 128 tokens, made distinct per run so nothing is reused */
	char prompt[8192];
	double best_pp = 0, best_tg = 0;
	struct tacit_llm_stats best = { 0 };
	for (int run = 0; run < 6; run++) {
		int words = 64, got = 0;
		for (int tries = 0; tries < 40; tries++) {
			int len = snprintf(prompt, sizeof(prompt), "%d", run * 7919);
			for (int w = 0; w < words; w++)
				len += snprintf(prompt + len, sizeof(prompt) - (size_t)len, " the dog %d", w % 10);
			tacit_llm_count_tokens(llm, prompt, &got);
			if (got == 127) /* + BOS = 128 */
				break;
			words += got < 127 ? 1 : -1;
			if (got > 127 && words < 1)
				break;
		}
		struct tacit_llm_request r = tacit_llm_default_request();
		struct tacit_llm_stats s;
		r.prompt = prompt;
		r.max_tokens = 64;
		if (tacit_llm_generate(llm, &r, NULL, NULL, NULL, NULL, &s) != TACIT_OK)
			continue;
		if (run == 0)
			continue; /* warm-up */
		if (s.prefill_tps > best_pp)
			best_pp = s.prefill_tps;
		/* per forward pass, like llama-bench's tg: the first token comes from the
		 * prompt's pass, so n_generated / decode_ms would count one token for free */
		double tg = s.n_eval > 0 && s.decode_ms > 0 ? s.n_eval / (s.decode_ms / 1e3) : s.decode_tps;
		if (s.n_generated >= 16 && tg > best_tg) {
			best_tg = tg;
			best = s;
		}
	}
	struct reference ref;
	reference(threads, &ref);
	char note[PATH_MAX + 512];
	const char *base = strrchr(model, '/');
	base = base ? base + 1 : model;
	snprintf(note, sizeof(note), "%s, %d threads, best of 5 vs llama-bench best of 5", base, threads);
	bench_emit("llm_prefill_tps", best_pp, "tok/s", "llama-bench pp128", ref.pp, 1, note);

	int n_gen = best.n_generated > 0 ? best.n_generated : 1, n_eval = best.n_eval > 0 ? best.n_eval : 1;
	double rest = best.decode_ms - best.eval_ms - best.sample_ms - best.emit_ms;
	snprintf(note, sizeof(note),
		 "%s, %d threads, best of 5 vs llama-bench best of 5; ours: %d tokens after a 128-token prompt, "
		 "sampler %s, %d forward passes (the first token comes from the prompt's; tok/s = passes / decode "
		 "time), each token streamed to the caller; llama-bench: tg64 at depth 128, random tokens, no sampling; per token (ms): "
		 "forward pass %.3f, sampling %.3f, emit %.3f, rest %.3f",
		 base, threads, best.n_generated, best.sampler[0] ? best.sampler : "?", best.n_eval,
		 best.eval_ms / n_eval, best.sample_ms / n_gen, best.emit_ms / n_gen, rest / n_gen);
	bench_emit("llm_decode_tps", best_tg, "tok/s", "llama-bench tg64 @ depth 128", ref.tg_d128, 1, note);
	snprintf(note, sizeof(note),
		 "%s, %d threads; the same run against llama-bench's tg64 from an empty cache (attention over "
		 "128 fewer tokens than ours)",
		 base, threads);
	bench_emit("llm_decode_tps_vs_depth0", best_tg, "tok/s", "llama-bench tg64", ref.tg, 1, note);
	snprintf(note, sizeof(note),
		 "%s, %d threads; our forward pass alone (llama_decode of one token in the worker, sampler %s "
		 "excluded) vs llama-bench tg64 at depth 128 per token",
		 base, threads, best.sampler[0] ? best.sampler : "?");
	bench_emit("llm_decode_pass_ms", best.eval_ms / n_eval, "ms", "llama-bench tg64 @ depth 128 ms/token",
		   ref.tg_d128 > 0 ? 1e3 / ref.tg_d128 : 0, 0, note);

	enum { N_CANCEL = 50 };
	double lat[N_CANCEL];
	int n_lat = 0;
	for (int i = 0; i < N_CANCEL; i++) {
		struct cancel_state c = { 0, 0 };
		struct tacit_llm_request r = tacit_llm_default_request();
		r.prompt = "Once upon a time";
		r.temperature = 0.8f;
		r.seed = (uint32_t)i;
		enum tacit_status st = tacit_llm_generate(llm, &r, cancel_on_first, &c, &c.flag, NULL, NULL);
		if (st == TACIT_ERR_CANCELLED && c.set_at > 0)
			lat[n_lat++] = (bench_now() - c.set_at) * 1e3;
	}
	qsort(lat, (size_t)n_lat, sizeof(double), cmp_double);
	if (n_lat) {
		snprintf(note, sizeof(note), "%d cancels during generation; flag set -> worker idle", n_lat);
		bench_emit("llm_cancel_p50_ms", lat[n_lat / 2], "ms", "target p99", 100, 0, note);
		bench_emit("llm_cancel_p99_ms", lat[(n_lat * 99) / 100 < n_lat ? (n_lat * 99) / 100 : n_lat - 1], "ms",
			   "target p99", 100, 0, note);
	}
	tacit_llm_close(llm);
	return 0;
}
