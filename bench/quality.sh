#!/usr/bin/env bash
# bench/quality.sh — summary quality of real models on QMSum meetings with reference
# summaries: ROUGE-1/2/L of the general summary against the reference, citation
# precision, topic coverage, answer language and grammar failures (the scoring is
# bench/quality_score.py, python3 stdlib; its header says what each column means). One
# Markdown table per model on stdout, the same meetings for every model.
#
#   bench/quality.sh [options] MODEL.gguf [MODEL.gguf ...]
#     --data DIR       QMSum-format *.json (default ../shared/data/qmsum-sample)
#     --meetings N     only the first N meetings by name (default all)
#     --max-turns N    cut each meeting to its first N turns, its topics with it
#                      (default: whole meetings)
#     --ctx N --max-tokens N --threads N   passed to `tacit summarize`
#     --keep DIR       leave the work folder (summaries, stderr, times) in DIR
#
# Random-weight or toy models (stories260K) only check the mechanics: their numbers mean
# nothing. With no model (as bench/run calls it) it says so and does nothing.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
T=$PWD/$BUILD/tacit
data=../shared/data/qmsum-sample
meetings=0 max_turns=0 keep= models=()
sum_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--data) data=$2; shift 2 ;;
	--meetings) meetings=$2; shift 2 ;;
	--max-turns) max_turns=$2; shift 2 ;;
	--ctx|--max-tokens|--threads) sum_args+=("$1" "$2"); shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "quality.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) models+=("$1"); shift ;;
	esac
done
if [ ${#models[@]} -eq 0 ]; then
	echo "quality.sh: no model given (bench/quality.sh MODEL.gguf ...): skipped" >&2
	exit 0
fi
for m in "${models[@]}"; do [ -r "$m" ] || { echo "quality.sh: cannot read model '$m'" >&2; exit 1; }; done
ls "$data"/*.json >/dev/null 2>&1 || { echo "quality.sh: no QMSum *.json in '$data'" >&2; exit 1; }

W=${keep:-$(mktemp -d)}
mkdir -p "$W/meetings" "$W/segments"
[ -n "$keep" ] || trap 'rm -rf "$W"' EXIT
export TACIT_HOME=$W/home
unset TACIT_MODEL

# the meetings, cut as asked, imported once: every model reads the same stored segments
n=0
for f in $(ls "$data"/*.json | sort); do
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get("general_query_list") and d.get("meeting_transcripts") else 1)' "$f" || continue
	[ "$meetings" -gt 0 ] && [ "$n" -ge "$meetings" ] && break
	name=$(basename "$f" .json)
	python3 bench/quality_score.py --cut "$f" "$W/meetings/$name.json" "$max_turns"
	id=$("$T" import --title "$name" "$W/meetings/$name.json" 2>/dev/null | sed -n 's/.* as session \([0-9]*\).*/\1/p')
	[ -n "$id" ] || { echo "quality.sh: cannot import '$f'" >&2; exit 1; }
	"$T" export "$id" --format json >"$W/segments/$name.json"
	echo "$id" >"$W/segments/$name.id"
	n=$((n + 1))
done

machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "quality: $n meetings from $data${max_turns:+ (at most $max_turns turns each)}, on $machine"
echo
tags=()
for m in "${models[@]}"; do
	tag=$(basename "$m" .gguf)
	tags+=("$tag")
	mkdir -p "$W/$tag"
	for idf in "$W"/segments/*.id; do
		name=$(basename "$idf" .id)
		t0=$(date +%s.%N)
		if "$T" summarize "$(cat "$idf")" --model "$m" --json --no-state "${sum_args[@]}" \
			>"$W/$tag/$name.summary.json" 2>"$W/$tag/$name.err"; then :; else
			echo "quality.sh: $tag on $name failed: $(tail -1 "$W/$tag/$name.err")" >&2
			rm -f "$W/$tag/$name.summary.json"
		fi
		echo "$(date +%s.%N) $t0" | awk '{printf "%.1f\n", $1 - $2}' >"$W/$tag/$name.time"
	done
done
python3 bench/quality_score.py --work "$W" --models "${tags[@]}"
