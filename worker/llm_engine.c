/*
 * llm_engine.c — the llama.cpp adapter, run only inside tacit-worker. Invariants: `cached`
 * mirrors the tokens in the context's sequence 0, so a request sharing a prefix with the
 * last one decodes only the rest; after an abort or a decode error the sequence is cut
 * back (llama_memory_seq_rm) to what `cached` says, so the next request starts from a
 * correct cache. The stop flag is read by llama's abort callback and between decode calls.
 * A saved prefix state (llama_state_seq_save_file) is only ever loaded when its tokens are
 * exactly the prompt's prefix tokens: anything else is stale and is decoded afresh.
 */
#include "internal.h"

#include "basics.h"
#include "chat.h"
#include "deplog.h"
#include "llm_engine.h"

#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <llama.h>

struct llm_engine {
	struct llama_model *model;
	struct llama_context *ctx;
	const struct llama_vocab *vocab;
	const atomic_bool *stop;
	char *path;
	int n_ctx, n_batch;
	int n_threads; /* of the load; a request may use others for itself */
	llama_token *cached;
	int n_cached;
	llama_token_data *cand; /* the whole vocabulary, when a grammar rejects a pick */
	int n_cand;
	/* The first byte of each token's text (as the grammar reads it), and for each ASCII
	 * byte one token that is just that character, or -1 (byte_index()). */
	unsigned char *first_byte;
	bool *always; /* tokens the grammar index never leaves out (end of generation, empty) */
	llama_token one_char[128];
	struct tacit_llm_info info;
	const char *tmpl; /* owned by the model; NULL without one */
	enum chat_format format;
};

static bool abort_cb(void *data)
{
	const atomic_bool *stop = data;
	return stop && atomic_load_explicit(stop, memory_order_relaxed);
}

static bool stopped(const struct llm_engine *llm)
{
	return abort_cb((void *)llm->stop);
}

static bool load_progress(float progress, void *user)
{
	const struct llm_engine_params *p = user;
	if (p->stop && atomic_load(p->stop))
		return false;
	return p->progress ? p->progress(progress, p->user) : true;
}

enum tacit_status llm_engine_load(const struct llm_engine_params *p, struct llm_engine **out)
{
	enum tacit_status st = TACIT_OK;
	struct llm_engine *llm = NULL;

	*out = NULL;
	if (!p->model_path || !*p->model_path)
		return tacit_fail(TACIT_ERR_USAGE, "no model given (pass a GGUF path)");
	if (access(p->model_path, R_OK) != 0)
		return tacit_fail_errno(TACIT_ERR_NOT_FOUND, "cannot read model '%s'", p->model_path);
	deplog_init();
	llama_backend_init();

	llm = calloc(1, sizeof(*llm));
	if (!llm || !(llm->path = strdup(p->model_path))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory loading '%s'", p->model_path);
		goto out;
	}
	llm->stop = p->stop;

	struct llama_model_params mp = llama_model_default_params();
	mp.n_gpu_layers = p->n_gpu_layers;
	mp.progress_callback = load_progress;
	mp.progress_callback_user_data = (void *)p;
	llm->model = llama_model_load_from_file(p->model_path, mp);
	if (!llm->model) {
		if (p->stop && atomic_load(p->stop))
			st = tacit_fail(TACIT_ERR_CANCELLED, "loading '%s' was cancelled", p->model_path);
		else
			st = tacit_fail(TACIT_ERR_MODEL,
					"cannot load model '%s': llama.cpp rejected it (not a GGUF it supports, or "
					"truncated; 'tacit --verbose' shows why)",
					p->model_path);
		goto out;
	}
	llm->vocab = llama_model_get_vocab(llm->model);

