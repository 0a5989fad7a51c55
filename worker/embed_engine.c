/*
 * embed_engine.c — the llama.cpp embedding adapter, run only inside tacit-worker. Texts
 * are packed several to a batch, one sequence each, up to the batch's tokens; the model's
 * own pooling (CLS for BERT-style encoders, as their GGUF says) gives one vector per
 * sequence, or the mean of the tokens when the model names none. The memory is cleared
 * between batches, so every text is embedded alone, as the model was trained.
 */
#include "internal.h"

#include "deplog.h"
#include "embed_engine.h"

#include <math.h>
#include <unistd.h>

#include <llama.h>

#define EMBED_MAX_CTX 512 /* meeting segments are short; longer ones are cut */
#define EMBED_MAX_SEQ 32  /* texts in one batch */

struct embed_engine {
	struct llama_model *model;
	struct llama_context *ctx;
	const struct llama_vocab *vocab;
	const atomic_bool *stop;
	int n_ctx, dim;
	llama_token *tok;
	struct llama_batch batch;
};

static bool abort_cb(void *data)
{
	const atomic_bool *stop = data;
	return stop && atomic_load_explicit(stop, memory_order_relaxed);
}

void embed_engine_free(struct embed_engine *e)
{
	if (!e)
		return;
	if (e->batch.token)
		llama_batch_free(e->batch);
	if (e->ctx)
		llama_free(e->ctx);
	if (e->model)
		llama_model_free(e->model);
	free(e->tok);
	free(e);
}

int embed_engine_dim(const struct embed_engine *e)
{
	return e ? e->dim : 0;
}

int embed_engine_n_ctx(const struct embed_engine *e)
{
	return e ? e->n_ctx : 0;
}

static struct llama_context *new_context(struct embed_engine *e, int n_ctx, int threads,
					 enum llama_pooling_type pooling)
{
	struct llama_context_params cp = llama_context_default_params();
	cp.n_ctx = (uint32_t)n_ctx;
	cp.n_batch = (uint32_t)n_ctx;
	cp.n_ubatch = (uint32_t)n_ctx; /* an encoder reads a whole sequence in one ubatch */
	cp.n_seq_max = EMBED_MAX_SEQ;
	cp.kv_unified = true;
	cp.embeddings = true;
	cp.pooling_type = pooling;
	cp.n_threads = threads;
	cp.n_threads_batch = threads;
	cp.abort_callback = abort_cb;
	cp.abort_callback_data = (void *)e->stop;
	cp.no_perf = true;
	return llama_init_from_model(e->model, cp);
}

enum tacit_status embed_engine_load(const char *path, int n_threads, const atomic_bool *stop,
				    struct embed_engine **out)
{
	enum tacit_status st = TACIT_OK;
	struct embed_engine *e;

