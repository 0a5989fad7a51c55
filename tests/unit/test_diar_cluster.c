/*
 * test_diar_cluster.c — clustering and laying out speaker turns without any model:
 * synthetic embeddings around known centres, exact and automatic speaker counts, stray
 * embeddings joined to a real speaker, short windows kept from shaping the clusters, a
 * voice split by average linkage joined again by its centroids, the layout's merging
 * and renumbering, the transcript's "who talks most" rule, and a file's decoding coming before any model (tacit_diarize_file()).
 */
#include "../check.h"

#include "diar_cluster.h"

#include <math.h>
#include <stdlib.h>

#define DIM 16

/* n embeddings: point i belongs to centre truth[i] of k, plus noise of the given size. */
static float *make(size_t n, int k, double noise, int *truth, unsigned seed)
{
	float *e = malloc(n * DIM * sizeof(float));
	for (size_t i = 0; i < n; i++) {
		truth[i] = (int)(i % (size_t)k);
		double norm = 0.0;
		for (int j = 0; j < DIM; j++) {
			seed = seed * 1103515245u + 12345u;
			double r = ((seed >> 16) & 0x7fff) / 32768.0 - 0.5;
			double v = (j == truth[i] ? 1.0 : 0.0) + noise * r;
			e[i * DIM + j] = (float)v;
			norm += v * v;
		}
		for (int j = 0; j < DIM; j++)
			e[i * DIM + j] /= (float)sqrt(norm);
	}
	return e;
}

/* Whether labels split the points exactly as truth does (up to renaming). */
static bool same_partition(const int *a, const int *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if ((a[i] == a[j]) != (b[i] == b[j]))
				return false;
	return true;
}

