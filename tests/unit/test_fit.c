/*
 * test_fit.c — the fit scorer: KV arithmetic on hand-computed layouts (plain, sliding
 * window with shared KV, hybrid recurrent, MoE), the outcome of every built-in profile
 * pinned as a table consistent with the catalog's tiers, Recommended never on a Tight
 * fit, unified-memory and spill rules, and the blocking reason when nothing fits.
 */
#include "../check.h"

#include <tacit.h>

#include <stdlib.h>
#include <string.h>

#define GIB (1024ull * 1024 * 1024)

static struct tacit_system cpu_box(double ram_gib, double avail_gib, int cores, double gbs)
{
	struct tacit_system s;
	memset(&s, 0, sizeof(s));
	s.n_cores_physical = s.n_cores_logical = s.n_cores_usable = cores;
	s.ram_total = (uint64_t)(ram_gib * (double)GIB);
	s.ram_available = (uint64_t)(avail_gib * (double)GIB);
	s.cpu_bandwidth_gbs = gbs;
	s.n_devices = 1;
	s.devices[0].type = TACIT_DEVICE_CPU;
	return s;
}

/* Llama-3-8B-like: 32 full layers, 8 KV heads of 128. */
static struct tacit_model_layout plain(void)
{
	struct tacit_model_layout m = {
		.weights_bytes = 4900000000ull, .params_total = 8000000000ull, .n_layers = 32, .n_embd = 4096,
		.n_head = 32, .n_vocab = 128256, .attn_full_layers = 32, .n_head_kv = 8, .head_dim = 128,
	};
	return m;
}

TEST(fit_kv_plain_transformer)
{
	struct tacit_system s = cpu_box(64, 60, 8, 50);
	struct tacit_model_layout m = plain();
	struct tacit_fit f;
	struct tacit_fit_params p = tacit_fit_default_params();
	CHECK_EQ_INT(p.n_ctx, 8192);
	CHECK_EQ_INT(tacit_fit_score(&s, &m, &p, &f), TACIT_OK);
	/* 32 layers x 2 (K,V) x 8192 tokens x 8 heads x 128 x 2 bytes */
	CHECK(f.mem_kv == 1073741824ull);
	/* compute: 512 x 4 x (128256 + 10 x 4096) */
	CHECK(f.mem_compute == 4ull * (512 * 40960 + 128256)); /* activations of a micro-batch, one row of logits */
	CHECK(f.mem_needed == f.mem_weights + f.mem_kv + f.mem_compute + f.mem_overhead);
	CHECK(f.mem_weights == m.weights_bytes);
	p.kv_type = TACIT_KV_Q8_0;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, &p, &f), TACIT_OK);
	CHECK(f.mem_kv == 536870912ull / 32 * 34);
	p.kv_type = TACIT_KV_F16;
	p.n_ctx = 4096;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, &p, &f), TACIT_OK);
	CHECK(f.mem_kv == 536870912ull);
}

TEST(fit_kv_sliding_window_and_shared_layers)
{
	/* Gemma 4 E2B: 35 layers [S S S S F]x7, the last 20 share KV, so layers 0-14 hold a
	 * cache: full at 4, 9, 14 (512-dim, 1 KV head), 12 sliding (256-dim, 1 KV head). */
	struct tacit_model_layout m = {
		.weights_bytes = 3106738272ull, .params_total = 5100000000ull, .params_active = 2300000000ull,
		.n_layers = 35, .n_embd = 1536, .n_head = 8, .n_vocab = 262144, .attn_full_layers = 7, .n_head_kv = 1,
		.head_dim = 512, .attn_swa_layers = 28, .sliding_window = 512, .swa_n_head_kv = 1, .swa_head_dim = 256,
		.kv_shared_layers = 20,
	};
	struct tacit_system s = cpu_box(64, 60, 8, 50);
	struct tacit_fit f;
	struct tacit_fit_params p = tacit_fit_default_params();
	CHECK_EQ_INT(tacit_fit_score(&s, &m, &p, &f), TACIT_OK);
	/* full: 3 x 2 x 8192 x 1 x 512 x 2; sliding: 12 x 2 x (512 + 512 ubatch) x 1 x 256 x 2 */
	CHECK(f.mem_kv == 3ull * 2 * 8192 * 512 * 2 + 12ull * 2 * 1024 * 256 * 2);
	/* a context shorter than the window: sliding layers cache n_ctx tokens */
	p.n_ctx = 512;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, &p, &f), TACIT_OK);
	CHECK(f.mem_kv == 3ull * 2 * 512 * 512 * 2 + 12ull * 2 * 512 * 256 * 2);
	/* without sharing all 35 layers hold a cache */
	m.kv_shared_layers = 0;
	p.n_ctx = 8192;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, &p, &f), TACIT_OK);
	CHECK(f.mem_kv == 7ull * 2 * 8192 * 512 * 2 + 28ull * 2 * 1024 * 256 * 2);
}

