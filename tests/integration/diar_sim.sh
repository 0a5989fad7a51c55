#!/usr/bin/env bash
# tools/diar-sim's reference turns cover the voice, not the background before and after
# it: an utterance of 0.5 s of noise 25 dB under its peak, 1 s of a loud tone, 0.4 s of
# noise again is mixed in whole (the noise is above 1/30 of the peak's RMS) while its
# reference turn starts and ends with the tone; a clean utterance's turn is all of it.
set -eu
BUILD=${BUILD:-build}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
mkdir -p "$W/spk/noisy" "$W/spk/clean"
python3 - "$W/spk" <<'PY'
import array, math, random, sys, wave
random.seed(1)
def write(path, x):
    w = wave.open(path, "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
    w.writeframes(array.array("h", (int(max(-32767, min(32767, v))) for v in x)).tobytes())
tone = [10000 * math.sin(2 * math.pi * 220 * i / 16000) for i in range(16000)]
noise = lambda n: [random.gauss(0, 7071 / 17.8) for _ in range(n)]  # RMS 25 dB under the tone's
write(sys.argv[1] + "/noisy/u.wav", noise(8000) + tone + noise(6400))
write(sys.argv[1] + "/clean/u.wav", [0.0] * 1600 + tone + [0.0] * 1600)
PY
"$BUILD/tools/diar-sim" "$W/spk" "$W/m.wav" --speakers 2 --minutes 0.2 --seed 1 >/dev/null
python3 - "$W/m.rttm" <<'PY'
import sys
turns = [(l.split()[7], float(l.split()[3]), float(l.split()[4])) for l in open(sys.argv[1])]
assert len(turns) >= 4, turns
for who, start, dur in turns:
    # the tone is 1 s; 10 ms frames at its edges may go either way
    assert abs(dur - 1.0) <= 0.03, (who, start, dur)
prev_end = None
for who, start, dur in turns:
    if who == "noisy" and prev_end is not None:
        assert start - prev_end >= 0.3 + 0.49, (start, prev_end)  # the pause, then the noise before the tone
    prev_end = start + dur + (0.4 if who == "noisy" else 0.0)
print("diar_sim: %d turns, each the 1 s tone" % len(turns))
PY
echo "diar_sim: ok"
