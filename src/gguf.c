/*
 * gguf.c — tacit's own GGUF pre-parser: validates a header byte by byte from memory with
 * checked arithmetic and hard limits (gguf.h), then sums what the fit scorer needs. No
 * ggml code runs here: the point is to reject hostile files before any library sees them.
 * The file front end reads only the head of the file (growing its read until the header
 * fits) and checks tensor extents against the real file size; tensor data is never read.
 * Over 1,000 lines but one idea (the strict reading of one header format): every check
 * sits next to the field it guards.
 */
#include "internal.h"

#include "gguf_check.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yyjson.h>

/* GGUF metadata value types, as numbered in the file format. */
enum {
	GT_U8 = 0,
	GT_I8 = 1,
	GT_U16 = 2,
	GT_I16 = 3,
	GT_U32 = 4,
	GT_I32 = 5,
	GT_F32 = 6,
	GT_BOOL = 7,
	GT_STRING = 8,
	GT_ARRAY = 9,
	GT_U64 = 10,
	GT_I64 = 11,
	GT_F64 = 12,
	GT_COUNT = 13,
};

static const struct {
	const char *name;
	uint8_t size; /* bytes of one value; 0 for string and array */
} vtypes[GT_COUNT] = {
	{ "uint8", 1 },	 { "int8", 1 },	   { "uint16", 2 }, { "int16", 2 },  { "uint32", 4 },
	{ "int32", 4 },	 { "float32", 4 }, { "bool", 1 },   { "string", 0 }, { "array", 0 },
	{ "uint64", 8 }, { "int64", 8 },   { "float64", 8 },
};

/* Elements per block and bytes per block of every ggml tensor type tacit knows, from the
 * block layouts in ggml's ggml-common.h (numbering as in ggml.h's enum ggml_type). Holes
 * are types ggml removed (Q4_2, Q4_3, the repacked Q4_0_x_y and IQ4_NL_x_y): a file that
 * names one is rejected. */
static const struct {
	const char *name;
	uint32_t block;
	uint32_t size;
} ttypes[GGUF_N_TYPES] = {
	[0] = { "f32", 1, 4 },	       [1] = { "f16", 1, 2 },	       [2] = { "q4_0", 32, 18 },
	[3] = { "q4_1", 32, 20 },      [6] = { "q5_0", 32, 22 },       [7] = { "q5_1", 32, 24 },
	[8] = { "q8_0", 32, 34 },      [9] = { "q8_1", 32, 36 },       [10] = { "q2_K", 256, 84 },
	[11] = { "q3_K", 256, 110 },   [12] = { "q4_K", 256, 144 },    [13] = { "q5_K", 256, 176 },
	[14] = { "q6_K", 256, 210 },   [15] = { "q8_K", 256, 292 },    [16] = { "iq2_xxs", 256, 66 },
	[17] = { "iq2_xs", 256, 74 },  [18] = { "iq3_xxs", 256, 98 },  [19] = { "iq1_s", 256, 50 },
	[20] = { "iq4_nl", 32, 18 },   [21] = { "iq3_s", 256, 110 },   [22] = { "iq2_s", 256, 82 },
	[23] = { "iq4_xs", 256, 136 }, [24] = { "i8", 1, 1 },	       [25] = { "i16", 1, 2 },
	[26] = { "i32", 1, 4 },	       [27] = { "i64", 1, 8 },	       [28] = { "f64", 1, 8 },
	[29] = { "iq1_m", 256, 56 },   [30] = { "bf16", 1, 2 },	       [34] = { "tq1_0", 256, 54 },
	[35] = { "tq2_0", 256, 66 },   [39] = { "mxfp4", 32, 17 },     [40] = { "nvfp4", 64, 36 },
	[41] = { "q1_0", 128, 18 },    [42] = { "q2_0", 64, 18 },
};

/* llama.cpp's names for general.file_type (enum llama_ftype). */
static const char *const ftype_names[] = {
	[0] = "F32",	  [1] = "F16",	      [2] = "Q4_0",	 [3] = "Q4_1",	    [7] = "Q8_0",
	[8] = "Q5_0",	  [9] = "Q5_1",	      [10] = "Q2_K",	 [11] = "Q3_K_S",   [12] = "Q3_K_M",
	[13] = "Q3_K_L",  [14] = "Q4_K_S",    [15] = "Q4_K_M",	 [16] = "Q5_K_S",   [17] = "Q5_K_M",
	[18] = "Q6_K",	  [19] = "IQ2_XXS",   [20] = "IQ2_XS",	 [21] = "Q2_K_S",   [22] = "IQ3_XS",
	[23] = "IQ3_XXS", [24] = "IQ1_S",     [25] = "IQ4_NL",	 [26] = "IQ3_S",    [27] = "IQ3_M",
	[28] = "IQ2_S",	  [29] = "IQ2_M",     [30] = "IQ4_XS",	 [31] = "IQ1_M",    [32] = "BF16",
	[36] = "TQ1_0",	  [37] = "TQ2_0",     [38] = "MXFP4_MOE", [39] = "NVFP4",   [40] = "Q1_0",
	[41] = "Q2_0",
};

/* One metadata entry. Numbers are kept as 64 bits: unsigned and bool zero-extended,
 * signed sign-extended, floats as a double's bits. */
struct kv {
	char *key;
	uint8_t type; /* GT_*; GT_ARRAY for arrays */
	uint8_t elem; /* arrays: element type */
	uint64_t n;   /* arrays: element count */
	uint64_t num; /* numeric scalar */
	char *str;    /* string scalar */
	uint64_t *vals; /* numeric arrays of at most GGUF_KEPT_ARRAY elements, else NULL */
};

struct gguf_priv {
	struct tacit_gguf_info pub; /* first: the public pointer is this struct's */
	struct kv *kvs;             /* sorted by key */
	size_t n_kvs;
	char *architecture, *name, *tokenizer_model, *tokenizer_pre;
	uint64_t *layer_bytes;
	struct tacit_gguf_type_stat *types;
};

struct tensor {
	const uint8_t *name;
	size_t name_len;
	uint32_t n_dims;
	uint32_t type;
	uint64_t ne[GGUF_MAX_DIMS];
	uint64_t offset;
	uint64_t n_elements;
	uint64_t size;
};

struct rd {
	const uint8_t *data;
	size_t len;         /* bytes in memory */
	uint64_t file_size; /* bytes in the file */
	size_t pos;
	const char *name;
	bool need_more;
	enum tacit_status st;
	uint64_t kept;      /* array elements kept so far, bounded so lookups cannot eat memory */
	/* What is being read, for messages. */
	const char *what;
	uint64_t index;
	const char *key;
};