TEST(fit_kv_hybrid_recurrent_and_moe)
{
	/* Qwen 3.6 35B-A3B: 40 layers, every 4th full (10), 30 Gated DeltaNet layers with a
	 * fixed state and no KV; 256 experts, 8 used, about 3B of 35B read per token. */
	struct tacit_model_layout m = {
		.weights_bytes = 22134528992ull, .params_total = 35000000000ull, .params_active = 3000000000ull,
		.n_layers = 40, .n_embd = 2048, .n_head = 16, .n_vocab = 248320, .attn_full_layers = 10, .n_head_kv = 2,
		.head_dim = 256, .recurrent_layers = 30, .recurrent_state_bytes_per_layer = 2195456, .n_expert = 256,
		.n_expert_used = 8,
	};
	struct tacit_system s = cpu_box(64, 60, 16, 60);
	struct tacit_fit moe, dense;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, NULL, &moe), TACIT_OK);
	CHECK(moe.mem_kv == 10ull * 2 * 8192 * 2 * 256 * 2 + 30ull * 2195456);
	/* the recurrent state does not grow with the context */
	struct tacit_fit_params p = tacit_fit_default_params();
	p.n_ctx = 16384;
	struct tacit_fit longer;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, &p, &longer), TACIT_OK);
	CHECK(longer.mem_kv - moe.mem_kv == 10ull * 2 * 8192 * 2 * 256 * 2);
	/* the same bytes read densely: an MoE reads about 3/35 of them per token (less
	 * than 35/3 times faster: each layer also has a fixed cost) */
	m.params_active = 0;
	m.n_expert = m.n_expert_used = 0;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, NULL, &dense), TACIT_OK);
	CHECK(moe.mem_needed == dense.mem_needed);
	CHECK(moe.est_tokens_per_s > 6 * dense.est_tokens_per_s);
	CHECK(moe.est_tokens_per_s < 12 * dense.est_tokens_per_s);
}

TEST(fit_rejects_bad_layouts)
{
	struct tacit_system s = cpu_box(16, 8, 4, 20);
	struct tacit_model_layout m = plain();
	struct tacit_fit f;
	m.attn_full_layers = 31; /* counts no longer add up */
	CHECK_EQ_INT(tacit_fit_score(&s, &m, NULL, &f), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "inconsistent model layout") != NULL);
	m = plain();
	m.n_layers = m.attn_full_layers = 0;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, NULL, &f), TACIT_ERR_USAGE);
	m = plain();
	m.kv_shared_layers = 32;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, NULL, &f), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_fit_score(NULL, &m, NULL, &f), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_fit_score(&s, &m, NULL, NULL), TACIT_ERR_USAGE);
	struct tacit_fit_params p = tacit_fit_default_params();
	p.n_ctx = 0;
	m = plain();
	CHECK_EQ_INT(tacit_fit_score(&s, &m, &p, &f), TACIT_ERR_USAGE);
}

