#!/usr/bin/env bash
# SIGKILL a session-store writer at 200 random points (segments and audio being
# written): no acknowledged segment lost, integrity_check ok, the recording repaired
# with no acknowledged-durable audio lost and at most 1 s of written audio lost.
# A 1,000-point run is `make bench` (bench/store_crash.sh).
set -eu
BIN=${BUILD:-build}/tools/store_crash
[ -x "$BIN" ] || { echo "no $BIN (run make)"; exit 1; }
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
"$BIN" --points 200 --dir "$dir"