	int n_train = llama_model_n_ctx_train(llm->model);
	struct llama_context_params cp = llama_context_default_params();
	int cap = p->n_ctx_cap > 0 ? p->n_ctx_cap : 8192;
	cp.n_ctx = (uint32_t)(p->n_ctx > 0 ? p->n_ctx : (n_train > 0 && n_train < cap ? n_train : cap));
	cp.n_batch = (uint32_t)(p->n_batch > 0 ? p->n_batch : 512);
	if (cp.n_batch > cp.n_ctx)
		cp.n_batch = cp.n_ctx;
	cp.n_ubatch = cp.n_batch;
	int threads = p->n_threads > 0 ? p->n_threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	cp.n_threads = threads;
	cp.n_threads_batch = threads;
	llm->n_threads = threads;
	cp.abort_callback = abort_cb;
	cp.abort_callback_data = (void *)p->stop;
	cp.no_perf = true;
	llm->ctx = llama_init_from_model(llm->model, cp);
	if (!llm->ctx) {
		st = tacit_fail(TACIT_ERR_NO_FIT,
				"cannot allocate a %u-token context for '%s' (not enough memory: try a smaller "
				"context or fewer GPU layers)",
				cp.n_ctx, p->model_path);
		goto out;
	}
	llm->n_ctx = (int)llama_n_ctx(llm->ctx);
	llm->n_batch = (int)llama_n_batch(llm->ctx);
	llm->cached = calloc((size_t)llm->n_ctx, sizeof(*llm->cached));
	if (!llm->cached) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory for a %d-token context", llm->n_ctx);
		goto out;
	}

	llm->info.n_ctx = llm->n_ctx;
	llm->info.n_ctx_train = n_train;
	llm->info.n_vocab = llama_vocab_n_tokens(llm->vocab);
	if (llama_model_meta_val_str(llm->model, "general.architecture", llm->info.arch, sizeof(llm->info.arch)) < 0)
		llm->info.arch[0] = '\0';
	llm->tmpl = llama_model_chat_template(llm->model, NULL);
	if (llm->tmpl && *llm->tmpl) {
		struct tacit_chat_message probe = { "user", "x" };
		struct llama_chat_message m = { probe.role, probe.content };
		char tmp[256];
		llm->format = llama_chat_apply_template(llm->tmpl, &m, 1, true, tmp, sizeof(tmp)) >= 0
				      ? CHAT_MODEL
				      : chat_fallback(llm->tmpl, llm->info.arch);
	} else {
		llm->tmpl = NULL;
		llm->format = chat_fallback(NULL, llm->info.arch);
	}
	snprintf(llm->info.chat_format, sizeof(llm->info.chat_format), "%s", chat_format_name(llm->format));
	*out = llm;
	llm = NULL;
out:
	llm_engine_free(llm);
	return st;
}

void llm_engine_free(struct llm_engine *llm)
{
	if (!llm)
		return;
	if (llm->ctx)
		llama_free(llm->ctx);
	if (llm->model)
		llama_model_free(llm->model);
	free(llm->cached);
	free(llm->cand);
	free(llm->first_byte);
	free(llm->always);
	free(llm->path);
	free(llm);
}

void llm_engine_describe(const struct llm_engine *llm, struct tacit_llm_info *info)
{
	*info = llm->info;
}

enum tacit_status llm_engine_format(struct llm_engine *llm, const struct tacit_chat_message *msgs, size_t n,
				     struct buf *out)
{
	if (llm->format != CHAT_MODEL) {
		if (!chat_render(llm->format, msgs, n, out))
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory formatting the prompt");
		return TACIT_OK;
	}
	struct llama_chat_message *lm = calloc(n ? n : 1, sizeof(*lm));
	size_t total = 64;
	if (!lm)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory formatting the prompt");
	for (size_t i = 0; i < n; i++) {
		lm[i].role = msgs[i].role ? msgs[i].role : "user";
		lm[i].content = msgs[i].content ? msgs[i].content : "";
		total += strlen(lm[i].content) + 64;
	}
	enum tacit_status st = TACIT_OK;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (total > INT32_MAX || !buf_grow(out, total)) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory formatting the prompt");
			break;
		}
		int32_t r = llama_chat_apply_template(llm->tmpl, lm, n, true, out->data + out->len, (int32_t)total);
		if (r < 0) {
			st = tacit_fail(TACIT_ERR_LLM, "cannot apply the chat template of '%s'", llm->path);
			break;
		}
		if ((size_t)r < total) {
			out->len += (size_t)r;
			out->data[out->len] = '\0';
			break;
		}
		total = (size_t)r + 1;
	}
	free(lm);
	return st;
}

static int tokenize(struct llm_engine *llm, const char *text, bool add_special, bool parse_special, llama_token **out)
{
	size_t len = strlen(text);
	if (len > INT32_MAX / 2) {
		tacit_fail(TACIT_ERR_USAGE, "text too long to tokenize (%zu bytes)", len);
		return -1;
	}
	int32_t cap = (int32_t)len + 8;
	llama_token *t = malloc((size_t)cap * sizeof(*t));
	if (!t) {
		tacit_fail(TACIT_ERR_NOMEM, "out of memory tokenizing %zu bytes", len);
		return -1;
	}
	int32_t n = llama_tokenize(llm->vocab, text, (int32_t)len, t, cap, add_special, parse_special);
	if (n < 0 && n != INT32_MIN) {
		cap = -n;
		llama_token *t2 = realloc(t, (size_t)cap * sizeof(*t));
		if (!t2) {
			free(t);
			tacit_fail(TACIT_ERR_NOMEM, "out of memory tokenizing %zu bytes", len);
			return -1;
		}
		t = t2;
		n = llama_tokenize(llm->vocab, text, (int32_t)len, t, cap, add_special, parse_special);
	}
	if (n < 0) {
		free(t);
		tacit_fail(TACIT_ERR_LLM, "cannot tokenize the prompt");
		return -1;
	}
	*out = t;
	return n;
}

