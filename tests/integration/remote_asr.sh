#!/usr/bin/env bash
# A remote speech engine against real servers on 127.0.0.1: whisper.cpp's whisper-server
# with the random-weight tiny.en model (its words are nonsense; the path is what is
# tested) transcribes and imports a recording, shown by 'tacit engine', 'tacit models'
# and 'tacit doctor' and stored as "whisper-server on HOST"; an OpenAI-style server
# (python, in this script) with an API key, answering 500, a bad answer or nothing; the
# server killed; and an strace audit that every connection goes to the configured
# address. Each failure is a clear error naming the host, and stores no session.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin JFK=$SHARED/audio/jfk.wav
if [ ! -r "$VOCAB" ] || [ ! -r "$JFK" ]; then echo "skip: ../shared models/audio absent"; exit 77; fi
command -v whisper-server >/dev/null || { echo "skip: whisper-server is not installed"; exit 77; }
M=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$M.tmp.$$" && mv "$M.tmp.$$" "$M"; fi
. tests/integration/lib/servers.sh

expect_rc() { want=$1; shift; if "$@" >"$W/out" 2>"$W/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$W/err"; exit 1; }; }
expect_err() { grep -qF -- "$1" "$W/err" || { echo "expected the message '$1', got:"; cat "$W/err"; exit 1; }; }
n_sessions() { "$T" sessions --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d if isinstance(d, list) else d.get("sessions", [])))'; }

sox "$JFK" "$W/clip.wav" trim 0 3

# 1. whisper-server: transcribe, import, and where it runs
P=$(free_port)
U=http://127.0.0.1:$P
whisper-server -m "$M" --host 127.0.0.1 --port "$P" -t 1 -nf >"$W/server.log" 2>&1 &
SERVER=$!; PIDS+=("$SERVER")
wait_up "$U/"
expect_rc 0 "$T" transcribe --asr-engine "$U" --format json "$W/clip.wav"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d['segments'], list), d" "$W/out"
"$T" engine --asr "$U" >"$W/out"
grep -qF "speech: remote, 127.0.0.1:$P (the server's model)" "$W/out" || { cat "$W/out"; exit 1; }
"$T" models --json >"$W/out"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['speech_runs'].startswith('remote, 127.0.0.1:'+sys.argv[2]), d['speech_runs']" "$W/out" "$P"
"$T" doctor >"$W/out" 2>&1 || true
grep -qF "remote, 127.0.0.1:$P (whisper-server): answered" "$W/out" || { echo "doctor:"; cat "$W/out"; exit 1; }
expect_rc 0 "$T" import --title Remote "$W/clip.wav"
grep -q "imported 'Remote' as session 1" "$W/out"
"$T" export 1 --format json --output "$W/s1.json" >/dev/null
python3 - "$W/s1.json" "$P" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert "whisper-server on 127.0.0.1:" + sys.argv[2] in d["models"], d["models"]
assert "remote" in d["models"], d["models"]
for g in d["segments"]:
    assert 0 <= g["start_ms"] <= g["end_ms"] <= 3100, g
PY
echo "whisper-server: transcribed and imported $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['segments']))" "$W/s1.json") segment(s)"

# 2. the network audit: every connection of an import goes to the configured address
if command -v strace >/dev/null; then
	NOLSAN="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	$NOLSAN strace -f -qq -e trace=network -o "$W/trace" "$T" import --title Audited "$W/clip.wav" >/dev/null 2>"$W/err" ||
		{ cat "$W/err"; exit 1; }
	grep -E 'connect\(' "$W/trace" | grep -q "sin_port=htons($P), sin_addr=inet_addr(\"127.0.0.1\")" ||
		{ echo "the import never connected to the speech server"; cat "$W/trace"; exit 1; }
	if grep -E 'connect\(|sendto\(|sendmsg\(' "$W/trace" | grep -E 'sa_family=AF_INET' |
		grep -v "sin_port=htons($P), sin_addr=inet_addr(\"127.0.0.1\")" | grep -q .; then
		echo "a connection went elsewhere:"; grep -E 'sa_family=AF_INET' "$W/trace"; exit 1
	fi
	echo "audit: $(grep -cE 'connect\(.*AF_INET' "$W/trace") connection(s) from an import, all to 127.0.0.1:$P"
else
	echo "strace is not installed: the network audit is skipped"
fi
before=$(n_sessions)

# 3. the server killed: a clear error, no session, no local fallback
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
expect_rc 19 "$T" import "$W/clip.wav"
expect_err "cannot reach the speech server '127.0.0.1:$P': connection refused"
[ "$(n_sessions)" = "$before" ] || { echo "a failed import stored a session"; exit 1; }
"$T" engine --asr local >/dev/null

# 4. an OpenAI-style server: the key, its answer, and each failure
KEY=k-$RANDOM$RANDOM
for mode in ok 500 bad drop; do
	port=$(free_port); python3 tests/integration/lib/fake_asr.py $mode "$port" "$KEY" & PIDS+=($!)
	eval "P_$mode=$port"
done
wait_up "http://127.0.0.1:$P_ok/"; wait_up "http://127.0.0.1:$P_drop/"
expect_rc 19 "$T" import --asr-engine "http://127.0.0.1:$P_ok/v1" "$W/clip.wav"
expect_err "the speech server '127.0.0.1:$P_ok' refused a request without an API key (HTTP 401: invalid api key)"
expect_rc 19 env TACIT_ENGINE_KEY=wrong-key-123 "$T" import --asr-engine "http://127.0.0.1:$P_ok" "$W/clip.wav"
expect_err "refused the API key (HTTP 401"
! grep -q "wrong-key-123" "$W/err" || { echo "the key is in the message"; exit 1; }
echo "$KEY" >"$W/key"
"$T" engine --asr "http://127.0.0.1:$P_500" --key-file "$W/key" >/dev/null
expect_rc 19 "$T" import "$W/clip.wav"
expect_err "the speech server '127.0.0.1:$P_500' failed the transcription: HTTP 500: the GPU is out of memory"
expect_rc 19 "$T" import --asr-engine "http://127.0.0.1:$P_bad" "$W/clip.wav"
expect_err "the speech server '127.0.0.1:$P_bad' sent segment 1 without text, start and end"
expect_rc 19 "$T" import --asr-engine "http://127.0.0.1:$P_drop" "$W/clip.wav"
expect_err "the speech server '127.0.0.1:$P_drop' closed the connection before the transcription was complete"
[ "$(n_sessions)" = "$before" ] || { echo "a failed import stored a session"; exit 1; }
expect_rc 0 "$T" import --asr-engine "http://127.0.0.1:$P_ok" --title OpenAI "$W/clip.wav"
id=$((before + 1))
"$T" export "$id" --format json --output "$W/s2.json" >/dev/null
python3 - "$W/s2.json" "$P_ok" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [g["text"] for g in d["segments"]] == ["Hello from the server.", "A second part."], d["segments"]
assert d["segments"][1]["start_ms"] == 1500 and d["segments"][1]["end_ms"] == 2900, d["segments"]
assert d["language"] == "en", d["language"]
assert "whisper-1 on 127.0.0.1:" + sys.argv[2] in d["models"], d["models"]
PY
# transcribe takes files to a speech server; live audio goes there from a meeting (live_remote_asr.sh)
expect_rc 2 "$T" transcribe --asr-engine "http://127.0.0.1:$P_ok" --live - </dev/null
expect_err "tacit live --asr-engine URL"
echo ok