/* Each profile's outcome for the nine active LLMs in catalog order:
 * G/T/N = Great/Tight/Won't fit, "+" = Slow, lowercase = fits but not listed
 * (catastrophic spill). Consistent with the tiers: Compact on 8 GB Macs (Gemma 4 E4B
 * only as a Tight fit that pushes other apps out, "+ Slow"; on an 8 GB iPhone not at
 * all), Standard on 16 GB, Standard HQ from 16 GB (tight there), Pro at 24-32 GB+ (on a
 * 36 GB Mac the 27B is the Great fit, the 31B Tight), Max from 32 GB. A CPU-only box
 * holds q4_K weights twice (llama.cpp's repack), so the 27B and 31B do not fit 24 GB. The memory constants are calibrated on measured peak RSS
 * (bench/fit_check.c): on the CPU a single-token logits row (what becomes resident),
 * on a GPU the whole micro-batch reserve llama.cpp allocates. */
static const char *const order[] = { "qwen3.5-2b", "qwen3.5-4b",    "gemma4-e2b",  "gemma4-e4b",     "qwen3.5-9b",
				     "qwen3.5-9b-hq", "qwen3.6-27b", "gemma4-31b", "qwen3.6-35b-a3b" };
static const struct {
	const char *profile, *outcome, *recommended;
} pinned[] = {
	{ "m1-8gb", "G G G T+ N N N N N", "qwen3.5-4b" },
	{ "iphone-15-pro", "G G G N N N N N N", "qwen3.5-4b" },
	{ "m3-air-16gb", "G G G G G T N N N", "qwen3.5-9b" },
	{ "intel-igpu-16gb", "G G G G G T+ N N N", "qwen3.5-9b" },
	{ "m3-pro-36gb", "G G G G G G G T T", "qwen3.6-27b" },
	{ "m5-max-128gb", "G G G G G G G G G", "qwen3.6-35b-a3b" },
	{ "rtx4060-8gb", "G G G G T G+ G+ G+ G+", "gemma4-e4b" },
	{ "rtx4080-16gb", "G G G G G G G+ G+ G+", "qwen3.5-9b-hq" },
	{ "cpu-2core-24gb", "G G G G G+ G+ N N N", "gemma4-e4b" },
};

static void outcome_of(const struct tacit_fit *f, char *out, size_t n)
{
	char c = f->verdict == TACIT_FIT_GREAT ? 'G' : f->verdict == TACIT_FIT_TIGHT ? 'T' : 'N';
	if (f->verdict != TACIT_FIT_NONE && !f->listed)
		c = (char)(c - 'A' + 'a');
	snprintf(out, n, "%c%s", c, f->slow ? "+" : "");
}

TEST(fit_profiles_pinned)
{
	struct tacit_catalog *cat = NULL;
	unsetenv("TACIT_CATALOG");
	CHECK_EQ_INT(tacit_catalog_load(&cat), TACIT_OK);
	size_t n = tacit_catalog_count(cat);
	struct tacit_fit *fits = calloc(n, sizeof(*fits));
	CHECK_EQ_INT(tacit_profile_count(), sizeof(pinned) / sizeof(pinned[0]));
	for (size_t p = 0; fits && p < sizeof(pinned) / sizeof(pinned[0]); p++) {
		struct tacit_system s;
		CHECK_EQ_INT(tacit_profile_get(pinned[p].profile, &s), TACIT_OK);
		CHECK_EQ_INT(tacit_fit_score_all(&s, cat, NULL, fits), TACIT_OK);
		char got[128] = "", one[8];
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			const struct tacit_model_info *m = tacit_catalog_find(cat, order[i]);
			if (!m)
				continue;
			outcome_of(&fits[m - tacit_catalog_get(cat, 0)], one, sizeof(one));
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "", one);
		}
		const char *rec = NULL;
		int n_rec = 0;
		for (size_t i = 0; i < n; i++) {
			const struct tacit_fit *f = &fits[i];
			const struct tacit_model_info *m = tacit_catalog_get(cat, i);
			CHECK(f->n_gpu_layers >= 0 && f->n_gpu_layers <= f->n_layers);
			if (m->kind == TACIT_MODEL_LLM)
				CHECK(f->n_layers == m->layout.n_layers && f->reason[0] != '\0');
			if (m->archived || m->kind != TACIT_MODEL_LLM)
				CHECK(!f->listed && !f->recommended);
			if (f->recommended) {
				rec = m->id;
				n_rec++;
				CHECK(f->verdict == TACIT_FIT_GREAT && !f->slow && f->listed);
			}
		}
		if (strcmp(got, pinned[p].outcome) != 0 || !rec || strcmp(rec, pinned[p].recommended) != 0 || n_rec != 1) {
			char msg[512];
			snprintf(msg, sizeof(msg), "profile %s: got \"%s\" recommended %s, want \"%s\" recommended %s",
				 pinned[p].profile, got, rec ? rec : "none", pinned[p].outcome, pinned[p].recommended);
			test_failed(__FILE__, __LINE__, msg);
		}
	}
	free(fits);
	tacit_catalog_free(cat);
}

