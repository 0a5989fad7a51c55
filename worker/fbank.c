/*
 * fbank.c — Kaldi's filterbank features (see fbank.h for the definition kept). The mel
 * weights, the window and the twiddles are computed once per process; the FFT is an
 * in-place radix-2 transform of the 512 real samples. Everything is double inside, so the result
 * matches a reference implementation to float precision; tests/unit/test_fbank.c checks
 * it against one written independently in numpy.
 */
#include "fbank.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#define FFT_N 512
#define N_SPEC (FFT_N / 2)

size_t fbank_n_frames(size_t n)
{
	return n < FBANK_FRAME ? 0 : 1 + (n - FBANK_FRAME) / FBANK_SHIFT;
}

static double mel(double hz)
{
	return 1127.0 * log(1.0 + hz / 700.0);
}

/* The same for every call, computed once: each mel bin's triangular weights over the
 * spectrum's first N_SPEC points (Kaldi leaves out the Nyquist point), kept with the
 * range of points where they are not zero; the window; the FFT's twiddle factors. */
static double banks[FBANK_BINS][N_SPEC];
static int bank_lo[FBANK_BINS], bank_hi[FBANK_BINS];
static double window[FBANK_FRAME];
static double tw_re[FFT_N / 2], tw_im[FFT_N / 2];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void tables(void)
{
	double lo = mel(20.0), hi = mel(8000.0), step = (hi - lo) / (FBANK_BINS + 1);
	for (int b = 0; b < FBANK_BINS; b++) {
		double left = lo + b * step, center = left + step, right = center + step;
		bank_lo[b] = N_SPEC;
		bank_hi[b] = 0;
		for (int k = 0; k < N_SPEC; k++) {
			double m = mel(16000.0 * k / FFT_N);
			banks[b][k] = 0.0;
			if (m > left && m < right) {
				banks[b][k] = m <= center ? (m - left) / (center - left) : (right - m) / (right - center);
				if (k < bank_lo[b])
					bank_lo[b] = k;
				bank_hi[b] = k + 1;
			}
		}
	}
	for (int i = 0; i < FBANK_FRAME; i++)
		window[i] = pow(0.5 - 0.5 * cos(2.0 * M_PI * i / (FBANK_FRAME - 1)), 0.85);
	for (int k = 0; k < FFT_N / 2; k++) {
		tw_re[k] = cos(-2.0 * M_PI * k / FFT_N);
		tw_im[k] = sin(-2.0 * M_PI * k / FFT_N);
	}
}

/* In-place complex FFT of FFT_N points (iterative radix-2). */
static void fft(double *re, double *im)
{
	for (int i = 1, j = 0; i < FFT_N; i++) {
		int bit = FFT_N >> 1;
		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			double t = re[i];
			re[i] = re[j];
			re[j] = t;
			t = im[i];
			im[i] = im[j];
			im[j] = t;
		}
	}
	for (int len = 2; len <= FFT_N; len <<= 1) {
		int stride = FFT_N / len;
		for (int i = 0; i < FFT_N; i += len) {
			for (int k = 0; k < len / 2; k++) {
				double wr = tw_re[k * stride], wi = tw_im[k * stride];
				double *ar = &re[i + k], *ai = &im[i + k], *br = &re[i + k + len / 2],
				       *bi = &im[i + k + len / 2];
				double tr = *br * wr - *bi * wi, ti = *br * wi + *bi * wr;
				*br = *ar - tr;
				*bi = *ai - ti;
				*ar += tr;
				*ai += ti;
			}
		}
	}
}

void fbank_compute(const float *pcm, size_t n, bool cmn, float *out)
{
	double re[FFT_N], im[FFT_N];
	size_t n_frames = fbank_n_frames(n);

	pthread_once(&once, tables);
	for (size_t f = 0; f < n_frames; f++) {
		const float *x = pcm + f * FBANK_SHIFT;
		double mean = 0.0;
		for (int i = 0; i < FBANK_FRAME; i++) {
			re[i] = x[i] * 32768.0;
			mean += re[i];
		}
		mean /= FBANK_FRAME;
		for (int i = 0; i < FBANK_FRAME; i++)
			re[i] -= mean;
		for (int i = FBANK_FRAME - 1; i > 0; i--)
			re[i] -= 0.97 * re[i - 1];
		re[0] -= 0.97 * re[0];
		for (int i = 0; i < FBANK_FRAME; i++)
			re[i] *= window[i];
		memset(re + FBANK_FRAME, 0, sizeof(re) - FBANK_FRAME * sizeof(*re));
		memset(im, 0, sizeof(im));
		fft(re, im);
		for (int k = 0; k < N_SPEC; k++)
			re[k] = re[k] * re[k] + im[k] * im[k];
		for (int b = 0; b < FBANK_BINS; b++) {
			double e = 0.0;
			for (int k = bank_lo[b]; k < bank_hi[b]; k++)
				e += banks[b][k] * re[k];
			out[f * FBANK_BINS + b] = (float)log(e > FLT_EPSILON ? e : FLT_EPSILON);
		}
	}
	if (!cmn || !n_frames)
		return;
	for (int b = 0; b < FBANK_BINS; b++) {
		double mean = 0.0;
		for (size_t f = 0; f < n_frames; f++)
			mean += out[f * FBANK_BINS + b];
		mean /= (double)n_frames;
		for (size_t f = 0; f < n_frames; f++)
			out[f * FBANK_BINS + b] -= (float)mean;
	}
}
