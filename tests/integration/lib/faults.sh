# lib/faults.sh — sourced by the tests that run a live meeting under tests/tools/faultfs.c
# (an LD_PRELOAD shim that fails writes and syncs): the store in a temporary TACIT_HOME
# ($W), the shim built there, the random whisper model, and the meeting's flags in A.
# Exits 77 (skip) when the shared models or a C compiler are missing.
T=${TACIT:?}
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
W=$TACIT_HOME
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ]; then echo "skip: ../shared models absent"; exit 77; fi
command -v cc >/dev/null || { echo "skip: no C compiler for the fault shim"; exit 77; }
cc -shared -fPIC -o "$W/faultfs.so" tests/tools/faultfs.c -ldl
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 # the shim is not ASan's
WM=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$WM" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$WM.tmp.$$" && mv "$WM.tmp.$$" "$WM"; fi
A=(--asr-model "$WM" --vad-model "$VAD" --no-fallback --no-partials --threads 2 --no-analysis)
