#!/usr/bin/env bash
# bench/asr.sh — transcription speed against whisper-cli on the same audio, model and
# threads (the random-weight tiny.en model: real shapes, so real cost), without VAD, on
# an 11 s clip (start-up cost shows) and a 60 s one (per-audio-second cost shows), with
# the fixed and per-second parts of both fitted from the two; then the VAD speed-up on a
# 5-minute meeting-like clip (speech turns and pauses, several 30 s windows); then live
# lag on a real-time playback. Prints bench.h-style JSON lines (the settings of both
# sides on stderr). BENCH_RUNS: runs per figure (best of, the two sides in turns; default
# 3); BENCH_TOKENS: text tokens per window in the VAD comparison (default 64).
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

# whisper's own work counts (whisper_print_timings: encoder passes, decoder runs of one
# token, batched tokens, prompt tokens), summed over a run's whisper_full calls; tacit
# prints them at debug level, whisper-cli without -np: "enc/dec/batchd/prompt" (whisper
# prints at least 1 of each per call, so 1/1 per whisper_full call can mean none).
counts() { # file
	awk '/encode time =/ {e += $(NF-6)} /decode time =/ {d += $(NF-6)} /batchd time =/ {b += $(NF-6)}
	     /prompt time =/ {p += $(NF-6)} END {printf "%d/%d/%d/%d", e, d, b, p}' "$1"
}
tacit_counts() { TACIT_DEBUG=1 TACIT_WORKER_DEBUG=1 "$@" 2>"$W/counts.err" >/dev/null || true; counts "$W/counts.err"; }
cli_counts() { "$@" 2>"$W/counts.err" >/dev/null || true; counts "$W/counts.err"; }
# best of RUNS wall times of two commands run in turns (a change of load hits both alike)
best2() { # "cmd a" "cmd b" -> "best_a best_b"
	local ba=999999 bb=999999 s e
	for _ in $(seq "$RUNS"); do
		s=$(now); eval "$1" >/dev/null 2>&1 || true; e=$(now)
		ba=$(awk -v a="$ba" -v s="$s" -v e="$e" 'BEGIN{t=e-s; print (t<a)?t:a}')
		s=$(now); eval "$2" >/dev/null 2>&1 || true; e=$(now)
		bb=$(awk -v a="$bb" -v s="$s" -v e="$e" 'BEGIN{t=e-s; print (t<a)?t:a}')
	done
	echo "$ba $bb"
}

# 1. No VAD, the same decoding on both sides: greedy with one decoder (-bo 1, beam 1), no
#    temperature fallback (-nf), no text context (-mc 0; tacit never feeds earlier text
#    back), non-speech tokens suppressed (-sns; tacit always does), blank suppressed,
#    thresholds entropy 2.4 / logprob -1 / no-speech 0.6, no token timestamps, flash
#    attention on, English, the same threads. With random weights the decoded length is
#    the model's whim, so the counts of both sides are printed: equal counts, equal work.
TS="--no-vad --no-fallback --threads $TH"
CS="-t $TH -bo 1 -bs 1 -nf -mc 0 -sns"
echo "bench asr: tacit transcribe --model M $TS FILE" >&2
echo "  (worker: greedy best_of 1, temperature_inc 0, no_context and n_max_text_ctx 0, suppress_nst," >&2
echo "   suppress_blank, entropy 2.4, logprob -1, no_speech 0.6, flash_attn on, use_gpu off, language en," >&2
echo "   no token timestamps, n_threads $TH)" >&2
echo "bench asr: whisper-cli -m M -f FILE $CS -np (the same; flash attention on by default)" >&2
declare -A ours ref cnt_ours cnt_ref
for clip in "$JFK" "$W/speech60.wav"; do
	read -r "ours[$clip]" "ref[$clip]" < <(best2 "\"$T\" transcribe --model \"$M\" $TS \"$clip\"" \
		"whisper-cli -m \"$M\" -f \"$clip\" $CS -np")
	cnt_ours[$clip]=$(tacit_counts "$T" transcribe --model "$M" $TS "$clip")
	cnt_ref[$clip]=$(cli_counts whisper-cli -m "$M" -f "$clip" $CS)
