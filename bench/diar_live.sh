#!/usr/bin/env bash
# bench/diar_live.sh — live speaker labels: a simulated meeting of 3 real voices
# (../shared/audio/diarization, tools diar-sim; BENCH_DIAR_LIVE_MINUTES, default 2) played
# in real time (BENCH_DIAR_LIVE_SPEED, default 1) to `tacit live --no-analysis` with the
# random-weight whisper, once with the test embedding model (labels checked against the
# reference turns) and once with the random-weight WeSpeaker ResNet34 (real shapes: the
# CPU figure). Prints bench.h-style JSON lines: label latency (from a segment's final
# event to its label; target 5 s), the labels' CPU share of one core over the meeting
# (the speaker model's worker and the labelling thread; target 20 %), and the share of
# labelled speech whose final label is its reference speaker's (after the stop's
# recluster). CPU time does not depend on the machine's load; latency does (each line
# says the load average at the end).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
T=$BUILD/tacit
SPK=$SHARED/audio/diarization/speakers VAD=$SHARED/models/ggml-silero-v6.2.0.bin
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin
[ -d "$SPK" ] && [ -r "$VAD" ] && [ -r "$VOCAB" ] || { echo "bench diar_live: ../shared absent, skipped" >&2; exit 0; }
python3 -c 'import onnx, numpy' 2>/dev/null || { echo "bench diar_live: python3 onnx/numpy absent, skipped" >&2; exit 0; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export TACIT_HOME=$W/home
WM=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$WM" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$WM.tmp.$$" && mv "$WM.tmp.$$" "$WM"; fi
tools/make-onnx-models "$W/m" >/dev/null
"$BUILD/tools/diar-sim" "$SPK" "$W/meet.wav" --speakers 3 --minutes "${BENCH_DIAR_LIVE_MINUTES:-2}" --seed 21 >/dev/null
SPEED=${BENCH_DIAR_LIVE_SPEED:-1}
live() { # WAV EMBEDDING SPEED OUT
	"$T" live --asr-model "$WM" --vad-model "$VAD" --no-fallback --no-partials --threads 1 --no-analysis \
		--embedding-model "$W/m/$2.onnx" --realtime "$1" --speed "$3" --json >"$4" 2>"$4.err" ||
		{ echo "bench diar_live: tacit live failed with $2 on $1:" >&2; cat "$4.err" >&2; exit 1; }
}
for emb in test-embedding wespeaker-resnet34-random; do
	live "$W/meet.wav" "$emb" "$SPEED" "$W/$emb.jsonl"
done
SETS=${BENCH_DIAR_LIVE_SETS-3:21 4:41 5:51 6:61}
for set in $SETS; do
	"$BUILD/tools/diar-sim" "$SPK" "$W/set-$set.wav" --speakers "${set%:*}" --minutes 2 --seed "${set#*:}" >/dev/null
	live "$W/set-$set.wav" test-embedding 0 "$W/set-$set.jsonl"
done
python3 - "$W" "$SPEED" $SETS <<'PY'
import itertools, json, os, re, sys, wave
W, speed, sets = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
machine = "%s, %d cores" % (open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip(), os.cpu_count())
with wave.open(W + "/meet.wav") as w:
    audio_s = w.getnframes() / w.getframerate()
ref = []
for line in open(W + "/meet.rttm"):
    f = line.split()
    ref.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
def emit(name, value, unit, target, hib, note):
    print(json.dumps({"name": name, "value": round(value, 4), "unit": unit, "reference": "target",
                      "reference_value": target, "ratio": round(value / target, 4) if target else 0,
                      "higher_is_better": hib, "machine": machine, "note": note}))
load = open("/proc/loadavg").read().split()[0]  # at the end: the machine is shared
def rttm(path):
    return [(float(f[3]), float(f[3]) + float(f[4]), f[7]) for f in (l.split() for l in open(path))]
def accuracy(ev, ref, live_only=False):
    """Share of labelled speech under its speaker's label, labels paired one to one with
    reference speakers (the best pairing); and the number of labels."""
    finals = {e["segment"]: e for e in ev if e["type"] == "final"}
    label = {}
    for e in ev:
        if e["type"] == "speaker" and not (live_only and e["data"]["final_pass"]):
            label[e["segment"]] = e["speaker"]
    over, total = {}, 0.0
    for s, f in finals.items():
        if s not in label: continue
        for a, b, who in ref:
            o = min(b, f["end"]) - max(a, f["start"])
            if o > 0:
                over[(label[s], who)] = over.get((label[s], who), 0) + o
                total += o
    hyps, refs = sorted({h for h, _ in over}), sorted({r for _, r in over})
    best = 0.0
    if len(hyps) <= len(refs):
        for p in itertools.permutations(refs, len(hyps)):
            best = max(best, sum(over.get((h, r), 0) for h, r in zip(hyps, p)))
    else:
        for p in itertools.permutations(hyps, len(refs)):
            best = max(best, sum(over.get((h, r), 0) for h, r in zip(p, refs)))
    return 100.0 * best / (total or 1), len(hyps)
for emb in ("test-embedding", "wespeaker-resnet34-random"):
    ev = [json.loads(l) for l in open("%s/%s.jsonl" % (W, emb))]
    finals = {e["segment"]: e for e in ev if e["type"] == "final"}
    spk = [e for e in ev if e["type"] == "speaker"]
    lat = sorted(e["data"]["latency_ms"] for e in spk if not e["data"]["revised"])
    if not lat:
        print("bench diar_live: no labels with %s" % emb, file=sys.stderr); continue
    cpu = thread = 0.0
    for e in ev:
        m = re.search(r"speaker model CPU ([0-9.]+) s(?:, labelling thread CPU ([0-9.]+) s)?", e.get("text", "")) \
            if e["type"] == "status" else None
        if m: cpu, thread = float(m.group(1)), float(m.group(2) or 0)
    wall = audio_s / speed if speed > 0 else audio_s
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
    revisions = sum(1 for e in spk if e["data"]["revised"] and not e["data"]["final_pass"])
    final_pass = sum(1 for e in spk if e["data"]["final_pass"])
    label = {}
    for e in spk: label[e["segment"]] = e["speaker"]
    tag = "test model" if emb == "test-embedding" else "random-weight ResNet34"
    note = "%d labels, %d live revisions, %d at the stop, %d speakers (3 true), %.0f s of audio at speed %g, load %s" % (
        len(lat), revisions, final_pass, len(set(label.values())), audio_s, speed, load)
    emit("diar_live_latency_mean_ms[%s]" % emb, sum(lat) / len(lat), "ms", 5000, "false", note)
    emit("diar_live_latency_p95_ms[%s]" % emb, p95, "ms", 5000, "false", note)
    emit("diar_live_cpu_share[%s]" % emb, 100.0 * (cpu + thread) / wall, "% of one core", 20, "false",
         "speaker model worker CPU %.2f s + labelling thread CPU %.2f s over %.0f s of meeting (%s), load %s" % (
             cpu, thread, wall, tag, load))
    if emb == "test-embedding":
        acc, _ = accuracy(ev, ref)
        live_acc, n_live = accuracy(ev, ref, True)
        emit("diar_live_label_accuracy", acc, "% of labelled speech", 90, "true",
             note + "; the live labels before the stop: %.1f %% with %d speakers" % (live_acc, n_live))
accs = []
for s in sets:
    ev = [json.loads(l) for l in open("%s/set-%s.jsonl" % (W, s))]
    ref = rttm("%s/set-%s.rttm" % (W, s))
    acc, n = accuracy(ev, ref)
    live_acc, n_live = accuracy(ev, ref, True)
    accs.append(acc)
    n_true = len({r[2] for r in ref})
    emit("diar_live_label_accuracy[%s voices, seed %s]" % tuple(s.split(":")), acc, "% of labelled speech", 90,
         "true", "%d speakers after the stop (%d true); the live labels before it: %.1f %% with %d speakers; "
         "speed 0, test model, load %s" % (n, n_true, live_acc, n_live, load))
if accs:
    emit("diar_live_label_accuracy_mean", sum(accs) / len(accs), "% of labelled speech", 90, "true",
         "mean over %d simulated meetings of %s voices, test model, load %s" % (
             len(accs), "/".join(s.split(":")[0] for s in sets), load))
PY