#define GGUF_KEPT_TOTAL ((uint64_t)1 << 20) /* kept array elements in all, 8 MiB */
#define GGUF_JSON_ARRAY 1024u                /* longer arrays appear in JSON as type and count */

static bool rd_fail(struct rd *r, enum tacit_status st, const char *fmt, ...) TACIT_PRINTF(3, 4);

static bool rd_fail(struct rd *r, enum tacit_status st, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->st = tacit_fail(st, "malformed GGUF '%s': %s", r->name, msg);
	return false;
}

/* "metadata entry 3 ('llama.block_count')" into b. */
static const char *rd_where(const struct rd *r, char *b, size_t n)
{
	if (r->key)
		snprintf(b, n, "%s %" PRIu64 " ('%.80s')", r->what, r->index, r->key);
	else if (r->index != UINT64_MAX)
		snprintf(b, n, "%s %" PRIu64, r->what, r->index);
	else
		snprintf(b, n, "%s", r->what);
	return b;
}

/* Makes n bytes at the read position available in *p and moves past them. */
static bool take(struct rd *r, uint64_t n, const uint8_t **p)
{
	char where[160];
	uint64_t end;
	if (__builtin_add_overflow((uint64_t)r->pos, n, &end) || end > r->file_size)
		return rd_fail(r, TACIT_ERR_FORMAT, "%s runs past the end of the file (%" PRIu64 " bytes; if it is a download, it is incomplete)",
			       rd_where(r, where, sizeof(where)), r->file_size);
	if (end > GGUF_MAX_HEADER_BYTES)
		return rd_fail(r, TACIT_ERR_FORMAT, "the header is larger than the limit of %" PRIu64 " MiB at %s",
			       GGUF_MAX_HEADER_BYTES >> 20, rd_where(r, where, sizeof(where)));
	if (end > r->len) {
		r->need_more = true;
		r->st = tacit_fail(TACIT_ERR_FORMAT, "GGUF header of '%s' is longer than the part read", r->name);
		return false;
	}
	*p = r->data + r->pos;
	r->pos = (size_t)end;
	return true;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static bool rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *p;
	if (!take(r, 4, &p))
		return false;
	*v = (uint32_t)le(p, 4);
	return true;
}

static bool rd_u64(struct rd *r, uint64_t *v)
{
	const uint8_t *p;
	if (!take(r, 8, &p))
		return false;
	*v = le(p, 8);
	return true;
}

/* A string's bytes, in place: its length is checked against max and the file. */
static bool rd_str(struct rd *r, uint64_t max, const uint8_t **s, size_t *n)
{
	uint64_t len;
	char where[160];
	if (!rd_u64(r, &len))
		return false;
	if (len > max)
		return rd_fail(r, TACIT_ERR_FORMAT, "string of %" PRIu64 " bytes in %s exceeds the limit of %" PRIu64,
			       len, rd_where(r, where, sizeof(where)), max);
	if (!take(r, len, s))
		return false;
	*n = (size_t)len;
	return true;
}

