#!/usr/bin/env bash
# A live meeting transcribed by a speech server on 127.0.0.1 (tacit live --asr-engine):
# 1. whisper.cpp's whisper-server (random-weight tiny.en: its words are nonsense, the
#    path is what is tested) gets each ended utterance, no partial is made, the session
#    records "whisper-server on HOST", and an strace audit finds every connection of the
#    meeting and its workers going to that address (the rest are Unix sockets);
# 2. an OpenAI-style server (lib/fake_asr.py) makes the finals, then is killed
#    mid-meeting: a warning naming the host, exit 19, the meeting unfinished with its
#    finals and every second of audio pushed before the failure; a resume with the server
#    back goes on and ends it.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ]; then echo "skip: ../shared models absent"; exit 77; fi
command -v whisper-server >/dev/null || { echo "skip: whisper-server is not installed"; exit 77; }
M=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$M.tmp.$$" && mv "$M.tmp.$$" "$M"; fi
. tests/integration/lib/servers.sh

tools/make-meeting "$W/full.wav" 2>/dev/null
pcm() { sox "$W/full.wav" -t raw -r 16000 -e signed -b 16 -c 1 "$W/$1.raw" trim "$2" "$3"; }
pcm a 0 6; pcm b 6 6; pcm c 12 4
LIVE=("$T" live --no-analysis --vad-model "$VAD" --speakers off --pcm - --json)
fail() { echo "$1"; for f in "${@:2}"; do echo "--- $f"; cat "$f"; done; exit 1; }
# seconds of audio stored for session $1
audio_s() { python3 - "$W/data/audio/$1" <<'PY'
import glob, sys, wave
print(sum(wave.open(f).getnframes() for f in glob.glob(sys.argv[1] + "/chunk-*.wav")) / 16000)
PY
}
session() { "$T" sessions --json | python3 -c 'import json,sys; d=json.load(sys.stdin); s=[x for x in d if x["id"]==int(sys.argv[1])][0]; print(json.dumps(s))' "$1"; }

# 1. whisper-server, under strace
P=$(free_port)
U=http://127.0.0.1:$P
whisper-server -m "$M" --host 127.0.0.1 --port "$P" -t 1 -nf >"$W/server.log" 2>&1 &
PIDS+=($!)
wait_up "$U/"
TRACE=()
if command -v strace >/dev/null; then
	TRACE=(env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=network -o "$W/trace")
