#!/usr/bin/env bash
# tacit live: usage errors exit 2; a replayed transcript gives a rolling summary, an
# answer and a final summary stored in the session; the suggestions notice shows once;
# a spoken meeting (tools/make-meeting) played in real time (sped up) is transcribed by
# the random-weight whisper and recorded; kill -9 mid-meeting keeps every announced
# segment and the audio, and --resume continues the meeting to its summary. `tacit ask
# --live ID` asks a meeting running in another process (streamed text, --json, usage
# errors, "no live meeting" when none runs); a second Ctrl-C aborts a slow stop and the
# meeting resumes; the stopped event says what the stop did and where its time went
# (--verbose prints it); --no-stop leaves the meeting unfinished for a later --resume;
# without --json the stop prints the notes after the summary; meter events (levels, lag,
# state) in --json and the status line on a terminal.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
W=$TACIT_HOME

expect() { want=$1; shift; if "$@" >"$W/out" 2>"$W/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$W/err"; exit 1; }; }
expect 2 "$T" live
expect 2 "$T" live --pcm file.raw
expect 2 "$T" live --replay a.txt --realtime b.wav
expect 2 "$T" live --replay a.txt --no-analysis
expect 2 "$T" live --replay a.txt --speed fast
expect 2 "$T" live --replay a.txt --suggest=0
expect 2 "$T" live --replay a.txt --resume abc
expect 15 "$T" live --replay a.txt --model "$W/none.gguf"     # no such model: before any session
"$T" sessions --json | python3 -c 'import json,sys; assert json.load(sys.stdin) in ([], {"sessions": []})' 2>/dev/null ||
	[ -z "$("$T" sessions 2>/dev/null | grep -v '^no ' || true)" ]

M=$BUILD/models/live-test.gguf
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"
	"$BUILD/tools/synth-model" --arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192 --out "$M.tmp.$$" --quiet && mv "$M.tmp.$$" "$M"; fi
L=(--model "$M" --ctx 2048 --max-tokens 320 --window-tokens 200)

# a replayed meeting: rolling folds during it, an answer, the final summary and notes
for i in $(seq 1 6); do echo "Speaker$((i % 3)): Item $i: we agreed the budget for part $i stays at $((i * 100)) euros."; done >"$W/m.txt"
expect 0 "$T" live "${L[@]}" --replay "$W/m.txt" --speed 0 --ask "What is the budget?" --json
python3 - "$W/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
types = [e["type"] for e in ev]
assert types.count("final") == 6, types
assert [e["segment"] for e in ev if e["type"] == "final"] == list(range(1, 7))
assert "summary" in types and "answer" in types, types
assert types[-1] == "stopped", types
st = ev[-1]["data"]
assert st["segments"] == 6 and st["windows"] >= 2 and st["summary"]["key_points"] is not None, st
# what the stop did: the last window folded in one call that read and wrote tokens
assert st["stop_folds"] == 1 and st["stop_model_calls"] >= 1, st
assert st["stop_read_tokens"] > 0 and st["stop_generated_tokens"] > 0, st
PY
id=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][-1]["session"])' "$W/out")
expect 0 "$T" export "$id" --format json
python3 - "$W/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = json.dumps(d)
assert '"summary"' in s and '"notes"' in s and '"rolling_summary"' in s, s[:500]
PY
# without --json the stop prints the summary, then the notes
expect 0 "$T" live "${L[@]}" --replay "$W/m.txt" --speed 0
python3 - "$W/out" <<'PY'
import sys
text = open(sys.argv[1]).read()
lines = text.splitlines()
notes = lines.index("# Notes")
assert notes > 0 and any(l.startswith("# ") for l in lines[:notes]), text  # the summary's title first
assert any(l.startswith("## ") for l in lines[notes:]), text                 # a section per window
PY

head -n 1 "$W/m.txt" >"$W/one.txt"
# --no-stop leaves the meeting unfinished; --resume goes on with it to its summary
expect 0 "$T" live "${L[@]}" --replay "$W/one.txt" --speed 0 --no-stop --json
grep -q "stays unfinished" "$W/err" || { echo "--no-stop: no notice"; cat "$W/err"; exit 1; }
! grep -q '"type":"stopped"' "$W/out" || { echo "--no-stop stopped the meeting"; exit 1; }
id=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][-1]["session"])' "$W/out")
expect 0 "$T" live "${L[@]}" --resume "$id" --replay "$W/one.txt" --speed 0 --json --verbose
python3 - "$W/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev[-1]["type"] == "stopped" and ev[-1]["data"]["segments"] == 2, ev[-1]
# the stop says where its time went: no phase negative, none beyond the whole
d = ev[-1]["data"]; p = d["phases"]
parts = [p["wait_ms"], p["catch_up_ms"], p["state_ms"], p["prompt"]["ms"], p["generation"]["ms"], p["fold_ms"],
         p["store_ms"], p["other_ms"]]
