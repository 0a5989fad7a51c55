/*
 * diar_client.c — the caller's side of speaker diarization (tacit_diarize()): the models
 * run in a tacit-worker of their own (engine "diar", worker/diar_engine.c), fed one
 * minute of audio at a time (diar_run.h: an import feeds it as it reads its recording),
 * so the worker holds one minute and this process one minute of samples and the local
 * speakers' embeddings (a few KB a minute) until they are clustered here
 * (diar_cluster.c). Without a segmentation model the VAD (its own worker) finds each
 * minute's speech first.
 */
#include "internal.h"

#include "asr.h"
#include "diar_cluster.h"
#include "diar_run.h"
#include "media.h"
#include "workerproc.h"

#include <assert.h>
#include <math.h>

#include <yyjson.h>

/* Pieces of this many samples: six segmentation windows; a cancel is seen between them. */
#define PIECE_SAMPLES ((size_t)60 * TACIT_AUDIO_RATE)
/* Starting the worker and loading both models; then per piece (about 20 times what the
 * real-shape models need on a loaded 2-core machine). */
#define LOAD_TIMEOUT_MS 60000
#define PIECE_TIMEOUT_MS 120000
/* The same speaker's turns closer than this are one turn. */
#define TURN_GAP_MS 1000

struct tacit_diar_params tacit_diar_default_params(void)
{
	return (struct tacit_diar_params){ .threshold = TACIT_DIAR_THRESHOLD };
}

void tacit_diarization_release(struct tacit_diarization *d)
{
	if (!d)
		return;
	free(d->turns);
	free(d->voiceprints);
	memset(d, 0, sizeof(*d));
}

int tacit_diarization_speaker_at(const struct tacit_diarization *d, int64_t start_ms, int64_t end_ms)
{
	int best = -1;
	int64_t best_ms = 0;
	if (!d || d->n_speakers <= 0 || end_ms <= start_ms)
		return -1;
	int64_t *talk = calloc((size_t)d->n_speakers, sizeof(*talk));
	if (!talk)
		return -1;
	for (size_t i = 0; i < d->n_turns; i++) {
		const struct tacit_speaker_turn *t = &d->turns[i];
		int64_t a = t->start_ms > start_ms ? t->start_ms : start_ms;
		int64_t b = t->end_ms < end_ms ? t->end_ms : end_ms;
		if (b > a && t->speaker >= 0 && t->speaker < d->n_speakers)
			talk[t->speaker] += b - a;
	}
	for (int s = 0; s < d->n_speakers; s++)
		if (talk[s] > best_ms) {
			best_ms = talk[s];
			best = s;
		}
	free(talk);
	return best;
}

/* Everything the pieces gave: local speakers' turns and embeddings. */
struct gathered {
	struct tacit_speaker_turn *turns; /* .speaker holds the local group for now */
	size_t n_turns, cap_turns;
	float *embs;
	size_t n_groups, cap_groups;
	int dim;
};

static enum tacit_status take_local(struct gathered *g, const char *payload, size_t len)
{
	size_t head = strnlen(payload, len) + 1, i, max;
	yyjson_doc *doc = yyjson_read(payload, head - 1, 0);
	yyjson_val *root = yyjson_doc_get_root(doc), *arr = yyjson_obj_get(root, "turns"), *t;
	yyjson_val *gv = yyjson_obj_get(root, "groups"), *dv = yyjson_obj_get(root, "dim");
	enum tacit_status st = TACIT_OK;
	size_t groups = yyjson_is_uint(gv) ? (size_t)yyjson_get_uint(gv) : 0;
	int dim = yyjson_is_int(dv) ? (int)yyjson_get_sint(dv) : 0;

	/* groups is checked against the bytes there before it is multiplied: no wrap-around */
	if (!yyjson_is_arr(arr) || dim <= 0 || dim > 4096 || (g->dim && dim != g->dim) || head > len ||
	    groups > (len - head) / sizeof(float) || (len - head) != groups * (size_t)dim * sizeof(float)) {
		st = tacit_fail(TACIT_ERR_WORKER, "the diarization worker's answer is malformed");
		goto out;
	}
	g->dim = dim;
	if (g->n_groups + groups > g->cap_groups) {
		size_t nc = (g->n_groups + groups) * 2;
		float *p = realloc(g->embs, nc * (size_t)dim * sizeof(float));
		if (!p) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		g->embs = p;
		g->cap_groups = nc;
	}
	if (groups) /* none yet: g->embs may still be NULL */
		memcpy(g->embs + g->n_groups * (size_t)dim, payload + head, groups * (size_t)dim * sizeof(float));
	if (g->n_turns + yyjson_arr_size(arr) > g->cap_turns) {
		size_t nc = (g->n_turns + yyjson_arr_size(arr)) * 2;
		struct tacit_speaker_turn *p = realloc(g->turns, nc * sizeof(*p));
		if (!p) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		g->turns = p;
		g->cap_turns = nc;
	}
	yyjson_arr_foreach(arr, i, max, t)
	{
		int64_t grp = yyjson_get_sint(yyjson_arr_get(t, 2));
		if (grp < 0 || (size_t)grp >= groups) {
			st = tacit_fail(TACIT_ERR_WORKER, "the diarization worker's answer is malformed");
			goto out;
		}
		g->turns[g->n_turns++] = (struct tacit_speaker_turn){ yyjson_get_sint(yyjson_arr_get(t, 0)),
								      yyjson_get_sint(yyjson_arr_get(t, 1)),
								      (int)(g->n_groups + (size_t)grp) };
	}
	g->n_groups += groups;
out:
	yyjson_doc_free(doc);
	return st;
}

