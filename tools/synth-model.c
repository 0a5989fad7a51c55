/*
 * synth-model.c — writes GGUF files with the tensor names, shapes and quantization mix of
 * real models and random weights, for performance and memory work: speed and memory
 * depend on shapes and types, not on values. Hyper-parameters come from each model's
 * config.json; tensor layouts from llama.cpp's loaders (read, not copied).
 *
 * Invariants: output is independent of the thread count (every row has its own seed);
 * tensor data is streamed in the order of the header's offsets, each padded to the
 * file's alignment, so a 3B model never needs to sit in memory; a partial file is
 * written as FILE.partial and renamed only when complete.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ggml.h>
#include <gguf.h>

#define EXIT_USAGE 2
#define MAX_TENSORS 4096
#define CHUNK_FLOATS ((int64_t)1 << 22)

enum family {
	FAM_LLAMA,  /* llama: Llama 3.x, SmolLM2 */
	FAM_QWEN2,  /* qwen2: q/k/v biases */
	FAM_QWEN3,  /* qwen3: q/k norms */
	FAM_GEMMA3, /* gemma3: q/k norms, post-norms, interleaved sliding window */
	FAM_QWEN35, /* qwen35: Gated DeltaNet layers with gated full attention every 4th */
	FAM_BERT,   /* bert: an encoder for embeddings (post-norm, biases, learned positions) */
};

struct model_spec {
	const char *name; /* the id given to --arch */
	const char *arch; /* llama.cpp's general.architecture */
	enum family fam;
	int n_layer, n_embd, n_head, n_head_kv, head_dim, n_ff, n_vocab, n_ctx_train;
	float rope_base, eps;
	bool tied;
	bool rope_freqs; /* llama3-style rope scaling: a rope_freqs tensor */
	int n_rot;     /* rotary dimensions; 0 = head_dim */
	int n_swa;     /* gemma3 sliding window */
	int ssm_conv;  /* qwen35: conv kernel */
	int ssm_state; /* qwen35: key/value head dim of the linear layers */
	int ssm_k_heads, ssm_v_heads;
	int attn_interval; /* qwen35: every n-th layer is full attention */
};

/* From each model's config.json (Hugging Face). Qwen3.5: text_config; partial rotary
 * 0.25 of head_dim 256 gives 64 rotary dims. */
#define DENSE(id, ar, fm, L, E, H, KV, HD, FF, V, CTX, ROPE, EPS)                                          \
	{ .name = id, .arch = ar, .fam = fm, .n_layer = L, .n_embd = E, .n_head = H, .n_head_kv = KV,       \
	  .head_dim = HD, .n_ff = FF, .n_vocab = V, .n_ctx_train = CTX, .rope_base = ROPE, .eps = EPS, .tied = true }

#define LLAMA3(id, L, E, H, KV, HD, FF)                                                                      \
	{ .name = id, .arch = "llama", .fam = FAM_LLAMA, .n_layer = L, .n_embd = E, .n_head = H, .n_head_kv = KV,  \
	  .head_dim = HD, .n_ff = FF, .n_vocab = 128256, .n_ctx_train = 131072, .rope_base = 5e5f, .eps = 1e-5f,   \
	  .tied = true, .rope_freqs = true }

static const struct model_spec specs[] = {
	DENSE("qwen2.5-0.5b", "qwen2", FAM_QWEN2, 24, 896, 14, 2, 64, 4864, 151936, 32768, 1e6f, 1e-6f),
	DENSE("qwen2.5-1.5b", "qwen2", FAM_QWEN2, 28, 1536, 12, 2, 128, 8960, 151936, 32768, 1e6f, 1e-6f),
	DENSE("qwen2.5-3b", "qwen2", FAM_QWEN2, 36, 2048, 16, 2, 128, 11008, 151936, 32768, 1e6f, 1e-6f),
	DENSE("qwen3-0.6b", "qwen3", FAM_QWEN3, 28, 1024, 16, 8, 128, 3072, 151936, 40960, 1e6f, 1e-6f),
	DENSE("qwen3-1.7b", "qwen3", FAM_QWEN3, 28, 2048, 16, 8, 128, 6144, 151936, 40960, 1e6f, 1e-6f),
	DENSE("qwen3-4b", "qwen3", FAM_QWEN3, 36, 2560, 32, 8, 128, 9728, 151936, 40960, 1e6f, 1e-6f),
	LLAMA3("llama-3.2-1b", 16, 2048, 32, 8, 64, 8192),
	LLAMA3("llama-3.2-3b", 28, 3072, 24, 8, 128, 8192),
	DENSE("smollm2-360m", "llama", FAM_LLAMA, 32, 960, 15, 5, 64, 2560, 49152, 8192, 1e5f, 1e-5f),
	DENSE("smollm2-1.7b", "llama", FAM_LLAMA, 24, 2048, 32, 32, 64, 8192, 49152, 8192, 1.3e5f, 1e-5f),
	{ .name = "gemma-3-1b", .arch = "gemma3", .fam = FAM_GEMMA3, .n_layer = 26, .n_embd = 1152, .n_head = 4,
	  .n_head_kv = 1, .head_dim = 256, .n_ff = 6912, .n_vocab = 262144, .n_ctx_train = 32768, .rope_base = 1e6f,
	  .eps = 1e-6f, .tied = true, .n_swa = 512 },
	{ .name = "gemma-3-4b", .arch = "gemma3", .fam = FAM_GEMMA3, .n_layer = 34, .n_embd = 2560, .n_head = 8,
	  .n_head_kv = 4, .head_dim = 256, .n_ff = 10240, .n_vocab = 262208, .n_ctx_train = 131072,
	  .rope_base = 1e6f, .eps = 1e-6f, .tied = true, .n_swa = 1024 },
	{ .name = "qwen3.5-0.8b", .arch = "qwen35", .fam = FAM_QWEN35, .n_layer = 24, .n_embd = 1024, .n_head = 8,
	  .n_head_kv = 2, .head_dim = 256, .n_ff = 3584, .n_vocab = 248320, .n_ctx_train = 262144, .rope_base = 1e7f,
	  .eps = 1e-6f, .tied = true, .n_rot = 64, .ssm_conv = 4, .ssm_state = 128, .ssm_k_heads = 16,
	  .ssm_v_heads = 16, .attn_interval = 4 },
	{ .name = "qwen3.5-2b", .arch = "qwen35", .fam = FAM_QWEN35, .n_layer = 24, .n_embd = 2048, .n_head = 8,
	  .n_head_kv = 2, .head_dim = 256, .n_ff = 6144, .n_vocab = 248320, .n_ctx_train = 262144, .rope_base = 1e7f,
	  .eps = 1e-6f, .tied = true, .n_rot = 64, .ssm_conv = 4, .ssm_state = 128, .ssm_k_heads = 16,
	  .ssm_v_heads = 16, .attn_interval = 4 },
	{ .name = "qwen3.5-4b", .arch = "qwen35", .fam = FAM_QWEN35, .n_layer = 32, .n_embd = 2560, .n_head = 16,
	  .n_head_kv = 4, .head_dim = 256, .n_ff = 9216, .n_vocab = 248320, .n_ctx_train = 262144, .rope_base = 1e7f,
	  .eps = 1e-6f, .tied = true, .n_rot = 64, .ssm_conv = 4, .ssm_state = 128, .ssm_k_heads = 16,
	  .ssm_v_heads = 32, .attn_interval = 4 },
	/* IBM's granite-embedding-30m-english (RoBERTa: 6 layers, 384 wide, 12 heads, GELU
	 * 1536, vocabulary 50265, 512 positions; CLS pooling), the catalog's embedding model */
	{ .name = "granite-embedding-30m", .arch = "bert", .fam = FAM_BERT, .n_layer = 6, .n_embd = 384,
	  .n_head = 12, .n_head_kv = 12, .head_dim = 32, .n_ff = 1536, .n_vocab = 50265, .n_ctx_train = 512,
	  .eps = 1e-12f, .tied = true },
};

