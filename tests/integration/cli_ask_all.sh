#!/usr/bin/env bash
# `tacit ask --all QUESTION` end to end on stored meetings with the shared stories260K
# (its words are noise: the mechanics, the JSON's shape and the exit codes are what is
# checked; retrieval and the citation check have unit tests in test_ask_all.c).
set -eu
T=${TACIT:?}
M=$(cd "$(dirname "$0")/../.." && pwd)/../shared/models/stories260K.gguf
[ -r "$M" ] || { echo "skip: no ../shared/models/stories260K.gguf"; exit 77; }
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
unset TACIT_MODEL
d=$TACIT_HOME
expect_rc() { want=$1; shift; if "$@" >"$d/out" 2>"$d/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$d/err"; exit 1; }; }

printf 'Alice: We pick the supplier Acme for the batteries.\nBob: Alice sends the contract by Friday.\n' >"$d/a.txt"
printf 'Carol: Good morning.\nDan: The budget is fine.\n' >"$d/b.txt"
"$T" import --title "Supplier review" "$d/a.txt" >/dev/null 2>&1
"$T" import --title "Budget" "$d/b.txt" >/dev/null 2>&1

# usage errors: no question, a meeting id with --all
expect_rc 2 "$T" ask --all
grep -q "needs a question" "$d/err"
expect_rc 2 "$T" ask --all 1 "what about the supplier?"
expect_rc 2 "$T" ask --all --top 0 "supplier"
"$T" ask --all --help | grep -q -- "--all"

# an answer from the one meeting that mentions the supplier
expect_rc 0 "$T" ask --all "what about the supplier?" --model "$M" --max-tokens 32 --json
python3 - "$d/out" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
assert r["question"] == "what about the supplier?"
assert [m["meeting"] for m in r["meetings"]] == [1], r["meetings"]
assert r["meetings"][0]["title"] == "Supplier review" and r["meetings"][0]["segments"] == [1, 2]
assert isinstance(r["answer"], str) and isinstance(r["dropped"], int) and r["grounded"] == bool(r["cites"])
# every citation left in the text names a retrieved line
for m, s in re.findall(r"\[M(\d+) S(\d+)\]", r["answer"]):
    assert int(m) == 1 and int(s) in (1, 2), (m, s)
PY
expect_rc 0 "$T" ask --all "what about the supplier?" --model "$M" --max-tokens 32
[ -s "$d/out" ]

# no meeting mentions it: not found (10 + 5), with the remedy
expect_rc 15 "$T" ask --all "zebra" --model "$M" --max-tokens 32
grep -q "tacit search" "$d/err"
# an answer that leaves no room for excerpts: context full (10 + 15)
expect_rc 25 "$T" ask --all "supplier" --model "$M" --ctx 256 --max-tokens 240
grep -q "smaller --max-tokens" "$d/err"
# a missing model names the flag
expect_rc 15 "$T" ask --all "supplier" --model "$d/none.gguf"

# filters: the question's own ("what did Dan say": his lines only, no other word left),
# explicit ones, and a date that is none
expect_rc 0 "$T" ask --all "what did Dan say today?" --model "$M" --max-tokens 32 --json
python3 - "$d/out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert [m["meeting"] for m in r["meetings"]] == [2], r["meetings"]
f = r["filters"]
assert f["speaker"] == "Dan" and f["date_phrase"] == "today" and f["since_ms"] > 0 and f["until_ms"] > f["since_ms"], f
PY
expect_rc 0 "$T" ask --all "the supplier" --speaker alice --since yesterday --model "$M" --max-tokens 32
grep -q "note: read only meetings from .*, lines by alice" "$d/err"
expect_rc 15 "$T" ask --all "the supplier" --until 2020-01-01 --model "$M" --max-tokens 32
grep -q "none of the meetings up to 2020-01-01 mentions the words" "$d/err"
expect_rc 15 "$T" ask --all "what did Dan say" --no-filters --model "$M" --max-tokens 32
expect_rc 2 "$T" ask --all "supplier" --since someday
grep -q "'someday' is not a date" "$d/err"

# search by meaning (tacit index; ask --all --embed) with stories260K as the embedding
# model (mean pooling; a trained model's lines lie apart, a random-weight encoder's do
# not): a question of stopwords only (no word to search) finds its line by meaning alone
E=$d/embed.gguf
cp "$M" "$E"
expect_rc 15 "$T" index
grep -q "tacit pull granite-embedding-30m" "$d/err"
expect_rc 2 "$T" index 3
expect_rc 0 "$T" index --embed "$E" --json
[ "$(cat "$d/out")" = '{"indexed":4}' ]
expect_rc 0 "$T" index --embed "$E"
grep -q "^0 line(s) indexed" "$d/out"
printf 'Erin: So it is.\nFrank: Right.\n' >"$d/c.txt"
"$T" import --title "Short" "$d/c.txt" >/dev/null 2>&1
expect_rc 15 "$T" ask --all "So it is." --model "$M" --max-tokens 16 --no-embed
# ask indexes the new meeting's lines first, then finds the line by meaning
expect_rc 0 "$T" ask --all "So it is." --embed "$E" --model "$M" --max-tokens 16 --json
grep -q '"phase":"index","done":2,"total":2' "$d/err"
python3 - "$d/out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["meetings"][0]["meeting"] == 3 and 1 in r["meetings"][0]["segments"], r["meetings"]
PY
expect_rc 2 "$T" ask --all "So it is." --embed "$E" --no-embed
expect_rc 15 "$T" ask --all "So it is." --embed "$d/none.gguf" --model "$M"
grep -q -- "--no-embed" "$d/err"

# the embedding model in place as 'tacit pull granite-embedding-30m' leaves it: import
# indexes the new meeting at once, and ask --all searches by meaning without --embed
mkdir -p "$TACIT_HOME/data/models"
cp "$E" "$TACIT_HOME/data/models/granite-embedding-30m-english-Q8_0.gguf"
printf 'Gina: So be it.\nHal: Fine.\n' >"$d/e.txt"
expect_rc 0 "$T" import --title "Shorter" "$d/e.txt" --json
grep -q '"phase":"index","done":8,"total":8' "$d/err"  # every line: another file is another model
expect_rc 0 "$T" ask --all "So be it." --model "$M" --max-tokens 16 --json
python3 - "$d/out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["meetings"][0]["meeting"] == 4, r["meetings"]
PY
expect_rc 15 "$T" ask --all "So be it." --model "$M" --max-tokens 16 --no-embed
