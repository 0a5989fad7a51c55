#!/usr/bin/env bash
# bench/remote.sh — the cost of a remote engine on loopback, same model and settings both
# ways: (1) one summary of a stored meeting through llama-server vs through the local
# worker (wall clock of `tacit summarize`, state files off so neither reuses anything);
# (2) the second question on the meeting: time from starting `tacit ask` to its first
# answer token, remote (the server's slot holds the transcript prefix) vs local (the
# saved transcript state; this includes loading the model into a fresh worker, as a user
# of the command sees it); (3) batch throughput, N meetings (summary + notes) through
# `tacit batch`, local one at a time vs one llama-server with parallel slots and
# continuous batching. Prints bench JSON lines; the ratios are remote / local.
#
# TACIT_BENCH_REMOTE_MODEL: a GGUF (default: the 1B real-shape model if generated in
# build/models, else ../shared/models/stories260K.gguf told a 2048 context);
# TACIT_BENCH_MEETING: a transcript file (default: a QMSum meeting cut to fit);
# TACIT_BENCH_THREADS (2), TACIT_BENCH_CTX (2048), TACIT_BENCH_MAX_TOKENS (360),
# TACIT_BENCH_BATCH_N (20 meetings), TACIT_BENCH_SLOTS (4).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
T=$PWD/$BUILD/tacit
threads=${TACIT_BENCH_THREADS:-2}
ctx=${TACIT_BENCH_CTX:-2048}
max_tokens=${TACIT_BENCH_MAX_TOKENS:-360}
command -v llama-server >/dev/null || { echo "remote.sh: llama-server not found" >&2; exit 1; }
M=${TACIT_BENCH_REMOTE_MODEL:-}
server_extra=()
if [ -z "$M" ]; then
	M=$BUILD/models/llama-3.2-1b-Q4_K_M.gguf
	if [ ! -r "$M" ]; then
		M=../shared/models/stories260K.gguf
		server_extra=(--override-kv "llama.context_length=int:$ctx")
	fi
fi
[ -r "$M" ] || { echo "remote.sh: no model '$M'" >&2; exit 1; }
export TACIT_HOME=$(mktemp -d)
W=$TACIT_HOME
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"

F=${TACIT_BENCH_MEETING:-}
if [ -z "$F" ]; then
	F=$W/meeting.txt
	python3 - "$F" <<'PY'
import glob, json, sys
src = sorted(glob.glob("../shared/data/qmsum-sample/*.json"))
turns = json.load(open(src[0]))["meeting_transcripts"] if src else []
lines = ["%s: %s" % (t["speaker"], t["content"]) for t in turns if t["content"].strip()][:12]
if not lines:
    lines = ["Alice: Let us ship the beta on Friday.", "Bob: I will fix the login bug first."]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
fi
"$T" import "$F" >/dev/null 2>&1

wait_server() { python3 - "$1" <<'PY'
import sys, time, urllib.request
for _ in range(600):
    try:
        urllib.request.urlopen("http://127.0.0.1:%s/health" % sys.argv[1]); sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit("llama-server did not start")
PY
}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
llama-server -m "$M" "${server_extra[@]}" --host 127.0.0.1 --port "$port" -np 1 -c "$ctx" -t "$threads" \
	--slot-save-path "$W" \
	>"$W/server.log" 2>&1 &
SERVER=$!
wait_server "$port"
U=http://127.0.0.1:$port
local_opts=(--engine local --model "$M" --ctx "$ctx" --threads "$threads")

python3 - "$T" "$U" "$max_tokens" "$machine" "$M" "${local_opts[@]}" <<'PY'
import json, subprocess, sys, time, urllib.request
T, U, max_tokens, machine, model = sys.argv[1:6]
local = sys.argv[6:]

