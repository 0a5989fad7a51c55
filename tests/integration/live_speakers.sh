#!/usr/bin/env bash
# Live speaker labels on real speech: three real voices (../shared/audio/diarization)
# played to `tacit live` with the random-weight whisper and the test embedding model;
# each final segment gets "Speaker N" (a speaker event) seconds after it is final, a
# short segment of a voice not heard yet is revised once that voice speaks, the stop's
# recluster runs before the stopped event, and the store holds the labels. Two channels:
# "Me" stays "Me", "Them" is labelled. A broken model: a warning, the meeting is saved.
# Starts workers: `make test` only.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
W=$TACIT_HOME
SHARED=${TACIT_SHARED:-../shared}
SPK=$SHARED/audio/diarization/speakers VAD=$SHARED/models/ggml-silero-v6.2.0.bin
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin
if [ ! -d "$SPK" ] || [ ! -r "$VAD" ] || [ ! -r "$VOCAB" ]; then echo "skip: ../shared speakers or models absent"; exit 77; fi
if ! python3 -c 'import onnx, numpy' 2>/dev/null || ! command -v sox >/dev/null; then echo "skip: python3 onnx/numpy or sox absent"; exit 77; fi

expect() { want=$1; shift; if "$@" >"$W/out" 2>"$W/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$W/err"; exit 1; }; }

WM=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$WM" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$WM.tmp.$$" && mv "$WM.tmp.$$" "$WM"; fi
tools/make-onnx-models "$W/m" >/dev/null
A=(--asr-model "$WM" --vad-model "$VAD" --no-fallback --no-partials --threads 2 --no-analysis)

