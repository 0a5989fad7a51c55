#!/usr/bin/env bash
# bench/asr.sh — transcription speed against whisper-cli on the same audio, model and
# threads (the random-weight tiny.en model: real shapes, so real cost), without VAD;
# then the VAD speed-up on meeting-like audio with pauses; then live lag on a
# real-time playback. Prints bench.h-style JSON lines.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
T=$BUILD/tacit
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin JFK=$SHARED/audio/jfk.wav
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ] || [ ! -r "$JFK" ]; then echo "bench asr: ../shared absent, skipped" >&2; exit 0; fi
command -v whisper-cli >/dev/null || { echo "bench asr: whisper-cli absent, skipped" >&2; exit 0; }
M=$BUILD/models/ggml-tiny.en-random.bin
[ -r "$M" ] || { mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$M"; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export TACIT_HOME=$W/home
TH=${BENCH_THREADS:-2}
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
now() { date +%s.%N; }
best() { # best of 3 wall times of a command, seconds
	local b=999999 s e
	for _ in 1 2 3; do
		s=$(now); "$@" >/dev/null 2>&1 || true; e=$(now)
		b=$(awk -v a="$b" -v s="$s" -v e="$e" 'BEGIN{t=e-s; print (t<a)?t:a}')
	done
	echo "$b"
}
emit() { awk -v n="$1" -v v="$2" -v u="$3" -v r="$4" -v rv="$5" -v h="$6" -v m="$machine" -v note="$7" 'BEGIN{
	printf "{\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"reference\":\"%s\",\"reference_value\":%.6g,\"ratio\":%.4f,\"higher_is_better\":%s,\"machine\":\"%s\",\"note\":\"%s\"}\n", n, v, u, r, rv, (rv>0)?v/rv:0, h, m, note}'; }

# 1. No VAD; greedy, no temperature fallback, no context, same threads on both sides.
ours=$(best "$T" transcribe --model "$M" --no-vad --no-fallback --threads "$TH" "$JFK")
ref=$(best whisper-cli -m "$M" -f "$JFK" -t "$TH" -bo 1 -bs 1 -nf -mc 0 -np)
emit asr_wall_novad "$ours" s "whisper-cli" "$ref" false "jfk.wav 11 s, random tiny.en, $TH threads, greedy, no fallback; best of 3"

# 2. VAD on meeting-like audio: 4 x (3 s speech + 5 s pause).
sox -n -r 16000 -c 1 -b 16 "$W/pause.wav" trim 0 5
sox "$JFK" "$W/s1.wav" trim 0 3
sox "$JFK" "$W/s2.wav" trim 4 3
sox "$W/s1.wav" "$W/pause.wav" "$W/s2.wav" "$W/pause.wav" "$W/s1.wav" "$W/pause.wav" "$W/s2.wav" "$W/pause.wav" "$W/meeting.wav"
novad=$(best "$T" transcribe --model "$M" --no-vad --no-fallback --threads "$TH" "$W/meeting.wav")
vad=$(best "$T" transcribe --model "$M" --vad-model "$VAD" --no-fallback --threads "$TH" "$W/meeting.wav")
emit asr_wall_vad_meeting "$vad" s "tacit without VAD" "$novad" false "32 s: 12 s speech, 20 s pauses"

# 3. Live lag: end of an utterance to its final segment, on a real-time playback.
"$T" transcribe --model "$M" --vad-model "$VAD" --no-fallback --threads "$TH" --realtime "$W/meeting.wav" \
	>"$W/live" 2>/dev/null || true
python3 - "$W/live" "$machine" <<'PY'
import json, sys
lags = sorted(json.loads(l)["lag_ms"] for l in open(sys.argv[1]) if '"final"' in l)
if lags:
    p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
    for name, v in (("asr_live_lag_p50", p(0.5)), ("asr_live_lag_p95", p(0.95))):
        print(json.dumps({"name": name, "value": v, "unit": "ms", "reference": "", "reference_value": 0,
                          "ratio": 0, "higher_is_better": False, "machine": sys.argv[2],
                          "note": f"{len(lags)} final segments, 32 s meeting played in real time"}))
else:
    print("bench asr: no final segments in live mode (random model output all filtered)", file=sys.stderr)
PY