/* Keys and tensor names are printable ASCII: they end up in messages on a terminal. */
static bool printable(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* A number of type t read from p, widened to the 64-bit form struct kv keeps. */
static uint64_t num_load(uint8_t t, const uint8_t *p)
{
	uint64_t raw = le(p, vtypes[t].size);
	switch (t) {
	case GT_I8:
		return (uint64_t)(int64_t)(int8_t)raw;
	case GT_I16:
		return (uint64_t)(int64_t)(int16_t)raw;
	case GT_I32:
		return (uint64_t)(int64_t)(int32_t)raw;
	case GT_BOOL:
		return raw != 0;
	case GT_F32: {
		uint32_t b = (uint32_t)raw;
		float f;
		double d;
		memcpy(&f, &b, sizeof(f));
		d = f;
		memcpy(&raw, &d, sizeof(raw));
		return raw;
	}
	default:
		return raw;
	}
}

static bool is_signed(uint8_t t)
{
	return t == GT_I8 || t == GT_I16 || t == GT_I32 || t == GT_I64;
}

static bool is_float(uint8_t t)
{
	return t == GT_F32 || t == GT_F64;
}

static bool is_integer(uint8_t t)
{
	return t == GT_U8 || t == GT_U16 || t == GT_U32 || t == GT_U64 || is_signed(t);
}

static bool num_u64(uint8_t t, uint64_t bits, uint64_t *out)
{
	if (is_float(t) || t == GT_STRING || t == GT_ARRAY || t >= GT_COUNT)
		return false;
	if (is_signed(t) && (int64_t)bits < 0)
		return false;
	*out = bits;
	return true;
}

static bool num_f64(uint8_t t, uint64_t bits, double *out)
{
	if (t == GT_STRING || t == GT_ARRAY || t >= GT_COUNT)
		return false;
	if (is_float(t))
		memcpy(out, &bits, sizeof(*out));
	else if (is_signed(t))
		*out = (double)(int64_t)bits;
	else
		*out = (double)bits;
	return true;
}

static bool read_kv(struct rd *r, struct kv *kv)
{
	const uint8_t *s, *p;
	size_t n;
	uint32_t t;

	r->what = "the key of metadata entry";
	if (!rd_str(r, GGUF_MAX_KEY_LEN, &s, &n))
		return false;
	if (n == 0 || !printable(s, n))
		return rd_fail(r, TACIT_ERR_FORMAT, "metadata entry %" PRIu64 " has an %s key", r->index,
			       n ? "unprintable" : "empty");
	if (!(kv->key = strndup((const char *)s, n)))
		return (r->st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", r->name)), false;
	r->what = "metadata entry";
	r->key = kv->key;
	if (!rd_u32(r, &t))
		return false;
	if (t >= GT_COUNT)
		return rd_fail(r, TACIT_ERR_FORMAT, "key '%s' has unknown value type %" PRIu32, kv->key, t);
	kv->type = (uint8_t)t;
	if (t == GT_STRING) {
		if (!rd_str(r, GGUF_MAX_STRING, &s, &n))
			return false;
		if (!(kv->str = strndup((const char *)s, n)))
			return (r->st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", r->name)), false;
		return true;
	}
	if (t != GT_ARRAY) {
		if (!take(r, vtypes[t].size, &p))
			return false;
		kv->num = num_load(kv->type, p);
		return true;
	}

	uint64_t count;
	if (!rd_u32(r, &t) || !rd_u64(r, &count))
		return false;
	if (t >= GT_COUNT || t == GT_ARRAY)
		return rd_fail(r, TACIT_ERR_FORMAT, "key '%s' is an array of %s", kv->key,
			       t == GT_ARRAY ? "arrays" : "an unknown type");
	if (count > GGUF_MAX_ARRAY)
		return rd_fail(r, TACIT_ERR_FORMAT, "array '%s' has %" PRIu64 " elements, more than the limit of %" PRIu64,
			       kv->key, count, GGUF_MAX_ARRAY);
	kv->elem = (uint8_t)t;
	kv->n = count;
	if (t == GT_STRING) {
		/* Each element needs at least its 8-byte length: refuse counts the file cannot hold
		 * before walking them. */
		if (count > (r->file_size - r->pos) / 8)
			return rd_fail(r, TACIT_ERR_FORMAT, "array '%s' of %" PRIu64 " strings runs past the end of the file (%" PRIu64 " bytes; if it is a download, it is incomplete)",
				       kv->key, count, r->file_size);
		for (uint64_t i = 0; i < count; i++)
			if (!rd_str(r, GGUF_MAX_STRING, &s, &n))
				return false;
		return true;
	}
	if (!take(r, count * vtypes[t].size, &p)) /* count <= 2^22: no overflow */
		return false;
	if (count <= GGUF_KEPT_ARRAY && r->kept + count <= GGUF_KEPT_TOTAL) {
		kv->vals = malloc((count ? count : 1) * sizeof(*kv->vals));
		if (!kv->vals)
			return (r->st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", r->name)), false;
		for (uint64_t i = 0; i < count; i++)
			kv->vals[i] = num_load(kv->elem, p + i * vtypes[t].size);
		r->kept += count;
	}
	return true;
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

static const struct kv *kv_find(const struct gguf_priv *g, const char *key)
{
	struct kv k = { .key = (char *)key };
	if (!key || !g->n_kvs)
		return NULL;
	return bsearch(&k, g->kvs, g->n_kvs, sizeof(*g->kvs), kv_cmp);
}

static int tensor_name_cmp(const void *a, const void *b)
{
	const struct tensor *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, n);
	return c ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

static int tensor_offset_cmp(const void *a, const void *b)
{
	const struct tensor *x = a, *y = b;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

static bool read_tensor(struct rd *r, struct tensor *t)
{
	const uint8_t *s;
	size_t n;
	char where[160];

	r->what = "tensor info";
	r->key = NULL;
	if (!rd_str(r, GGUF_MAX_NAME_LEN, &s, &n))
		return false;
	if (n == 0 || !printable(s, n))
		return rd_fail(r, TACIT_ERR_FORMAT, "tensor %" PRIu64 " has an %s name", r->index,
			       n ? "unprintable" : "empty");
	t->name = s;
	t->name_len = n;
	snprintf(where, sizeof(where), "%.*s", (int)n, (const char *)s);
	if (!rd_u32(r, &t->n_dims))
		return false;
	if (t->n_dims > GGUF_MAX_DIMS)
		return rd_fail(r, TACIT_ERR_FORMAT, "tensor '%s' has %" PRIu32 " dimensions, more than %u", where,
			       t->n_dims, GGUF_MAX_DIMS);
	t->n_elements = 1;
	for (uint32_t d = 0; d < GGUF_MAX_DIMS; d++) {
		t->ne[d] = 1;
		if (d < t->n_dims && !rd_u64(r, &t->ne[d]))
			return false;
		/* llama.cpp divides by dimensions when it checks a tensor's size: a zero one
		 * kills its loader (SIGFPE) instead of being refused. */
		if (t->ne[d] == 0)
			return rd_fail(r, TACIT_ERR_FORMAT, "tensor '%s' has an empty dimension (dimension %" PRIu32 " is 0)",
				       where, d + 1);
		if (t->ne[d] > INT64_MAX || __builtin_mul_overflow(t->n_elements, t->ne[d], &t->n_elements) ||
		    t->n_elements > INT64_MAX)
			return rd_fail(r, TACIT_ERR_FORMAT, "tensor '%s' has too many elements", where);
	}
	if (!rd_u32(r, &t->type))
		return false;
	if (t->type >= GGUF_N_TYPES || !ttypes[t->type].name)
		return rd_fail(r, TACIT_ERR_FORMAT, "tensor '%s' has unknown type %" PRIu32, where, t->type);
	if (t->ne[0] % ttypes[t->type].block)
		return rd_fail(r, TACIT_ERR_FORMAT, "tensor '%s' has rows of %" PRIu64 " elements, not a multiple of %s's block of %" PRIu32,
			       where, t->ne[0], ttypes[t->type].name, ttypes[t->type].block);
	if (__builtin_mul_overflow(t->n_elements / ttypes[t->type].block, (uint64_t)ttypes[t->type].size, &t->size) ||
	    t->size > INT64_MAX)
		return rd_fail(r, TACIT_ERR_FORMAT, "tensor '%s' is too large", where);
	return rd_u64(r, &t->offset);
}

/* A copy with invalid UTF-8 replaced by '?', and control characters too unless
 * controls_ok (JSON escapes them; a terminal would obey them). */
static char *sanitize(const char *s, bool controls_ok)
{
	size_t n = s ? strlen(s) : 0;
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		bool ok = len && i + len <= n;
		for (size_t k = 1; ok && k < len; k++)
			ok = (p[i + k] & 0xc0) == 0x80;
		if (ok && len == 2 && c < 0xc2)
			ok = false; /* overlong */
		if (ok && len == 3 && ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] >= 0xa0)))
			ok = false; /* overlong or a surrogate */
		if (ok && len == 4 && ((c == 0xf0 && p[i + 1] < 0x90) || c > 0xf4 || (c == 0xf4 && p[i + 1] >= 0x90)))
			ok = false;
		if (!ok || (!controls_ok && len == 1 && (c < 0x20 || c == 0x7f))) {
			out[i] = '?';
			i++;
			continue;
		}
		memcpy(out + i, p + i, len);
		i += len;
	}
	out[n] = '\0';
	return out;
}

/* Reads an integer hyper-parameter (scalar, or the largest element of a per-layer
 * array) into *out; absent leaves *out alone. A wrong type is malformed. */
static bool hparam(struct rd *r, const struct gguf_priv *g, const char *key, uint64_t *out)
{
	const struct kv *kv = kv_find(g, key);
	if (!kv)
		return true;
	uint8_t t = kv->type == GT_ARRAY ? kv->elem : kv->type;
	if (!is_integer(t))
		return rd_fail(r, TACIT_ERR_FORMAT, "key '%s' is %s%s, not an integer", key,
			       kv->type == GT_ARRAY ? "an array of " : "a ", vtypes[t].name);
	if (kv->type != GT_ARRAY) {
		if (!num_u64(t, kv->num, out))
			return rd_fail(r, TACIT_ERR_FORMAT, "key '%s' is negative", key);
		return true;
	}
	uint64_t best = 0, v;
	for (uint64_t i = 0; kv->vals && i < kv->n; i++) {
		if (!num_u64(t, kv->vals[i], &v))
			return rd_fail(r, TACIT_ERR_FORMAT, "key '%s' has a negative element", key);
		if (v > best)
			best = v;
	}
	*out = best;
	return true;
}

static bool expect_type(struct rd *r, const struct kv *kv, uint8_t type, uint8_t elem)
{
	if (!kv)
		return true;
	if (kv->type == type && (type != GT_ARRAY || kv->elem == elem))
		return true;
	if (type == GT_ARRAY)
		return rd_fail(r, TACIT_ERR_FORMAT, "key '%s' must be an array of %s, not %s%s", kv->key, vtypes[elem].name,
			       kv->type == GT_ARRAY ? "an array of " : "a ",
			       vtypes[kv->type == GT_ARRAY ? kv->elem : kv->type].name);
	return rd_fail(r, TACIT_ERR_FORMAT, "key '%s' must be a %s, not %s%s", kv->key, vtypes[type].name,
		       kv->type == GT_ARRAY ? "an array of " : "a ", vtypes[kv->type == GT_ARRAY ? kv->elem : kv->type].name);
}

/* Architecture keys, tokenizer arrays and special tokens. */
static bool derive_metadata(struct rd *r, struct gguf_priv *g)
{
	struct tacit_gguf_info *in = &g->pub;
	const struct kv *kv;
	char key[160];

	r->what = "metadata";
	r->index = UINT64_MAX;
	r->key = NULL;
	kv = kv_find(g, "general.architecture");
	if (!expect_type(r, kv, GT_STRING, 0))
		return false;
	const char *arch = kv ? kv->str : "";
	size_t arch_len = strlen(arch);
	if (arch_len > 64 || !printable((const uint8_t *)arch, arch_len))
		return rd_fail(r, TACIT_ERR_FORMAT, "general.architecture is not a short printable name");
	kv = kv_find(g, "general.name");
	if (!expect_type(r, kv, GT_STRING, 0))
		return false;
	g->architecture = sanitize(arch, false);
	g->name = sanitize(kv ? kv->str : "", false);

	uint64_t ftype = UINT64_MAX;
	if (!hparam(r, g, "general.file_type", &ftype))
		return false;
	in->file_type = ftype <= INT32_MAX ? (int)ftype : -1;
	in->file_type_name = ftype < ARRAY_SIZE(ftype_names) && ftype_names[ftype] ? ftype_names[ftype] : "";

	static const struct {
		const char *suffix;
		size_t field;
	} hp[] = {
		{ "block_count", offsetof(struct tacit_gguf_info, n_layers) },
		{ "embedding_length", offsetof(struct tacit_gguf_info, n_embd) },
		{ "feed_forward_length", offsetof(struct tacit_gguf_info, n_ff) },
		{ "attention.head_count", offsetof(struct tacit_gguf_info, n_head) },
		{ "attention.head_count_kv", offsetof(struct tacit_gguf_info, n_head_kv) },
		{ "attention.key_length", offsetof(struct tacit_gguf_info, head_dim) },
		{ "attention.value_length", offsetof(struct tacit_gguf_info, head_dim_v) },
		{ "context_length", offsetof(struct tacit_gguf_info, n_ctx_train) },
		{ "attention.sliding_window", offsetof(struct tacit_gguf_info, sliding_window) },
		{ "expert_count", offsetof(struct tacit_gguf_info, n_expert) },
		{ "expert_used_count", offsetof(struct tacit_gguf_info, n_expert_used) },
		{ "vocab_size", offsetof(struct tacit_gguf_info, n_vocab) },
	};
	for (size_t i = 0; arch_len && i < ARRAY_SIZE(hp); i++) {
		snprintf(key, sizeof(key), "%s.%s", arch, hp[i].suffix);
		if (!hparam(r, g, key, (uint64_t *)((char *)in + hp[i].field)))
			return false;
	}
	if (!in->n_head_kv)
		in->n_head_kv = in->n_head;
	if (!in->head_dim && in->n_head)
		in->head_dim = in->n_embd / in->n_head;
	if (!in->head_dim_v)
		in->head_dim_v = in->head_dim;

	/* Tokenizer: the arrays llama.cpp indexes by token id must agree in type and length. */
	const struct kv *tokens = kv_find(g, "tokenizer.ggml.tokens");
	if (!expect_type(r, tokens, GT_ARRAY, GT_STRING) ||
	    !expect_type(r, kv_find(g, "tokenizer.ggml.merges"), GT_ARRAY, GT_STRING) ||
	    !expect_type(r, kv_find(g, "tokenizer.ggml.added_tokens"), GT_ARRAY, GT_STRING) ||
	    !expect_type(r, kv_find(g, "tokenizer.chat_template"), GT_STRING, 0))
		return false;
	static const struct {
		const char *key;
		uint8_t elem;
	} per_token[] = { { "tokenizer.ggml.scores", GT_F32 }, { "tokenizer.ggml.token_type", GT_I32 } };
	for (size_t i = 0; i < ARRAY_SIZE(per_token); i++) {
		kv = kv_find(g, per_token[i].key);
		if (!expect_type(r, kv, GT_ARRAY, per_token[i].elem))
			return false;
		if (kv && (!tokens || kv->n != tokens->n))
			return rd_fail(r, TACIT_ERR_FORMAT, "'%s' has %" PRIu64 " entries but the vocabulary has %" PRIu64,
				       kv->key, kv->n, tokens ? tokens->n : 0);
	}
	if (tokens)
		in->n_vocab = tokens->n;
	in->has_chat_template = kv_find(g, "tokenizer.chat_template") != NULL;
	const struct kv *model = kv_find(g, "tokenizer.ggml.model");
	const struct kv *pre = kv_find(g, "tokenizer.ggml.pre");
	if (!expect_type(r, model, GT_STRING, 0) || !expect_type(r, pre, GT_STRING, 0))
		return false;
	g->tokenizer_model = sanitize(model ? model->str : "", false);
	g->tokenizer_pre = sanitize(pre ? pre->str : "", false);

	in->bos_token_id = in->eos_token_id = -1;
	for (size_t i = 0; i < g->n_kvs; i++) {
		const struct kv *k = &g->kvs[i];
		size_t len = strlen(k->key);
		if (strncmp(k->key, "tokenizer.ggml.", 15) != 0 || len < 9 || strcmp(k->key + len - 9, "_token_id") != 0)
			continue;
		uint64_t id;
		if (k->type == GT_ARRAY || !is_integer(k->type))
			return rd_fail(r, TACIT_ERR_FORMAT, "special token '%s' is not an integer", k->key);
		if (!num_u64(k->type, k->num, &id) || (in->n_vocab && id >= in->n_vocab))
			return rd_fail(r, TACIT_ERR_FORMAT, "special token '%s' is %" PRId64 ", outside the vocabulary of %" PRIu64 " tokens",
				       k->key, (int64_t)k->num, in->n_vocab);
		if (!strcmp(k->key, "tokenizer.ggml.bos_token_id"))
			in->bos_token_id = (int64_t)id;
		else if (!strcmp(k->key, "tokenizer.ggml.eos_token_id"))
			in->eos_token_id = (int64_t)id;
	}
	return true;
}

/* The layer number of a tensor named "blk.N.*", or -1. */
static long layer_of(const struct tensor *t)
{
	const char *s = (const char *)t->name;
	size_t n = t->name_len, i = 4;
	long v = 0;
	if (n < 6 || memcmp(s, "blk.", 4) != 0)
		return -1;
	for (; i < n && i < 12 && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (s[i] - '0');
	if (i == 4 || i >= n || s[i] != '.')
		return -1;
	return v;
}

static bool contains(const struct tensor *t, const char *word)
{
	size_t w = strlen(word);
	for (size_t i = 0; i + w <= t->name_len; i++)
		if (!memcmp(t->name + i, word, w))
			return true;
	return false;
}

static bool tally_tensors(struct rd *r, struct gguf_priv *g, const struct tensor *ts, size_t n)
{
	struct tacit_gguf_info *in = &g->pub;
	uint64_t count[GGUF_N_TYPES] = { 0 }, elems[GGUF_N_TYPES] = { 0 }, bytes[GGUF_N_TYPES] = { 0 };
	uint64_t bytes2d[GGUF_N_TYPES] = { 0 };
	long max_layer = -1;

	for (size_t i = 0; i < n; i++) {
		long l = layer_of(&ts[i]);
		if (l >= (long)GGUF_MAX_LAYERS)
			return rd_fail(r, TACIT_ERR_FORMAT, "tensor '%.*s' has a layer number above %u", (int)ts[i].name_len,
				       (const char *)ts[i].name, GGUF_MAX_LAYERS - 1);
		if (l > max_layer)
			max_layer = l;
	}
	if (max_layer >= 0) {
		g->layer_bytes = calloc((size_t)max_layer + 1, sizeof(*g->layer_bytes));
		if (!g->layer_bytes)
			return (r->st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", r->name)), false;
		in->n_layer_bytes = (size_t)max_layer + 1;
	}
	/* Sums cannot overflow: every size is inside the file and extents do not overlap. */
	for (size_t i = 0; i < n; i++) {
		const struct tensor *t = &ts[i];
		long l = layer_of(t);
		count[t->type]++;
		elems[t->type] += t->n_elements;
		bytes[t->type] += t->size;
		if (t->n_dims >= 2)
			bytes2d[t->type] += t->size;
		in->n_params += t->n_elements;
		in->weight_bytes += t->size;
		if (l >= 0) {
			g->layer_bytes[l] += t->size;
			in->layer_bytes_total += t->size;
		} else {
			in->other_bytes += t->size;
		}
		if (contains(t, "_exps"))
			in->expert_bytes += t->size;
	}

	size_t n_types = 0;
	for (int k = 0; k < GGUF_N_TYPES; k++)
		n_types += count[k] != 0;
	g->types = calloc(n_types ? n_types : 1, sizeof(*g->types));
	if (!g->types)
		return (r->st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", r->name)), false;
	for (size_t j = 0; j < n_types; j++) { /* selection by bytes: at most 43 entries */
		int best = -1;
		for (int k = 0; k < GGUF_N_TYPES; k++)
			if (count[k] && (best < 0 || bytes[k] > bytes[best]))
				best = k;
		g->types[j] = (struct tacit_gguf_type_stat){ best, ttypes[best].name, count[best], elems[best], bytes[best] };
		count[best] = 0;
	}
	in->types = g->types;
	in->n_types = n_types;

	int main_type = -1;
	for (int k = 0; k < GGUF_N_TYPES; k++)
		if (bytes2d[k] && (main_type < 0 || bytes2d[k] > bytes2d[main_type]))
			main_type = k;
	if (main_type < 0 && n_types)
		main_type = g->types[0].type;
	in->main_type = main_type;
	in->main_type_name = main_type >= 0 ? ttypes[main_type].name : "";
	return true;
}

static bool parse(struct rd *r, struct gguf_priv *g)
{
	struct tacit_gguf_info *in = &g->pub;
	const uint8_t *p;
	uint32_t version;
	uint64_t n_kv, n_tensors;
	struct tensor *ts = NULL;
	bool ok = false;

	r->what = "the header";
	r->index = UINT64_MAX;
	if (r->file_size == 0) {
		r->st = tacit_fail(TACIT_ERR_FORMAT, "not a GGUF file: '%s' (empty file)", r->name);
		return false;
	}
	if (r->file_size < 4 || (r->len >= 4 && memcmp(r->data, "GGUF", 4) != 0)) {
		r->st = tacit_fail(TACIT_ERR_FORMAT, "not a GGUF file: '%s' (bad magic)", r->name);
		return false;
	}
	if (!take(r, 4, &p) || !rd_u32(r, &version))
		return false;
	if (version == 0x02000000 || version == 0x03000000) {
		r->st = tacit_fail(TACIT_ERR_UNSUPPORTED, "GGUF file '%s' is big-endian: tacit reads little-endian GGUF only",
				   r->name);
		return false;
	}
	if (version == 1) {
		r->st = tacit_fail(TACIT_ERR_UNSUPPORTED, "GGUF file '%s' is version 1, which tacit does not read (convert the model again with a current llama.cpp)",
				   r->name);
		return false;
	}
	if (version == 0)
		return rd_fail(r, TACIT_ERR_FORMAT, "version 0");
	if (version > 3) {
		r->st = tacit_fail(TACIT_ERR_UNSUPPORTED, "GGUF file '%s' is version %" PRIu32 "; tacit reads versions 2 and 3",
				   r->name, version);
		return false;
	}
	in->version = version;
	if (!rd_u64(r, &n_tensors) || !rd_u64(r, &n_kv))
		return false;
	if (n_kv > GGUF_MAX_KV)
		return rd_fail(r, TACIT_ERR_FORMAT, "%" PRIu64 " metadata entries, more than the limit of %u", n_kv, GGUF_MAX_KV);
	if (n_tensors > GGUF_MAX_TENSORS)
		return rd_fail(r, TACIT_ERR_FORMAT, "%" PRIu64 " tensors, more than the limit of %u", n_tensors,
			       GGUF_MAX_TENSORS);
	/* A metadata entry takes at least 13 bytes (key length, one key byte, type), a tensor
	 * info at least 24: refuse counts the file cannot hold before allocating for them. */
	if (n_kv * 13 + n_tensors * 24 > r->file_size - r->pos)
		return rd_fail(r, TACIT_ERR_FORMAT, "%" PRIu64 " metadata entries and %" PRIu64 " tensors cannot fit in %" PRIu64 " bytes",
			       n_kv, n_tensors, r->file_size);
	in->n_kv = n_kv;
	in->n_tensors = n_tensors;

	g->kvs = calloc(n_kv ? n_kv : 1, sizeof(*g->kvs));
	if (!g->kvs)
		return (r->st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", r->name)), false;
	for (uint64_t i = 0; i < n_kv; i++) {
		r->index = i;
		r->key = NULL;
		g->n_kvs = (size_t)i + 1;
		if (!read_kv(r, &g->kvs[i]))
			return false;
	}
	r->key = NULL;
	r->index = UINT64_MAX;
	qsort(g->kvs, g->n_kvs, sizeof(*g->kvs), kv_cmp);
	for (size_t i = 1; i < g->n_kvs; i++)
		if (!strcmp(g->kvs[i - 1].key, g->kvs[i].key))
			return rd_fail(r, TACIT_ERR_FORMAT, "duplicate key '%s'", g->kvs[i].key);

	const struct kv *al = kv_find(g, "general.alignment");
	r->what = "metadata";
	if (!expect_type(r, al, GT_U32, 0))
		return false;
	uint64_t alignment = al ? al->num : GGUF_DEFAULT_ALIGNMENT;
	if (alignment == 0 || (alignment & (alignment - 1)) || alignment > GGUF_MAX_ALIGNMENT)
		return rd_fail(r, TACIT_ERR_FORMAT, "alignment %" PRIu64 " is not a power of two up to %u", alignment,
			       GGUF_MAX_ALIGNMENT);
	in->alignment = (uint32_t)alignment;

	ts = calloc(n_tensors ? n_tensors : 1, sizeof(*ts));
	if (!ts) {
		r->st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", r->name);
		goto out;
	}
	for (uint64_t i = 0; i < n_tensors; i++) {
		r->index = i;
		if (!read_tensor(r, &ts[i]))
			goto out;
	}
	r->what = "the tensor data";
	r->index = UINT64_MAX;
	r->key = NULL;
	/* Tensor data starts at the next multiple of the alignment; pos < 256 MiB. */
	in->data_offset = ((uint64_t)r->pos + alignment - 1) & ~(alignment - 1);

	for (size_t i = 0; i < n_tensors; i++) {
		const struct tensor *t = &ts[i];
		uint64_t start, end;
		if (t->offset % alignment) {
			rd_fail(r, TACIT_ERR_FORMAT, "tensor '%.*s' offset %" PRIu64 " is not a multiple of the alignment %" PRIu64,
				(int)t->name_len, (const char *)t->name, t->offset, alignment);
			goto out;
		}
		if (__builtin_add_overflow(in->data_offset, t->offset, &start) || start > r->file_size) {
			rd_fail(r, TACIT_ERR_FORMAT, "tensor '%.*s' data starts past the end of the file (%" PRIu64 " bytes)",
				(int)t->name_len, (const char *)t->name, r->file_size);
			goto out;
		}
		if (__builtin_add_overflow(start, t->size, &end) || end > r->file_size) {
			if (end < start)
				rd_fail(r, TACIT_ERR_FORMAT, "tensor '%.*s' data of %" PRIu64 " bytes at byte %" PRIu64 " overflows",
					(int)t->name_len, (const char *)t->name, t->size, start);
			else
				rd_fail(r, TACIT_ERR_FORMAT, "tensor '%.*s' data ends at byte %" PRIu64 ", past the end of the file (%" PRIu64 " bytes; if it is a download, it is incomplete)",
					(int)t->name_len, (const char *)t->name, end, r->file_size);
			goto out;
		}
	}
	qsort(ts, n_tensors, sizeof(*ts), tensor_name_cmp);
	for (size_t i = 1; i < n_tensors; i++)
		if (!tensor_name_cmp(&ts[i - 1], &ts[i])) {
			rd_fail(r, TACIT_ERR_FORMAT, "duplicate tensor '%.*s'", (int)ts[i].name_len, (const char *)ts[i].name);
			goto out;
		}
	/* Extents are inside the file, so ends cannot overflow; empty tensors overlap nothing. */
	qsort(ts, n_tensors, sizeof(*ts), tensor_offset_cmp);
	const struct tensor *last = NULL;
	for (size_t i = 0; i < n_tensors; i++) {
		if (!ts[i].size)
			continue;
		if (last && last->offset + last->size > ts[i].offset) {
			rd_fail(r, TACIT_ERR_FORMAT, "tensors '%.*s' and '%.*s' overlap", (int)last->name_len,
				(const char *)last->name, (int)ts[i].name_len, (const char *)ts[i].name);
			goto out;
		}
		if (!last || ts[i].offset + ts[i].size > last->offset + last->size)
			last = &ts[i];
	}

	if (!derive_metadata(r, g) || !tally_tensors(r, g, ts, n_tensors))
		goto out;
	if (!g->architecture || !g->name || !g->tokenizer_model || !g->tokenizer_pre) {
		r->st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", r->name);
		goto out;
	}
	in->architecture = g->architecture;
	in->name = g->name;
	in->tokenizer_model = g->tokenizer_model;
	in->tokenizer_pre = g->tokenizer_pre;
	in->layer_bytes = g->layer_bytes;
	ok = true;
out:
	free(ts);
	return ok;
}

enum tacit_status gguf_parse(const uint8_t *data, size_t len, uint64_t file_size, const char *name,
			     struct tacit_gguf_info **out, bool *need_more)
{
	struct rd r = { .data = data, .len = len < file_size ? len : (size_t)file_size, .file_size = file_size,
			.name = name ? name : "", .st = TACIT_OK, .index = UINT64_MAX, .what = "the header" };
	struct gguf_priv *g;

	*out = NULL;
	if (need_more)
		*need_more = false;
	if (!(g = calloc(1, sizeof(*g))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", r.name);
	g->pub.file_size = file_size;
	g->pub.file_type = -1;
	g->pub.main_type = -1;
	if (!parse(&r, g)) {
		if (need_more)
			*need_more = r.need_more;
		tacit_gguf_info_free(&g->pub);
		return r.st != TACIT_OK ? r.st : tacit_fail(TACIT_ERR_INTERNAL, "GGUF parser failed without a reason");
	}
	*out = &g->pub;
	return TACIT_OK;
}

void tacit_gguf_info_free(struct tacit_gguf_info *info)
{
	struct gguf_priv *g = (struct gguf_priv *)info;
	if (!g)
		return;
	for (size_t i = 0; i < g->n_kvs; i++) {
		free(g->kvs[i].key);
		free(g->kvs[i].str);
		free(g->kvs[i].vals);
	}
	free(g->kvs);
	free(g->architecture);
	free(g->name);
	free(g->tokenizer_model);
	free(g->tokenizer_pre);
	free(g->layer_bytes);
	free(g->types);
	free(g);
}

/* The file front end: a regular file, read from its start in growing pieces until the
 * header parses; never more than GGUF_MAX_HEADER_BYTES. */
enum tacit_status tacit_gguf_inspect(const char *path, struct tacit_gguf_info **out)
{
	enum tacit_status st;
	struct stat sb;
	uint8_t *data = NULL;
	size_t have = 0, want = (size_t)1 << 20;
	int fd = -1;

	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_gguf_inspect: out is NULL");
	*out = NULL;
	if (!path || !*path)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_gguf_inspect: no path given");
	/* Refuse special files before opening them (opening a device can have effects), and
	 * again on the open descriptor in case the path was swapped in between. O_NONBLOCK:
	 * opening a FIFO must not wait for a writer. */
	if (stat(path, &sb) != 0)
		return tacit_fail_errno(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO, "cannot open '%s'", path);
	if (S_ISREG(sb.st_mode))
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (S_ISREG(sb.st_mode) && fd < 0)
		return tacit_fail_errno(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO, "cannot open '%s'", path);
	if (fd >= 0 && fstat(fd, &sb) != 0) {
		st = tacit_fail_errno(TACIT_ERR_IO, "cannot stat '%s'", path);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		st = tacit_fail(TACIT_ERR_IO, "cannot inspect '%s': not a regular file (%s)", path,
				S_ISDIR(sb.st_mode) ? "a directory" : S_ISFIFO(sb.st_mode) ? "a FIFO"
								: S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "a device"
																	: "a special file");
		goto out;
	}
	uint64_t file_size = (uint64_t)sb.st_size;
	for (;;) {
		if (want > file_size)
			want = (size_t)file_size;
		if (want > GGUF_MAX_HEADER_BYTES)
			want = (size_t)GGUF_MAX_HEADER_BYTES;
		uint8_t *grown = realloc(data, want ? want : 1);
		if (!grown) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", path);
			goto out;
		}
		data = grown;
		while (have < want) {
			ssize_t n = pread(fd, data + have, want - have, (off_t)have);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				st = tacit_fail_errno(TACIT_ERR_IO, "cannot read '%s'", path);
				goto out;
			}
			if (n == 0) { /* shrank while we read: judge what is there */
				file_size = have;
				break;
			}
			have += (size_t)n;
		}
		bool more = false;
		st = gguf_parse(data, have, file_size, path, out, &more);
		if (!more || have >= file_size || have >= GGUF_MAX_HEADER_BYTES)
			break;
		want = have * 4;
	}
out:
	free(data);
	if (fd >= 0)
		close(fd);
	return st;
}

/* ---- lookups ---- */

bool tacit_gguf_info_get_u64(const struct tacit_gguf_info *info, const char *key, uint64_t *out)
{
	const struct kv *kv = info ? kv_find((const struct gguf_priv *)info, key) : NULL;
	uint64_t v;
	if (!kv || !num_u64(kv->type, kv->num, &v))
		return false;
	if (out)
		*out = v;
	return true;
}

bool tacit_gguf_info_get_f64(const struct tacit_gguf_info *info, const char *key, double *out)
{
	const struct kv *kv = info ? kv_find((const struct gguf_priv *)info, key) : NULL;
	double v;
	if (!kv || !num_f64(kv->type, kv->num, &v))
		return false;
	if (out)
		*out = v;
	return true;
}

const char *tacit_gguf_info_get_str(const struct tacit_gguf_info *info, const char *key)
{
	const struct kv *kv = info ? kv_find((const struct gguf_priv *)info, key) : NULL;
	return kv && kv->type == GT_STRING ? kv->str : NULL;
}

size_t tacit_gguf_info_array_len(const struct tacit_gguf_info *info, const char *key)
{
	const struct kv *kv = info ? kv_find((const struct gguf_priv *)info, key) : NULL;
	return kv && kv->type == GT_ARRAY ? (size_t)kv->n : 0;
}

bool tacit_gguf_info_get_u64_at(const struct tacit_gguf_info *info, const char *key, size_t i, uint64_t *out)
{
	const struct kv *kv = info ? kv_find((const struct gguf_priv *)info, key) : NULL;
	uint64_t v;
	if (!kv || kv->type != GT_ARRAY || !kv->vals || i >= kv->n || !num_u64(kv->elem, kv->vals[i], &v))
		return false;
	if (out)
		*out = v;
	return true;
}

const char *tacit_gguf_type_name(int type)
{
	return type >= 0 && type < GGUF_N_TYPES ? ttypes[type].name : NULL;
}

/* ---- JSON ---- */

static yyjson_mut_val *num_json(yyjson_mut_doc *doc, uint8_t t, uint64_t bits)
{
	double f;
	if (t == GT_BOOL)
		return yyjson_mut_bool(doc, bits != 0);
	if (is_signed(t))
		return yyjson_mut_sint(doc, (int64_t)bits);
	if (is_float(t)) {
		num_f64(t, bits, &f);
		return yyjson_mut_real(doc, f);
	}
	return yyjson_mut_uint(doc, bits);
}

char *tacit_gguf_info_json(const struct tacit_gguf_info *in)
{
	const struct gguf_priv *g = (const struct gguf_priv *)in;
	char *json = NULL;
	if (!in)
		return NULL;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	if (!doc)
		return NULL;
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);

	yyjson_mut_obj_add_uint(doc, root, "version", in->version);
	yyjson_mut_obj_add_uint(doc, root, "file_size", in->file_size);
	yyjson_mut_obj_add_uint(doc, root, "data_offset", in->data_offset);
	yyjson_mut_obj_add_uint(doc, root, "alignment", in->alignment);
	yyjson_mut_obj_add_uint(doc, root, "n_kv", in->n_kv);
	yyjson_mut_obj_add_uint(doc, root, "n_tensors", in->n_tensors);
	yyjson_mut_obj_add_str(doc, root, "architecture", in->architecture);
	yyjson_mut_obj_add_str(doc, root, "name", in->name);
	if (in->file_type >= 0)
		yyjson_mut_obj_add_int(doc, root, "file_type", in->file_type);
	else
		yyjson_mut_obj_add_null(doc, root, "file_type");
	yyjson_mut_obj_add_str(doc, root, "file_type_name", in->file_type_name);
	yyjson_mut_obj_add_uint(doc, root, "n_params", in->n_params);
	yyjson_mut_obj_add_uint(doc, root, "n_layers", in->n_layers);
	yyjson_mut_obj_add_uint(doc, root, "n_embd", in->n_embd);
	yyjson_mut_obj_add_uint(doc, root, "n_ff", in->n_ff);
	yyjson_mut_obj_add_uint(doc, root, "n_head", in->n_head);
	yyjson_mut_obj_add_uint(doc, root, "n_head_kv", in->n_head_kv);
	yyjson_mut_obj_add_uint(doc, root, "head_dim", in->head_dim);
	yyjson_mut_obj_add_uint(doc, root, "head_dim_v", in->head_dim_v);
	yyjson_mut_obj_add_uint(doc, root, "n_ctx_train", in->n_ctx_train);
	yyjson_mut_obj_add_uint(doc, root, "sliding_window", in->sliding_window);
	yyjson_mut_obj_add_uint(doc, root, "n_expert", in->n_expert);
	yyjson_mut_obj_add_uint(doc, root, "n_expert_used", in->n_expert_used);
	yyjson_mut_obj_add_uint(doc, root, "n_vocab", in->n_vocab);
	yyjson_mut_obj_add_str(doc, root, "tokenizer_model", in->tokenizer_model);
	yyjson_mut_obj_add_str(doc, root, "tokenizer_pre", in->tokenizer_pre);
	yyjson_mut_obj_add_bool(doc, root, "has_chat_template", in->has_chat_template);
	yyjson_mut_obj_add_sint(doc, root, "bos_token_id", in->bos_token_id);
	yyjson_mut_obj_add_sint(doc, root, "eos_token_id", in->eos_token_id);
	yyjson_mut_obj_add_uint(doc, root, "weight_bytes", in->weight_bytes);
	yyjson_mut_obj_add_uint(doc, root, "layer_bytes_total", in->layer_bytes_total);
	yyjson_mut_obj_add_uint(doc, root, "other_bytes", in->other_bytes);
	yyjson_mut_obj_add_uint(doc, root, "expert_bytes", in->expert_bytes);
	yyjson_mut_val *lb = yyjson_mut_obj_add_arr(doc, root, "layer_bytes");
	for (size_t i = 0; i < in->n_layer_bytes; i++)
		yyjson_mut_arr_add_uint(doc, lb, in->layer_bytes[i]);
	yyjson_mut_val *types = yyjson_mut_obj_add_arr(doc, root, "types");
	for (size_t i = 0; i < in->n_types; i++) {
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, types);
		yyjson_mut_obj_add_int(doc, o, "type", in->types[i].type);
		yyjson_mut_obj_add_str(doc, o, "name", in->types[i].type_name);
		yyjson_mut_obj_add_uint(doc, o, "n_tensors", in->types[i].n_tensors);
		yyjson_mut_obj_add_uint(doc, o, "n_elements", in->types[i].n_elements);
		yyjson_mut_obj_add_uint(doc, o, "n_bytes", in->types[i].n_bytes);
	}
	if (in->main_type >= 0)
		yyjson_mut_obj_add_int(doc, root, "main_type", in->main_type);
	else
		yyjson_mut_obj_add_null(doc, root, "main_type");
	yyjson_mut_obj_add_str(doc, root, "main_type_name", in->main_type_name);

	/* Every metadata entry: numbers as numbers, strings with invalid UTF-8 made safe,
	 * per-layer sized numeric arrays in full, other arrays as their element type and count. */
	yyjson_mut_val *md = yyjson_mut_obj_add_obj(doc, root, "metadata");
	for (size_t i = 0; i < g->n_kvs; i++) {
		const struct kv *kv = &g->kvs[i];
		yyjson_mut_val *v;
		if (kv->type == GT_STRING) {
			char *s = sanitize(kv->str, true);
			v = s ? yyjson_mut_strcpy(doc, s) : NULL;
			free(s);
		} else if (kv->type != GT_ARRAY) {
			v = num_json(doc, kv->type, kv->num);
		} else if (kv->vals && kv->n <= GGUF_JSON_ARRAY) {
			v = yyjson_mut_arr(doc);
			for (uint64_t k = 0; v && k < kv->n; k++)
				yyjson_mut_arr_append(v, num_json(doc, kv->elem, kv->vals[k]));
		} else {
			v = yyjson_mut_obj(doc);
			yyjson_mut_obj_add_str(doc, v, "array_of", vtypes[kv->elem].name);
			yyjson_mut_obj_add_uint(doc, v, "count", kv->n);
		}
		if (v)
			yyjson_mut_obj_add(md, yyjson_mut_str(doc, kv->key), v);
	}

	json = yyjson_mut_write(doc, YYJSON_WRITE_PRETTY_TWO_SPACES | YYJSON_WRITE_INF_AND_NAN_AS_NULL, NULL);
	yyjson_mut_doc_free(doc);
	return json;
}
