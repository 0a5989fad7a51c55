#!/usr/bin/env bash
# tacit summarize/notes/ask/suggest on a transcript file with the shared stories260K:
# --json is valid JSON of the right shape, Markdown by default, and each failure has its
# own exit code (usage 2, transcript or model missing 15 with what to do, not a model 21).
set -eu
T=${TACIT:?}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
M=../shared/models/stories260K.gguf
F=$TACIT_HOME/meeting.txt
printf 'Alice: Let us ship the beta on Friday.\nBob: I will fix the login bug first.\nCarol: I write the release notes.\n' >"$F"

expect_rc() { want=$1; shift; if "$@" >"$TACIT_HOME/out" 2>"$TACIT_HOME/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$TACIT_HOME/err"; exit 1; }; }
expect_rc 2 "$T" summarize
expect_rc 2 "$T" summarize "$F" --bogus
expect_rc 2 "$T" ask "$F"
expect_rc 2 "$T" notes "$F" --max-tokens zero
expect_rc 15 env -u TACIT_MODEL "$T" summarize "$F"
grep -q "no language model is downloaded: run .tacit setup., or .tacit pull .*, or pass --model FILE" "$TACIT_HOME/err"
expect_rc 15 "$T" summarize "$F" --model /nonexistent.gguf
grep -q "model file '/nonexistent.gguf' does not exist" "$TACIT_HOME/err"
expect_rc 15 "$T" summarize "$TACIT_HOME/none.txt" --model /nonexistent.gguf
printf 'GGUF junk' >"$TACIT_HOME/junk.gguf"
expect_rc 21 "$T" summarize "$F" --model "$TACIT_HOME/junk.gguf"

if [ ! -r "$M" ]; then echo "no ../shared/models/stories260K.gguf: skipping the model runs"; exit 77; fi
A="--model $M --ctx 1024 --threads 2"
for cmd in summarize notes suggest; do
	"$T" $cmd "$F" $A --max-tokens 360 --json >"$TACIT_HOME/$cmd.json"
done
"$T" ask "$F" "who fixes the bug?" $A --max-tokens 200 --json >"$TACIT_HOME/ask.json"
python3 - "$TACIT_HOME" <<'PY'
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/summarize.json"))
for k in ("title", "overview", "key_points", "decisions", "action_items", "open_questions", "dropped"):
    assert k in s, k
for sec in json.load(open(d + "/notes.json"))["sections"]:
    assert 1 <= sec["start"] <= sec["end"] <= 3 and sec["bullets"], sec
    for b in sec["bullets"]:
        assert b["cites"] and all(1 <= c <= 3 for c in b["cites"]), b
a = json.load(open(d + "/ask.json"))
assert isinstance(a["answer"], str) and isinstance(a["grounded"], bool)
for sg in json.load(open(d + "/suggest.json"))["suggestions"]:
    assert sg["kind"] in ("question", "follow_up", "risk", "idea") and sg["cites"]
PY
"$T" summarize "$F" $A --max-tokens 360 | head -n 1 | grep -q '^# '
"$T" notes "$F" $A --max-tokens 360 --verbose 2>&1 >/dev/null | grep -q "plan: 3 segments"
echo ok
