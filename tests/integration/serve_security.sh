#!/usr/bin/env bash
# tacit serve's defences, over real sockets (python3 http.client; the dev root has no
# curl): foreign Host, a DNS-rebinding Host, foreign and missing Origin on writes,
# missing and wrong tokens, cross-site preflight — every one must be rejected; the
# one-time URL sets a strict cookie; the security headers are on every answer; only
# loopback listeners exist; non-loopback --bind is a usage error; Ctrl-C stops cleanly.
# Outside-attack classes kept fixed: 64 slow-loris connections (the page still answers
# within 3 s, and they are cut once their headers are late), a chunked body over the
# limit (413, not a dropped connection), bad UTF-8 in paths and in stored text (answers
# stay UTF-8 JSON; a Windows-1252 import is decoded), libmicrohttpd's own error pages.
set -eu
T=${TACIT:?}
command -v python3 >/dev/null || { echo "python3 is needed to talk HTTP"; exit 77; }
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

expect_usage() { if "$@" >/dev/null 2>&1; then echo "expected failure: $*"; exit 1; else rc=$?; fi
	[ "$rc" -eq 2 ] || { echo "expected exit 2, got $rc: $*"; exit 1; }; }
expect_usage "$T" serve --bind 0.0.0.0 --no-open
expect_usage "$T" serve --bind 192.168.1.10 --no-open
expect_usage "$T" serve --bind :: --no-open
expect_usage "$T" serve --port 70000 --no-open
expect_usage "$T" serve --port abc --no-open
expect_usage "$T" serve extra --no-open
"$T" serve --bind 0.0.0.0 --no-open 2>&1 | grep -q "refusing to listen on '0.0.0.0'"

exec python3 "$(dirname "$0")/../tools/serve_security.py" "$T"
