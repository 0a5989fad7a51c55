#!/usr/bin/env bash
# Long work shows progress and keeps what is done: on a pseudo-terminal, `tacit
# transcribe` prints its first output within a second of the first segment's start and
# Ctrl-C exits 17 keeping complete lines and saying where it stopped; `summarize --json`
# writes progress JSON lines on stderr (event, phase, done; done never decreases).
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
python3 - "$T" "$M" "$VAD" "$W/long.wav" <<'PY'
import os, pty, re, sys, time
tacit, model, vad, wav = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(tacit, ["tacit", "transcribe", "--model", model, "--vad-model", vad, "--threads", "1", wav])
out, t0, sent = b"", time.time(), False
while True:
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
    if not sent and re.search(rb"\]\s.*\r?\n", out):  # a first segment: stop midway
        os.write(fd, b"\x03")
        sent = True
_, status = os.waitpid(pid, 0)
text = out.decode("utf-8", "replace").replace("\r\n", "\n")
assert sent, "no segment before the end: " + text
assert os.waitstatus_to_exitcode(status) == 17, (status, text)
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

# summarize --json: progress JSON lines on stderr
F=$W/meeting.txt
printf 'Alice: Let us ship the beta on Friday.\nBob: I will fix the login bug first.\nCarol: I write the release notes.\n' >"$F"
"$T" summarize "$F" --model "$LLM" --ctx 1024 --threads 1 --max-tokens 360 --json >"$W/out" 2>"$W/err"
python3 - "$W/err" <<'PY'
import json, sys
last, phases = {}, []
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert e["event"] == "progress" and e["phase"] in ("read", "write"), e
    assert isinstance(e["done"], int) and e["unit"] == "tokens", e
    assert e["total"] is None or isinstance(e["total"], int), e
    assert e["done"] >= last.get(e["phase"], 0), e
    last[e["phase"]] = e["done"]
    if not phases or phases[-1] != e["phase"]:
        phases.append(e["phase"])
assert phases[0] == "read" and "write" in phases and last["write"] > 0, phases
PY
echo ok