assert all(x >= 0 for x in parts) and abs(sum(parts) - d["stop_ms"]) <= 8, (d["stop_ms"], p)
assert p["prompt"]["tokens"] > 0 and p["generation"]["tokens"] > 0, p
PY
# --verbose prints the phases at the stop
grep -q "the stop took" "$W/err" && grep -q "generation .* grammar rejections" "$W/err" || {
	echo "--verbose: no phases"; cat "$W/err"; exit 1; }
# questions to a meeting running in another process: tacit ask --live
expect 2 "$T" ask --live abc "Q"
expect 2 "$T" ask --live 1
expect 2 "$T" ask --live 1 "Q" --model "$M"
expect 2 "$T" summarize --live 1
expect 15 "$T" ask --live 99 "What is the budget?"
grep -q "no live meeting '99' is running on this device; start one with 'tacit live' or ask after it ends with 'tacit ask 99'" "$W/err"
for i in $(seq 1 40); do echo "Speaker$((i % 3)): Item $i: we agreed the budget for part $i stays at $((i * 100)) euros."; done >"$W/long.txt"
# waits (up to a minute: a slow machine is not a failure) for a line in a file
await() { for _ in $(seq 1 600); do grep -q "$1" "$2" 2>/dev/null && return 0; kill -0 "$3" 2>/dev/null || break; sleep 0.1; done
	grep -q "$1" "$2" 2>/dev/null || { echo "never saw '$1' in $2"; cat "$2"; exit 1; }; }
"$T" live "${L[@]}" --replay "$W/long.txt" --speed 1 >"$W/lout" 2>"$W/lerr" &
lpid=$!
await "is live" "$W/lerr" "$lpid"
lid=$(sed -n "s/^tacit: meeting \([0-9]*\) is live.*/\1/p" "$W/lerr")
grep -q "tacit ask --live $lid" "$W/lerr"
[ "$(stat -c %a "$W/data/live")" = 700 ] || { echo "the socket directory is not private"; exit 1; }
[ "$(stat -c %a "$W/data/live/tacit-$lid.sock")" = 600 ] || { echo "the socket is not private"; exit 1; }
expect 0 "$T" ask --live "$lid" "What is the budget?"
[ -s "$W/out" ] || { echo "no answer printed"; exit 1; }
expect 0 "$T" ask --live "$lid" "Who spoke?" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "answer" in d and "grounded" in d, d' "$W/out"
kill -INT "$lpid"; wait "$lpid" || { echo "tacit live failed after Ctrl-C"; cat "$W/lerr"; exit 1; }
grep -q "meeting $lid ended" "$W/lerr"
[ ! -e "$W/data/live/tacit-$lid.sock" ] || { echo "socket left behind"; exit 1; }
expect 15 "$T" ask --live "$lid" "Still there?"
"$T" export "$lid" --format json | grep -q "Who spoke?"

# a second Ctrl-C aborts a slow stop: the meeting stays unfinished and resumes
TACIT_WORKER_TEST=1 TACIT_WORKER_TEST_SLOW_MS=200 "$T" live "${L[@]}" --window-tokens 2000 --replay "$W/long.txt" \
	--speed 1 >"$W/lout" 2>"$W/lerr" &
lpid=$!
await "is live" "$W/lerr" "$lpid"
await "Item 1:" "$W/lout" "$lpid"
lid=$(sed -n "s/^tacit: meeting \([0-9]*\) is live.*/\1/p" "$W/lerr")
kill -INT "$lpid"
await "finishing" "$W/lerr" "$lpid"
kill -INT "$lpid"
if wait "$lpid"; then rc=0; else rc=$?; fi
[ "$rc" = 130 ] || { echo "expected exit 130 after an abort, got $rc"; cat "$W/lerr"; exit 1; }
grep -q "stopping meeting $lid was aborted" "$W/lerr"
expect 0 "$T" live "${L[@]}" --resume "$lid" --replay "$W/one.txt" --speed 0 --json
tail -n 1 "$W/out" | grep -q '"type":"stopped"'

# the suggestions notice: once per device
head -n 1 "$W/m.txt" >"$W/one.txt"
# --no-stop leaves the meeting unfinished; --resume goes on with it to its summary
expect 0 "$T" live "${L[@]}" --replay "$W/one.txt" --speed 0 --no-stop --json
grep -q "stays unfinished" "$W/err" || { echo "--no-stop: no notice"; cat "$W/err"; exit 1; }
! grep -q '"type":"stopped"' "$W/out" || { echo "--no-stop stopped the meeting"; exit 1; }
id=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][-1]["session"])' "$W/out")
expect 0 "$T" live "${L[@]}" --resume "$id" --replay "$W/one.txt" --speed 0 --json
python3 - "$W/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev[-1]["type"] == "stopped" and ev[-1]["data"]["segments"] == 2, ev[-1]
PY
expect 0 "$T" live "${L[@]}" --replay "$W/one.txt" --speed 0 --suggest=30
grep -q "Automatic Suggestions run the AI continuously during a session" "$W/err"
expect 0 "$T" live "${L[@]}" --replay "$W/one.txt" --speed 0 --suggest=30
if grep -q "Automatic Suggestions" "$W/err"; then echo "notice shown twice"; exit 1; fi

