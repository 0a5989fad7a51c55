/*
 * model-measure.c — loads one GGUF through libllama the way tacit runs models on a CPU
 * (default model params, mmap, n_ctx 4096) and measures what the fit scorer estimates:
 * peak resident memory (getrusage ru_maxrss, which counts the mapped weights the
 * process touched), load time, prefill and decode tokens/s. Prints one JSON object.
 *
 * The prompt is random token ids (no tokenizer: synthetic vocabularies have no text),
 * one warm-up token is decoded and forgotten first, as llama-bench does. Rates are the
 * best of --reps runs (default 3), with the median beside it: on a shared machine the
 * best run is the one least disturbed by other work.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <gguf.h>
#include <llama.h>

#define EXIT_USAGE 2

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long long peak_rss(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (long long)ru.ru_maxrss * 1024;
}

/* A "Key:   N kB" line of /proc/self/status, in bytes; -1 when absent. */
static long long status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long long v = -1;
	size_t n = strlen(key);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, 10) * 1024;
			break;
		}
	fclose(f);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void log_quiet(enum ggml_log_level level, const char *text, void *user)
{
	if (user || level == GGML_LOG_LEVEL_ERROR)
		fputs(text, stderr);
}

struct weights {
	long long total, token_embd, output;
};

/* Sizes of the weights from the GGUF header: what a decoded token reads is every tensor
 * but token_embd (one row is gathered), unless token_embd doubles as the output. */
static bool weight_bytes(const char *path, struct weights *w)
{
	struct gguf_init_params gp = { true, NULL };
	struct gguf_context *g = gguf_init_from_file(path, gp);
	if (!g)
		return false;
	memset(w, 0, sizeof(*w));
	for (int64_t i = 0; i < gguf_get_n_tensors(g); i++) {
		long long sz = (long long)gguf_get_tensor_size(g, i);
		const char *name = gguf_get_tensor_name(g, i);
		w->total += sz;
		if (!strcmp(name, "token_embd.weight"))
			w->token_embd = sz;
		else if (!strcmp(name, "output.weight"))
			w->output = sz;
	}
	gguf_free(g);
	return true;
}

static long meta_int(const struct llama_model *m, const char *arch, const char *key)
{
	char k[128], v[64];
	snprintf(k, sizeof(k), "%s.%s", arch, key);
	if (llama_model_meta_val_str(m, k, v, sizeof(v)) < 0)
		return 0;
	return strtol(v, NULL, 10);
}

