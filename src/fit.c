/*
 * fit.c — the hardware-fit scorer: memory a model needs (weights, KV cache, compute
 * buffers, overhead) against memory the machine has, a GPU layer plan, a decode-speed
 * estimate, and the verdict the model picker shows. Pure arithmetic on plain structs.
 * Every threshold is a named constant in the block below, the one place they live;
 * docs/fit.md explains the formulas.
 */
#include "internal.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

/* ---- thresholds and model constants -------------------------------------------------
 *
 * GREAT_FIT_HEADROOM      A Great fit leaves at least this fraction of the memory it is
 *                         set against free: room for the browser, the meeting app and
 *                         whisper, and for the estimate's own error (about 10%).
 * CATASTROPHIC_SPILL      When more than this fraction of the layers would run on the
 *                         CPU of a GPU machine and the estimate falls below
 *                         SLOW_TOKENS_PER_S, the model is not listed (--all shows it):
 *                         decode speed is then set by the CPU part. A mixture of experts
 *                         reads few bytes per token and stays usable with most layers on
 *                         the CPU, so the ratio alone does not hide it.
 * SLOW_TOKENS_PER_S       On a machine without a GPU, below this decode speed the model
 *                         is "+ Slow". 5 tokens/s is about reading speed (roughly 4
 *                         words/s): a 400-token summary takes 80 s, the longest a user
 *                         waits without giving up; live suggestions need more.
 * APPLE_WORKING_SET_*     Metal lets the GPU wire at most recommendedMaxWorkingSetSize:
 *                         about 2/3 of RAM up to 36 GB, about 3/4 above.
 * IGPU_SHARED_FRACTION    Other integrated GPUs (Intel, AMD APUs) may use about half of
 *                         system RAM (the Windows shared-memory default; Vulkan heaps on
 *                         Linux are similar).
 * CPU_BANDWIDTH_EFFICIENCY Decode is memory-bound: a token streams every active weight
 *                         once, plus a fixed cost per layer (CPU_LAYER_SECONDS). Fitted
 *                         by bench/fit_check.c on bench/models.sh's measurements on an
 *                         idle 2-core AMD EPYC (triad 27.4 GB/s, 2 threads), decode tok/s
 *                         measured / bytes read per token / layers: gemma-3-1b 33.4 /
 *                         800 MB / 26, llama-3.2-1b 37.6 / 800 MB / 16, qwen2.5-0.5b 55.7
 *                         / 392 MB / 24, qwen3-0.6b 62.6 / 391 MB / 28, qwen2.5-1.5b 33.6
 *                         / 970 MB / 28, qwen3-1.7b 30.8 / 1089 MB / 28, qwen3.5-2b 25.4
 *                         / 1263 MB / 24. The minimax fit of 1 / (bytes / rate + layers x
 *                         c) gives a rate of 39 GB/s, 1.42 x triad (decode only reads
 *                         and the weights stream in order; triad also writes), and c =
 *                         0.27 ms: every model within 9.1 %. A four-model fit (rate 1.10
 *                         x triad, 0.16 ms) under-estimated the 1.5-2B models by 15-22 %.
 * CPU_LAYER_SECONDS       That fixed cost per layer on the CPU: about a dozen graph nodes
 *                         per layer, each ending in a barrier of all threads.
 * GPU_BANDWIDTH_EFFICIENCY The same for a GPU's published peak: 0.65, the usual fraction
 *                         llama-bench reaches on discrete GPUs; not measured here (no GPU).
 * CPU_BYTES_PER_S_PER_CORE A core dequantizes and multiplies about 20 GB/s of Q4_K
 *                         weights (AVX2/AVX-512; 2 threads streamed up to 33 GB/s in the
 *                         runs above without reaching a compute limit): the limit on
 *                         machines with many memory channels and few cores.
 * DEFAULT_*_BANDWIDTH_GBS Used when bandwidth is unknown (not measured, GPU not in the
 *                         table): a single DDR4 channel pair, a low-end GPU.
 * COMPUTE_ACT_ROWS        Compute buffer = 4 B x n_ubatch x (ROWS x n_embd + n_vocab):
 *                         llama.cpp reserves its graph for a whole micro-batch of
 *                         outputs (`sched_reserve: CPU compute buffer size = 528 MiB` for
 *                         gemma-3-1b, 262K vocabulary, n_ubatch 512), the widest
 *                         activations (FFN gate and up, attention in and out) plus the
 *                         logits. A GPU backend allocates that reserve in device memory.
 *                         On the CPU the reserve is plain virtual memory and only the
 *                         pages used become resident: the activations and one row of
 *                         logits (tacit asks for the last token's only), so there the
 *                         formula is 4 B x (n_ubatch x ROWS x n_embd + n_vocab), which
 *                         is what peak RSS measures. Flash attention (llama.cpp's
 *                         default where supported) keeps the attention scratch small.
 * FIXED_OVERHEAD_BYTES    The process, ggml/llama.cpp runtime, tokenizer and graph
 *                         metadata, in RAM. Calibrated on measured peak RSS less weights,
 *                         KV cache, compute and the CPU's repacked weights: 76 - 46 MiB
 *                         (qwen2.5-0.5b), 252 - 225 (qwen3-0.6b), 210 - 95 (gemma-3-1b),
 *                         496 - 485 (llama-3.2-1b) at n_ctx 4096; 144 MiB keeps every one
 *                         within 150 MiB and errs on the side of more memory.
 * CPU repack              On a machine without a GPU, llama.cpp copies q4_0/q4_K/iq4_nl
 *                         weights into an interleaved layout for its matmul kernels while
 *                         the file stays mapped: those bytes count twice (the layout's
 *                         cpu_repack_bytes; llama-3.2-1b Q4_K_M: 445 MiB of q4_K, 427 MiB
 *                         of extra anonymous memory measured). Catalog entries, known
 *                         only by their published facts, carry an estimate from the
 *                         Q4_K_M recipe (src/catalog.c) until downloaded.
 * GPU_CONTEXT_BYTES       A discrete GPU's driver context (CUDA, Vulkan) in VRAM.
 * SWA cache size          llama.cpp keeps window + n_ubatch cells for a sliding layer
 *                         (tacit loads with swa_full = false), never more than n_ctx.
 */
