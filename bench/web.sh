#!/usr/bin/env bash
# bench/web.sh — the web app's speed as a user meets it: `tacit serve` on a store of 54
# meetings (the shared QMSum sample's six transcripts imported BENCH_WEB_COPIES times
# each, default 9), then in
# headless Chromium the time from navigation to rendered content of Meeting, History, a
# meeting page (the shortest and the longest meeting), Models, Settings and Actions
# (BENCH_WEB_LOADS each, default 15, a fresh document every time), and the latency of
# the main GET endpoints (BENCH_WEB_REQUESTS each, default 50, one keep-alive connection,
# in turn). Prints bench.h-style JSON lines (p50, with p95 in the note); the reference of
# a page load is issue #20's slowest page (480 ms). Runs in the dev root where the host
# lacks the libraries, as the tests do; needs Chromium and node (tests/e2e's
# playwright-core, installed as the browser tests install it).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
if [ -z "${TACIT_IN_DEVROOT:-}" ] && ldd "$BUILD/tacit" | grep -q "not found"; then exec tools/devroot run bash "$0" "$@"; fi
T=$PWD/$BUILD/tacit
DATA=$SHARED/data/qmsum-sample
[ -d "$DATA" ] || { echo "bench web: $DATA absent, skipped" >&2; exit 0; }
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] && command -v node >/dev/null || { echo "bench web: needs chromium and node, skipped" >&2; exit 0; }
. tests/integration/lib/e2e_npm.sh
W=$(mktemp -d)
export TACIT_HOME=$W/home
SP=
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT

for k in $(seq "${BENCH_WEB_COPIES:-9}"); do
	for f in "$DATA"/*.json; do
		"$T" import --title "$(basename "$f" .json) #$k" "$f" >/dev/null 2>&1
	done
done
n=$("$T" sessions --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d if isinstance(d, list) else d["sessions"]))')
"$T" serve --no-open >"$W/url" 2>"$W/serve.log" &
SP=$!
for _ in $(seq 100); do [ -s "$W/url" ] && break; sleep 0.1; done
[ -s "$W/url" ] || { cat "$W/serve.log" >&2; exit 1; }
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "bench web: $n meetings, load $(uptime | sed 's/.*load average: //')" >&2
MACHINE=$machine MEETINGS=$n COPIES=${BENCH_WEB_COPIES:-9} PLAYWRIGHT_CORE=$NPM_DIR/node_modules/playwright-core CHROMIUM=$CHROMIUM \
	node bench/web.cjs "$(head -n 1 "$W/url")"
echo "bench web: done, load $(uptime | sed 's/.*load average: //')" >&2
