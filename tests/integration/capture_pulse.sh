#!/usr/bin/env bash
# Real capture through a real sound server: a private, headless PulseAudio (no hardware)
# where a null sink "meet" stands for the meeting's audio and a source "mic" for the
# microphone. The installed tacit (make install into a staging DESTDIR) lists them;
# `tacit live --mic mic --system meet.monitor` records jfk.wav played into the sink and an
# espeak-ng voice played into the microphone; the stored audio matches what was played
# (tests/tools/audio_match.py: median correlation of 2 s blocks, each aligned by
# cross-correlation, >= $MIN_CORR) with the
# microphone on channel 0 ("Me") and the meeting on channel 1 ("Them"), and neither on the
# other; segments come labelled Me/Them; unloading the sink mid-meeting gives a warning
# event while the meeting goes on; Ctrl-C gives the stopped event with its summary. When
# the server stops, `tacit live` and `tacit transcribe --mic` end by themselves (exit 13),
# keeping what they heard; with no server, --mic fails with one message naming the
# remedy. Skips (77) without pulseaudio, espeak-ng, sox, numpy or the shared models.
set -eu
B=${BUILD:-build}
SHARED=${TACIT_SHARED:-../shared}
MIN_CORR=0.6 # through the server's resampling and remapping, 0.9 and above is typical
for tool in pulseaudio pactl paplay espeak-ng sox python3 make; do
	command -v "$tool" >/dev/null || { echo "skip: no $tool (a headless sound server is needed)"; exit 77; }
done
python3 -c 'import numpy' 2>/dev/null || { echo "skip: no numpy for the correlation"; exit 77; }
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin JFK=$SHARED/audio/jfk.wav
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ] || [ ! -r "$JFK" ]; then echo "skip: ../shared models or audio absent"; exit 77; fi

W=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
# Nothing of the user's session: a runtime directory, home and store of the test's own.
export HOME=$W/home XDG_RUNTIME_DIR=$W/run TACIT_HOME=$W/tacit
export PULSE_RUNTIME_PATH=$W/run/pulse PULSE_SERVER=unix:$W/run/pulse/native PULSE_CLIENTCONFIG=$W/client.conf
unset PULSE_COOKIE DISPLAY DBUS_SESSION_BUS_ADDRESS
mkdir -p "$HOME" "$PULSE_RUNTIME_PATH"
echo "autospawn = no" >"$PULSE_CLIENTCONFIG" # never a server of the client's own making

# The command as a user runs it: installed (as tests/integration/install.sh does it).
stage=$W/stage
make --no-print-directory BUILD="$B" ${SAN:+SAN="$SAN"} PREFIX=/usr install DESTDIR="$stage" >"$W/make.log" 2>&1 ||
	{ cat "$W/make.log"; exit 1; }
export LD_LIBRARY_PATH=$stage/usr/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export TACIT_WORKER=$stage/usr/libexec/tacit/tacit-worker # /usr/libexec/tacit is not there
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
T=$stage/usr/bin/tacit

# The server. The microphone is a null sink's monitor remapped as a source of its own
# (module-remap-source): a monitor would be listed as system audio, a pipe source
# (module-pipe-source) stalls unless something writes to its FIFO without a gap, and
# module-virtual-source passes its master's audio only when it has a sink input; the
# remapped source is a plain input, as a real microphone is, fed by playing into micsink.
cat >"$W/server.pa" <<EOF
load-module module-native-protocol-unix socket=$PULSE_RUNTIME_PATH/native auth-anonymous=1
load-module module-null-sink sink_name=meet sink_properties=device.description=Meeting
load-module module-null-sink sink_name=micsink sink_properties=device.description=Mic-feed
load-module module-remap-source source_name=mic master=micsink.monitor source_properties=device.description=Test-microphone
set-default-source mic
EOF
pulseaudio --daemonize=no --system=false --exit-idle-time=-1 -n --use-pid-file=no -F "$W/server.pa" \
	--log-target=file:"$W/server.log" &
server=$!
pids+=($server)
for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl info >/dev/null 2>&1 || { echo "pulseaudio did not start:"; cat "$W/server.log"; exit 1; }

