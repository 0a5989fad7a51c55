#!/usr/bin/env bash
# Summary templates from the command line: `tacit templates` lists built-in and custom
# ones (a broken file with its FILE:LINE), --template on summarize and live (the live
# analysis's own, in one pass), the device's default, and a stored meeting keeps one
# summary per template. The model is a
# generated 2-layer one (its words are noise; the schema and the speakers are not).
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
unset TACIT_MODEL
d=$TACIT_HOME
expect_rc() { want=$1; shift; if "$@" >"$d/out" 2>"$d/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$d/err"; exit 1; }; }

mkdir -p "$d/config/templates"
printf 'description: A design review\nsection: designs list Designs | the designs shown\nsection: owners per-speaker Owners | what each person owns\n' >"$d/config/templates/design.tmpl"
printf 'section: risks list Risks | risks\n\nsection: bogus table X | y\n' >"$d/config/templates/bad.tmpl"
expect_rc 0 "$T" templates
grep -q '^stand-up (built-in)' "$d/out"
grep -q 'done             per-speaker  what each person finished' "$d/out"
grep -q '^design (.*design.tmpl)' "$d/out"
grep -q "bad.tmpl:3: 'table' is not a section kind" "$d/out"
expect_rc 0 "$T" templates --json
python3 -c 'import json,sys; t={x["name"]:x for x in json.load(open(sys.argv[1]))}; assert len(t)==9 and t["general"]["default"] and "bad.tmpl:3:" in t["bad"]["error"] and t["design"]["sections"][1]["kind"]=="per-speaker"' "$d/out"
echo "Alice: hi" >"$d/x.txt"
expect_rc 14 "$T" summarize "$d/x.txt" --template bad --model /nonexistent.gguf
grep -q "bad.tmpl:3:" "$d/err"
expect_rc 15 "$T" templates --default nope
grep -q "no template 'nope'" "$d/err"
expect_rc 2 "$T" ask 1 "q" --template sales
expect_rc 0 "$T" templates --default design
expect_rc 0 "$T" templates
grep -q '^design \* ' "$d/out"
expect_rc 0 "$T" templates --default general

M=$BUILD/models/live-test.gguf
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"
	"$BUILD/tools/synth-model" --arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192 --out "$M.tmp.$$" --quiet && mv "$M.tmp.$$" "$M"; fi
printf 'Alice: I finished the login page yesterday.\nBob: I will review it today.\nAlice: I am blocked on the API keys.\nBob: Carol sends the keys by Friday.\n' >"$d/m.txt"
"$T" import "$d/m.txt" >/dev/null 2>&1
A=(--model "$M" --ctx 2048 --max-tokens 320)
expect_rc 0 "$T" summarize 1 "${A[@]}" --json
expect_rc 0 "$T" summarize 1 "${A[@]}" --template stand-up --json
python3 - "$d/out" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["template"] == "stand-up", s
for k in ("title", "overview", "done", "next", "blockers"):
    assert k in s, k
for k in ("done", "next", "blockers"):
    for item in s[k]:
        assert item["speaker"] in ("Alice", "Bob", "unassigned"), item
        assert all(1 <= c <= 4 for c in item["cites"]), item
PY
# the default template applies when none is named; both summaries stay stored
expect_rc 0 "$T" templates --default design
expect_rc 0 "$T" summarize 1 "${A[@]}" --json
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["template"]=="design"' "$d/out"
expect_rc 0 "$T" templates --default general
expect_rc 0 "$T" export 1 --format json
python3 - "$d/out" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
arts = [a for a in e["artifacts"] if a["kind"] == "summary"]
assert len(arts) == 3, arts
assert [a.get("template") for a in arts] == ["general", "stand-up", "design"], arts
PY
# a live meeting with a template: each fold asks for its sections, so the stop's summary
# and notes are the template's own, from the rolling state: one model call at the stop,
# no general summary and no second pass over the transcript (tacit_meeting_run()'s
# "call N:" lines); then the device's default applies when none is named
live_template() { # $1: the template the meeting's summary must have
	python3 - "$d/out" "$d/exp" "$1" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
stop = [e for e in ev if e["type"] == "stopped"][0]["data"]
assert stop["stop_model_calls"] == 1, stop
assert not [e for e in ev if e.get("event") == "template_summary"], ev[-1]
d = json.load(open(sys.argv[2]))
kinds = [(a["kind"], a.get("template")) for a in d["artifacts"] if a["kind"] in ("summary", "notes")]
assert ("summary", sys.argv[3]) in kinds and len(kinds) == 2, kinds
s = [a for a in d["artifacts"] if a["kind"] == "summary"][0]["json"]
want = {"sales": "objections", "stand-up": "blockers"}[sys.argv[3]]
assert want in s and "key_points" not in s, s
PY
}
expect_rc 0 "$T" -v live --replay "$d/m.txt" --speed 0 "${A[@]}" --template sales --json
! grep -q 'info: call [0-9]*:\|reading its transcript' "$d/err" || { cat "$d/err"; exit 1; }
lid=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if "\"stopped\"" in l][0]["session"])' "$d/out")
"$T" export "$lid" --format json >"$d/exp"
live_template sales
expect_rc 0 "$T" templates --default stand-up
expect_rc 0 "$T" live --replay "$d/m.txt" --speed 0 "${A[@]}" --json
lid=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if "\"stopped\"" in l][0]["session"])' "$d/out")
"$T" export "$lid" --format json >"$d/exp"
live_template stand-up
expect_rc 0 "$T" templates --default general
echo "templates: ok"
