#!/usr/bin/env bash
# `tacit actions`: the listing (text and JSON), its filters and their usage errors, and
# `tacit actions done ID` on items the summaries of a generated 2-layer model give (its
# words are noise; whether it writes action items is its choice, the mechanics are not).
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
unset TACIT_MODEL
d=$TACIT_HOME
expect_rc() { want=$1; shift; if "$@" >"$d/out" 2>"$d/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$d/err"; exit 1; }; }

expect_rc 0 "$T" actions
grep -q "no action items" "$d/err"
expect_rc 0 "$T" actions --json
[ "$(cat "$d/out")" = "[]" ]
expect_rc 2 "$T" actions --since yesterday
grep -q "needs a date like" "$d/err"
expect_rc 2 "$T" actions done
expect_rc 2 "$T" actions done abc
expect_rc 15 "$T" actions done 42
grep -q "no action item 42" "$d/err"
expect_rc 2 "$T" actions --bogus

M=$BUILD/models/live-test.gguf
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"
	"$BUILD/tools/synth-model" --arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192 --out "$M.tmp.$$" --quiet && mv "$M.tmp.$$" "$M"; fi
printf 'Alice: Bob sends the report by Friday.\nBob: Yes, and Alice books the room.\n' >"$d/m.txt"
"$T" import "$d/m.txt" >/dev/null 2>&1
for tp in general sales planning; do
	expect_rc 0 "$T" summarize 1 --model "$M" --ctx 2048 --max-tokens 320 --template $tp --json
done
# and one summary with known items, written straight into the store (the model above
# may write none)
python3 - "$d/data/tacit.db" <<'PY'
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
s = {"title": "t", "overview": "", "key_points": [], "decisions": [], "open_questions": [], "dropped": 0,
     "action_items": [{"owner": "Bob", "task": "Send the report.", "due": "Friday", "cites": [1]},
                      {"owner": "Alice", "task": "Book the room", "due": "", "cites": [2]}]}
db.execute("INSERT INTO artifacts (session_id, kind, json, model, created_ms, template) VALUES (1, 'summary', ?, 'x', ?, 'general')",
           (json.dumps(s), int(time.time() * 1000)))
db.commit()
PY
expect_rc 0 "$T" actions --owner BOB
grep -q "Bob: Send the report. (due Friday)  - meeting 1 " "$d/out"
expect_rc 0 "$T" actions --json
n=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert all(x["session"]==1 and not x["done"] for x in a); print(len(a))' "$d/out")
echo "action items listed: $n"
if [ "$n" -gt 0 ]; then
	id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$d/out")
	expect_rc 0 "$T" actions done "$id"
	expect_rc 0 "$T" actions --open --json
	python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert all(x["id"]!=int(sys.argv[2]) for x in a)' "$d/out" "$id"
	expect_rc 0 "$T" actions
	grep -q "^ *$id \[x\]" "$d/out"
	expect_rc 0 "$T" actions done "$id" --undo
	expect_rc 0 "$T" actions --open
	grep -q "^ *$id \[ \]" "$d/out"
fi
expect_rc 0 "$T" actions --since 2000-01-01 --owner nobody-at-all
grep -q "no action items match" "$d/err"
echo "actions: ok"
