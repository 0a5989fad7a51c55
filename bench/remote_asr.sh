#!/usr/bin/env bash
# bench/remote_asr.sh — a speech server's capacity: an archive of recordings (simulated
# meetings of 3 real voices from ../shared/audio/diarization, tools/diar-sim; by default
# 4 of 5 minutes, BENCH_REMOTE_ASR_FILES and BENCH_REMOTE_ASR_MINUTES) transcribed by
# `tacit batch --no-summary` once on this device and once through whisper.cpp's
# whisper-server on loopback, the same model (the random-weight tiny.en: real shapes, so
# real cost), threads (BENCH_THREADS, default 2), VAD and no temperature fallback on both
# sides, in the same run. Prints bench.h-style JSON lines: audio-hours transcribed per
# hour of wall time each way and their ratio (the server's overhead: HTTP, WAV encoding,
# JSON), which is the per-instance capacity docs/scale.md derives from. With a real
# model given as BENCH_REMOTE_ASR_MODEL (a ggml whisper file), that model instead.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
T=$BUILD/tacit
SPK=$SHARED/audio/diarization/speakers VAD=$SHARED/models/ggml-silero-v6.2.0.bin
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin
[ -d "$SPK" ] && [ -r "$VAD" ] && [ -r "$VOCAB" ] || { echo "bench remote_asr: ../shared absent, skipped" >&2; exit 0; }
command -v whisper-server >/dev/null || { echo "bench remote_asr: whisper-server absent, skipped" >&2; exit 0; }
M=${BENCH_REMOTE_ASR_MODEL:-$BUILD/models/ggml-tiny.en-random.bin}
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$M.tmp.$$" && mv "$M.tmp.$$" "$M"; fi
source tests/integration/lib/servers.sh # $W, PIDS (killed on exit), free_port, wait_up
TH=${BENCH_THREADS:-2}
N=${BENCH_REMOTE_ASR_FILES:-4} MIN=${BENCH_REMOTE_ASR_MINUTES:-5}
mkdir -p "$W/archive"
for i in $(seq 1 "$N"); do
	"$BUILD/tools/diar-sim" "$SPK" "$W/archive/meeting-$i.wav" --speakers 3 --minutes "$MIN" --seed $((200 + i)) >/dev/null
	rm -f "$W/archive/meeting-$i.rttm"
done
now() { date +%s.%N; }
A=(--no-summary --speakers off --asr-model "$M" --vad-model "$VAD" --threads "$TH" --json)

# this device
export TACIT_HOME=$W/local
t0=$(now)
"$T" batch "$W/archive" "${A[@]}" >"$W/local.jsonl" 2>"$W/local.err" || { echo "bench remote_asr: local batch failed:" >&2; cat "$W/local.err" >&2; exit 1; }
t_local=$(python3 -c "import sys; print(float(sys.argv[1]) - float(sys.argv[2]))" "$(now)" "$t0")

# whisper-server on loopback
P=$(free_port)
# decoding as tacit decodes on this device: no text context carried between windows (-mc
# 0), no temperature retries, one candidate, non-speech tokens suppressed, speech found
# by the same VAD model
whisper-server -m "$M" --host 127.0.0.1 --port "$P" -t "$TH" -mc 0 -nf -bo 1 -sns --vad -vm "$VAD" >"$W/server.log" 2>&1 &
PIDS+=($!)
wait_up "http://127.0.0.1:$P/" || { echo "bench remote_asr: whisper-server did not start:" >&2; cat "$W/server.log" >&2; exit 1; }
export TACIT_HOME=$W/remote
t0=$(now)
"$T" batch "$W/archive" "${A[@]}" --asr-engine "http://127.0.0.1:$P" >"$W/remote.jsonl" 2>"$W/remote.err" ||
	{ echo "bench remote_asr: batch through whisper-server failed:" >&2; cat "$W/remote.jsonl" "$W/remote.err" >&2; tail -5 "$W/server.log" >&2; exit 1; }
t_remote=$(python3 -c "import sys; print(float(sys.argv[1]) - float(sys.argv[2]))" "$(now)" "$t0")

kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true # its timings are printed as it stops
python3 - "$W" "$t_local" "$t_remote" "$M" "$TH" <<'PY'
import glob, json, os, sys, wave
W, t_local, t_remote, model, th = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
audio = sum(wave.open(f).getnframes() / 16000 for f in glob.glob(W + "/archive/*.wav"))
machine = "%s, %d cores" % (open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip(), os.cpu_count())
load = open("/proc/loadavg").read().split()[0]
def files(path):
    ev = [json.loads(l) for l in open(path) if l.strip()]
    done = [e for e in ev if e.get("event") == "done"]
    return len(done), {e.get("speech") for e in done}
n_local, where_local = files(W + "/local.jsonl")
n_remote, where_remote = files(W + "/remote.jsonl")
assert n_local == n_remote == len(glob.glob(W + "/archive/*.wav")), (n_local, n_remote)
assert where_local == {"local"} and "local" not in where_remote, (where_local, where_remote)
import re
log = open(W + "/server.log", errors="replace").read()
dec = re.findall(r"decode time =\s*([0-9.]+) ms /\s*([0-9]+) runs", log)
enc = re.findall(r"encode time =\s*([0-9.]+) ms /\s*([0-9]+) runs", log)
server = ("; the server's own timings: %s decoder runs (%.1f s), %s encoder runs (%.1f s)" % (
    dec[-1][1], float(dec[-1][0]) / 1e3, enc[-1][1], float(enc[-1][0]) / 1e3)) if dec and enc else ""
note = "%d files, %.0f s of audio (simulated meetings, VAD), %s, %s threads, no fallback; load %s at the end%s" % (
    n_local, audio, os.path.basename(model), th, load, server)
def emit(name, value, unit, ref, ref_value, hib, note):
    print(json.dumps({"name": name, "value": round(value, 4), "unit": unit, "reference": ref,
                      "reference_value": round(ref_value, 4), "ratio": round(value / ref_value, 4) if ref_value else 0,
                      "higher_is_better": hib, "machine": machine, "note": note}))
emit("remote_asr_audio_hours_per_hour", audio / t_remote, "audio-hours per server-hour",
     "this device (tacit batch --no-summary)", audio / t_local, "true",
     note + "; whisper-server on loopback %.1f s, this device %.1f s" % (t_remote, t_local))
PY
