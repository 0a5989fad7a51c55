/*
 * test_diar_live.c — the live meeting's incremental speaker clustering without a model:
 * synthetic voices (noisy points around distinct centres) get their labels as segments
 * come, a segment between voices is revised once the voices are clear, two speakers of
 * one voice merge, and the stop's recluster agrees with the truth.
 */
#include "../check.h"

#include "diar_live.h"

#include <math.h>
#include <stdlib.h>

#define DIM 16

static unsigned seed = 7;

/* A point near centre k (a one-hot axis) with noise of the given size. */
static void voice(float *e, int k, double noise)
{
	for (int j = 0; j < DIM; j++) {
		seed = seed * 1103515245u + 12345u;
		double r = ((seed >> 16) & 0x7fff) / 32768.0 - 0.5;
		e[j] = (float)((j == k ? 1.0 : 0.0) + noise * r);
	}
}

/* A point of voice k (k < 15) of a family 0.45 apart (cosine distance): a shared
 * direction (axis 15) and one of each voice's own. */
static void near_voice(float *e, int k)
{
	voice(e, k, 0.1);
	e[15] += 1.0f;
	e[k] *= 0.9045f;
}

TEST(diar_live_labels_three_voices_as_they_come)
{
	struct diar_live *d = diar_live_new(DIM, 0.0f);
	float e[DIM];
	int truth[60];
	size_t n;
	CHECK(d != NULL);
	for (int i = 0; i < 60; i++) {
		truth[i] = (i / 4) % 3; /* turns of four segments */
		voice(e, truth[i], 0.3);
		CHECK(diar_live_add(d, i + 1, e, 3.0f) == TACIT_OK);
		const struct diar_live_change *c = diar_live_changes(d, &n);
		CHECK(n >= 1 && c[0].segment_no == i + 1 && c[0].from == -1 && c[0].to >= 0);
	}
	/* speakers numbered in order of first voice: 0, 1, 2 */
	for (int i = 0; i < 60; i++)
		CHECK(diar_live_speaker(d, i + 1) == truth[i]);
	CHECK(diar_live_speakers(d) == 3);
	CHECK(diar_live_recluster(d) == TACIT_OK);
	diar_live_changes(d, &n);
	CHECK(n == 0); /* nothing to revise */
	CHECK(diar_live_speakers(d) == 3);
	CHECK(diar_live_speaker(d, 99) == -1);
	diar_live_free(d);
}

TEST(diar_live_revises_and_merges)
{
	struct diar_live *d = diar_live_new(DIM, 0.5f);
	float e[DIM] = { 0 };
	size_t n;
	CHECK(d != NULL);
	/* a first voice, then a segment between it and the second: it joins the first
	 * (cosine distance 0.36) */
	e[0] = 1.0f;
	CHECK(diar_live_add(d, 1, e, 3.0f) == TACIT_OK);
	e[1] = 1.2f;
	CHECK(diar_live_add(d, 2, e, 3.0f) == TACIT_OK);
	CHECK(diar_live_speaker(d, 2) == 0);
	/* the second voice, clear, many times: segment 2 is nearer it now and moves */
	bool revised = false;
	for (int i = 3; i < 10; i++) {
		float f[DIM] = { 0 };
		f[1] = 1.0f; /* 0.58 from the first speaker: a new one */
		CHECK(diar_live_add(d, i, f, 3.0f) == TACIT_OK);
		const struct diar_live_change *c = diar_live_changes(d, &n);
		for (size_t k = 0; k < n; k++)
			if (c[k].segment_no == 2 && c[k].from == 0)
				revised = true;
	}
	CHECK(revised);
	CHECK(diar_live_speaker(d, 2) != 0);
	CHECK(diar_live_speaker(d, 1) == 0);
	/* zero vectors are refused, not labelled */
	float z[DIM] = { 0 };
	CHECK(diar_live_add(d, 20, z, 3.0f) == TACIT_ERR_USAGE);
	diar_live_free(d);

	/* two speakers opened for one voice (its first two segments far apart) become one
	 * once its centroid settles between them */
	d = diar_live_new(DIM, 0.3f);
	CHECK(d != NULL);
	float a[DIM] = { 0 }, b[DIM] = { 0 }, m[DIM] = { 0 };
	a[0] = 1.0f, a[1] = 0.8f;
	b[0] = 1.0f, b[2] = 0.8f;
	m[0] = 1.0f;
	CHECK(diar_live_add(d, 1, a, 3.0f) == TACIT_OK);
	CHECK(diar_live_add(d, 2, b, 3.0f) == TACIT_OK);
	CHECK(diar_live_speaker(d, 1) != diar_live_speaker(d, 2));
	for (int i = 3; i < 12; i++)
		CHECK(diar_live_add(d, i, m, 3.0f) == TACIT_OK);
	CHECK(diar_live_speaker(d, 1) == diar_live_speaker(d, 2));
	CHECK(diar_live_speaker(d, 11) == diar_live_speaker(d, 1));
	diar_live_free(d);
}