fi
"${TRACE[@]}" "${LIVE[@]}" --asr-engine "$U" <"$W/a.raw" >"$W/out1" 2>"$W/err1" || fail "the meeting failed" "$W/err1"
python3 - "$W/out1" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
types = [e["type"] for e in ev]
assert types[-1] == "stopped", types
assert "partial" not in types, "a speech server is sent finals only"
assert any(e["type"] == "final" for e in ev), "no final came from whisper-server"
assert not [e for e in ev if e["type"] == "warning"], [e for e in ev if e["type"] == "warning"]
PY
"$T" export 1 --format json --output "$W/s1.json" >/dev/null
python3 - "$W/s1.json" "$P" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert "whisper-server on 127.0.0.1:" + sys.argv[2] in d["models"], d["models"]
PY
[ "$(audio_s 1 | cut -d. -f1)" -ge 5 ] || fail "the recording is short: $(audio_s 1) s"
if [ ${#TRACE[@]} -gt 0 ]; then
	calls=$(grep -E '(socket|connect|sendto|sendmsg|bind)\(' "$W/trace" || true)
	printf '%s\n' "$calls" | grep -E 'connect\(' | grep -q "sin_port=htons($P), sin_addr=inet_addr(\"127.0.0.1\")" ||
		fail "the meeting never connected to the speech server" "$W/trace"
	if printf '%s\n' "$calls" | grep -E 'sa_family=AF_INET6?' | grep -v "sin_port=htons($P), sin_addr=inet_addr(\"127.0.0.1\")" | grep -q .; then
		echo "a connection went elsewhere:"; printf '%s\n' "$calls" | grep -E 'sa_family=AF_INET'; exit 1
	fi
	echo "audit: $(printf '%s\n' "$calls" | grep -cE 'connect\(.*AF_INET') connection(s) from a live meeting, all to 127.0.0.1:$P"
else
	echo "strace is not installed: the network audit is skipped"
fi

# 2. an OpenAI-style server, killed mid-meeting
KEY=k-$RANDOM$RANDOM
export TACIT_ENGINE_KEY=$KEY
PF=$(free_port)
python3 tests/integration/lib/fake_asr.py ok "$PF" "$KEY" & FAKE=$!; PIDS+=($FAKE)
wait_up "http://127.0.0.1:$PF/"
rm -f "$W/fifo"; mkfifo "$W/fifo"
"${LIVE[@]}" --asr-engine "http://127.0.0.1:$PF" <"$W/fifo" >"$W/out2" 2>"$W/err2" &
LPID=$!
exec 3>"$W/fifo"
cat "$W/a.raw" >&3
for _ in $(seq 1 1800); do grep -q '"type":"final"' "$W/out2" && break; kill -0 "$LPID" 2>/dev/null || break; sleep 0.1; done
grep -q '"type":"final"' "$W/out2" || { exec 3>&-; wait "$LPID" || true; fail "no final came from the server" "$W/out2" "$W/err2"; }
id=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1])][0]["session"])' "$W/out2")
kill "$FAKE"; wait "$FAKE" 2>/dev/null || true
cat "$W/b.raw" >&3 || true # the meeting may have stopped reading: that is the point
exec 3>&-
if wait "$LPID"; then rc=0; else rc=$?; fi
[ "$rc" -eq 19 ] || fail "expected exit 19 after the server went away, got $rc" "$W/err2" "$W/out2"
python3 - "$W/out2" "$PF" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
warn = [e["text"] for e in ev if e["type"] == "warning"]
assert any(w.startswith("transcription stopped: ") and "127.0.0.1:" + sys.argv[2] in w for w in warn), warn
assert "stopped" not in [e["type"] for e in ev], "a meeting whose transcription failed must not end as if complete"
finals = [e["text"] for e in ev if e["type"] == "final"]
assert finals and set(finals) <= {"Hello from the server.", "A second part."}, finals
PY
grep -qF "127.0.0.1:$PF" "$W/err2" || fail "the error does not name the host" "$W/err2"
grep -qF "meeting $id stays unfinished" "$W/err2" || fail "no word that the meeting is kept" "$W/err2"
s=$(session "$id")
python3 -c 'import json,sys; s=json.loads(sys.argv[1]); assert s["ended_ms"] is None and s["segments"] >= 1, s' "$s"
kept=$(audio_s "$id")
python3 -c 'import sys; k=float(sys.argv[1]); assert 6 <= k <= 12.01, k' "$kept" ||
	fail "the recording holds $kept s; 6 s were pushed before the failure"
n_before=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["segments"])' "$s")
echo "killed mid-meeting: exit 19, $n_before final(s) and $kept s of audio kept, meeting $id unfinished"

# the server back: the meeting goes on and ends
python3 tests/integration/lib/fake_asr.py ok "$PF" "$KEY" & PIDS+=($!)
wait_up "http://127.0.0.1:$PF/"
"${LIVE[@]}" --asr-engine "http://127.0.0.1:$PF" --resume "$id" <"$W/c.raw" >"$W/out3" 2>"$W/err3" ||
	fail "the resumed meeting failed" "$W/err3"
s=$(session "$id")
python3 -c 'import json,sys; s=json.loads(sys.argv[1]); assert s["ended_ms"] is not None and s["segments"] > int(sys.argv[2]), s' "$s" "$n_before"
echo ok