static const double GREAT_FIT_HEADROOM = 0.20;
static const double CATASTROPHIC_SPILL = 0.50;
static const double SLOW_TOKENS_PER_S = 5.0;
static const double APPLE_WORKING_SET_SMALL = 0.67;
static const double APPLE_WORKING_SET_LARGE = 0.75;
static const double APPLE_WORKING_SET_BREAK_GIB = 36.0;
static const double IGPU_SHARED_FRACTION = 0.50;
static const double CPU_BANDWIDTH_EFFICIENCY = 1.42;
static const double CPU_LAYER_SECONDS = 0.27e-3;
static const double GPU_BANDWIDTH_EFFICIENCY = 0.65;
static const double CPU_BYTES_PER_S_PER_CORE = 20e9;
static const double DEFAULT_CPU_BANDWIDTH_GBS = 20.0;
static const double DEFAULT_GPU_BANDWIDTH_GBS = 100.0;
static const double COMPUTE_ACT_ROWS = 10.0;
static const uint64_t FIXED_OVERHEAD_BYTES = 144ull << 20;
static const uint64_t GPU_CONTEXT_BYTES = 384ull << 20;

#define DEFAULT_N_CTX 8192
#define DEFAULT_N_UBATCH 512

struct tacit_fit_params tacit_fit_default_params(void)
{
	struct tacit_fit_params p = {
		.n_ctx = DEFAULT_N_CTX,
		.n_ubatch = DEFAULT_N_UBATCH,
		.kv_type = TACIT_KV_F16,
	};
	return p;
}

