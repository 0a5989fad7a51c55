#!/usr/bin/env bash
# tacit summarize/notes/ask/suggest on a stored meeting (by session id) with the shared
# stories260K: results are stored with the session, the second command (a new process)
# loads the saved transcript state, a meeting longer than the context keeps a state per
# window, and each failure has its own exit code and message:
# model missing 15, won't fit 18, out of memory (worker killed) 24, cancelled 17.
set -eu
T=${TACIT:?}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
unset TACIT_MODEL
d=$TACIT_HOME
M=../shared/models/stories260K.gguf
printf 'Alice: Let us ship the beta on Friday.\nBob: I will fix the login bug first.\nCarol: I write the release notes.\n' >"$d/standup.txt"
"$T" import "$d/standup.txt" >/dev/null 2>&1

expect_rc() { want=$1; shift; if "$@" >"$d/out" 2>"$d/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$d/err"; exit 1; }; }
expect_rc 2 "$T" summarize 0
expect_rc 2 "$T" ask 1
expect_rc 15 "$T" summarize 1
grep -q "no language model is downloaded: run 'tacit pull" "$d/err" || grep -q "tacit pull" "$d/err"
expect_rc 15 "$T" summarize 1 --model no-such-model
grep -q "no model named 'no-such-model'" "$d/err"
expect_rc 15 "$T" notes 99 --model /nonexistent.gguf
grep -q "session" "$d/err"

if [ ! -r "$M" ]; then echo "no ../shared/models/stories260K.gguf: skipping the model runs"; exit 77; fi
A="--model $M --ctx 1024 --threads 2 --max-tokens 300"
"$T" summarize 1 $A --json --verbose >"$d/summary.json" 2>"$d/err"
grep -q "transcript state saved" "$d/err"
"$T" ask 1 "who fixes the bug?" $A --verbose >"$d/answer.md" 2>"$d/err"
grep -q "transcript state loaded" "$d/err" || { echo "the saved state was not loaded"; cat "$d/err"; exit 1; }
"$T" suggest 1 $A --lang fr >/dev/null 2>&1
"$T" export 1 --format json >"$d/export.json"
python3 - "$d" <<'PY'
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
e = json.load(open(d + "/export.json"))
text = json.dumps(e)
assert "who fixes the bug?" in text, "the question is not stored"
assert s["title"] in text, "the summary is not stored"
assert "meeting-3" in text, "no prompt version"
PY

# a meeting longer than the context: a saved state per window, every one reused by the
# next task (a new process); a question is answered from the window holding its words
for i in $(seq 0 51); do
	echo "Speaker$((i % 3)): We went over item number $i and agreed to look at it again next week."
done >"$d/long.txt"
echo "Dana: The zebra budget needs approval before the offsite." >>"$d/long.txt"
"$T" import "$d/long.txt" >/dev/null 2>&1
L="--model $M --ctx 2048 --threads 2 --max-tokens 200"
"$T" suggest 2 $L --verbose >/dev/null 2>"$d/err"
n=$(grep -c 'info:   window [0-9]*: S' "$d/err" || true)
[ "$n" -ge 2 ] || { echo "expected several windows"; cat "$d/err"; exit 1; }
[ "$(ls "$TACIT_HOME"/cache/kv/session-2-*.kv | wc -l)" -eq "$n" ] ||
	{ echo "expected $n window states"; ls -l "$TACIT_HOME/cache/kv"; exit 1; }
"$T" ask 2 "what about the zebra budget?" $L --verbose >"$d/answer.md" 2>"$d/err"
grep -q "answering from window $n " "$d/err" || { echo "not answered from window $n"; cat "$d/err"; exit 1; }
[ "$(grep -c 'transcript state loaded' "$d/err")" -eq 1 ] || { echo "window state not loaded"; cat "$d/err"; exit 1; }
if grep -q 'transcript state saved' "$d/err"; then echo "a window state was decoded again"; cat "$d/err"; exit 1; fi
"$T" notes 2 $L --verbose >/dev/null 2>"$d/err"
[ "$(grep -c 'transcript state loaded' "$d/err")" -eq "$n" ] || { echo "not every window state loaded"; cat "$d/err"; exit 1; }
# another context makes other windows: the one the answer read is saved, the old ones go
"$T" ask 2 "what about the zebra budget?" --model "$M" --ctx 1536 --threads 2 --max-tokens 200 --verbose \
	>/dev/null 2>"$d/err"
grep -q "transcript state saved" "$d/err"
[ "$(ls "$TACIT_HOME"/cache/kv/session-2-*.kv | wc -l)" -eq 1 ] ||
	{ echo "superseded window states were left behind"; ls -l "$TACIT_HOME/cache/kv"; exit 1; }

# out of memory: the worker is killed mid-answer
TACIT_WORKER_TEST=1 TACIT_WORKER_TEST_CRASH=kill expect_rc 24 "$T" notes 1 $A
grep -q "out of memory" "$d/err"
# won't fit: a context far larger than the memory this process may use
case ${BUILD:-build} in
*san*) ;; # sanitizers reserve terabytes of address space: no address-space limit
*)
	(ulimit -v 3000000; expect_rc 18 "$T" notes 1 --model "$M" --ctx 16000000 --threads 2)
	grep -q "cannot allocate" "$d/err" ;;
esac
# cancelled: Ctrl-C once the model is answering
TACIT_WORKER_TEST=1 TACIT_WORKER_TEST_SLOW_MS=100 "$T" ask 1 "what ships?" $A --verbose >/dev/null 2>"$d/err" &
pid=$!
for _ in $(seq 600); do grep -q "plan:" "$d/err" && break; sleep 0.1; done
sleep 0.3
kill -INT $pid
if wait $pid; then rc=0; else rc=$?; fi
[ "$rc" -eq 17 ] || { echo "expected exit 17 after Ctrl-C, got $rc"; cat "$d/err"; exit 1; }
echo ok
