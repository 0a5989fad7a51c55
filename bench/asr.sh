#!/usr/bin/env bash
# bench/asr.sh — transcription speed against whisper-cli on the same audio, model and
# threads (the random-weight tiny.en model: real shapes, so real cost), without VAD, on
# an 11 s clip (start-up cost shows) and a 60 s one (per-audio-second cost shows), with
# the fixed and per-second parts of both fitted from the two; then the VAD speed-up on a
# 5-minute meeting-like clip (speech turns and pauses, several 30 s windows); then live
# lag on a real-time playback. Prints bench.h-style JSON lines. BENCH_RUNS: runs per
# figure (best of; default 3).
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
RUNS=${BENCH_RUNS:-3}
best() { # best of RUNS wall times of a command, seconds
	local b=999999 s e
	for _ in $(seq "$RUNS"); do
		s=$(now); "$@" >/dev/null 2>&1 || true; e=$(now)
		b=$(awk -v a="$b" -v s="$s" -v e="$e" 'BEGIN{t=e-s; print (t<a)?t:a}')
	done
	echo "$b"
}
emit() { awk -v n="$1" -v v="$2" -v u="$3" -v r="$4" -v rv="$5" -v h="$6" -v m="$machine" -v note="$7" 'BEGIN{
	printf "{\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"reference\":\"%s\",\"reference_value\":%.6g,\"ratio\":%.4f,\"higher_is_better\":%s,\"machine\":\"%s\",\"note\":\"%s\"}\n", n, v, u, r, rv, (rv>0)?v/rv:0, h, m, note}'; }

# Audio: jfk.wav (11 s); 60 s of continuous read speech (Hi-Fi TTS clips back to back);
# a 5-minute meeting: the same speech in turns of one to three clips, with pauses of 1
# to 9 s between them (about 40% of the time is silence).
HIFI=$SHARED/audio/hifitts-6097/audio
python3 - "$HIFI" "$W" <<'PY'
import os, subprocess, sys
hifi, w = sys.argv[1], sys.argv[2]
clips = sorted(os.path.join(hifi, f) for f in os.listdir(hifi) if f.endswith(".wav"))
def sox(*a): subprocess.run(["sox", *a], check=True, stderr=subprocess.DEVNULL)
# 60 s of speech
sox(*clips[:40], f"{w}/speech60.wav", "trim", "0", "60")
# the meeting
pauses = [3, 1, 6, 2, 9, 4, 1.5, 7, 2.5, 5]
parts, i, k = [], 0, 0
for n in range(400):
    turn = clips[i % len(clips): i % len(clips) + 1 + n % 3]
    i += len(turn)
    parts += turn
    p = f"{w}/pause{k % len(pauses)}.wav"
    if not os.path.exists(p):
        sox("-n", "-r", "16000", "-c", "1", "-b", "16", p, "trim", "0", str(pauses[k % len(pauses)]))
    parts.append(p); k += 1
    if n > 60: break
sox(*parts, f"{w}/meeting.wav", "trim", "0", "300")
PY
load() { uptime | sed 's/.*load average: //'; }

# 1. No VAD; greedy, no temperature fallback, no context, same threads on both sides.
#    whisper-cli gets -sns: tacit always suppresses non-speech tokens, and with random
#    weights any decoding difference changes how many tokens are decoded.
declare -A ours ref
for clip in "$JFK" "$W/speech60.wav"; do
	ours[$clip]=$(best "$T" transcribe --model "$M" --no-vad --no-fallback --threads "$TH" "$clip")
	ref[$clip]=$(best whisper-cli -m "$M" -f "$clip" -t "$TH" -bo 1 -bs 1 -nf -mc 0 -np -sns)
done
emit asr_wall_novad "${ours[$JFK]}" s "whisper-cli" "${ref[$JFK]}" false "jfk.wav 11 s, random tiny.en, $TH threads, greedy, no fallback; best of $RUNS; load $(load)"
emit asr_wall_novad_60s "${ours[$W/speech60.wav]}" s "whisper-cli" "${ref[$W/speech60.wav]}" false "60 s of read speech (Hi-Fi TTS), same settings; best of $RUNS; load $(load)"
# fixed cost (start-up, model load) and cost per audio second, from the two lengths
fit() { awk -v a="$1" -v b="$2" -v w="$3" 'BEGIN{ s=(b-a)/(60-11); if (w=="slope") printf "%.6f", s; else printf "%.6f", a-11*s }'; }
emit asr_fixed_cost_novad "$(fit "${ours[$JFK]}" "${ours[$W/speech60.wav]}" fixed)" s "whisper-cli" "$(fit "${ref[$JFK]}" "${ref[$W/speech60.wav]}" fixed)" false "start-up + model load: wall at 0 s of audio, fitted from the 11 s and 60 s runs"
emit asr_cost_per_audio_s_novad "$(fit "${ours[$JFK]}" "${ours[$W/speech60.wav]}" slope)" s/s "whisper-cli" "$(fit "${ref[$JFK]}" "${ref[$W/speech60.wav]}" slope)" false "wall seconds per second of audio, fitted from the 11 s and 60 s runs"

# 2. VAD on a 5-minute meeting with pauses: speech only is decoded.
novad=$(best "$T" transcribe --model "$M" --no-vad --no-fallback --threads "$TH" "$W/meeting.wav")
vad=$(best "$T" transcribe --model "$M" --vad-model "$VAD" --no-fallback --threads "$TH" "$W/meeting.wav")
emit asr_wall_vad_meeting "$vad" s "tacit without VAD" "$novad" false "5 min meeting-like clip: speech turns of 2-15 s, pauses of 1-9 s (~40% silence); best of $RUNS; load $(load)"

# 3. Live lag: end of an utterance to its final segment, on a real-time playback of the
#    first 60 s of the meeting.
sox "$W/meeting.wav" "$W/meeting60.wav" trim 0 60
"$T" transcribe --model "$M" --vad-model "$VAD" --no-fallback --threads "$TH" --realtime "$W/meeting60.wav" \
	>"$W/live" 2>/dev/null || true
python3 - "$W/live" "$machine" <<'PY'
import json, sys
lags = sorted(json.loads(l)["lag_ms"] for l in open(sys.argv[1]) if '"final"' in l)
if lags:
    p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
    for name, v in (("asr_live_lag_p50", p(0.5)), ("asr_live_lag_p95", p(0.95))):
        print(json.dumps({"name": name, "value": v, "unit": "ms", "reference": "", "reference_value": 0,
                          "ratio": 0, "higher_is_better": False, "machine": sys.argv[2],
                          "note": f"{len(lags)} final segments, first 60 s of the meeting clip played in real time"}))
else:
    print("bench asr: no final segments in live mode (random model output all filtered)", file=sys.stderr)
PY