TEST(diar_cluster_counts)
{
	int truth[60], labels[60], k = 0;
	float *e = make(60, 4, 0.3, truth, 1);
	CHECK(diar_cluster(e, NULL, 60, DIM, 0, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 4);
	CHECK(same_partition(labels, truth, 60));
	CHECK(diar_cluster(e, NULL, 60, DIM, 4, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 4);
	CHECK(same_partition(labels, truth, 60));
	/* asked for fewer: the closest voices share a label, nothing is lost */
	CHECK(diar_cluster(e, NULL, 60, DIM, 2, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 2);
	/* numbered in order of first appearance */
	CHECK_EQ_INT(labels[0], 0);
	free(e);

	/* one voice stays one speaker; an empty input has none */
	e = make(30, 1, 0.3, truth, 2);
	CHECK(diar_cluster(e, NULL, 30, DIM, 0, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 1);
	free(e);
	CHECK(diar_cluster(NULL, NULL, 0, DIM, 0, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 0);
	/* a single embedding */
	e = make(1, 1, 0.0, truth, 3);
	CHECK(diar_cluster(e, NULL, 1, DIM, 3, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 1);
	CHECK_EQ_INT(labels[0], 0);
	free(e);
}

TEST(diar_cluster_stray_joins_a_speaker)
{
	/* 3 voices of 20 and one stray embedding far from all: with --speakers 3 the stray
	 * must not take a speaker's place (two real voices merged) */
	int truth[61], labels[61], k = 0;
	float *e = make(61, 3, 0.2, truth, 4);
	for (int j = 0; j < DIM; j++)
		e[60 * DIM + j] = j == 10 ? 1.0f : 0.0f;
	CHECK(diar_cluster(e, NULL, 61, DIM, 3, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 3);
	CHECK(same_partition(labels, truth, 60));
	CHECK(diar_cluster(e, NULL, 61, DIM, 0, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 3);
	CHECK(same_partition(labels, truth, 60));
	free(e);
}

/* Embeddings of under 2 s of speech do not shape the clusters: ten short windows of one
 * odd sound (5 % of the windows, so a speaker of their own when they count) join the
 * voice they are nearest to; the same ten as long as the others stand as a third
 * speaker, as they do without weights. */
TEST(diar_cluster_short_windows_join_a_voice)
{
	enum { N = 210 };
	int truth[N], labels[N], k = 0;
	float w[N];
	float *e = make(N, 2, 0.2, truth, 6);
	for (int i = 200; i < N; i++) {
		double norm = 0.0;
		for (int j = 0; j < DIM; j++) {
			double v = (j == 10 ? 1.0 : j == 0 ? 0.3 : 0.0) + 0.01 * (i - 205) * (j == 11);
			e[i * DIM + j] = (float)v;
			norm += v * v;
		}
		for (int j = 0; j < DIM; j++)
			e[i * DIM + j] /= (float)sqrt(norm);
	}
	for (int i = 0; i < N; i++)
		w[i] = 3.0f;
	CHECK(diar_cluster(e, NULL, N, DIM, 0, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 3);
	CHECK(diar_cluster(e, w, N, DIM, 0, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 3);
	for (int i = 200; i < N; i++)
		w[i] = 1.4f;
	CHECK(diar_cluster(e, w, N, DIM, 0, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 2);
	CHECK(same_partition(labels, truth, 200));
	for (int i = 200; i < N; i++) /* with the voice they are nearest to */
		CHECK_EQ_INT(labels[i], labels[0]);
	/* numbered in order of first embedding, short ones included */
	w[0] = 1.4f;
	CHECK(diar_cluster(e, w, N, DIM, 0, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 2);
	CHECK_EQ_INT(labels[0], 0);
	CHECK_EQ_INT(labels[1], 1);
	/* too few long ones to cluster on (under 20): all of them are clustered */
	for (int i = 0; i < N; i++)
		w[i] = i < 10 ? 3.0f : 1.0f;
	CHECK(diar_cluster(e, w, N, DIM, 0, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 3);
	free(e);
}

TEST(diar_cluster_many_speakers)
{
	/* 16 voices (as many as the dimensions), 10 embeddings each */
	int truth[160], labels[160], k = 0;
	float *e = make(160, 16, 0.2, truth, 5);
	CHECK(diar_cluster(e, NULL, 160, DIM, 0, 0.5f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 16);
	CHECK(same_partition(labels, truth, 160));
	free(e);
}

/* Two voices, each a ring of embeddings 30 degrees around its own axis: average
 * linkage at 0.3 splits a ring into arcs (opposite halves average 0.35 apart), whose
 * centroids are only about 0.24 apart, so the second pass must join them. */
TEST(diar_cluster_centroids_join_a_split_voice)
{
	enum { N = 80 };
	float e[N * 4];
	int truth[N], labels[N], k = 0;
	double th = M_PI / 6.0;
	for (int i = 0; i < N; i++) {
		double phi = 2.0 * M_PI * (i / 2) / (N / 2);
		truth[i] = i % 2;
		e[i * 4 + 0] = (float)(truth[i] ? 0.0 : cos(th));
		e[i * 4 + 1] = (float)(sin(th) * cos(phi));
		e[i * 4 + 2] = (float)(sin(th) * sin(phi));
		e[i * 4 + 3] = (float)(truth[i] ? cos(th) : 0.0);
	}
	CHECK(diar_cluster(e, NULL, N, 4, 0, 0.3f, labels, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 2);
	CHECK(same_partition(labels, truth, N));
}

TEST(diar_lay_out_merges_and_renumbers)
{
	struct tacit_speaker_turn in[] = {
		{ 5000, 6000, 7 }, { 0, 1000, 3 }, { 1200, 2000, 3 }, { 2000, 3000, 7 }, { 9000, 9000, 3 },
		{ 4000, 4500, 3 },
	};
	struct tacit_speaker_turn *out = NULL;
	size_t n = 0;
	int k = 0;
	CHECK(diar_lay_out(in, 6, 500, &out, &n, &k) == TACIT_OK);
	CHECK_EQ_INT(k, 2);
	CHECK_EQ_INT(n, 4); /* 0-2000 (3), 2000-3000 (7), 4000-4500 (3), 5000-6000 (7) */
	CHECK_EQ_INT(out[0].start_ms, 0);
	CHECK_EQ_INT(out[0].end_ms, 2000);
	CHECK_EQ_INT(out[0].speaker, 0);
	CHECK_EQ_INT(out[1].speaker, 1);
	CHECK_EQ_INT(out[2].speaker, 0);
	CHECK_EQ_INT(out[3].start_ms, 5000);
	free(out);
	CHECK(diar_lay_out(NULL, 0, 500, &out, &n, &k) == TACIT_OK);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(k, 0);
}

TEST(diar_speaker_at_most_talk)
{
	struct tacit_speaker_turn t[] = { { 0, 3000, 0 }, { 2500, 6000, 1 }, { 7000, 8000, 0 } };
	struct tacit_diarization d = { t, 3, 2, true, NULL, 0 };
	CHECK_EQ_INT(tacit_diarization_speaker_at(&d, 0, 2000), 0);
	CHECK_EQ_INT(tacit_diarization_speaker_at(&d, 2000, 6000), 1); /* 1000 ms vs 3500 ms */
	CHECK_EQ_INT(tacit_diarization_speaker_at(&d, 6000, 7000), -1);
	CHECK_EQ_INT(tacit_diarization_speaker_at(&d, 6500, 9000), 0);
	CHECK_EQ_INT(tacit_diarization_speaker_at(&d, 5000, 5000), -1);
	CHECK_EQ_INT(tacit_diarization_speaker_at(NULL, 0, 1000), -1);
}

TEST(diar_speaker_names)
{
	CHECK_STR(tacit_speaker_name(TACIT_SPEAKER_DIARIZED), "Speaker 1");
	CHECK_STR(tacit_speaker_name(TACIT_SPEAKER_DIARIZED + 9), "Speaker 10");
	CHECK_STR(tacit_speaker_name(TACIT_SPEAKER_DIARIZED + 58), "Speaker 59");
	CHECK_STR(tacit_speaker_name(TACIT_SPEAKER_DIARIZED + 63), "Speaker 64");
	for (int k = 0; k < 64; k++) {
		char want[16];
		snprintf(want, sizeof(want), "Speaker %d", k + 1);
		CHECK_STR(tacit_speaker_name(TACIT_SPEAKER_DIARIZED + k), want);
	}
	CHECK_STR(tacit_speaker_name(TACIT_SPEAKER_DIARIZED + 64), "");
	CHECK_STR(tacit_speaker_name(TACIT_SPEAKER_THEM), "Them");
}

/* tacit_diarize_file() decodes first and starts the worker only with the first audio:
 * a file that cannot be decoded is refused in its own words before any model is
 * looked at (these params could not load one: no VAD model, no segmentation model),
 * and an error of the run started from the decoder's sink comes back whole. */
TEST(diar_file_decodes_before_any_model)
{
	const char *dir = test_tmpdir();
	static uint8_t b[44 + 2 * 16000];
	struct tacit_diar_params p = tacit_diar_default_params();
	struct tacit_diarization d;
	char path[4096];

	p.embedding_model = "no-such-embedding.onnx";
	snprintf(path, sizeof(path), "%s/absent.wav", dir);
	CHECK_EQ_INT(tacit_diarize_file(&p, path, &d), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "absent.wav") != NULL);
	CHECK(d.turns == NULL && d.n_turns == 0);

	snprintf(path, sizeof(path), "%s", test_write_file(dir, "noise.wav", "not a recording at all, just text", 33));
	CHECK_EQ_INT(tacit_diarize_file(&p, path, &d), TACIT_ERR_FORMAT);
	CHECK(strstr(tacit_errmsg(), "noise.wav") != NULL);

	/* one second of audio: the run opens on it and refuses the params */
	snprintf(path, sizeof(path), "%s", test_write_file(dir, "one.wav", b, test_wav_bytes(b, 1, 1, 16000, 2 * 16000)));
	CHECK_EQ_INT(tacit_diarize_file(&p, path, &d), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "VAD model") != NULL);
	CHECK(d.turns == NULL && d.n_speakers == 0);

	/* no audio frames at all: the params are still checked */
	snprintf(path, sizeof(path), "%s", test_write_file(dir, "none.wav", b, test_wav_bytes(b, 1, 1, 16000, 0)));
	CHECK_EQ_INT(tacit_diarize_file(&p, path, &d), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "VAD model") != NULL);

	CHECK_EQ_INT(tacit_diarize_file(&p, path, NULL), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_diarize_file(&p, NULL, &d), TACIT_ERR_USAGE);
}