def run(args):
    t0 = time.time()
    p = subprocess.run([T] + args, capture_output=True, text=True)
    if p.returncode:
        sys.exit("remote.sh: %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr[-400:]))
    return time.time() - t0

def first_token(args):
    """seconds from start to the first 'write' progress event with a token in it"""
    t0 = time.time()
    p = subprocess.Popen([T] + args + ["--json"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    got = None
    for line in p.stderr:
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if got is None and e.get("phase") == "write" and (e.get("done") or 0) > 0:
            got = time.time() - t0
    if p.wait() or got is None:
        sys.exit("remote.sh: %s gave no token" % " ".join(args))
    return got

def emit(name, value, unit, ref, ref_value, note):
    print(json.dumps({"name": name, "value": value, "unit": unit, "reference": ref, "reference_value": ref_value,
                      "ratio": value / ref_value if ref_value else 0, "higher_is_better": False,
                      "machine": machine, "note": note}))

def erase_slot():  # so the timed summary reuses nothing from the warm-up, as locally
    urllib.request.urlopen(urllib.request.Request(U + "/slots/0?action=erase", b"", method="POST")).read()

mt = ["--max-tokens", max_tokens]
run(["summarize", "1", "--engine", U] + mt + ["--no-state"])  # warm both: page cache, server
run(["summarize", "1"] + local + mt + ["--no-state"])
erase_slot()
remote_s = run(["summarize", "1", "--engine", U] + mt + ["--no-state"])
local_s = run(["summarize", "1"] + local + mt + ["--no-state"])
name = model.rsplit("/", 1)[-1]
emit("remote_summary_s", remote_s, "s", "local_summary_s", local_s,
     "one summary via llama-server on loopback vs the local worker, %s, target ratio <= 1.10" % name)

q = ["--max-tokens", "128"]
run(["ask", "1", "what was decided?", "--engine", U] + q)          # the slot now holds the prefix
run(["ask", "1", "what was decided?"] + local + q)                  # the saved state exists
remote_t = first_token(["ask", "1", "who spoke first?", "--engine", U] + q)
local_t = first_token(["ask", "1", "who spoke first?"] + local + q)
emit("remote_second_question_first_token_s", remote_t, "s", "local_saved_state_first_token_s", local_t,
     "second question, start of the command to first token (local includes loading the model), %s, "
     "target ratio <= 1.5" % name)
PY

# (3) batch throughput: the same N meetings (summary + notes each) through `tacit batch`,
# local sequential (one worker) vs one llama-server with $slots parallel slots and
# continuous batching; meetings per hour, each run in a fresh store so neither reuses
# anything. N: TACIT_BENCH_BATCH_N (20), slots: TACIT_BENCH_SLOTS (4).
n_batch=${TACIT_BENCH_BATCH_N:-20}
slots=${TACIT_BENCH_SLOTS:-4}
mkdir -p "$W/archive"
python3 - "$W/archive" "$n_batch" <<'PY'
import glob, json, sys
out, n = sys.argv[1], int(sys.argv[2])
turns = []
for f in sorted(glob.glob("../shared/data/qmsum-sample/*.json")):
    turns += ["%s: %s" % (t["speaker"], t["content"]) for t in json.load(open(f))["meeting_transcripts"] if t["content"].strip()]
if not turns:
    turns = ["Alice: Let us ship the beta on Friday.", "Bob: I will fix the login bug first."] * 6
for i in range(n):  # 12 turns each, a different stretch of the archive per meeting
    k = (i * 12) % max(1, len(turns) - 12)
    open("%s/meeting-%02d.txt" % (out, i), "w").write("\n".join(turns[k:k + 12]) + "\n")
PY
kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
llama-server -m "$M" "${server_extra[@]}" --host 127.0.0.1 --port "$port" -np "$slots" -c $((ctx * slots)) \
	-t "$threads" -cb >"$W/server-batch.log" 2>&1 &
SERVER=$!
wait_server "$port"
batch_run() {  # HOME_DIR ARGS...: seconds for one whole batch in a fresh store
	local home=$1; shift
	local t0; t0=$(date +%s.%N)
	TACIT_HOME=$home "$T" batch "$W/archive" --max-tokens "$max_tokens" "$@" >"$home.out" 2>"$home.err" ||
		{ echo "remote.sh: batch $* failed:" >&2; tail -5 "$home.err" >&2; exit 1; }
	grep -q "batch: $n_batch done, 0 failed" "$home.out" || { echo "remote.sh: batch $* did not finish:" >&2; cat "$home.out" >&2; exit 1; }
	python3 -c "import sys,time; print(time.time() - float(sys.argv[1]))" "$t0"
}
mkdir -p "$W/h-local" "$W/h-remote"
local_b=$(batch_run "$W/h-local" --engine local --model "$M" --ctx "$ctx" --threads "$threads")
remote_b=$(batch_run "$W/h-remote" --engine "http://127.0.0.1:$port")
python3 - "$n_batch" "$local_b" "$remote_b" "$slots" "$machine" "$M" <<'PY'
import json, sys
n, local_s, remote_s, slots, machine, model = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
lo, re_ = n / local_s * 3600, n / remote_s * 3600
print(json.dumps({"name": "batch_meetings_per_hour_%s_slots" % slots, "value": re_, "unit": "meetings/h",
                  "reference": "batch_meetings_per_hour_local_sequential", "reference_value": lo,
                  "ratio": re_ / lo if lo else 0, "higher_is_better": True, "machine": machine,
                  "note": "%d meetings, summary + notes each, %s; llama-server -np %s with continuous batching vs "
                          "the local worker one file at a time; target ratio >= 2" % (n, model.rsplit("/", 1)[-1], slots)}))
PY
