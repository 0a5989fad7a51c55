#!/usr/bin/env bash
# bench/import.sh — an import that finishes with its transcript: `tacit import` of a
# generated meeting (tools/make-meeting, BENCH_IMPORT_MINUTES, default 60) to its stored
# summary and notes, folded while whisper transcribes, against the naive pipeline in the
# same run: whisper-cli on the file, then one `tacit summarize` over the whole transcript
# with the same model. Prints bench.h-style JSON lines: the import's total against the
# naive total (target ratio <= 0.6) and the time from the last segment to the summary
# being stored (target <= 10 s); each side's parts on stderr. Models: the random-weight
# tiny.en-shape whisper (real shapes, so real cost) and BENCH_IMPORT_MODEL (default the
# 1B real-shape synthetic, build/tools/synth-model --arch llama-3.2-1b --quant Q4_K_M
# --out build/models/llama-3.2-1b-Q4_K_M.gguf). Long: run alone.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
T=$BUILD/tacit
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin
LLM=${BENCH_IMPORT_MODEL:-$BUILD/models/llama-3.2-1b-Q4_K_M.gguf}
MIN=${BENCH_IMPORT_MINUTES:-60}
TOK=${BENCH_IMPORT_TOKENS:-320}
[ -r "$VOCAB" ] && [ -r "$VAD" ] || { echo "bench import: ../shared absent, skipped" >&2; exit 0; }
[ -r "$LLM" ] || { echo "bench import: no $LLM (build/tools/synth-model --arch llama-3.2-1b --quant Q4_K_M), skipped" >&2; exit 0; }
command -v whisper-cli >/dev/null || { echo "bench import: whisper-cli absent, skipped" >&2; exit 0; }
command -v espeak-ng >/dev/null && command -v sox >/dev/null || { echo "bench import: needs espeak-ng and sox, skipped" >&2; exit 0; }
WM=$BUILD/models/ggml-tiny.en-random.bin
[ -r "$WM" ] || { mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$WM"; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export TACIT_HOME=$W/home
unset TACIT_MODEL
TH=${BENCH_THREADS:-$(nproc)}
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
now() { date +%s.%N; }
emit() { awk -v n="$1" -v v="$2" -v u="$3" -v r="$4" -v rv="$5" -v h="$6" -v m="$machine" -v note="$7" 'BEGIN{
	printf "{\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"reference\":\"%s\",\"reference_value\":%.6g,\"ratio\":%.4f,\"higher_is_better\":%s,\"machine\":\"%s\",\"note\":\"%s\"}\n", n, v, u, r, rv, (rv>0)?v/rv:0, h, m, note}'; }

tools/make-meeting "$W/meeting.wav" --minutes "$MIN" >&2
echo "bench import: ${MIN}-minute meeting, whisper $(basename "$WM"), model $(basename "$LLM"), $TH threads, load $(uptime | sed 's/.*load average: //')" >&2

# tacit: transcription and folds at once; the summary and notes stored when it returns
t0=$(now)
"$T" import --asr-model "$WM" --vad-model "$VAD" --no-fallback --speakers off --llm-model "$LLM" --json \
	"$W/meeting.wav" >"$W/import.json" 2>"$W/import.err" || { tail -5 "$W/import.err" >&2; exit 1; }
t1=$(now)
after=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("summary_after_last_segment_s", -1))' "$W/import.json")
imp=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')

# naive: whisper-cli, then one summary over the whole transcript
t0=$(now)
whisper-cli -m "$WM" -f "$W/meeting.wav" -t "$TH" -nf --vad -vm "$VAD" -np -oj -of "$W/naive" >/dev/null 2>"$W/naive.err" ||
	{ tail -5 "$W/naive.err" >&2; exit 1; }
t1=$(now)
# the same transcript the import folded (random-weight whisper writes different text in
# whisper-cli and in tacit, and the summary's cost follows the transcript's length)
"$T" export "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"])' "$W/import.json")" \
	--format json >"$W/export.json"
python3 - "$W/export.json" "$W/naive-segments.json" "$W/naive.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
segs = [{"start_ms": g["start_ms"], "end_ms": g["end_ms"], "speaker": g["speaker"] or "Speaker", "text": g["text"]}
        for g in d["segments"]]
json.dump(segs, open(sys.argv[2], "w"))
cli = json.load(open(sys.argv[3])).get("transcription", [])
print("bench import: transcripts: tacit %d segments, whisper-cli %d; the naive summary reads tacit's"
      % (len(segs), len(cli)), file=sys.stderr)
PY
t1b=$(now)
"$T" summarize "$W/naive-segments.json" --model "$LLM" --max-tokens "$TOK" >/dev/null 2>"$W/sum.err" ||
	{ tail -5 "$W/sum.err" >&2; exit 1; }
t2=$(now)
asr=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}') sum=$(awk -v a="$t1b" -v b="$t2" 'BEGIN{print b-a}')
naive=$(awk -v a="$asr" -v b="$sum" 'BEGIN{print a+b}')
printf 'bench import: tacit import %.1f s (summary %.1f s after the last segment); naive %.1f s = whisper-cli %.1f s + summarize %.1f s\n' \
	"$imp" "$after" "$naive" "$asr" "$sum" >&2
emit "import_${MIN}min_to_summary" "$imp" s "whisper-cli then one tacit summarize" "$naive" false \
	"target ratio <= 0.6; whisper-cli $(printf %.1f "$asr") s + summarize $(printf %.1f "$sum") s; $(basename "$LLM")"
emit "import_${MIN}min_last_segment_to_summary" "$after" s "target" 10 false \
	"summary and notes stored after the last final segment; $(basename "$LLM")"