# voice 1 for 6 s, one second of voice 2 (too short to open a speaker: it joins voice 1),
# voice 2 for 6 s (the short one moves to it: a revision), voice 3 for 5 s
S1=$(ls "$SPK"/librispeech-1998/*.flac | head -1) S2=$(ls "$SPK"/librispeech-1688/*.flac | head -1)
S3=$(ls "$SPK"/librispeech-367/*.flac | head -1)
sox -n -r 16000 -c 1 "$W/gap.wav" trim 0 1.5
sox "$S1" -r 16000 -c 1 "$W/a.wav" trim 0.5 6
sox "$S2" -r 16000 -c 1 "$W/b1.wav" trim 1.5 1
sox "$S2" -r 16000 -c 1 "$W/b2.wav" trim 3 6
sox "$S3" -r 16000 -c 1 "$W/c.wav" trim 0.5 5
sox "$W/a.wav" "$W/gap.wav" "$W/b1.wav" "$W/gap.wav" "$W/b2.wav" "$W/gap.wav" "$W/c.wav" "$W/gap.wav" "$W/meet.wav"

expect 0 "$T" live "${A[@]}" --embedding-model "$W/m/test-embedding.onnx" --realtime "$W/meet.wav" --speed 0 --json
python3 - "$W/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
types = [e["type"] for e in ev]
assert types[-1] == "stopped", types[-3:]
finals = {e["segment"]: e for e in ev if e["type"] == "final"}
spk = [e for e in ev if e["type"] == "speaker"]
first = {e["segment"]: e for e in spk if not e["data"]["revised"]}
# every final segment with a second of speech or more has its label, after its final event
assert set(first) == set(finals), (sorted(first), sorted(finals))
for s, e in first.items():
    assert types.index("final") <= ev.index(e) and ev.index(finals[s]) < ev.index(e), s
    assert e["text"] == "" and e["speaker"].startswith("Speaker "), e
    assert e["data"]["latency_ms"] < 5000, e
last = {}
for e in spk:
    last[e["segment"]] = e["speaker"]
# by time: voice 1 is Speaker 1, the short voice-2 segment ends as Speaker 2 with the rest
by_start = sorted(finals.values(), key=lambda e: e["start"])
def label_at(t):
    for f in by_start:
        if f["start"] <= t <= f["end"]:
            return last[f["segment"]]
assert label_at(3.0) == "Speaker 1", last
short = label_at(8.0)
assert short == label_at(12.0) == "Speaker 2", (short, last)
assert label_at(18.5) == "Speaker 3", last
rev = [e for e in spk if e["data"]["revised"]]
assert any(e["text"] == "Speaker 1" and e["speaker"] == "Speaker 2" for e in rev), rev
assert all(ev.index(e) < len(ev) - 1 for e in spk)  # all before stopped
# the stop reclustered the meeting, after every label and before the stopped event
st = [i for i, e in enumerate(ev) if e["type"] == "status" and "the stop's recluster found 3 speakers" in e["text"]]
assert len(st) == 1 and all(ev.index(e) < st[0] for e in spk) and st[0] < len(ev) - 1, [e for e in ev if e["type"] == "status"]
# the labels' cost, for bench/diar_live.sh: the speaker worker's CPU and the thread's own
import re
assert re.search(r"speaker model CPU [0-9.]+ s, labelling thread CPU [0-9.]+ s", ev[st[0]]["text"]), ev[st[0]]["text"]
print("labels:", {k: last[k] for k in sorted(last)}, "revisions:", len(rev))
PY
ID=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][-1]["session"])' "$W/out")
expect 0 "$T" speakers --json "$ID"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d=d.get("speakers",d); n=sorted(s["label"] for s in d); assert n==["Speaker 1","Speaker 2","Speaker 3"], n' "$W/out"

# without a table: the labels printed as they come
expect 0 "$T" live "${A[@]}" --embedding-model "$W/m/test-embedding.onnx" --realtime "$W/b2.wav" --speed 0
grep -q "^\[segment 1\] Speaker 1" "$W/out"
# --speakers off: none
expect 0 "$T" live "${A[@]}" --speakers off --embedding-model "$W/m/test-embedding.onnx" --realtime "$W/b2.wav" --speed 0 --json
! grep -q '"type":"speaker"' "$W/out"
expect 2 "$T" live "${A[@]}" --speakers 3 --realtime "$W/b2.wav"

# two channels: the microphone stays "Me", the meeting's channel is labelled
# ("Me" speaks first, then "Them")
sox "$W/a.wav" "$W/a1.wav" pad 0 7.5
sox "$W/b2.wav" "$W/b7.wav" pad 7.5 0
sox -M "$W/a1.wav" "$W/b7.wav" "$W/st.wav"
sox "$W/st.wav" -t raw -e signed -b 16 "$W/st.raw"
expect 0 "$T" live "${A[@]}" --embedding-model "$W/m/test-embedding.onnx" --pcm - --channels 2 --json <"$W/st.raw"
python3 - "$W/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
finals = {e["segment"]: e for e in ev if e["type"] == "final"}
spk = {e["segment"]: e for e in ev if e["type"] == "speaker"}
assert any(f["speaker"] == "Me" for f in finals.values()) and any(f["speaker"] == "Them" for f in finals.values()), finals
for s, f in finals.items():
    assert (s in spk) == (f["speaker"] == "Them"), (f, spk.get(s))
assert all(e["speaker"] == "Speaker 1" and e["text"] == "Them" for e in spk.values()), spk
PY

# a broken model: a warning, no labels, the meeting is saved with its transcript
head -c 3000 "$W/m/test-embedding.onnx" >"$W/cut.onnx"
expect 0 "$T" live "${A[@]}" --embedding-model "$W/cut.onnx" --realtime "$W/b2.wav" --speed 0 --json
python3 - "$W/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev[-1]["type"] == "stopped" and ev[-1]["data"]["segments"] >= 1, ev[-1]
assert not [e for e in ev if e["type"] == "speaker"]
w = [e["text"] for e in ev if e["type"] == "warning"]
assert any("speaker labels are off" in t and "cut.onnx" in t for t in w), w
PY
ID=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][-1]["session"])' "$W/out")
expect 0 "$T" show "$ID"
[ -s "$W/out" ]
echo "live speaker labels: ok"
