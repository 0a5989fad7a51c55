/*
 * synth-whisper.c — builds a whisper.cpp ggml model with random weights and real shapes
 * from a "vocab" file (header, mel filters and vocabulary, no tensors), such as
 * ../shared/models/whisper-vocab-tiny.en.bin. The text such a model writes is nonsense;
 * its structure, speed and timing are those of the real model, which is what tests and
 * benchmarks need. Deterministic for a given seed.
 *
 *   synth-whisper VOCAB.bin OUT.bin [SEED]
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T_F32 = 0, T_F16 = 1 };

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static uint16_t to_f16(float f)
{
	union {
		float f;
		uint32_t u;
	} v = { f };
	uint32_t sign = (v.u >> 16) & 0x8000u;
	int32_t exp = (int32_t)((v.u >> 23) & 0xff) - 127 + 15;
	uint32_t mant = v.u & 0x7fffffu;
	if (exp <= 0)
		return (uint16_t)sign; /* tiny values flush to zero */
	if (exp >= 31)
		return (uint16_t)(sign | 0x7bffu); /* clamp to the largest finite half */
	uint32_t h = sign | ((uint32_t)exp << 10) | (mant >> 13);
	if (mant & 0x1000u)
		h++; /* round half up */
	return (uint16_t)h;
}

static FILE *out;

/* One tensor record: dims, name length, type, ne[], name, data. kind: 'w' random with
 * scale, 'o' ones, 'z' zeros. */
static void tensor(const char *name, int type, int n_dims, const int ne[], char kind, double scale)
{
	int32_t hdr[3] = { n_dims, (int32_t)strlen(name), type };
	size_t n = 1;
	fwrite(hdr, sizeof(int32_t), 3, out);
	for (int i = 0; i < n_dims; i++) {
		int32_t d = ne[i];
		fwrite(&d, sizeof(d), 1, out);
		n *= (size_t)ne[i];
	}
	fwrite(name, 1, strlen(name), out);
	for (size_t i = 0; i < n; i++) {
		float v = kind == 'o' ? 1.0f : kind == 'z' ? 0.0f : (float)((uniform() * 2.0 - 1.0) * scale);
		if (type == T_F16) {
			uint16_t h = to_f16(v);
			fwrite(&h, sizeof(h), 1, out);
		} else {
			fwrite(&v, sizeof(v), 1, out);
		}
	}
}

#define T1(name, a, kind) tensor(name, T_F32, 1, (const int[]){ a }, kind, 0)
#define T2(name, type, a, b, scale) tensor(name, type, 2, (const int[]){ a, b }, 'w', scale)