static enum tacit_status load(struct workerproc *w, const struct tacit_diar_params *p, bool segment)
{
	const char *payload;
	size_t len;
	enum tacit_status st;

	if ((st = workerproc_spawn(w)) != TACIT_OK)
		return st;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", 1);
	yyjson_mut_obj_add_str(doc, o, "engine", "diar");
	if (segment)
		yyjson_mut_obj_add_str(doc, o, "segmentation", p->segmentation_model);
	yyjson_mut_obj_add_str(doc, o, "embedding", p->embedding_model);
	yyjson_mut_obj_add_int(doc, o, "n_threads", p->n_threads);
	char *json = yyjson_mut_write(doc, 0, &len);
	yyjson_mut_doc_free(doc);
	if (!json)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	bool sent = workerproc_send(w, PROTO_LOAD, json, len);
	free(json);
	if (!sent)
		return workerproc_died(w, false);
	return workerproc_await(w, PROTO_LOADED, LOAD_TIMEOUT_MS, &payload, &len);
}

/* Sends the k samples at pcm, which start at sample `at` of the recording, with the
 * speech spans (recording's timeline) inside them, and gathers the answer. */
static enum tacit_status send_piece(struct workerproc *w, long long id, const float *pcm, size_t at, size_t k,
				    const struct tacit_span *spans, size_t n_spans, struct gathered *g)
{
	struct buf head;
	const char *payload;
	size_t len;
	int64_t a_ms = (int64_t)(at / 16), b_ms = (int64_t)((at + k) / 16);
	enum tacit_status st;

	buf_init(&head);
	buf_addf(&head, "{\"id\":%lld,\"n\":%zu,\"offset_ms\":%lld", id, k, (long long)a_ms);
	if (spans) {
		buf_adds(&head, ",\"spans\":[");
		bool first = true;
		for (size_t i = 0; i < n_spans; i++) {
			int64_t s = spans[i].start_ms > a_ms ? spans[i].start_ms : a_ms;
			int64_t e = spans[i].end_ms < b_ms ? spans[i].end_ms : b_ms;
			if (e <= s)
				continue;
			buf_addf(&head, "%s[%lld,%lld]", first ? "" : ",", (long long)(s - a_ms), (long long)(e - a_ms));
			first = false;
		}
		buf_adds(&head, "]");
	}
	buf_adds(&head, "}");
	buf_add(&head, "", 1); /* the NUL between the JSON and the samples */
	bool sent = workerproc_send_parts(w, PROTO_DIARIZE, head.data, head.len, pcm, k * sizeof(float));
	buf_release(&head);
	if (!sent)
		return workerproc_died(w, false);
	if ((st = workerproc_await(w, PROTO_LOCAL, PIECE_TIMEOUT_MS, &payload, &len)) != TACIT_OK)
		return st;
	return take_local(g, payload, len);
}

enum tacit_status diar_local_check(const char *payload, size_t len)
{
	struct gathered g = { 0 };
	enum tacit_status st = take_local(&g, payload, len);
	for (size_t i = 0; st == TACIT_OK && i < g.n_turns; i++)
		assert(g.turns[i].speaker >= 0 && (size_t)g.turns[i].speaker < g.n_groups);
	free(g.turns);
	free(g.embs);
	return st;
}

struct diar_run {
	struct tacit_diar_params p;
	struct workerproc w;
	struct vad_client *vad; /* without a segmentation model */
	struct gathered g;
	float *piece; /* the samples not yet sent: at most PIECE_SAMPLES */
	size_t n_piece;
	size_t sent; /* samples sent so far: the next piece's place */
	long long id;
	bool segment;
};

void diar_run_free(struct diar_run *r)
{
	if (!r)
		return;
	workerproc_release(&r->w);
	vad_client_free(r->vad);
	free(r->piece);
	free(r->g.turns);
	free(r->g.embs);
	free(r);
}

