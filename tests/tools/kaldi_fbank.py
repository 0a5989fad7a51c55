#!/usr/bin/env python3
# tests/tools/kaldi_fbank.py IN.f32 OUT.f32 CMN — an independent Kaldi fbank in numpy,
# written from Kaldi's definition (feat/feature-window.cc, mel-computations.cc), for
# tests/unit/test_fbank.c to check worker/fbank.c against: 16 kHz float32 samples in
# [-1, 1] in, 80 log-mel values per 25 ms frame (10 ms shift, snip_edges) out; CMN=1
# subtracts each bin's mean over the frames.
import sys
import numpy as np

x = np.fromfile(sys.argv[1], dtype="<f4").astype(np.float64) * 32768.0
cmn = sys.argv[3] == "1"
L, S, NFFT, BINS, SR = 400, 160, 512, 80, 16000
n = 0 if len(x) < L else 1 + (len(x) - L) // S
frames = np.stack([x[i * S:i * S + L] for i in range(n)]) if n else np.zeros((0, L))
frames = frames - frames.mean(axis=1, keepdims=True)           # remove_dc_offset
prev = np.concatenate([frames[:, :1], frames[:, :-1]], axis=1)  # x[-1] := x[0]
frames = frames - 0.97 * prev                                   # preemphasis
povey = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(L) / (L - 1))) ** 0.85
spec = np.abs(np.fft.rfft(frames * povey, n=NFFT)) ** 2         # power spectrum
spec = spec[:, :NFFT // 2]                                       # Kaldi drops Nyquist
mel = lambda f: 1127.0 * np.log(1.0 + f / 700.0)
edges = np.linspace(mel(20.0), mel(SR / 2), BINS + 2)
fm = mel(np.arange(NFFT // 2) * SR / NFFT)
w = np.zeros((BINS, NFFT // 2))
for b in range(BINS):
    l, c, r = edges[b], edges[b + 1], edges[b + 2]
    up = (fm > l) & (fm <= c)
    down = (fm > c) & (fm < r)
    w[b, up] = (fm[up] - l) / (c - l)
    w[b, down] = (r - fm[down]) / (r - c)
feats = np.log(np.maximum(spec @ w.T, np.finfo(np.float32).eps))
if cmn and n:
    feats -= feats.mean(axis=0, keepdims=True)
feats.astype("<f4").tofile(sys.argv[2])
