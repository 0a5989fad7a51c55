#!/usr/bin/env bash
# tacit transcribe: usage errors exit 2; missing/bad input gives one clear error and its
# exit code; with the random-weight tiny.en model (built from ../shared's vocabulary) a
# file gives valid json/srt/vtt, silence gives an empty transcript, and --realtime gives
# JSON lines of final segments.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
W=$TACIT_HOME

expect() { want=$1; shift; if "$@" >"$W/out" 2>"$W/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$W/err"; exit 1; }; }
expect 2 "$T" transcribe
expect 2 "$T" transcribe --format docx x.wav
expect 2 "$T" transcribe --live file.raw
expect 2 "$T" transcribe a.wav b.wav
expect 2 "$T" transcribe --model m.bin          # no input
expect 15 "$T" transcribe x.wav                 # the input first: it is missing
grep -q "cannot open 'x.wav'" "$W/err"
: >"$W/x.wav"                                    # models are checked before the file is read
expect 15 "$T" transcribe "$W/x.wav"             # no speech model downloaded: what to pull
grep -q "tacit pull" "$W/err"
expect 15 "$T" transcribe --model /nonexistent.bin "$W/x.wav"
grep -q "'/nonexistent.bin' does not exist" "$W/err"
# no VAD model downloaded: what to do about it
expect 15 "$T" transcribe --model "$T" "$W/x.wav"
grep -q -- "--no-vad" "$W/err"

SHARED=${TACIT_SHARED:-../shared}
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin JFK=$SHARED/audio/jfk.wav
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ] || [ ! -r "$JFK" ]; then echo "skip: ../shared models/audio absent"; exit 77; fi
M=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$M.tmp.$$" && mv "$M.tmp.$$" "$M"; fi
X=(--model "$M" --vad-model "$VAD" --no-fallback --threads 2)

expect 15 "$T" transcribe "${X[@]}" /nonexistent.wav
grep -q "cannot open '/nonexistent.wav'" "$W/err"
: >"$W/empty.wav"
expect 14 "$T" transcribe "${X[@]}" "$W/empty.wav"
head -c 5000 /dev/urandom >"$W/noise.mp3"
if "$T" transcribe "${X[@]}" "$W/noise.mp3" >"$W/out" 2>"$W/err"; then :; else rc=$?; [ "$rc" -eq 14 ] || [ "$rc" -eq 16 ] || { echo "garbage: exit $rc"; exit 1; }; fi
expect 21 "$T" transcribe --model "$VAD" --vad-model "$VAD" "$JFK"   # a VAD model is no whisper model
grep -q "not a whisper.cpp ggml model" "$W/err"

# silence: an empty transcript, exit 0
sox -n -r 16000 -c 1 -b 16 "$W/silence.wav" trim 0 3
expect 0 "$T" transcribe "${X[@]}" --format json "$W/silence.wav"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["segments"]==[], d' "$W/out"

# speech: every format, timestamps inside the audio
expect 0 "$T" transcribe "${X[@]}" --format json "$JFK"
python3 - "$W/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["language"] == "en", d   # an English-only model decodes English, and says so
for s in d["segments"]:
    assert 0 <= s["start"] <= s["end"] <= 11.0, s
    assert s["text"].strip() == s["text"] and s["text"], s
PY
expect 0 "$T" transcribe "${X[@]}" --format vtt "$JFK"
head -n 1 "$W/out" | grep -qx WEBVTT
expect 0 "$T" transcribe "${X[@]}" --format srt "$JFK"
if [ -s "$W/out" ]; then grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3} --> ' "$W/out"; fi

# two channels: "Me" on the left, "Them" on the right (silence on the right)
sox -M "$JFK" "$W/silence.wav" "$W/stereo.wav" 2>/dev/null || sox -M "$JFK" -n "$W/stereo.wav"
expect 0 "$T" transcribe "${X[@]}" --speakers channels --format json "$W/stereo.wav"
python3 - "$W/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["segments"]:
    assert s["speaker"] == "Me", s   # nothing invented on the silent "Them" channel
PY

# live: raw s16le on stdin gives JSON lines; final segments are never followed by a
# segment that starts before them
sox "$JFK" -t raw -r 16000 -e signed -b 16 -c 1 "$W/jfk.raw" trim 0 4
"$T" transcribe "${X[@]}" --live - --channels 1 <"$W/jfk.raw" >"$W/live" 2>"$W/err"
python3 - "$W/live" <<'PY'
import json, sys
last = -1
for line in open(sys.argv[1]):
    s = json.loads(line)
    assert s["type"] in ("partial", "final"), s
    assert 0 <= s["start"] <= s["end"] <= 4.0, s
PY

# live, played in real time (twice as fast): partial segments come and go, but once a
# stretch of audio has its final segments nothing changes there again: no later line,
# partial or final, starts before a final's end (so no final is re-emitted or revised,
# and every partial of an utterance comes before its final)
"$T" transcribe "${X[@]}" --realtime "$JFK" --speed 2 >"$W/rt" 2>"$W/err"
python3 - "$W/rt" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
finals = [l for l in lines if l["type"] == "final"]
assert finals, "no final segment at all"
for i, f in enumerate(lines):
    assert f["type"] in ("partial", "final"), f
    if f["type"] != "final":
        continue
    for later in lines[i + 1:]:
        if later["speaker"] == f["speaker"]:
            assert later["start"] >= f["end"], (f, later)
keys = [(f["start"], f["end"], f["speaker"], f["text"]) for f in finals]
assert len(keys) == len(set(keys)), "a final segment was emitted twice"
print(f"{len(finals)} finals, {len(lines) - len(finals)} partials", file=sys.stderr)
PY
echo ok