static bool parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "model-measure: %s '%s'\nusage: model-measure --model FILE [--ctx N] [--threads N] "
			"[--prompt N] [--gen N] [--reps N] [--verbose]\n",
		what, arg);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	long n_ctx = 4096, n_threads = 2, n_prompt = 128, n_gen = 64, n_reps = 3;
	bool verbose = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		long *dst = !strcmp(a, "--ctx")       ? &n_ctx
			    : !strcmp(a, "--threads") ? &n_threads
			    : !strcmp(a, "--prompt")  ? &n_prompt
			    : !strcmp(a, "--gen")     ? &n_gen
			    : !strcmp(a, "--reps")    ? &n_reps
						      : NULL;
		if (!strcmp(a, "--verbose"))
			verbose = true;
		else if (!strcmp(a, "--model") && i + 1 < argc)
			path = argv[++i];
		else if (dst && i + 1 < argc) {
			if (!parse_int(argv[++i], 1, 1 << 20, dst))
				return usage_error("bad value", argv[i]);
		} else
			return usage_error("unknown or incomplete option", a);
	}
	if (!path)
		return usage_error("missing", "--model");
	if (n_reps > 32)
		return usage_error("at most 32", "--reps");
	if (n_prompt + n_gen + 1 > n_ctx)
		return usage_error("prompt + gen exceed", "--ctx");

	struct weights w;
	struct stat st;
	if (stat(path, &st) != 0 || !weight_bytes(path, &w)) {
		fprintf(stderr, "model-measure: cannot read GGUF '%s'\n", path);
		return 1;
	}

	llama_log_set(log_quiet, verbose ? (void *)1 : NULL);
	llama_backend_init();
	long long rss_base = status_kb("VmRSS");

	int rc = 1;
	struct llama_model *model = NULL;
	struct llama_context *ctx = NULL;
	llama_token *tok = NULL;
	struct llama_model_params mp = llama_model_default_params();
	double t0 = now();
	model = llama_model_load_from_file(path, mp);
	double t_load = now() - t0;
	if (!model) {
		fprintf(stderr, "model-measure: cannot load model '%s' (run with --verbose)\n", path);
		goto out;
	}
	long long rss_load = status_kb("VmRSS");

	struct llama_context_params cp = llama_context_default_params();
	cp.n_ctx = (uint32_t)n_ctx;
	cp.n_batch = (uint32_t)(n_prompt > 512 ? n_prompt : 512);
	cp.n_threads = (int32_t)n_threads;
	cp.n_threads_batch = (int32_t)n_threads;
	t0 = now();
	ctx = llama_init_from_model(model, cp);
	double t_ctx = now() - t0;
	if (!ctx) {
		fprintf(stderr, "model-measure: cannot create a context of %ld tokens for '%s'\n", n_ctx, path);
		goto out;
	}
	long long rss_ctx = status_kb("VmRSS");

	const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
	tok = malloc((size_t)(n_prompt + n_gen + 1) * sizeof(*tok));
	if (!tok)
		goto out;
	uint64_t s = 88172645463325252ull;
	for (long i = 0; i < n_prompt + n_gen + 1; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		tok[i] = (llama_token)(n_vocab > 512 ? 259 + (int)(s % (uint64_t)(n_vocab - 259)) : (int)(s % (uint64_t)n_vocab));
	}

	/* warm-up: one token, then forget it */
	if (llama_decode(ctx, llama_batch_get_one(tok, 1)) != 0)
		goto decode_failed;
	llama_memory_clear(llama_get_memory(ctx), true);

	double pp[32], tg[32];
	for (long r = 0; r < n_reps; r++) {
		llama_memory_clear(llama_get_memory(ctx), true);
		t0 = now();
		if (llama_decode(ctx, llama_batch_get_one(tok, (int32_t)n_prompt)) != 0)
			goto decode_failed;
		(void)llama_get_logits_ith(ctx, -1);
		pp[r] = (double)n_prompt / (now() - t0);

		t0 = now();
		for (long i = 0; i < n_gen; i++) {
			if (llama_decode(ctx, llama_batch_get_one(tok + n_prompt + i, 1)) != 0)
				goto decode_failed;
			(void)llama_get_logits_ith(ctx, -1);
		}
		tg[r] = (double)n_gen / (now() - t0);
	}
	qsort(pp, (size_t)n_reps, sizeof(double), cmp_double);
	qsort(tg, (size_t)n_reps, sizeof(double), cmp_double);

	char arch[64] = "";
	llama_model_meta_val_str(model, "general.architecture", arch, sizeof(arch));
	long head_dim = meta_int(model, arch, "attention.key_length");
	if (!head_dim)
		head_dim = llama_model_n_embd(model) / llama_model_n_head(model);
	long long bytes_per_token = w.total - (w.output ? w.token_embd : 0);
	printf("{\"file\":\"%s\",\"arch\":\"%s\",\"file_bytes\":%lld,\"weights_bytes\":%lld,"
	       "\"token_embd_bytes\":%lld,\"output_bytes\":%lld,\"bytes_per_token\":%lld,"
	       "\"n_params\":%" PRIu64 ",\"model_size\":%" PRIu64 ",\"n_layers\":%d,\"n_embd\":%d,\"n_head\":%d,"
	       "\"n_head_kv\":%d,\"head_dim\":%ld,\"n_vocab\":%d,\"n_ctx\":%ld,\"n_threads\":%ld,"
	       "\"n_prompt\":%ld,\"n_gen\":%ld,\"rss_base_bytes\":%lld,\"rss_after_load_bytes\":%lld,"
	       "\"rss_after_ctx_bytes\":%lld,\"peak_rss_bytes\":%lld,\"rss_anon_bytes\":%lld,"
	       "\"rss_file_bytes\":%lld,\"load_s\":%.3f,\"ctx_s\":%.3f,\"reps\":%ld,\"prefill_tps\":%.2f,"
	       "\"prefill_tps_median\":%.2f,\"decode_tps\":%.2f,\"decode_tps_median\":%.2f}\n",
	       path, arch, (long long)st.st_size, w.total, w.token_embd, w.output, bytes_per_token,
	       llama_model_n_params(model), llama_model_size(model), llama_model_n_layer(model),
	       llama_model_n_embd(model), llama_model_n_head(model), llama_model_n_head_kv(model), head_dim,
	       n_vocab, n_ctx, n_threads, n_prompt, n_gen, rss_base, rss_load, rss_ctx, peak_rss(),
	       status_kb("RssAnon"), status_kb("RssFile"), t_load, t_ctx, n_reps, pp[n_reps - 1],
	       pp[n_reps / 2], tg[n_reps - 1], tg[n_reps / 2]);
	rc = 0;
	goto out;
decode_failed:
	fprintf(stderr, "model-measure: llama_decode failed on '%s'\n", path);
out:
	free(tok);
	if (ctx)
		llama_free(ctx);
	if (model)
		llama_model_free(model);
	llama_backend_free();
	return rc;
}