static void block(const char *prefix, int i, int n, int wt, bool cross)
{
	char name[128];
	double s = 1.0 / sqrt((double)n), s4 = 1.0 / sqrt(4.0 * n);
#define NAME(suffix) (snprintf(name, sizeof(name), "%s.blocks.%d.%s", prefix, i, suffix), name)
	T1(NAME("mlp_ln.weight"), n, 'o');
	T1(NAME("mlp_ln.bias"), n, 'z');
	T2(NAME("mlp.0.weight"), wt, n, 4 * n, s);
	T1(NAME("mlp.0.bias"), 4 * n, 'z');
	T2(NAME("mlp.2.weight"), wt, 4 * n, n, s4);
	T1(NAME("mlp.2.bias"), n, 'z');
	T1(NAME("attn_ln.weight"), n, 'o');
	T1(NAME("attn_ln.bias"), n, 'z');
	T2(NAME("attn.query.weight"), wt, n, n, s);
	T1(NAME("attn.query.bias"), n, 'z');
	T2(NAME("attn.key.weight"), wt, n, n, s);
	T2(NAME("attn.value.weight"), wt, n, n, s);
	T1(NAME("attn.value.bias"), n, 'z');
	T2(NAME("attn.out.weight"), wt, n, n, s);
	T1(NAME("attn.out.bias"), n, 'z');
	if (cross) {
		T1(NAME("cross_attn_ln.weight"), n, 'o');
		T1(NAME("cross_attn_ln.bias"), n, 'z');
		T2(NAME("cross_attn.query.weight"), wt, n, n, s);
		T1(NAME("cross_attn.query.bias"), n, 'z');
		T2(NAME("cross_attn.key.weight"), wt, n, n, s);
		T2(NAME("cross_attn.value.weight"), wt, n, n, s);
		T1(NAME("cross_attn.value.bias"), n, 'z');
		T2(NAME("cross_attn.out.weight"), wt, n, n, s);
		T1(NAME("cross_attn.out.bias"), n, 'z');
	}
#undef NAME
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: synth-whisper VOCAB.bin OUT.bin [SEED]\n");
		return 2;
	}
	if (argc == 4)
		rng ^= strtoull(argv[3], NULL, 0) * 0x2545F4914F6CDD1Dull;
	FILE *in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	fseek(in, 0, SEEK_END);
	long len = ftell(in);
	fseek(in, 0, SEEK_SET);
	unsigned char *data = len > 48 ? malloc((size_t)len) : NULL;
	if (!data || fread(data, 1, (size_t)len, in) != (size_t)len) {
		fprintf(stderr, "synth-whisper: cannot read '%s'\n", argv[1]);
		return 1;
	}
	fclose(in);
	uint32_t magic;
	int32_t hp[11];
	memcpy(&magic, data, 4);
	memcpy(hp, data + 4, sizeof(hp));
	if (magic != 0x67676d6cu) {
		fprintf(stderr, "synth-whisper: '%s' is not a whisper.cpp ggml file\n", argv[1]);
		return 1;
	}
	int n_vocab = hp[0], a_ctx = hp[1], a_state = hp[2], a_layer = hp[4];
	int t_ctx = hp[5], t_state = hp[6], t_layer = hp[8], n_mels = hp[9], ftype = hp[10] % 1000;
	if (ftype != 0 && ftype != 1) {
		fprintf(stderr, "synth-whisper: only f32/f16 vocab files are supported (ftype %d)\n", ftype);
		return 1;
	}
	int wt = ftype == 1 ? T_F16 : T_F32;

	out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	fwrite(data, 1, (size_t)len, out); /* header, mel filters, vocabulary */

	double sa = 1.0 / sqrt((double)a_state);
	tensor("encoder.positional_embedding", T_F32, 2, (const int[]){ a_state, a_ctx }, 'w', 0.1);
	tensor("encoder.conv1.weight", wt, 3, (const int[]){ 3, n_mels, a_state }, 'w', 1.0 / sqrt(3.0 * n_mels));
	tensor("encoder.conv1.bias", T_F32, 2, (const int[]){ 1, a_state }, 'z', 0);
	tensor("encoder.conv2.weight", wt, 3, (const int[]){ 3, a_state, a_state }, 'w', sa / sqrt(3.0));
	tensor("encoder.conv2.bias", T_F32, 2, (const int[]){ 1, a_state }, 'z', 0);
	T1("encoder.ln_post.weight", a_state, 'o');
	T1("encoder.ln_post.bias", a_state, 'z');
	for (int i = 0; i < a_layer; i++)
		block("encoder", i, a_state, wt, false);
	tensor("decoder.positional_embedding", T_F32, 2, (const int[]){ t_state, t_ctx }, 'w', 0.1);
	T2("decoder.token_embedding.weight", wt, t_state, n_vocab, 0.1);
	T1("decoder.ln.weight", t_state, 'o');
	T1("decoder.ln.bias", t_state, 'z');
	for (int i = 0; i < t_layer; i++)
		block("decoder", i, t_state, wt, true);

	int rc = ferror(out) || fclose(out) != 0;
	if (rc)
		fprintf(stderr, "synth-whisper: cannot write '%s'\n", argv[2]);
	free(data);
	return rc;
}
