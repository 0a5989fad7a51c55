/*
 * layout.c — a GGUF header's facts as the fit scorer's model layout, so a custom model
 * (or any file on disk) is scored by the same arithmetic as a catalog entry. Where the
 * file does not say how layers are split (sliding window, recurrent), llama.cpp's own
 * per-architecture rule applies; an unknown rule counts layers as full attention, which
 * can only overestimate memory.
 */
#include "internal.h"

/* llama.cpp's fixed sliding-window patterns (hparams.set_swa_pattern(N) in its model
 * loader): of every N layers the last has full attention, the others a sliding window. */
static const struct {
	const char *arch;
	unsigned pattern;
} swa_patterns[] = {
	{ "gemma2", 2 },
	{ "gemma3", 6 },
	{ "gemma3n", 5 },
	{ "cohere2", 4 },
};

static uint64_t key_u64(const struct tacit_gguf_info *in, const char *suffix, uint64_t def)
{
	char key[160];
	uint64_t v;
	snprintf(key, sizeof(key), "%s.%s", in->architecture, suffix);
	return tacit_gguf_info_get_u64(in, key, &v) ? v : def;
}

static size_t key_array_len(const struct tacit_gguf_info *in, const char *suffix)
{
	char key[160];
	snprintf(key, sizeof(key), "%s.%s", in->architecture, suffix);
	return tacit_gguf_info_array_len(in, key);
}

static bool key_u64_at(const struct tacit_gguf_info *in, const char *suffix, size_t i, uint64_t *out)
{
	char key[160];
	snprintf(key, sizeof(key), "%s.%s", in->architecture, suffix);
	return tacit_gguf_info_get_u64_at(in, key, i, out);
}

static int clamp_int(uint64_t v, int max)
{
	return v > (uint64_t)max ? max : (int)v;
}

/* Recurrent state of one layer, per sequence, f32 as llama.cpp keeps it. Gated DeltaNet
 * (qwen3next, qwen35): a head_k x head_v matrix per value head plus the convolution's
 * last conv-1 inputs over the q, k and v channels. Mamba-style: d_inner x d_state plus
 * the convolution over d_inner (+ B and C groups). */
static uint64_t recurrent_state(const struct tacit_gguf_info *in)
{
	uint64_t d_state = key_u64(in, "ssm.state_size", 0), d_inner = key_u64(in, "ssm.inner_size", 0);
	uint64_t groups = key_u64(in, "ssm.group_count", 0), conv = key_u64(in, "ssm.conv_kernel", 4);
	uint64_t v_heads = key_u64(in, "ssm.time_step_rank", 0);
	uint64_t conv_keep = conv > 1 ? conv - 1 : 0;
	if (key_u64(in, "full_attention_interval", 0) && v_heads && d_state && d_inner) {
		uint64_t head_v = d_inner / v_heads;
		return 4 * (v_heads * d_state * head_v + conv_keep * (2 * groups * d_state + d_inner));
	}
	if (d_state && d_inner)
		return 4 * (d_inner * d_state + conv_keep * (d_inner + 2 * (groups ? groups : 1) * d_state));
	return 0;
}

enum tacit_status tacit_gguf_layout(const struct tacit_gguf_info *in, struct tacit_model_layout *out)
{
	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_gguf_layout: out is NULL");
	memset(out, 0, sizeof(*out));
	if (!in)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_gguf_layout: info is NULL");
	uint64_t nextn = key_u64(in, "nextn_predict_layers", 0);
	uint64_t layers = in->n_layers > nextn ? in->n_layers - nextn : 0;
	if (layers < 1 || layers > 1024 || !in->n_embd || !in->n_head || !in->n_vocab || !in->weight_bytes)
		return tacit_fail(TACIT_ERR_UNSUPPORTED,
				  "model '%s' lacks what the fit scorer needs (%s: %llu layers, embedding %llu, %llu "
				  "heads, vocabulary %llu): not a language model tacit can score",
				  in->name, in->architecture, (unsigned long long)layers, (unsigned long long)in->n_embd,
				  (unsigned long long)in->n_head, (unsigned long long)in->n_vocab);
	int n = (int)layers;
	out->n_layers = n;
	out->weights_bytes = in->weight_bytes;
	out->params_total = in->n_params;
	out->n_embd = clamp_int(in->n_embd, 1 << 20);
	out->n_head = clamp_int(in->n_head, 4096);
	out->n_vocab = clamp_int(in->n_vocab, 16 << 20);
	out->n_head_kv = clamp_int(in->n_head_kv ? in->n_head_kv : in->n_head, 4096);
	out->head_dim = clamp_int(in->head_dim ? in->head_dim : in->n_embd / in->n_head, 65536);
	if (in->head_dim_v > in->head_dim) /* K and V sizes differ (MLA, some hybrids): the larger */
		out->head_dim = clamp_int(in->head_dim_v, 65536);
	if (out->head_dim < 1)
		out->head_dim = 1;

