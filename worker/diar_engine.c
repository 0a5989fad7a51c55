/*
 * diar_engine.c — the onnxruntime adapter for speaker diarization (see diar_engine.h).
 * A file is read by onnxruntime only after a cheap check that it is an ONNX protobuf,
 * and a session is used only after its inputs, outputs and metadata match what this
 * module feeds it, so a wrong model is a message naming the mismatch, never garbage
 * speakers. Segmentation windows are 10 s, side by side (a 10 % step would cost ten
 * times as much); the embedding sees the speech of one local speaker at a time.
 */
#include "internal.h"

#include "diar_engine.h"
#include "fbank.h"

#include <math.h>
#include <sys/stat.h>

#include <onnxruntime/onnxruntime_c_api.h>

#define RATE 16000
/* Embeddings of less speech than this are noise more than voice: such a local speaker
 * is left out (its speech is then missed, not misattributed). */
#define MIN_EMB_SAMPLES (RATE / 2)
/* More speech than this adds little to an embedding and costs time. */
#define MAX_EMB_SAMPLES (RATE * 10)
/* The VAD-window path: speech regions are cut into pieces of about this length (3 s: a
 * test-model embedding of 1.5 s puts a fifth of the windows of a 6-speaker meeting in
 * the wrong voice after clustering, one of 3-4 s almost none; longer pieces would
 * straddle more speaker changes the VAD does not see); a piece under MIN_WINDOW_MS (a
 * click the VAD let through) says too little about a voice. */
#define VAD_WINDOW_MS 3000
#define MIN_WINDOW_MS 400

struct onnx_model {
	OrtSession *sess;
	char *in_name, *out_name;
};

struct diar_engine {
	const OrtApi *ort;
	OrtEnv *env;
	OrtMemoryInfo *mem;
	struct onnx_model seg, emb;
	bool has_seg;
	int dim;
	bool cmn;
	/* the filterbank of the last embedding, kept for the next (up to 10 s: 320 KB, which
	 * malloc would map and unmap, page faults included, for every window) */
	float *feats;
	size_t cap_feats;
	/* segmentation metadata (sherpa-onnx's names), with segmentation-3.0's values */
	int window, rf_size, rf_shift;
};

/* An onnxruntime status as a tacit failure (releases it). */
static enum tacit_status ort_fail(const OrtApi *ort, OrtStatus *s, enum tacit_status st, const char *what,
				  const char *path)
{
	const char *m = ort->GetErrorMessage(s);
	st = tacit_fail(st, "%s '%s': %s", what, path, m && *m ? m : "onnxruntime failed");
	ort->ReleaseStatus(s);
	return st;
}

/* A cheap look before onnxruntime parses the file: an ONNX model is a protobuf
 * ModelProto whose first field, as every exporter writes it, is ir_version (field 1,
 * varint: the byte 0x08) with a value from 1 to 20. Catches an empty, truncated or
 * foreign file (a GGUF, a WAV, an HTML error page) with a plain message. */
static enum tacit_status check_onnx_file(const char *path, const char *role)
{
	struct stat st;
	unsigned char head[2];
	FILE *f = fopen(path, "rb");
	if (!f)
		return tacit_fail_errno(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO, "cannot open %s model '%s'",
					role, path);
	size_t got = fread(head, 1, sizeof(head), f);
	int fd_ok = fstat(fileno(f), &st) == 0;
	fclose(f);
	if (!fd_ok || !S_ISREG(st.st_mode))
		return tacit_fail(TACIT_ERR_IO, "%s model '%s' is not a regular file", role, path);
	if (got < 2 || st.st_size < 64 || head[0] != 0x08 || head[1] < 1 || head[1] > 20)
		return tacit_fail(TACIT_ERR_FORMAT, "%s model '%s' is not an ONNX model (corrupted, or another format)",
				  role, path);
	return TACIT_OK;
}

