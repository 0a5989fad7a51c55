#!/usr/bin/env bash
# The meeting page as a user drives it, in headless Chromium (playwright-core, installed
# as serve_e2e.sh does): a two-channel recorded meeting plays from a clicked line with the
# line highlighted, speed and keys; find-in-transcript marks words and steps through
# them; a citation previews its line and plays from it; a Notes card whose items were
# all dropped says why; a speaker is renamed in every line; a summary is
# generated from the page with progress, then with the stand-up template chosen (both
# stored), and notes are cancelled half way with nothing stored and no model worker left. Screenshots at desktop and phone sizes go to build/screenshots/. The recorded
# meeting is one `tacit live --pcm -` of silence (nothing for the random-weight whisper
# to do) whose lines are then written into the store with python's sqlite3 (no command
# adds lines to a recorded meeting); the language model is the tiny synthetic one. A live
# meeting of silence from Chromium's fake microphone: its typed title, the no-speech
# warning, Stop's progress, the ended state, and a stop finished in the background.
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
ROOT=$PWD
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "no chromium at $CHROMIUM"; exit 77; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed"; exit 77; }
VOCAB=../shared/models/whisper-vocab-tiny.en.bin VAD=../shared/models/ggml-silero-v6.2.0.bin
[ -r "$VOCAB" ] && [ -r "$VAD" ] || { echo "../shared's whisper vocabulary or Silero VAD is absent"; exit 77; }
python3 -c 'import sqlite3' 2>/dev/null || { echo "python3 with sqlite3 is needed for the fixture"; exit 77; }
# under ASan the model worker is minutes slower than the page's waits (as serve_e2e.sh
# says too): there the endpoints are covered by the unit tests (api_generate_*,
# api_live_*, api_audio_*); the normal build runs this test whole
if ldd "$T" 2>/dev/null | grep -q libasan; then echo "skip: a sanitizer build (SAN=1)"; exit 77; fi

. tests/integration/lib/e2e_npm.sh

BUILD=$ROOT/build
WM=$BUILD/models/ggml-tiny.en-random.bin LM=$BUILD/models/live-test.gguf
mkdir -p "$BUILD/models"
[ -r "$WM" ] || { "$BUILD/tools/synth-whisper" "$VOCAB" "$WM.tmp.$$" >/dev/null && mv "$WM.tmp.$$" "$WM"; }
[ -r "$LM" ] || { "$BUILD/tools/synth-model" --arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192 \
	--out "$LM.tmp.$$" --quiet && mv "$LM.tmp.$$" "$LM"; }

export TACIT_HOME=$(mktemp -d)
SP=
cleanup() { if [ -n "$SP" ]; then kill "$SP" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$SP" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$SP" 2>/dev/null || true; fi; wait 2>/dev/null || true; rm -rf "$TACIT_HOME"; }
trap cleanup EXIT

# meeting 1: 24 s of two-channel silence, recorded; then its lines
head -c $((16000 * 2 * 2 * 24)) /dev/zero |
	"$T" live --pcm - --channels 2 --no-analysis --asr-model "$WM" --vad-model "$VAD" --title "Design review" 2>/dev/null
python3 - "$TACIT_HOME/data/tacit.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
lines = [(0, 3000, "Me", "Good morning, shall we start with the budget?"),
         (3500, 8000, "Speaker 1", "Yes: the remote control costs twelve euros fifty to make."),
         (8500, 12000, "Speaker 2", "That is over the target of ten euros."),
         (12500, 17000, "Me", "Then we drop the LCD screen and keep the rubber buttons."),
         (17500, 23000, "Speaker 1", "Agreed, I will send the new figures by Friday.")]
ids = {}
for label in ("Me", "Speaker 1", "Speaker 2"):
    ids[label] = db.execute("INSERT INTO speakers (session_id, label) VALUES (1, ?)", (label,)).lastrowid
for a, b, who, text in lines:
    db.execute("INSERT INTO segments (session_id, start_ms, end_ms, speaker_id, text, final, confidence)"
               " VALUES (1, ?, ?, ?, ?, 1, 0.9)", (a, b, ids[who], text))
# its summary cites lines 2 and 4; its notes had every item dropped (no valid cite)
import json, time
now = int(time.time() * 1000)
summary = {"overview": "The remote control costs too much; the LCD screen goes.",
           "key_points": [{"text": "Cost is 12.50 euros against a target of 10", "cites": [2, 3]}],
           "decisions": [{"text": "Drop the LCD screen", "cites": [4]}],
           "action_items": [], "open_questions": []}
db.execute("INSERT INTO artifacts (session_id, kind, json, markdown, created_ms) VALUES (1, 'summary', ?, '', ?)",
           (json.dumps(summary), now))
db.execute("INSERT INTO artifacts (session_id, kind, json, markdown, created_ms) VALUES (1, 'notes', ?, '', ?)",
           (json.dumps({"sections": [], "dropped": 3}), now))
db.commit()
PY
# meeting 2: a short imported transcript, for the summary and the notes
printf '%s\n' "Alice: The launch moves to May because the supplier is late." \
	"Bob: Then marketing needs the new date by Monday." "Alice: I will tell them today." >"$TACIT_HOME/launch.txt"
"$T" import --title "Launch date" "$TACIT_HOME/launch.txt" >/dev/null 2>&1
"$T" serve --no-open >"$TACIT_HOME/url" 2>"$TACIT_HOME/serve.log" &
SP=$!
for _ in $(seq 100); do [ -s "$TACIT_HOME/url" ] && break; sleep 0.1; done
[ -s "$TACIT_HOME/url" ] || { cat "$TACIT_HOME/serve.log"; echo "tacit serve printed no URL"; exit 1; }

# the live meeting's microphone: Chromium's fake device plays five seconds of silence
python3 -c 'import wave; w = wave.open("'"$TACIT_HOME"'/quiet.wav", "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(bytes(16000 * 2 * 5)); w.close()'
mkdir -p build/screenshots
SERVE_PID=$SP LIVE_WAV=$TACIT_HOME/quiet.wav LIVE_ASR=$WM LIVE_VAD=$(realpath "$VAD") LLM=$LM PLAYWRIGHT_CORE=$NPM_DIR/node_modules/playwright-core CHROMIUM=$CHROMIUM \
	timeout 600 node tests/e2e/web.test.cjs "$(head -n 1 "$TACIT_HOME/url")" "$ROOT/build/screenshots"
