#!/usr/bin/env bash
# tacit diarize, end to end on real speech: a simulated 3-speaker meeting mixed from the
# shared single-speaker recordings (exact reference turns) is diarized with the test
# embedding model (tools/make-onnx-models) on the VAD-window path and scored with
# tools/der: DER under 10 %, 3 speakers found. A 10-minute file is decoded as it goes
# (bounded memory). Then bad input: a file that is not audio, a corrupted and a
# truncated ONNX file, a model of the wrong kind, no speech, one speaker, overlapping
# speech only; an import
# and a transcription whose segments get "Speaker N" labels. Starts workers: `make test` only.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
W=$TACIT_HOME
SHARED=${TACIT_SHARED:-../shared}
SPK=$SHARED/audio/diarization/speakers VAD=$SHARED/models/ggml-silero-v6.2.0.bin
if [ ! -d "$SPK" ] || [ ! -r "$VAD" ]; then echo "skip: ../shared speakers or VAD model absent"; exit 77; fi
if ! python3 -c 'import onnx, numpy' 2>/dev/null; then echo "skip: python3 onnx/numpy absent"; exit 77; fi

expect() { want=$1; shift; if "$@" >"$W/out" 2>"$W/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$W/err"; exit 1; }; }

M=$W/models
tools/make-onnx-models "$M" >/dev/null
EMB=$M/test-embedding.onnx
D=(--embedding-model "$EMB" --vad-model "$VAD")

# a 3-speaker meeting of 3 minutes: DER under 12 % without a collar, 3 speakers
"$BUILD/tools/diar-sim" "$SPK" "$W/meet.wav" --speakers 3 --minutes 3 --seed 11 >/dev/null
expect 0 "$T" diarize "${D[@]}" --format rttm "$W/meet.wav"
cp "$W/out" "$W/hyp.rttm"
grep -q "no segmentation model" "$W/err"
tools/der "$W/meet.rttm" "$W/hyp.rttm" --json >"$W/der.json"
python3 - "$W/der.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("DER %.1f %% (missed %.1f, false alarm %.1f, confusion %.1f)" % (d["der"], d["missed"], d["false_alarm"], d["confusion"]))
assert d["der"] < 10.0, d  # 6.7 % (seed 11; 9.7 % before diar-sim left the background out of its turns): mostly pauses inside turns
assert d["speaker_count_error"] == 0, d
PY
# a long recording is decoded a piece at a time: the command's own peak memory (the
# workers' apart) stays near its size for a short file (43 MB when written), where
# holding the 10 minutes as float samples would add 38 MB (a 20-minute file peaked at
# 116 MB that way)
"$BUILD/tools/diar-sim" "$SPK" "$W/long.wav" --speakers 3 --minutes 10 --seed 14 >/dev/null
# (a sanitizer build's shadow memory and quarantine say nothing of tacit's own: no bound there)
limit_mb=64
if ldd "$T" 2>/dev/null | grep -q libasan; then limit_mb=0; fi
python3 - "$limit_mb" "$T" diarize "${D[@]}" --format rttm "$W/long.wav" <<'PY'
import subprocess, sys, time
limit_mb = int(sys.argv.pop(1))
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
peak = 0
while p.poll() is None:
    try:
        peak = max([peak] + [int(l.split()[1]) for l in open(f"/proc/{p.pid}/status") if l.startswith("VmHWM:")])
    except OSError:
        pass
    time.sleep(0.05)