# the server's devices, with their ids (two null sinks' monitors share a kind of name)
"$T" transcribe --list-devices >"$W/out" 2>"$W/err" || { cat "$W/err"; exit 1; }
grep -q "^system  Monitor of Meeting \[meet.monitor\]" "$W/out" || { echo "no meeting monitor:"; cat "$W/out"; exit 1; }
grep -q "^input   Test-microphone \[mic\] (default)" "$W/out" || { echo "no microphone:"; cat "$W/out"; exit 1; }
grep -q "through PulseAudio" "$W/err"
"$T" transcribe --list-devices --json >"$W/out"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(x["id"]=="meet.monitor" and x["system"] and x["backend"]=="PulseAudio" for x in d), d' "$W/out"

# The recordings: jfk.wav twice (22 s) into the meeting, a voice (~15 s) into the
# microphone; each longer than the capture, so one playback covers it without a gap.
sox "$JFK" "$JFK" "$W/them.wav"
espeak-ng -s 150 -w "$W/voice.wav" "Good morning everyone. This is the microphone speaking on my side of the call.
	I think we should ship the release on Friday, after the last review. Can you send me the notes
	from the budget meeting? Thank you, that is all from me for now."
sox "$W/voice.wav" -r 16000 -c 1 -b 16 "$W/me.wav"

WM=$B/models/ggml-tiny.en-random.bin LM=$B/models/live-test.gguf
mkdir -p "$B/models"
[ -r "$WM" ] || { "$B/tools/synth-whisper" "$VOCAB" "$WM.tmp.$$" && mv "$WM.tmp.$$" "$WM"; }
[ -r "$LM" ] || { "$B/tools/synth-model" --arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192 \
	--out "$LM.tmp.$$" --quiet && mv "$LM.tmp.$$" "$LM"; }

await() { # TEXT FILE PID: waits (up to a minute: a slow machine is no failure) for TEXT
	for _ in $(seq 600); do grep -q "$1" "$2" 2>/dev/null && return 0; kill -0 "$3" 2>/dev/null || break; sleep 0.1; done
	grep -q "$1" "$2" 2>/dev/null || { echo "never saw '$1' in $2:"; cat "$2" "$W/err"; exit 1; }
}
"$T" live --asr-model "$WM" --vad-model "$VAD" --no-fallback --no-partials --threads 2 \
	--model "$LM" --ctx 2048 --max-tokens 320 --window-tokens 200 --json \
	--mic mic --system meet.monitor >"$W/out" 2>"$W/err" &
lpid=$!
pids+=($lpid)
await "listening on 'Test-microphone' + 'Monitor of Meeting'" "$W/err" "$lpid"
paplay --device=meet "$W/them.wav" &
them=$!
pids+=($them)
paplay --device=micsink "$W/me.wav" & pids+=($!)
sleep 7
# the meeting's output goes away: a warning, and the meeting goes on with the microphone
# (its player ends first: PulseAudio would move it to the microphone's sink)
kill "$them"
pactl unload-module "$(pactl list short modules | awk '/sink_name=meet /{ print $1 }')"
await '"type":"warning".*system audio is gone' "$W/out" "$lpid"
sleep 1
kill -0 "$lpid" || { echo "tacit live ended when the meeting's output went away:"; cat "$W/err"; exit 1; }
kill -INT "$lpid"
if wait "$lpid"; then rc=0; else rc=$?; fi
[ "$rc" = 0 ] || { echo "tacit live exited $rc after Ctrl-C:"; cat "$W/err"; exit 1; }

python3 - "$W/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
types = [e["type"] for e in ev]
assert types[-1] == "stopped", types
st = ev[-1]["data"]
assert st["summary"] is not None, st                     # the stop made its summary
finals = [e for e in ev if e["type"] == "final"]
labels = sorted({e["speaker"] for e in finals})
# the random-weight whisper writes words, not the speech: the labels are what is checked
assert finals and labels == ["Me", "Them"], (labels, finals)
assert st["segments"] == len(finals), (st, len(finals))
print(f"{len(finals)} segments, labels {labels}, stopped with a summary in {st['stop_ms']} ms ({st['stop_model_calls']} model calls)")
PY
id=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["session"])' "$W/out")
"$T" export "$id" --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["segments"], d' ||
	{ echo "the segments were not kept"; exit 1; }

