/*
 * catalog.c — the model catalog: data/catalog.json, embedded in the library at build
 * time (TACIT_CATALOG overrides it), parsed with yyjson and checked field by field.
 * Invariant: a loaded catalog is fully valid and immutable; its strings point into the
 * parsed yyjson document, which lives exactly as long as the catalog.
 */
#include "internal.h"

#include <yyjson.h>

#define CATALOG_MAX_BYTES (16u << 20)
#define CATALOG_MAX_MODELS 4096
#define LAYERS_MAX 1024
#define DIM_MAX (1 << 20)

/*
 * On a machine without a GPU, ggml's CPU backend copies q4_K weights into an interleaved
 * layout while the file stays mapped, so they are held twice (see src/fit.c). A
 * downloaded file's GGUF header gives the exact bytes; for a catalog entry, known only by
 * its published facts, they are estimated from llama.cpp's Q4_K_M recipe: the output
 * (or tied embedding) matrix, n_vocab x n_embd, is Q6_K (6.5625 bits a weight); of the
 * rest, Q4_K_LAYER_SHARE of the bytes are q4_K (the remainder: attn_v and ffn_down in
 * Q6_K in the "more bits" layers, norms in F32). Measured on tools/synth-model's
 * Qwen 3.5 2B Q4_K_M (real shapes, the recipe applied tensor by tensor): 615.3 MB of
 * q4_K in 1263.4 MB, less 417.2 MB of Q6_K output, gives 0.727; Qwen 3.5 4B: 1647.8 of
 * 2697.8 less 521.5 gives 0.757. Their mean, 0.74, is used. Only what is multiplied
 * counts (Gemma's per-layer embeddings are lookups, never repacked).
 */
#define Q4_K_LAYER_SHARE 0.74
#define Q6_K_BYTES_PER_WEIGHT (6.5625 / 8)

static uint64_t estimated_repack(const struct tacit_model_info *m)
{
	const struct tacit_model_layout *l = &m->layout;
	if (!m->quant || !strstr(m->quant, "Q4_K"))
		return 0;
	double matmul = (double)m->file_bytes;
	if (l->params_active && !l->n_expert) /* Gemma E: the per-layer embeddings are lookups */
		matmul *= (double)l->params_active / (double)l->params_total;
	matmul -= (double)l->n_vocab * (double)l->n_embd * Q6_K_BYTES_PER_WEIGHT;
	return matmul > 0 ? (uint64_t)(Q4_K_LAYER_SHARE * matmul) : 0;
}

/* The catalog file itself, NUL-terminated: the assembler copies data/catalog.json in
 * (the build runs from the repository root; the Makefile makes this object depend on
 * the file). */
__asm__(".section .rodata\n"
	".globl tacit_catalog_builtin\n"
	".hidden tacit_catalog_builtin\n"
	".balign 16\n"
	"tacit_catalog_builtin:\n"
	".incbin \"data/catalog.json\"\n"
	".byte 0\n"
	".previous\n");
extern const char tacit_catalog_builtin[] __attribute__((visibility("hidden")));

struct tacit_catalog {
	yyjson_doc *doc;
	size_t n_models;
	struct tacit_model_info *models;
};

/* Field access with the entry and the field in every message. */
struct entry {
	yyjson_val *obj;
	size_t index;
	const char *id; /* "#3" until the id is known */
	char id_buf[32];
};

static enum tacit_status bad(const struct entry *e, const char *field, const char *what)
{
	return tacit_fail(TACIT_ERR_FORMAT, "invalid catalog: model '%s': \"%s\" %s", e->id, field, what);
}

/* A string field; NULL allowed when nullable. */
static enum tacit_status get_str(const struct entry *e, const char *field, bool nullable, const char **out)
{
	yyjson_val *v = yyjson_obj_get(e->obj, field);
	*out = NULL;
	if ((!v || yyjson_is_null(v)) && nullable)
		return TACIT_OK;
	if (!yyjson_is_str(v))
		return bad(e, field, nullable ? "must be a string or null" : "must be a string");
	const char *s = yyjson_get_str(v);
	if (!*s || strlen(s) != yyjson_get_len(v))
		return bad(e, field, "must be a non-empty string without NUL bytes");
	*out = s;
	return TACIT_OK;
}

