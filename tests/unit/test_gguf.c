/*
 * test_gguf.c — the strict GGUF pre-parser: the real stories260K model, and files built
 * here by a small writer, valid and hostile (truncation at every byte, huge counts and
 * lengths, bad alignment, unknown types, offsets past the end or wrapping 2^64, duplicate
 * tensors, bad tokenizer arrays), plus directories, FIFOs and empty files.
 * With TACIT_GGUF_CORPUS=DIR set, the built files are also written there as fuzz seeds.
 */
#include "internal.h"

#include "gguf_check.h"

#include "../check.h"

#include <sys/stat.h>
#include <yyjson.h>

/* ---- a tiny GGUF writer ---- */

static void w_u32(struct buf *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	buf_add(b, x, 4);
}

static void w_u64(struct buf *b, uint64_t v)
{
	uint8_t x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	buf_add(b, x, 8);
}

static void w_str(struct buf *b, const char *s)
{
	w_u64(b, strlen(s));
	buf_adds(b, s);
}

static void w_kv_str(struct buf *b, const char *key, const char *val)
{
	w_str(b, key);
	w_u32(b, 8);
	w_str(b, val);
}

static void w_kv_u32(struct buf *b, const char *key, uint32_t v)
{
	w_str(b, key);
	w_u32(b, 4);
	w_u32(b, v);
}

/* What to get wrong; a zeroed struct with mk_default() builds a valid file. */
struct mk {
	uint32_t version;
	uint64_t alignment;      /* 0: no general.alignment key */
	uint32_t alignment_type; /* its value type */
	uint32_t tokens_elem;    /* element type of tokenizer.ggml.tokens */
	uint64_t tokens_count;   /* count written for it (8 strings are written) */
	uint32_t bos;
	uint64_t name_len;       /* length field written for general.name ("tiny") */
	uint64_t n_kv_delta;     /* added to the true metadata count */
	uint64_t n_tensors;      /* 0: the true count */
	uint32_t n_dims0;        /* 0: true dims of tensor 0 */
	uint32_t type0;          /* UINT32_MAX: true type of tensor 0 */
	uint64_t ne0;            /* 0: true first dimension of tensor 0 */
	uint64_t offset_last;    /* UINT64_MAX: true offset of the last tensor */
	bool dup_name;           /* tensor 2 named like tensor 1 */
	bool dup_apart;          /* the last tensor named like the first (not neighbours) */
	uint32_t zero_dim;       /* 1 + the dimension of tensor 0 written as 0; 0: none */
	size_t big_string;       /* adds general.description of this many bytes */
	bool chat_template;
};

static struct mk mk_default(void)
{
	struct mk m = { 0 };
	m.version = 3;
	m.alignment = 32;
	m.alignment_type = 4;
	m.tokens_elem = 8;
	m.tokens_count = 8;
	m.bos = 1;
	m.name_len = 4;
	m.type0 = UINT32_MAX;
	m.offset_last = UINT64_MAX;
	return m;
}

static const struct {
	const char *name;
	uint32_t n_dims;
	uint64_t ne[2];
	uint32_t type;
	uint64_t size;
} tiny_tensors[] = {
	{ "token_embd.weight", 2, { 32, 8 }, 0, 32 * 8 * 4 },
	{ "blk.0.attn_q.weight", 2, { 32, 32 }, 8, 32 * 34 },
	{ "blk.1.attn_q.weight", 2, { 32, 32 }, 1, 32 * 32 * 2 },
	{ "output_norm.weight", 1, { 32, 1 }, 0, 32 * 4 },
};

