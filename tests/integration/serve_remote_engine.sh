#!/usr/bin/env bash
# Where work runs, in headless Chromium (issue #19): with engine.asr set to a speech
# server on loopback (lib/fake_asr.py) the header says "speech on 127.0.0.1:P · summaries
# on this device", the Meeting page says the audio goes to that server and offers Start
# without a local whisper model, and a live meeting started there with Chromium's fake
# microphone (../shared's JFK speech) says "speech on 127.0.0.1:P" while its lines come
# from that server; with engine.llm on the same host too the header says "speech and
# summaries on 127.0.0.1:P", and with both local again "on this device only".
# Screenshots at 1200x900 and 390x844 go to build/e2e-artifacts/.
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
ROOT=$PWD
. tests/integration/lib/e2e_serve.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
VAD=$ROOT/../shared/models/ggml-silero-v6.2.0.bin
JFK=$ROOT/../shared/audio/jfk.wav
[ -r "$VAD" ] && [ -r "$JFK" ] || { echo "../shared's Silero VAD or JFK speech is absent"; exit 77; }

W=$(mktemp -d)
export TACIT_HOME=$W/home
mkdir -p "$TACIT_HOME"
FAKE=
cleanup() { serve_stop; [ -z "$FAKE" ] || kill "$FAKE" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT

KEY=k-$RANDOM$RANDOM
export TACIT_ENGINE_KEY=$KEY
PF=$(free_port)
python3 tests/integration/lib/fake_asr.py ok "$PF" "$KEY" &
FAKE=$!
for _ in $(seq 100); do python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$PF" 2>/dev/null && break; sleep 0.1; done
"$T" engine --asr "http://127.0.0.1:$PF" --model whisper-1 >/dev/null

run_page() {
	PHASE=$1 PORT=$PF VAD=$(realpath "$VAD") JFK=$(realpath "$JFK") PLAYWRIGHT_CORE=$NPM_DIR/node_modules/playwright-core \
		CHROMIUM=$CHROMIUM timeout 300 node tests/e2e/remote_engine.test.cjs "$(head -n 1 "$W/url")" "$ROOT/build/e2e-artifacts" ||
		{ tail -n 20 "$W/serve.log"; exit 1; }
}
mkdir -p build/e2e-artifacts
serve_start "$W"
run_page speech
# the transcript went nowhere but that server: the meeting's lines are its two
n=$("$T" sessions --json | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d if isinstance(d, list) else d["sessions"]; print(len(d))')
[ "$n" = 1 ] || { echo "FAIL: expected the one live meeting, found $n"; exit 1; }
serve_stop

"$T" engine "http://127.0.0.1:$PF" --model whisper-1 >/dev/null
serve_start "$W"
run_page both
serve_stop

"$T" engine --asr local >/dev/null
"$T" engine local >/dev/null
serve_start "$W"
run_page local
echo "ok: the web app says where speech and summaries run"