SHARED=${TACIT_SHARED:-../shared}
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ]; then echo "skip: ../shared models absent (speech part)"; exit 77; fi
WM=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$WM" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$WM.tmp.$$" && mv "$WM.tmp.$$" "$WM"; fi
A=(--asr-model "$WM" --vad-model "$VAD" --no-fallback --no-partials --threads 2)
tools/make-meeting "$W/meeting-full.wav" 2>/dev/null
sox "$W/meeting-full.wav" "$W/meeting.wav" trim 0 8

# real time (sped up) end to end: events are JSON lines, the audio is recorded
expect 0 "$T" live "${A[@]}" "${L[@]}" --realtime "$W/meeting.wav" --speed 4 --json
python3 - "$W/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev and ev[-1]["type"] == "stopped", ev[-3:]
for e in ev:
    if e["type"] == "final":
        assert 0 <= e["start"] <= e["end"] <= 9.5 and "lag_ms" in e, e
# the meter, about once a second while audio comes: levels, lag, the model's state
meters = [e for e in ev if e["type"] == "meter"]
assert meters and ev.index(meters[-1]) < len(ev) - 1, types
for m in meters:
    assert m["text"] in ("listening", "analysing", "paused") and m["lag"] >= 0 and 0 <= m["audio"] <= 9.5, m
    for lv in m["levels"]:
        assert lv["speaker"] == "" and -100 <= lv["rms_dbfs"] <= lv["peak_dbfs"] <= 0, m
assert any(m["levels"] and m["levels"][0]["rms_dbfs"] > -60 for m in meters), meters  # speech is heard
PY

ls "$W"/data/audio/*/chunk-*.wav >/dev/null

# kill -9 mid-meeting: every announced segment and the audio survive; --resume continues
"$T" live "${A[@]}" --no-analysis --realtime "$W/meeting-full.wav" --speed 1 --json >"$W/killed" 2>"$W/kerr" &
pid=$!
# this meeting's own chunks (earlier meetings of this test have theirs in data/audio too):
# its id is in the first event; kill once 10 s of its audio are on disk, well before the
# 65 s meeting ends (up to a minute's wait on a loaded machine)
kid=
for _ in $(seq 1 300); do
	[ -n "$kid" ] || kid=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["session"])' "$W/killed" 2>/dev/null || true)
	if [ -n "$kid" ] && ls "$W"/data/audio/"$kid"/chunk-*.wav >/dev/null 2>&1; then
		[ "$(stat -c %s $(ls -t "$W"/data/audio/"$kid"/chunk-*.wav | head -n 1))" -gt 320000 ] && break
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.2
done
kill -0 "$pid" 2>/dev/null || { echo "the meeting ended before it could be killed:"; cat "$W/kerr"; exit 1; }
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
[ -n "$kid" ] || { echo "the killed meeting announced no session:"; cat "$W/killed" "$W/kerr"; exit 1; }
announced=$(grep -c '"type":"final"' "$W/killed" || true)
expect 0 "$T" export "$kid" --format json
python3 - "$W/out" "$announced" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
segs = d.get("segments") or d.get("session", {}).get("segments") or []
assert len(segs) >= int(sys.argv[2]), (len(segs), sys.argv[2])
PY
chunk=$(ls "$W"/data/audio/"$kid"/chunk-*.wav | head -n 1)
[ "$(stat -c %s "$chunk")" -gt 64000 ] || { echo "no audio kept after kill -9"; exit 1; }
expect 0 "$T" live "${L[@]}" --resume "$kid" --replay "$W/one.txt" --speed 0 --json
python3 - "$W/out" "$announced" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
finals = [e for e in ev if e["type"] == "final"]
assert finals[0]["segment"] == int(sys.argv[2]) + 1 or int(sys.argv[2]) == 0 or finals[0]["segment"] > int(sys.argv[2]), finals[0]
assert ev[-1]["type"] == "stopped" and ev[-1]["data"]["segments"] >= 1, ev[-1]
PY
expect 2 "$T" live "${L[@]}" --resume "$kid" --replay "$W/m.txt"   # ended: not resumable
grep -q "has ended" "$W/err"

# on a terminal: a status line (elapsed, level, lag, state) within a second or two of the
# start, redrawn while the meeting runs, gone before the meeting's last lines
python3 "$(dirname "$0")/lib/pty_run.py" --first \
	'\r\d\d:\d\d:\d\d  (starting|\[[#.]+\] +-?\d+ dB  lag \d+\.\d s  (listening|analysing|paused for transcription))' \
	-- "$T" live "${A[@]}" --no-analysis --realtime "$W/meeting.wav" --speed 2 >"$W/pty.json"
python3 - "$W/pty.json" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
text = r["text"]
assert r["exit"] == 0, text
assert r["first"] is not None and r["first"] < 2.5, (r["first"], text)
assert re.search(r"\r\d\d:\d\d:\d\d  \[[#.]+\] +-?\d+ dB  lag ", text), text
assert text.rstrip().endswith("ended"), text[-300:]
PY
echo ok