/* Builds a small llama-like GGUF; the file ends where the last tensor's data ends. */
static void build(struct buf *b, const struct mk *m)
{
	static const char *const toks[8] = { "<unk>", "<s>", "</s>", "a", "b", "c", "d", "e" };
	uint64_t n_kv = 9 + (m->alignment != 0) + (m->big_string != 0) + m->chat_template;
	uint64_t align = m->alignment ? m->alignment : 32;
	size_t n_t = ARRAY_SIZE(tiny_tensors);

	buf_reset(b);
	buf_add(b, "GGUF", 4);
	w_u32(b, m->version);
	w_u64(b, m->n_tensors ? m->n_tensors : n_t);
	w_u64(b, n_kv + m->n_kv_delta);
	w_kv_str(b, "general.architecture", "llama");
	w_str(b, "general.name");
	w_u32(b, 8);
	w_u64(b, m->name_len);
	buf_adds(b, "tiny");
	if (m->alignment) {
		w_str(b, "general.alignment");
		w_u32(b, m->alignment_type);
		if (m->alignment_type == 10)
			w_u64(b, m->alignment);
		else
			w_u32(b, (uint32_t)m->alignment);
	}
	w_kv_u32(b, "llama.block_count", 2);
	w_kv_u32(b, "llama.context_length", 128);
	w_kv_u32(b, "llama.embedding_length", 32);
	w_kv_u32(b, "llama.attention.head_count", 4);
	w_kv_str(b, "tokenizer.ggml.model", "llama");
	w_str(b, "tokenizer.ggml.tokens");
	w_u32(b, 9);
	w_u32(b, m->tokens_elem);
	w_u64(b, m->tokens_count);
	for (int i = 0; i < 8; i++)
		if (m->tokens_elem == 8)
			w_str(b, toks[i]);
		else
			w_u32(b, (uint32_t)i);
	w_kv_u32(b, "tokenizer.ggml.bos_token_id", m->bos);
	if (m->big_string) {
		w_str(b, "general.description");
		w_u32(b, 8);
		w_u64(b, m->big_string);
		for (size_t i = 0; i < m->big_string; i++)
			buf_add(b, "x", 1);
	}
	if (m->chat_template)
		w_kv_str(b, "tokenizer.chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}");

	uint64_t off = 0;
	for (size_t i = 0; i < n_t; i++) {
		w_str(b, m->dup_name && i == 2     ? tiny_tensors[1].name
			 : m->dup_apart && i == n_t - 1 ? tiny_tensors[0].name
							: tiny_tensors[i].name);
		w_u32(b, i == 0 && m->n_dims0 ? m->n_dims0 : tiny_tensors[i].n_dims);
		uint32_t nd = i == 0 && m->n_dims0 ? m->n_dims0 : tiny_tensors[i].n_dims;
		for (uint32_t d = 0; d < nd; d++)
			w_u64(b, i == 0 && m->zero_dim == d + 1 ? 0
				 : d == 0 && i == 0 && m->ne0   ? m->ne0
				 : d < 2                         ? tiny_tensors[i].ne[d]
								 : 1);
		w_u32(b, i == 0 && m->type0 != UINT32_MAX ? m->type0 : tiny_tensors[i].type);
		w_u64(b, i == n_t - 1 && m->offset_last != UINT64_MAX ? m->offset_last : off);
		off = (off + tiny_tensors[i].size + align - 1) / align * align;
	}
	while (b->len % align)
		buf_add(b, "", 1);
	/* Data: zero bytes up to the end of the last tensor. */
	uint64_t last_end = 0;
	off = 0;
	for (size_t i = 0; i < n_t; i++) {
		last_end = off + tiny_tensors[i].size;
		off = (last_end + align - 1) / align * align;
	}
	size_t data_start = b->len;
	buf_grow(b, (size_t)last_end);
	memset(b->data + data_start, 0, (size_t)last_end);
	b->len = data_start + (size_t)last_end;
}

static int corpus_seq;

/* Writes b to $TACIT_GGUF_CORPUS as a fuzz seed, when set. */
static void maybe_seed(const char *tag, const struct buf *b)
{
	const char *dir = getenv("TACIT_GGUF_CORPUS");
	if (!dir || !*dir || b->len > 65536) /* keep the corpus small */
		return;
	char name[128];
	snprintf(name, sizeof(name), "seed-%02d-%s.gguf", corpus_seq++, tag);
	test_write_file(dir, name, b->data, b->len);
}

