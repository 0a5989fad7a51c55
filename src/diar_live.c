/*
 * diar_live.c — incremental speaker clustering on a live stream: one embedding per final
 * segment, kept L2-normalised; a speaker is the sum of its segments' embeddings (its
 * centroid once normalised). Adding is O(segments × speakers × dim), so a label comes at
 * once however long the meeting; the offline clusterer runs once, at the stop.
 * Speaker numbers are never reused while the meeting runs (a merged speaker's number
 * stays free), so a label shown never comes to mean another voice.
 */
#include "internal.h"

#include "diar_cluster.h"
#include "diar_live.h"

#include <math.h>

/* An earlier segment moves only when another speaker is nearer by this much: without
 * it, a segment halfway between two voices would flip at every new segment. */
#define MOVE_MARGIN 0.05f
/* Two speakers whose centroids come this close (a fraction of the threshold) are one:
 * a centroid averages out its segments' noise, so two of the same voice end up much
 * nearer each other than a single segment is to either. */
#define MERGE_FRACTION 0.5f
/* A segment with less speech than this is embedded from one short window: too little to
 * open a speaker on (weak). */
#define WEAK_S 1.5f

struct diar_live {
	int dim;
	float threshold;
	float *embs;  /* n × dim, normalised */
	int64_t *seg; /* segment numbers */
	int *label;   /* speaker of each */
	bool *weak;   /* labelled, but not in its speaker's sum */
	float *secs;  /* seconds of speech of each */
	size_t n, cap;
	double *sums; /* n_spk × dim */
	int *count;
	int n_spk, cap_spk;
	struct diar_live_change *ch;
	size_t n_ch, cap_ch;
	bool settled; /* diar_live_settle() ran: it, not revise(), decides which voices are one */
};

struct diar_live *diar_live_new(int dim, float threshold)
{
	struct diar_live *d = dim > 0 ? calloc(1, sizeof(*d)) : NULL;
	if (!d)
		return NULL;
	d->dim = dim;
	d->threshold = threshold > 0.0f ? threshold : TACIT_DIAR_LIVE_THRESHOLD;
	return d;
}

void diar_live_free(struct diar_live *d)
{
	if (!d)
		return;
	free(d->embs);
	free(d->seg);
	free(d->label);
	free(d->weak);
	free(d->secs);
	free(d->sums);
	free(d->count);
	free(d->ch);
	free(d);
}

int diar_live_dim(const struct diar_live *d)
{
	return d->dim;
}

int diar_live_speakers(const struct diar_live *d)
{
	int n = 0;
	for (int s = 0; s < d->n_spk; s++) {
		bool any = false;
		for (size_t i = 0; i < d->n && !any; i++)
			any = d->label[i] == s;
		n += any;
	}
	return n;
}

const struct diar_live_change *diar_live_changes(const struct diar_live *d, size_t *n)
{
	*n = d->n_ch;
	return d->ch;
}

int diar_live_speaker(const struct diar_live *d, int64_t segment_no)
{
	for (size_t i = d->n; i-- > 0;)
		if (d->seg[i] == segment_no)
			return d->label[i];
	return -1;
}

static bool note_change(struct diar_live *d, int64_t segment_no, int from, int to)
{
	if (d->n_ch == d->cap_ch) {
		size_t nc = d->cap_ch ? d->cap_ch * 2 : 16;
		struct diar_live_change *p = realloc(d->ch, nc * sizeof(*p));
		if (!p)
			return false;
		d->ch = p;
		d->cap_ch = nc;
	}
	d->ch[d->n_ch++] = (struct diar_live_change){ segment_no, from, to };
	return true;
}

/* Cosine distance from the normalised e to speaker s's centroid (2 when it has none). */
static float dist_to(const struct diar_live *d, const float *e, int s)
{
	const double *c = d->sums + (size_t)s * (size_t)d->dim;
	double dot = 0.0, norm = 0.0;
	if (d->count[s] <= 0)
		return 2.0f;
	for (int j = 0; j < d->dim; j++) {
		dot += e[j] * c[j];
		norm += c[j] * c[j];
	}
	return norm > 0.0 ? (float)(1.0 - dot / sqrt(norm)) : 2.0f;
}

