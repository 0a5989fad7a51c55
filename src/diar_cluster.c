/*
 * diar_cluster.c — agglomerative clustering of speaker embeddings (cosine distance,
 * average linkage) by the nearest-neighbour chain: O(n²) time and n²/2 floats, where
 * merging the closest pair each round would take O(n³). Average linkage never makes a
 * merge closer than the one before it, so the merges sorted by distance are the
 * dendrogram, and a cut (a threshold, or a number of speakers) is a prefix of them.
 * The cut is then refined around speaker centroids (refine()), which fixes the early,
 * never revisited merges that average linkage gets wrong.
 */
#include "internal.h"

#include "diar_cluster.h"

#include <math.h>

struct merge {
	int a, b;
	float d;
};

/* The condensed upper triangle: distance between i and j (i != j). */
static inline size_t tri(size_t n, size_t i, size_t j)
{
	if (i > j) {
		size_t t = i;
		i = j;
		j = t;
	}
	return i * n - i * (i + 1) / 2 + (j - i - 1);
}

static int cmp_merge(const void *x, const void *y)
{
	const struct merge *a = x, *b = y;
	return a->d < b->d ? -1 : a->d > b->d;
}

static int find(int *parent, int i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

/* Clusters smaller than this (in local speakers) are taken for stray embeddings (a
 * cough, a laugh, crosstalk) and joined to the nearest large cluster, once there are
 * DIAR_SMALL_FROM local speakers or more: otherwise average linkage keeps an outlier as a
 * "speaker" of its own and merges two real voices to make up the count. */
#define DIAR_MIN_CLUSTER 3
#define DIAR_SMALL_FROM 20
/* ... nor one under 1 / DIAR_MIN_SHARE of all local speakers (2 %: about 20 s of a
 * 20-minute meeting's speech): on simulated meetings such clusters were one voice's
 * odd utterance far more often than a speaker of its own. */
#define DIAR_MIN_SHARE 50

/* Applies the first take merges: parent[] holds the union-find, size[] each root's
 * member count. Returns how many clusters have at least min_size members. */
static int cut(const struct merge *merges, size_t take, size_t n, size_t min_size, int *parent, int *size)
{
	int large = 0;
	for (size_t i = 0; i < n; i++) {
		parent[i] = (int)i;
		size[i] = 0;
	}
	for (size_t i = 0; i < take; i++)
		parent[find(parent, merges[i].a)] = find(parent, merges[i].b);
	for (size_t i = 0; i < n; i++)
		size[find(parent, (int)i)]++;
	for (size_t i = 0; i < n; i++)
		if (parent[i] == (int)i && (size_t)size[i] >= min_size)
			large++;
	return large;
}

/* Centroid refinement rounds: each embedding moves to its nearest centroid, then the
 * centroids are recomputed (k-means on the sphere); a few rounds settle it. */
#define DIAR_REFINE_ROUNDS 10

/* cent[c] := the normalised mean of the embeddings labelled c; a centroid nobody chose
 * keeps its place (dropped by the caller). */
static void centroids(const float *embs, size_t n, int dim, const int *labels, int k, double *cent)
{
	memset(cent, 0, (size_t)k * (size_t)dim * sizeof(*cent));
	for (size_t i = 0; i < n; i++)
		for (int j = 0; j < dim; j++)
			cent[(size_t)labels[i] * (size_t)dim + j] += embs[i * (size_t)dim + j];
	for (int c = 0; c < k; c++) {
		double norm = 0.0, *v = cent + (size_t)c * (size_t)dim;
		for (int j = 0; j < dim; j++)
			norm += v[j] * v[j];
		norm = sqrt(norm);
		for (int j = 0; j < dim; j++)
			v[j] = norm > 0.0 ? v[j] / norm : 0.0;
	}
}

/* Each embedding to its nearest centroid; how many moved. */
static size_t assign(const float *embs, size_t n, int dim, const double *cent, int k, int *labels)
{
	size_t moved = 0;
	for (size_t i = 0; i < n; i++) {
		int best = labels[i];
		double best_dot = -INFINITY;
		for (int c = 0; c < k; c++) {
			double dot = 0.0;
			for (int j = 0; j < dim; j++)
				dot += cent[(size_t)c * (size_t)dim + j] * embs[i * (size_t)dim + j];
			if (dot > best_dot) {
				best_dot = dot;
				best = c;
			}
		}
		moved += best != labels[i];
		labels[i] = best;
	}
	return moved;
}

/* Drops clusters nobody is in (labels renumbered); the new count. */
static int compact(size_t n, int *labels, int k, int *map)
{
	int m = 0;
	for (int c = 0; c < k; c++)
		map[c] = -1;
	for (size_t i = 0; i < n; i++)
		if (map[labels[i]] < 0)
			map[labels[i]] = m++;
	for (size_t i = 0; i < n; i++)
		labels[i] = map[labels[i]];
	return m;
}

/* The second pass over the dendrogram's cut. Average linkage decides early and never
 * revisits: an embedding merged into the wrong voice stays there, and two halves of one
 * voice whose first merges went different ways stay apart. So: the cut's large clusters
 * (small ones are strays) become centroids, every embedding is reassigned to its nearest
 * centroid until none moves, and then centroids nearer than threshold (auto) or beyond
 * the count wanted (n_speakers) are merged pairwise, closest first, each merge followed
 * by the same reassignment. Labels are numbered in order of first embedding. */
static enum tacit_status refine(const float *embs, size_t n, int dim, int n_speakers, float threshold,
				size_t min_size, const int *parent_in, const int *size, int *labels, int *n_clusters)
{
	double *cent = NULL;
	int *map = NULL, *root = NULL;
	enum tacit_status st = TACIT_OK;
	int k = 0;
	cent = malloc(n * (size_t)dim * sizeof(*cent));
	map = malloc(n * sizeof(*map));
	root = malloc(n * sizeof(*root));
	if (!cent || !map || !root) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* the cut's clusters, large ones first (all of them when none is large) */
	for (int pass = 0; pass < 2 && k == 0; pass++)
		for (size_t i = 0; i < n; i++)
			if (parent_in[i] == (int)i && (pass || (size_t)size[i] >= min_size))
				map[k++] = (int)i;
	for (size_t i = 0; i < n; i++) {
		int r = (int)i;
		while (parent_in[r] != r)
			r = parent_in[r];
		root[i] = r;
	}
	for (size_t i = 0; i < n; i++) {
		labels[i] = -1;
		for (int c = 0; c < k; c++)
			if (map[c] == root[i])
				labels[i] = c;
	}
	/* strays start in cluster 0; the first assignment moves them where they belong */
	for (size_t i = 0; i < n; i++)
		if (labels[i] < 0)
			labels[i] = 0;
	for (;;) {
		/* centroids of members of the large clusters only, then everyone reassigned */
		for (int r = 0; r < DIAR_REFINE_ROUNDS; r++) {
			centroids(embs, n, dim, labels, k, cent);
			if (!assign(embs, n, dim, cent, k, labels))
				break;
		}
		k = compact(n, labels, k, map);
		centroids(embs, n, dim, labels, k, cent);
		if (k < 2)
			break;
		/* a cluster still under min_size goes to its nearest neighbour first; then the
		 * closest pair, while the cut rule asks for it */
		int a = -1, b = -1, small = -1;
		size_t small_n = min_size;
		double best = INFINITY;
		for (int c = 0; c < k; c++)
			root[c] = 0;
		for (size_t i = 0; i < n; i++)
			root[labels[i]]++;
		for (int c = 0; c < k; c++)
			if ((size_t)root[c] < small_n)
				small_n = (size_t)root[(small = c)];
		for (int x = 0; x < k; x++)
			for (int y = x + 1; y < k; y++) {
				if (small >= 0 && x != small && y != small)
					continue;
				double dot = 0.0;
				for (int j = 0; j < dim; j++)
					dot += cent[(size_t)x * (size_t)dim + j] * cent[(size_t)y * (size_t)dim + j];
				if (1.0 - dot < best) {
					best = 1.0 - dot;
					a = x;
					b = y;
				}
			}
		if (small < 0 && (n_speakers > 0 ? k <= n_speakers : best > threshold))
			break;
		for (size_t i = 0; i < n; i++)
			if (labels[i] == b)
				labels[i] = a;
		k = compact(n, labels, k, map);
	}
	/* numbered in order of first embedding */
	*n_clusters = compact(n, labels, k, map);
out:
	free(root);
	free(map);
	free(cent);
	return st;
}

static enum tacit_status cluster_all(const float *embs, size_t n, int dim, int n_speakers, float threshold,
				     bool keep_small, int *labels, int *n_clusters)
{
	enum tacit_status st = TACIT_OK;
	float *d = NULL;
	int *size = NULL, *chain = NULL, *parent = NULL;
	bool *active = NULL;
	struct merge *merges = NULL;
	size_t n_merges = 0;

	*n_clusters = 0;
	if (n == 0)
		return TACIT_OK;
	if (n > DIAR_MAX_LOCAL)
		return tacit_fail(TACIT_ERR_UNSUPPORTED,
				  "too much speech to cluster at once (%zu local speakers, at most %d): split the "
				  "recording",
				  n, DIAR_MAX_LOCAL);
	size_t m = n * (n - 1) / 2;
	d = malloc((m ? m : 1) * sizeof(*d));
	size = malloc(n * sizeof(*size));
	chain = malloc(n * sizeof(*chain));
	parent = malloc(n * sizeof(*parent));
	active = malloc(n * sizeof(*active));
	merges = malloc(n * sizeof(*merges));
	if (!d || !size || !chain || !parent || !active || !merges) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory (clustering %zu local speakers)", n);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size[i] = 1;
		active[i] = true;
		for (size_t j = i + 1; j < n; j++) {
			double dot = 0.0;
			for (int k = 0; k < dim; k++)
				dot += (double)embs[i * (size_t)dim + k] * embs[j * (size_t)dim + k];
			d[tri(n, i, j)] = (float)(1.0 - dot);
		}
	}
	/* the nearest-neighbour chain: follow nearest neighbours until two are each
	 * other's, merge them (into slot b; slot a retires), go on from the chain's rest */
	int top = 0;
	while (n_merges + 1 < n) {
		if (top == 0) {
			for (size_t i = 0; i < n; i++)
				if (active[i]) {
					chain[top++] = (int)i;
					break;
				}
		}
		int a = chain[top - 1], prev = top > 1 ? chain[top - 2] : -1, b = -1;
		float best = INFINITY;
		if (prev >= 0) { /* ties go to the previous link, so the chain always ends */
			b = prev;
			best = d[tri(n, (size_t)a, (size_t)prev)];
		}
		for (size_t x = 0; x < n; x++) {
			if (!active[x] || (int)x == a)
				continue;
			float dx = d[tri(n, (size_t)a, x)];
			if (dx < best) {
				best = dx;
				b = (int)x;
			}
		}
		if (b != prev) {
			chain[top++] = b;
			continue;
		}
		top -= 2;
		merges[n_merges++] = (struct merge){ a, b, best };
		for (size_t k = 0; k < n; k++) {
			if (!active[k] || (int)k == a || (int)k == b)
				continue;
			float *kb = &d[tri(n, k, (size_t)b)];
			*kb = (size[a] * d[tri(n, k, (size_t)a)] + size[b] * *kb) / (float)(size[a] + size[b]);
		}
		size[b] += size[a];
		active[a] = false;
	}
	qsort(merges, n_merges, sizeof(*merges), cmp_merge);
	/* slot x always holds point x, so merging the slots' points builds the clusters */
	size_t min_size = n / DIAR_MIN_SHARE > DIAR_MIN_CLUSTER ? n / DIAR_MIN_SHARE : DIAR_MIN_CLUSTER, take;
	if (keep_small || n < DIAR_SMALL_FROM)
		min_size = 1;
	if (n_speakers > 0) {
		/* the cut nearest n - N whose large clusters number N, else n - N itself */
		size_t want = (size_t)n_speakers >= n ? 0 : n - (size_t)n_speakers;
		take = want;
		for (size_t dt = 0; dt <= n; dt++) {
			if (dt <= want && cut(merges, take = want - dt, n, min_size, parent, size) == n_speakers)
				break;
			if (want + dt < n && dt && cut(merges, take = want + dt, n, min_size, parent, size) == n_speakers)
				break;
			take = want;
		}
	} else {
		take = 0;
		while (take < n_merges && merges[take].d <= threshold)
			take++;
	}
	cut(merges, take, n, min_size, parent, size);
	for (size_t i = 0; i < n; i++) /* flattened, so refine() reads each root directly */
		parent[i] = find(parent, (int)i);
	if (keep_small) { /* the caller refines: diar_live.c */
		for (size_t i = 0; i < n; i++)
			labels[i] = parent[i];
		*n_clusters = compact(n, labels, (int)n, chain);
		goto out;
	}
	if ((st = refine(embs, n, dim, n_speakers, threshold, min_size, parent, size, labels, n_clusters)) !=
	    TACIT_OK)
		goto out;
out:
	free(merges);
	free(active);
	free(parent);
	free(chain);
	free(size);
	free(d);
	return st;
}

