#!/usr/bin/env bash
# tacit batch: a folder of the shared QMSum transcripts, copies of jfk.wav (one under a
# name that is no media extension: found by content), a damaged recording and a broken
# transcript. Killed with kill -9 at a random point, then run again (with --jobs 2):
# every good file becomes exactly one meeting, the bad ones are failed with their reason
# in --status. Summaries and notes with the shared stories260K on a short transcript,
# written by the import's own fold (one model call, no second pass), and a run killed
# during that fold resumes with the meeting made once.
# Runs in `make test` only (it starts worker processes and loads models).
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d)
W=$TACIT_HOME
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT
unset TACIT_MODEL

expect() { want=$1; shift; if "$@" >"$W/out" 2>"$W/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$W/err"; exit 1; }; }

expect 2 "$T" batch
expect 2 "$T" batch --jobs 0 "$W"
expect 2 "$T" batch --status "$W"
"$T" --help | grep -q "^  batch "
"$T" batch --help | grep -q -- "--jobs N"

SHARED=${TACIT_SHARED:-../shared}
Q=$SHARED/data/qmsum-sample VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin
VAD=$SHARED/models/ggml-silero-v6.2.0.bin JFK=$SHARED/audio/jfk.wav LM=$SHARED/models/stories260K.gguf
for f in "$VOCAB" "$VAD" "$JFK" "$LM" "$Q/ES2002a.json"; do
	[ -r "$f" ] || { echo "skip: $f absent"; exit 77; }
done
M=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$M.tmp.$$" && mv "$M.tmp.$$" "$M"; fi
X=(--asr-model "$M" --vad-model "$VAD" --threads 1)

