/*
 * test_catalog.c — the catalog loader: the built-in catalog loads and carries the real
 * layer counts, tiers and stars; the TACIT_CATALOG override; and every kind of malformed
 * catalog fails with TACIT_ERR_FORMAT naming the field.
 */
#include "../check.h"

#include <tacit.h>

#include <stdlib.h>
#include <string.h>

/* One valid LLM entry; the malformed cases each change one piece of it. */
static const char mini[] =
	"{\"version\":1,\"models\":[{\"id\":\"tiny\",\"kind\":\"llm\",\"name\":\"Tiny\",\"family\":\"t\","
	"\"arch\":\"llama\",\"quant\":\"Q4_0\",\"quant_label\":\"Q4_0\",\"file_name\":\"tiny.gguf\","
	"\"file_bytes\":1000000,\"sha256\":null,\"status\":\"active\",\"replaced_by\":null,"
	"\"urls\":[\"https://example.org/tiny.gguf\"],\"params_total\":1000000000,\"params_effective\":null,"
	"\"params_active\":null,\"stars\":1,\"tier\":\"compact\",\"ram_at_load_bytes\":null,\"n_ctx_train\":4096,"
	"\"n_layers\":4,\"n_embd\":256,\"n_head\":4,\"n_head_kv\":2,\"head_dim\":64,\"n_vocab\":1000,"
	"\"attn_full_layers\":4,\"attn_swa_layers\":0,\"sliding_window\":null,\"swa_n_head_kv\":null,"
	"\"swa_head_dim\":null,\"recurrent_layers\":0,\"recurrent_state_bytes_per_layer\":null,"
	"\"kv_shared_layers\":0,\"n_expert\":null,\"n_expert_used\":null}]}";

/* mini with the first `from` replaced by `to`; parses it and returns the status. */
static enum tacit_status parse_with(const char *from, const char *to)
{
	char text[4096];
	const char *at = strstr(mini, from);
	if (!at) {
		test_failed(__FILE__, __LINE__, from);
		return TACIT_OK;
	}
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - mini), mini, to, at + strlen(from));
	struct tacit_catalog *cat = NULL;
	enum tacit_status st = tacit_catalog_parse(text, strlen(text), &cat);
	CHECK((st == TACIT_OK) == (cat != NULL));
	tacit_catalog_free(cat);
	return st;
}

static void expect_bad(const char *from, const char *to, const char *in_message)
{
	enum tacit_status st = parse_with(from, to);
	if (st != TACIT_ERR_FORMAT || !strstr(tacit_errmsg(), in_message)) {
		char msg[512];
		snprintf(msg, sizeof(msg), "'%s' -> '%s': status %d, message '%s' lacks '%s'", from, to, (int)st,
			 tacit_errmsg(), in_message);
		test_failed(__FILE__, __LINE__, msg);
	}
}

TEST(catalog_builtin_has_the_nine_llms)
{
	struct tacit_catalog *cat = NULL;
	unsetenv("TACIT_CATALOG");
	CHECK_EQ_INT(tacit_catalog_load(&cat), TACIT_OK);
	CHECK(tacit_catalog_count(cat) >= 9);
	static const struct {
		const char *id, *tier;
		int stars, n_layers;
	} want[] = {
		{ "qwen3.5-2b", "compact", 1, 24 },  { "qwen3.5-4b", "compact", 1, 32 },    { "gemma4-e2b", "compact", 1, 35 },
		{ "gemma4-e4b", "standard", 2, 42 }, { "qwen3.5-9b", "standard", 2, 32 },   { "qwen3.5-9b-hq", "standard-hq", 2, 32 },
		{ "qwen3.6-27b", "pro", 3, 64 },     { "gemma4-31b", "pro", 3, 60 },        { "qwen3.6-35b-a3b", "max", 3, 40 },
	};
	int n_active_llm = 0;
	for (size_t i = 0; i < tacit_catalog_count(cat); i++) {
		const struct tacit_model_info *m = tacit_catalog_get(cat, i);
		n_active_llm += m->kind == TACIT_MODEL_LLM && !m->archived;
	}
	CHECK_EQ_INT(n_active_llm, 9);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct tacit_model_info *m = tacit_catalog_find(cat, want[i].id);
		CHECK(m != NULL);
		if (!m)
			continue;
		CHECK_STR(m->tier, want[i].tier);
		CHECK_EQ_INT(m->stars, want[i].stars);
		CHECK_EQ_INT(m->layout.n_layers, want[i].n_layers);
		CHECK(m->url && strncmp(m->url, "https://", 8) == 0);
		CHECK(m->layout.weights_bytes == m->file_bytes);
	}
	const struct tacit_model_info *moe = tacit_catalog_find(cat, "qwen3.6-35b-a3b");
	CHECK(moe && moe->layout.n_expert == 256 && moe->layout.n_expert_used == 8 && moe->layout.params_active == 3000000000ull);
	const struct tacit_model_info *e2b = tacit_catalog_find(cat, "gemma4-e2b");
	CHECK(e2b && e2b->layout.params_active == 2300000000ull && e2b->layout.kv_shared_layers == 20);
	const struct tacit_model_info *vad = tacit_catalog_find(cat, "silero-vad-v6.2.0");
	CHECK(vad && vad->kind == TACIT_MODEL_VAD && vad->stars == 0 && vad->layout.n_layers == 0);
	CHECK(vad && vad->file_bytes_exact);
	/* the embedding model: its publisher shows a rounded size, so its sha256 alone decides */
	const struct tacit_model_info *emb = tacit_catalog_find(cat, "granite-embedding-30m");
	CHECK(emb && emb->kind == TACIT_MODEL_EMBED && !emb->file_bytes_exact && emb->sha256 &&
	      strlen(emb->sha256) == 64 && !strncmp(emb->url, "https://", 8));
	CHECK(tacit_catalog_find(cat, "no-such-model") == NULL);
	CHECK(tacit_catalog_get(cat, tacit_catalog_count(cat)) == NULL);
	tacit_catalog_free(cat);
	tacit_catalog_free(NULL);
}