const char *tacit_fit_verdict_str(enum tacit_fit_verdict verdict)
{
	switch (verdict) {
	case TACIT_FIT_GREAT:
		return "Great fit";
	case TACIT_FIT_TIGHT:
		return "Tight fit";
	case TACIT_FIT_NONE:
		return "Won't fit";
	}
	return "unknown";
}

static double gib(uint64_t bytes)
{
	return (double)bytes / GIB;
}

/* Layers that hold their own KV cache: all but the last kv_shared_layers. Full layers
 * are spread evenly, each the last of its group, so layer i is full when the running
 * count floor((i+1)*full/n) steps up there. */
static void kv_holders(const struct tacit_model_layout *m, int *n_full, int *n_swa, int *n_rec)
{
	int holders = m->n_layers - m->kv_shared_layers, full = 0;
	for (int i = 0; i < holders; i++)
		if ((long long)(i + 1) * m->attn_full_layers / m->n_layers > (long long)i * m->attn_full_layers / m->n_layers)
			full++;
	int rest = holders - full, other = m->attn_swa_layers + m->recurrent_layers;
	*n_full = full;
	*n_swa = other ? (int)((long long)rest * m->attn_swa_layers / other) : 0;
	*n_rec = rest - *n_swa;
}

static uint64_t kv_bytes(const struct tacit_model_layout *m, const struct tacit_fit_params *p)
{
	int n_full, n_swa, n_rec;
	kv_holders(m, &n_full, &n_swa, &n_rec);
	uint64_t ctx_swa = (uint64_t)m->sliding_window + p->n_ubatch;
	if (ctx_swa > p->n_ctx)
		ctx_swa = p->n_ctx;
	/* K and V, per cached token: layers x 2 x heads x head size elements */
	uint64_t elems = (uint64_t)n_full * 2 * p->n_ctx * (uint64_t)m->n_head_kv * (uint64_t)m->head_dim +
			 (uint64_t)n_swa * 2 * ctx_swa * (uint64_t)m->swa_n_head_kv * (uint64_t)m->swa_head_dim;
	uint64_t bytes = p->kv_type == TACIT_KV_Q8_0 ? elems / 32 * 34 : elems * 2;
	return bytes + (uint64_t)n_rec * m->recurrent_state_bytes_per_layer;
}

static uint64_t compute_bytes(const struct tacit_model_layout *m, const struct tacit_fit_params *p, bool gpu)
{
	double logit_rows = gpu ? (double)p->n_ubatch : 1.0;
	return (uint64_t)(4.0 * ((double)p->n_ubatch * COMPUTE_ACT_ROWS * (double)m->n_embd + logit_rows * (double)m->n_vocab));
}

static bool layout_ok(const struct tacit_model_layout *m)
{
	if (m->n_layers < 1 || m->n_layers > 1024 || m->weights_bytes == 0 || m->n_embd < 1 || m->n_vocab < 1)
		return false;
	if (m->attn_full_layers < 0 || m->attn_swa_layers < 0 || m->recurrent_layers < 0 || m->kv_shared_layers < 0 ||
	    m->kv_shared_layers >= m->n_layers)
		return false;
	if (m->attn_full_layers + m->attn_swa_layers + m->recurrent_layers != m->n_layers)
		return false;
	if (m->attn_full_layers && (m->n_head_kv < 1 || m->head_dim < 1))
		return false;
	if (m->attn_swa_layers && (m->sliding_window < 1 || m->swa_n_head_kv < 1 || m->swa_head_dim < 1))
		return false;
	return m->params_active <= m->params_total || m->params_total == 0;
}

/* The machine as the scorer sees it. */
struct machine {
	bool gpu;           /* a GPU device exists */
	bool unified;       /* ...sharing system RAM */
	uint64_t gpu_free;  /* discrete: VRAM free over all GPUs; unified: the working-set limit */
	double gpu_rate;    /* bytes/s the GPU part streams */
	double cpu_rate;    /* bytes/s the CPU part streams */
};

