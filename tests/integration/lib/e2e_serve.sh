# lib/e2e_serve.sh — sourced by the newer browser tests (serve_first_run.sh,
# serve_export_folder.sh) from the repository root with $T set: skips (77) without
# Chromium or node, installs playwright-core (lib/e2e_npm.sh), and gives
#   serve_start DIR   `tacit serve` in the background, its URL in DIR/url, pid in $SP
#   serve_stop        ends it (SIGTERM, then SIGKILL after 10 s)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "no chromium at $CHROMIUM"; exit 77; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed"; exit 77; }
. tests/integration/lib/e2e_npm.sh
SP=

serve_start() {
	"$T" serve --no-open >"$1/url" 2>"$1/serve.log" &
	SP=$!
	for _ in $(seq 100); do [ -s "$1/url" ] && break; sleep 0.1; done
	[ -s "$1/url" ] || { cat "$1/serve.log"; echo "tacit serve printed no URL"; exit 1; }
}

serve_stop() {
	[ -n "$SP" ] || return 0
	kill "$SP" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$SP" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$SP" 2>/dev/null || true
	SP=
}
