#!/usr/bin/env bash
# bench/diarization.sh — speaker diarization against reference turns: DER (tools/der:
# missed + false alarm + confusion, Hungarian speaker mapping; collar 0 and 0.25 s),
# speaker-count error, real-time factor and the diarization worker's peak memory
# (VmHWM), in one run with the baselines:
#   one-speaker-ref  every reference speech region one speaker (31.4 % on the AMI clips)
#   one-speaker-vad  every region the VAD finds one speaker (no oracle)
#   (channel labels are this baseline for a mono recording: one voice)
# Data: the 12 AMI clips of ../shared/audio/diarization (scored over their UEM), and
# meetings simulated by tools/diar-sim from its 8 speakers (BENCH_DIAR_SIM, a list of
# SPEAKERS:MINUTES or SPEAKERS:MINUTES:SEED, default "3:20 4:30 5:40 6:60", seeds 101 on;
# the nine of docs/diarization.md: "3:20:101 4:30:102 5:40:104 6:20:103 6:60:105
# 3:30:201 4:40:202 5:20:203 6:45:204"). Pipelines:
#   test-vad     the test embedding model on VAD windows: checks the pipeline (accuracy)
#   real-shape   random-weight pyannote segmentation-3.0 + WeSpeaker ResNet34 of the
#                real shapes: speed and memory only (their DER means nothing)
#   real         with BENCH_DIAR_SEG and BENCH_DIAR_EMB naming real model files (a user's
#                machine): their DER
# Prints bench.h-style JSON lines, and a table on stderr (with each simulated meeting's
# own DER for test-vad, missed speech and confusion at turn edges apart). BENCH_THREADS: onnxruntime
# threads (default 1).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
T=$BUILD/tacit
DIAR=$SHARED/audio/diarization VAD=$SHARED/models/ggml-silero-v6.2.0.bin
if [ ! -d "$DIAR/ami" ] || [ ! -r "$VAD" ]; then echo "bench diarization: ../shared absent, skipped" >&2; exit 0; fi
python3 -c 'import onnx, numpy' 2>/dev/null || { echo "bench diarization: python3 onnx/numpy absent, skipped" >&2; exit 0; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export TACIT_HOME=$W/home
M=$BUILD/models/diar
[ -r "$M/test-embedding.onnx" ] && [ -r "$M/wespeaker-resnet34-random.onnx" ] || tools/make-onnx-models "$M" >&2

# the simulated meetings, with their reference turns
mkdir -p "$W/sim"
seed=100
for spec in ${BENCH_DIAR_SIM:-3:20 4:30 5:40 6:60}; do
	n=${spec%%:*} min=${spec#*:} seed=$((seed + 1))
	case $min in *:*) seed=${min#*:} min=${min%%:*} ;; esac # SPEAKERS:MINUTES:SEED
	"$BUILD/tools/diar-sim" "$DIAR/speakers" "$W/sim/sim${n}x${min}.wav" --speakers "$n" --minutes "$min" --seed "$seed" >&2
done

python3 - "$T" "$VAD" "$M" "$DIAR" "$W" "${BENCH_THREADS:-1}" "${BENCH_DIAR_SEG:-}" "${BENCH_DIAR_EMB:-}" <<'PY'
import glob, json, os, subprocess, sys, time, wave
T, VAD, M, DIAR, W, TH, REAL_SEG, REAL_EMB = sys.argv[1:9]
machine = "%s, %d cores" % (open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip(), os.cpu_count())

def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = open(f"/proc/{p}/task/{p}/children").read().split()
        except OSError:
            kids = []
        out += [int(k) for k in kids]
        todo += [int(k) for k in kids]
    return out

def vmhwm(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0
    except OSError:
        return 0

def diarize(wav, args, out_rttm):
    """Runs tacit diarize; returns (seconds, the worker's peak VmHWM in MB)."""
    t0 = time.time()
    with open(out_rttm, "w") as f:
        p = subprocess.Popen([T, "diarize", "--format", "rttm", "--threads", TH] + args + [wav], stdout=f,
                             stderr=subprocess.DEVNULL)
        peak, workers = 0, {}
        while p.poll() is None:
            for d in descendants(p.pid):
                workers[d] = max(workers.get(d, 0), vmhwm(d))
            time.sleep(0.05)
    if p.returncode:
        raise SystemExit(f"tacit diarize failed on {wav} (exit {p.returncode})")
    return time.time() - t0, max(workers.values(), default=0) / 1024.0

def duration(wav):
    w = wave.open(wav)
    return w.getnframes() / w.getframerate()

def der(ref, hyp, collar, uem=None):
    cmd = ["tools/der", ref, hyp, "--collar", str(collar), "--json"] + (["--uem", uem] if uem else [])
    return json.loads(subprocess.check_output(cmd))

def emit(name, value, unit, ref_name, ref_value, higher, note):
    print(json.dumps({"name": name, "value": round(value, 4), "unit": unit, "reference": ref_name,
                      "reference_value": round(ref_value, 4), "ratio": round(value / ref_value, 4) if ref_value else 0,
                      "higher_is_better": higher, "machine": machine, "note": note}))

pipes = [("test-vad", ["--embedding-model", f"{M}/test-embedding.onnx", "--vad-model", VAD]),
         ("real-shape", ["--embedding-model", f"{M}/wespeaker-resnet34-random.onnx",
                         "--segmentation-model", f"{M}/segmentation-3.0-random.onnx"])]
if REAL_EMB:
    pipes.append(("real", ["--embedding-model", REAL_EMB] + (["--segmentation-model", REAL_SEG] if REAL_SEG else
                                                           ["--vad-model", VAD])))

sets = [("ami", sorted(glob.glob(f"{DIAR}/ami/*.wav")), f"{DIAR}/ami/ami-dev.rttm", f"{DIAR}/ami/ami-dev.uem")]
sim = sorted(glob.glob(f"{W}/sim/*.wav"))
if sim:
    with open(f"{W}/sim.rttm", "w") as f:
        for w in sim:
            f.write(open(w[:-4] + ".rttm").read())
    sets.append(("sim", sim, f"{W}/sim.rttm", None))

rows = []
for set_name, wavs, ref, uem in sets:
    if set_name == "ami":
        wavs = [w for w in wavs if os.path.basename(w)[:-4] in open(ref).read()]
    refs = {}
    for line in open(ref):
        x = line.split()
        refs.setdefault(x[1], []).append(line)
    audio_s = sum(duration(w) for w in wavs)
    # baselines: the reference's own speech as one speaker; the VAD's speech as one speaker
    with open(f"{W}/one-ref.rttm", "w") as f:
        for uri in refs:
            for line in refs[uri]:
                x = line.split(); x[7] = "one"; f.write(" ".join(x) + "\n")
    results = {"one-speaker-ref": (f"{W}/one-ref.rttm", 0.0, 0.0)}
    with open(f"{W}/one-vad.rttm", "w") as f:
        for w in wavs:
            h = f"{W}/tmp.rttm"
            diarize(w, ["--embedding-model", f"{M}/test-embedding.onnx", "--vad-model", VAD, "--speakers", "1"], h)
            f.write(open(h).read())
    results["one-speaker-vad"] = (f"{W}/one-vad.rttm", 0.0, 0.0)
    for pipe, args in pipes:
        hyp, secs, peak = f"{W}/{set_name}-{pipe}.rttm", 0.0, 0.0
        with open(hyp, "w") as f:
            for w in wavs:
                h = f"{W}/tmp.rttm"
                s, mb = diarize(w, args, h)
                secs += s; peak = max(peak, mb)
                # the hypothesis names its file as the reference does (tacit uses the basename)
                f.write(open(h).read())
        results[pipe] = (hyp, secs, peak)
    for name, (hyp, secs, peak) in results.items():
        d0, d25 = der(ref, hyp, 0.0, uem), der(ref, hyp, 0.25, uem)
        if set_name == "sim" and name == "test-vad":  # each meeting's own breakdown
            print(subprocess.check_output(["tools/der", ref, hyp, "--per-file"], text=True), end="", file=sys.stderr)
        rows.append((set_name, name, d0, d25, secs / audio_s if secs else 0.0, peak, audio_s, len(wavs)))

base = {(r[0]): r[2]["der"] for r in rows if r[1] == "one-speaker-ref"}
for set_name, name, d0, d25, rtf, peak, audio_s, n in rows:
    note = f"{n} files, {audio_s:.0f} s; missed {d0['missed']:.1f}, false alarm {d0['false_alarm']:.1f}, confusion {d0['confusion']:.1f}"
    emit(f"diar_{set_name}_{name}_der", d0["der"], "%", f"diar_{set_name}_one-speaker-ref_der", base[set_name], "false", note)
    emit(f"diar_{set_name}_{name}_der_collar025", d25["der"], "%", "", 0, "false", note)
    emit(f"diar_{set_name}_{name}_speaker_count_error", d0["speaker_count_error"], "speakers/file", "", 0, "false", note)
    if rtf:
        emit(f"diar_{set_name}_{name}_rtf", rtf, "x", "target", 0.05, "false", f"{TH} onnxruntime thread(s)")
        emit(f"diar_{set_name}_{name}_worker_peak", peak, "MB", "target", 400, "false", "VmHWM of the diarization worker")
print(f"{'set':5} {'pipeline':16} {'DER%':>6} {'miss':>5} {'FA':>5} {'conf':>5} {'DER.25':>6} {'spkerr':>6} {'RTF':>6} {'peakMB':>6}",
      file=sys.stderr)
for set_name, name, d0, d25, rtf, peak, audio_s, n in rows:
    print(f"{set_name:5} {name:16} {d0['der']:6.1f} {d0['missed']:5.1f} {d0['false_alarm']:5.1f} {d0['confusion']:5.1f} "
          f"{d25['der']:6.1f} {d0['speaker_count_error']:6.2f} {rtf:6.3f} {peak:6.0f}", file=sys.stderr)
PY