static void machine_of(const struct tacit_system *s, struct machine *mc)
{
	double gpu_bw = 0;
	bool apple = false;
	uint64_t dev_free = 0;

	memset(mc, 0, sizeof(*mc));
	for (int i = 0; i < s->n_devices && i < TACIT_MAX_DEVICES; i++) {
		const struct tacit_device *d = &s->devices[i];
		if (d->type != TACIT_DEVICE_GPU && d->type != TACIT_DEVICE_IGPU)
			continue;
		mc->gpu = true;
		dev_free += d->mem_free;
		/* several GPUs run layer by layer: the slowest sets the pace */
		if (d->bandwidth_gbs > 0 && (gpu_bw == 0 || d->bandwidth_gbs < gpu_bw))
			gpu_bw = d->bandwidth_gbs;
		apple |= strstr(d->description, "Apple") != NULL;
	}
	mc->unified = mc->gpu && s->unified_memory;
	if (mc->unified) {
		double frac = apple ? (gib(s->ram_total) <= APPLE_WORKING_SET_BREAK_GIB ? APPLE_WORKING_SET_SMALL
										       : APPLE_WORKING_SET_LARGE)
				    : IGPU_SHARED_FRACTION;
		mc->gpu_free = (uint64_t)(frac * (double)s->ram_total);
		if (dev_free && dev_free < mc->gpu_free)
			mc->gpu_free = dev_free;
	} else {
		mc->gpu_free = dev_free;
	}
	mc->gpu_rate = (gpu_bw > 0 ? gpu_bw : DEFAULT_GPU_BANDWIDTH_GBS) * 1e9 * GPU_BANDWIDTH_EFFICIENCY;
	double cpu_bw = s->cpu_bandwidth_gbs > 0 ? s->cpu_bandwidth_gbs : DEFAULT_CPU_BANDWIDTH_GBS;
	int cores = s->n_cores_usable > 0 ? s->n_cores_usable : 1;
	if (s->n_cores_physical > 0 && s->n_cores_physical < cores)
		cores = s->n_cores_physical; /* llama.cpp runs one thread per physical core */
	mc->cpu_rate = cpu_bw * 1e9 * CPU_BANDWIDTH_EFFICIENCY;
	if ((double)cores * CPU_BYTES_PER_S_PER_CORE < mc->cpu_rate)
		mc->cpu_rate = (double)cores * CPU_BYTES_PER_S_PER_CORE;
}

/* Decode speed: the bytes one token reads (active weights, half the KV cache on average
 * over a filling context, the whole recurrent state), split by the layer plan, each part
 * at its own rate, plus a fixed cost per CPU layer; a partial offload costs the sum. */
static double tokens_per_s(const struct tacit_model_layout *m, uint64_t kv, int n_gpu, const struct machine *mc)
{
	double active = m->params_active && m->params_total ? (double)m->params_active / (double)m->params_total : 1.0;
	int n_full, n_swa, n_rec;
	kv_holders(m, &n_full, &n_swa, &n_rec);
	double rec = (double)n_rec * (double)m->recurrent_state_bytes_per_layer;
	double per_token = (double)m->weights_bytes * active + ((double)kv - rec) / 2 + rec;
	double on_gpu = (double)n_gpu / (double)m->n_layers;
	double t = per_token * on_gpu / mc->gpu_rate + per_token * (1 - on_gpu) / mc->cpu_rate +
		   (double)(m->n_layers - n_gpu) * CPU_LAYER_SECONDS;
	return t > 0 ? 1.0 / t : 0;
}

/* Layers that fit in `room` bytes after `fixed`, at most n_layers. */
static int layers_in(uint64_t room, uint64_t fixed, uint64_t body, int n_layers)
{
	if (room <= fixed)
		return 0;
	double per_layer = (double)body / (double)n_layers;
	double n = (double)(room - fixed) / per_layer;
	return n >= n_layers ? n_layers : (int)n;
}

static void set_reason(struct tacit_fit *f, const char *fmt, ...) TACIT_PRINTF(2, 3);
static void set_reason(struct tacit_fit *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
	va_end(ap);
}