static enum tacit_status parse_buf(const struct buf *b, struct tacit_gguf_info **info)
{
	bool more = true;
	enum tacit_status st = gguf_parse((const uint8_t *)b->data, b->len, b->len, "t.gguf", info, &more);
	CHECK(!more);
	if (st != TACIT_OK)
		CHECK(*info == NULL);
	return st;
}

/* Builds m, expects status st and errmsg containing want; writes a seed. */
static void expect_bad(const char *tag, const struct mk *m, enum tacit_status st, const char *want)
{
	struct buf b;
	struct tacit_gguf_info *info = NULL;
	buf_init(&b);
	build(&b, m);
	maybe_seed(tag, &b);
	enum tacit_status got = parse_buf(&b, &info);
	if (got != st || !strstr(tacit_errmsg(), want)) {
		char msg[1400];
		snprintf(msg, sizeof(msg), "%s: status %d (want %d), message \"%s\" (want \"%s\")", tag, got, st,
			 tacit_errmsg(), want);
		test_failed(__FILE__, __LINE__, msg);
	}
	tacit_gguf_info_free(info);
	buf_release(&b);
}

TEST(gguf_valid_built_file)
{
	struct buf b;
	struct tacit_gguf_info *in = NULL;
	struct mk m = mk_default();
	m.chat_template = true;
	buf_init(&b);
	build(&b, &m);
	maybe_seed("valid", &b);
	CHECK_EQ_INT(parse_buf(&b, &in), TACIT_OK);
	if (!in)
		goto out;
	CHECK_EQ_INT(in->version, 3);
	CHECK_STR(in->architecture, "llama");
	CHECK_STR(in->name, "tiny");
	CHECK_EQ_INT(in->n_tensors, 4);
	CHECK_EQ_INT(in->n_layers, 2);
	CHECK_EQ_INT(in->n_embd, 32);
	CHECK_EQ_INT(in->n_head, 4);
	CHECK_EQ_INT(in->n_head_kv, 4);
	CHECK_EQ_INT(in->head_dim, 8);
	CHECK_EQ_INT(in->n_ctx_train, 128);
	CHECK_EQ_INT(in->n_vocab, 8);
	CHECK_STR(in->tokenizer_model, "llama");
	CHECK(in->has_chat_template);
	CHECK_EQ_INT(in->bos_token_id, 1);
	CHECK_EQ_INT(in->eos_token_id, -1);
	CHECK_EQ_INT(in->file_type, -1);
	CHECK_EQ_INT(in->n_params, 32 * 8 + 32 * 32 * 2 + 32);
	CHECK_EQ_INT(in->weight_bytes, 1024 + 1088 + 2048 + 128);
	CHECK_EQ_INT(in->n_layer_bytes, 2);
	if (in->n_layer_bytes == 2) {
		CHECK_EQ_INT(in->layer_bytes[0], 1088);
		CHECK_EQ_INT(in->layer_bytes[1], 2048);
	}
	CHECK_EQ_INT(in->layer_bytes_total, 1088 + 2048);
	CHECK_EQ_INT(in->other_bytes, 1024 + 128);
	CHECK_EQ_INT(in->n_types, 3);
	if (in->n_types == 3) { /* most bytes first */
		CHECK_STR(in->types[0].type_name, "f16");
		CHECK_STR(in->types[1].type_name, "f32");
		CHECK_EQ_INT(in->types[1].n_tensors, 2);
		CHECK_EQ_INT(in->types[1].n_bytes, 1024 + 128);
		CHECK_STR(in->types[2].type_name, "q8_0");
	}
	CHECK_STR(in->main_type_name, "f16");
	CHECK_EQ_INT(in->data_offset % 32, 0);
	CHECK_EQ_INT(in->data_offset + 1024 + 1088 + 2048 + 128, b.len);

	uint64_t v = 0;
	double f = 0;
	CHECK(tacit_gguf_info_get_u64(in, "llama.block_count", &v) && v == 2);
	CHECK(tacit_gguf_info_get_f64(in, "llama.context_length", &f) && f == 128.0);
	CHECK(!tacit_gguf_info_get_u64(in, "general.architecture", &v));
	CHECK(!tacit_gguf_info_get_u64(in, "no.such.key", &v));
	CHECK_STR(tacit_gguf_info_get_str(in, "general.architecture"), "llama");
	CHECK(tacit_gguf_info_get_str(in, "llama.block_count") == NULL);
	CHECK_EQ_INT(tacit_gguf_info_array_len(in, "tokenizer.ggml.tokens"), 8);
	CHECK(!tacit_gguf_info_get_u64_at(in, "tokenizer.ggml.tokens", 0, &v)); /* strings are not numbers */
	CHECK_STR(tacit_gguf_type_name(12), "q4_K");
	CHECK(tacit_gguf_type_name(4) == NULL && tacit_gguf_type_name(43) == NULL && tacit_gguf_type_name(-1) == NULL);

	char *json = tacit_gguf_info_json(in);
	CHECK(json != NULL);
	yyjson_doc *doc = json ? yyjson_read(json, strlen(json), 0) : NULL;
	CHECK(doc != NULL);
	if (doc) {
		yyjson_val *root = yyjson_doc_get_root(doc);
		CHECK_STR(yyjson_get_str(yyjson_obj_get(root, "architecture")), "llama");
		CHECK_EQ_INT(yyjson_get_uint(yyjson_obj_get(root, "weight_bytes")), 1024 + 1088 + 2048 + 128);
		CHECK_EQ_INT(yyjson_arr_size(yyjson_obj_get(root, "layer_bytes")), 2);
		CHECK_EQ_INT(yyjson_get_uint(yyjson_obj_get(yyjson_obj_get(root, "metadata"), "llama.block_count")), 2);
		yyjson_doc_free(doc);
	}
	tacit_free(json);
out:
	tacit_gguf_info_free(in);
	buf_release(&b);
}

