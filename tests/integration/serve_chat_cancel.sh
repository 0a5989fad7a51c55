#!/usr/bin/env bash
# tacit serve's History chat over a real socket: ../shared's stories260K is added as a
# custom model and chosen through the API, a question streams its answer as events, and
# dropping the connection mid-answer (the page closed) ends the model worker for real and
# stores nothing. Tokens are slowed to 200 ms in the worker (TACIT_WORKER_TEST) so the
# answer is still running when the connection goes.
set -eu
T=${TACIT:?}
command -v python3 >/dev/null || { echo "python3 is needed to talk HTTP"; exit 77; }
MODEL=$(dirname "$0")/../../../shared/models/stories260K.gguf
[ -r "$MODEL" ] || { echo "../shared/models/stories260K.gguf is absent"; exit 77; }
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
exec python3 "$(dirname "$0")/../tools/serve_chat_cancel.py" "$T" "$(realpath "$MODEL")"
