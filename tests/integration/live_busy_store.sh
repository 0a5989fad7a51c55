#!/usr/bin/env bash
# A live meeting is never ended by a busy store: `tacit live --pcm -` is fed 40 s of a
# spoken meeting (twice real time) while other writers use the same tacit.db: a process
# that holds BEGIN EXCLUSIVE for 15 s (standing in for a batch run), then a 100k-segment
# transcript import and the delete of a big meeting. Afterwards every final segment the
# meeting announced is in the store, no final was refused, the recording holds the audio
# fed (within 1 s) and the meeting ended normally (its stopped event, exit 0).
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d)
W=$TACIT_HOME
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"' EXIT

SHARED=${TACIT_SHARED:-../shared}
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ]; then echo "skip: ../shared models absent"; exit 77; fi
WM=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$WM" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$WM.tmp.$$" && mv "$WM.tmp.$$" "$WM"; fi

tools/make-meeting "$W/m.wav" 2>/dev/null
sox "$W/m.wav" -t raw -r 16000 -c 1 -e signed -b 16 "$W/m.raw" trim 0 40
FED=$(($(stat -c %s "$W/m.raw") / 32000))   # seconds of audio fed
# the transcripts the other writers import: 100k and 40k segments
python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
for name, n in (("big", 100000), ("old", 40000)):
    with open(f"{w}/{name}.txt", "w") as f:
        for i in range(n):
            f.write(f"Speaker{i % 4}: line {i} of the quarterly review, budget item {i * 7 % 1000} stays open.\n")
PY
"$T" import "$W/old.txt" >/dev/null 2>&1
old=$("$T" sessions --json | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("sessions",d) if isinstance(d,dict) else d; print(max(s["id"] for s in d))')
DB=$W/data/tacit.db

# the meeting: 40 s of audio over about 20 s
python3 - "$W/m.raw" <<'PY' | "$T" live --pcm - --no-analysis --json --asr-model "$WM" --vad-model "$VAD" \
	--no-fallback --no-partials --threads 2 >"$W/out" 2>"$W/err" &
import sys, time
data = open(sys.argv[1], "rb").read()
step = 3200  # 0.1 s
t0 = time.time()
for i in range(0, len(data), step):
    sys.stdout.buffer.write(data[i:i + step]); sys.stdout.flush()
    time.sleep(max(0, t0 + (i + step) / 64000 - time.time()))
PY
live=$!
pids+=("$live")
sleep 3
# a batch run holding the write lock for 15 s
python3 - "$DB" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN EXCLUSIVE")
db.execute("INSERT INTO settings (key, value) VALUES ('test.busy', 'x') ON CONFLICT(key) DO UPDATE SET value = 'y'")
time.sleep(15)
db.execute("COMMIT")
PY
lock=$!
pids+=("$lock")
wait "$lock" || { echo "the lock holder failed"; exit 1; }
# then, while the meeting goes on, a big import and the delete of a big meeting (one
# after the other: the delete's final index merge is still one long write)
"$T" import "$W/big.txt" >"$W/import.out" 2>&1 || { echo "the import failed: $(cat "$W/import.out")"; exit 1; }
"$T" delete --yes "$old" >"$W/delete.out" 2>&1 || { echo "the delete failed: $(cat "$W/delete.out")"; exit 1; }
rc=0; wait "$live" || rc=$?
[ "$rc" -eq 0 ] || { echo "tacit live exited $rc"; cat "$W/err"; exit 1; }
if grep -q "cannot store\|recording stopped\|database is locked" "$W/err" "$W/out"; then
	echo "the meeting lost data:"; grep "warning" "$W/err" "$W/out"; exit 1; fi

id=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["session"])' "$W/out")
"$T" export "$id" --format json >"$W/export.json"
python3 - "$W/out" "$W/export.json" "$W/data/audio/$id" "$FED" <<'PY'
import json, sys, os, wave
ev = [json.loads(l) for l in open(sys.argv[1])]
types = [e["type"] for e in ev]
assert types and types[-1] == "stopped", types[-3:]
finals = [e for e in ev if e["type"] == "final"]
assert [e["segment"] for e in finals] == list(range(1, len(finals) + 1)), "numbers out of order"
d = json.load(open(sys.argv[2]))
segs = d.get("segments") or d.get("session", {}).get("segments") or []
stored = {(round(s["start"], 2) if "start" in s else s.get("start_ms"), s["text"]) for s in segs}
texts = [s["text"] for s in segs]
for e in finals:
    assert e["text"] in texts, ("announced but not stored", e)
assert len(segs) == len(finals), (len(segs), len(finals))
secs = 0.0
for f in sorted(os.listdir(sys.argv[3])):
    with wave.open(os.path.join(sys.argv[3], f)) as w:
        secs += w.getnframes() / w.getframerate()
fed = float(sys.argv[4])
assert abs(secs - fed) <= 1.0, f"recording has {secs:.1f} s of {fed:.1f} s fed"
print(f"{len(finals)} finals stored, {secs:.1f} s recorded of {fed:.0f} s", file=sys.stderr)
PY
grep -q "database is busy" "$W/out" || echo "note: no final segment had to wait for the store"
echo ok