/* Cosine distance between two rows of sums (2 when either is zero). */
static float row_dist(const double *a, const double *b, int dim)
{
	double dot = 0.0, na = 0.0, nb = 0.0;
	for (int j = 0; j < dim; j++) {
		dot += a[j] * b[j];
		na += a[j] * a[j];
		nb += b[j] * b[j];
	}
	return na > 0.0 && nb > 0.0 ? (float)(1.0 - dot / sqrt(na * nb)) : 2.0f;
}

/* Cosine distance between two speakers' centroids (2 when either has none). */
static float spk_dist(const struct diar_live *d, int x, int y)
{
	if (d->count[x] <= 0 || d->count[y] <= 0)
		return 2.0f;
	return row_dist(d->sums + (size_t)x * (size_t)d->dim, d->sums + (size_t)y * (size_t)d->dim, d->dim);
}

static int nearest(const struct diar_live *d, const float *e, float *out_dist)
{
	int best = -1;
	float bd = 2.0f;
	for (int s = 0; s < d->n_spk; s++) {
		float x = dist_to(d, e, s);
		if (x < bd) {
			bd = x;
			best = s;
		}
	}
	*out_dist = bd;
	return best;
}

/* Segment i to speaker to; a weak one follows its speaker without shaping it. */
static void move(struct diar_live *d, size_t i, int to)
{
	const float *e = d->embs + i * (size_t)d->dim;
	if (d->weak[i]) {
		d->label[i] = to;
		return;
	}
	if (d->label[i] >= 0) {
		double *c = d->sums + (size_t)d->label[i] * (size_t)d->dim;
		for (int j = 0; j < d->dim; j++)
			c[j] -= e[j];
		d->count[d->label[i]]--;
	}
	double *c = d->sums + (size_t)to * (size_t)d->dim;
	for (int j = 0; j < d->dim; j++)
		c[j] += e[j];
	d->count[to]++;
	d->label[i] = to;
}

/* Room for one more segment and for n_spk speakers. */
static bool grow(struct diar_live *d, int n_spk)
{
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 64;
		float *e = realloc(d->embs, nc * (size_t)d->dim * sizeof(float));
		if (e)
			d->embs = e;
		int64_t *s = e ? realloc(d->seg, nc * sizeof(*s)) : NULL;
		if (s)
			d->seg = s;
		int *l = s ? realloc(d->label, nc * sizeof(*l)) : NULL;
		if (l)
			d->label = l;
		bool *w = l ? realloc(d->weak, nc * sizeof(*w)) : NULL;
		if (w)
			d->weak = w;
		float *t = w ? realloc(d->secs, nc * sizeof(*t)) : NULL;
		if (!t)
			return false;
		d->secs = t;
		d->cap = nc;
	}
	if (n_spk > d->cap_spk) {
		int nc = n_spk * 2 > 8 ? n_spk * 2 : 8;
		double *s = realloc(d->sums, (size_t)nc * (size_t)d->dim * sizeof(*s));
		if (s)
			d->sums = s;
		int *c = s ? realloc(d->count, (size_t)nc * sizeof(*c)) : NULL;
		if (!c)
			return false;
		d->count = c;
		d->cap_spk = nc;
	}
	return true;
}

/* Distance from segment e to its own speaker s without e itself (a centroid includes
 * its members, so each would look nearest its own). A segment alone is as far as the
 * threshold: it moves to a speaker it would have joined had that one come first. */
static float dist_without(const struct diar_live *d, const float *e, int s)
{
	const double *c = d->sums + (size_t)s * (size_t)d->dim;
	double dot = 0.0, norm = 0.0;
	if (d->count[s] <= 1)
		return d->threshold;
	for (int j = 0; j < d->dim; j++) {
		double v = c[j] - e[j];
		dot += e[j] * v;
		norm += v * v;
	}
	return norm > 0.0 ? (float)(1.0 - dot / sqrt(norm)) : d->threshold;
}

