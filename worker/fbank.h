/*
 * fbank.h — Kaldi-style log-mel filterbank (worker/fbank.c), the input features speaker
 * embedding models were trained on (Kaldi's compute-fbank, torchaudio's kaldi.fbank,
 * kaldi-native-fbank): 25 ms frames every 10 ms at 16 kHz, no edge padding, DC removed,
 * pre-emphasis 0.97, Povey window, 512-point power spectrum, 80 triangular mel bins
 * from 20 Hz to 8 kHz, natural log floored at FLT_EPSILON, no dither.
 */
#ifndef TACIT_WORKER_FBANK_H
#define TACIT_WORKER_FBANK_H

#include <stdbool.h>
#include <stddef.h>

#define FBANK_BINS 80
#define FBANK_FRAME 400 /* samples: 25 ms */
#define FBANK_SHIFT 160 /* samples: 10 ms */

/* Frames from n samples (Kaldi's snip_edges: only whole frames): 0 below 400 samples. */
size_t fbank_n_frames(size_t n);

/* Writes fbank_n_frames(n) * FBANK_BINS values to out, frame after frame. pcm is 16 kHz
 * mono in [-1, 1]; it is scaled to 16-bit range first, as Kaldi and WeSpeaker read
 * audio. With cmn, each bin's mean over the frames is subtracted (the normalisation
 * WeSpeaker and 3D-Speaker models expect). */
void fbank_compute(const float *pcm, size_t n, bool cmn, float *out);

#endif