TEST(catalog_stars_rule)
{
	CHECK_EQ_INT(tacit_stars_for_params(2000000000ull), 1);
	CHECK_EQ_INT(tacit_stars_for_params(6999999999ull), 1);
	CHECK_EQ_INT(tacit_stars_for_params(7000000000ull), 2);
	CHECK_EQ_INT(tacit_stars_for_params(12000000000ull), 2);
	CHECK_EQ_INT(tacit_stars_for_params(12000000001ull), 3);
	CHECK_EQ_INT(tacit_stars_for_params(35000000000ull), 3);
}

TEST(catalog_mini_parses)
{
	struct tacit_catalog *cat = NULL;
	CHECK_EQ_INT(tacit_catalog_parse(mini, strlen(mini), &cat), TACIT_OK);
	const struct tacit_model_info *m = tacit_catalog_get(cat, 0);
	CHECK(m && m->layout.n_layers == 4 && m->layout.attn_full_layers == 4 && m->n_ctx_train == 4096);
	CHECK(m && m->sha256 == NULL && m->published_ram_bytes == 0 && !m->archived);
	tacit_catalog_free(cat);
}

TEST(catalog_malformed_is_a_clear_error)
{
	expect_bad("{\"version\":1", "[", "JSON error");
	expect_bad("\"version\":1", "\"version\":2", "version 1");
	expect_bad("\"id\":\"tiny\"", "\"id\":7", "\"id\" must be a string");
	expect_bad("\"id\":\"tiny\"", "\"id\":\"Tiny Model\"", "\"id\" may hold only");
	expect_bad("\"kind\":\"llm\"", "\"kind\":\"tts\"", "\"kind\" is not one of");
	expect_bad("\"file_bytes\":1000000", "\"file_bytes\":-1", "\"file_bytes\" is out of range");
	expect_bad("\"file_bytes\":1000000", "\"file_bytes\":1.5", "\"file_bytes\" must be an integer");
	expect_bad("\"file_bytes\":1000000", "\"file_bytes\":1000000,\"file_bytes_exact\":\"yes\"",
		   "\"file_bytes_exact\" is not true or false");
	expect_bad("\"file_bytes\":1000000", "\"file_bytes\":1000000,\"file_bytes_exact\":false",
		   "\"sha256\" must be known when the size is not exact");
	expect_bad("\"file_name\":\"tiny.gguf\"", "\"file_name\":\"../tiny.gguf\"", "\"file_name\" must be a plain");
	expect_bad("\"sha256\":null", "\"sha256\":\"abc\"", "\"sha256\" must be 64");
	expect_bad("\"urls\":[\"https://example.org/tiny.gguf\"]", "\"urls\":[\"http://example.org/t\"]", "\"urls\"");
	expect_bad("\"urls\":[\"https://example.org/tiny.gguf\"]", "\"urls\":[]", "\"urls\"");
	expect_bad("\"status\":\"active\"", "\"status\":\"gone\"", "\"status\"");
	expect_bad("\"status\":\"active\"", "\"status\":\"archived\"", "\"replaced_by\" must name");
	expect_bad("\"status\":\"active\",\"replaced_by\":null", "\"status\":\"archived\",\"replaced_by\":\"nope\"",
		   "unknown model 'nope'");
	expect_bad("\"n_layers\":4", "\"n_layers\":5", "\"n_layers\" differs");
	expect_bad("\"n_layers\":4", "\"n_layers\":0", "\"n_layers\" is out of range");
	expect_bad("\"n_layers\":4", "\"n_layers\":\"4\"", "\"n_layers\" must be an integer");
	expect_bad("\"attn_full_layers\":4,\"attn_swa_layers\":0", "\"attn_full_layers\":2,\"attn_swa_layers\":2",
		   "\"sliding_window\" must be an integer");
	expect_bad("\"attn_full_layers\":4,\"attn_swa_layers\":0,\"sliding_window\":null",
		   "\"attn_full_layers\":4,\"attn_swa_layers\":0,\"sliding_window\":512", "\"sliding_window\" is set");
	expect_bad("\"attn_full_layers\":4,\"attn_swa_layers\":0", "\"attn_full_layers\":2,\"attn_swa_layers\":0,\"x\":0",
		   "differs");
	expect_bad("\"recurrent_layers\":0", "\"recurrent_layers\":1", "differs");
	expect_bad("\"kv_shared_layers\":0", "\"kv_shared_layers\":4", "\"kv_shared_layers\" is out of range");
	expect_bad("\"stars\":1", "\"stars\":3", "\"stars\" is 3 but 1.0B parameters give 1");
	expect_bad("\"tier\":\"compact\"", "\"tier\":\"huge\"", "\"tier\" is not one of");
	expect_bad("\"n_expert\":null", "\"n_expert\":8", "\"n_expert_used\" must be set");
	expect_bad("\"n_expert\":null,\"n_expert_used\":null", "\"n_expert\":8,\"n_expert_used\":9",
		   "\"n_expert_used\" is out of range");
	expect_bad("\"n_expert\":null,\"n_expert_used\":null", "\"n_expert\":8,\"n_expert_used\":2",
		   "\"params_active\" must be given");
	expect_bad("\"params_active\":null", "\"params_active\":2000000000", "\"params_active\" is out of range");
	expect_bad("{\"id\":\"tiny\"", "\"oops\",{\"id\":\"tiny\"", "entry is not an object");
	/* the same entry twice */
	char twice[8192];
	const char *entry = strchr(mini, '[') + 1;
	size_t entry_len = strlen(entry) - 2; /* without "]}" */
	snprintf(twice, sizeof(twice), "{\"version\":1,\"models\":[%.*s,%.*s]}", (int)entry_len, entry, (int)entry_len,
		 entry);
	struct tacit_catalog *cat = NULL;
	CHECK_EQ_INT(tacit_catalog_parse(twice, strlen(twice), &cat), TACIT_ERR_FORMAT);
	CHECK(strstr(tacit_errmsg(), "appears twice") != NULL);
	CHECK(cat == NULL);
	CHECK_EQ_INT(tacit_catalog_parse("", 0, &cat), TACIT_ERR_FORMAT);
	CHECK_EQ_INT(tacit_catalog_parse("{\"version\":1,\"models\":[]}", 26, &cat), TACIT_ERR_FORMAT);
	CHECK_EQ_INT(tacit_catalog_parse(NULL, 0, &cat), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_catalog_parse(mini, strlen(mini), NULL), TACIT_ERR_USAGE);
}

TEST(catalog_override_from_environment)
{
	const char *dir = test_tmpdir();
	const char *path = test_write_file(dir, "cat.json", mini, strlen(mini));
	struct tacit_catalog *cat = NULL;
	setenv("TACIT_CATALOG", path, 1);
	CHECK_EQ_INT(tacit_catalog_load(&cat), TACIT_OK);
	CHECK_EQ_INT(tacit_catalog_count(cat), 1);
	CHECK(tacit_catalog_find(cat, "tiny") != NULL);
	tacit_catalog_free(cat);

	path = test_write_file(dir, "bad.json", "{\"version\":1}", 13);
	setenv("TACIT_CATALOG", path, 1);
	CHECK_EQ_INT(tacit_catalog_load(&cat), TACIT_ERR_FORMAT);
	CHECK(strstr(tacit_errmsg(), "bad.json") != NULL);
	setenv("TACIT_CATALOG", "/nonexistent/catalog.json", 1);
	CHECK_EQ_INT(tacit_catalog_load(&cat), TACIT_ERR_IO);
	CHECK(strstr(tacit_errmsg(), "cannot read catalog '/nonexistent/catalog.json'") != NULL);
	CHECK(cat == NULL);
	unsetenv("TACIT_CATALOG");
}
