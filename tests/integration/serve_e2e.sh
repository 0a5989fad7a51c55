#!/usr/bin/env bash
# tacit serve in headless Chromium, driven by playwright-core: a QMSum meeting imported
# with `tacit import` shows in History; search finds it and opens its transcript at the
# hit; the Models page renders fit verdicts; Settings saves; Meeting says live meetings
# are not in this build; no page logs an error (a CSP violation would). Screenshots of
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

NPM_DIR=${TACIT_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tacit/npm}
if ! cmp -s tests/e2e/package-lock.json "$NPM_DIR/package-lock.json" || [ ! -d "$NPM_DIR/node_modules/playwright-core" ]; then
	mkdir -p "$NPM_DIR"
	cp tests/e2e/package.json tests/e2e/package-lock.json "$NPM_DIR/"
	if ! (cd "$NPM_DIR" && timeout 180 npm ci --no-audit --no-fund >npm.log 2>&1); then
		rm -f "$NPM_DIR/package-lock.json"
		echo "npm could not install playwright-core into $NPM_DIR (see $NPM_DIR/npm.log)"
		exit 77
	fi
fi

export TACIT_HOME=$(mktemp -d)
SP=
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; wait 2>/dev/null; rm -rf "$TACIT_HOME"; }
trap cleanup EXIT
"$T" import "$MEETING" >/dev/null
"$T" serve --no-open >"$TACIT_HOME/url" 2>"$TACIT_HOME/serve.log" &
SP=$!
for _ in $(seq 100); do [ -s "$TACIT_HOME/url" ] && break; sleep 0.1; done
[ -s "$TACIT_HOME/url" ] || { cat "$TACIT_HOME/serve.log"; echo "tacit serve printed no URL"; exit 1; }

mkdir -p build/e2e-artifacts
PLAYWRIGHT_CORE=$NPM_DIR/node_modules/playwright-core CHROMIUM=$CHROMIUM \
	timeout 120 node tests/e2e/app.test.cjs "$(head -n 1 "$TACIT_HOME/url")" "$ROOT/build/e2e-artifacts"
