#!/usr/bin/env bash
# An uploaded recording over a real socket (POST /api/sessions/import-audio): the body
# goes to a temporary file, never to memory (a 200 MiB upload leaves the server's peak
# memory within 40 MiB of where it was); a request without the token or with a foreign
# Origin is refused before anything reaches the disk; a refused upload, and one cut off
# half-way, leave no file behind; a transcript's name is imported as a transcript.
set -eu
T=${TACIT:?}
command -v python3 >/dev/null || { echo "python3 is needed to talk HTTP"; exit 77; }
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
exec python3 "$(dirname "$0")/../tools/serve_upload.py" "$T"
