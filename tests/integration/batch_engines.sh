#!/usr/bin/env bash
# tacit batch --engine URL --engine URL: two llama-servers on 127.0.0.1 (2 slots and 1)
# used together, as many files at once as their slots (/props total_slots); every file
# gets its summary and notes, some from each server (each stored as "MODEL on HOST"); and
# a server that does not answer stops the batch before it starts, naming the host; and
# --speakers N without a speaker model stops it too. Each file records the engines that
# did its work (speech, language model: 'local' or the host), shown by --json and --status.
set -eu
T=${TACIT:?}
M=../shared/models/stories260K.gguf
[ -r "$M" ] || { echo "skip: no ../shared/models/stories260K.gguf"; exit 77; }
command -v llama-server >/dev/null || { echo "skip: llama-server is not installed"; exit 77; }
. tests/integration/lib/servers.sh
port() { free_port; }
wait_up_h() { wait_up "$1/health"; }
CTX=(--override-kv llama.context_length=int:2048)
P1=$(port); P2=$(port)
llama-server -m "$M" "${CTX[@]}" --host 127.0.0.1 --port "$P1" -np 2 -c 4096 -t 1 >"$W/s1.log" 2>&1 & PIDS+=($!)
llama-server -m "$M" "${CTX[@]}" --host 127.0.0.1 --port "$P2" -np 1 -c 2048 -t 1 >"$W/s2.log" 2>&1 & PIDS+=($!)
wait_up_h "http://127.0.0.1:$P1"; wait_up_h "http://127.0.0.1:$P2"
mkdir -p "$W/archive"
for i in 1 2 3 4 5 6; do
	printf 'Alice: Item %d, we ship the beta on Friday.\nBob: I fix the login bug %d first.\nCarol: I write the notes.\n' "$i" "$i" >"$W/archive/m$i.txt"
done
# --speakers N asks for diarization: without a speaker model the batch does not start
if "$T" batch "$W/archive" --speakers 2 --no-summary >"$W/out" 2>"$W/err"; then echo "--speakers 2 ran without a model"; exit 1; fi
grep -q "no speaker embedding model is downloaded" "$W/err" || { cat "$W/err"; exit 1; }
# --speakers N asks for diarization: without a speaker model the batch does not start
if "$T" batch "$W/archive" --speakers 2 --no-summary >"$W/out" 2>"$W/err"; then echo "--speakers 2 ran without a model"; exit 1; fi
grep -q "no speaker embedding model is downloaded" "$W/err" || { cat "$W/err"; exit 1; }
# a server that does not answer: the batch does not start, and says which
if "$T" batch "$W/archive" --engine "http://127.0.0.1:$P1" --engine "http://127.0.0.1:$(port)" --max-tokens 360 >"$W/out" 2>"$W/err"; then
	echo "a batch with a dead engine ran"; exit 1; fi
grep -q "cannot reach the language model server '127.0.0.1:" "$W/err" || { cat "$W/err"; exit 1; }
"$T" batch "$W/archive" --engine "http://127.0.0.1:$P1" --engine "http://127.0.0.1:$P2" --max-tokens 360 --json >"$W/out" 2>"$W/err" ||
	{ echo "the batch failed"; cat "$W/err" "$W/out"; exit 1; }
grep -q "serves 2 at once" "$W/err" && grep -q "serves 1 at once" "$W/err" || { cat "$W/err"; exit 1; }
python3 - "$W/out" "$P1" "$P2" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
done = [e for e in ev if e.get("event") == "done"]
assert len(done) == 6 and not [e for e in ev if e.get("event") == "failed"], ev
# each file says which engines did its work: no speech for a transcript, one server's host
hosts = {"127.0.0.1:" + p for p in sys.argv[2:]}
assert all(e["speech"] is None and e["llm"] in hosts for e in done), done
PY
for id in 1 2 3 4 5 6; do "$T" export "$id" --format json; done >"$W/all.json" 2>/dev/null
python3 - "$W/all.json" "$P1" "$P2" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
docs, dec, i = [], json.JSONDecoder(), 0
while i < len(text):
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    d, i = dec.raw_decode(text, i); docs.append(d)
# each meeting's summary and notes, written by its import's fold on one server
models = [a["model"] for d in docs for a in d["artifacts"] if a["kind"] in ("summary", "notes")]
assert len(docs) == 6 and len(models) == 12, (len(docs), models)
assert all(len({a["model"] for a in d["artifacts"]}) == 1 for d in docs), [d["artifacts"] for d in docs]
on = {p: sum(m.endswith("on 127.0.0.1:" + p) for m in models) for p in sys.argv[2:]}
assert all(on.values()), on  # both servers did some of the work
print("batch: 6 meetings, summaries and notes from both servers: %s" % on)
PY
# the engines per file, as recorded: --status says them too, and they match the stored models
"$T" batch --status --json >"$W/status.json"
"$T" batch --status >"$W/status.txt"
python3 - "$W/status.json" "$W/out" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
said = {e["path"]: e["llm"] for e in map(json.loads, open(sys.argv[2])) if e.get("event") == "done"}
files = {f["path"]: f for f in st["files"]}
assert st["done"] == 6 and len(files) == 6, st
for path, llm in said.items():
    assert files[path]["state"] == "done" and files[path]["llm"] == llm and files[path]["speech"] is None, (files[path], llm)
PY
[ "$(grep -c "^done .*(meeting [0-9]*; language model: 127.0.0.1:" "$W/status.txt")" = 6 ] || { cat "$W/status.txt"; exit 1; }
# a recording transcribed on a speech server, no summary: speech is that host, llm none
PF=$(port)
python3 tests/integration/lib/fake_asr.py ok "$PF" k1 >/dev/null 2>&1 & PIDS+=($!)
wait_up "http://127.0.0.1:$PF/v1/models"
mkdir -p "$W/rec"; sox -n -r 16000 -c 1 -b 16 "$W/rec/r.wav" synth 2 sine 440 vol 0.3
TACIT_ENGINE_KEY=k1 "$T" batch "$W/rec" --asr-engine "http://127.0.0.1:$PF" --no-summary --json >"$W/out2" 2>"$W/err2" ||
	{ cat "$W/err2" "$W/out2"; exit 1; }
python3 - "$W/out2" "$PF" <<'PY'
import json, sys
done = [e for e in map(json.loads, open(sys.argv[1])) if e.get("event") == "done"]
assert len(done) == 1 and done[0]["speech"] == "127.0.0.1:" + sys.argv[2] and done[0]["llm"] is None, done
PY
"$T" batch --status | grep -q "^done .*r.wav (meeting [0-9]*; speech: 127.0.0.1:$PF)$" || { "$T" batch --status; exit 1; }
echo "engines per file: recorded, in --json and --status"
echo ok