TEST(diar_live_recluster_renumbers_the_meeting)
{
	struct diar_live *d = diar_live_new(DIM, 0.0f);
	float e[DIM];
	size_t n;
	CHECK(d != NULL);
	/* noisy enough that online assignment makes mistakes the recluster may fix; the
	 * recluster's labels follow the order of first segment */
	for (int i = 0; i < 40; i++) {
		voice(e, (i / 5) % 2 ? 3 : 7, 0.5);
		CHECK(diar_live_add(d, i + 1, e, 3.0f) == TACIT_OK);
	}
	CHECK(diar_live_recluster(d) == TACIT_OK);
	const struct diar_live_change *c = diar_live_changes(d, &n);
	for (size_t k = 0; k < n; k++)
		CHECK(c[k].from != c[k].to && c[k].to == diar_live_speaker(d, c[k].segment_no));
	CHECK(diar_live_speaker(d, 1) == 0);
	for (int i = 0; i < 40; i++)
		CHECK(diar_live_speaker(d, i + 1) == ((i / 5) % 2 ? 1 : 0));
	diar_live_free(d);
}

TEST(diar_live_weak_segment_waits_for_its_voice)
{
	struct diar_live *d = diar_live_new(DIM, 0.0f);
	float e[DIM];
	size_t n;
	bool revised = false;
	CHECK(d != NULL);
	for (int i = 1; i <= 3; i++) {
		voice(e, 2, 0.2);
		CHECK(diar_live_add(d, i, e, 3.0f) == TACIT_OK);
	}
	/* a short segment of a second voice: no speaker of its own yet */
	voice(e, 5, 0.2);
	CHECK(diar_live_add(d, 4, e, 1.0f) == TACIT_OK);
	CHECK(diar_live_speaker(d, 4) == 0);
	for (int i = 5; i <= 8; i++) {
		voice(e, 5, 0.2);
		CHECK(diar_live_add(d, i, e, 3.0f) == TACIT_OK);
		const struct diar_live_change *c = diar_live_changes(d, &n);
		for (size_t k = 0; k < n; k++)
			revised |= c[k].segment_no == 4 && c[k].from == 0 && c[k].to == 1;
	}
	CHECK(revised);
	CHECK(diar_live_speaker(d, 4) == 1);
	CHECK(diar_live_recluster(d) == TACIT_OK);
	CHECK(diar_live_speaker(d, 4) == 1 && diar_live_speaker(d, 1) == 0 && diar_live_speaker(d, 8) == 1);
	diar_live_free(d);
}

/* The stop's recluster keeps apart voices nearer each other than the live threshold
 * (the recluster once merged them all at that threshold: 6 voices became 1 on a
 * simulated meeting), keeps a voice heard once at length, and joins the two short
 * segments of one voice that differ more than the stricter distance. */
TEST(diar_live_recluster_keeps_near_voices_apart)
{
	struct diar_live *d = diar_live_new(DIM, 0.0f);
	float e[DIM];
	int64_t no = 0;
	CHECK(d != NULL);
	/* four voices at a cosine distance of 0.45 from each other */
	for (int turn = 0; turn < 40; turn++) {
		int k = turn % 4;
		near_voice(e, k);
		CHECK(diar_live_add(d, ++no, e, 4.0f) == TACIT_OK);
	}
	/* a fifth voice, once, for 12 s */
	voice(e, 8, 0.1);
	CHECK(diar_live_add(d, ++no, e, 12.0f) == TACIT_OK);
	/* a sixth in two segments of 2 s, 0.4 apart */
	voice(e, 11, 0.0);
	e[12] = 0.5f;
	CHECK(diar_live_add(d, ++no, e, 2.0f) == TACIT_OK);
	e[12] = -0.5f;
	CHECK(diar_live_add(d, ++no, e, 2.0f) == TACIT_OK);
	CHECK(diar_live_recluster(d) == TACIT_OK);
	CHECK(diar_live_speakers(d) == 6);
	for (int i = 1; i <= 40; i++)
		CHECK(diar_live_speaker(d, i) == (i - 1) % 4);
	CHECK(diar_live_speaker(d, 41) == 4);
	CHECK(diar_live_speaker(d, 42) == 5 && diar_live_speaker(d, 43) == 5);
	diar_live_free(d);
}

/* A settle during the meeting splits two voices the live labels had merged: the voice
 * with more speech keeps the number shown, the other gets a new one, and only the moved
 * segments are revised. */
TEST(diar_live_settle_keeps_the_numbers_shown)
{
	struct diar_live *d = diar_live_new(DIM, 0.0f);
	float e[DIM];
	size_t n;
	CHECK(d != NULL);
	/* voices 0.45 apart: under the live threshold, so the second joins the first */
	for (int i = 1; i <= 10; i++) {
		int k = i <= 6 ? 0 : 1;
		near_voice(e, k);
		CHECK(diar_live_add(d, i, e, 4.0f) == TACIT_OK);
	}
	CHECK(diar_live_speakers(d) == 1 && diar_live_speaker(d, 9) == 0);
	CHECK(diar_live_settle(d) == TACIT_OK);
	const struct diar_live_change *c = diar_live_changes(d, &n);
	CHECK(n == 4);
	for (size_t k = 0; k < n; k++)
		CHECK(c[k].segment_no >= 7 && c[k].from == 0 && c[k].to == 1);
	for (int i = 1; i <= 10; i++)
		CHECK(diar_live_speaker(d, i) == (i <= 6 ? 0 : 1));
	/* a third voice, far from both, opens the next number; a second settle moves nothing */
	for (int i = 11; i <= 13; i++) {
		voice(e, 9, 0.1);
		CHECK(diar_live_add(d, i, e, 4.0f) == TACIT_OK);
		CHECK(diar_live_speaker(d, i) == 2);
	}
	CHECK(diar_live_settle(d) == TACIT_OK);
	diar_live_changes(d, &n);
	CHECK(n == 0 && diar_live_speakers(d) == 3);
	diar_live_free(d);
}
