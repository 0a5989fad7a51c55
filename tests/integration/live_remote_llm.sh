#!/usr/bin/env bash
# A live meeting's analysis on an OpenAI-style server without grammars (lib/fake_llm.py,
# as vLLM or Ollama): every call (the rolling summaries, the fold of the overview,
# suggestions, the final summary) goes as response_format json_schema, with
# the map call's "part" in its schema, never a grammar; the answers that follow the
# schema are stored, and so are answers whose strings a server padded with U+FFFD past
# the schema's length (the marks are dropped). A server that answers words instead of
# JSON, or JSON outside the schema (a string not a string, a string too long), gives warnings naming the host and the place, the stop fails with that error,
# no summary or notes are stored and the meeting stays unfinished; the transcript is kept. A server that refuses the prefill (a plain
# one-token call) costs one warning per segment at most, and the meeting goes on.
set -eu
T=${TACIT:?}
. tests/integration/lib/servers.sh

for i in $(seq 1 12); do
	echo "Speaker$((i % 3)): Item $i: we agreed the budget for part $i stays at $((i * 100)) euros this year."
done >"$W/m.txt"
# an idle machine, as far as the suggestions' load check sees (--sysroot: its /proc)
mkdir -p "$W/root/proc"; echo "0.00 0.00 0.00 1/100 1" >"$W/root/proc/loadavg"
LIVE=("$T" live --replay "$W/m.txt" --max-tokens 320 --window-tokens 120 --sysroot "$W/root" --json)
fail() { echo "$1"; for f in "${@:2}"; do echo "--- $f"; cat "$f"; done; exit 1; }

start() { # MODE: a server on a new port ($U), its requests logged in $W/req.MODE
	local port; port=$(free_port)
	python3 tests/integration/lib/fake_llm.py "$1" "$port" "$W/req.$1" >/dev/null 2>&1 & PIDS+=($!)
	U=http://127.0.0.1:$port
	wait_up "$U/v1/models"
}

# 1. answers that follow the schema: rolling summaries, suggestions, the stop's summary
start ok
timeout 300 "${LIVE[@]}" --engine "$U" --speed 3 --suggest=2 >"$W/out1" 2>"$W/err1" ||
	fail "the meeting failed" "$W/err1"
python3 - "$W/out1" "$W/req.ok" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
types = [e["type"] for e in ev]
assert types[-1] == "stopped", types
assert types.count("summary") >= 2, types           # rolling summaries, then the stop's
assert "suggestion" in types, types
assert not [e for e in ev if e["type"] == "warning"], [e["text"] for e in ev if e["type"] == "warning"]
st = ev[-1]["data"]
assert st["summary"]["title"] == "ok", st["summary"]
reqs = [json.loads(l) for l in open(sys.argv[2])]
assert len(reqs) >= 4, len(reqs)
for r in reqs:  # all but the prefill (one token into the server's cache) have a schema
    assert "grammar" not in r and (r["max_tokens"] == 1 or r["response_format"]["type"] == "json_schema"), r
schemas = [r["response_format"]["json_schema"]["schema"] for r in reqs if r["max_tokens"] > 1]
tops = [tuple(s["required"]) for s in schemas]
assert any(t[0] == "part" and "key_points" in t for t in tops), tops     # the map call's part
assert ("title", "overview") in tops, tops                               # the fold of the overview
assert any("suggestions" in t for t in tops), tops
print("ok: %d calls, all json_schema: %s" % (len(reqs), sorted(set(t[0] for t in tops))))
PY
id=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][-1]["session"])' "$W/out1")
"$T" export "$id" --format json --output "$W/e1.json" >/dev/null
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); k=[a["kind"] for a in d["artifacts"]]; assert "summary" in k and "notes" in k, k' "$W/e1.json" ||
	fail "the summary is not stored" "$W/e1.json"

# 1b. strings padded with U+FFFD past the schema's length (a server's malformed UTF-8): the
# marks are dropped and the answers kept
start fffd
timeout 300 "${LIVE[@]}" --engine "$U" --speed 0 >"$W/out.fffd" 2>"$W/err.fffd" ||
	fail "a meeting whose answers had U+FFFD past the schema's length failed" "$W/err.fffd"
python3 -c 'import json,sys; e=[json.loads(l) for l in open(sys.argv[1])]; s=e[-1]["data"]["summary"]; assert e[-1]["type"] == "stopped" and s["title"] == "ok", s' \
	"$W/out.fffd" || fail "the U+FFFD answers were not kept whole" "$W/out.fffd"

# 2. text that is not JSON, then JSON outside the schema: warnings, a failed stop, no summary
for mode in text wrong long noplain; do
	start $mode
	if timeout 300 "${LIVE[@]}" --engine "$U" --speed 0 >"$W/out.$mode" 2>"$W/err.$mode"; then rc=0; else rc=$?; fi
	host=${U#http://}
	if [ $mode = noplain ]; then # the prefill refused: one warning per segment at most, and the meeting goes on
		[ "$rc" -eq 0 ] || fail "a refused prefill failed the meeting" "$W/err.$mode"
		n=$(grep -c "cannot read the transcript into the model: the language model server '$host' failed" "$W/out.$mode" || true)
		[ "$n" -ge 1 ] && [ "$n" -le 12 ] || fail "$n prefill warnings for 12 segments" "$W/err.$mode"
		echo "noplain: $n prefill warning(s), the summary stored"; continue
	fi
	[ "$rc" -ne 0 ] || fail "a meeting whose summary is not the expected JSON ended well" "$W/out.$mode"
	case $mode in
	text) want="the language model server '$host' answered with text that is not the expected JSON" ;;
	wrong) want="the language model server '$host' answered outside the task's JSON schema (\$.title: not a string)" ;;
	long) want="the language model server '$host' answered outside the task's JSON schema (\$.title: a string longer than the schema allows)" ;;
	esac
	grep -qF "$want" "$W/err.$mode" || fail "expected '$want'" "$W/err.$mode"
	python3 - "$W/out.$mode" "$host" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
warn = [e["text"] for e in ev if e["type"] == "warning"]
assert any(w.startswith("the summary of segments") and sys.argv[2] in w for w in warn), warn
assert "stopped" not in [e["type"] for e in ev], "the meeting ended over a failed summary"
assert not [e for e in ev if e["type"] == "summary" and e["data"]["title"]], "a summary from an answer outside the schema"
assert [e["type"] for e in ev].count("final") == 12
assert len(warn) <= 20, "%d warnings" % len(warn)
PY
	id=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][0]["session"])' "$W/out.$mode")
	"$T" export "$id" --format json --output "$W/e.$mode.json" >/dev/null
	python3 - "$W/e.$mode.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kinds = [a["kind"] for a in d["artifacts"]]
assert "summary" not in kinds and "notes" not in kinds, kinds
assert len(d["segments"]) == 12, len(d["segments"])
assert not d.get("ended_ms"), "the meeting was ended"
PY
	echo "$mode: rc $rc, $(grep -c '"warning"' "$W/out.$mode") warning(s), transcript kept, nothing summarized"
done
echo ok
