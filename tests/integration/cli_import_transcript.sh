#!/usr/bin/env bash
# tacit import TRANSCRIPT with a language model ends with its summary and notes stored,
# as a recording's import does: the stored transcript is folded by the live analysis
# (progress in segments), --no-summary stores the transcript only, and Ctrl-C (SIGTERM)
# during the analysis keeps the transcript, ended (exit 17). A 2-layer synthetic model:
# the mechanics are tested, not the words.
set -eu
. tests/integration/lib/import_env.sh
L=(--llm-model "$M" --ctx 2048 --window-tokens 60)
cat >"$W/standup.txt" <<'TXT'
Alice: Yesterday I finished the login page and merged the fix for the crash.
Bob: I reviewed the database migration and started on the export feature.
Alice: Today I will write the tests for the login page.
Bob: I am blocked on the staging server, it is down since Monday.
Carol: I will ask operations to restart the staging server this morning.
Alice: Then we ship the release on Friday if the tests pass.
TXT
artifacts() { "$T" export "$1" --format json >"$W/exp" && python3 - "$W/exp" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kinds = [(a["kind"], a.get("template")) for a in d["artifacts"]]
want = sys.argv[2]
if want == "none":
    assert not d["artifacts"] and d["segments"], kinds
else:
    assert ("summary", want) in kinds, kinds
    assert any(k == "notes" for k, _ in kinds), kinds
    assert "rolling_summary" in [k for k, _ in kinds], kinds
    assert sum(1 for k, _ in kinds if k == "summary") == 1, "one summary, from the fold: %s" % kinds
assert d["ended_ms"] and len(d["segments"]) == 6, d
PY
}

# summarized once stored: progress in segments, the summary and notes stored
expect 0 "$T" import "${L[@]}" --json "$W/standup.txt"
python3 - "$W/out" "$W/err" <<'PY'
import json, sys
res = json.loads(open(sys.argv[1]).read())
assert res["summary"] is True and res["segments"] == 6, res
prog = [json.loads(l) for l in open(sys.argv[2]) if l.startswith('{"event":"progress"')]
assert prog and all(p["phase"] == "summarize" and p["unit"] == "segments" and p["total"] == 6 for p in prog), prog
assert prog[0]["done"] == 0 and prog[-1]["done"] == 6, prog
assert any(0 < p["done"] < 6 for p in prog), "no fold before the stop: %s" % prog
PY
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"])' "$W/out")
artifacts "$id" general
expect 0 "$T" import "${L[@]}" "$W/standup.txt"
grep -q "summary and notes stored" "$W/out"

# --no-summary: the transcript only
expect 0 "$T" import --no-summary --json "$W/standup.txt"
nid=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"] is False, d; print(d["session"])' "$W/out")
artifacts "$nid" none

# Ctrl-C (SIGTERM) during the analysis: the transcript stays, the meeting ended
"$T" import "${L[@]}" --json --title cancelled "$W/standup.txt" >"$W/c.out" 2>"$W/c.err" &
pid=$!
for _ in $(seq 1 300); do grep -q '"phase":"summarize"' "$W/c.err" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 17 ] || { echo "cancel: exit $rc"; tail -5 "$W/c.err"; exit 1; }
grep -q "keeps its transcript" "$W/c.err"
cid=$("$T" sessions --json | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("sessions",d) if isinstance(d,dict) else d; print([s["id"] for s in d if s["title"]=="cancelled"][0])')
"$T" export "$cid" --format json >"$W/exp"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ended_ms"] and len(d["segments"]) == 6, d' "$W/exp"
echo "cli_import_transcript: ok"
