#!/usr/bin/env bash
# Importing a FIFO hung (the file was opened twice: once to look at it, once to read
# it) and 'tacit import -' did not read standard input. A stream is read once: a
# transcript or a recording from a pipe, a FIFO or /dev/stdin becomes a meeting.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
d=$TACIT_HOME
expect() { want=$1; shift; if timeout 60 "$@" >"$d/o" 2>"$d/e"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$d/e"; exit 1; }; }
printf 'Alice: The budget is ready.\nBob: Thanks.\n' >"$d/standup.txt"

expect 0 sh -c 'exec "$1" import - <"$2"' sh "$T" "$d/standup.txt"
grep -q "imported 'stdin' as session 1: 2 segments" "$d/o"
expect 0 sh -c 'cat "$2" | exec "$1" import --title Piped /dev/stdin' sh "$T" "$d/standup.txt"
grep -q "imported 'Piped' as session 2" "$d/o"
mkfifo "$d/weekly.txt"
(cat "$d/standup.txt" >"$d/weekly.txt" &)
expect 0 "$T" import "$d/weekly.txt"
grep -q "imported 'weekly' as session 3: 2 segments" "$d/o"
[ -z "$(ls "$d/cache" | grep import- || true)" ] # the copy is gone
expect 14 sh -c 'exec "$1" import - </dev/null' sh "$T"
expect 2 "$T" import "$d"

VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin JFK=$SHARED/audio/jfk.wav
W=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ] || [ ! -r "$JFK" ]; then echo "skip: ../shared models/audio absent"; exit 77; fi
if [ ! -r "$W" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$W.tmp.$$" && mv "$W.tmp.$$" "$W"; fi
sox "$JFK" "$d/clip.wav" trim 0 2
expect 0 sh -c 'exec "$1" import --model "$2" --vad-model "$3" --threads 2 --no-fallback - <"$4"' sh "$T" "$W" "$VAD" "$d/clip.wav"
grep -q "imported 'stdin' as session 4" "$d/o"
ls "$d"/data/audio/4/chunk-000.wav >/dev/null