/* A non-negative integer field in [min, max]; null gives 0 when nullable. */
static enum tacit_status get_u64(const struct entry *e, const char *field, bool nullable, uint64_t min, uint64_t max,
				 uint64_t *out)
{
	yyjson_val *v = yyjson_obj_get(e->obj, field);
	*out = 0;
	if ((!v || yyjson_is_null(v)) && nullable)
		return TACIT_OK;
	if (yyjson_is_uint(v)) {
		uint64_t x = yyjson_get_uint(v);
		if (x >= min && x <= max) {
			*out = x;
			return TACIT_OK;
		}
	} else if (!yyjson_is_int(v)) {
		return bad(e, field, nullable ? "must be an integer or null" : "must be an integer");
	}
	char what[96];
	snprintf(what, sizeof(what), "is out of range (%llu..%llu)", (unsigned long long)min, (unsigned long long)max);
	return bad(e, field, what);
}

static enum tacit_status get_int(const struct entry *e, const char *field, bool nullable, int min, int max, int *out)
{
	uint64_t x;
	enum tacit_status st = get_u64(e, field, nullable, (uint64_t)min, (uint64_t)max, &x);
	*out = (int)x;
	return st;
}

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

int tacit_stars_for_params(uint64_t params_total)
{
	if (params_total < 7000000000ull)
		return 1;
	if (params_total <= 12000000000ull)
		return 2;
	return 3;
}

static enum tacit_status parse_layout(const struct entry *e, struct tacit_model_info *m)
{
	struct tacit_model_layout *l = &m->layout;
	enum tacit_status st;
	uint64_t eff;

	l->weights_bytes = m->file_bytes;
	if ((st = get_u64(e, "params_total", false, 1, 100000000000000ull, &l->params_total)) ||
	    (st = get_u64(e, "params_effective", true, 1, l->params_total, &eff)) ||
	    (st = get_u64(e, "params_active", true, 1, l->params_total, &l->params_active)) ||
	    (st = get_int(e, "n_layers", false, 1, LAYERS_MAX, &l->n_layers)) ||
	    (st = get_int(e, "n_embd", false, 1, DIM_MAX, &l->n_embd)) ||
	    (st = get_int(e, "n_head", false, 1, 4096, &l->n_head)) ||
	    (st = get_int(e, "n_vocab", false, 1, 16 << 20, &l->n_vocab)) ||
	    (st = get_int(e, "attn_full_layers", false, 0, l->n_layers, &l->attn_full_layers)) ||
	    (st = get_int(e, "n_head_kv", false, 1, 4096, &l->n_head_kv)) ||
	    (st = get_int(e, "head_dim", false, 1, 65536, &l->head_dim)) ||
	    (st = get_int(e, "attn_swa_layers", false, 0, l->n_layers, &l->attn_swa_layers)) ||
	    (st = get_int(e, "recurrent_layers", false, 0, l->n_layers, &l->recurrent_layers)) ||
	    (st = get_int(e, "kv_shared_layers", false, 0, l->n_layers - 1, &l->kv_shared_layers)))
		return st;
	if (l->attn_full_layers + l->attn_swa_layers + l->recurrent_layers != l->n_layers)
		return bad(e, "n_layers", "differs from attn_full_layers + attn_swa_layers + recurrent_layers");
	if (l->attn_full_layers == 0 && l->attn_swa_layers == 0)
		return bad(e, "attn_full_layers", "is 0 and so is attn_swa_layers: a model needs attention");
	/* Sliding and recurrent facts are required exactly when such layers exist. */
	bool swa = l->attn_swa_layers > 0, rec = l->recurrent_layers > 0;
	if ((st = get_int(e, "sliding_window", !swa, 1, 1 << 24, &l->sliding_window)) ||
	    (st = get_int(e, "swa_n_head_kv", !swa, 1, 4096, &l->swa_n_head_kv)) ||
	    (st = get_int(e, "swa_head_dim", !swa, 1, 65536, &l->swa_head_dim)) ||
	    (st = get_u64(e, "recurrent_state_bytes_per_layer", !rec, 1, 1ull << 40, &l->recurrent_state_bytes_per_layer)))
		return st;
	if (!swa && (l->sliding_window || l->swa_n_head_kv || l->swa_head_dim))
		return bad(e, "sliding_window", "is set but attn_swa_layers is 0");
	if (!rec && l->recurrent_state_bytes_per_layer)
		return bad(e, "recurrent_state_bytes_per_layer", "is set but recurrent_layers is 0");
	if ((st = get_int(e, "n_expert", true, 2, 65536, &l->n_expert)) ||
	    (st = get_int(e, "n_expert_used", true, 1, l->n_expert ? l->n_expert : 1, &l->n_expert_used)))
		return st;
	if ((l->n_expert == 0) != (l->n_expert_used == 0))
		return bad(e, "n_expert_used", "must be set exactly when n_expert is");
	if (l->n_expert && !l->params_active)
		return bad(e, "params_active", "must be given for a mixture of experts");
	/* Per-layer embeddings are lookups: only the effective parameters are read per token. */
	if (!l->params_active && eff)
		l->params_active = eff;
	m->stars = tacit_stars_for_params(l->params_total);
	int stars;
	if ((st = get_int(e, "stars", false, 1, 3, &stars)))
		return st;
	if (stars != m->stars) {
		char what[128];
		snprintf(what, sizeof(what), "is %d but %.1fB parameters give %d (1 under 7B, 2 for 7-12B, 3 above)",
			 stars, (double)l->params_total / 1e9, m->stars);
		return bad(e, "stars", what);
	}
	static const char *const tiers[] = { "compact", "standard", "standard-hq", "pro", "max" };
	if ((st = get_str(e, "tier", false, &m->tier)))
		return st;
	bool known = false;
	for (size_t i = 0; i < ARRAY_SIZE(tiers); i++)
		known |= strcmp(m->tier, tiers[i]) == 0;
	if (!known)
		return bad(e, "tier", "is not one of compact, standard, standard-hq, pro, max");
	if ((st = get_u64(e, "ram_at_load_bytes", true, 1, 1ull << 50, &m->published_ram_bytes)))
		return st;
	uint64_t ctx;
	if ((st = get_u64(e, "n_ctx_train", true, 1, 1u << 30, &ctx)))
		return st;
	m->n_ctx_train = (uint32_t)ctx;
	l->cpu_repack_bytes = estimated_repack(m);
	return TACIT_OK;
}

