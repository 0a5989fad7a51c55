#!/usr/bin/env bash
# The privacy promise, checked: a whole live meeting (audio streamed in, transcription,
# rolling analysis, a question asked from another process with `tacit ask --live`, the
# final summary) runs inside a network namespace with no interfaces (unshare -n, else
# bwrap --unshare-net), and an strace audit of the same run (meeting, its model workers
# and the asking process) finds every socket AF_UNIX, every address bound or connected a
# Unix path, and nothing sent anywhere else.
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
sox "$W/full.wav" -t raw -r 16000 -e signed -b 16 -c 1 "$W/meeting.raw" trim 0 4
LIVE=("$T" live --model "$M" --ctx 2048 --max-tokens 320 --window-tokens 200 --asr-model "$WM" --vad-model "$VAD"
	--no-fallback --no-partials --threads 2 --pcm - --ask "What was decided?" --json)

# One meeting: PCM streamed in through a FIFO that stays open while another process asks
# the meeting a question (tacit ask --live), then the end of input stops it. $1: a name
# for the files; the rest: a command prefix for both processes (the namespace, strace).
meeting() {
	local pre=("${@:2}") n=$1
	rm -f "$W/pcm"; mkfifo "$W/pcm"
	"${pre[@]}" "${LIVE[@]}" <"$W/pcm" >"$W/out$n" 2>"$W/err$n" &
	local pid=$!
	exec 3>"$W/pcm"
	cat "$W/meeting.raw" >&3
	local sock=
	for _ in $(seq 1 600); do
		sock=$(ls -t "$W"/data/live/tacit-*.sock 2>/dev/null | head -n 1)
		[ -n "$sock" ] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1
	done
	[ -n "$sock" ] || { exec 3>&-; wait "$pid"; echo "the meeting never listened for questions"; cat "$W/err$n"; exit 1; }
	local id=${sock##*/tacit-}; id=${id%.sock}
	"${pre[@]}" "$T" ask --live "$id" "Who spoke first?" --json >"$W/ask$n" 2>"$W/askerr$n" ||
		{ exec 3>&-; wait "$pid"; echo "tacit ask --live failed"; cat "$W/askerr$n"; exit 1; }
	exec 3>&-
	wait "$pid" || { echo "live meeting $n failed"; cat "$W/err$n"; exit 1; }
	python3 - "$W/out$n" "$W/ask$n" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
types = [e["type"] for e in ev]
assert types[-1] == "stopped" and "answer" in types, types
assert "answer" in json.load(open(sys.argv[2]))
PY
}

# 1. no network at all: the meeting still runs to its summary and both answers
"${NONET[@]}" ip -o link 2>/dev/null | grep -v ' lo:' | grep -q . && { echo "the namespace has interfaces"; exit 1; }
meeting 1 "${NONET[@]}"

# 2. the audit: every socket the meeting, its workers and the asking process create is
# AF_UNIX, every address they bind or connect is a Unix path, nothing is sent to any
# other address (LeakSanitizer cannot run under ptrace; run 1 already checked for leaks)
# (-ff: one file per process, so the two straces never write the same file)
meeting 2 env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -ff -qq -e trace=network -o "$W/trace"
calls=$(cat "$W"/trace.* | grep -E '(socket|socketpair|bind|connect|sendto|sendmsg|accept4?)\(' || true)
if printf '%s\n' "$calls" | grep -E 'socket\(|socketpair\(' | grep -v 'socket(AF_UNIX\|socketpair(AF_UNIX' | grep -q .; then
	echo "a socket other than AF_UNIX was created:"; printf '%s\n' "$calls" | grep -E 'socket\(|socketpair\(' | grep -v AF_UNIX; exit 1
fi
if printf '%s\n' "$calls" | grep -E 'sa_family=' | grep -v 'sa_family=AF_UNIX' | grep -q .; then
	echo "an address other than a Unix path was used:"; printf '%s\n' "$calls" | grep 'sa_family=' | grep -v AF_UNIX; exit 1
fi
printf '%s\n' "$calls" | grep -q 'bind(.*sa_family=AF_UNIX.*/live/tacit-' || { echo "the meeting's socket is missing from the audit"; exit 1; }
printf '%s\n' "$calls" | grep -q 'connect(.*sa_family=AF_UNIX.*/live/tacit-' || { echo "the question's connection is missing from the audit"; exit 1; }
echo "ok: $(printf '%s\n' "$calls" | grep -cE 'socket\(|socketpair\(' || true) sockets, all AF_UNIX, one meeting socket asked over it"