enum fill { FILL_RANDOM, FILL_ONES, FILL_ZEROS, FILL_NEG };

/* What llama.cpp's Q4_K_M rule looks at. */
enum role { ROLE_MATRIX, ROLE_VECTOR, ROLE_EMBD, ROLE_OUTPUT, ROLE_ATTN_V, ROLE_FFN_DOWN, ROLE_ATTN_QKV };

struct tdesc {
	char name[GGML_MAX_NAME];
	int n_dims;
	int64_t ne[2];
	enum fill fill;
	enum role role;
	enum ggml_type type;
};

struct plan {
	struct tdesc t[MAX_TENSORS];
	int n;
	int n_attn_v, n_ffn_down;
};

static void add(struct plan *p, enum role role, enum fill fill, int64_t ne0, int64_t ne1, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void add(struct plan *p, enum role role, enum fill fill, int64_t ne0, int64_t ne1, const char *fmt, ...)
{
	struct tdesc *t = &p->t[p->n++];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->name, sizeof(t->name), fmt, ap);
	va_end(ap);
	t->n_dims = ne1 > 0 ? 2 : 1;
	t->ne[0] = ne0;
	t->ne[1] = ne1 > 0 ? ne1 : 1;
	t->fill = fill;
	t->role = role;
	if (role == ROLE_ATTN_V || role == ROLE_ATTN_QKV)
		p->n_attn_v++;
	if (role == ROLE_FFN_DOWN)
		p->n_ffn_down++;
}

static bool is_full_attn(const struct model_spec *m, int il)
{
	return m->fam != FAM_QWEN35 || (il + 1) % m->attn_interval == 0;
}

/* An encoder's tensors: embeddings of tokens, token types and positions, then post-norm
 * layers with a bias on every projection; no output head (the pooled state is the result). */
static void plan_bert(const struct model_spec *m, struct plan *p)
{
	const int64_t E = m->n_embd;
	add(p, ROLE_EMBD, FILL_RANDOM, E, m->n_vocab, "token_embd.weight");
	add(p, ROLE_VECTOR, FILL_RANDOM, E, 2, "token_types.weight");
	add(p, ROLE_VECTOR, FILL_RANDOM, E, m->n_ctx_train, "position_embd.weight");
	add(p, ROLE_VECTOR, FILL_ONES, E, 0, "token_embd_norm.weight");
	add(p, ROLE_VECTOR, FILL_ZEROS, E, 0, "token_embd_norm.bias");
	for (int il = 0; il < m->n_layer; il++) {
		static const char *const qkv[] = { "q", "k", "v" };
		for (int k = 0; k < 3; k++) {
			add(p, k == 2 ? ROLE_ATTN_V : ROLE_MATRIX, FILL_RANDOM, E, E, "blk.%d.attn_%s.weight", il, qkv[k]);
			add(p, ROLE_VECTOR, FILL_ZEROS, E, 0, "blk.%d.attn_%s.bias", il, qkv[k]);
		}
		add(p, ROLE_MATRIX, FILL_RANDOM, E, E, "blk.%d.attn_output.weight", il);
		add(p, ROLE_VECTOR, FILL_ZEROS, E, 0, "blk.%d.attn_output.bias", il);
		add(p, ROLE_VECTOR, FILL_ONES, E, 0, "blk.%d.attn_output_norm.weight", il);
		add(p, ROLE_VECTOR, FILL_ZEROS, E, 0, "blk.%d.attn_output_norm.bias", il);
		add(p, ROLE_MATRIX, FILL_RANDOM, E, m->n_ff, "blk.%d.ffn_up.weight", il);
		add(p, ROLE_VECTOR, FILL_ZEROS, m->n_ff, 0, "blk.%d.ffn_up.bias", il);
		add(p, ROLE_FFN_DOWN, FILL_RANDOM, m->n_ff, E, "blk.%d.ffn_down.weight", il);
		add(p, ROLE_VECTOR, FILL_ZEROS, E, 0, "blk.%d.ffn_down.bias", il);
		add(p, ROLE_VECTOR, FILL_ONES, E, 0, "blk.%d.layer_output_norm.weight", il);
		add(p, ROLE_VECTOR, FILL_ZEROS, E, 0, "blk.%d.layer_output_norm.bias", il);
	}
}

