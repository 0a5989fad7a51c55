#!/usr/bin/env bash
# tacit import TRANSCRIPT with a language model ends with its summary and notes stored,
# as a recording's import does: the stored transcript is folded by the live analysis
# (progress in segments); a template (--template, else the device's default) and a
# language (--lang, else the meeting's: a French transcript here) are the fold's own,
# not a second pass, and tacit batch passes them on; --no-summary stores the transcript
# only, and Ctrl-C (SIGTERM) during the analysis keeps the transcript, ended (exit 17).
# A 2-layer synthetic model: the mechanics are tested, not the words.
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
artifacts() { "$T" export "$1" --format json >"$W/exp" && python3 - "$W/exp" "$2" "${3:-6}" <<'PY'
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
assert d["ended_ms"] and len(d["segments"]) == int(sys.argv[3]), d
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

# a template and a language are the fold's own: one summary and one notes, no second pass
one=(--llm-model "$M" --ctx 2048 --window-tokens 2000)
expect 0 "$T" import "${one[@]}" --template stand-up --json "$W/standup.txt"
sid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"])' "$W/out")
artifacts "$sid" stand-up
python3 - "$W/exp" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
arts = {a["kind"]: a for a in d["artifacts"] if a["kind"] in ("summary", "notes")}
s = arts["summary"]["json"]
assert s["template"] == "stand-up" and all(k in s for k in ("overview", "done", "next", "blockers")), s
for k in ("done", "next", "blockers"):
    for item in s[k]:
        assert item["speaker"] in ("Alice", "Bob", "Carol", "unassigned"), item
assert arts["notes"].get("template") == "stand-up" and arts["notes"]["json"]["sections"], arts["notes"]
PY
cat >"$W/point.txt" <<'TXT'
Alice: Bonjour à tous, nous avons fini la page de connexion hier et nous la livrons vendredi.
Bob: Je suis bloqué sur le serveur de test, il ne marche plus depuis lundi.
Claire: Je vais demander à l'équipe de le redémarrer ce matin, et je vous le dis.
Alice: Très bien, alors nous faisons les tests demain et nous parlons des résultats jeudi.
TXT
# the device's default template; the meeting's own language (read from its words)
expect 0 "$T" templates --default stand-up
expect 0 "$T" -v import "${one[@]}" --json "$W/point.txt"
grep -q "summarizing in 'fr' (the meeting's) with the template 'stand-up'" "$W/err"
fid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"])' "$W/out")
"$T" export "$fid" --format json >"$W/exp"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); k=[(a["kind"],a.get("template")) for a in d["artifacts"]]; assert ("summary","stand-up") in k and ("summary","general") not in k, k' "$W/exp"
# a language asked for, and a template named over the default
expect 0 "$T" -v import "${one[@]}" --template general --lang de --json "$W/point.txt"
grep -q "summarizing in 'de' (asked) with the template 'general'" "$W/err"
gid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"])' "$W/out")
artifacts "$gid" general 4
expect 0 "$T" templates --default general
expect 15 "$T" import "${one[@]}" --template no-such-template "$W/point.txt"
grep -q "no-such-template" "$W/err"

# tacit batch takes the template and the language too
expect 2 "$T" batch --no-summary --template stand-up "$W/standup.txt"
expect 15 "$T" batch --template no-such-template "$W/standup.txt"
grep -q "no-such-template" "$W/err"
mkdir -p "$W/batch" && cp "$W/standup.txt" "$W/batch/daily.txt"
expect 0 "$T" batch --model "$M" --ctx 2048 --max-tokens 320 --template stand-up --lang fr --json "$W/batch"
bid=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if "\"done\"" in l][-1]["session"])' "$W/out")
"$T" export "$bid" --format json >"$W/exp"
python3 - "$W/exp" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kinds = [(a["kind"], a.get("template")) for a in d["artifacts"]]
assert ("summary", "stand-up") in kinds and ("notes", "stand-up") in kinds and ("summary", "general") not in kinds, kinds
s = [a for a in d["artifacts"] if a["kind"] == "summary"][0]["json"]
assert all(k in s for k in ("done", "next", "blockers")), s
PY

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