	/* Which layers are what: a per-layer head_count_kv with zeros marks recurrent layers;
	 * a full_attention_interval puts full attention on every Nth; a sliding-window
	 * pattern (array of per-layer flags, a number, or llama.cpp's fixed rule) splits the
	 * attention layers into full and sliding. */
	int rec = 0, swa = 0;
	uint64_t interval = key_u64(in, "full_attention_interval", 0);
	if (key_array_len(in, "attention.head_count_kv") == layers) {
		for (size_t i = 0; i < layers; i++) {
			uint64_t v;
			if (key_u64_at(in, "attention.head_count_kv", i, &v) && v == 0)
				rec++;
		}
	} else if (interval > 1) {
		rec = n - (int)(layers / interval);
	}
	if (in->sliding_window) {
		size_t plen = key_array_len(in, "attention.sliding_window_pattern");
		uint64_t pattern = key_u64(in, "attention.sliding_window_pattern", 0);
		for (size_t i = 0; pattern == 0 && i < ARRAY_SIZE(swa_patterns); i++)
			if (!strcmp(in->architecture, swa_patterns[i].arch))
				pattern = swa_patterns[i].pattern;
		if (plen == layers) {
			for (size_t i = 0; i < layers; i++) {
				uint64_t v;
				if (key_u64_at(in, "attention.sliding_window_pattern", i, &v) && v)
					swa++;
			}
		} else if (pattern > 1) {
			for (int i = 0; i < n; i++)
				swa += (uint64_t)i % pattern < pattern - 1;
		}
		if (swa > n - rec)
			swa = n - rec;
	}
	out->recurrent_layers = rec;
	out->attn_swa_layers = swa;
	out->attn_full_layers = n - rec - swa;
	if (out->attn_full_layers == 0 && swa == 0) /* the scorer needs attention somewhere */
		return tacit_fail(TACIT_ERR_UNSUPPORTED, "model '%s' (%s) has no attention layers tacit can score",
				  in->name, in->architecture);
	if (swa) {
		out->sliding_window = clamp_int(in->sliding_window, 1 << 24);
		out->swa_n_head_kv = out->n_head_kv;
		out->swa_head_dim = out->head_dim;
		uint64_t swa_kl = key_u64(in, "attention.key_length_swa", 0);
		if (swa_kl)
			out->swa_head_dim = clamp_int(swa_kl, 65536);
	}
	if (rec) {
		out->recurrent_state_bytes_per_layer = recurrent_state(in);
		if (!out->recurrent_state_bytes_per_layer)
			out->recurrent_state_bytes_per_layer = 1;
	}
	/* ggml's CPU backend repacks these types for its interleaved matmul kernels */
	for (size_t i = 0; i < in->n_types; i++)
		if (in->types[i].type == 2 || in->types[i].type == 12 || in->types[i].type == 20) /* q4_0, q4_K, iq4_nl */
			out->cpu_repack_bytes += in->types[i].n_bytes;
	uint64_t shared = key_u64(in, "attention.shared_kv_layers", 0);
	out->kv_shared_layers = shared < layers ? (int)shared : 0;
	if (in->n_expert > 1 && in->n_expert_used >= 1 && in->n_expert_used <= in->n_expert) {
		out->n_expert = clamp_int(in->n_expert, 65536);
		out->n_expert_used = clamp_int(in->n_expert_used, out->n_expert);
		/* the experts not routed to are not read: scale their share of the weights */
		double unused = (double)in->expert_bytes / (double)in->weight_bytes *
				(1.0 - (double)in->n_expert_used / (double)in->n_expert);
		out->params_active = (uint64_t)((double)in->n_params * (1.0 - unused));
		if (out->params_active < 1)
			out->params_active = 1;
	}
	return TACIT_OK;
}
