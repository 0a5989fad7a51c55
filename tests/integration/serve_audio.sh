#!/usr/bin/env bash
# tacit serve's recording endpoint over a real socket (Python's http.client: the dev root
# has no curl): a two-channel meeting
# recorded by `tacit live --pcm -` (one second of silence: the VAD hears nothing, so the
# random-weight whisper never runs) is listed at /api/sessions/ID/audio and served with
# byte ranges: 200 with Accept-Ranges for the whole file, 206 with the right
# Content-Range and bytes for a range, an open range, a suffix and a range past the end,
# and 416 with "bytes */SIZE" for a range starting past the end, a reversed one, another
# unit and garbage.
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
command -v python3 >/dev/null || { echo "python3 is needed to talk HTTP"; exit 77; }
VOCAB=../shared/models/whisper-vocab-tiny.en.bin VAD=../shared/models/ggml-silero-v6.2.0.bin
[ -r "$VOCAB" ] && [ -r "$VAD" ] || { echo "../shared's whisper vocabulary or Silero VAD is absent"; exit 77; }
BUILD=${BUILD:-build}
WM=$BUILD/models/ggml-tiny.en-random.bin
mkdir -p "$BUILD/models"
[ -r "$WM" ] || { "$BUILD/tools/synth-whisper" "$VOCAB" "$WM.tmp.$$" >/dev/null && mv "$WM.tmp.$$" "$WM"; }
export TACIT_HOME=$(mktemp -d)
SP=
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$TACIT_HOME"; }
trap cleanup EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
fail() { echo "FAIL: $*"; exit 1; }

# one second of a ramp on both channels, so byte positions can be checked
python3 -c 'import sys,struct; sys.stdout.buffer.write(b"".join(struct.pack("<hh", i % 32000, -(i % 32000)) for i in range(16000)))' >"$TACIT_HOME/pcm"
"$T" live --pcm - --channels 2 --no-analysis --asr-model "$WM" --vad-model "$VAD" --title Ramp <"$TACIT_HOME/pcm" 2>/dev/null
WAV=$(ls "$TACIT_HOME"/data/audio/1/chunk-000.wav)
SIZE=$(stat -c %s "$WAV")
[ "$SIZE" = 64044 ] || fail "the recording has $SIZE bytes, not 64044"

"$T" serve --no-open >"$TACIT_HOME/url" 2>"$TACIT_HOME/serve.log" &
SP=$!
for _ in $(seq 100); do [ -s "$TACIT_HOME/url" ] && break; sleep 0.1; done
URL=$(head -n 1 "$TACIT_HOME/url")
BASE=${URL%%/?token=*}
TOKEN=${URL##*token=}
# get [-I] [-H "Name: value"] URL: the status line and headers to $TACIT_HOME/h, the body to b
get() { python3 - "$TACIT_HOME" "$TOKEN" "$@" <<'PY'
import http.client, sys, urllib.parse
home, token, args = sys.argv[1], sys.argv[2], sys.argv[3:]
method, headers = "GET", {"Authorization": "Bearer " + token}
while args[0].startswith("-"):
    if args[0] == "-I": method = "HEAD"; args = args[1:]
    else: k, v = args[1].split(": ", 1); headers[k] = v; args = args[2:]
u = urllib.parse.urlsplit(args[0])
c = http.client.HTTPConnection(u.hostname, u.port)
c.request(method, u.path, headers=headers)
r = c.getresponse()
body = r.read()
with open(home + "/h", "w") as f:
    f.write("HTTP/1.1 %d %s\n" % (r.status, r.reason))
    for k, v in r.getheaders(): f.write("%s: %s\n" % (k, v))
with open(home + "/b", "wb") as f: f.write(body)
PY
}
hdr() { tr -d '\r' <"$TACIT_HOME/h" | sed -n "s/^$1: //Ip" | head -n 1; }
status() { tr -d '\r' <"$TACIT_HOME/h" | head -n 1 | cut -d' ' -f2; }

get "$BASE/api/sessions/1/audio"
grep -q '"chunk":0,"start_ms":0,"duration_ms":1000,"channels":2' "$TACIT_HOME/b" || fail "chunk list: $(cat "$TACIT_HOME/b")"

A=$BASE/api/sessions/1/audio/0
get "$A"
[ "$(status)" = 200 ] && [ "$(hdr Accept-Ranges)" = bytes ] && [ "$(hdr Content-Type)" = audio/wav ] || fail "whole file: $(cat "$TACIT_HOME/h")"
cmp -s "$TACIT_HOME/b" "$WAV" || fail "the whole file differs from the recording"

check() { # range, expected first byte, last byte
	get -H "Range: $1" "$A"
	[ "$(status)" = 206 ] || fail "Range $1 answered $(status)"
	[ "$(hdr Content-Range)" = "bytes $2-$3/$SIZE" ] || fail "Range $1: Content-Range '$(hdr Content-Range)'"
	[ "$(hdr Content-Length)" = $(($3 - $2 + 1)) ] || fail "Range $1: Content-Length '$(hdr Content-Length)'"
	tail -c +$(($2 + 1)) "$WAV" | head -c $(($3 - $2 + 1)) | cmp -s - "$TACIT_HOME/b" || fail "Range $1: wrong bytes"
}
check bytes=0-43 0 43
check bytes=1000-1999 1000 1999
check bytes=64000- 64000 64043
check bytes=-4 64040 64043
check bytes=60000-99999999 60000 64043

for bad in bytes=64044- bytes=99999-100000 bytes=10-5 items=0-3 bytes=x-y bytes=-0; do
	get -H "Range: $bad" "$A"
	[ "$(status)" = 416 ] || fail "Range $bad answered $(status), not 416"
	[ "$(hdr Content-Range)" = "bytes */$SIZE" ] || fail "Range $bad: Content-Range '$(hdr Content-Range)'"
done
get -I "$A"
[ "$(status)" = 200 ] && [ "$(hdr Content-Length)" = "$SIZE" ] || fail "HEAD: $(cat "$TACIT_HOME/h")"
get "$BASE/api/sessions/1/audio/3"
[ "$(status)" = 404 ] || fail "a missing chunk answered $(status)"
echo "ranges: 200, 206 x5, 416 x6, HEAD and 404 as expected"