A=$W/archive
mkdir -p "$A/transcripts" "$A/audio/deeper"
cp "$Q"/*.json "$A/transcripts/"
sox "$JFK" "$A/audio/jfk1.wav" trim 0 3
cp "$A/audio/jfk1.wav" "$A/audio/deeper/jfk2.wav"
cp "$A/audio/jfk1.wav" "$A/audio/deeper/jfk3.rec"     # found by its content
head -c 4000 /dev/urandom >"$A/audio/broken.mp3"     # bad: fails at once
printf '{"meeting_transcripts": [' >"$A/transcripts/cut.json"
printf 'not a meeting\n' >"$A/README.md"             # neither: not taken
good=$(( $(ls "$Q"/*.json | wc -l) + 3 ))

expect 15 "$T" batch "${X[@]}" "$W/none"      # a path that is not there
grep -q "cannot open" "$W/err"

# kill -9 at a random point of the first run, then resume
"$T" batch "${X[@]}" --json "$A" >"$W/run1.json" 2>"$W/run1.err" &
p=$!; pids+=("$p")
# a random point: after k files (0..good-1), then a random fraction of a second more
k=$((RANDOM % good)) n=0
while [ "$(grep -c '"event"' "$W/run1.json" || true)" -lt "$k" ] && [ $n -lt 400 ] && kill -0 "$p" 2>/dev/null; do
	sleep 0.05; n=$((n + 1))
done
sleep "$(python3 -c 'import random; print(round(random.uniform(0, 0.6), 2))')"
kids=$(ps -o pid= --ppid "$p" || true)
kill -9 "$p" 2>/dev/null || true
wait "$p" 2>/dev/null || true
for k in $kids; do kill -9 "$k" 2>/dev/null || true; done
echo "killed after $(grep -c '"event":"done"' "$W/run1.json" || true) of $good files done"

# exit 1: this run failed a file; 0: the first run had already failed both bad ones
if "$T" batch "${X[@]}" --jobs 2 --json "$A" >"$W/run2.json" 2>"$W/run2.err"; then rc=0; else rc=$?; fi
[ "$rc" -eq 1 ] || [ "$rc" -eq 0 -a "$(grep -c '"event":"failed"' "$W/run1.json")" -eq 2 ] ||
	{ echo "resumed batch: exit $rc"; cat "$W/run2.err"; exit 1; }
grep -q "summaries and notes are skipped" "$W/run2.err"
[ "$(grep -c 'summaries and notes are skipped' "$W/run2.err")" -eq 1 ]
expect 0 "$T" batch --status --json
cp "$W/out" "$W/status.json"
"$T" sessions --json >"$W/sessions.json"
python3 - "$W" "$good" <<'PY'
import json, sys
w, good = sys.argv[1], int(sys.argv[2])
st = json.load(open(w + "/status.json"))
assert st["done"] == good and st["failed"] == 2 and st["queued"] == 0 and st["running"] == 0, st
bad = sorted(f["path"].rsplit("/", 1)[1] for f in st["failures"])
assert bad == ["broken.mp3", "cut.json"], bad
assert all(f["error"] and f["attempts"] == 1 for f in st["failures"]), st["failures"]
s = json.load(open(w + "/sessions.json"))
s = s.get("sessions", s) if isinstance(s, dict) else s
titles = sorted(x["title"] for x in s)
assert len(s) == good, ("meetings", len(s), "want", good, titles)
assert len(set(titles)) == len(titles), titles   # each file exactly once
PY
# a third run finds everything done
expect 0 "$T" batch "${X[@]}" --no-summary "$A"
grep -q "0 to process" "$W/err"

# a worker crash (whisper aborts once) is transient: retried after a backoff, then done
mkdir -p "$W/crash"
cp "$A/audio/jfk1.wav" "$W/crash/c.wav"
touch "$W/crash.flag"
TACIT_WORKER_TEST=1 TACIT_ASR_CRASH_ONCE="$W/crash.flag" "$T" batch "${X[@]}" --json --no-summary "$W/crash" >"$W/out" 2>"$W/err" ||
	{ cat "$W/out" "$W/err"; exit 1; }
[ ! -e "$W/crash.flag" ] || { echo "whisper did not crash"; exit 1; }
grep -q '"event":"retry".*"attempt":1' "$W/out" || { cat "$W/out"; exit 1; }
grep -q '"event":"done".*"attempt":2' "$W/out" || { cat "$W/out"; exit 1; }

# summaries and notes with the local model; --jobs above 1 needs --no-summary
mkdir -p "$W/small"
printf 'Alice: Let us ship the beta on Friday.\nBob: I will fix the login bug first.\n' >"$W/small/standup.txt"
expect 2 "$T" batch --model "$LM" --jobs 2 "$W/small"
"$T" -v batch --model "$LM" --ctx 2048 --max-tokens 300 --threads 2 "$W/small" >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; exit 1; }
id=$(sed -n 's/^done .*(meeting \([0-9]*\); language model: local)$/\1/p' "$W/out")
[ -n "$id" ] || { cat "$W/out"; exit 1; }
"$T" export "$id" --format json >"$W/export.json"
python3 - "$W/export.json" <<'PY'
import json, sys
kinds = sorted(a["kind"] for a in json.load(open(sys.argv[1]))["artifacts"])
# the import's fold wrote them (its rolling state is there), once each
assert kinds == ["notes", "rolling_summary", "summary"], kinds
PY
# one model call in all, the fold's (a summary after the import would make more, and
# log tacit_meeting_run()'s "call N:" lines)
[ "$(grep -c 'info: live \(map\|final\|fold\):' "$W/err")" -eq 1 ] || { cat "$W/err"; exit 1; }
! grep -q 'info: call [0-9]*:' "$W/err" || { cat "$W/err"; exit 1; }
! grep -q "warning" "$W/err" || { cat "$W/err"; exit 1; }

# killed -9 during a file's summary (the fold of its import): the meeting it was making
# was recorded when it was created, so the next run removes it and makes it again once
mkdir -p "$W/fold"
cp "$W/small/standup.txt" "$W/fold/a.txt"
"$T" -v batch --model "$LM" --ctx 2048 --max-tokens 300 --threads 1 "$W/fold" >"$W/f1.out" 2>"$W/f1.err" &
p=$!; pids+=("$p")
for _ in $(seq 1 300); do grep -q "live: summarizing" "$W/f1.err" 2>/dev/null && break; sleep 0.1; done
grep -q "live: summarizing" "$W/f1.err" || { echo "no fold began"; cat "$W/f1.err"; exit 1; }
kids=$(ps -o pid= --ppid "$p" || true)
kill -9 "$p" 2>/dev/null || true
wait "$p" 2>/dev/null || true
for k in $kids; do kill -9 "$k" 2>/dev/null || true; done
! grep -q '"done\|^done' "$W/f1.out" || { echo "the file was done before the kill"; exit 1; }
"$T" batch --model "$LM" --ctx 2048 --max-tokens 300 --threads 1 "$W/fold" >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; exit 1; }
grep -q "1 half-made meeting removed" "$W/err" || { cat "$W/err"; exit 1; }
"$T" sessions --json >"$W/sessions.json"
python3 - "$W/sessions.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s = s.get("sessions", s) if isinstance(s, dict) else s
assert [x["title"] for x in s].count("a") == 1, [x["title"] for x in s]
PY

# a recording: folded while whisper transcribes it (the import's fold), one meeting with
# its summary and notes, recorded with its job
mkdir -p "$W/rec"
cp "$A/audio/jfk1.wav" "$W/rec/r.wav"
"$T" batch "${X[@]}" --model "$LM" --ctx 2048 --max-tokens 300 --json "$W/rec" >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; exit 1; }
rid=$(python3 -c 'import json,sys; e=[json.loads(l) for l in open(sys.argv[1])]; d=[x for x in e if x["event"]=="done"]; assert len(d)==1 and d[0]["llm"]=="local", e; print(d[0]["session"])' "$W/out")
"$T" export "$rid" --format json >"$W/export.json"
python3 -c 'import json,sys; k=sorted(a["kind"] for a in json.load(open(sys.argv[1]))["artifacts"]); assert k==["notes","rolling_summary","summary"], k' "$W/export.json"
echo "cli_batch: ok"