	*out = NULL;
	if (!path || !*path)
		return tacit_fail(TACIT_ERR_USAGE, "no embedding model given (pass a GGUF path)");
	if (access(path, R_OK) != 0)
		return tacit_fail_errno(TACIT_ERR_NOT_FOUND, "cannot read embedding model '%s'", path);
	deplog_init();
	llama_backend_init();
	if (!(e = calloc(1, sizeof(*e))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory loading '%s'", path);
	e->stop = stop;
	struct llama_model_params mp = llama_model_default_params();
	mp.n_gpu_layers = 0; /* small, and kept off a GPU the language model may need */
	if (!(e->model = llama_model_load_from_file(path, mp))) {
		st = tacit_fail(TACIT_ERR_MODEL,
				"cannot load embedding model '%s': llama.cpp rejected it (not a GGUF it supports, or "
				"truncated; 'tacit --verbose' shows why)",
				path);
		goto out;
	}
	e->vocab = llama_model_get_vocab(e->model);
	int n_train = llama_model_n_ctx_train(e->model);
	e->n_ctx = n_train > 0 && n_train < EMBED_MAX_CTX ? n_train : EMBED_MAX_CTX;
	int threads = n_threads > 0 ? n_threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	e->ctx = new_context(e, e->n_ctx, threads, LLAMA_POOLING_TYPE_UNSPECIFIED);
	if (e->ctx && llama_pooling_type(e->ctx) == LLAMA_POOLING_TYPE_NONE) {
		/* a model that names no pooling (a language model): the mean of its tokens */
		llama_free(e->ctx);
		e->ctx = new_context(e, e->n_ctx, threads, LLAMA_POOLING_TYPE_MEAN);
	}
	if (!e->ctx) {
		st = tacit_fail(TACIT_ERR_NO_FIT, "cannot allocate a context for embedding model '%s' (not enough memory)",
				path);
		goto out;
	}
	e->dim = llama_model_n_embd(e->model);
	e->tok = malloc((size_t)e->n_ctx * sizeof(*e->tok));
	e->batch = llama_batch_init(e->n_ctx, 0, 1);
	if (!e->tok || !e->batch.token) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory for an embedding context");
		goto out;
	}
out:
	if (st != TACIT_OK)
		embed_engine_free(e);
	else
		*out = e;
	return st;
}

/* Decodes the batch and copies its sequences' vectors, normalised, to out[0..n_seq). */
static enum tacit_status flush(struct embed_engine *e, int n_seq, float *out)
{
	if (!n_seq)
		return TACIT_OK;
	if (llama_get_memory(e->ctx)) /* an encoder keeps none */
		llama_memory_clear(llama_get_memory(e->ctx), true);
	int rc = llama_decode(e->ctx, e->batch);
	if (rc != 0) {
		if (abort_cb((void *)e->stop))
			return tacit_fail(TACIT_ERR_CANCELLED, "embedding was cancelled");
		return tacit_fail(TACIT_ERR_MODEL, "llama.cpp could not embed a batch of %d texts (code %d)", n_seq, rc);
	}
	for (int s = 0; s < n_seq; s++) {
		const float *v = llama_get_embeddings_seq(e->ctx, s);
		if (!v)
			return tacit_fail(TACIT_ERR_MODEL, "the embedding model gave no vector for a text");
		double sum = 0;
		for (int i = 0; i < e->dim; i++)
			sum += (double)v[i] * v[i];
		float k = sum > 0 ? (float)(1.0 / sqrt(sum)) : 0.0f;
		for (int i = 0; i < e->dim; i++)
			out[(size_t)s * (size_t)e->dim + (size_t)i] = v[i] * k;
	}
	e->batch.n_tokens = 0;
	return TACIT_OK;
}

enum tacit_status embed_engine_run(struct embed_engine *e, const char *const *texts, size_t n, float *out)
{
	size_t first = 0; /* the batch's first text */
	int n_seq = 0;
	enum tacit_status st;

	if (!e)
		return tacit_fail(TACIT_ERR_USAGE, "no embedding model loaded");
	e->batch.n_tokens = 0;
	for (size_t i = 0; i < n; i++) {
		const char *t = texts[i] ? texts[i] : "";
		int len = (int)strnlen(t, 1 << 20);
		int k = llama_tokenize(e->vocab, t, len, e->tok, e->n_ctx, true, false);
		if (k < 0) { /* longer than the context: its beginning */
			llama_token *all = malloc((size_t)-k * sizeof(*all));
			if (!all)
				return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			k = llama_tokenize(e->vocab, t, len, all, -k, true, false);
			if (k > e->n_ctx)
				k = e->n_ctx;
			memcpy(e->tok, all, (size_t)(k > 0 ? k : 0) * sizeof(*all));
			free(all);
		}
		if (k <= 0) /* an empty text still gets the special tokens, or one unknown */
			e->tok[0] = llama_vocab_bos(e->vocab) >= 0 ? llama_vocab_bos(e->vocab) : 0, k = 1;
		if (e->batch.n_tokens + k > e->n_ctx || n_seq == EMBED_MAX_SEQ) {
			if ((st = flush(e, n_seq, out + first * (size_t)e->dim)) != TACIT_OK)
				return st;
			first = i;
			n_seq = 0;
		}
		for (int j = 0; j < k; j++) {
			int at = e->batch.n_tokens++;
			e->batch.token[at] = e->tok[j];
			e->batch.pos[at] = j;
			e->batch.n_seq_id[at] = 1;
			e->batch.seq_id[at][0] = n_seq;
			e->batch.logits[at] = true;
		}
		n_seq++;
	}
	return flush(e, n_seq, out + first * (size_t)e->dim);
}