/* The dims of input (or output) 0 into dims[4]; the rank, or -1 after a failure. */
static int io_shape(struct diar_engine *e, struct onnx_model *m, bool input, int64_t dims[4],
		    ONNXTensorElementDataType *type)
{
	const OrtApi *ort = e->ort;
	OrtTypeInfo *ti = NULL;
	const OrtTensorTypeAndShapeInfo *tsi = NULL;
	size_t rank = 0;
	OrtStatus *s = input ? ort->SessionGetInputTypeInfo(m->sess, 0, &ti) : ort->SessionGetOutputTypeInfo(m->sess, 0, &ti);
	if (!s)
		s = ort->CastTypeInfoToTensorInfo(ti, &tsi);
	if (!s && !tsi)
		goto bad;
	if (!s)
		s = ort->GetTensorElementType(tsi, type);
	if (!s)
		s = ort->GetDimensionsCount(tsi, &rank);
	if (!s && rank <= 4)
		s = ort->GetDimensions(tsi, dims, rank);
	if (s) {
		ort->ReleaseStatus(s);
		goto bad;
	}
	ort->ReleaseTypeInfo(ti);
	return (int)rank;
bad:
	if (ti)
		ort->ReleaseTypeInfo(ti);
	return -1;
}

/* The metadata value of key as an int, or def when absent or not a number. */
static int meta_int(struct diar_engine *e, struct onnx_model *m, const char *key, int def)
{
	const OrtApi *ort = e->ort;
	OrtModelMetadata *meta = NULL;
	OrtAllocator *alloc = NULL;
	char *value = NULL;
	int v = def;
	OrtStatus *s = ort->GetAllocatorWithDefaultOptions(&alloc);
	if (!s)
		s = ort->SessionGetModelMetadata(m->sess, &meta);
	if (!s)
		s = ort->ModelMetadataLookupCustomMetadataMap(meta, alloc, key, &value);
	if (s)
		ort->ReleaseStatus(s);
	if (value) {
		char *end;
		long l = strtol(value, &end, 10);
		if (end != value && !*end && l >= INT32_MIN && l <= INT32_MAX)
			v = (int)l;
		alloc->Free(alloc, value);
	}
	if (meta)
		ort->ReleaseModelMetadata(meta);
	return v;
}

static enum tacit_status open_model(struct diar_engine *e, const char *path, const char *role, int n_threads,
				    struct onnx_model *m)
{
	const OrtApi *ort = e->ort;
	OrtSessionOptions *opts = NULL;
	OrtAllocator *alloc = NULL;
	size_t n_in = 0, n_out = 0;
	char *name = NULL;
	enum tacit_status st;
	OrtStatus *s;

	if ((st = check_onnx_file(path, role)) != TACIT_OK)
		return st;
	/* threads that spin between operators take the cores the other threads (and the
	 * ASR worker beside this one, on a shared machine anyone else) need: 2 spinning
	 * threads were no faster than 1 on a loaded 2-core machine, 2 sleeping ones 1.2 to
	 * 1.7 times faster (docs/diarization.md) */
	if ((s = ort->CreateSessionOptions(&opts)) || (s = ort->SetIntraOpNumThreads(opts, n_threads)) ||
	    (s = ort->SetInterOpNumThreads(opts, 1)) ||
	    (s = ort->SetSessionGraphOptimizationLevel(opts, ORT_ENABLE_ALL)) ||
	    (s = ort->AddSessionConfigEntry(opts, "session.intra_op.allow_spinning", "0")) ||
	    (s = ort->CreateSession(e->env, path, opts, &m->sess))) {
		st = ort_fail(ort, s, TACIT_ERR_MODEL, role[0] == 's' ? "cannot load segmentation model" : "cannot load embedding model", path);
		goto out;
	}
	if ((s = ort->GetAllocatorWithDefaultOptions(&alloc)) || (s = ort->SessionGetInputCount(m->sess, &n_in)) ||
	    (s = ort->SessionGetOutputCount(m->sess, &n_out))) {
		st = ort_fail(ort, s, TACIT_ERR_MODEL, "cannot read the model", path);
		goto out;
	}
	if (n_in != 1 || n_out != 1) {
		st = tacit_fail(TACIT_ERR_MODEL, "%s model '%s' has %zu inputs and %zu outputs, not 1 and 1", role, path,
				n_in, n_out);
		goto out;
	}
	if ((s = ort->SessionGetInputName(m->sess, 0, alloc, &name))) {
		st = ort_fail(ort, s, TACIT_ERR_MODEL, "cannot read the model", path);
		goto out;
	}
	m->in_name = strdup(name);
	alloc->Free(alloc, name);
	if ((s = ort->SessionGetOutputName(m->sess, 0, alloc, &name))) {
		st = ort_fail(ort, s, TACIT_ERR_MODEL, "cannot read the model", path);
		goto out;
	}
	m->out_name = strdup(name);
	alloc->Free(alloc, name);
	if (!m->in_name || !m->out_name)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
out:
	if (opts)
		ort->ReleaseSessionOptions(opts);
	return st;
}