TEST(fit_gpu_layer_plan)
{
	struct tacit_catalog *cat = NULL;
	CHECK_EQ_INT(tacit_catalog_load(&cat), TACIT_OK);
	struct tacit_system s;
	struct tacit_fit f, g;
	CHECK_EQ_INT(tacit_profile_get("rtx4080-16gb", &s), TACIT_OK);
	const struct tacit_model_info *small = tacit_catalog_find(cat, "qwen3.5-2b");
	const struct tacit_model_info *big = tacit_catalog_find(cat, "qwen3.6-27b");
	CHECK(small && big);
	if (!small || !big)
		goto out;
	CHECK_EQ_INT(tacit_fit_score(&s, &small->layout, NULL, &f), TACIT_OK);
	CHECK_EQ_INT(f.n_gpu_layers, 24); /* every real layer: llama.cpp caps offload there */
	CHECK(!f.slow);
	CHECK_EQ_INT(tacit_fit_score(&s, &big->layout, NULL, &f), TACIT_OK);
	CHECK(f.n_gpu_layers > 32 && f.n_gpu_layers < 64);
	CHECK(f.slow && f.listed);
	CHECK(strstr(f.reason, "of 64 layers on the GPU") != NULL);
	/* a partial offload is much slower than the same model on a GPU that holds it all
	 * (here 10 of 64 layers on the CPU: about half the speed) */
	s.devices[1].mem_free = 40 * GIB;
	CHECK_EQ_INT(tacit_fit_score(&s, &big->layout, NULL, &g), TACIT_OK);
	CHECK_EQ_INT(g.n_gpu_layers, 64);
	CHECK(!g.slow && g.est_tokens_per_s > 1.5 * f.est_tokens_per_s);
	/* the GPU part runs at GPU speed: CPU-only is slower still */
	struct tacit_system c = cpu_box(32, 24, 8, 60);
	struct tacit_fit h;
	CHECK_EQ_INT(tacit_fit_score(&c, &big->layout, NULL, &h), TACIT_OK);
	CHECK(h.n_gpu_layers == 0 && h.est_tokens_per_s < f.est_tokens_per_s);
	/* most layers on a slow CPU: a catastrophic spill, not listed, with the reason */
	CHECK_EQ_INT(tacit_profile_get("rtx4060-8gb", &s), TACIT_OK);
	s.cpu_bandwidth_gbs = 4;
	CHECK_EQ_INT(tacit_fit_score(&s, &big->layout, NULL, &f), TACIT_OK);
	CHECK(f.verdict != TACIT_FIT_NONE && f.slow && !f.listed);
	CHECK(strstr(f.reason, "of its layers on the CPU") != NULL);
out:
	tacit_catalog_free(cat);
}

