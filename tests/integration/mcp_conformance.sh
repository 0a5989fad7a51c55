#!/usr/bin/env bash
# `tacit mcp` against recorded JSON-RPC exchanges (tests/data/mcp/*.jsonl): each line
# sends one message (an object, or a string sent as it is, for malformed input) and
# gives the reply's expected shape (null: no reply). Shapes match as subsets: every key
# given must be there with that value; "$type:string" and "$contains:TEXT" loosen a
# value; arrays must have the length given. Runs the real binary over a pipe, a stored
# meeting with a summary in place, and checks the exit status and a quiet stdout.
set -eu
T=${TACIT:?}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
d=$TACIT_HOME
printf 'Alice: We pick the supplier Acme for the batteries.\nBob: Alice sends the contract by Friday.\n' >"$d/m.txt"
"$T" import --title "Supplier review" "$d/m.txt" >/dev/null 2>&1
python3 - "$d/data/tacit.db" <<'PY'
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
s = {"title": "t", "overview": "We chose Acme.", "key_points": [], "decisions": [], "open_questions": [], "dropped": 0,
     "action_items": [{"owner": "Alice", "task": "Send the contract", "due": "Friday", "cites": [2]}]}
db.execute("INSERT INTO artifacts (session_id, kind, json, markdown, model, created_ms, template) "
           "VALUES (1, 'summary', ?, 'We chose Acme.', 'x', ?, 'general')", (json.dumps(s), int(time.time() * 1000)))
db.commit()
PY
# the ask tool with a model: the shared stories260K (its words are noise), when present
M=$(cd "$(dirname "$0")/../.." && pwd)/../shared/models/stories260K.gguf
[ -r "$M" ] || { echo "note: no ../shared/models/stories260K.gguf, ask_model.jsonl left out"; M=; }
export TACIT_MODEL=$d/no-model.gguf # the other exchanges see the ask tool without one
python3 - "$T" "$M" tests/data/mcp/*.jsonl <<'PY'
import json, subprocess, sys
tacit, model, files = sys.argv[1], sys.argv[2], sys.argv[3:]

def match(want, got, where):
    if isinstance(want, str) and want.startswith("$type:string"):
        assert isinstance(got, str), f"{where}: wanted a string, got {got!r}"
    elif isinstance(want, str) and want.startswith("$contains:"):
        assert isinstance(got, str) and want[10:] in got, f"{where}: {want[10:]!r} not in {got!r}"
    elif isinstance(want, dict):
        assert isinstance(got, dict), f"{where}: wanted an object, got {got!r}"
        for k, v in want.items():
            assert k in got, f"{where}: no key {k!r} in {got!r}"
            match(v, got[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: wanted {len(want)} items, got {got!r}"
        for i, (w, g) in enumerate(zip(want, got)):
            match(w, g, f"{where}[{i}]")
    else:
        assert type(want) is type(got) and want == got, f"{where}: wanted {want!r}, got {got!r}"

n = 0
for path in files:
    args = [tacit, "mcp"]
    if path.endswith("/ask_model.jsonl"):
        if not model:
            continue
        args += ["--model", model]
    cases = [json.loads(l) for l in open(path) if l.strip()]
    sent = "".join((c["send"] if isinstance(c["send"], str) else json.dumps(c["send"])) + "\n" for c in cases)
    p = subprocess.run(args, input=sent.encode(), capture_output=True, timeout=300)
    assert p.returncode == 0, f"{path}: exit {p.returncode}: {p.stderr.decode()}"
    replies = p.stdout.decode().splitlines()
    want = [c for c in cases if c["expect"] is not None]
    assert len(replies) == len(want), f"{path}: {len(replies)} replies for {len(want)} requests:\n" + "\n".join(replies)
    for i, (c, line) in enumerate(zip(want, replies)):
        got = json.loads(line)
        assert "result" in got or "error" in got, f"{path}: reply {i}: neither result nor error"
        assert not ("result" in got and "error" in got), f"{path}: reply {i}: both result and error"
        match(c["expect"], got, f"{path}: reply {i}")
        n += 1
print(f"{n} exchanges match")
PY
# its own usage and help
"$T" mcp --help | grep -q "search_meetings"
if "$T" mcp extra </dev/null 2>/dev/null; then echo "an argument was accepted"; exit 1; else [ $? -eq 2 ]; fi
# end of input: a clean exit with nothing written
[ -z "$("$T" mcp </dev/null)" ]