TEST(gguf_truncated_at_every_byte)
{
	struct buf b;
	struct mk m = mk_default();
	buf_init(&b);
	build(&b, &m);
	int bad = 0, more_ok = 0;
	for (size_t n = 0; n < b.len; n++) {
		struct tacit_gguf_info *in = NULL;
		bool more = true;
		enum tacit_status st = gguf_parse((const uint8_t *)b.data, n, n, "t.gguf", &in, &more);
		if (st == TACIT_OK || in || more || !*tacit_errmsg())
			bad++;
		tacit_gguf_info_free(in);
		/* The same prefix of a longer file: the parser asks for more instead. */
		st = gguf_parse((const uint8_t *)b.data, n, b.len, "t.gguf", &in, &more);
		if (st != TACIT_OK && more)
			more_ok++;
		tacit_gguf_info_free(in);
	}
	CHECK_EQ_INT(bad, 0);
	CHECK(more_ok > 100); /* every prefix inside the header */
	/* A prefix holding the whole header parses: data is never needed. */
	struct tacit_gguf_info *in = NULL;
	CHECK_EQ_INT(gguf_parse((const uint8_t *)b.data, b.len - 4000, b.len, "t.gguf", &in, NULL), TACIT_OK);
	tacit_gguf_info_free(in);
	buf_release(&b);
}