static void score_cpu(const struct tacit_system *s, const struct tacit_model_layout *m, const struct machine *mc,
		      struct tacit_fit *f)
{
	uint64_t avail = s->ram_available;
	f->mem_available = avail;
	f->est_tokens_per_s = tokens_per_s(m, f->mem_kv, 0, mc);
	if (f->mem_needed > avail) {
		f->verdict = TACIT_FIT_NONE;
		set_reason(f, "needs %.1f GiB, %.1f GiB of RAM available", gib(f->mem_needed), gib(avail));
		return;
	}
	f->listed = true;
	f->verdict = (double)f->mem_needed <= (1 - GREAT_FIT_HEADROOM) * (double)avail ? TACIT_FIT_GREAT : TACIT_FIT_TIGHT;
	f->slow = f->est_tokens_per_s < SLOW_TOKENS_PER_S;
	if (f->slow)
		set_reason(f, "about %.1f tokens/s on the CPU, below the %.0f tokens/s of comfortable use",
			   f->est_tokens_per_s, SLOW_TOKENS_PER_S);
	else if (f->verdict == TACIT_FIT_GREAT)
		set_reason(f, "fits in %.1f GiB of the %.1f GiB of RAM available", gib(f->mem_needed), gib(avail));
	else
		set_reason(f, "needs %.1f GiB of the %.1f GiB of RAM available: close other apps first",
			   gib(f->mem_needed), gib(avail));
}

/* Spilled plans: slow, and not listed past the catastrophic ratio. */
static void score_spill(struct tacit_fit *f, const char *where)
{
	double spill = 1.0 - (double)f->n_gpu_layers / (double)f->n_layers;
	f->slow = true;
	f->verdict = (double)f->mem_needed <= (1 - GREAT_FIT_HEADROOM) * (double)f->mem_available ? TACIT_FIT_GREAT
												  : TACIT_FIT_TIGHT;
	if (spill > CATASTROPHIC_SPILL && f->est_tokens_per_s < SLOW_TOKENS_PER_S) {
		f->listed = false;
		set_reason(f, "would run %.0f%% of its layers on the CPU (about %.1f tokens/s): %s", spill * 100,
			   f->est_tokens_per_s, where);
	} else {
		f->listed = true;
		set_reason(f, "%d of %d layers on the GPU, the rest on the CPU: %s", f->n_gpu_layers, f->n_layers, where);
	}
}

static void score_unified(const struct tacit_system *s, const struct tacit_model_layout *m, const struct machine *mc,
			  struct tacit_fit *f)
{
	uint64_t avail = s->ram_available, limit = mc->gpu_free;
	if (f->mem_needed <= limit) {
		uint64_t room = avail < limit ? avail : limit;
		f->n_gpu_layers = m->n_layers;
		f->mem_available = room;
		f->est_tokens_per_s = tokens_per_s(m, f->mem_kv, f->n_gpu_layers, mc);
		f->listed = true;
		if ((double)f->mem_needed <= (1 - GREAT_FIT_HEADROOM) * (double)room) {
			f->verdict = TACIT_FIT_GREAT;
			set_reason(f, "fits in %.1f GiB of the %.1f GiB the GPU may use", gib(f->mem_needed), gib(room));
		} else if (f->mem_needed <= avail) {
			f->verdict = TACIT_FIT_TIGHT;
			set_reason(f, "needs %.1f GiB of the %.1f GiB available: close other apps first", gib(f->mem_needed),
				   gib(room));
		} else {
			f->verdict = TACIT_FIT_TIGHT;
			f->slow = true;
			set_reason(f, "needs %.1f GiB but %.1f GiB is free: fits only by pushing other apps out of memory",
				   gib(f->mem_needed), gib(avail));
		}
		return;
	}
	/* Past the working-set limit the rest runs on the CPU, from the same RAM. */
	f->mem_available = avail;
	f->n_gpu_layers = layers_in(limit, f->mem_compute + f->mem_overhead, f->mem_weights + f->mem_kv, m->n_layers);
	if (f->n_gpu_layers >= m->n_layers)
		f->n_gpu_layers = m->n_layers - 1;
	f->est_tokens_per_s = tokens_per_s(m, f->mem_kv, f->n_gpu_layers, mc);
	if (f->mem_needed > avail) {
		f->verdict = TACIT_FIT_NONE;
		set_reason(f, "needs %.1f GiB, %.1f GiB available (the GPU may use %.1f GiB)", gib(f->mem_needed),
			   gib(avail), gib(limit));
		return;
	}
	score_spill(f, "larger than the GPU's working-set limit");
}