# the stored audio is what was played, each on its own side
rec=$W/recording.wav
chunks=("$TACIT_HOME"/data/audio/"$id"/chunk-*.wav)
[ "${#chunks[@]}" = 1 ] || { echo "expected one audio chunk: ${chunks[*]}"; exit 1; }
cp "${chunks[0]}" "$rec"
[ "$(soxi -c "$rec")" = 2 ] || { echo "the recording is not two-channel"; exit 1; }
score() { python3 tests/tools/audio_match.py "$rec" "$1" "$2" | tee -a "$W/scores" | sed -n 's/^corr=\([-0-9.]*\).*/\1/p'; }
me=$(score 0 "$W/me.wav") them=$(score 1 "$W/them.wav") me_x=$(score 0 "$W/them.wav") them_x=$(score 1 "$W/me.wav")
echo "Me: $me (jfk: $me_x); Them: $them (voice: $them_x); threshold $MIN_CORR"; cat "$W/scores"
python3 -c "import sys; m, t, mx, tx = map(float, sys.argv[1:5]); thr = $MIN_CORR
assert m >= thr and t >= thr, 'the recording does not match what was played'
assert mx < thr / 2 and tx < thr / 2, 'a channel holds the other side too'" "$me" "$them" "$me_x" "$them_x" ||
	{ cat "$W/scores"; exit 1; }

# every device gone (the sound server stops): the meeting ends by itself, with all it
# heard kept, and says so
"$T" live --asr-model "$WM" --vad-model "$VAD" --no-fallback --no-partials --threads 2 --no-analysis --json \
	--mic mic --system micsink.monitor >"$W/out" 2>"$W/err" &
lpid=$!
pids+=($lpid)
await "listening on 'Test-microphone' + 'Monitor of Mic-feed'" "$W/err" "$lpid"
"$T" transcribe --model "$WM" --vad-model "$VAD" --no-fallback --threads 1 --mic mic >"$W/tout" 2>"$W/terr" &
tpid=$!
pids+=($tpid)
await "listening on 'Test-microphone'" "$W/terr" "$tpid"
sleep 1
kill "$server"
if wait "$tpid"; then rc=0; else rc=$?; fi
[ "$rc" = 13 ] && grep -q "warning: every audio device is gone" "$W/terr" ||
	{ echo "tacit transcribe --mic: exit $rc when the server went:"; cat "$W/terr"; exit 1; }
for _ in $(seq 600); do kill -0 "$lpid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$lpid" 2>/dev/null && { echo "tacit live goes on without any device:"; cat "$W/err"; exit 1; }
if wait "$lpid"; then rc=0; else rc=$?; fi
[ "$rc" = 13 ] || { echo "expected exit 13 (I/O) when the devices went away, got $rc:"; cat "$W/err"; exit 1; }
grep -q "meeting [0-9]* ended early: its audio devices went away" "$W/err" || { cat "$W/err"; exit 1; }
python3 - "$W/out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev[-1]["type"] == "stopped", ev
assert any(e["type"] == "warning" and "are gone" in e["text"] for e in ev), ev
PY

# no sound server: one message that says what to do
[ -e /dev/snd ] && { echo "ok (the no-server case needs a machine without /dev/snd)"; exit 0; }
PULSE_SERVER=unix:$W/nowhere "$T" live --no-analysis --asr-model "$WM" --vad-model "$VAD" --mic >"$W/out" 2>"$W/err" &&
	{ echo "--mic without a sound server succeeded"; exit 1; }
[ "$(wc -l <"$W/err")" = 1 ] || { echo "not one message:"; cat "$W/err"; exit 1; }
grep -q "no PulseAudio or PipeWire server answered (start it" "$W/err" || { cat "$W/err"; exit 1; }
echo ok