TEST(gguf_hostile_headers)
{
	struct mk m;

	m = mk_default(), m.n_kv_delta = 1u << 30;
	expect_bad("huge-kv-count", &m, TACIT_ERR_FORMAT, "more than the limit of 65536");
	m = mk_default(), m.n_kv_delta = 1000;
	expect_bad("kv-count-past-eof", &m, TACIT_ERR_FORMAT, "cannot fit in");
	m = mk_default(), m.n_tensors = (uint64_t)1 << 40;
	expect_bad("huge-tensor-count", &m, TACIT_ERR_FORMAT, "tensors, more than the limit");
	m = mk_default(), m.name_len = (uint64_t)1 << 62;
	expect_bad("huge-string", &m, TACIT_ERR_FORMAT, "exceeds the limit");
	m = mk_default(), m.name_len = 1u << 20;
	expect_bad("string-past-eof", &m, TACIT_ERR_FORMAT, "('general.name') runs past the end of the file");
	m = mk_default(), m.tokens_count = 3000000;
	expect_bad("array-past-eof", &m, TACIT_ERR_FORMAT, "'tokenizer.ggml.tokens' of 3000000 strings runs past the end");
	m = mk_default(), m.tokens_count = (uint64_t)1 << 40;
	expect_bad("huge-array", &m, TACIT_ERR_FORMAT, "more than the limit of 4194304");
	m = mk_default(), m.n_dims0 = 5;
	expect_bad("n-dims-5", &m, TACIT_ERR_FORMAT, "tensor 'token_embd.weight' has 5 dimensions");
	m = mk_default(), m.type0 = 999;
	expect_bad("type-999", &m, TACIT_ERR_FORMAT, "tensor 'token_embd.weight' has unknown type 999");
	m = mk_default(), m.type0 = 4; /* Q4_2: removed from ggml */
	expect_bad("type-removed", &m, TACIT_ERR_FORMAT, "unknown type 4");
	m = mk_default(), m.type0 = 12; /* q4_K rows must be multiples of 256 */
	expect_bad("row-not-block", &m, TACIT_ERR_FORMAT, "not a multiple of q4_K's block of 256");
	m = mk_default(), m.ne0 = (uint64_t)1 << 62;
	expect_bad("elements-overflow", &m, TACIT_ERR_FORMAT, "too many elements");
	m = mk_default(), m.alignment = 3;
	expect_bad("alignment-3", &m, TACIT_ERR_FORMAT, "alignment 3 is not a power of two");
	m = mk_default(), m.alignment = 2u << 20;
	expect_bad("alignment-2mib", &m, TACIT_ERR_FORMAT, "alignment 2097152 is not a power of two up to 1048576");
	m = mk_default(), m.alignment = 64, m.alignment_type = 10;
	expect_bad("alignment-u64", &m, TACIT_ERR_FORMAT, "'general.alignment' must be a uint32, not a uint64");
	m = mk_default(), m.offset_last = (uint64_t)1 << 40;
	expect_bad("offset-past-eof", &m, TACIT_ERR_FORMAT, "tensor 'output_norm.weight' data starts past the end of the file");
	m = mk_default(), m.offset_last = 4160 + 32;
	expect_bad("data-past-eof", &m, TACIT_ERR_FORMAT, "tensor 'output_norm.weight' data ends at byte");
	m = mk_default(), m.offset_last = UINT64_MAX - 31; /* aligned, wraps 2^64 when added */
	expect_bad("offset-wraps", &m, TACIT_ERR_FORMAT, "data starts past the end of the file");
	m = mk_default(), m.offset_last = 4160 + 4;
	expect_bad("offset-misaligned", &m, TACIT_ERR_FORMAT, "offset 4164 is not a multiple of the alignment 32");
	m = mk_default(), m.offset_last = 2112;
	expect_bad("overlap", &m, TACIT_ERR_FORMAT, "overlap");
	m = mk_default(), m.dup_name = true;
	expect_bad("dup-tensor", &m, TACIT_ERR_FORMAT, "duplicate tensor 'blk.0.attn_q.weight'");
	m = mk_default(), m.dup_apart = true;
	expect_bad("dup-tensor-apart", &m, TACIT_ERR_FORMAT, "duplicate tensor 'token_embd.weight'");
	m = mk_default(), m.zero_dim = 1;
	expect_bad("zero-dim-0", &m, TACIT_ERR_FORMAT, "tensor 'token_embd.weight' has an empty dimension (dimension 1 is 0)");
	m = mk_default(), m.zero_dim = 2;
	expect_bad("zero-dim-1", &m, TACIT_ERR_FORMAT, "tensor 'token_embd.weight' has an empty dimension (dimension 2 is 0)");
	m = mk_default(), m.zero_dim = 2, m.dup_apart = true;
	expect_bad("zero-dim-dup", &m, TACIT_ERR_FORMAT, "empty dimension");
	m = mk_default(), m.bos = 8;
	expect_bad("bos-past-vocab", &m, TACIT_ERR_FORMAT, "special token 'tokenizer.ggml.bos_token_id' is 8, outside the vocabulary of 8");
	m = mk_default(), m.tokens_elem = 5;
	expect_bad("tokens-int32", &m, TACIT_ERR_FORMAT, "'tokenizer.ggml.tokens' must be an array of string, not an array of int32");
	m = mk_default(), m.version = 1;
	expect_bad("version-1", &m, TACIT_ERR_UNSUPPORTED, "version 1");
	m = mk_default(), m.version = 0x03000000;
	expect_bad("big-endian", &m, TACIT_ERR_UNSUPPORTED, "big-endian");
	m = mk_default(), m.version = 4;
	expect_bad("version-4", &m, TACIT_ERR_UNSUPPORTED, "version 4");
	m = mk_default(), m.version = 2;
	struct buf b;
	struct tacit_gguf_info *in = NULL;
	buf_init(&b);
	build(&b, &m);
	maybe_seed("v2", &b);
	CHECK_EQ_INT(parse_buf(&b, &in), TACIT_OK);
	tacit_gguf_info_free(in);
	in = NULL;

	memcpy(b.data, "GGUG", 4);
	CHECK_EQ_INT(parse_buf(&b, &in), TACIT_ERR_FORMAT);
	CHECK(strstr(tacit_errmsg(), "not a GGUF file: 't.gguf' (bad magic)") != NULL);
	buf_release(&b);
}