enum tacit_status diar_run_open(const struct tacit_diar_params *params, struct diar_run **out)
{
	struct diar_run *r;
	enum tacit_status st;

	*out = NULL;
	if (!(r = calloc(1, sizeof(*r))) || !(r->piece = malloc(PIECE_SAMPLES * sizeof(float)))) {
		free(r);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	r->p = params ? *params : tacit_diar_default_params();
	r->segment = r->p.segmentation_model && *r->p.segmentation_model;
	r->id = 1;
	workerproc_init(&r->w, "diarization worker", "onnxruntime");
	if (!r->p.embedding_model || !*r->p.embedding_model)
		st = tacit_fail(TACIT_ERR_USAGE, "no speaker embedding model given");
	else if (!r->segment && (!r->p.vad_model || !*r->p.vad_model))
		st = tacit_fail(TACIT_ERR_USAGE, "diarization needs a segmentation model or a VAD model to find the speech");
	else if ((st = load(&r->w, &r->p, r->segment)) == TACIT_OK && !r->segment)
		st = vad_client_new(r->p.vad_model, NULL, &r->vad);
	if (!(r->p.threshold > 0.0f))
		r->p.threshold = TACIT_DIAR_THRESHOLD;
	if (st != TACIT_OK) {
		diar_run_free(r);
		return st;
	}
	*out = r;
	return TACIT_OK;
}

/* Sends the piece held (speech found by the VAD first, without segmentation). */
static enum tacit_status flush_piece(struct diar_run *r)
{
	struct tacit_span *spans = NULL;
	size_t n_spans = 0;
	enum tacit_status st = TACIT_OK;

	if (!r->n_piece)
		return TACIT_OK;
	if (r->p.cancel && *r->p.cancel)
		return tacit_fail(TACIT_ERR_CANCELLED, "diarization cancelled");
	if (!r->segment) {
		if ((st = vad_client_detect(r->vad, r->piece, r->n_piece, &spans, &n_spans)) != TACIT_OK)
			return st;
		/* the piece's spans on the whole recording's timeline */
		for (size_t i = 0; i < n_spans; i++) {
			spans[i].start_ms += (int64_t)(r->sent / 16);
			spans[i].end_ms += (int64_t)(r->sent / 16);
		}
	}
	/* pieces without speech need no worker */
	if (r->segment || n_spans) {
		st = send_piece(&r->w, ++r->id, r->piece, r->sent, r->n_piece, r->segment ? NULL : spans,
				n_spans, &r->g);
	}
	free(spans);
	r->sent += r->n_piece;
	r->n_piece = 0;
	return st;
}

enum tacit_status diar_run_feed(struct diar_run *r, const float *pcm, size_t n)
{
	enum tacit_status st = TACIT_OK;
	while (n > 0 && st == TACIT_OK) {
		size_t k = PIECE_SAMPLES - r->n_piece < n ? PIECE_SAMPLES - r->n_piece : n;
		memcpy(r->piece + r->n_piece, pcm, k * sizeof(float));
		r->n_piece += k;
		pcm += k;
		n -= k;
		if (r->n_piece == PIECE_SAMPLES)
			st = flush_piece(r);
	}
	return st;
}

/* Each final speaker's voiceprint: the mean of the local speakers' embeddings, weighted
 * by their speech, over the turns the final speaker talks most in (the clustering and
 * the layout renumber speakers; the timeline is what both keep). groups[i] is turn i's
 * local speaker. Best effort: out of memory leaves out->voiceprints NULL. */
static void voiceprints(const struct gathered *g, const int *groups, struct tacit_diarization *out)
{
	if (out->n_speakers <= 0 || g->dim <= 0 || !g->n_groups)
		return;
	float *vp = calloc((size_t)out->n_speakers * (size_t)g->dim, sizeof(float));
	if (!vp)
		return;
	for (size_t i = 0; i < g->n_turns; i++) {
		const struct tacit_speaker_turn *t = &g->turns[i];
		int k = tacit_diarization_speaker_at(out, t->start_ms, t->end_ms);
		if (k < 0 || groups[i] < 0 || (size_t)groups[i] >= g->n_groups)
			continue;
		const float *e = g->embs + (size_t)groups[i] * (size_t)g->dim;
		float w = (float)(t->end_ms - t->start_ms) / 1000.0f;
		for (int d = 0; d < g->dim; d++)
			vp[(size_t)k * (size_t)g->dim + (size_t)d] += w * e[d];
	}
	for (int k = 0; k < out->n_speakers; k++) {
		float *v = vp + (size_t)k * (size_t)g->dim;
		double sum = 0;
		for (int d = 0; d < g->dim; d++)
			sum += (double)v[d] * v[d];
		for (int d = 0; sum > 0 && d < g->dim; d++)
			v[d] = (float)(v[d] / sqrt(sum));
	}
	out->voiceprints = vp;
	out->dim = g->dim;
}

enum tacit_status diar_run_finish(struct diar_run *r, struct tacit_diarization *out)
{
	int *labels = NULL, *groups = NULL, n_clusters = 0;
	float *secs = NULL;
	enum tacit_status st;