static int cmp_turn(const void *x, const void *y)
{
	const struct tacit_speaker_turn *a = x, *b = y;
	if (a->start_ms != b->start_ms)
		return a->start_ms < b->start_ms ? -1 : 1;
	if (a->speaker != b->speaker)
		return a->speaker < b->speaker ? -1 : 1;
	return (a->end_ms > b->end_ms) - (a->end_ms < b->end_ms);
}

enum tacit_status diar_lay_out(const struct tacit_speaker_turn *turns, size_t n, int64_t gap_ms,
			       struct tacit_speaker_turn **out, size_t *n_out, int *n_speakers)
{
	struct tacit_speaker_turn *t = NULL;
	int *rename = NULL, max = -1;
	size_t k = 0;

	*out = NULL;
	*n_out = 0;
	*n_speakers = 0;
	if (!n)
		return TACIT_OK;
	for (size_t i = 0; i < n; i++)
		if (turns[i].speaker > max)
			max = turns[i].speaker;
	t = malloc(n * sizeof(*t));
	rename = malloc((size_t)(max + 1) * sizeof(*rename));
	if (!t || !rename) {
		free(t);
		free(rename);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	memcpy(t, turns, n * sizeof(*t));
	qsort(t, n, sizeof(*t), cmp_turn);
	for (int i = 0; i <= max; i++)
		rename[i] = -1;
	/* each turn joins the same speaker's last one when it starts within gap_ms of it */
	for (size_t i = 0; i < n; i++) {
		if (t[i].speaker < 0 || t[i].end_ms <= t[i].start_ms)
			continue;
		if (rename[t[i].speaker] < 0)
			rename[t[i].speaker] = (*n_speakers)++;
		int s = rename[t[i].speaker];
		size_t j = k;
		while (j > 0 && t[j - 1].speaker != s && t[j - 1].end_ms + gap_ms >= t[i].start_ms)
			j--;
		if (j > 0 && t[j - 1].speaker == s && t[j - 1].end_ms + gap_ms >= t[i].start_ms) {
			if (t[i].end_ms > t[j - 1].end_ms)
				t[j - 1].end_ms = t[i].end_ms;
			continue;
		}
		t[k] = t[i];
		t[k++].speaker = s;
	}
	free(rename);
	*out = t;
	*n_out = k;
	return TACIT_OK;
}

/* Embeddings of less speech than this are the noisiest (a test-model embedding of 1.5 s
 * puts a fifth of a 6-speaker meeting's windows in the wrong voice, one of 3 s almost
 * none): they do not shape the clusters, and join their nearest centroid afterwards. */
#define DIAR_SEED_MIN_S 2.0f

static enum tacit_status cluster(const float *embs, const float *weights, size_t n, int dim, int n_speakers,
			       float threshold, bool keep_small, int *labels, int *n_clusters)
{
	size_t n_long = 0;
	for (size_t i = 0; weights && i < n; i++)
		n_long += weights[i] >= DIAR_SEED_MIN_S;
	if (!weights || n_long == n || n_long < DIAR_SMALL_FROM)
		return cluster_all(embs, n, dim, n_speakers, threshold, keep_small, labels, n_clusters);
	enum tacit_status st = TACIT_OK;
	float *packed = malloc(n_long * (size_t)dim * sizeof(*packed));
	int *sub = malloc(n_long * sizeof(*sub)), *map = malloc(n * sizeof(*map));
	double *cent = NULL;
	if (!packed || !sub || !map) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory (clustering %zu local speakers)", n);
		goto out;
	}
	for (size_t i = 0, k = 0; i < n; i++)
		if (weights[i] >= DIAR_SEED_MIN_S)
			memcpy(packed + k++ * (size_t)dim, embs + i * (size_t)dim, (size_t)dim * sizeof(*packed));
	if ((st = cluster_all(packed, n_long, dim, n_speakers, threshold, keep_small, sub, n_clusters)) != TACIT_OK)
		goto out;
	if (!(cent = malloc((size_t)*n_clusters * (size_t)dim * sizeof(*cent)))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	centroids(packed, n_long, dim, sub, *n_clusters, cent);
	for (size_t i = 0, k = 0; i < n; i++)
		labels[i] = weights[i] >= DIAR_SEED_MIN_S ? sub[k++] : 0;
	/* the short ones to their nearest centroid; the long ones stay where they are */
	for (size_t i = 0; i < n; i++)
		if (weights[i] < DIAR_SEED_MIN_S)
			assign(embs + i * (size_t)dim, 1, dim, cent, *n_clusters, labels + i);
	*n_clusters = compact(n, labels, *n_clusters, map);
out:
	free(cent);
	free(map);
	free(sub);
	free(packed);
	return st;
}

enum tacit_status diar_cluster(const float *embs, const float *weights, size_t n, int dim, int n_speakers,
			       float threshold, int *labels, int *n_clusters)
{
	return cluster(embs, weights, n, dim, n_speakers, threshold, false, labels, n_clusters);
}

enum tacit_status diar_cluster_keep_small(const float *embs, const float *weights, size_t n, int dim,
					  float threshold, int *labels, int *n_clusters)
{
	return cluster(embs, weights, n, dim, 0, threshold, true, labels, n_clusters);
}
