#!/usr/bin/env bash
# A full disk during a live meeting (tests/tools/faultfs.c, an LD_PRELOAD shim, makes
# writes fail with ENOSPC): on the recording, one warning says where the recording
# stopped, the WAV keeps its durable part with a header that says so, and the meeting
# goes on to its stop; on the database, the failure is reported and every segment the
# meeting announced is in the store after it.
set -eu
. tests/integration/lib/faults.sh
tools/make-meeting "$W/meeting-full.wav" 2>/dev/null
sox "$W/meeting-full.wav" "$W/meeting.wav" trim 0 12
"$T" sessions >/dev/null 2>&1 # the store exists before the faults begin

# segments announced in events file $1 are all stored in meeting $2
stored_all() {
	"$T" export "$2" --format json >"$W/export.json"
	python3 - "$1" "$W/export.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
finals = [e for e in ev if e["type"] == "final"]
d = json.load(open(sys.argv[2]))
segs = d.get("segments") or d.get("session", {}).get("segments") or []
texts = [s.get("text") for s in segs]
for f in finals:
    assert f["text"] in texts, ("announced but not stored", f)
PY
}

# 1. the audio's disk fills after ~5 s of audio (44-byte header + 160000 bytes)
LIMIT=160044
if LD_PRELOAD=$W/faultfs.so TACIT_FAULT_PATH=/audio/ TACIT_FAULT_ENOSPC_AFTER=$LIMIT \
	"$T" live "${A[@]}" --realtime "$W/meeting.wav" --speed 8 --json >"$W/out" 2>"$W/err"; then :; else
	echo "a full disk for the audio failed the meeting"; cat "$W/err"; exit 1; fi
id=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][-1]["session"])' "$W/out")
python3 - "$W/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
warn = [e["text"] for e in ev if e["type"] == "warning"]
assert len(warn) == 1, warn
assert warn[0].startswith("the disk is full: the recording stopped at 0:0"), warn
assert "the transcript goes on" in warn[0], warn
assert ev[-1]["type"] == "stopped", ev[-1]
PY
wav=$(ls "$W"/data/audio/"$id"/chunk-*.wav)
python3 - "$wav" "$LIMIT" <<'PY'
import sys, wave, os
path, limit = sys.argv[1], int(sys.argv[2])
with wave.open(path) as w:
    assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
    frames = w.getnframes()
size = os.path.getsize(path)
assert frames > 0 and 44 + frames * 2 == size, (frames, size)  # the header says what is there
assert size <= limit and frames >= 16000 * 2, (size, frames)     # kept up to the last sync
PY
"$T" sessions --json | python3 -c '
import json, sys
d = json.load(sys.stdin); d = d.get("sessions", d) if isinstance(d, dict) else d
s = [s for s in d if s["id"] == int(sys.argv[1])][0]
assert s.get("ended_ms", s.get("ended", 1)), s' "$id"
stored_all "$W/out" "$id"

# 2. the database's disk fills mid-meeting: the failure is reported, nothing announced is lost
if LD_PRELOAD=$W/faultfs.so TACIT_FAULT_PATH=tacit.db TACIT_FAULT_ENOSPC_AFTER=40000 \
	"$T" live "${A[@]}" --realtime "$W/meeting.wav" --speed 8 --json >"$W/out2" 2>"$W/err2"; then
	echo "a full disk for the database was not reported"; cat "$W/err2"; exit 1; fi
grep -Eq "disk is full|free some disk space" "$W/err2" || { echo "no clear failure:"; cat "$W/err2"; exit 1; }
id2=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["session"])' "$W/out2")
[ "$id2" != "$id" ]
stored_all "$W/out2" "$id2"
wav=$(ls "$W"/data/audio/"$id2"/chunk-*.wav)
python3 -c 'import sys, wave; wave.open(sys.argv[1]).getnframes()' "$wav" # repaired at the open
echo ok