out = p.stdout.read().decode()
print("10 min: peak %d MB of the diarize process, %d turns" % (peak // 1024, out.count("SPEAKER")))
assert p.returncode == 0 and out.count("SPEAKER") > 50, p.returncode
assert 0 < peak and (not limit_mb or peak < limit_mb * 1024), peak
PY
# a file that is not audio: its own error, before any model loads
echo "not audio" >"$W/text.wav"
if "$T" diarize --embedding-model "$W/absent.onnx" --vad-model "$VAD" "$W/text.wav" >"$W/out" 2>"$W/err"; then exit 1; fi
grep -q "text.wav" "$W/err" && ! grep -q "absent.onnx" "$W/err"

# the known count, and JSON
expect 0 "$T" diarize "${D[@]}" --speakers 3 --format json "$W/meet.wav"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["n_speakers"]==3 and d["method"]=="vad-windows", d; assert {t["speaker"] for t in d["turns"]}=={"Speaker 1","Speaker 2","Speaker 3"}' "$W/out"

# one speaker is one speaker
"$BUILD/tools/diar-sim" "$SPK" "$W/one.wav" --speakers 1 --minutes 1 --seed 12 >/dev/null
expect 0 "$T" diarize "${D[@]}" --format json "$W/one.wav"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["n_speakers"]==1, d' "$W/out"

# overlapping speech only (two voices at once throughout): some speaker turns covering
# the speech, no error; without a segmentation model the overlap is not told apart
"$BUILD/tools/diar-sim" "$SPK" "$W/two.wav" --speakers 2 --minutes 1 --seed 13 >/dev/null
python3 - "$W/one.wav" "$W/two.wav" "$W/overlap.wav" <<'PY'
import sys, wave, array
a, b = (array.array("h", wave.open(f).readframes(10**8)) for f in sys.argv[1:3])
n = min(len(a), len(b))
mix = array.array("h", (max(-32768, min(32767, a[i] + b[i])) for i in range(n)))
w = wave.open(sys.argv[3], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(mix.tobytes())
PY
expect 0 "$T" diarize "${D[@]}" --format json "$W/overlap.wav"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert 1 <= d["n_speakers"] <= 3 and sum(t["end"] - t["start"] for t in d["turns"]) > 20, d' "$W/out"

# no speech: no turns, said on stderr, not an error
python3 -c 'import wave; w=wave.open("'"$W"'/silence.wav","wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(b"\0\0"*16000*5)'
expect 0 "$T" diarize "${D[@]}" "$W/silence.wav"
[ ! -s "$W/out" ] && grep -q "no speech" "$W/err"

# bad models: refused with a message naming the file, before or by onnxruntime
head -c 4096 /dev/urandom >"$W/noise.onnx"
printf '\x08\x07' | cat - "$W/noise.onnx" >"$W/fake.onnx"   # looks like ONNX for two bytes
head -c 2000 "$EMB" >"$W/cut.onnx"
expect 14 "$T" diarize --embedding-model "$W/noise.onnx" --vad-model "$VAD" "$W/one.wav"
grep -q "noise.onnx' is not an ONNX model" "$W/err"
expect 21 "$T" diarize --embedding-model "$W/fake.onnx" --vad-model "$VAD" "$W/one.wav"
grep -q "fake.onnx" "$W/err"
expect 21 "$T" diarize --embedding-model "$W/cut.onnx" --vad-model "$VAD" "$W/one.wav"
grep -q "cut.onnx" "$W/err"
expect 15 "$T" diarize --embedding-model "$W/absent.onnx" --vad-model "$VAD" "$W/one.wav"
# a segmentation model where the embedding goes, and the other way round
expect 21 "$T" diarize --embedding-model "$M/segmentation-3.0-random.onnx" --vad-model "$VAD" "$W/one.wav"
grep -q "expects 1-dimensional features\|does not take filterbanks" "$W/err"
expect 21 "$T" diarize --embedding-model "$EMB" --segmentation-model "$EMB" "$W/one.wav"
grep -q "is not pyannote segmentation-3.0" "$W/err"
# no embedding model named or downloaded: say what to pull (the catalog's entry)
expect 15 "$T" diarize --vad-model "$VAD" "$W/one.wav"
grep -q "tacit pull wespeaker-resnet34" "$W/err"
expect 2 "$T" diarize "${D[@]}" --speakers 0 "$W/one.wav"

# the real-shape models run (random weights: speed and memory, not accuracy)
expect 0 "$T" diarize --embedding-model "$M/wespeaker-resnet34-random.onnx" \
	--segmentation-model "$M/segmentation-3.0-random.onnx" --format json "$W/one.wav"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["method"]=="segmentation", d' "$W/out"

# an import labels the mono recording's segments by speaker
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin
if [ -r "$VOCAB" ]; then
	A=$BUILD/models/ggml-tiny.en-random.bin
	if [ ! -r "$A" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$A.tmp.$$" && mv "$A.tmp.$$" "$A"; fi
	"$BUILD/tools/diar-sim" "$SPK" "$W/short.wav" --speakers 2 --minutes 0.5 --seed 13 >/dev/null
	expect 0 "$T" import --asr-model "$A" --vad-model "$VAD" --threads 2 --embedding-model "$EMB" --speakers 2 "$W/short.wav"
	expect 0 "$T" export 1 --format json
	python3 - "$W/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
# a segment where nobody talks (the random model's words in a pause) keeps no label
labels = {g.get("speaker") for g in d["segments"]} - {None, ""}
print("import speakers:", sorted(labels))
assert d["segments"], d
assert labels <= {"Speaker 1", "Speaker 2"} and labels, labels
PY
	# transcribe labels its printed segments the same way; live input cannot be diarized
	expect 0 "$T" transcribe --asr-model "$A" --vad-model "$VAD" --threads 2 --embedding-model "$EMB" --speakers 2 "$W/short.wav"
	grep -q "Speaker [12]: " "$W/out"
	expect 2 "$T" transcribe --asr-model "$A" --vad-model "$VAD" --speakers 2 --live -
	# a broken embedding model: the transcript is still stored, without speakers
	expect 0 "$T" import --asr-model "$A" --vad-model "$VAD" --threads 2 --embedding-model "$W/noise.onnx" "$W/short.wav"
	grep -q "without speakers" "$W/err"
fi
echo "diarize: ok"
