/*
 * test_fbank.c — worker/fbank.c against tests/tools/kaldi_fbank.py, an independent numpy
 * implementation of Kaldi's fbank (a peer shipped speakers that all collapsed into one
 * because its features differed from the embedding model's): on a synthetic signal and
 * on real speech, with and without mean normalisation, within 2e-3 in the log domain.
 */
#include "../check.h"

#include "fbank.h"

#include <math.h>
#include <stdlib.h>
#include <tacit.h>

/* Largest |ours - numpy's| over all values, or -1 when the reference could not run. */
static double compare(const float *pcm, size_t n, bool cmn)
{
	const char *dir = test_tmpdir();
	char in[4200], out[4200], cmd[9000];
	size_t nf = fbank_n_frames(n), got;
	double worst = -1.0;
	float *ours = malloc((nf ? nf : 1) * FBANK_BINS * sizeof(float));
	float *ref = malloc((nf ? nf : 1) * FBANK_BINS * sizeof(float) + 64);
	FILE *f;

	snprintf(in, sizeof(in), "%s/pcm.f32", dir);
	snprintf(out, sizeof(out), "%s/ref.f32", dir);
	if (!ours || !ref || !(f = fopen(in, "wb")))
		goto out;
	fwrite(pcm, sizeof(float), n, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/kaldi_fbank.py '%s' '%s' %d 2>&1", in, out, cmn ? 1 : 0);
	if (system(cmd) != 0 || !(f = fopen(out, "rb")))
		goto out;
	got = fread(ref, sizeof(float), nf * FBANK_BINS + 16, f);
	fclose(f);
	if (got != nf * FBANK_BINS) {
		worst = 1e9;
		goto out;
	}
	fbank_compute(pcm, n, cmn, ours);
	worst = 0.0;
	for (size_t i = 0; i < nf * FBANK_BINS; i++)
		if (fabs((double)ours[i] - ref[i]) > worst)
			worst = fabs((double)ours[i] - ref[i]);
out:
	free(ours);
	free(ref);
	return worst;
}

TEST(fbank_frames)
{
	CHECK_EQ_INT(fbank_n_frames(0), 0);
	CHECK_EQ_INT(fbank_n_frames(399), 0);
	CHECK_EQ_INT(fbank_n_frames(400), 1);
	CHECK_EQ_INT(fbank_n_frames(559), 1);
	CHECK_EQ_INT(fbank_n_frames(560), 2);
	CHECK_EQ_INT(fbank_n_frames(16000), 98);
}

TEST(fbank_matches_numpy_reference)
{
	if (system("python3 -c 'import numpy' >/dev/null 2>&1") != 0)
		SKIP("python3 with numpy is not installed");
	size_t n = 16000 + 123;
	float *pcm = malloc(n * sizeof(float));
	unsigned seed = 7;
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		double noise = ((seed >> 16) & 0x7fff) / 32768.0 - 0.5;
		pcm[i] = (float)(0.3 * sin(2 * M_PI * 220.0 * (double)i / 16000) +
				 0.1 * sin(2 * M_PI * 3100.0 * (double)i / 16000) + 0.05 * noise);
	}
	for (size_t i = 4000; i < 4800; i++)
		pcm[i] = 0.0f; /* digital silence: the log floor */
	double d = compare(pcm, n, false);
	CHECK(d >= 0 && d < 2e-3);
	d = compare(pcm, n, true);
	CHECK(d >= 0 && d < 2e-3);
	free(pcm);

	const char *shared = test_shared_dir();
	if (!shared)
		return;
	char path[4096];
	struct tacit_audio a = { 0 };
	snprintf(path, sizeof(path), "%s/audio/diarization/ami/trn00.wav", shared);
	if (tacit_audio_load(path, NULL, &a) != TACIT_OK)
		return;
	d = compare(a.samples, a.n_frames < 80000 ? a.n_frames : 80000, true);
	if (d < 0 || d >= 2e-3)
		fprintf(stderr, "  fbank on real speech: largest difference %g\n", d);
	CHECK(d >= 0 && d < 2e-3);
	tacit_audio_release(&a);
}