/* Segmentation: input [N, 1, T] float, output [N, frames, 7] (powerset of 3 local
 * speakers, at most 2 at once). */
static enum tacit_status check_segmentation(struct diar_engine *e, const char *path)
{
	int64_t in[4] = { 0 }, out[4] = { 0 };
	ONNXTensorElementDataType ti, to;
	int ri = io_shape(e, &e->seg, true, in, &ti), ro = io_shape(e, &e->seg, false, out, &to);
	if (ri != 3 || ro != 3 || ti != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT || to != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT ||
	    (in[1] != 1 && in[1] > 0) || (out[2] != 7 && out[2] > 0))
		return tacit_fail(TACIT_ERR_MODEL,
				  "segmentation model '%s' is not pyannote segmentation-3.0: input '%s' must be float "
				  "[N, 1, samples] and output '%s' float [N, frames, 7]",
				  path, e->seg.in_name, e->seg.out_name);
	int classes = meta_int(e, &e->seg, "num_classes", 7), speakers = meta_int(e, &e->seg, "num_speakers", 3),
	    overlap = meta_int(e, &e->seg, "powerset_max_classes", 2), rate = meta_int(e, &e->seg, "sample_rate", RATE);
	e->window = meta_int(e, &e->seg, "window_size", 10 * RATE);
	e->rf_size = meta_int(e, &e->seg, "receptive_field_size", 991);
	e->rf_shift = meta_int(e, &e->seg, "receptive_field_shift", 270);
	if (classes != 7 || speakers != 3 || overlap != 2 || rate != RATE || e->window < RATE ||
	    e->window > 60 * RATE || e->rf_shift <= 0 || e->rf_size <= 0)
		return tacit_fail(TACIT_ERR_MODEL,
				  "segmentation model '%s' has unsupported metadata (classes %d, speakers %d, "
				  "overlap %d, sample rate %d, window %d): tacit reads segmentation-3.0's powerset "
				  "of 3 speakers at 16 kHz",
				  path, classes, speakers, overlap, rate, e->window);
	return TACIT_OK;
}

/* Embedding: input [N, frames, 80] float fbank, output [N, dim]. */
static enum tacit_status check_embedding(struct diar_engine *e, const char *path)
{
	int64_t in[4] = { 0 }, out[4] = { 0 };
	ONNXTensorElementDataType ti, to;
	int ri = io_shape(e, &e->emb, true, in, &ti), ro = io_shape(e, &e->emb, false, out, &to);
	if (ri == 3 && in[2] > 0 && in[2] != FBANK_BINS)
		return tacit_fail(TACIT_ERR_MODEL,
				  "embedding model '%s' expects %lld-dimensional features; tacit computes %d-bin "
				  "Kaldi filterbanks (use a WeSpeaker or 3D-Speaker model trained on them)",
				  path, (long long)in[2], FBANK_BINS);
	if (ri != 3 || ro != 2 || ti != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT || to != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT ||
	    out[1] <= 0 || out[1] > 4096)
		return tacit_fail(TACIT_ERR_MODEL,
				  "embedding model '%s' does not take filterbanks in and give one embedding out: "
				  "input '%s' must be float [N, frames, 80] and output '%s' float [N, dim]",
				  path, e->emb.in_name, e->emb.out_name);
	int rate = meta_int(e, &e->emb, "sample_rate", RATE);
	if (rate != RATE)
		return tacit_fail(TACIT_ERR_MODEL, "embedding model '%s' is for %d Hz audio; tacit's is 16000 Hz", path,
				  rate);
	e->dim = (int)out[1];
	/* WeSpeaker and 3D-Speaker subtract each bin's mean; a model may say otherwise */
	e->cmn = meta_int(e, &e->emb, "feature_cmn", 1) != 0;
	return TACIT_OK;
}

static void model_release(const OrtApi *ort, struct onnx_model *m)
{
	if (m->sess)
		ort->ReleaseSession(m->sess);
	free(m->in_name);
	free(m->out_name);
}

void diar_engine_free(struct diar_engine *e)
{
	if (!e)
		return;
	model_release(e->ort, &e->seg);
	model_release(e->ort, &e->emb);
	if (e->mem)
		e->ort->ReleaseMemoryInfo(e->mem);
	if (e->env)
		e->ort->ReleaseEnv(e->env);
	free(e->feats);
	free(e);
}