/* The tensors llama.cpp's loader asks for, in the order its converter writes them. */
static void plan_tensors(const struct model_spec *m, struct plan *p)
{
	const int64_t E = m->n_embd, hd = m->head_dim;
	const int64_t q_dim = hd * m->n_head, kv_dim = hd * m->n_head_kv;
	p->n = 0;
	if (m->fam == FAM_BERT) {
		plan_bert(m, p);
		return;
	}
	add(p, ROLE_EMBD, FILL_RANDOM, E, m->n_vocab, "token_embd.weight");
	if (m->rope_freqs) /* llama3 rope scaling factors */
		add(p, ROLE_VECTOR, FILL_ONES, hd / 2, 0, "rope_freqs.weight");
	for (int il = 0; il < m->n_layer; il++) {
		add(p, ROLE_VECTOR, FILL_ONES, E, 0, "blk.%d.attn_norm.weight", il);
		if (is_full_attn(m, il)) {
			/* qwen35's full attention projects a gate next to each query */
			int64_t q_out = m->fam == FAM_QWEN35 ? 2 * q_dim : q_dim;
			add(p, ROLE_MATRIX, FILL_RANDOM, E, q_out, "blk.%d.attn_q.weight", il);
			add(p, ROLE_MATRIX, FILL_RANDOM, E, kv_dim, "blk.%d.attn_k.weight", il);
			add(p, ROLE_ATTN_V, FILL_RANDOM, E, kv_dim, "blk.%d.attn_v.weight", il);
			if (m->fam == FAM_QWEN2) {
				add(p, ROLE_VECTOR, FILL_ZEROS, q_dim, 0, "blk.%d.attn_q.bias", il);
				add(p, ROLE_VECTOR, FILL_ZEROS, kv_dim, 0, "blk.%d.attn_k.bias", il);
				add(p, ROLE_VECTOR, FILL_ZEROS, kv_dim, 0, "blk.%d.attn_v.bias", il);
			}
			add(p, ROLE_MATRIX, FILL_RANDOM, q_dim, E, "blk.%d.attn_output.weight", il);
			if (m->fam == FAM_QWEN3 || m->fam == FAM_GEMMA3 || m->fam == FAM_QWEN35) {
				add(p, ROLE_VECTOR, FILL_ONES, hd, 0, "blk.%d.attn_q_norm.weight", il);
				add(p, ROLE_VECTOR, FILL_ONES, hd, 0, "blk.%d.attn_k_norm.weight", il);
			}
		} else {
			const int64_t key_dim = (int64_t)m->ssm_state * m->ssm_k_heads;
			const int64_t val_dim = (int64_t)m->ssm_state * m->ssm_v_heads;
			add(p, ROLE_ATTN_QKV, FILL_RANDOM, E, 2 * key_dim + val_dim, "blk.%d.attn_qkv.weight", il);
			add(p, ROLE_MATRIX, FILL_RANDOM, E, val_dim, "blk.%d.attn_gate.weight", il);
			add(p, ROLE_VECTOR, FILL_RANDOM, m->ssm_conv, 2 * key_dim + val_dim, "blk.%d.ssm_conv1d.weight",
			    il);
			add(p, ROLE_VECTOR, FILL_ZEROS, m->ssm_v_heads, 0, "blk.%d.ssm_dt.bias", il);
			add(p, ROLE_VECTOR, FILL_NEG, m->ssm_v_heads, 0, "blk.%d.ssm_a", il);
			add(p, ROLE_MATRIX, FILL_RANDOM, E, m->ssm_v_heads, "blk.%d.ssm_beta.weight", il);
			add(p, ROLE_MATRIX, FILL_RANDOM, E, m->ssm_v_heads, "blk.%d.ssm_alpha.weight", il);
			add(p, ROLE_VECTOR, FILL_ONES, m->ssm_state, 0, "blk.%d.ssm_norm.weight", il);
			add(p, ROLE_MATRIX, FILL_RANDOM, val_dim, E, "blk.%d.ssm_out.weight", il);
		}
		if (m->fam == FAM_GEMMA3)
			add(p, ROLE_VECTOR, FILL_ONES, E, 0, "blk.%d.post_attention_norm.weight", il);
		else if (m->fam == FAM_QWEN35)
			add(p, ROLE_VECTOR, FILL_ONES, E, 0, "blk.%d.post_attention_norm.weight", il);
		if (m->fam != FAM_QWEN35)
			add(p, ROLE_VECTOR, FILL_ONES, E, 0, "blk.%d.ffn_norm.weight", il);
		add(p, ROLE_MATRIX, FILL_RANDOM, E, m->n_ff, "blk.%d.ffn_gate.weight", il);
		add(p, ROLE_MATRIX, FILL_RANDOM, E, m->n_ff, "blk.%d.ffn_up.weight", il);
		add(p, ROLE_FFN_DOWN, FILL_RANDOM, m->n_ff, E, "blk.%d.ffn_down.weight", il);
		if (m->fam == FAM_GEMMA3)
			add(p, ROLE_VECTOR, FILL_ONES, E, 0, "blk.%d.post_ffw_norm.weight", il);
	}
	add(p, ROLE_VECTOR, FILL_ONES, E, 0, "output_norm.weight");
	if (!m->tied)
		add(p, ROLE_OUTPUT, FILL_RANDOM, E, m->n_vocab, "output.weight");
}

enum quant { Q_F32, Q_F16, Q_Q8_0, Q_Q4_K_M };
static const char *const quant_names[] = { "F32", "F16", "Q8_0", "Q4_K_M" };
static const int quant_ftype[] = { 0, 1, 7, 15 }; /* llama_ftype: ALL_F32, MOSTLY_F16, MOSTLY_Q8_0, MOSTLY_Q4_K_M */