static void score_discrete(const struct tacit_system *s, const struct tacit_model_layout *m, const struct machine *mc,
			   struct tacit_fit *f)
{
	uint64_t body = f->mem_weights + f->mem_kv, gpu_fixed = f->mem_compute + GPU_CONTEXT_BYTES;
	uint64_t avail = s->ram_available, vram = mc->gpu_free;
	f->mem_available = vram + avail;
	f->n_gpu_layers = layers_in(vram, gpu_fixed, body, m->n_layers);
	uint64_t cpu_part = (uint64_t)((double)body * (double)(m->n_layers - f->n_gpu_layers) / (double)m->n_layers);
	uint64_t ram_need = cpu_part + FIXED_OVERHEAD_BYTES;
	f->est_tokens_per_s = tokens_per_s(m, f->mem_kv, f->n_gpu_layers, mc);
	if (ram_need > avail) {
		f->verdict = TACIT_FIT_NONE;
		set_reason(f, "needs %.1f GiB of RAM beside %.1f GiB of free VRAM, %.1f GiB of RAM available",
			   gib(ram_need), gib(vram), gib(avail));
		return;
	}
	if (f->n_gpu_layers < m->n_layers) {
		score_spill(f, "larger than the GPU's free memory");
		return;
	}
	f->listed = true;
	if ((double)(body + gpu_fixed) <= (1 - GREAT_FIT_HEADROOM) * (double)vram &&
	    (double)ram_need <= (1 - GREAT_FIT_HEADROOM) * (double)avail) {
		f->verdict = TACIT_FIT_GREAT;
		set_reason(f, "all %d layers in %.1f GiB of the GPU's %.1f GiB free", m->n_layers, gib(body + gpu_fixed),
			   gib(vram));
	} else {
		f->verdict = TACIT_FIT_TIGHT;
		set_reason(f, "all %d layers on the GPU, in %.1f GiB of its %.1f GiB free", m->n_layers,
			   gib(body + gpu_fixed), gib(vram));
	}
}

enum tacit_status tacit_fit_score(const struct tacit_system *sys, const struct tacit_model_layout *model,
				  const struct tacit_fit_params *params, struct tacit_fit *out)
{
	struct tacit_fit_params p = params ? *params : tacit_fit_default_params();
	struct machine mc;

	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_fit_score: out is NULL");
	memset(out, 0, sizeof(*out));
	out->verdict = TACIT_FIT_NONE;
	if (!sys || !model)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_fit_score: sys or model is NULL");
	if (p.n_ctx < 1 || p.n_ctx > (1u << 24) || p.n_ubatch < 1 || p.n_ubatch > 65536 ||
	    (p.kv_type != TACIT_KV_F16 && p.kv_type != TACIT_KV_Q8_0))
		return tacit_fail(TACIT_ERR_USAGE, "tacit_fit_score: bad parameters (n_ctx %u, n_ubatch %u)", p.n_ctx,
				  p.n_ubatch);
	if (!layout_ok(model))
		return tacit_fail(TACIT_ERR_USAGE,
				  "tacit_fit_score: inconsistent model layout (%d layers: %d full, %d sliding, %d recurrent)",
				  model->n_layers, model->attn_full_layers, model->attn_swa_layers, model->recurrent_layers);
	machine_of(sys, &mc);
	out->n_layers = model->n_layers;
	out->mem_weights = model->weights_bytes + (mc.gpu ? 0 : model->cpu_repack_bytes);
	out->mem_kv = kv_bytes(model, &p);
	out->mem_compute = compute_bytes(model, &p, mc.gpu);
	out->mem_overhead = FIXED_OVERHEAD_BYTES + (mc.gpu && !mc.unified ? GPU_CONTEXT_BYTES : 0);
	out->mem_needed = out->mem_weights + out->mem_kv + out->mem_compute + out->mem_overhead;
	if (!mc.gpu)
		score_cpu(sys, model, &mc, out);
	else if (mc.unified)
		score_unified(sys, model, &mc, out);
	else
		score_discrete(sys, model, &mc, out);
	return TACIT_OK;
}

