/*
 * diar_live.h — incremental speaker clustering for a live meeting (diar_live.c), model
 * free: each final segment's embedding joins the nearest speaker or opens a new one at
 * once; later segments may move earlier ones (labels revised, never text), and the stop
 * reclusters the whole meeting with the offline clusterer (diar_cluster.c).
 */
#ifndef TACIT_DIAR_LIVE_H
#define TACIT_DIAR_LIVE_H

#include "internal.h"

struct diar_live;

/* A segment whose speaker changed: from -1 when it had none yet. */
struct diar_live_change {
	int64_t segment_no;
	int from, to;
};

/* threshold: the cosine distance to a speaker's centroid above which a segment opens a
 * new speaker (TACIT_DIAR_LIVE_THRESHOLD when not above 0). NULL when out of memory. */
struct diar_live *diar_live_new(int dim, float threshold);
void diar_live_free(struct diar_live *d);
int diar_live_dim(const struct diar_live *d);
/* How many speakers have a segment now. */
int diar_live_speakers(const struct diar_live *d);

/* Adds segment segment_no with its embedding (dim floats, any length) and its seconds
 * of speech: it gets the nearest speaker or a new one; a weak one (under 1.5 s: one
 * short window, too little to trust) never opens a speaker while one exists, it joins
 * the nearest and moves when its own voice shows up. Then earlier segments now nearer
 * another speaker move, and, until the first diar_live_settle(), speakers whose
 * centroids came closer than half the threshold merge. The changes
 * (the new segment's first, from -1) are in diar_live_changes() until the next call.
 * Errors: TACIT_ERR_NOMEM, TACIT_ERR_USAGE (a zero vector). */
enum tacit_status diar_live_add(struct diar_live *d, int64_t segment_no, const float *emb, float seconds);

/* The whole meeting once more with diar_cluster_keep_small() (average linkage) over
 * the segments that are not weak, stopping at 0.45 of the threshold; then a speaker of
 * little speech (under 8 s) joins the nearest other one within the threshold, as it
 * would not have opened a speaker live; weak segments join the nearest speaker. Speakers are
 * numbered in order of first segment. The changes as for diar_live_add(). */
enum tacit_status diar_live_recluster(struct diar_live *d);

/* The meeting so far clustered again as diar_live_recluster() does, but each voice
 * keeps the number it was shown under (the old speaker it shares the most speech with)
 * and a new voice gets a number never used, so a label shown never comes to mean another
 * voice. From then on diar_live_add() no longer merges speakers (the next settle
 * decides). O(segments² × dim): call it every few segments. Changes as for
 * diar_live_add(). */
enum tacit_status diar_live_settle(struct diar_live *d);

/* The last call's changes: owned by d, valid until its next call. */
const struct diar_live_change *diar_live_changes(const struct diar_live *d, size_t *n);
/* The current speaker of segment_no, -1 when it has none (never added). */
int diar_live_speaker(const struct diar_live *d, int64_t segment_no);

#endif
