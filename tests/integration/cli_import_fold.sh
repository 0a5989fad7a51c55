#!/usr/bin/env bash
# tacit import RECORDING with a language model: the summary and notes are written while
# whisper transcribes (the live analysis folds windows as segments come), so the progress
# shows the analysis before the transcript ends and the import ends with both stored; a
# template other than general is the fold's own (no general summary, no second pass); a stereo recording is
# folded once both channels are transcribed; --no-summary skips them;
# Ctrl-C (SIGTERM) mid-import keeps every segment transcribed and the audio (exit 17),
# and kill -9 keeps the segments. Random-weight whisper and a 2-layer synthetic model:
# the mechanics are tested, not the words.
set -eu
. tests/integration/lib/import_env.sh
expect 2 "$T" import --no-summary --llm-model x.gguf x.wav
expect 2 "$T" import --window-tokens 3 x.wav
if "$T" import --template no-such-template x.wav >"$W/out" 2>"$W/err"; then echo "an unknown template was taken"; exit 1; fi
grep -q "no-such-template" "$W/err"

SHARED=${TACIT_SHARED:-../shared}
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ]; then echo "skip: ../shared models absent"; exit 77; fi
command -v espeak-ng >/dev/null && command -v sox >/dev/null || { echo "skip: no espeak-ng/sox"; exit 77; }
WM=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$WM" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$WM.tmp.$$" && mv "$WM.tmp.$$" "$WM"; fi
A=(--asr-model "$WM" --vad-model "$VAD" --no-fallback --threads 1 --speakers off)
L=(--llm-model "$M" --ctx 2048 --window-tokens 60)
tools/make-meeting "$W/meeting-full.wav" 2>/dev/null   # 65 s: whisper decodes 30 s at a time
sox "$W/meeting-full.wav" "$W/meeting.wav" trim 0 20

# summarized while transcribed: folds show in the progress before the transcript ends
expect 0 "$T" import "${A[@]}" "${L[@]}" --template stand-up --json "$W/meeting-full.wav"
python3 - "$W/out" "$W/err" <<'PY'
import json, sys
res = json.loads(open(sys.argv[1]).read())
assert res["summary"] is True and res["segments"] > 0, res
assert 0 <= res["summary_after_last_segment_s"] < 300, res
prog = [json.loads(l) for l in open(sys.argv[2]) if l.startswith('{"event":"progress"')]
last = max(p["done"] for p in prog)
early = [p for p in prog if p.get("analysed_ms", 0) > 0 and p["done"] < last]
assert early, "no fold was shown while transcribing: %s" % prog[-3:]
PY
! grep -q "from the transcript" "$W/err"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"])' "$W/out")
expect 0 "$T" export "$id" --format json
python3 - "$W/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kinds = [(a["kind"], a.get("template")) for a in d["artifacts"]]
assert ("summary", "stand-up") in kinds and ("notes", "stand-up") in kinds, kinds
assert sum(1 for k, _ in kinds if k in ("summary", "notes")) == 2, "one pass: %s" % kinds
s = [a for a in d["artifacts"] if a["kind"] == "summary"][0]["json"]
assert all(k in s for k in ("done", "next", "blockers")), s
assert d["ended_ms"] and d["language"] == "en" and d["segments"], d["ended_ms"]
assert "rolling_summary" in [k for k, _ in kinds], kinds
PY
ls "$W/data/audio/$id/chunk-000.wav" >/dev/null

# stereo ("Me"/"Them" known only when both channels are transcribed): folded at the end
sox "$W/meeting-full.wav" "$W/b.wav" trim 30 20
sox -M "$W/meeting.wav" "$W/b.wav" "$W/stereo.wav"
expect 0 "$T" import "${A[@]}" "${L[@]}" --json "$W/stereo.wav"
sid=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"] is True, d; print(d["session"])' "$W/out")
expect 0 "$T" export "$sid" --format json
python3 - "$W/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kinds = [a["kind"] for a in d["artifacts"]]
assert "summary" in kinds and "notes" in kinds and d["ended_ms"], kinds
assert {g["speaker"] for g in d["segments"]} <= {"Me", "Them"}, d["segments"][:3]
PY

# --no-summary: the transcript only
expect 0 "$T" import "${A[@]}" --no-summary --json "$W/meeting.wav"
nid=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"] is False, d; print(d["session"])' "$W/out")
expect 0 "$T" export "$nid" --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not d["artifacts"] and d["segments"], d["artifacts"]' "$W/out"

# Ctrl-C (SIGTERM) mid-import: the meeting keeps every segment the progress showed
"$T" import "${A[@]}" "${L[@]}" --json --title cancelled "$W/meeting-full.wav" >"$W/c.out" 2>"$W/c.err" &
pid=$!
for _ in $(seq 1 600); do grep -q '"done":[1-9]' "$W/c.err" 2>/dev/null && break; sleep 0.2; done
seen=$(python3 -c 'import json,sys; print(max([json.loads(l)["done"] for l in open(sys.argv[1]) if l.startswith("{")] or [0]))' "$W/c.err")
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 17 ] || { echo "cancel: exit $rc"; cat "$W/c.err" | tail -5; exit 1; }
grep -q "keeps what was transcribed" "$W/c.err"
cid=$("$T" sessions --json | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("sessions",d) if isinstance(d,dict) else d; print([s["id"] for s in d if s["title"]=="cancelled"][0])')
expect 0 "$T" export "$cid" --format json
python3 - "$W/out" "$seen" <<'PY'
import json, sys
d, seen = json.load(open(sys.argv[1])), int(sys.argv[2])
assert d["segments"] and max(g["end_ms"] for g in d["segments"]) >= seen, (seen, d["segments"][-1:])
assert d["ended_ms"], "a cancelled import's meeting is ended"
PY
ls "$W/data/audio/$cid/chunk-000.wav" >/dev/null

# kill -9 mid-import: the segments stored so far survive (the meeting stays unfinished)
"$T" import "${A[@]}" "${L[@]}" --json --title killed "$W/meeting-full.wav" >"$W/k.out" 2>"$W/k.err" &
pid=$!
for _ in $(seq 1 600); do grep -q '"done":[1-9]' "$W/k.err" 2>/dev/null && break; sleep 0.2; done
seen=$(python3 -c 'import json,sys; print(max([json.loads(l)["done"] for l in open(sys.argv[1]) if l.startswith("{")] or [0]))' "$W/k.err")
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
kid=$("$T" sessions --json | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("sessions",d) if isinstance(d,dict) else d; print([s["id"] for s in d if s["title"]=="killed"][0])')
expect 0 "$T" export "$kid" --format json
python3 - "$W/out" "$seen" <<'PY'
import json, sys
d, seen = json.load(open(sys.argv[1])), int(sys.argv[2])
assert d["segments"] and max(g["end_ms"] for g in d["segments"]) >= seen, (seen, d["segments"][-1:])
PY
echo "cli_import_fold: ok"
