#!/usr/bin/env bash
# The privacy promise, checked: a whole live meeting (capture from a file, transcription,
# rolling analysis, final summary, a question) runs inside a network namespace with no
# interfaces (unshare -n, else bwrap --unshare-net), and an strace audit of the same run
# finds no socket other than AF_UNIX created by tacit or its model worker.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
W=$TACIT_HOME
SHARED=${TACIT_SHARED:-../shared}
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ]; then echo "skip: ../shared models absent"; exit 77; fi
command -v strace >/dev/null || { echo "skip: strace is not installed"; exit 77; }
if unshare -n true 2>/dev/null; then NONET=(unshare -n)
elif bwrap --dev-bind / / --unshare-net true 2>/dev/null; then NONET=(bwrap --dev-bind / / --unshare-net)
else echo "skip: cannot create a network namespace here (unshare -n and bwrap --unshare-net refused)"; exit 77; fi

M=$BUILD/models/live-test.gguf
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"
	"$BUILD/tools/synth-model" --arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192 --out "$M.tmp.$$" --quiet && mv "$M.tmp.$$" "$M"; fi
WM=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$WM" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$WM.tmp.$$" && mv "$WM.tmp.$$" "$WM"; fi
tools/make-meeting "$W/full.wav" 2>/dev/null
sox "$W/full.wav" "$W/meeting.wav" trim 0 4
RUN=("$T" live --model "$M" --ctx 2048 --max-tokens 320 --window-tokens 200 --asr-model "$WM" --vad-model "$VAD"
	--no-fallback --no-partials --threads 2 --realtime "$W/meeting.wav" --speed 3 --ask "What was decided?" --json)

# 1. no network at all: the meeting still runs to its summary and answer
"${NONET[@]}" ip -o link 2>/dev/null | grep -v ' lo:' | grep -q . && { echo "the namespace has interfaces"; exit 1; }
"${NONET[@]}" "${RUN[@]}" >"$W/out" 2>"$W/err" || { echo "live meeting failed without network"; cat "$W/err"; exit 1; }
python3 - "$W/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
types = [e["type"] for e in ev]
assert types[-1] == "stopped" and "answer" in types, types
PY

# 2. the audit: every socket tacit and its worker create is AF_UNIX
# (LeakSanitizer cannot run under ptrace; run 1 above already checked for leaks)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -qq -e trace=network -o "$W/trace" "${RUN[@]}" >"$W/out2" 2>"$W/err2" || { cat "$W/err2"; exit 1; }
grep -q '"type":"stopped"' "$W/out2"
if grep -E 'socket\(|socketpair\(' "$W/trace" | grep -v 'AF_UNIX' | grep -q .; then
	echo "a socket other than AF_UNIX was created:"; grep -E 'socket\(|socketpair\(' "$W/trace" | grep -v AF_UNIX; exit 1
fi
if grep -E '\b(connect|sendto|bind)\(' "$W/trace" | grep -v 'AF_UNIX\|sa_family=AF_UNIX' | grep -E 'AF_INET|AF_INET6|AF_NETLINK' | grep -q .; then
	echo "a network address was used:"; grep -E 'AF_INET|AF_INET6' "$W/trace"; exit 1
fi
echo "ok: $(grep -cE 'socket\(|socketpair\(' "$W/trace" || true) sockets, all AF_UNIX"