/* Earlier segments nearer another speaker move; then, until the first settle, the
 * closest pair of speakers merges while nearer than the merge distance (the higher
 * number into the lower). After it the settles decide which voices are one: centroids
 * of two voices that average linkage keeps apart can be nearer than that distance, and
 * merging them here would undo each settle. */
static bool revise(struct diar_live *d)
{
	for (size_t i = 0; i + 1 < d->n; i++) {
		const float *e = d->embs + i * (size_t)d->dim;
		float bd = 2.0f, cur = d->weak[i] ? dist_to(d, e, d->label[i]) : dist_without(d, e, d->label[i]);
		int s = -1;
		for (int k = 0; k < d->n_spk; k++) {
			float x = k == d->label[i] ? 2.0f : dist_to(d, e, k);
			if (x < bd) {
				bd = x;
				s = k;
			}
		}
		if (s >= 0 && bd + MOVE_MARGIN < cur) {
			int from = d->label[i];
			move(d, i, s);
			if (!note_change(d, d->seg[i], from, s))
				return false;
		}
	}
	while (!d->settled) {
		int a = -1, b = -1;
		float best = d->threshold * MERGE_FRACTION;
		for (int x = 0; x < d->n_spk; x++)
			for (int y = x + 1; y < d->n_spk; y++) {
				float dd = spk_dist(d, x, y);
				if (dd < best) {
					best = dd;
					a = x;
					b = y;
				}
			}
		if (a < 0)
			return true;
		for (size_t i = 0; i < d->n; i++)
			if (d->label[i] == b) {
				move(d, i, a);
				if (!note_change(d, d->seg[i], b, a))
					return false;
			}
	}
	return true;
}

enum tacit_status diar_live_add(struct diar_live *d, int64_t segment_no, const float *emb, float seconds)
{
	bool weak = !(seconds >= WEAK_S);
	double norm = 0.0;
	d->n_ch = 0;
	for (int j = 0; j < d->dim; j++)
		norm += (double)emb[j] * emb[j];
	if (!(norm > 0.0) || !isfinite(norm))
		return tacit_fail(TACIT_ERR_USAGE, "a speaker embedding is zero or not a number");
	if (!grow(d, d->n_spk + 1))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	float *e = d->embs + d->n * (size_t)d->dim;
	for (int j = 0; j < d->dim; j++)
		e[j] = (float)(emb[j] / sqrt(norm));
	d->seg[d->n] = segment_no;
	d->secs[d->n] = seconds > 0.0f ? seconds : 0.0f;
	d->label[d->n] = -1;
	float bd;
	int s = nearest(d, e, &bd);
	d->weak[d->n] = weak && s >= 0; /* the first speaker is opened by whatever comes */
	if (s < 0 || (bd >= d->threshold && !weak)) {
		s = d->n_spk++;
		memset(d->sums + (size_t)s * (size_t)d->dim, 0, (size_t)d->dim * sizeof(double));
		d->count[s] = 0;
	}
	size_t i = d->n++;
	move(d, i, s);
	if (!note_change(d, segment_no, -1, s) || !revise(d))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	return TACIT_OK;
}

/* The stop's recluster: average linkage over the meeting's segments stops at this
 * fraction of the live threshold (0.27 of 0.6), and a speaker it finds with less speech
 * than SMALL_SPEAKER_S joins the nearest other one within the live threshold, the rule
 * by which it would not have opened a speaker live (whole-segment embeddings of a voice
 * heard only in short segments differ more than the stricter distance). Chosen with the
 * test embedding model on 13 simulated meetings of 3-6 voices, 2-5 minutes, and the
 * meeting of tests/integration/live_speakers.sh (docs/diarization.md): 88.6 % of speech
 * under its voice's label, against 64.5 % for the live labels and 80.8 % for
 * diar_cluster()'s own rules at 0.3 with 12 s. Cost, worst cases (noise): 0.25 s for
 * 700 segments none within the distance of another, 2 s for 2000 (a 3-hour meeting). */
#define RECLUSTER_FRACTION 0.45f
#define SMALL_SPEAKER_S 8.0f