static int tier_rank(const char *tier)
{
	static const char *const order[] = { "compact", "standard", "standard-hq", "pro", "max" };
	for (size_t i = 0; tier && i < ARRAY_SIZE(order); i++)
		if (!strcmp(tier, order[i]))
			return (int)i;
	return -1;
}

/* Quality order for Recommended: stars, tier, parameters read per token (Gemma's
 * effective count, so per-layer embeddings do not count as quality), less memory. */
static bool better(const struct tacit_model_info *a, const struct tacit_fit *fa, const struct tacit_model_info *b,
		   const struct tacit_fit *fb)
{
	if (a->stars != b->stars)
		return a->stars > b->stars;
	if (tier_rank(a->tier) != tier_rank(b->tier))
		return tier_rank(a->tier) > tier_rank(b->tier);
	uint64_t pa = a->layout.params_active && !a->layout.n_expert ? a->layout.params_active : a->layout.params_total;
	uint64_t pb = b->layout.params_active && !b->layout.n_expert ? b->layout.params_active : b->layout.params_total;
	if (pa != pb)
		return pa > pb;
	return fa->mem_needed < fb->mem_needed;
}

enum tacit_status tacit_fit_score_all(const struct tacit_system *sys, const struct tacit_catalog *cat,
				      const struct tacit_fit_params *params, struct tacit_fit *out_array)
{
	size_t n = tacit_catalog_count(cat), best = SIZE_MAX, smallest = SIZE_MAX;
	bool any = false;

	if (!sys || !cat || !out_array)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_fit_score_all: sys, cat or out_array is NULL");
	for (size_t i = 0; i < n; i++) {
		const struct tacit_model_info *m = tacit_catalog_get(cat, i);
		struct tacit_fit *f = &out_array[i];
		if (m->kind != TACIT_MODEL_LLM) {
			memset(f, 0, sizeof(*f));
			f->verdict = TACIT_FIT_NONE;
			set_reason(f, "not a language model");
			continue;
		}
		enum tacit_status st = tacit_fit_score(sys, &m->layout, params, f);
		if (st != TACIT_OK)
			return st;
		if (m->archived) {
			f->listed = false;
			set_reason(f, "archived: replaced by '%s'", m->replaced_by);
			continue;
		}
		any |= f->listed;
		if (smallest == SIZE_MAX || f->mem_needed < out_array[smallest].mem_needed)
			smallest = i;
		if (f->listed && f->verdict == TACIT_FIT_GREAT && !f->slow &&
		    (best == SIZE_MAX || better(m, f, tacit_catalog_get(cat, best), &out_array[best])))
			best = i;
	}
	if (best != SIZE_MAX)
		out_array[best].recommended = true;
	if (any)
		return TACIT_OK;
	if (smallest == SIZE_MAX)
		return tacit_fail(TACIT_ERR_NO_FIT, "no model fits this machine: the catalog offers no language model");
	return tacit_fail(TACIT_ERR_NO_FIT, "no model fits this machine: the smallest, '%s', %s (close other apps or add memory)",
			  tacit_catalog_get(cat, smallest)->name, out_array[smallest].reason);
}