enum tacit_status diar_engine_open(const char *seg_path, const char *emb_path, int n_threads,
				   struct diar_engine **out)
{
	enum tacit_status st = TACIT_OK;
	OrtStatus *s;
	struct diar_engine *e = calloc(1, sizeof(*e));

	*out = NULL;
	if (!e)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (!emb_path || !*emb_path) {
		st = tacit_fail(TACIT_ERR_USAGE, "no speaker embedding model given");
		goto out;
	}
	e->ort = OrtGetApiBase()->GetApi(ORT_API_VERSION);
	if (!e->ort) {
		st = tacit_fail(TACIT_ERR_MODEL, "this onnxruntime does not offer API version %d", ORT_API_VERSION);
		goto out;
	}
	if ((s = e->ort->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "tacit", &e->env)) ||
	    (s = e->ort->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &e->mem))) {
		st = ort_fail(e->ort, s, TACIT_ERR_MODEL, "cannot start onnxruntime for", emb_path);
		goto out;
	}
	if (n_threads <= 0)
		n_threads = 1;
	if ((st = open_model(e, emb_path, "embedding", n_threads, &e->emb)) != TACIT_OK ||
	    (st = check_embedding(e, emb_path)) != TACIT_OK)
		goto out;
	if (seg_path && *seg_path) {
		if ((st = open_model(e, seg_path, "segmentation", n_threads, &e->seg)) != TACIT_OK ||
		    (st = check_segmentation(e, seg_path)) != TACIT_OK)
			goto out;
		e->has_seg = true;
	}
out:
	if (st != TACIT_OK)
		diar_engine_free(e);
	else
		*out = e;
	return st;
}

int diar_engine_dim(const struct diar_engine *e)
{
	return e->dim;
}

bool diar_engine_segments(const struct diar_engine *e)
{
	return e->has_seg;
}

void diar_local_release(struct diar_local *l)
{
	free(l->turns);
	free(l->embs);
	memset(l, 0, sizeof(*l));
}

/* Runs one session on a float tensor of shape[rank]; *result: malloc'd copy of output
 * 0, *n_result its length. */
static enum tacit_status run(struct diar_engine *e, struct onnx_model *m, const float *data, const int64_t *shape,
			     size_t rank, float **result, size_t *n_result, int64_t out_dims[4], size_t *out_rank)
{
	const OrtApi *ort = e->ort;
	OrtValue *in = NULL, *out = NULL;
	OrtTensorTypeAndShapeInfo *info = NULL;
	size_t count = 1, n = 0;
	float *p = NULL;
	enum tacit_status st = TACIT_OK;
	OrtStatus *s;

	for (size_t i = 0; i < rank; i++)
		count *= (size_t)shape[i];
	const char *in_names[] = { m->in_name }, *out_names[] = { m->out_name };
	if ((s = ort->CreateTensorWithDataAsOrtValue(e->mem, (void *)data, count * sizeof(float), shape, rank,
						     ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &in)) ||
	    (s = ort->Run(m->sess, NULL, in_names, (const OrtValue *const *)&in, 1, out_names, 1, &out)) ||
	    (s = ort->GetTensorTypeAndShape(out, &info)) || (s = ort->GetTensorShapeElementCount(info, &n)) ||
	    (s = ort->GetDimensionsCount(info, out_rank)) ||
	    (*out_rank <= 4 ? (s = ort->GetDimensions(info, out_dims, *out_rank)) : NULL) ||
	    (s = ort->GetTensorMutableData(out, (void **)&p))) {
		st = ort_fail(ort, s, TACIT_ERR_MODEL, "a diarization model failed on", m == &e->seg ? "segmentation" : "embedding");
		goto out;
	}
	if (*out_rank > 4 || !(*result = malloc((n ? n : 1) * sizeof(float)))) {
		st = *out_rank > 4 ? tacit_fail(TACIT_ERR_MODEL, "a diarization model gave an output of rank %zu", *out_rank)
				   : tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*result, p, n * sizeof(float));
	*n_result = n;
out:
	if (info)
		ort->ReleaseTensorTypeAndShapeInfo(info);
	if (out)
		ort->ReleaseValue(out);
	if (in)
		ort->ReleaseValue(in);
	return st;
}

/* The embedding of pcm's n samples, L2-normalised, into emb[dim]. */
static enum tacit_status embed(struct diar_engine *e, const float *pcm, size_t n, float *emb)
{
	size_t nf = fbank_n_frames(n), n_out = 0, rank = 0, need = (nf ? nf : 1) * FBANK_BINS;
	int64_t dims[4];
	float *res = NULL;
	enum tacit_status st;