/* The nearest other live cluster of row r of the k × k matrix dist (none: itself, 2). */
static void nearest_row(const float *dist, const double *secs, size_t k, size_t r, size_t *nn, float *nd)
{
	nn[r] = r;
	nd[r] = 2.0f;
	for (size_t c = 0; c < k; c++)
		if (c != r && secs[c] > 0.0 && dist[r * k + c] < nd[r]) {
			nd[r] = dist[r * k + c];
			nn[r] = c;
		}
}

/* Clusters whose centroids are nearer than t merge, the closest pair first, with the
 * distance matrix and each row's nearest kept (a merge costs O(k × dim) and a scan of
 * the rows whose nearest was one of the two); then every strong segment moves to
 * its nearest centroid once. The second look average linkage needs: two halves of one
 * voice whose first merges went different ways stay apart after it. sums (k × dim) and
 * secs (k) as join_small()'s. False when out of memory. */
static bool merge_near(const struct diar_live *d, int *labels, int k, double *sums, double *secs, float t)
{
	size_t dim = (size_t)d->dim, kk = (size_t)k;
	float *dist = malloc((kk > 0 ? kk * kk : 1) * sizeof(*dist)), *nd = malloc((kk + 1) * sizeof(*nd));
	size_t *nn = malloc((kk + 1) * sizeof(*nn));
	if (!dist || !nd || !nn) {
		free(dist);
		free(nd);
		free(nn);
		return false;
	}
	for (size_t a = 0; a < kk; a++)
		for (size_t b = a; b < kk; b++)
			dist[a * kk + b] = dist[b * kk + a] = a != b && secs[a] > 0.0 && secs[b] > 0.0
								     ? row_dist(sums + a * dim, sums + b * dim, d->dim)
								     : 2.0f;
	for (size_t r = 0; r < kk; r++)
		nearest_row(dist, secs, kk, r, nn, nd);
	for (;;) {
		size_t ba = kk;
		for (size_t r = 0; r < kk; r++)
			if (secs[r] > 0.0 && nd[r] < t && (ba == kk || nd[r] < nd[ba]))
				ba = r;
		if (ba == kk)
			break;
		size_t bb = nn[ba];
		for (size_t j = 0; j < dim; j++)
			sums[ba * dim + j] += sums[bb * dim + j];
		secs[ba] += secs[bb];
		secs[bb] = 0.0;
		for (size_t i = 0; i < d->n; i++)
			if (labels[i] == (int)bb)
				labels[i] = (int)ba;
		for (size_t c = 0; c < kk; c++)
			dist[ba * kk + c] = dist[c * kk + ba] =
				c == ba || secs[c] <= 0.0 ? 2.0f : row_dist(sums + ba * dim, sums + c * dim, d->dim);
		/* only rows whose nearest was one of the two are scanned again */
		for (size_t r = 0; r < kk; r++) {
			if (secs[r] <= 0.0)
				continue;
			if (r == ba || nn[r] == ba || nn[r] == bb)
				nearest_row(dist, secs, kk, r, nn, nd);
			else if (dist[r * kk + ba] < nd[r]) {
				nd[r] = dist[r * kk + ba];
				nn[r] = ba;
			}
		}
	}
	free(nd);
	free(nn);
	/* each strong segment to its nearest centroid (all chosen against the same ones),
	 * then the sums again from the members */
	free(dist);
	int *to = malloc(d->n * sizeof(*to));
	if (!to)
		return false;
	for (size_t i = 0; i < d->n; i++) {
		to[i] = labels[i];
		if (labels[i] < 0)
			continue;
		const float *e = d->embs + i * dim;
		double bd = -INFINITY;
		for (int c = 0; c < k; c++) {
			double dot = 0.0, norm = 0.0;
			for (size_t j = 0; j < dim && secs[c] > 0.0; j++) {
				dot += e[j] * sums[(size_t)c * dim + j];
				norm += sums[(size_t)c * dim + j] * sums[(size_t)c * dim + j];
			}
			if (norm > 0.0 && dot / sqrt(norm) > bd) {
				bd = dot / sqrt(norm);
				to[i] = c;
			}
		}
	}
	memset(sums, 0, kk * dim * sizeof(*sums));
	memset(secs, 0, kk * sizeof(*secs));
	for (size_t i = 0; i < d->n; i++) {
		if ((labels[i] = to[i]) < 0)
			continue;
		for (size_t j = 0; j < dim; j++)
			sums[(size_t)to[i] * dim + j] += d->embs[i * dim + j];
		secs[to[i]] += d->secs[i] > 0.0f ? d->secs[i] : 1e-3;
	}
	free(to);
	return true;
}

