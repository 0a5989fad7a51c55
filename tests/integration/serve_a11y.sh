#!/usr/bin/env bash
# History, Settings and Models as a user meets them, in headless Chromium: meetings'
# status badges, a summary preview and a meeting with no lines marked; "/" focuses
# search, hits grouped by meeting with the words marked, speaker and date filters;
# Settings in basic and advanced groups, a model that is not downloaded refused next to
# its field and the confirmation next to Save; speech models' languages and live verdict,
# the warning before a download that won't fit. axe-core finds no violation on any page
# in light or dark; screenshots at 1200x900 and 390x844 go to build/e2e-artifacts/.
# playwright-core and axe-core come from tests/e2e/package-lock.json (as serve_e2e.sh).
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
ROOT=$PWD
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "no chromium at $CHROMIUM"; exit 77; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed"; exit 77; }
python3 -c 'import sqlite3' 2>/dev/null || { echo "python3 with sqlite3 is needed for the fixture"; exit 77; }

. tests/integration/lib/e2e_npm.sh

export TACIT_HOME=$(mktemp -d)
SP=
cleanup() { if [ -n "$SP" ]; then kill "$SP" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$SP" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$SP" 2>/dev/null || true; fi; wait 2>/dev/null || true; rm -rf "$TACIT_HOME"; }
trap cleanup EXIT

# two imported meetings (the first gets a summary), and one that never ended and has no
# lines (a live meeting cut off before anything was heard: no command makes one)
printf '%s\n' "Alice: The launch moves to May because the supplier is late." \
	"Bob: Then marketing needs the new budget by Monday." "Alice: I will tell them today." >"$TACIT_HOME/launch.txt"
printf '%s\n' "Carol: The budget for the remote is ten thousand euros." \
	"Dave: We keep the rubber buttons." >"$TACIT_HOME/budget.txt"
"$T" import --title "Launch date" "$TACIT_HOME/launch.txt" >/dev/null
"$T" import --title "Budget review" "$TACIT_HOME/budget.txt" >/dev/null
python3 - "$TACIT_HOME/data/tacit.db" <<'PY'
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time() * 1000)
summary = {"overview": "The launch moves to May; marketing gets the new budget by Monday.",
           "key_points": [{"text": "The supplier is late", "cites": [1]}], "decisions": [], "action_items": [],
           "open_questions": []}
db.execute("INSERT INTO artifacts (session_id, kind, json, created_ms) VALUES (1, 'summary', ?, ?)",
           (json.dumps(summary), now))
db.execute("INSERT INTO sessions (title, started_ms, ended_ms) VALUES ('Cut short', ?, NULL)", (now - 60000,))
db.commit()
PY
"$T" serve --no-open >"$TACIT_HOME/url" 2>"$TACIT_HOME/serve.log" &
SP=$!
for _ in $(seq 100); do [ -s "$TACIT_HOME/url" ] && break; sleep 0.1; done
[ -s "$TACIT_HOME/url" ] || { cat "$TACIT_HOME/serve.log"; echo "tacit serve printed no URL"; exit 1; }

mkdir -p build/e2e-artifacts
PLAYWRIGHT_CORE=$NPM_DIR/node_modules/playwright-core AXE=$NPM_DIR/node_modules/axe-core/axe.min.js CHROMIUM=$CHROMIUM \
	timeout 300 node tests/e2e/a11y.test.cjs "$(head -n 1 "$TACIT_HOME/url")" "$ROOT/build/e2e-artifacts"
