#!/usr/bin/env bash
# tacit transcribe / tacit live from capture devices, on miniaudio's null backend
# (TACIT_AUDIO_BACKEND=null: silent devices, no hardware): --list-devices names them;
# --mic DEVICE --system DEVICE runs a two-source capture ("Me" + "Them") until Ctrl-C and
# ends cleanly; a missing device or a system-audio request the audio system cannot serve
# fails with a message that says what to do. Needs ../shared for the speech model.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
export TACIT_AUDIO_BACKEND=null
W=$TACIT_HOME

expect() { want=$1; shift; if "$@" >"$W/out" 2>"$W/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$W/err"; exit 1; }; }

expect 2 "$T" transcribe --system
expect 2 "$T" transcribe --list-devices x.wav
expect 2 "$T" live --system "NULL Capture Device"
expect 0 "$T" transcribe --list-devices
grep -q "^input   NULL Capture Device" "$W/out" || { cat "$W/out"; exit 1; }
expect 0 "$T" transcribe --list-devices --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(x["name"]=="NULL Capture Device" and x["backend"]=="Null" for x in d), d' "$W/out"

SHARED=${TACIT_SHARED:-../shared}
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ]; then echo "skip: ../shared models absent"; exit 77; fi
M=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$M.tmp.$$" && mv "$M.tmp.$$" "$M"; fi
X=(--model "$M" --vad-model "$VAD" --no-fallback --threads 2)

expect 15 "$T" transcribe "${X[@]}" --mic "no such microphone"
grep -q "no capture device 'no such microphone'" "$W/err"
expect 16 "$T" transcribe "${X[@]}" --mic --system      # the null backend has no monitor
grep -q -- "--system DEVICE" "$W/err"

# Runs a capture command until it listens, then stops it with Ctrl-C (SIGINT); waits
# as long as the machine needs: this checks behaviour, not speed.
run_until_listening() {
	"$@" >"$W/out" 2>"$W/err" &
	pid=$!
	# up to 5 minutes: loading the models took over a minute at load 10
	for _ in $(seq 3000); do grep -q "listening on" "$W/err" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	grep -q "listening on" "$W/err" || { echo "never listened: $*"; cat "$W/err"; kill "$pid" 2>/dev/null; exit 1; }
	sleep 1
	kill -INT "$pid"
	if wait "$pid"; then rc=0; else rc=$?; fi
	[ "$rc" -eq 0 ] || { echo "exit $rc after Ctrl-C: $*"; cat "$W/err"; exit 1; }
}
run_until_listening "$T" transcribe "${X[@]}" --mic "NULL Capture Device" --system "null capture"
grep -q "listening on 'NULL Capture Device' + 'NULL Capture Device'" "$W/err"
[ ! -s "$W/out" ] || { echo "silence was transcribed:"; cat "$W/out"; exit 1; }
run_until_listening "$T" live --no-analysis --asr-model "$M" --vad-model "$VAD" --threads 2 \
	--mic "NULL Capture Device" --system "NULL Capture Device"
grep -q "meeting 1 ended" "$W/err"
expect 0 "$T" export 1 --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["segments"]==[], d' "$W/out"
echo ok