/* A speech model's shape ("whisper": layers, widths), optional: without it the speech
 * scorer cannot estimate the model's speed and says so. */
static enum tacit_status parse_speech(const struct entry *e, struct tacit_model_info *m)
{
	struct tacit_speech_shape *s = &m->speech;
	yyjson_val *w = yyjson_obj_get(e->obj, "whisper"), *ml;
	struct entry sub = *e;
	enum tacit_status st;

	if (!w || yyjson_is_null(w))
		return TACIT_OK;
	if (!yyjson_is_obj(w))
		return bad(e, "whisper", "must be an object or null");
	sub.obj = w;
	if ((st = get_int(&sub, "n_audio_layer", false, 1, 256, &s->n_audio_layer)) ||
	    (st = get_int(&sub, "n_text_layer", false, 1, 256, &s->n_text_layer)) ||
	    (st = get_int(&sub, "n_audio_state", false, 1, 16384, &s->n_audio_state)) ||
	    (st = get_int(&sub, "n_text_state", false, 1, 16384, &s->n_text_state)) ||
	    (st = get_int(&sub, "n_mels", false, 1, 1024, &s->n_mels)) ||
	    (st = get_int(&sub, "n_vocab", false, 1, 1 << 20, &s->n_vocab)))
		return st;
	ml = yyjson_obj_get(w, "multilingual");
	if (!yyjson_is_bool(ml))
		return bad(e, "whisper.multilingual", "must be true or false");
	s->multilingual = yyjson_get_bool(ml);
	return TACIT_OK;
}

static enum tacit_status parse_model(struct entry *e, struct tacit_model_info *m)
{
	enum tacit_status st;
	const char *kind, *status;

