#!/usr/bin/env bash
# bench/import_memory.sh — peak memory of `tacit import` on a long recording: a 20-minute
# two-channel file (speech turns and long pauses on each channel, different on the two, so
# it is transcribed as "Me" and "Them"), imported with the random-weight tiny.en model and
# VAD. Reports the peak RSS of the tacit process and of its transcription worker, with the
# decoded recording's size as float samples as the reference (what holding it all in
# memory would cost). Prints bench.h-style JSON lines. BENCH_IMPORT_MINUTES sets the length.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
T=$(cd "$BUILD" && pwd)/tacit
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin JFK=$SHARED/audio/jfk.wav
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ] || [ ! -r "$JFK" ]; then echo "bench import_memory: ../shared absent, skipped" >&2; exit 0; fi
M=$BUILD/models/ggml-tiny.en-random.bin
[ -r "$M" ] || { mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$M"; }
MIN=${BENCH_IMPORT_MINUTES:-20}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export TACIT_HOME=$W/home
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"

# each channel: 11 s of speech in every 2 minutes; the right channel 60 s later
sox -n -r 16000 -c 1 -b 16 "$W/pause.wav" trim 0 109
sox "$JFK" "$W/pause.wav" "$W/unit.wav"
sox $(for _ in $(seq $((MIN / 2))); do echo "$W/unit.wav"; done) "$W/left.wav"
sox "$W/left.wav" "$W/right.wav" pad 60 0 trim 0 $((MIN * 60))
sox -M "$W/left.wav" "$W/right.wav" "$W/long.wav"

python3 - "$T" "$M" "$VAD" "$W/long.wav" "$MIN" "$machine" <<'PY'
import json, os, subprocess, sys, time
t, m, vad, f, minutes, machine = sys.argv[1:]
p = subprocess.Popen([t, "import", "--model", m, "--vad-model", vad, "--threads", "2", "--no-fallback", f],
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
peak = {}
def hwm(pid):
    try:
        for l in open(f"/proc/{pid}/status"):
            if l.startswith("VmHWM:"): return int(l.split()[1]) * 1024
    except OSError: return None
def children(pid):
    try: return [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError: return []
t0 = time.time()
while p.poll() is None:
    for pid in [p.pid] + children(p.pid):
        v = hwm(pid)
        if v is not None: peak[pid] = max(peak.get(pid, 0), v)
    time.sleep(0.02)
wall = time.time() - t0
if p.returncode:
    print(f"bench import_memory: tacit import failed: {p.stderr.read().decode()[-500:]}", file=sys.stderr); sys.exit(0)
decoded = int(minutes) * 60 * 16000 * 2 * 4
worker = max([v for k, v in peak.items() if k != p.pid] or [0])
note = f"{minutes} min two-channel recording, random tiny.en + VAD, 2 threads; import took {wall:.0f} s"
for name, v in (("import_peak_rss_tacit", peak.get(p.pid, 0)), ("import_peak_rss_worker", worker)):
    print(json.dumps({"name": name, "value": v / 2**20, "unit": "MiB", "reference": "decoded recording as float",
                      "reference_value": decoded / 2**20, "ratio": v / decoded, "higher_is_better": False,
                      "machine": machine, "note": note}))
PY