/* Joins each speaker of under SMALL_SPEAKER_S seconds to the nearest other one within
 * d->threshold, the one with least speech first; O(k × dim) per speaker judged. sums
 * (k × dim) and secs (k) are the clusters' sums and speech; labels[] of the segments
 * follow. False when out of memory. */
static bool join_small(const struct diar_live *d, int *labels, int k, double *sums, double *secs)
{
	size_t dim = (size_t)d->dim;
	bool *stays = calloc((size_t)k + 1, sizeof(*stays)); /* judged: nobody near enough */
	if (!stays)
		return false;
	for (;;) {
		int a = -1, b = -1;
		for (int c = 0; c < k; c++)
			if (secs[c] > 0.0 && secs[c] < SMALL_SPEAKER_S && !stays[c] && (a < 0 || secs[c] < secs[a]))
				a = c;
		if (a < 0)
			break;
		float bd = d->threshold;
		for (int c = 0; c < k; c++) {
			float x = c == a || secs[c] <= 0.0 ? 2.0f : row_dist(sums + (size_t)a * dim, sums + (size_t)c * dim, d->dim);
			if (x < bd) {
				bd = x;
				b = c;
			}
		}
		if (b < 0) {
			stays[a] = true;
			continue;
		}
		for (size_t j = 0; j < dim; j++)
			sums[(size_t)b * dim + j] += sums[(size_t)a * dim + j];
		secs[b] += secs[a];
		secs[a] = 0.0;
		stays[b] = false; /* grown: judged again while still small */
		for (size_t i = 0; i < d->n; i++)
			if (labels[i] == a)
				labels[i] = b;
	}
	free(stays);
	return true;
}

/* The number each cluster gets. keep_numbers: the old speaker with which it shares the
 * most speech, greedily, pairs of most speech first; a cluster left over gets a number
 * never used. Else in order of first segment. Returns the speakers' count, -1 when out
 * of memory. */
static int number_clusters(const struct diar_live *d, const int *labels, int k, bool keep_numbers, int *order)
{
	int n_spk = 0;
	for (int c = 0; c < k; c++)
		order[c] = -1;
	if (!keep_numbers) {
		for (size_t i = 0; i < d->n; i++)
			if (labels[i] >= 0 && order[labels[i]] < 0)
				order[labels[i]] = n_spk++;
		return n_spk;
	}
	size_t m = (size_t)k * (size_t)d->n_spk;
	double *shared = calloc(m ? m : 1, sizeof(*shared));
	bool *taken = calloc((size_t)d->n_spk + 1, sizeof(*taken)), *used = calloc((size_t)k + 1, sizeof(*used));
	if (!shared || !taken || !used) {
		free(shared);
		free(taken);
		free(used);
		return -1;
	}
	for (size_t i = 0; i < d->n; i++)
		if (labels[i] >= 0 && d->label[i] >= 0)
			shared[(size_t)labels[i] * (size_t)d->n_spk + (size_t)d->label[i]] += d->secs[i] + 1e-3;
	for (;;) {
		double best = 0.0;
		int bc = -1, bs = -1;
		for (int c = 0; c < k; c++)
			for (int sp = 0; sp < d->n_spk && !used[c]; sp++)
				if (!taken[sp] && shared[(size_t)c * (size_t)d->n_spk + (size_t)sp] > best) {
					best = shared[(size_t)c * (size_t)d->n_spk + (size_t)sp];
					bc = c;
					bs = sp;
				}
		if (bc < 0)
			break;
		order[bc] = bs;
		used[bc] = taken[bs] = true;
	}
	n_spk = d->n_spk;
	for (size_t i = 0; i < d->n; i++)
		if (labels[i] >= 0 && order[labels[i]] < 0)
			order[labels[i]] = n_spk++;
	free(shared);
	free(taken);
	free(used);
	return n_spk;
}

