/*
 * diar_cluster.h — the model-free half of diarization (diar_cluster.c): links local
 * speakers into global ones by their embeddings, lays the result back on the timeline,
 * and answers "who talks most between a and b" for the transcript.
 */
#ifndef TACIT_DIAR_CLUSTER_H
#define TACIT_DIAR_CLUSTER_H

#include "internal.h"

/* Above this many local speakers the distance matrix (n² / 2 floats) is refused. */
#define DIAR_MAX_LOCAL 12000

/* Agglomerative clustering of n L2-normalised embeddings (dim floats each) with cosine
 * distance and average linkage. weights: each embedding's seconds of speech, or NULL;
 * with them, embeddings of under 2 s (the noisiest) do not shape the clusters and join
 * their nearest centroid afterwards (unless fewer than 20 are longer). n_speakers > 0:
 * exactly that many clusters (fewer when n is smaller); 0: merge while the closest
 * clusters are nearer than threshold. labels[i] gets embedding i's cluster, numbered
 * from 0 in order of first embedding; *n_clusters their count. Errors:
 * TACIT_ERR_NOMEM, TACIT_ERR_UNSUPPORTED (n above DIAR_MAX_LOCAL). */
enum tacit_status diar_cluster(const float *embs, const float *weights, size_t n, int dim, int n_speakers,
			       float threshold, int *labels, int *n_clusters);

/* As diar_cluster() with n_speakers 0, but a cluster of few members stands, and the
 * dendrogram's cut is the answer, without the refinement (whose merge-and-reassign
 * loop costs O(n × k × dim) a merge: 26 s for 700 whole-segment embeddings none within
 * the threshold of another). For embeddings of whole utterances (diar_live.c, which
 * refines in O(k²) a merge), where one long utterance can be a speaker's only one and
 * the caller judges small clusters by their speech. */
enum tacit_status diar_cluster_keep_small(const float *embs, const float *weights, size_t n, int dim,
					  float threshold, int *labels, int *n_clusters);

/* Turns of local speakers (start, end, group) labelled with their group's cluster:
 * sorted by start, the same speaker's turns merged across gaps under gap_ms, speakers
 * renumbered 0.. in order of first speech. *out: malloc'd, *n_out turns, *n_speakers. */
enum tacit_status diar_lay_out(const struct tacit_speaker_turn *turns, size_t n, int64_t gap_ms,
			       struct tacit_speaker_turn **out, size_t *n_out, int *n_speakers);

#endif