TEST(gguf_duplicate_key_and_nested_array)
{
	struct buf b;
	struct tacit_gguf_info *in = NULL;
	buf_init(&b);
	buf_add(&b, "GGUF", 4);
	w_u32(&b, 3);
	w_u64(&b, 0);
	w_u64(&b, 2);
	w_kv_u32(&b, "a.b", 1);
	w_kv_u32(&b, "a.b", 2);
	maybe_seed("dup-key", &b);
	CHECK_EQ_INT(parse_buf(&b, &in), TACIT_ERR_FORMAT);
	CHECK(strstr(tacit_errmsg(), "duplicate key 'a.b'") != NULL);

	buf_reset(&b);
	buf_add(&b, "GGUF", 4);
	w_u32(&b, 3);
	w_u64(&b, 0);
	w_u64(&b, 1);
	w_str(&b, "x");
	w_u32(&b, 9);
	w_u32(&b, 9);
	w_u64(&b, 1);
	maybe_seed("nested-array", &b);
	CHECK_EQ_INT(parse_buf(&b, &in), TACIT_ERR_FORMAT);
	CHECK(strstr(tacit_errmsg(), "an array of arrays") != NULL);

	/* Tensor-less, metadata-only files are valid (vocab-only GGUF). */
	buf_reset(&b);
	buf_add(&b, "GGUF", 4);
	w_u32(&b, 3);
	w_u64(&b, 0);
	w_u64(&b, 1);
	w_kv_str(&b, "general.architecture", "bert");
	maybe_seed("no-tensors", &b);
	CHECK_EQ_INT(parse_buf(&b, &in), TACIT_OK);
	if (in) {
		CHECK_STR(in->architecture, "bert");
		CHECK_EQ_INT(in->n_types, 0);
		CHECK_EQ_INT(in->main_type, -1);
	}
	tacit_gguf_info_free(in);
	buf_release(&b);
}