/* llama.cpp's "more bits" layers: the first and last eighth, and every third between. */
static bool use_more_bits(int i, int n)
{
	return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

/* K-quants need rows of 256; llama.cpp then falls back to a legacy type of similar size. */
static enum ggml_type fallback(enum ggml_type t, int64_t ne0)
{
	if (ne0 % 256 == 0)
		return t;
	switch (t) {
	case GGML_TYPE_Q4_K:
		return GGML_TYPE_Q5_0;
	case GGML_TYPE_Q5_K:
		return GGML_TYPE_Q5_1;
	case GGML_TYPE_Q6_K:
		return GGML_TYPE_Q8_0;
	default:
		return t;
	}
}

/* The type of each tensor. Q4_K_M follows llama-quant.cpp's rule for dense models:
 * Q4_K by default; Q6_K for output (or token_embd when tied, since it doubles as output)
 * and for attn_v/ffn_down in the use_more_bits() layers, where fused attn_qkv counts as
 * attn_v; rows not a multiple of 256 fall back (Q4_K->Q5_0, Q6_K->Q8_0). Checked tensor
 * by tensor against llama-quantize of an F16 synth file (llama, gemma3, qwen35). */
static void assign_types(struct plan *p, enum quant q)
{
	int i_v = 0, i_down = 0;
	bool has_output = false;
	for (int i = 0; i < p->n; i++)
		has_output |= p->t[i].role == ROLE_OUTPUT;
	for (int i = 0; i < p->n; i++) {
		struct tdesc *t = &p->t[i];
		enum ggml_type ty;
		if (t->role == ROLE_VECTOR || q == Q_F32)
			ty = GGML_TYPE_F32;
		else if (q == Q_F16)
			ty = GGML_TYPE_F16;
		else if (q == Q_Q8_0)
			ty = GGML_TYPE_Q8_0;
		else {
			switch (t->role) {
			case ROLE_OUTPUT:
				ty = GGML_TYPE_Q6_K;
				break;
			case ROLE_EMBD:
				ty = has_output ? GGML_TYPE_Q4_K : GGML_TYPE_Q6_K;
				break;
			case ROLE_ATTN_V:
			case ROLE_ATTN_QKV:
				ty = use_more_bits(i_v, p->n_attn_v) ? GGML_TYPE_Q6_K : GGML_TYPE_Q4_K;
				break;
			case ROLE_FFN_DOWN:
				ty = use_more_bits(i_down, p->n_ffn_down) ? GGML_TYPE_Q6_K : GGML_TYPE_Q4_K;
				break;
			default:
				ty = GGML_TYPE_Q4_K;
				break;
			}
			ty = fallback(ty, t->ne[0]);
		}
		if (t->role == ROLE_ATTN_V || t->role == ROLE_ATTN_QKV)
			i_v++;
		if (t->role == ROLE_FFN_DOWN)
			i_down++;
		t->type = ty;
	}
}

/* ---- random numbers: splitmix64 seeds each row, xorshift64* fills it ---- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Uniform with standard deviation 0.02, the usual initializer range. */
static void fill_row(float *dst, int64_t n, enum fill fill, uint64_t seed)
{
	if (fill != FILL_RANDOM) {
		float v = fill == FILL_ONES ? 1.0f : fill == FILL_NEG ? -1.0f : 0.0f;
		for (int64_t i = 0; i < n; i++)
			dst[i] = v;
		return;
	}
	uint64_t s = splitmix64(seed) | 1;
	const float scale = 0.02f * 1.7320508f / 2147483648.0f;
	for (int64_t i = 0; i < n; i++) {
		s ^= s >> 12;
		s ^= s << 25;
		s ^= s >> 27;
		int32_t r = (int32_t)((s * 0x2545f4914f6cdd1dull) >> 32);
		dst[i] = (float)r * scale;
	}
}

struct job {
	const struct tdesc *t;
	uint64_t seed;
	int64_t row0, n_rows;
	float *src;
	uint8_t *dst;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	const int64_t ne0 = j->t->ne[0];
	for (int64_t r = 0; r < j->n_rows; r++)
		fill_row(j->src + r * ne0, ne0, j->t->fill, j->seed ^ ((uint64_t)(j->row0 + r) * 0x100000001b3ull));
	ggml_quantize_chunk(j->t->type, j->src, j->dst, 0, j->n_rows, ne0, NULL);
	return NULL;
}

/* Generates one tensor in chunks of rows over n_threads and appends it to f. */
static bool write_tensor(FILE *f, const struct tdesc *t, uint64_t seed, int n_threads, float *src, uint8_t *dst)
{
	const int64_t ne0 = t->ne[0], n_rows = t->ne[1];
	const size_t row_bytes = ggml_row_size(t->type, ne0);
	int64_t chunk = CHUNK_FLOATS / ne0;
	if (chunk < 1)
		chunk = 1;
	for (int64_t r0 = 0; r0 < n_rows; r0 += chunk) {
		int64_t nr = n_rows - r0 < chunk ? n_rows - r0 : chunk;
		struct job jobs[16];
		pthread_t th[16];
		int nt = n_threads;
		if (nt > nr)
			nt = (int)nr;
		int64_t per = (nr + nt - 1) / nt, at = 0;
		int started = 0;
		for (int k = 0; k < nt && at < nr; k++) {
			int64_t n = nr - at < per ? nr - at : per;
			jobs[k] = (struct job){ t, seed, r0 + at, n, src + at * ne0, dst + (size_t)at * row_bytes };
			at += n;
			if (k == 0)
				continue;
			if (pthread_create(&th[k], NULL, run_job, &jobs[k]) != 0)
				run_job(&jobs[k]), th[k] = 0;
			started = k;
		}
		run_job(&jobs[0]);
		for (int k = 1; k <= started; k++)
			if (th[k])
				pthread_join(th[k], NULL);
		if (fwrite(dst, row_bytes, (size_t)nr, f) != (size_t)nr)
			return false;
	}
	return true;
}

/* ---- metadata ---- */

static void set_kv(struct gguf_context *g, const struct model_spec *m, const char *key, uint32_t v)
{
	char k[128];
	snprintf(k, sizeof(k), "%s.%s", m->arch, key);
	gguf_set_val_u32(g, k, v);
}

static void set_kvf(struct gguf_context *g, const struct model_spec *m, const char *key, float v)
{
	char k[128];
	snprintf(k, sizeof(k), "%s.%s", m->arch, key);
	gguf_set_val_f32(g, k, v);
}

/* ---- vocabulary ---- */

/* Whisper's vocab files (../shared/models/whisper-vocab-*.bin) hold GPT-2's byte-level
 * BPE tokens as raw bytes in rank order: magic, 11 int32 hyper-parameters, the mel
 * filters (int32 n_mel, int32 n_fft, n_mel * n_fft floats), int32 n_tokens, then each
 * token as uint32 length + bytes. Returns the tokens (pointers into *data, which the
 * caller frees) or NULL with a message on stderr. */
static const unsigned char **read_whisper_vocab(const char *path, unsigned char **data, uint32_t **lens,
						int *n_out)
{
	const unsigned char **tok = NULL;
	FILE *f = fopen(path, "rb");
	long len = -1;
	*data = NULL;
	*lens = NULL;
	if (!f) {
		fprintf(stderr, "synth-model: cannot open '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0)
		len = ftell(f);
	if (len < 64 || len > (1L << 28) || fseek(f, 0, SEEK_SET) != 0 || !(*data = malloc((size_t)len)) ||
	    fread(*data, 1, (size_t)len, f) != (size_t)len)
		goto bad;
	const unsigned char *d = *data, *end = d + len;
	uint32_t magic;
	int32_t n_mel, n_fft, n;
	memcpy(&magic, d, 4);
	memcpy(&n_mel, d + 48, 4);
	memcpy(&n_fft, d + 52, 4);
	if (magic != 0x67676d6cu || n_mel < 0 || n_fft < 0 || (int64_t)n_mel * n_fft * 4 > len - 60)
		goto bad;
	d += 56 + (size_t)n_mel * (size_t)n_fft * 4;
	memcpy(&n, d, 4);
	d += 4;
	if (n <= 0 || n > (1 << 22) || !(tok = calloc((size_t)n, sizeof(*tok))) ||
	    !(*lens = calloc((size_t)n, sizeof(**lens))))
		goto bad;
	for (int i = 0; i < n; i++) {
		uint32_t l;
		if (end - d < 4)
			goto bad;
		memcpy(&l, d, 4);
		d += 4;
		if ((size_t)(end - d) < l)
			goto bad;
		tok[i] = d;
		(*lens)[i] = l;
		d += l;
	}
	fclose(f);
	*n_out = n;
	return tok;
bad:
	fprintf(stderr, "synth-model: '%s' is not a whisper.cpp vocab file\n", path);
	fclose(f);
	free(tok);
	free(*lens);
	free(*data);
	*lens = NULL;
	*data = NULL;
	return NULL;
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
		if (k == 9 || (k == 1 && c < 0xc2) || i + k >= n)
			return false;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return n > 0;
}

/* An open-addressing set of token strings, so that the vocabulary has no duplicates
 * (llama.cpp maps text to one id). */
struct strset {
	const char **slot;
	size_t cap;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* Adds s unless present; returns false if it was present. */
static bool strset_add(struct strset *set, const char *s)
{
	size_t i = (size_t)hash_str(s) & (set->cap - 1);
	for (; set->slot[i]; i = (i + 1) & (set->cap - 1))
		if (!strcmp(set->slot[i], s))
			return false;
	set->slot[i] = s;
	return true;
}

enum { TT_NORMAL = 1, TT_UNKNOWN = 2, TT_CONTROL = 3, TT_BYTE = 6 };

/* A SentencePiece ("llama") vocabulary of the real size: <unk> <s> </s>, the 256 byte
 * tokens llama.cpp falls back to ("<0x0A>" for newline), then, when bpe is given, GPT-2's
 * BPE tokens in rank order with the byte-level space spelled as SPM's U+2581 and scores
 * falling with rank (SPM merges adjacent pieces whose concatenation is a token, highest
 * score first; a BPE vocabulary holds every intermediate merge, so English comes out at
 * about 1.3 tokens a word, as with a real tokenizer), then unique fillers no text spells. Without
 * bpe, only fillers follow the bytes (about 9 tokens a word). Returns false on OOM. */
static bool set_vocab(struct gguf_context *g, int n_vocab, const unsigned char **bpe, const uint32_t *bpe_len,
		      int n_bpe)
{
	char **tok = calloc((size_t)n_vocab, sizeof(*tok));
	float *score = calloc((size_t)n_vocab, sizeof(*score));
	int32_t *type = calloc((size_t)n_vocab, sizeof(*type));
	struct strset set = { NULL, 1 };
	while (set.cap < (size_t)n_vocab * 2)
		set.cap *= 2;
	set.slot = calloc(set.cap, sizeof(*set.slot));
	bool ok = tok && score && type && set.slot;
	int i = 0;
	for (; ok && i < 3 + 256 && i < n_vocab; i++) {
		char buf[16];
		if (i == 0)
			strcpy(buf, "<unk>"), type[i] = TT_UNKNOWN;
		else if (i == 1)
			strcpy(buf, "<s>"), type[i] = TT_CONTROL;
		else if (i == 2)
			strcpy(buf, "</s>"), type[i] = TT_CONTROL;
		else
			snprintf(buf, sizeof(buf), "<0x%02X>", i - 3), type[i] = TT_BYTE;
		ok = (tok[i] = strdup(buf)) != NULL;
		if (ok)
			strset_add(&set, tok[i]);
	}
	for (int k = 0; ok && k < n_bpe && i < n_vocab; k++) {
		const unsigned char *s = bpe[k];
		size_t n = bpe_len[k], at = 0;
		if (!valid_utf8(s, n) || (n > 2 && s[0] == '<' && s[1] == '|'))
			continue; /* a lone byte of a multi-byte character, or a special token */
		char *t = malloc(n * 3 + 1);
		if (!(ok = t != NULL))
			break;
		for (size_t j = 0; j < n; j++) {
			if (s[j] == ' ')
				memcpy(t + at, "\xe2\x96\x81", 3), at += 3;
			else
				t[at++] = (char)s[j];
		}
		t[at] = 0;
		if (!strset_add(&set, t)) {
			free(t);
			continue;
		}
		tok[i] = t;
		type[i] = TT_NORMAL;
		score[i] = -(float)k;
		i++;
	}
	for (int k = 0; ok && i < n_vocab; i++, k++) {
		char buf[32];
		snprintf(buf, sizeof(buf), bpe ? "<unused%d>" : "t%d", bpe ? k : i);
		ok = (tok[i] = strdup(buf)) != NULL;
		/* NORMAL, so that a random model's picks print as text like a real vocabulary's
		 * (llama.cpp gives UNUSED tokens an empty piece, which a grammar rejects); no
		 * merge of real pieces spells "<unusedN>", so English never becomes a filler */
		type[i] = TT_NORMAL;
		score[i] = bpe ? -1e9f : -(float)i;
	}
	if (ok) {
		gguf_set_val_str(g, "tokenizer.ggml.model", "llama");
		gguf_set_arr_str(g, "tokenizer.ggml.tokens", (const char **)tok, (size_t)n_vocab);
		gguf_set_arr_data(g, "tokenizer.ggml.scores", GGUF_TYPE_FLOAT32, score, (size_t)n_vocab);
		gguf_set_arr_data(g, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, type, (size_t)n_vocab);
		gguf_set_val_u32(g, "tokenizer.ggml.unknown_token_id", 0);
		gguf_set_val_u32(g, "tokenizer.ggml.bos_token_id", 1);
		gguf_set_val_u32(g, "tokenizer.ggml.eos_token_id", 2);
		gguf_set_val_bool(g, "tokenizer.ggml.add_bos_token", true);
	}
	for (int k = 0; tok && k < n_vocab; k++)
		free(tok[k]);
	free(set.slot);
	free(type);
	free(score);
	free(tok);
	return ok;
}

struct bpe {
	const unsigned char **tok;
	const uint32_t *len;
	int n;
};

static bool set_metadata(struct gguf_context *g, const struct model_spec *m, enum quant q, int n_ctx,
			 const struct bpe *bpe)
{
	char name[96];
	snprintf(name, sizeof(name), "synthetic %s (random weights)", m->name);
	gguf_set_val_str(g, "general.architecture", m->arch);
	gguf_set_val_str(g, "general.name", name);
	gguf_set_val_str(g, "general.description",
			 bpe->tok ? "random weights with real shapes and GPT-2's BPE vocabulary as SentencePiece, "
				    "written by tacit's tools/synth-model"
				  : "random weights with real shapes and a byte-level vocabulary, written by tacit's "
				    "tools/synth-model");
	gguf_set_val_u32(g, "general.file_type", (uint32_t)quant_ftype[q]);
	gguf_set_val_u32(g, "general.quantization_version", 2);
	set_kv(g, m, "context_length", (uint32_t)n_ctx);
	set_kv(g, m, "embedding_length", (uint32_t)m->n_embd);
	set_kv(g, m, "block_count", (uint32_t)m->n_layer);
	set_kv(g, m, "feed_forward_length", (uint32_t)m->n_ff);
	set_kv(g, m, "attention.head_count", (uint32_t)m->n_head);
	set_kv(g, m, "attention.head_count_kv", (uint32_t)m->n_head_kv);
	set_kv(g, m, "attention.key_length", (uint32_t)m->head_dim);
	set_kv(g, m, "attention.value_length", (uint32_t)m->head_dim);
	set_kv(g, m, "rope.dimension_count", (uint32_t)(m->n_rot ? m->n_rot : m->head_dim));
	set_kv(g, m, "vocab_size", (uint32_t)m->n_vocab);
	set_kvf(g, m, "rope.freq_base", m->rope_base);
	set_kvf(g, m, "attention.layer_norm_rms_epsilon", m->eps);
	if (m->fam == FAM_GEMMA3)
		set_kv(g, m, "attention.sliding_window", (uint32_t)m->n_swa);
	if (m->fam == FAM_QWEN35) {
		/* multimodal rope sections over the 64 rotary dims, as Qwen3.5 ships them */
		const int32_t sections[4] = { 11, 11, 10, 0 };
		char k[128];
		snprintf(k, sizeof(k), "%s.rope.dimension_sections", m->arch);
		gguf_set_arr_data(g, k, GGUF_TYPE_INT32, sections, 4);
		set_kv(g, m, "ssm.conv_kernel", (uint32_t)m->ssm_conv);
		set_kv(g, m, "ssm.state_size", (uint32_t)m->ssm_state);
		set_kv(g, m, "ssm.group_count", (uint32_t)m->ssm_k_heads);
		set_kv(g, m, "ssm.time_step_rank", (uint32_t)m->ssm_v_heads);
		set_kv(g, m, "ssm.inner_size", (uint32_t)(m->ssm_state * m->ssm_v_heads));
		set_kv(g, m, "full_attention_interval", (uint32_t)m->attn_interval);
	}
	if (m->fam == FAM_BERT) {
		char k[128];
		set_kvf(g, m, "attention.layer_norm_epsilon", m->eps);
		snprintf(k, sizeof(k), "%s.attention.causal", m->arch);
		gguf_set_val_bool(g, k, false);
		set_kv(g, m, "pooling_type", 2); /* CLS: the first token's state */
		gguf_set_val_u32(g, "tokenizer.ggml.token_type_count", 2);
	}
	return set_vocab(g, m->n_vocab, bpe->tok, bpe->len, bpe->n);
}

/* ---- command line ---- */

static void usage(FILE *f)
{
	fprintf(f, "usage: synth-model --arch NAME [--out FILE] [--quant Q4_K_M|Q8_0|F16|F32] [--seed N]\n"
		   "                   [--ctx N] [--layers N] [--vocab N] [--threads N] [--quiet]\n"
		   "                   [--tokenizer bpe|bytes] [--bpe-vocab WHISPER-VOCAB.bin]\n"
		   "       synth-model --list [--json]\n"
		   "Writes a GGUF with the real tensor names, shapes and quantization mix of NAME and\n"
		   "random weights (default out: build/models/NAME-QUANT.gguf). --layers and --vocab\n"
		   "shrink a model for tests. The vocabulary (--tokenizer bpe, the default) is GPT-2's\n"
		   "BPE tokens from a whisper.cpp vocab file (default: $TACIT_SHARED or ../shared,\n"
		   "models/whisper-vocab-base.en.bin) written as SentencePiece, about 1.3 tokens per\n"
		   "English word like a real model; --tokenizer bytes writes byte tokens and fillers\n"
		   "(about 9 tokens a word).\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "synth-model: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see 'synth-model --help')\n");
	return EXIT_USAGE;
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

/* Everything an estimate needs, per model, for joining with measurements. */
static void list_models_json(void)
{
	printf("[");
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const struct model_spec *m = &specs[i];
		int n_full = 0;
		for (int il = 0; il < m->n_layer; il++)
			n_full += is_full_attn(m, il);
		/* gemma3: every 6th layer is global, the rest slide */
		int n_swa = m->fam == FAM_GEMMA3 ? n_full - n_full / 6 : 0;
		printf("%s\n{\"name\":\"%s\",\"arch\":\"%s\",\"n_layers\":%d,\"n_embd\":%d,\"n_head\":%d,"
		       "\"n_head_kv\":%d,\"head_dim\":%d,\"n_ff\":%d,\"n_vocab\":%d,\"n_ctx_train\":%d,"
		       "\"tied\":%s,\"attn_full_layers\":%d,\"attn_swa_layers\":%d,\"sliding_window\":%d,"
		       "\"recurrent_layers\":%d,\"ssm_state\":%d,\"ssm_k_heads\":%d,\"ssm_v_heads\":%d,"
		       "\"ssm_conv\":%d}",
		       i ? "," : "", m->name, m->arch, m->n_layer, m->n_embd, m->n_head, m->n_head_kv, m->head_dim,
		       m->n_ff, m->n_vocab, m->n_ctx_train, m->tied ? "true" : "false", n_full - n_swa, n_swa, m->n_swa,
		       m->n_layer - n_full, m->ssm_state, m->ssm_k_heads, m->ssm_v_heads, m->ssm_conv);
	}
	printf("\n]\n");
}

static void list_models(void)
{
	printf("%-14s %-7s %6s %6s %5s %5s %5s %6s %7s %4s\n", "name", "arch", "layers", "embd", "head", "kv",
	       "hdim", "ffn", "vocab", "tied");
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const struct model_spec *m = &specs[i];
		printf("%-14s %-7s %6d %6d %5d %5d %5d %6d %7d %4s\n", m->name, m->arch, m->n_layer, m->n_embd,
		       m->n_head, m->n_head_kv, m->head_dim, m->n_ff, m->n_vocab, m->tied ? "yes" : "no");
	}
}

static int make_dirs(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *arch = NULL, *out = NULL, *quant = "Q4_K_M", *tokenizer = "bpe", *bpe_path = NULL;
	long seed = 1, ctx = 0, layers = 0, vocab = 0, threads = 2;
	bool quiet = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--list")) {
			bool json = i + 1 < argc && !strcmp(argv[i + 1], "--json");
			if (json)
				list_models_json();
			else
				list_models();
			return 0;
		} else if (!strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!has_val && a[0] == '-' && strcmp(a, "-")) {
			if (!strcmp(a, "--arch") || !strcmp(a, "--out") || !strcmp(a, "--quant") || !strcmp(a, "--seed") ||
			    !strcmp(a, "--ctx") || !strcmp(a, "--layers") || !strcmp(a, "--vocab") ||
			    !strcmp(a, "--threads") || !strcmp(a, "--tokenizer") || !strcmp(a, "--bpe-vocab"))
				return usage_error("'%s' needs a value", a);
			return usage_error("unknown option '%s'", a);
		} else if (!strcmp(a, "--arch")) {
			arch = argv[++i];
		} else if (!strcmp(a, "--out")) {
			out = argv[++i];
		} else if (!strcmp(a, "--tokenizer")) {
			tokenizer = argv[++i];
			if (strcmp(tokenizer, "bpe") && strcmp(tokenizer, "bytes"))
				return usage_error("unknown --tokenizer '%s' (bpe or bytes)", tokenizer);
		} else if (!strcmp(a, "--bpe-vocab")) {
			bpe_path = argv[++i];
		} else if (!strcmp(a, "--quant")) {
			quant = argv[++i];
		} else if (!strcmp(a, "--seed")) {
			if (!parse_int(argv[++i], 0, 0x7fffffffL, &seed))
				return usage_error("bad --seed '%s'", argv[i]);
		} else if (!strcmp(a, "--ctx")) {
			if (!parse_int(argv[++i], 16, 1L << 24, &ctx))
				return usage_error("bad --ctx '%s' (16 to 16777216)", argv[i]);
		} else if (!strcmp(a, "--layers")) {
			if (!parse_int(argv[++i], 1, 512, &layers))
				return usage_error("bad --layers '%s' (1 to 512)", argv[i]);
		} else if (!strcmp(a, "--vocab")) {
			if (!parse_int(argv[++i], 260, 1L << 20, &vocab))
				return usage_error("bad --vocab '%s' (260 to 1048576)", argv[i]);
		} else if (!strcmp(a, "--threads")) {
			if (!parse_int(argv[++i], 1, 16, &threads))
				return usage_error("bad --threads '%s' (1 to 16)", argv[i]);
		} else {
			return usage_error("unknown argument '%s'", a);
		}
	}
	if (!arch)
		return usage_error("%s", "missing --arch NAME (see --list)");
	const struct model_spec *found = NULL;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (!strcmp(specs[i].name, arch))
			found = &specs[i];
	if (!found)
		return usage_error("unknown model '%s' (see --list)", arch);
	enum quant q = Q_F32;
	bool qok = false;
	for (int i = 0; i < 4; i++)
		if (!strcmp(quant, quant_names[i]))
			q = (enum quant)i, qok = true;
	if (!qok)
		return usage_error("unknown --quant '%s' (Q4_K_M, Q8_0, F16 or F32)", quant);

	struct model_spec m = *found;
	if (layers)
		m.n_layer = (int)layers;
	if (vocab)
		m.n_vocab = (int)vocab;
	if (m.fam == FAM_QWEN35 && m.n_layer < m.attn_interval)
		m.attn_interval = m.n_layer; /* keep one full-attention layer */

	/* The BPE vocabulary: the file given, else the shared one; without either the
	 * vocabulary is byte-level, said on stderr (tests run without ../shared). */
	struct bpe bpe = { NULL, NULL, 0 };
	unsigned char *bpe_data = NULL;
	uint32_t *bpe_lens = NULL;
	if (!strcmp(tokenizer, "bpe")) {
		char def_vocab[4200];
		const char *sh = getenv("TACIT_SHARED");
		if (!bpe_path) {
			snprintf(def_vocab, sizeof(def_vocab), "%s/models/whisper-vocab-base.en.bin",
				 sh && *sh ? sh : "../shared");
			if (access(def_vocab, R_OK) == 0)
				bpe_path = def_vocab;
			else
				fprintf(stderr, "synth-model: no '%s' (set --bpe-vocab); writing a byte-level vocabulary "
						"(about 9 tokens a word)\n",
					def_vocab);
		}
		if (bpe_path && !(bpe.tok = read_whisper_vocab(bpe_path, &bpe_data, &bpe_lens, &bpe.n)))
			return 1;
		bpe.len = bpe_lens;
	}

	char def_out[512];
	if (!out) {
		snprintf(def_out, sizeof(def_out), "build/models/%s-%s.gguf", m.name, quant_names[q]);
		out = def_out;
	}

	int rc = 1;
	struct plan *p = calloc(1, sizeof(*p));
	struct gguf_context *g = gguf_init_empty();
	struct ggml_context *gc = NULL;
	float *src = NULL;
	uint8_t *dst = NULL, *meta = NULL;
	FILE *f = NULL;
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.partial", out);
	if (!p || !g)
		goto oom;
	plan_tensors(&m, p);
	assign_types(p, q);
	if (!set_metadata(g, &m, q, ctx ? (int)ctx : m.n_ctx_train, &bpe))
		goto oom;
	if (m.fam == FAM_QWEN35 && m.attn_interval != found->attn_interval)
		set_kv(g, &m, "full_attention_interval", (uint32_t)m.attn_interval);

	struct ggml_init_params ip = { (size_t)p->n * ggml_tensor_overhead() + 1024, NULL, true };
	gc = ggml_init(ip);
	if (!gc)
		goto oom;
	int64_t n_params = 0, max_row_bytes = 0, max_ne0 = 0;
	for (int i = 0; i < p->n; i++) {
		const struct tdesc *t = &p->t[i];
		struct ggml_tensor *x = ggml_new_tensor(gc, t->type, t->n_dims, t->ne);
		ggml_set_name(x, t->name);
		gguf_add_tensor(g, x);
		n_params += t->ne[0] * t->ne[1];
		if ((int64_t)ggml_row_size(t->type, t->ne[0]) > max_row_bytes)
			max_row_bytes = (int64_t)ggml_row_size(t->type, t->ne[0]);
		if (t->ne[0] > max_ne0)
			max_ne0 = t->ne[0];
	}
	/* a chunk holds at least one row */
	int64_t cap = CHUNK_FLOATS > max_ne0 ? CHUNK_FLOATS : max_ne0;
	src = malloc((size_t)cap * sizeof(float));
	dst = malloc((size_t)cap * sizeof(float) + (size_t)max_row_bytes);
	size_t meta_size = gguf_get_meta_size(g);
	meta = malloc(meta_size);
	if (!src || !dst || !meta)
		goto oom;
	gguf_get_meta_data(g, meta);

	if (make_dirs(out) != 0 || !(f = fopen(tmp, "wb"))) {
		fprintf(stderr, "synth-model: cannot write '%s': %s\n", tmp, strerror(errno));
		goto out;
	}
	struct timespec ts0, ts1;
	clock_gettime(CLOCK_MONOTONIC, &ts0);
	if (fwrite(meta, 1, meta_size, f) != meta_size)
		goto io;
	const size_t align = gguf_get_alignment(g);
	static const uint8_t zeros[64];
	for (int i = 0; i < p->n; i++) {
		const struct tdesc *t = &p->t[i];
		ggml_quantize_init(t->type);
		if (!write_tensor(f, t, splitmix64((uint64_t)seed * 1000003u + (uint64_t)i), (int)threads, src, dst))
			goto io;
		size_t nb = ggml_row_size(t->type, t->ne[0]) * (size_t)t->ne[1];
		size_t pad = (align - nb % align) % align;
		if (pad && fwrite(zeros, 1, pad, f) != pad)
			goto io;
		if (!quiet && isatty(2))
			fprintf(stderr, "\rsynth-model: %d/%d tensors", i + 1, p->n);
	}
	if (fflush(f) != 0 || ferror(f))
		goto io;
	long long bytes = (long long)ftell(f);
	if (fclose(f) != 0) {
		f = NULL;
		goto io;
	}
	f = NULL;
	if (rename(tmp, out) != 0) {
		fprintf(stderr, "synth-model: cannot rename '%s' to '%s': %s\n", tmp, out, strerror(errno));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts1);
	if (!quiet && isatty(2))
		fprintf(stderr, "\n");
	printf("%s: %s %s, %d layers, %d tensors, %" PRId64 " params, %lld bytes, %.1f s\n", out, m.name,
	       quant_names[q], m.n_layer, p->n, n_params, bytes,
	       (double)(ts1.tv_sec - ts0.tv_sec) + (double)(ts1.tv_nsec - ts0.tv_nsec) * 1e-9);
	rc = 0;
	goto out;
io:
	fprintf(stderr, "synth-model: cannot write '%s': %s\n", tmp, strerror(errno));
	if (f)
		fclose(f);
	f = NULL;
	remove(tmp);
	goto out;
oom:
	fprintf(stderr, "synth-model: out of memory\n");
out:
	if (f) {
		fclose(f);
		remove(tmp);
	}
	free(meta);
	free(dst);
	free(src);
	if (gc)
		ggml_free(gc);
	if (g)
		gguf_free(g);
	free(p);
	free(bpe.tok);
	free(bpe_lens);
	free(bpe_data);
	ggml_quantize_free();
	return rc;
}
