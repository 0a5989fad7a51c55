#!/usr/bin/env bash
# Long work shows progress and keeps what is done: on a pseudo-terminal, `tacit
# transcribe` prints its first output within a second of the first segment's start and
# Ctrl-C exits 17 keeping complete lines and saying where it stopped; `summarize --json`
# writes progress JSON lines on stderr (event, phase, done; done never decreases), the read
# phase with the worker's exact token counts, and on a pseudo-terminal the progress line
# is there within a second.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
W=$TACIT_HOME
SHARED=${TACIT_SHARED:-../shared}
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin JFK=$SHARED/audio/jfk.wav
LLM=$SHARED/models/stories260K.gguf
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ] || [ ! -r "$JFK" ] || [ ! -r "$LLM" ]; then echo "skip: ../shared models/audio absent"; exit 77; fi
M=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$M.tmp.$$" && mv "$M.tmp.$$" "$M"; fi
sox "$JFK" "$JFK" "$JFK" "$JFK" "$JFK" "$JFK" "$JFK" "$JFK" "$W/long.wav"

# Ctrl-C through the terminal (the worker has its own process group: only tacit hears it)
python3 "$(dirname "$0")/lib/pty_run.py" --interrupt '\]\s.*\r?\n' \
	-- "$T" transcribe --model "$M" --vad-model "$VAD" --threads 1 "$W/long.wav" >"$W/pty.json"
python3 - "$W/pty.json" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
text = r["text"].replace("\r\n", "\n")
assert r["sent"], "no segment before the end: " + text
assert r["exit"] == 17, (r["exit"], text)
m = re.search(r"stopped at (\d\d:\d\d) of (\d\d:\d\d) \(the segments above are complete\)", text)
assert m and m.group(2) == "01:28", text
for line in text[: m.start()].splitlines():
    if line.startswith("["):
        assert re.match(r"\[\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}\] ", line), line
PY

# the first segment is on stdout as soon as it is final, not at the end
python3 - "$T" "$M" "$VAD" "$W/long.wav" <<'PY'
import subprocess, sys, time
tacit, model, vad, wav = sys.argv[1:]
p = subprocess.Popen([tacit, "transcribe", "--model", model, "--vad-model", vad, "--threads", "1", wav],
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
first = p.stdout.readline()
t_first = time.time()
rest = p.stdout.read()
p.wait()
assert p.returncode == 0 and first.startswith(b"["), (p.returncode, first)
assert time.time() - t_first > 0.2 or not rest, "everything came at the end"
PY

# summarize --json: progress JSON lines on stderr; the read phase counts the prompt's
# tokens as the worker reads them (a frame after each 512-token batch)
F=$W/meeting.txt
for i in $(seq 1 25); do
	printf 'Alice: Let us ship the beta on Friday, item %d.\nBob: I will fix the login bug first.\nCarol: I write the release notes.\n' "$i"
done >"$F"
"$T" summarize "$F" --model "$LLM" --ctx 2048 --threads 1 --max-tokens 360 --json >"$W/out" 2>"$W/err"
python3 - "$W/err" <<'PY'
import json, sys
last, phases, reads = {}, [], []
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert e["event"] == "progress" and e["phase"] in ("read", "write"), e
    assert isinstance(e["done"], int) and e["unit"] == "tokens" and isinstance(e["exact"], bool), e
    assert e["total"] is None or isinstance(e["total"], int), e
    if not phases or phases[-1] != e["phase"]:
        phases.append(e["phase"])
        last[e["phase"]] = 0
    assert e["done"] >= last[e["phase"]], e
    last[e["phase"]] = e["done"]
    if e["phase"] == "read" and e["exact"]:
        assert 0 <= e["done"] <= e["total"], e
        reads.append(e)
assert phases[0] == "read" and "write" in phases and last["write"] > 0, phases
# the exact counts of each model call (a long meeting may take several): one total, read
# up to it, one call in several 512-token steps
calls = []
for e in reads:
    if not calls or calls[-1][-1]["total"] != e["total"] or calls[-1][-1]["done"] > e["done"]:
        calls.append([])
    calls[-1].append(e)
for c in calls:
    assert c[-1]["done"] == c[-1]["total"], c
assert max(len({e["done"] for e in c}) for c in calls) >= 3, calls
PY

# on a terminal the progress line is there within a second, and says how far the model read
python3 "$(dirname "$0")/lib/pty_run.py" --first 'loading model|reading the transcript' \
	-- "$T" summarize "$F" --model "$LLM" --ctx 2048 --threads 1 --max-tokens 360 >"$W/pty.json"
python3 - "$W/pty.json" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
text = r["text"]
assert r["exit"] == 0, (r["exit"], text)
assert r["first"] is not None and r["first"] < 1.0, (r["first"], text)
assert re.search(r"\rreading the transcript: [\d,]+ of [\d,]+ tokens", text), text
assert re.search(r"\rwriting: [\d,]+ tokens, \d+ tok/s", text), text
PY
echo ok