int llm_engine_count_tokens(struct llm_engine *llm, const char *text)
{
	llama_token *t = NULL;
	int n = tokenize(llm, text, false, false, &t);
	free(t);
	return n;
}

size_t utf8_complete_prefix(const char *s, size_t n)
{
	/* look back at most 3 bytes for the start of a sequence that runs past the end */
	for (size_t back = 1; back <= 4 && back <= n; back++) {
		unsigned char c = (unsigned char)s[n - back];
		if ((c & 0xC0) == 0x80)
			continue; /* continuation byte */
		size_t need = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
		return need > back ? n - back : n;
	}
	return n;
}

/* Cuts the sequence back to the first keep tokens (the ones `cached` vouches for). With
 * nothing worth keeping (at most the BOS token) the cache is cleared instead: that also
 * moves llama.cpp's next free cell back to the start, so the new prompt lands at cell 0
 * and attention spans only the cells in use rather than the old prompt's as well. */
static void rollback(struct llm_engine *llm, int keep)
{
	llama_memory_t mem = llama_get_memory(llm->ctx);
	if (keep <= 1) {
		llama_memory_clear(mem, true);
		llm->n_cached = 0;
		return;
	}
	if (!llama_memory_seq_rm(mem, 0, keep, -1)) {
		/* recurrent state cannot be cut partially: start over */
		llama_memory_clear(mem, true);
		keep = 0;
	}
	llm->n_cached = keep;
}

static enum tacit_status decode_status(struct llm_engine *llm, int32_t r, const char *what)
{
	if (r == 1)
		return tacit_fail(TACIT_ERR_CONTEXT_FULL, "the context of %d tokens is full while %s", llm->n_ctx,
				  what);
	if (r == 2 || stopped(llm))
		return tacit_fail(TACIT_ERR_CANCELLED, "cancelled while %s", what);
	return tacit_fail(TACIT_ERR_LLM, "llama_decode failed (%d) while %s", (int)r, what);
}

/* Token choice. Greedy and top-k run here, over llama_get_logits_ith's array: the k best
 * logits are selected in one pass, so no candidate array over the whole vocabulary is
 * built for every token, as llama_sampler_sample does (128k-256k entries on current
 * models). The draw is llama.cpp's dist sampler's: a std::mt19937 seeded with the seed,
 * one std::uniform_real_distribution<double> value (two 32-bit outputs) per token, and
 * the first candidate, best first, whose running sum of exp(logit - max) reaches that
 * value times the total. Same seed, same tokens as the chain top-k -> temp -> dist (the
 * unit test compares them on a real model); llama.cpp's chain stays for the settings this
 * does not cover (top_k 0 or above PICK_TOPK_MAX). */
#define PICK_TOPK_MAX 1024

enum pick_mode { PICK_ARGMAX, PICK_TOPK, PICK_CHAIN };

struct mt19937 {
	uint32_t s[624];
	int i;
};

struct picker {
	enum pick_mode mode;
	int k;
	float temp;
	struct mt19937 rng;
	llama_token_data *top;        /* PICK_TOPK: k entries, best first */
	struct llama_sampler *chain;  /* PICK_CHAIN */
	struct llama_sampler *grammar; /* consulted lazily by sample(); may be NULL */
	bool full_filter;              /* no first-character index (test_full_filter) */
};

static void mt_seed(struct mt19937 *m, uint32_t seed)
{
	m->s[0] = seed;
	for (uint32_t i = 1; i < 624; i++)
		m->s[i] = 1812433253u * (m->s[i - 1] ^ (m->s[i - 1] >> 30)) + i;
	m->i = 624;
}