	if (!yyjson_is_obj(e->obj))
		return bad(e, "models[]", "entry is not an object");
	if ((st = get_str(e, "id", false, &m->id)))
		return st;
	snprintf(e->id_buf, sizeof(e->id_buf), "%s", m->id);
	e->id = e->id_buf;
	for (const char *p = m->id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			return bad(e, "id", "may hold only a-z, 0-9, '.', '-' and '_'");
	if ((st = get_str(e, "kind", false, &kind)) || (st = get_str(e, "name", false, &m->name)) ||
	    (st = get_str(e, "family", false, &m->family)) || (st = get_str(e, "arch", true, &m->arch)) ||
	    (st = get_str(e, "quant", true, &m->quant)) || (st = get_str(e, "quant_label", true, &m->quant_label)) ||
	    (st = get_str(e, "file_name", false, &m->file_name)) || (st = get_str(e, "sha256", true, &m->sha256)) ||
	    (st = get_str(e, "status", false, &status)) || (st = get_str(e, "replaced_by", true, &m->replaced_by)) ||
	    (st = get_u64(e, "file_bytes", false, 1, 1ull << 50, &m->file_bytes)))
		return st;
	yyjson_val *exact = yyjson_obj_get(e->obj, "file_bytes_exact");
	if (exact && !yyjson_is_bool(exact))
		return bad(e, "file_bytes_exact", "is not true or false");
	m->file_bytes_exact = !exact || yyjson_get_bool(exact);
	if (!m->file_bytes_exact && !m->sha256)
		return bad(e, "sha256", "must be known when the size is not exact");
	if (!strcmp(kind, "llm"))
		m->kind = TACIT_MODEL_LLM;
	else if (!strcmp(kind, "asr"))
		m->kind = TACIT_MODEL_ASR;
	else if (!strcmp(kind, "vad"))
		m->kind = TACIT_MODEL_VAD;
	else if (!strcmp(kind, "speaker"))
		m->kind = TACIT_MODEL_SPEAKER;
	else if (!strcmp(kind, "embed"))
		m->kind = TACIT_MODEL_EMBED;
	else
		return bad(e, "kind", "is not one of llm, asr, vad, speaker, embed");
	if (!strcmp(status, "archived"))
		m->archived = true;
	else if (strcmp(status, "active") != 0)
		return bad(e, "status", "is not one of active, archived");
	if (m->archived && !m->replaced_by)
		return bad(e, "replaced_by", "must name the successor of an archived model");
	if (strchr(m->file_name, '/') || m->file_name[0] == '.')
		return bad(e, "file_name", "must be a plain file name (no '/', no leading '.')");
	if (m->sha256 && !is_hex64(m->sha256))
		return bad(e, "sha256", "must be 64 lowercase hex digits or null");
	yyjson_val *urls = yyjson_obj_get(e->obj, "urls");
	if (!yyjson_is_arr(urls) || yyjson_arr_size(urls) == 0)
		return bad(e, "urls", "must be a non-empty array");
	size_t i, n;
	yyjson_val *u;
	yyjson_arr_foreach(urls, i, n, u)
	{
		if (!yyjson_is_str(u) || strncmp(yyjson_get_str(u), "https://", 8) != 0 || yyjson_get_len(u) <= 8)
			return bad(e, "urls", "must hold https:// addresses");
		if (i == 0)
			m->url = yyjson_get_str(u);
	}
	if (m->kind == TACIT_MODEL_LLM)
		return parse_layout(e, m);
	if (m->kind == TACIT_MODEL_ASR)
		return parse_speech(e, m);
	return TACIT_OK;
}

enum tacit_status tacit_catalog_parse(const char *json, size_t len, struct tacit_catalog **out)
{
	enum tacit_status st = TACIT_OK;
	struct tacit_catalog *cat = NULL;
	yyjson_read_err err;

	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_catalog_parse: out is NULL");
	*out = NULL;
	if (!json)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_catalog_parse: json is NULL");
	if (len > CATALOG_MAX_BYTES)
		return tacit_fail(TACIT_ERR_FORMAT, "invalid catalog: %zu bytes is larger than the %u allowed", len,
				  CATALOG_MAX_BYTES);
	cat = calloc(1, sizeof(*cat));
	if (!cat)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory loading the catalog");
	cat->doc = yyjson_read_opts((char *)json, len, YYJSON_READ_NOFLAG, NULL, &err);
	if (!cat->doc) {
		st = tacit_fail(TACIT_ERR_FORMAT, "invalid catalog: JSON error at byte %zu: %s", err.pos, err.msg);
		goto out;
	}
	yyjson_val *root = yyjson_doc_get_root(cat->doc);
	yyjson_val *version = yyjson_obj_get(root, "version");
	if (!yyjson_is_obj(root) || !yyjson_is_int(version) || yyjson_get_sint(version) != 1) {
		st = tacit_fail(TACIT_ERR_FORMAT, "invalid catalog: not a version 1 catalog (an object with \"version\": 1)");
		goto out;
	}
	yyjson_val *models = yyjson_obj_get(root, "models");
	if (!yyjson_is_arr(models) || yyjson_arr_size(models) == 0 || yyjson_arr_size(models) > CATALOG_MAX_MODELS) {
		st = tacit_fail(TACIT_ERR_FORMAT, "invalid catalog: \"models\" must be an array of 1 to %d entries",
				CATALOG_MAX_MODELS);
		goto out;
	}
	cat->models = calloc(yyjson_arr_size(models), sizeof(*cat->models));
	if (!cat->models) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory loading the catalog");
		goto out;
	}
	size_t i, n;
	yyjson_val *v;
	yyjson_arr_foreach(models, i, n, v)
	{
		struct entry e = { .obj = v, .index = i };
		snprintf(e.id_buf, sizeof(e.id_buf), "#%zu", i);
		e.id = e.id_buf;
		struct tacit_model_info *m = &cat->models[i];
		if ((st = parse_model(&e, m)) != TACIT_OK)
			goto out;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cat->models[j].id, m->id)) {
				st = bad(&e, "id", "appears twice");
				goto out;
			}
		cat->n_models = i + 1;
	}
	for (i = 0; i < cat->n_models; i++) {
		const struct tacit_model_info *m = &cat->models[i];
		if (m->replaced_by && !tacit_catalog_find(cat, m->replaced_by)) {
			st = tacit_fail(TACIT_ERR_FORMAT, "invalid catalog: model '%s': \"replaced_by\" names unknown model '%s'",
					m->id, m->replaced_by);
			goto out;
		}
	}
