#!/usr/bin/env python3
"""audio_match.py — how well one channel of a recording matches a reference recording.

usage: audio_match.py RECORDING.wav CHANNEL REFERENCE.wav

Both are 16-bit PCM WAV at the same rate (REFERENCE mono). The reference is found in the
channel by cross-correlation (FFT), which gives the lag at which it starts; the score is
the normalised correlation (cosine similarity, -1..1) of the two over their overlap,
ended where the channel last carries sound (a device that went away leaves silence,
which is not a mismatch of what was recorded). Prints "corr=0.97 lag=1.234s overlap=8.1s";
a caller compares corr with its threshold. numpy only, so that it runs in the dev root.
"""
import sys
import wave

import numpy as np


def read(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            sys.exit(f"{path}: not 16-bit PCM")
        raw = w.readframes(w.getnframes())
        pcm = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
        return pcm.reshape(-1, w.getnchannels()), w.getframerate()


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    rec, rate = read(sys.argv[1])
    ref, ref_rate = read(sys.argv[3])
    ch = int(sys.argv[2])
    if ref_rate != rate:
        sys.exit(f"rates differ: {rate} and {ref_rate} (resample the reference first)")
    x = rec[:, ch]
    y = ref[:, 0]
    # where the channel last carries sound: the last 100 ms block above -60 dBFS
    block = rate // 10
    n_blocks = len(x) // block
    rms = np.sqrt(np.mean(x[: n_blocks * block].reshape(n_blocks, block) ** 2, axis=1)) if n_blocks else []
    loud = np.nonzero(np.asarray(rms) > 1e-3)[0]
    if len(loud) == 0:
        print("corr=0 lag=0s overlap=0s (the channel is silent)")
        return
    x = x[: (loud[-1] + 1) * block]
    # full cross-correlation by FFT: c[k] = sum x[k + i] * y[i], k from -(len(y)-1)
    n = 1 << int(np.ceil(np.log2(len(x) + len(y))))
    c = np.fft.irfft(np.fft.rfft(x, n) * np.conj(np.fft.rfft(y, n)), n)
    c = np.concatenate((c[n - (len(y) - 1):], c[: len(x)]))
    lag = int(np.argmax(np.abs(c))) - (len(y) - 1)
    xs, ys = (x[lag:], y) if lag >= 0 else (x, y[-lag:])
    m = min(len(xs), len(ys))
    xs, ys = xs[:m], ys[:m]
    den = np.sqrt(np.sum(xs * xs) * np.sum(ys * ys))
    corr = float(np.sum(xs * ys) / den) if den > 0 else 0.0
    print(f"corr={corr:.3f} lag={lag / rate:.3f}s overlap={m / rate:.1f}s")


if __name__ == "__main__":
    main()