/* The whole meeting clustered again: diar_live_recluster() and diar_live_settle(). */
static enum tacit_status recluster(struct diar_live *d, bool keep_numbers)
{
	int *labels = NULL, *was = NULL, *order = NULL, k = 0;
	float *strong = NULL, *weights = NULL;
	double *sums = NULL, *secs = NULL;
	enum tacit_status st = TACIT_OK;
	size_t dim = (size_t)d->dim;

	d->n_ch = 0;
	if (d->n == 0)
		return TACIT_OK;
	/* the strong segments, packed (all of them when every one is weak) */
	size_t n_strong = 0;
	for (size_t i = 0; i < d->n; i++)
		n_strong += !d->weak[i];
	bool all = n_strong == 0;
	if (all)
		n_strong = d->n;
	if (!(labels = malloc(d->n * sizeof(*labels))) || !(was = malloc(d->n * sizeof(*was))) ||
	    !(strong = malloc(n_strong * dim * sizeof(float))) || !(weights = malloc(n_strong * sizeof(float)))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0, j = 0; i < d->n; i++)
		if (all || !d->weak[i]) {
			memcpy(strong + j * dim, d->embs + i * dim, dim * sizeof(float));
			weights[j++] = d->secs[i];
		}
	if ((st = diar_cluster_keep_small(strong, weights, n_strong, d->dim, d->threshold * RECLUSTER_FRACTION,
					  labels, &k)) != TACIT_OK)
		goto out;
	/* labels[j] of the j-th strong segment to its place; weak ones -1 */
	for (size_t i = d->n, j = n_strong; i-- > 0;)
		labels[i] = all || !d->weak[i] ? labels[--j] : -1;
	if (!(sums = calloc((size_t)k * dim, sizeof(*sums))) || !(secs = calloc((size_t)k, sizeof(*secs))) ||
	    !(order = malloc((size_t)k * sizeof(*order)))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < d->n; i++)
		if (labels[i] >= 0) {
			for (size_t j = 0; j < dim; j++)
				sums[(size_t)labels[i] * dim + j] += d->embs[i * dim + j];
			secs[labels[i]] += d->secs[i] > 0.0f ? d->secs[i] : 1e-3;
		}
	if (!merge_near(d, labels, k, sums, secs, d->threshold * RECLUSTER_FRACTION) ||
	    !join_small(d, labels, k, sums, secs)) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	int n_spk = number_clusters(d, labels, k, keep_numbers, order);
	if (n_spk < 0 || !grow(d, n_spk > d->n_spk ? n_spk : d->n_spk)) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* the centroids start again from the clusters */
	memset(d->sums, 0, (size_t)d->cap_spk * dim * sizeof(double));
	memset(d->count, 0, (size_t)d->cap_spk * sizeof(int));
	d->n_spk = n_spk;
	for (size_t i = 0; i < d->n; i++) {
		was[i] = d->label[i];
		d->label[i] = -1;
		if (labels[i] >= 0)
			move(d, i, order[labels[i]]);
	}
	for (size_t i = 0; i < d->n; i++) {
		float bd;
		int s = labels[i] >= 0 ? -1 : nearest(d, d->embs + i * dim, &bd);
		if (s >= 0)
			move(d, i, s);
	}
	for (size_t i = 0; i < d->n; i++)
		if (was[i] != d->label[i] && !note_change(d, d->seg[i], was[i], d->label[i])) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
out:
	free(order);
	free(secs);
	free(sums);
	free(weights);
	free(strong);
	free(was);
	free(labels);
	return st;
}

enum tacit_status diar_live_recluster(struct diar_live *d)
{
	return recluster(d, false);
}

enum tacit_status diar_live_settle(struct diar_live *d)
{
	enum tacit_status st = recluster(d, true);
	d->settled = d->settled || st == TACIT_OK;
	return st;
}
