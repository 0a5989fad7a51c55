#!/usr/bin/env bash
# History a page at a time, in headless Chromium: with 45 meetings it asks the server for
# 20 (never the whole list), says how many of how many are shown, and "Show 20 more
# meetings", reached and pressed from the keyboard, appends the next page and moves the
# focus to its first meeting, until all 45 are there once each, newest first; a speaker
# filter starts again from its first page, and suggests every meeting's speakers from the
# first page on.
# Screenshots at 1200x900 and 390x844 go to build/e2e-artifacts/.
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
ROOT=$PWD
. tests/integration/lib/e2e_serve.sh

W=$(mktemp -d)
export TACIT_HOME=$W/home
mkdir -p "$TACIT_HOME"
cleanup() { serve_stop; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT

for k in $(seq 45); do
	printf 'Person%d: item %d of the weekly review\nAlice: noted, thanks\n' "$k" "$k" >"$W/m.txt"
	"$T" import --no-summary --title "Weekly review $k" "$W/m.txt" >/dev/null 2>&1
done
serve_start "$W"

mkdir -p build/e2e-artifacts
PLAYWRIGHT_CORE=$NPM_DIR/node_modules/playwright-core CHROMIUM=$CHROMIUM \
	timeout 300 node tests/e2e/history_pages.test.cjs "$(head -n 1 "$W/url")" "$ROOT/build/e2e-artifacts" ||
	{ tail -n 20 "$W/serve.log"; exit 1; }
echo "ok: History pages its meetings"