static uint32_t mt_next(struct mt19937 *m)
{
	if (m->i >= 624) {
		for (int k = 0; k < 624; k++) {
			uint32_t y = (m->s[k] & 0x80000000u) | (m->s[(k + 1) % 624] & 0x7fffffffu);
			m->s[k] = m->s[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
		}
		m->i = 0;
	}
	uint32_t y = m->s[m->i++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680u;
	y ^= (y << 15) & 0xefc60000u;
	return y ^ (y >> 18);
}

/* [0, 1) as libstdc++'s generate_canonical<double, 53> makes it from a 32-bit engine */
static double mt_uniform(struct mt19937 *m)
{
	double lo = (double)mt_next(m);
	double hi = (double)mt_next(m);
	double r = (lo + hi * 4294967296.0) / 18446744073709551616.0;
	return r < 1.0 ? r : nextafter(1.0, 0.0);
}

static void picker_release(struct picker *pk)
{
	if (pk->chain)
		llama_sampler_free(pk->chain);
	if (pk->grammar)
		llama_sampler_free(pk->grammar);
	free(pk->top);
	memset(pk, 0, sizeof(*pk));
}

static const char *picker_name(const struct picker *pk)
{
	return pk->mode == PICK_ARGMAX ? "argmax" : pk->mode == PICK_TOPK ? "top-k" : "llama-chain";
}

/* Sets up the sampling for g; the grammar, when there is one, is consulted lazily by
 * sample(). test_chain forces llama.cpp's chain (for the comparison test). */
static enum tacit_status picker_init(struct picker *pk, struct llm_engine *llm, const struct llm_engine_gen *g)
{
	memset(pk, 0, sizeof(*pk));
	if (g->grammar && *g->grammar) {
		pk->grammar = llama_sampler_init_grammar(llm->vocab, g->grammar, "root");
		if (!pk->grammar)
			return tacit_fail(TACIT_ERR_USAGE, "invalid grammar (llama.cpp could not parse it; "
							   "'tacit --verbose' shows where)");
	}
	pk->temp = g->temperature;
	pk->k = g->top_k;
	pk->full_filter = g->test_full_filter;
	mt_seed(&pk->rng, g->seed);
	if (g->temperature <= 0)
		pk->mode = PICK_ARGMAX;
	else if (g->top_k > 0 && g->top_k <= PICK_TOPK_MAX)
		pk->mode = PICK_TOPK;
	else
		pk->mode = PICK_CHAIN;
	if (g->test_chain_sampler)
		pk->mode = PICK_CHAIN;
	if (pk->mode == PICK_TOPK && !(pk->top = malloc((size_t)pk->k * sizeof(*pk->top)))) {
		picker_release(pk);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory for the sampler");
	}
	if (pk->mode != PICK_CHAIN)
		return TACIT_OK;
	struct llama_sampler_chain_params sp = llama_sampler_chain_default_params();
	sp.no_perf = true;
	if (!(pk->chain = llama_sampler_chain_init(sp))) {
		picker_release(pk);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory for the sampler");
	}
	if (g->temperature <= 0) {
		llama_sampler_chain_add(pk->chain, llama_sampler_init_greedy());
	} else {
		if (g->top_k > 0)
			llama_sampler_chain_add(pk->chain, llama_sampler_init_top_k(g->top_k));
		llama_sampler_chain_add(pk->chain, llama_sampler_init_temp(g->temperature));
		llama_sampler_chain_add(pk->chain, llama_sampler_init_dist(g->seed));
	}
	return TACIT_OK;
}

/* Keeps top[0..*n) the best logits seen, best first, at most k; an equal logit goes
 * after those already there (candidates come in id order, so ties stay by id). */
static inline void top_insert(llama_token_data *top, int *n, int k, llama_token id, float logit)
{
	int i = *n < k ? (*n)++ : k - 1;
	while (i > 0 && top[i - 1].logit < logit) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = (llama_token_data){ id, logit, 0.0f };
}

/* llama.cpp's temp then dist over top[0..n), best first */
static llama_token draw(struct picker *pk, int n)
{
	llama_token_data *top = pk->top;
	double u = mt_uniform(&pk->rng);
	if (n == 1)
		return top[0].id;
	for (int i = 0; i < n; i++)
		top[i].logit /= pk->temp;
	float max_l = top[0].logit;
	double sum = 0;
	for (int i = 0; i < n; i++) {
		top[i].p = expf(top[i].logit - max_l);
		sum += top[i].p;
	}
	double target = sum * u, run = 0;
	for (int i = 0; i < n; i++) {
		run += top[i].p;
		if (run >= target)
			return top[i].id;
	}
	return top[n - 1].id;
}

/* The first index of the highest logit (llama.cpp's greedy sampler's choice): the maximum
 * in eight independent lanes, then the first element equal to it. */
static int argmax(const float *l, int n)
{
	float m[8] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY };
	int i = 0;
	for (; i + 8 <= n; i += 8)
		for (int j = 0; j < 8; j++)
			m[j] = l[i + j] > m[j] ? l[i + j] : m[j];
	for (; i < n; i++)
		m[0] = l[i] > m[0] ? l[i] : m[0];
	for (int j = 1; j < 8; j++)
		m[0] = m[j] > m[0] ? m[j] : m[0];
	for (i = 0; i < n; i++)
		if (l[i] == m[0])
			return i;
	return 0; /* all NaN */
}

/* The k best of cand[0..n) (ids ascending) into pk->top, best first; returns how many. */
static int select_top(struct picker *pk, const llama_token_data *cand, int n)
{
	int k = pk->k < n ? pk->k : n, got = 0;
	for (int i = 0; i < n; i++)
		if (got < k || cand[i].logit > pk->top[k - 1].logit)
			top_insert(pk->top, &got, k, cand[i].id, cand[i].logit);
	return got;
}

/* Picks from the logits of every token (cand NULL) or from cand[0..n) (ids ascending). */
static llama_token pick(struct picker *pk, const float *logits, const llama_token_data *cand, int n)
{
	if (pk->mode == PICK_ARGMAX) {
		int best = 0;
		if (!cand)
			return argmax(logits, n);
		for (int i = 1; i < n; i++)
			if (cand[i].logit > cand[best].logit)
				best = i;
		return cand[best].id;
	}
	int k = pk->k < n ? pk->k : n, got = 0;
	if (cand)
		return draw(pk, select_top(pk, cand, n));
	float floor = -INFINITY; /* the k-th best so far, once there are k */
	for (int i = 0; i < n; i++) {
		if (got == k && !(logits[i] > floor))
			continue;
		top_insert(pk->top, &got, k, i, logits[i]);
		if (got == k)
			floor = pk->top[k - 1].logit;
	}
	return draw(pk, got);
}

/* The index that lets a rejected pick filter only the tokens whose first character the
 * grammar allows: a token is allowed only if its first character is (llama.cpp's grammar
 * consumes a token's text character by character), and which characters are allowed is
 * asked of the grammar with one single-character token per ASCII character (a few dozen
 * candidates, not the vocabulary). Bytes from 0x80 up (UTF-8, which the grammar may be
 * in the middle of), characters with no single-character token, end-of-generation and
 * empty tokens are always filtered in full, so the narrowed filter gives exactly the
 * whole vocabulary's result. Built on the first grammar rejection; false: out of memory. */
static bool byte_index(struct llm_engine *llm)
{
	int n_vocab = llm->info.n_vocab;
	if (llm->first_byte)
		return true;
	unsigned char *fb = malloc((size_t)n_vocab);
	bool *always = calloc((size_t)n_vocab, sizeof(*always));
	if (!fb || !always) {
		free(fb);
		free(always);
		return false;
	}
	for (int c = 0; c < 128; c++)
		llm->one_char[c] = -1;
	for (llama_token id = 0; id < n_vocab; id++) {
		char piece[256];
		/* special: rendered, as the grammar sees every token's text */
		int32_t n = llama_token_to_piece(llm->vocab, id, piece, sizeof(piece), 0, true);
		fb[id] = n > 0 ? (unsigned char)piece[0] : 0;
		always[id] = n <= 0 || llama_vocab_is_eog(llm->vocab, id);
		if (n == 1 && fb[id] < 128 && !always[id] && llm->one_char[fb[id]] < 0)
			llm->one_char[fb[id]] = id;
	}
	llm->first_byte = fb;
	llm->always = always;
	return true;
}

/* The candidates (ids ascending) whose first character the grammar allows now, into
 * llm->cand; returns how many (n_vocab when nothing could be left out). */
static int narrow(struct llm_engine *llm, struct picker *pk, const float *logits, int n_vocab)
{
	llama_token_data probe[128];
	bool allowed[256];
	int n = 0;
	for (int c = 0; c < 256; c++)
		allowed[c] = c >= 128 || llm->one_char[c] < 0; /* not asked: kept */
	for (int c = 0; c < 128; c++)
		if (llm->one_char[c] >= 0)
			probe[n++] = (llama_token_data){ llm->one_char[c], 0.0f, 0.0f };
	llama_token_data_array arr = { probe, (size_t)n, -1, false };
	llama_sampler_apply(pk->grammar, &arr);
	for (int i = 0; i < n; i++)
		allowed[llm->first_byte[probe[i].id]] = probe[i].logit != -INFINITY;
	int m = 0;
	for (int i = 0; i < n_vocab; i++)
		if (allowed[llm->first_byte[i]] || llm->always[i])
			llm->cand[m++] = (llama_token_data){ i, logits[i], 0.0f };
	return m;
}

/* A rejected pick is first tried again among the GRAMMAR_PROBE best tokens (at least 4k
 * for top-k): the grammar filters those few, and the pick over them is the eager filter's
 * pick whenever what it needs (the best allowed token; the k best allowed for top-k) lies
 * strictly above the probe's lowest logit. Otherwise the whole vocabulary is filtered. */
#define GRAMMAR_PROBE 256

static int by_id(const void *a, const void *b)
{
	llama_token x = ((const llama_token_data *)a)->id, y = ((const llama_token_data *)b)->id;
	return (x > y) - (x < y);
}

/* The pick among the best tokens that the grammar allows, or -1 when the probe cannot
 * tell (then the caller filters the whole vocabulary). cand has room for n_vocab. */
static llama_token probe_pick(struct llm_engine *llm, struct picker *pk, const float *logits, int n_vocab)
{
	int m = pk->mode == PICK_TOPK && pk->k * 4 > GRAMMAR_PROBE ? pk->k * 4 : GRAMMAR_PROBE, got = 0;
	if (pk->mode == PICK_CHAIN || m >= n_vocab)
		return -1;
	float floor = -INFINITY;
	for (int i = 0; i < n_vocab; i++) {
		if (got == m && !(logits[i] > floor))
			continue;
		top_insert(llm->cand, &got, m, i, logits[i]);
		if (got == m)
			floor = llm->cand[m - 1].logit;
	}
	qsort(llm->cand, (size_t)m, sizeof(*llm->cand), by_id); /* ties then go by id, as in pick() */
	llama_token_data_array arr = { llm->cand, (size_t)m, -1, false };
	llama_sampler_apply(pk->grammar, &arr);
	if (pk->mode == PICK_ARGMAX) {
		int best = 0;
		for (int i = 1; i < m; i++)
			if (llm->cand[i].logit > llm->cand[best].logit)
				best = i;
		return llm->cand[best].logit > floor ? llm->cand[best].id : -1;
	}
	got = select_top(pk, llm->cand, m);
	return got == pk->k && pk->top[got - 1].logit > floor ? draw(pk, got) : -1;
}

/* Samples the next token. A grammar is checked lazily: a token is picked from the
 * unconstrained distribution first, and only when the grammar rejects that token is the
 * pick repeated over what the grammar allows: among the best few tokens when that
 * decides it (probe_pick), else over the whole vocabulary. Filtering 150k candidates
 * through a grammar costs more than the model's own decode on CPU (about 1 token/s on a
 * 1B model with a 128k-151k vocabulary, were it done every step); the lazy check is one
 * grammar step for most tokens, and its result is the same token the eager filter would
 * give. */
static llama_token sample(struct llm_engine *llm, struct picker *pk, struct tacit_llm_stats *stats)
{
	const float *logits = llama_get_logits_ith(llm->ctx, -1);
	int n_vocab = llm->info.n_vocab;
	if (!logits)
		return llama_vocab_eos(llm->vocab);
	llama_token tok = pk->mode == PICK_CHAIN ? llama_sampler_sample(pk->chain, llm->ctx, -1)
						 : pick(pk, logits, NULL, n_vocab);
	if (!pk->grammar)
		return tok;
	llama_token_data one = { tok, logits[tok], 0.0f };
	llama_token_data_array single = { &one, 1, -1, false };
	llama_sampler_apply(pk->grammar, &single);
	if (one.logit == -INFINITY) {
		if (!llm->cand || llm->n_cand < n_vocab) {
			llama_token_data *c = realloc(llm->cand, (size_t)n_vocab * sizeof(*c));
			if (!c)
				return llama_vocab_eos(llm->vocab); /* out of memory: end the answer */
			llm->cand = c;
			llm->n_cand = n_vocab;
		}
		stats->n_rejected++;
		if ((tok = probe_pick(llm, pk, logits, n_vocab)) >= 0)
			goto accept;
		/* llama.cpp's chain is kept to the whole vocabulary: it is the reference the
		 * narrowed filter is compared with */
		int m = pk->mode != PICK_CHAIN && !pk->full_filter && byte_index(llm) ? narrow(llm, pk, logits, n_vocab)
										       : n_vocab;
		if (m == n_vocab) {
			stats->n_full_filter++;
			for (int i = 0; i < n_vocab; i++)
				llm->cand[i] = (llama_token_data){ i, logits[i], 0.0f };
		} else {
			stats->n_narrow_filter++;
		}
		stats->n_filtered += m;
		llama_token_data_array all = { llm->cand, (size_t)m, -1, false };
		llama_sampler_apply(pk->grammar, &all);
		if (pk->mode == PICK_CHAIN) {
			llama_sampler_apply(pk->chain, &all);
			tok = all.selected >= 0 ? all.data[all.selected].id : llama_vocab_eos(llm->vocab);
		} else {
			bool any = false; /* the excluded tokens are the grammar's -inf ones */
			for (int i = 0; i < m && !any; i++)
				any = llm->cand[i].logit != -INFINITY;
			tok = any ? pick(pk, NULL, llm->cand, m) : llama_vocab_eos(llm->vocab); /* none allowed */
		}
	}
accept:
	llama_sampler_accept(pk->grammar, tok);
	return tok;
}

/* Decodes tokens[from..n) in n_batch pieces, keeping `cached` in step; g->read hears of
 * each batch, counted against the whole prompt's n_total tokens. */
static enum tacit_status prefill(struct llm_engine *llm, const struct llm_engine_gen *g, llama_token *tokens, int from,
				 int n, int n_total)
{
	int stop_after = g->test_stop_after_batches;
	for (int i = from, batch = 0; i < n; i += llm->n_batch, batch++) {
		if (stopped(llm) || (stop_after > 0 && batch == stop_after))
			return tacit_fail(TACIT_ERR_CANCELLED, "cancelled while reading the prompt");
		int len = n - i < llm->n_batch ? n - i : llm->n_batch;
		int32_t r = llama_decode(llm->ctx, llama_batch_get_one(tokens + i, len));
		if (r != 0) {
			enum tacit_status st = decode_status(llm, r, "reading the prompt");
			rollback(llm, llm->n_cached);
			return st;
		}
		memcpy(llm->cached + llm->n_cached, tokens + i, (size_t)len * sizeof(*tokens));
		llm->n_cached += len;
		if (g->read)
			g->read(llm->n_cached, n_total, g->read_user);
	}
	return TACIT_OK;
}

/* Tokens of the prompt up to the end of prefix: the common part of the whole prompt's
 * tokens and the tokens of its text up to there (a token may straddle the boundary).
 * 0 when prefix is not in the prompt or leaves nothing after it. */
static int prefix_tokens(struct llm_engine *llm, const struct llm_engine_gen *g, const llama_token *tokens, int n)
{
	const char *at = g->state_prefix && *g->state_prefix ? strstr(g->prompt, g->state_prefix) : NULL;
	if (!at)
		return 0;
	size_t end = (size_t)(at - g->prompt) + strlen(g->state_prefix);
	char *head = strndup(g->prompt, end);
	llama_token *ht = NULL;
	int nh = head ? tokenize(llm, head, true, g->chat, &ht) : -1;
	int common = 0;
	while (common < nh && common < n && ht[common] == tokens[common])
		common++;
	free(ht);
	free(head);
	return common < n - 1 ? common : 0;
}

/* Replaces sequence 0 with the saved state when its tokens are tokens[0..n_pre). */
static bool state_load(struct llm_engine *llm, const char *path, const llama_token *tokens, int n_pre)
{
	size_t count = 0;
	if (access(path, R_OK) != 0)
		return false;
	rollback(llm, 0);
	size_t r = llama_state_seq_load_file(llm->ctx, path, 0, llm->cached, (size_t)llm->n_ctx, &count);
	if (r == 0 || count != (size_t)n_pre || memcmp(llm->cached, tokens, (size_t)n_pre * sizeof(*tokens))) {
		tacit_log(TACIT_LOG_WARN, "the saved transcript state '%s' does not match this prompt; reading the "
					  "transcript again",
			  path);
		rollback(llm, 0);
		return false;
	}
	llm->n_cached = n_pre;
	return true;
}

/* Saves sequence 0, which holds exactly tokens[0..n_cached), to path (atomically). */
static bool state_save(struct llm_engine *llm, const char *path)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return false;
	/* llama.cpp creates files 0666 less the umask; a state holds the meeting's words, so
	 * the file is made private first and llama.cpp's fopen("wb") keeps that mode. */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0) {
		tacit_log(TACIT_LOG_WARN, "cannot save the transcript state to '%s' (%s)", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return false;
	}
	close(fd);
	size_t r = llama_state_seq_save_file(llm->ctx, tmp, 0, llm->cached, (size_t)llm->n_cached);
	if (r == 0 || rename(tmp, path) != 0) {
		tacit_log(TACIT_LOG_WARN, "cannot save the transcript state to '%s' (%s)", path,
			  r == 0 ? "llama.cpp could not write it" : strerror(errno));
		unlink(tmp);
		return false;
	}
	return true;
}

