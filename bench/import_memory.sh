#!/usr/bin/env bash
# bench/import_memory.sh — peak memory of `tacit import` on a long recording: a 20-minute
# two-channel file (speech turns and long pauses on each channel, different on the two, so
# it is transcribed as "Me" and "Them"), imported with the random-weight tiny.en model and
# VAD. Reports the peak RSS of the tacit process and of its transcription worker, with the
# same figures for a recording half as long as the reference: memory bounded whatever the
# length shows as a ratio of 1 (a recording held whole would double). Prints bench.h-style
# JSON lines. BENCH_IMPORT_MINUTES sets the length (default 20; at least 10, so both
# lengths hold several 4-minute transcription requests).
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
[ "$MIN" -ge 10 ] || MIN=10
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export TACIT_HOME=$W/home
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"

# each channel: 11 s of speech in every 2 minutes; the right channel 60 s later. Two
# lengths, MIN and MIN/2: bounded memory means the same peak for both (the reference).
make_long() { # minutes output
	local min=$1 out=$2
	sox "$W/left1.wav" "$W/l.wav" trim 0 $((min * 60))
	sox "$W/l.wav" "$W/r.wav" pad 60 trim 0 $((min * 60))
	sox -M "$W/l.wav" "$W/r.wav" "$out"
}
sox -n -r 16000 -c 1 -b 16 "$W/pause.wav" trim 0 109
sox "$JFK" "$W/pause.wav" "$W/unit.wav"
sox $(for _ in $(seq $(((MIN + 1) / 2))); do echo "$W/unit.wav"; done) "$W/left1.wav"
HALF=$((MIN / 2))
make_long "$MIN" "$W/long.wav"
make_long "$HALF" "$W/half.wav"

python3 - "$T" "$M" "$VAD" "$W/long.wav" "$MIN" "$W/half.wav" "$HALF" "$machine" <<'PY'
import json, os, subprocess, sys, time
t, m, vad, f, minutes, f_half, half, machine = sys.argv[1:]
def hwm(pid):
    try:
        for l in open(f"/proc/{pid}/status"):
            if l.startswith("VmHWM:"): return int(l.split()[1]) * 1024
    except OSError: return None
def children(pid):
    try: return [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError: return []
def peaks(path):
    """peak RSS of tacit import and of its worker, and the wall time"""
    p = subprocess.Popen([t, "import", "--model", m, "--vad-model", vad, "--threads", "2", "--no-fallback", path],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = {}
    t0 = time.time()
    while p.poll() is None:
        for pid in [p.pid] + children(p.pid):
            v = hwm(pid)
            if v is not None: peak[pid] = max(peak.get(pid, 0), v)
        time.sleep(0.02)
    if p.returncode:
        print(f"bench import_memory: tacit import failed: {p.stderr.read().decode()[-500:]}", file=sys.stderr); sys.exit(0)
    return peak.get(p.pid, 0), max([v for k, v in peak.items() if k != p.pid] or [0]), time.time() - t0
load = lambda: os.getloadavg()[0]
short_tacit, short_worker, short_wall = peaks(f_half)
long_tacit, long_worker, long_wall = peaks(f)
decoded = int(minutes) * 60 * 16000 * 2 * 4
note = (f"{minutes} min two-channel recording vs {half} min (the reference), random tiny.en + VAD, 2 threads; "
        f"imports took {long_wall:.0f} s and {short_wall:.0f} s; holding the {minutes} min decoded as float would take "
        f"{decoded / 2**20:.0f} MiB; load {load():.2f}")
for name, v, ref in (("import_peak_rss_tacit", long_tacit, short_tacit), ("import_peak_rss_worker", long_worker, short_worker)):
    print(json.dumps({"name": name, "value": round(v / 2**20, 1), "unit": "MiB", "reference": f"the same for {half} min",
                      "reference_value": round(ref / 2**20, 1), "ratio": round(v / ref, 4) if ref else 0,
                      "higher_is_better": False, "machine": machine, "note": note}))
PY
