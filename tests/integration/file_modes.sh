#!/usr/bin/env bash
# Every file tacit writes is private (0600) whatever the umask: the saved transcript
# states (cache/kv/*.kv) were 0644, written by llama.cpp with the caller's umask. Runs
# the commands that create files under umask 000, then looks for any file another user
# could read: the database, the bandwidth cache, states, recordings, exports, the serve
# redirect page.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
unset TACIT_MODEL
d=$TACIT_HOME
umask 000
open_files() { find "$d/data" "$d/cache" "$d/config" "$@" -type f -perm /077 2>/dev/null || true; }

printf 'Alice: Let us ship the beta on Friday.\nBob: I will fix the login bug first.\n' >"$d/standup.txt"
chmod 600 "$d/standup.txt"
"$T" import "$d/standup.txt" >/dev/null 2>&1
"$T" system >/dev/null 2>&1
"$T" export 1 -o "$d/out.md"
[ "$(stat -c %a "$d/out.md")" = 600 ]

M=$SHARED/models/stories260K.gguf
if [ -r "$M" ]; then
	"$T" summarize 1 --model "$M" --ctx 1024 --threads 2 --max-tokens 300 >/dev/null 2>&1
	ls "$d"/cache/kv/*.kv >/dev/null # a state was saved
else
	echo "no $M: the transcript state is not checked"
fi

VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin JFK=$SHARED/audio/jfk.wav
W=$BUILD/models/ggml-tiny.en-random.bin
if [ -r "$VOCAB" ] && [ -r "$VAD" ] && [ -r "$JFK" ] && command -v sox >/dev/null; then
	if [ ! -r "$W" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$W.tmp.$$" && mv "$W.tmp.$$" "$W"; fi
	sox "$JFK" "$d/clip.wav" trim 0 2
	"$T" import --model "$W" --vad-model "$VAD" --threads 2 --no-fallback "$d/clip.wav" >/dev/null 2>&1
	ls "$d"/data/audio/*/chunk-000.wav >/dev/null
else
	echo "no ../shared audio models: the recording is not checked"
fi

mkdir "$d/bin"
printf '#!/bin/sh\ncp "$1" "%s/page.html"\n' "$d" >"$d/bin/xdg-open"
chmod 700 "$d/bin/xdg-open"
PATH="$d/bin:$PATH" "$T" serve >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$d/page.html" ] && break; sleep 0.1; done
bad=$(open_files)
kill -INT $pid; wait $pid || true
[ -z "$bad" ] || { echo "readable by others while serving: $bad"; exit 1; }
bad=$(open_files "$d/out.md")
[ -z "$bad" ] || { echo "readable by others: $bad"; ls -la $bad; exit 1; }
