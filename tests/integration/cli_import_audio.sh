#!/usr/bin/env bash
# tacit import RECORDING: a recording becomes a session (segments, audio file, models,
# language); stereo gives "Me"/"Them" by channel; empty, damaged and non-media files and a
# missing model give one clear error and leave no session behind. Uses the random-weight
# tiny.en model built from ../shared's vocabulary (its words are nonsense; the pipeline
# is what is tested).
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
W=$TACIT_HOME

expect() { want=$1; shift; if "$@" >"$W/out" 2>"$W/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$W/err"; exit 1; }; }
no_sessions() { "$T" sessions --json >"$W/s.json"; python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d==[] or d.get("sessions",d)==[], d' "$W/s.json"; [ ! -d "$W/data/audio" ] || [ -z "$(ls -A "$W/data/audio")" ]; }

expect 2 "$T" import --threads 0 x.wav
# no speech model downloaded: say what to pull, store nothing
printf 'RIFF' >"$W/tiny.wav"
expect 15 "$T" import "$W/tiny.wav"
grep -q "tacit pull" "$W/err"
no_sessions

SHARED=${TACIT_SHARED:-../shared}
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin JFK=$SHARED/audio/jfk.wav
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ] || [ ! -r "$JFK" ]; then echo "skip: ../shared models/audio absent"; exit 77; fi
M=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$M.tmp.$$" && mv "$M.tmp.$$" "$M"; fi
X=(--model "$M" --vad-model "$VAD" --threads 2 --no-fallback)

# bad input: one clear error, no session, no audio left behind
: >"$W/empty.wav"
expect 14 "$T" import "${X[@]}" "$W/empty.wav"
grep -q "empty.wav" "$W/err"
head -c 30 "$JFK" >"$W/cut.wav"   # cut inside the header
if "$T" import "${X[@]}" "$W/cut.wav" >"$W/out" 2>"$W/err"; then echo "a cut header imported"; exit 1; fi
grep -q "cut.wav" "$W/err"
head -c 5000 /dev/urandom >"$W/noise.mp3"
if "$T" import "${X[@]}" "$W/noise.mp3" >"$W/out" 2>"$W/err"; then echo "random bytes imported"; exit 1; fi
expect 21 "$T" import --model "$VAD" --vad-model "$VAD" "$JFK"   # a VAD model is no whisper model
no_sessions

# a recording: a session with its segments, its audio and the models used
sox "$JFK" "$W/clip.wav" trim 0 3
expect 0 "$T" import "${X[@]}" --title "Clip" "$W/clip.wav"
grep -q "imported 'Clip' as session 1" "$W/out"
expect 0 "$T" export 1 --format json
python3 - "$W/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d
assert s["language"] == "en", s
assert "ggml-tiny.en-random.bin" in s["models"], s
for g in d["segments"]:
    assert 0 <= g["start_ms"] <= g["end_ms"] <= 3000, g
PY
ls "$W/data/audio/1/chunk-000.wav" >/dev/null
# the stored audio is the recording: 3 s at 16 kHz mono 16-bit, after a 44-byte header
size=$(stat -c %s "$W/data/audio/1/chunk-000.wav")
[ "$size" -eq $((44 + 3 * 16000 * 2)) ] || { echo "audio file is $size bytes"; exit 1; }

# stereo: speech on the left only, so every segment is "Me"; the recording is kept as two
# channels
sox -n -r 16000 -c 1 -b 16 "$W/silence.wav" trim 0 3
sox -M "$W/clip.wav" "$W/silence.wav" "$W/stereo.wav"
expect 0 "$T" import "${X[@]}" "$W/stereo.wav"
expect 0 "$T" export 2 --format json
python3 - "$W/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for g in d["segments"]:
    assert g["speaker"] == "Me", g
PY
size=$(stat -c %s "$W/data/audio/2/chunk-000.wav")
[ "$size" -eq $((44 + 3 * 16000 * 4)) ] || { echo "stereo audio file is $size bytes"; exit 1; }
# two identical channels are a mono recording: no speaker labels, kept as one channel
sox "$W/clip.wav" -c 2 "$W/dual.wav"
expect 0 "$T" import "${X[@]}" "$W/dual.wav"
expect 0 "$T" export 3 --format json
python3 - "$W/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for g in d["segments"]:
    assert g["speaker"] in (None, ""), g
PY
size=$(stat -c %s "$W/data/audio/3/chunk-000.wav")
[ "$size" -eq $((44 + 3 * 16000 * 2)) ] || { echo "dual-mono audio file is $size bytes"; exit 1; }
cmp -s <(tail -c +45 "$W/data/audio/3/chunk-000.wav") <(sox "$W/clip.wav" -t raw -) || { echo "stored audio differs from the recording"; exit 1; }
# longer than one transcription request (4 min): speech, 250 s of silence, speech; the
# pieces end on quiet moments and the times go on across them; the whole file is stored;
# no temporary file is left
sox -n -r 16000 -c 1 -b 16 "$W/gap.wav" trim 0 250
sox "$W/clip.wav" "$W/gap.wav" "$W/clip.wav" "$W/long.wav"   # 256 s
expect 0 "$T" import "${X[@]}" "$W/long.wav"
expect 0 "$T" export 4 --format json
python3 - "$W/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert all(0 <= g["start_ms"] <= g["end_ms"] <= 256000 for g in d["segments"]), d["segments"]
# nothing is invented in the silence between the two bits of speech
assert not [g for g in d["segments"] if 4000 < g["start_ms"] < 252000], d["segments"]
PY
size=$(stat -c %s "$W/data/audio/4/chunk-000.wav")
[ "$size" -eq $((44 + 256 * 16000 * 2)) ] || { echo "long audio file is $size bytes"; exit 1; }
[ -z "$(ls -A "$W/data/audio" | grep -v '^[0-9]*$')" ] || { echo "leftovers: $(ls -A "$W/data/audio")"; exit 1; }
echo ok
