#!/usr/bin/env bash
# The session store's crash test at 1,000 SIGKILL points (tests run 200): prints JSON
# lines for bench/run with the lost acknowledged segments (must be 0) and the most audio
# lost at a kill (must be at most 1000 ms).
set -eu
cd "$(dirname "$0")/.."
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
"${BUILD:-build}/tools/store_crash" --points 1000 --dir "$dir" --bench 2>"$dir/log" | grep '^{' || { tail -n 20 "$dir/log" >&2; exit 1; }
