#!/usr/bin/env bash
# The web app's token never appears in a command line (readable by every local user in
# /proc/PID/cmdline): `tacit serve` opened the browser with `xdg-open URL?token=...`.
# A stand-in xdg-open records its arguments and the file it was given; that file must
# be private and lead to the URL; it is removed when the server stops.
set -eu
T=${TACIT:?}
export TACIT_HOME=$(mktemp -d); trap 'kill $pid 2>/dev/null || true; rm -rf "$TACIT_HOME"' EXIT
d=$TACIT_HOME
mkdir "$d/bin"
cat >"$d/bin/xdg-open" <<SH
#!/bin/sh
printf '%s\n' "\$@" >"$d/argv"
[ -f "\$1" ] && cp -p "\$1" "$d/page" && stat -c %a "\$1" >"$d/mode"
exit 0
SH
chmod +x "$d/bin/xdg-open"
PATH="$d/bin:$PATH" "$T" serve >"$d/url" 2>"$d/log" &
pid=$!
for _ in $(seq 100); do [ -s "$d/argv" ] && break; sleep 0.1; done
[ -s "$d/argv" ] || { echo "xdg-open was not run"; cat "$d/log"; exit 1; }
url=$(head -n 1 "$d/url")
token=${url##*token=}
[ -n "$token" ] && [ "$token" != "$url" ] || { echo "no token in '$url'"; exit 1; }
if grep -qF "$token" "$d/argv"; then echo "the token is in xdg-open's argv: $(cat "$d/argv")"; exit 1; fi
[ "$(cat "$d/mode")" = 600 ] || { echo "the redirect page is mode $(cat "$d/mode")"; exit 1; }
grep -qF "url=$url" "$d/page"
page=$(head -n 1 "$d/argv")
kill -INT $pid; wait $pid
[ ! -e "$page" ] || { echo "the redirect page '$page' outlived the server"; exit 1; }