	if (need > e->cap_feats) {
		float *p = realloc(e->feats, need * sizeof(float));
		if (!p)
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		e->feats = p;
		e->cap_feats = need;
	}
	float *feats = e->feats;
	fbank_compute(pcm, n, e->cmn, feats);
	int64_t shape[3] = { 1, (int64_t)nf, FBANK_BINS };
	st = run(e, &e->emb, feats, shape, 3, &res, &n_out, dims, &rank);
	if (st == TACIT_OK && n_out != (size_t)e->dim)
		st = tacit_fail(TACIT_ERR_MODEL, "the embedding model gave %zu values, not %d", n_out, e->dim);
	if (st == TACIT_OK) {
		double norm = 0.0;
		for (int i = 0; i < e->dim; i++)
			norm += (double)res[i] * res[i];
		norm = sqrt(norm);
		for (int i = 0; i < e->dim; i++)
			emb[i] = (float)(norm > 1e-12 && isfinite(norm) ? res[i] / norm : 0.0);
	}
	free(res);
	return st;
}

/* Growing output arrays. */
static bool add_turn(struct diar_local *l, size_t *cap, int64_t a, int64_t b, int group)
{
	if (l->n_turns == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct diar_turn *t = realloc(l->turns, nc * sizeof(*t));
		if (!t)
			return false;
		l->turns = t;
		*cap = nc;
	}
	l->turns[l->n_turns++] = (struct diar_turn){ a, b, group };
	return true;
}

static bool add_group(struct diar_local *l, int dim, size_t *cap)
{
	if (l->n_groups == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		float *p = realloc(l->embs, nc * (size_t)dim * sizeof(float));
		if (!p)
			return false;
		l->embs = p;
		*cap = nc;
	}
	l->n_groups++;
	return true;
}

/* The VAD-window path: each ~3 s piece of speech is one local speaker. */
static enum tacit_status run_windows(struct diar_engine *e, const float *pcm, size_t n, int64_t offset_ms,
				     const struct tacit_span *spans, size_t n_spans, atomic_bool *stop,
				     struct diar_local *out)
{
	size_t tcap = 0, gcap = 0;
	for (size_t i = 0; i < n_spans; i++) {
		int64_t a = spans[i].start_ms < 0 ? 0 : spans[i].start_ms;
		int64_t b = spans[i].end_ms > (int64_t)(n / 16) ? (int64_t)(n / 16) : spans[i].end_ms;
		if (b - a < MIN_WINDOW_MS)
			continue;
		int64_t k = (b - a + VAD_WINDOW_MS / 2) / VAD_WINDOW_MS;
		if (k < 1)
			k = 1;
		for (int64_t j = 0; j < k; j++) {
			if (stop && atomic_load(stop))
				return tacit_fail(TACIT_ERR_CANCELLED, "diarization cancelled");
			int64_t wa = a + (b - a) * j / k, wb = a + (b - a) * (j + 1) / k;
			size_t s0 = (size_t)wa * 16, s1 = (size_t)wb * 16;
			if (s1 - s0 < FBANK_FRAME * 2) /* cannot happen with MIN_WINDOW_MS; kept for the fbank */
				continue;
			if (!add_group(out, e->dim, &gcap) ||
			    !add_turn(out, &tcap, offset_ms + wa, offset_ms + wb, (int)out->n_groups - 1))
				return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			enum tacit_status st = embed(e, pcm + s0, s1 - s0, out->embs + (out->n_groups - 1) * (size_t)e->dim);
			if (st != TACIT_OK)
				return st;
		}
	}
	return TACIT_OK;
}

/* Which of the 3 local speakers powerset class c holds (segmentation-3.0's order: none,
 * {0}, {1}, {2}, {0,1}, {0,2}, {1,2}). */
static const unsigned char powerset[7] = { 0, 1, 2, 4, 3, 5, 6 };

/* One segmentation window (e->window samples at pcm, zero-padded past n): its local
 * speakers' turns and embeddings. */
static enum tacit_status run_window(struct diar_engine *e, const float *pcm, size_t n, int64_t t0_ms,
				    struct diar_local *out, size_t *tcap, size_t *gcap, float *win, float *buf)
{
	size_t w = (size_t)e->window, n_res = 0, rank = 0;
	int64_t dims[4] = { 0 };
	float *res = NULL;
	int *cls = NULL;
	enum tacit_status st;

