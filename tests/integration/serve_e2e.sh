#!/usr/bin/env bash
# tacit serve in headless Chromium, driven by playwright-core: a QMSum meeting imported
# with `tacit import` shows in History; search finds it and opens its transcript at the
# hit; the Models page renders fit verdicts; Settings saves; a custom model (../shared's
# stories260K) is added on the Models page, chosen in Settings and answers a question in
# History token by token, then is forgotten; Meeting says which models are missing;
# then, with a random-weight whisper, ../shared's Silero VAD and a tiny synthetic LLM,
# a spoken meeting from tools/make-meeting is Chromium's fake microphone:
# segments appear live, the suggestions notice shows, stop gives a summary, History
# finds the meeting; an mp3 of ../shared's speech is uploaded and transcribed with
# progress, "Ask all meetings" answers with links into a meeting, and an action item is
# marked done and open again. No page may log an error (a CSP violation would). Screenshots of
# each page go to build/e2e-artifacts/. playwright-core is installed with npm into
# ${TACIT_NPM_CACHE:-~/.cache/tacit/npm} from tests/e2e/package-lock.json; the test
# skips when chromium, node or that install is missing.
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
ROOT=$PWD
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
MEETING=$ROOT/../shared/data/qmsum-sample/ES2002a.json
[ -x "$CHROMIUM" ] || { echo "no chromium at $CHROMIUM"; exit 77; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed"; exit 77; }
[ -f "$MEETING" ] || { echo "../shared is absent: no QMSum meeting to import"; exit 77; }

. tests/integration/lib/e2e_npm.sh

export TACIT_HOME=$(mktemp -d)
SP=
# a stop still transcribing a backlog delays a clean exit: after 20 s, kill
cleanup() { if [ -n "$SP" ]; then kill "$SP" 2>/dev/null
	for _ in $(seq 200); do kill -0 "$SP" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$SP" 2>/dev/null || true; fi; wait 2>/dev/null || true; rm -rf "$TACIT_HOME"; }
trap cleanup EXIT
"$T" import "$MEETING" >/dev/null
# an action item for the Actions page: the imported meeting's summary as a model would
# store it (no model here writes one on purpose)
DB=$(find "$TACIT_HOME" -name tacit.db | head -n 1)
python3 - "$DB" <<'PY' || { echo "cannot add a summary to $DB"; exit 1; }
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
summary = {"overview": "Kick-off of the remote control design.", "key_points": [], "decisions": [],
           "action_items": [{"owner": "Marketing", "task": "Send the user requirements to the team",
                             "due": "Friday", "cites": [40]}], "open_questions": []}
db.execute("INSERT INTO artifacts (session_id, kind, json, markdown, created_ms) VALUES (1, 'summary', ?, '', ?)",
           (json.dumps(summary), int(time.time() * 1000)))
db.commit()
PY
"$T" serve --no-open >"$TACIT_HOME/url" 2>"$TACIT_HOME/serve.log" &
SP=$!
for _ in $(seq 100); do [ -s "$TACIT_HOME/url" ] && break; sleep 0.1; done
[ -s "$TACIT_HOME/url" ] || { cat "$TACIT_HOME/serve.log"; echo "tacit serve printed no URL"; exit 1; }

# the live meeting's models (made once into build/models) and a short spoken meeting
BUILD=$ROOT/build
VOCAB=$ROOT/../shared/models/whisper-vocab-tiny.en.bin VAD=$ROOT/../shared/models/ggml-silero-v6.2.0.bin
WM=$BUILD/models/ggml-tiny.en-random.bin LM=$BUILD/models/live-test.gguf
export LIVE_SKIP="../shared's whisper vocabulary or Silero VAD is absent"
[ "${TACIT_E2E_LIVE:-1}" = 0 ] && LIVE_SKIP="TACIT_E2E_LIVE=0"
# under ASan the random-weight whisper and the model worker are minutes slower: the
# endpoints are covered there by the unit test api_live_meeting
if ldd "$T" 2>/dev/null | grep -q libasan; then TACIT_E2E_LIVE=0; LIVE_SKIP="a sanitizer build (SAN=1)"; fi
if [ "${TACIT_E2E_LIVE:-1}" != 0 ] && [ -r "$VOCAB" ] && [ -r "$VAD" ]; then
	mkdir -p "$BUILD/models"
	[ -r "$WM" ] || { "$BUILD/tools/synth-whisper" "$VOCAB" "$WM.tmp.$$" >/dev/null && mv "$WM.tmp.$$" "$WM"; } || true
	[ -r "$LM" ] || { "$BUILD/tools/synth-model" --arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192 \
		--out "$LM.tmp.$$" --quiet && mv "$LM.tmp.$$" "$LM"; } || true
	LIVE_SKIP="tools/make-meeting, synth-whisper or synth-model failed"
	if [ -r "$WM" ] && [ -r "$LM" ] && tools/make-meeting "$TACIT_HOME/meeting.wav" --minutes 0.15 >/dev/null 2>&1; then
		export LIVE_WAV=$TACIT_HOME/meeting.wav LIVE_ASR=$WM LIVE_VAD=$(realpath "$VAD") LIVE_LLM=$LM
	fi
fi

# a recording uploaded on History: ../shared's JFK speech as an mp3
JFK=$ROOT/../shared/audio/jfk.wav
if [ -n "${LIVE_WAV:-}" ] && [ -r "$JFK" ] && command -v ffmpeg >/dev/null &&
	ffmpeg -loglevel error -y -i "$JFK" "$TACIT_HOME/JFK speech.mp3" </dev/null; then
	export UPLOAD_MP3="$TACIT_HOME/JFK speech.mp3"
fi

# a custom model for the Models page: ../shared's tiny real model, and a broken copy
STORIES=$ROOT/../shared/models/stories260K.gguf
if [ -r "$STORIES" ]; then
	export CUSTOM_GGUF=$(realpath "$STORIES") CUSTOM_BAD=$TACIT_HOME/broken.gguf
	head -c 4096 "$STORIES" >"$CUSTOM_BAD"
fi

mkdir -p build/e2e-artifacts
PLAYWRIGHT_CORE=$NPM_DIR/node_modules/playwright-core AXE=$NPM_DIR/node_modules/axe-core/axe.min.js CHROMIUM=$CHROMIUM \
	timeout 600 node tests/e2e/app.test.cjs "$(head -n 1 "$TACIT_HOME/url")" "$ROOT/build/e2e-artifacts"