	memset(out, 0, sizeof(*out));
	if ((st = flush_piece(r)) != TACIT_OK)
		return st;
	workerproc_stop(&r->w, false);
	if (r->g.n_groups) {
		if (!(labels = malloc(r->g.n_groups * sizeof(*labels))) ||
		    !(secs = calloc(r->g.n_groups, sizeof(*secs))) ||
		    !(groups = malloc((r->g.n_turns + 1) * sizeof(*groups)))) {
			free(secs);
			free(labels);
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		}
		/* each local speaker's seconds of speech: short ones do not shape the clusters */
		for (size_t i = 0; i < r->g.n_turns; i++) {
			const struct tacit_speaker_turn *t = &r->g.turns[i];
			if (t->speaker >= 0 && (size_t)t->speaker < r->g.n_groups)
				secs[t->speaker] += (float)(t->end_ms - t->start_ms) / 1000.0f;
		}
		st = diar_cluster(r->g.embs, secs, r->g.n_groups, r->g.dim, r->p.n_speakers, r->p.threshold, labels,
				  &n_clusters);
		for (size_t i = 0; st == TACIT_OK && i < r->g.n_turns; i++) {
			groups[i] = r->g.turns[i].speaker;
			r->g.turns[i].speaker = labels[r->g.turns[i].speaker];
		}
		free(secs);
		free(labels);
		if (st != TACIT_OK) {
			free(groups);
			return st;
		}
	}
	st = diar_lay_out(r->g.turns, r->g.n_turns, TURN_GAP_MS, &out->turns, &out->n_turns, &out->n_speakers);
	out->segmented = r->segment;
	if (st == TACIT_OK && groups)
		voiceprints(&r->g, groups, out);
	free(groups);
	return st;
}

enum tacit_status tacit_diarize(const struct tacit_diar_params *params, const float *pcm, size_t n,
				struct tacit_diarization *out)
{
	struct diar_run *r = NULL;
	enum tacit_status st;

	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_diarize: out is NULL");
	memset(out, 0, sizeof(*out));
	if (!pcm && n)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_diarize: no audio");
	if ((st = diar_run_open(params, &r)) == TACIT_OK && (st = diar_run_feed(r, pcm, n)) == TACIT_OK)
		st = diar_run_finish(r, out);
	diar_run_free(r);
	return st;
}

/* tacit_diarize_file()'s sink: the run starts with the first audio. */
struct file_feed {
	const struct tacit_diar_params *p;
	struct diar_run *r;
};

static enum tacit_status feed_file(const float *pcm, size_t n, void *user)
{
	struct file_feed *f = user;
	enum tacit_status st;
	if (!f->r && (st = diar_run_open(f->p, &f->r)) != TACIT_OK)
		return st;
	return diar_run_feed(f->r, pcm, n);
}

enum tacit_status tacit_diarize_file(const struct tacit_diar_params *params, const char *path,
				     struct tacit_diarization *out)
{
	struct tacit_audio_params ap = tacit_audio_default_params();
	struct file_feed f = { params, NULL };
	enum tacit_status st;

	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_diarize_file: out is NULL");
	memset(out, 0, sizeof(*out));
	if (!path)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_diarize_file: no path");
	ap.channels = 1;
	st = media_decode_file(path, &ap, feed_file, &f, NULL);
	/* no audio frames at all: the models are still checked, and no speech is found */
	if (st == TACIT_OK && !f.r)
		st = diar_run_open(params, &f.r);
	if (st == TACIT_OK)
		st = diar_run_finish(f.r, out);
	diar_run_free(f.r);
	return st;
}

enum tacit_status diar_worker_load(struct workerproc *w, const struct tacit_diar_params *p)
{
	return load(w, p, false);
}

enum tacit_status diar_worker_embed(struct workerproc *w, long long id, const float *pcm, size_t n, float **out_embs,
				    size_t *n_embs, int *dim)
{
	struct gathered g = { 0 };
	struct tacit_span all = { 0, (int64_t)(n / 16) };
	enum tacit_status st = send_piece(w, id, pcm, 0, n, &all, 1, &g);
	free(g.turns);
	if (st != TACIT_OK) {
		free(g.embs);
		g = (struct gathered){ 0 };
	}
	*out_embs = g.embs;
	*n_embs = g.n_groups;
	*dim = g.dim;
	return st;
}
