#!/usr/bin/env bash
# The picker's downloads through the web API: pull the real Silero VAD file from a local
# trickling mirror (TACIT_MODEL_MIRROR; never the internet), follow its progress as
# Server-Sent Events, cancel it, pull again to completion (verified sha256), see it
# listed as downloaded, delete it.
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
command -v python3 >/dev/null || { echo "python3 is needed to talk HTTP"; exit 77; }
VAD=$PWD/../shared/models/ggml-silero-v6.2.0.bin
[ -f "$VAD" ] || { echo "../shared is absent: no model file to serve"; exit 77; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
exec python3 tests/tools/serve_pull.py "$T" "$VAD"