out:
	if (st != TACIT_OK) {
		tacit_catalog_free(cat);
		return st;
	}
	*out = cat;
	return TACIT_OK;
}

enum tacit_status tacit_catalog_load(struct tacit_catalog **out)
{
	const char *path = getenv("TACIT_CATALOG");
	struct buf text;
	enum tacit_status st;

	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_catalog_load: out is NULL");
	*out = NULL;
	if (!path || !*path)
		return tacit_catalog_parse(tacit_catalog_builtin, strlen(tacit_catalog_builtin), out);
	buf_init(&text);
	if (!read_small_file(path, &text, CATALOG_MAX_BYTES + 1)) {
		st = tacit_fail_errno(TACIT_ERR_IO, "cannot read catalog '%s' (from TACIT_CATALOG)", path);
		goto out;
	}
	st = tacit_catalog_parse(text.data, text.len, out);
	if (st != TACIT_OK) {
		struct errsave e;
		errsave_push(&e);
		st = tacit_fail(st, "%s (in '%s', from TACIT_CATALOG)", e.msg, path);
	}
out:
	buf_release(&text);
	return st;
}

void tacit_catalog_free(struct tacit_catalog *cat)
{
	if (!cat)
		return;
	free(cat->models);
	yyjson_doc_free(cat->doc);
	free(cat);
}

size_t tacit_catalog_count(const struct tacit_catalog *cat)
{
	return cat ? cat->n_models : 0;
}

const struct tacit_model_info *tacit_catalog_get(const struct tacit_catalog *cat, size_t i)
{
	return cat && i < cat->n_models ? &cat->models[i] : NULL;
}

const struct tacit_model_info *tacit_catalog_find(const struct tacit_catalog *cat, const char *id)
{
	for (size_t i = 0; cat && id && i < cat->n_models; i++)
		if (!strcmp(cat->models[i].id, id))
			return &cat->models[i];
	return NULL;
}