TEST(fit_unified_memory_rules)
{
	struct tacit_catalog *cat = NULL;
	CHECK_EQ_INT(tacit_catalog_load(&cat), TACIT_OK);
	const struct tacit_model_info *m9 = tacit_catalog_find(cat, "qwen3.5-9b");
	struct tacit_system s;
	struct tacit_fit f;
	CHECK_EQ_INT(tacit_profile_get("m3-air-16gb", &s), TACIT_OK);
	CHECK(m9 != NULL);
	if (!m9)
		goto out;
	/* under the working-set limit but more than is free: fits by pushing apps out */
	s.ram_available = 5 * GIB;
	CHECK_EQ_INT(tacit_fit_score(&s, &m9->layout, NULL, &f), TACIT_OK);
	CHECK(f.verdict == TACIT_FIT_TIGHT && f.slow && f.listed);
	CHECK(strstr(f.reason, "pushing other apps out") != NULL);
	/* the Apple working set is 2/3 of RAM up to 36 GB, 3/4 above: a 64 GB Mac whose
	 * Metal device reports nothing runs the 9B at once on the GPU */
	s.ram_total = 64 * GIB;
	s.ram_available = 50 * GIB;
	s.devices[1].mem_free = 0;
	CHECK_EQ_INT(tacit_fit_score(&s, &m9->layout, NULL, &f), TACIT_OK);
	CHECK(f.verdict == TACIT_FIT_GREAT && !f.slow && f.n_gpu_layers == 32);
	CHECK(f.mem_available == 48 * GIB);
	/* past the working-set limit the rest runs on the CPU: + Slow */
	s.ram_total = 8 * GIB;
	s.ram_available = 7 * GIB;
	CHECK_EQ_INT(tacit_fit_score(&s, &m9->layout, NULL, &f), TACIT_OK);
	CHECK(f.slow && f.n_gpu_layers < 32 && f.verdict != TACIT_FIT_NONE);
out:
	tacit_catalog_free(cat);
}

TEST(fit_nothing_fits_gives_the_blocking_reason)
{
	struct tacit_catalog *cat = NULL;
	CHECK_EQ_INT(tacit_catalog_load(&cat), TACIT_OK);
	size_t n = tacit_catalog_count(cat);
	struct tacit_fit *fits = calloc(n, sizeof(*fits));
	struct tacit_system s = cpu_box(4, 1, 2, 10);
	CHECK_EQ_INT(tacit_fit_score_all(&s, cat, NULL, fits), TACIT_ERR_NO_FIT);
	CHECK(strstr(tacit_errmsg(), "no model fits this machine") != NULL);
	CHECK(strstr(tacit_errmsg(), "'Qwen 3.5 2B'") != NULL);
	CHECK(strstr(tacit_errmsg(), "1.0 GiB of RAM available") != NULL);
	for (size_t i = 0; fits && i < n; i++)
		CHECK(!fits[i].listed && !fits[i].recommended);
	/* only a Tight fit: listed, but never Recommended */
	s = cpu_box(4, 2.3, 8, 60);
	CHECK_EQ_INT(tacit_fit_score_all(&s, cat, NULL, fits), TACIT_OK);
	int listed = 0;
	for (size_t i = 0; fits && i < n; i++) {
		listed += fits[i].listed;
		CHECK(!fits[i].recommended);
		if (fits[i].listed)
			CHECK(fits[i].verdict == TACIT_FIT_TIGHT);
	}
	CHECK_EQ_INT(listed, 1);
	CHECK_EQ_INT(tacit_fit_score_all(&s, NULL, NULL, fits), TACIT_ERR_USAGE);
	free(fits);
	tacit_catalog_free(cat);
}

TEST(fit_cpu_only_speed_threshold)
{
	/* the 2-core 24 GB box: fits by RAM, scored honestly by speed */
	struct tacit_system s;
	CHECK_EQ_INT(tacit_profile_get("cpu-2core-24gb", &s), TACIT_OK);
	CHECK(s.n_devices == 1 && s.devices[0].type == TACIT_DEVICE_CPU && !s.unified_memory);
	struct tacit_model_layout m = plain();
	struct tacit_fit f, g;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, NULL, &f), TACIT_OK);
	CHECK(f.verdict == TACIT_FIT_GREAT && f.slow && f.listed && f.est_tokens_per_s < 5);
	CHECK(strstr(f.reason, "tokens/s") != NULL);
	/* with 60 GB/s of bandwidth, two cores stream 24 GB/s and one 12: the compute
	 * ceiling binds */
	s.cpu_bandwidth_gbs = 60;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, NULL, &f), TACIT_OK);
	s.n_cores_physical = s.n_cores_logical = s.n_cores_usable = 1;
	CHECK_EQ_INT(tacit_fit_score(&s, &m, NULL, &g), TACIT_OK);
	CHECK(g.est_tokens_per_s < 0.6 * f.est_tokens_per_s);
}