enum tacit_status llm_engine_generate(struct llm_engine *llm, const struct llm_engine_gen *g, llm_engine_emit_fn emit,
				       void *user, struct tacit_llm_stats *stats)
{
	enum tacit_status st = TACIT_OK;
	llama_token *tokens = NULL;
	struct picker pk = { 0 };
	struct buf pending;
	buf_init(&pending);
	memset(stats, 0, sizeof(*stats));

	int n = tokenize(llm, g->prompt ? g->prompt : "", true, g->chat, &tokens);
	if (n < 0) {
		st = TACIT_ERR_LLM;
		goto out;
	}
	if (n == 0) {
		st = tacit_fail(TACIT_ERR_USAGE, "empty prompt");
		goto out;
	}
	stats->n_prompt = n;
	if (n >= llm->n_ctx) {
		st = tacit_fail(TACIT_ERR_CONTEXT_FULL,
				"the prompt has %d tokens but the context holds %d (use a larger context or a "
				"shorter input)",
				n, llm->n_ctx);
		goto out;
	}
	if ((st = picker_init(&pk, llm, g)) != TACIT_OK)
		goto out;
	snprintf(stats->sampler, sizeof(stats->sampler), "%s", picker_name(&pk));
	if (g->n_threads > 0 && g->n_threads != llm->n_threads)
		llama_set_n_threads(llm->ctx, g->n_threads, g->n_threads);

	/* reuse the longest cached prefix, but always decode at least the last prompt token */
	int n_pre = g->state_path ? prefix_tokens(llm, g, tokens, n) : 0;
	int common = 0;
	while (common < llm->n_cached && common < n - 1 && llm->cached[common] == tokens[common])
		common++;
	double t0 = clock_now_ms();
	if (n_pre && common < n_pre) {
		if (state_load(llm, g->state_path, tokens, n_pre)) {
			stats->state = TACIT_STATE_LOADED;
			common = n_pre;
		}
		stats->state_ms += clock_now_ms() - t0;
	}
	if (common > llm->n_cached) /* a state file that failed to load emptied the cache */
		common = llm->n_cached;
	rollback(llm, common);
	stats->n_reused = llm->n_cached;

	/* save when the prefix must be decoded anyway, or is cached here but not on disk */
	bool save = n_pre && stats->state != TACIT_STATE_LOADED && (common < n_pre || access(g->state_path, F_OK) != 0);
	/* the transcript prefix alone is saved before the rest of the prompt is read */
	if (save && llm->n_cached > n_pre)
		rollback(llm, n_pre);
	if (g->read) /* the total at once, and what the cache or a saved state spared */
		g->read(llm->n_cached, n, g->read_user);
	if (save) {
		if ((st = prefill(llm, g, tokens, llm->n_cached, n_pre, n)) != TACIT_OK)
			goto out;
		double ts = clock_now_ms();
		if (state_save(llm, g->state_path))
			stats->state = TACIT_STATE_SAVED;
		stats->state_ms += clock_now_ms() - ts;
	}
	if ((st = prefill(llm, g, tokens, llm->n_cached, n, n)) != TACIT_OK)
		goto out;
	double t1 = clock_now_ms();
	stats->prefill_ms = t1 - t0 - stats->state_ms; /* reading tokens only: the state's I/O is apart */

	int limit = g->max_tokens > 0 ? g->max_tokens : llm->n_ctx;
	stats->finish = TACIT_FINISH_LENGTH;
	while (stats->n_generated < limit) {
		if (stopped(llm)) {
			st = tacit_fail(TACIT_ERR_CANCELLED, "cancelled while generating");
			break;
		}
		double ts = clock_now_ms();
		llama_token tok = sample(llm, &pk, stats);
		double te = clock_now_ms();
		stats->sample_ms += te - ts;
		if (llama_vocab_is_eog(llm->vocab, tok)) {
			stats->finish = TACIT_FINISH_STOP;
			break;
		}
		char piece[256];
		int32_t np = llama_token_to_piece(llm->vocab, tok, piece, sizeof(piece), 0, false);
		if (np > 0)
			buf_add(&pending, piece, (size_t)np);
		size_t ready = utf8_complete_prefix(pending.data, pending.len);
		stats->n_generated++;
		if (ready) {
			bool go_on = emit(pending.data, ready, user);
			memmove(pending.data, pending.data + ready, pending.len - ready);
			pending.len -= ready;
			pending.data[pending.len] = '\0';
			if (!go_on) {
				st = tacit_fail(TACIT_ERR_CANCELLED, "stopped by the receiver");
				break;
			}
		}
		double td = clock_now_ms();
		stats->emit_ms += td - te;
		/* no forward pass for the last token: nothing is sampled after it (the cache
		 * then ends before it, which `cached` says) */
		if (stats->n_generated >= limit)
			break;
		if (llm->n_cached >= llm->n_ctx) {
			stats->finish = TACIT_FINISH_CONTEXT;
			break;
		}
		int32_t r = llama_decode(llm->ctx, llama_batch_get_one(&tok, 1));
		stats->eval_ms += clock_now_ms() - td;
		stats->n_eval++;
		if (r != 0) {
			st = decode_status(llm, r, "generating");
			if (r == 1) { /* a full context is a normal end of the answer */
				stats->finish = TACIT_FINISH_CONTEXT;
				tacit_clear_error();
				st = TACIT_OK;
			}
			rollback(llm, llm->n_cached);
			break;
		}
		llm->cached[llm->n_cached++] = tok;
	}
	if (st == TACIT_OK && pending.len)
		emit(pending.data, pending.len, user);
	stats->decode_ms = clock_now_ms() - t1;
	if (stats->n_rejected)
		tacit_log(TACIT_LOG_DEBUG,
			  "grammar: %d of %d picks rejected, %d of them filtered over the whole vocabulary, %d over the "
			  "tokens whose first character it allows (%lld tokens filtered in all)",
			  stats->n_rejected, stats->n_generated, stats->n_full_filter, stats->n_narrow_filter,
			  stats->n_filtered);
	if (stats->prefill_ms > 0)
		stats->prefill_tps = (stats->n_prompt - stats->n_reused) / (stats->prefill_ms / 1e3);
	if (stats->decode_ms > 0)
		stats->decode_tps = stats->n_generated / (stats->decode_ms / 1e3);
out:
	if (g->n_threads > 0 && g->n_threads != llm->n_threads)
		llama_set_n_threads(llm->ctx, llm->n_threads, llm->n_threads);
	picker_release(&pk);
	free(tokens);
	buf_release(&pending);
	return st;
}