done
same() { [ "$1" = "$2" ] && echo "equal work" || echo "WORK DIFFERS: the ratio is not like for like"; }
cn() { echo "whisper enc/dec/batchd/prompt: tacit $1, whisper-cli $2 ($(same "$1" "$2"))"; }
emit asr_wall_novad "${ours[$JFK]}" s "whisper-cli" "${ref[$JFK]}" false "jfk.wav 11 s, random tiny.en, $TH threads, same decoding settings (on stderr); $(cn "${cnt_ours[$JFK]}" "${cnt_ref[$JFK]}"); best of $RUNS, in turns; load $(load)"
emit asr_wall_novad_60s "${ours[$W/speech60.wav]}" s "whisper-cli" "${ref[$W/speech60.wav]}" false "60 s of read speech (Hi-Fi TTS), same settings; $(cn "${cnt_ours[$W/speech60.wav]}" "${cnt_ref[$W/speech60.wav]}"); best of $RUNS, in turns; load $(load)"
# fixed cost (start-up, model load) and cost per audio second, from the two lengths
fit() { awk -v a="$1" -v b="$2" -v w="$3" 'BEGIN{ s=(b-a)/(60-11); if (w=="slope") printf "%.6f", s; else printf "%.6f", a-11*s }'; }
emit asr_fixed_cost_novad "$(fit "${ours[$JFK]}" "${ours[$W/speech60.wav]}" fixed)" s "whisper-cli" "$(fit "${ref[$JFK]}" "${ref[$W/speech60.wav]}" fixed)" false "start-up + model load: wall at 0 s of audio, fitted from the 11 s and 60 s runs"
emit asr_cost_per_audio_s_novad "$(fit "${ours[$JFK]}" "${ours[$W/speech60.wav]}" slope)" s/s "whisper-cli" "$(fit "${ref[$JFK]}" "${ref[$W/speech60.wav]}" slope)" false "wall seconds per second of audio, fitted from the 11 s and 60 s runs"

# 2. VAD on a 5-minute meeting with pauses: whisper hears only the speech, packed into
#    30 s windows, so fewer encoder passes. A random model decodes a random number of
#    tokens per window, which would swamp that; so both sides decode exactly BENCH_TOKENS
#    text tokens per 30 s window (TACIT_ASR_BENCH_TOKENS; a real model decodes about as
#    many for 30 s of dense speech), and the counts show the work each side did.
BT=${BENCH_TOKENS:-64}
export TACIT_ASR_BENCH_TOKENS=$BT
VS="--vad-model $VAD --no-fallback --threads $TH"
read -r vad novad < <(best2 "\"$T\" transcribe --model \"$M\" $VS \"$W/meeting.wav\"" \
	"\"$T\" transcribe --model \"$M\" $TS \"$W/meeting.wav\"")
c_vad=$(tacit_counts "$T" transcribe --model "$M" $VS "$W/meeting.wav")
speech=$(grep -o 'VAD: [0-9]* speech regions, [0-9.]* s of [0-9.]* s' "$W/counts.err" |
	awk '{r += $2; s += $5; a += $8} END {printf "%d regions, %.0f s of speech in %.0f s", r, s, a}')
c_novad=$(tacit_counts "$T" transcribe --model "$M" $TS "$W/meeting.wav")
unset TACIT_ASR_BENCH_TOKENS
emit asr_wall_vad_meeting "$vad" s "tacit without VAD" "$novad" false "5 min meeting-like clip: speech turns of 2-15 s, pauses of 1-9 s ($speech); $BT text tokens per 30 s window on both sides; whisper enc/dec/batchd/prompt with VAD $c_vad, without $c_novad; best of $RUNS, in turns; load $(load)"

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
