#!/usr/bin/env python3
"""audio_match.py — how well one channel of a recording matches a reference recording.

usage: audio_match.py RECORDING.wav CHANNEL REFERENCE.wav

Both are 16-bit PCM WAV at the same rate (REFERENCE mono). The channel is cut into 2 s
blocks; each block that carries sound (above -60 dBFS) is found in the reference by
cross-correlation (FFT) and scored by the normalised correlation (cosine similarity,
-1..1) with the reference at that lag. Blocks are aligned one by one because a capture
under load is not one rigid copy: when one device's thread falls half a second behind,
capture pads its channel with silence (src/capture.c), which shifts what follows. Prints
"corr=0.97 blocks=5 lags=0.41..0.52s": corr is the median block's score, which a caller
compares with its threshold. numpy only, so that it runs in the dev root.
"""
import sys
import wave

import numpy as np

BLOCK_S = 2


def read(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            sys.exit(f"{path}: not 16-bit PCM")
        raw = w.readframes(w.getnframes())
        pcm = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
        return pcm.reshape(-1, w.getnchannels()), w.getframerate()


def best_match(x, y):
    """The lag at which block x best matches y (x inside y) and the correlation there."""
    n = 1 << int(np.ceil(np.log2(len(x) + len(y))))
    # c[k] = sum x[i] * y[k + i]: x placed at k in y, for k where x lies wholly inside y
    c = np.fft.irfft(np.conj(np.fft.rfft(x, n)) * np.fft.rfft(y, n), n)[: len(y) - len(x) + 1]
    # normalise by the energy of y under x at each k
    e = np.concatenate(([0.0], np.cumsum(y * y)))
    ey = e[len(x):] - e[: len(e) - len(x)]
    corr = c / np.sqrt(np.maximum(ey, 1e-12) * np.sum(x * x))
    k = int(np.argmax(corr))
    return k, float(corr[k])


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    rec, rate = read(sys.argv[1])
    ref, ref_rate = read(sys.argv[3])
    if ref_rate != rate:
        sys.exit(f"rates differ: {rate} and {ref_rate} (resample the reference first)")
    x = rec[:, int(sys.argv[2])]
    y = ref[:, 0]
    block = BLOCK_S * rate
    scores, lags = [], []
    for at in range(0, len(x) - block + 1, block):
        b = x[at: at + block]
        if np.sqrt(np.mean(b * b)) < 1e-3:
            continue  # silence (a pause, or a device gone) says nothing
        k, corr = best_match(b, y)
        scores.append(corr)
        lags.append((at - k) / rate)  # where the reference started in the recording
    if not scores:
        print("corr=0 blocks=0 (the channel is silent)")
        return
    print(f"corr={np.median(scores):.3f} blocks={len(scores)} lags={min(lags):.2f}..{max(lags):.2f}s "
          f"scores={','.join(f'{s:.2f}' for s in scores)}")


if __name__ == "__main__":
    main()