TEST(gguf_stories260k)
{
	const char *shared = test_shared_dir();
	char path[4096];
	struct tacit_gguf_info *in = NULL;
	if (!shared)
		SKIP("no ../shared (stories260K.gguf)");
	snprintf(path, sizeof(path), "%s/models/stories260K.gguf", shared);
	CHECK_EQ_INT(tacit_gguf_inspect(path, &in), TACIT_OK);
	if (!in)
		return;
	CHECK_STR(in->architecture, "llama");
	CHECK_EQ_INT(in->version, 3);
	CHECK_EQ_INT(in->n_vocab, 512);
	CHECK_EQ_INT(in->n_ctx_train, 512);
	CHECK_EQ_INT(in->n_layers, 5);
	CHECK_EQ_INT(in->n_embd, 64);
	CHECK_EQ_INT(in->n_head, 8);
	CHECK_EQ_INT(in->n_head_kv, 4);
	CHECK_EQ_INT(in->n_tensors, 48);
	CHECK_STR(in->tokenizer_model, "llama");
	CHECK(!in->has_chat_template);
	CHECK_EQ_INT(in->file_type, 0);
	CHECK_STR(in->file_type_name, "F32");
	CHECK_EQ_INT(in->n_types, 1);
	CHECK_EQ_INT(in->weight_bytes, in->n_params * 4); /* all f32 */
	CHECK_EQ_INT(in->data_offset + in->weight_bytes, in->file_size);
	CHECK_EQ_INT(in->n_layer_bytes, 5);
	CHECK_EQ_INT(in->layer_bytes_total + in->other_bytes, in->weight_bytes);
	uint64_t v = 0;
	CHECK(tacit_gguf_info_get_u64(in, "llama.rope.dimension_count", &v) && v == 8);
	CHECK(tacit_gguf_info_get_u64_at(in, "tokenizer.ggml.token_type", 3, &v));
	CHECK_EQ_INT(tacit_gguf_info_array_len(in, "tokenizer.ggml.scores"), 512);
	tacit_gguf_info_free(in);
}

TEST(gguf_file_front_end)
{
	const char *dir = test_tmpdir();
	char path[4096];
	struct tacit_gguf_info *in = NULL;
	struct buf b;

	CHECK_EQ_INT(tacit_gguf_inspect(dir, &in), TACIT_ERR_IO);
	CHECK(strstr(tacit_errmsg(), "not a regular file (a directory)") != NULL);
	snprintf(path, sizeof(path), "%s/fifo.gguf", dir);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK_EQ_INT(tacit_gguf_inspect(path, &in), TACIT_ERR_IO); /* must not block on the FIFO */
	CHECK(strstr(tacit_errmsg(), "a FIFO") != NULL);
	const char *empty = test_write_file(dir, "empty.gguf", "", 0);
	CHECK_EQ_INT(tacit_gguf_inspect(empty, &in), TACIT_ERR_FORMAT);
	CHECK(strstr(tacit_errmsg(), "(empty file)") != NULL);
	snprintf(path, sizeof(path), "%s/missing.gguf", dir);
	CHECK_EQ_INT(tacit_gguf_inspect(path, &in), TACIT_ERR_NOT_FOUND);
	CHECK(in == NULL);

	/* A header of 3 MiB: the front end reads on past its first 1 MiB. */
	struct mk m = mk_default();
	m.big_string = 3u << 20;
	buf_init(&b);
	build(&b, &m);
	const char *big = test_write_file(dir, "big.gguf", b.data, b.len);
	CHECK_EQ_INT(tacit_gguf_inspect(big, &in), TACIT_OK);
	if (in)
		CHECK_EQ_INT(strlen(tacit_gguf_info_get_str(in, "general.description")), 3u << 20);
	tacit_gguf_info_free(in);
	in = NULL;
	/* Cut in the data: the header parses, the last tensor is past the end. */
	const char *cut = test_write_file(dir, "cut.gguf", b.data, b.len - 1);
	CHECK_EQ_INT(tacit_gguf_inspect(cut, &in), TACIT_ERR_FORMAT);
	CHECK(strstr(tacit_errmsg(), "tensor 'output_norm.weight' data ends at byte") != NULL);
	buf_release(&b);
}