	memcpy(win, pcm, (n < w ? n : w) * sizeof(float));
	if (n < w)
		memset(win + n, 0, (w - n) * sizeof(float));
	int64_t shape[3] = { 1, 1, (int64_t)w };
	if ((st = run(e, &e->seg, win, shape, 3, &res, &n_res, dims, &rank)) != TACIT_OK)
		goto out;
	if (rank != 3 || dims[2] != 7 || dims[1] <= 0 || (size_t)dims[1] * 7 != n_res) {
		st = tacit_fail(TACIT_ERR_MODEL, "the segmentation model's output is not [1, frames, 7]");
		goto out;
	}
	size_t nf = (size_t)dims[1];
	if (!(cls = malloc(nf * sizeof(*cls)))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t f = 0; f < nf; f++) {
		int best = 0;
		for (int c = 1; c < 7; c++)
			if (res[f * 7 + c] > res[f * 7 + best])
				best = c;
		cls[f] = powerset[best];
	}
	/* frame f covers the receptive field's step around its centre */
	for (int spk = 0; spk < 3; spk++) {
		size_t used = 0, used_any = 0;
		for (int pass = 0; pass < 2 && used < MIN_EMB_SAMPLES; pass++) {
			used = 0;
			/* first only the frames where this speaker talks alone; then with others */
			for (size_t f = 0; f < nf && used < MAX_EMB_SAMPLES; f++) {
				if (!(cls[f] & (1 << spk)) || (pass == 0 && cls[f] != (1 << spk)))
					continue;
				size_t c = f * (size_t)e->rf_shift + (size_t)e->rf_size / 2, a = c - (size_t)e->rf_shift / 2;
				size_t len = (size_t)e->rf_shift;
				if (a + len > (n < w ? n : w))
					continue;
				memcpy(buf + used, pcm + a, len * sizeof(float));
				used += len;
			}
			used_any = used;
		}
		if (used_any < MIN_EMB_SAMPLES)
			continue;
		if (!add_group(out, e->dim, gcap)) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		int g = (int)out->n_groups - 1;
		if ((st = embed(e, buf, used_any, out->embs + (size_t)g * (size_t)e->dim)) != TACIT_OK)
			goto out;
		for (size_t f = 0; f < nf;) {
			if (!(cls[f] & (1 << spk))) {
				f++;
				continue;
			}
			size_t f1 = f;
			while (f1 < nf && (cls[f1] & (1 << spk)))
				f1++;
			double a = ((double)f * e->rf_shift + e->rf_size / 2.0 - e->rf_shift / 2.0) / 16.0;
			double b = ((double)f1 * e->rf_shift + e->rf_size / 2.0 - e->rf_shift / 2.0) / 16.0;
			double lim = (double)(n < w ? n : w) / 16.0;
			if (b > lim)
				b = lim;
			if (b > a && !add_turn(out, tcap, t0_ms + (int64_t)a, t0_ms + (int64_t)b, g)) {
				st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
				goto out;
			}
			f = f1;
		}
	}
out:
	free(cls);
	free(res);
	return st;
}

enum tacit_status diar_engine_run(struct diar_engine *e, const float *pcm, size_t n, int64_t offset_ms,
				  const struct tacit_span *spans, size_t n_spans, atomic_bool *stop,
				  struct diar_local *out)
{
	enum tacit_status st = TACIT_OK;
	memset(out, 0, sizeof(*out));
	if (!e->has_seg) {
		st = run_windows(e, pcm, n, offset_ms, spans, n_spans, stop, out);
	} else {
		size_t w = (size_t)e->window, tcap = 0, gcap = 0;
		float *win = malloc(w * sizeof(float)), *buf = malloc((w + MAX_EMB_SAMPLES) * sizeof(float));
		if (!win || !buf)
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		for (size_t at = 0; st == TACIT_OK && at < n; at += w) {
			if (stop && atomic_load(stop))
				st = tacit_fail(TACIT_ERR_CANCELLED, "diarization cancelled");
			else if (n - at >= RATE / 2) /* a last sliver of under 0.5 s holds no turn worth a window */
				st = run_window(e, pcm + at, n - at, offset_ms + (int64_t)(at / 16), out, &tcap, &gcap, win,
						buf);
		}
		free(buf);
		free(win);
	}
	if (st != TACIT_OK)
		diar_local_release(out);
	return st;
}