TEST(fit_profiles_lookup)
{
	struct tacit_system s;
	CHECK(tacit_profile_count() >= 9);
	for (size_t i = 0; i < tacit_profile_count(); i++) {
		CHECK_EQ_INT(tacit_profile_get(tacit_profile_name(i), &s), TACIT_OK);
		CHECK(s.ram_total > 0 && s.ram_available <= s.ram_total && s.n_devices >= 1);
		CHECK(tacit_profile_description(i) != NULL);
	}
	CHECK(tacit_profile_name(tacit_profile_count()) == NULL);
	CHECK_EQ_INT(tacit_profile_get("cray-1", &s), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "unknown hardware profile 'cray-1'") != NULL);
	CHECK(strstr(tacit_errmsg(), "m3-air-16gb") != NULL);
	CHECK_STR(tacit_fit_verdict_str(TACIT_FIT_GREAT), "Great fit");
	CHECK_STR(tacit_fit_verdict_str(TACIT_FIT_TIGHT), "Tight fit");
	CHECK_STR(tacit_fit_verdict_str(TACIT_FIT_NONE), "Won't fit");
}

TEST(fit_speech_scorer_and_recommendations)
{
	/* the 2-core CPU-only box: large-v3-turbo must not be chosen for live meetings */
	struct tacit_system s;
	struct tacit_catalog *cat = NULL;
	struct tacit_speech_fit tiny, turbo;
	CHECK_EQ_INT(tacit_profile_get("cpu-2core-24gb", &s), TACIT_OK);
	CHECK_EQ_INT(tacit_catalog_load(&cat), TACIT_OK);
	const struct tacit_model_info *t = tacit_catalog_find(cat, "whisper-tiny.en");
	const struct tacit_model_info *l = tacit_catalog_find(cat, "whisper-large-v3-turbo");
	CHECK(t && l && t->speech.n_audio_layer == 4 && !t->speech.multilingual && l->speech.multilingual);
	CHECK_EQ_INT(tacit_speech_score(&s, t, &tiny), TACIT_OK);
	CHECK_EQ_INT(tacit_speech_score(&s, l, &turbo), TACIT_OK);
	/* the anchor: tiny.en decodes 60 s in 3.19 s on 2 threads */
	CHECK(tiny.est_rtf > 0.05 && tiny.est_rtf < 0.056 && tiny.verdict == TACIT_SPEECH_LIVE && tiny.english_only);
	CHECK(turbo.verdict != TACIT_SPEECH_LIVE && turbo.est_rtf > 1.0);
	const struct tacit_model_info *asr = tacit_models_recommend(&s, cat, TACIT_MODEL_ASR);
	CHECK(asr && asr->kind == TACIT_MODEL_ASR && strncmp(asr->id, "whisper-large", 13) != 0);
	const struct tacit_model_info *vad = tacit_models_recommend(&s, cat, TACIT_MODEL_VAD);
	CHECK(vad && vad->kind == TACIT_MODEL_VAD);
	const struct tacit_model_info *llm = tacit_models_recommend(&s, cat, TACIT_MODEL_LLM);
	CHECK(llm && llm->kind == TACIT_MODEL_LLM && !llm->archived);
	/* twice the cores: half the work time */
	s.n_cores_physical = s.n_cores_logical = s.n_cores_usable = 4;
	CHECK_EQ_INT(tacit_speech_score(&s, t, &turbo), TACIT_OK);
	CHECK(turbo.est_rtf < 0.6 * tiny.est_rtf);
	/* names a person types */
	CHECK(tacit_catalog_lookup(cat, "Qwen 3.5 9B") == tacit_catalog_find(cat, "qwen3.5-9b"));
	CHECK(tacit_catalog_lookup(cat, "qwen 3.5 9b") == tacit_catalog_find(cat, "qwen3.5-9b"));
	CHECK(tacit_catalog_lookup(cat, "QWEN3.5-9B") == tacit_catalog_find(cat, "qwen3.5-9b"));
	CHECK(tacit_catalog_lookup(cat, "Qwen 3.5") == NULL);
	CHECK_EQ_INT(tacit_speech_score(&s, vad, &tiny), TACIT_ERR_USAGE);
	tacit_catalog_free(cat);
}
