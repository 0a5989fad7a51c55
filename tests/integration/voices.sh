#!/usr/bin/env bash
# Remembered voices end to end on real speech with the test embedding model: off by
# default (remember refused); on, an import keeps each speaker's voiceprint, one is
# remembered by name, and the same voices imported again come out as "Alice (likely)";
# the microphone channel of a two-channel file gives "Me"'s, which a one-microphone
# recording then finds; exports never carry a voiceprint; deleting the first meeting
# keeps the remembered voice; off deletes meetings' voiceprints; forget. Starts
# workers: `make test` only.
set -eu
T=${TACIT:?}
BUILD=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
W=$TACIT_HOME
SHARED=${TACIT_SHARED:-../shared}
SPK=$SHARED/audio/diarization/speakers VAD=$SHARED/models/ggml-silero-v6.2.0.bin
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin
if [ ! -d "$SPK" ] || [ ! -r "$VAD" ] || [ ! -r "$VOCAB" ]; then echo "skip: ../shared speakers, VAD or vocabulary absent"; exit 77; fi
if ! python3 -c 'import onnx, numpy' 2>/dev/null; then echo "skip: python3 onnx/numpy absent"; exit 77; fi
fail() { echo "FAIL: $*"; exit 1; }
expect() { want=$1; shift; if "$@" >"$W/out" 2>"$W/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$W/err"; exit 1; }; }

M=$W/models
tools/make-onnx-models "$M" >/dev/null
A=$BUILD/models/ggml-tiny.en-random.bin
if [ ! -r "$A" ]; then mkdir -p "$BUILD/models"; "$BUILD/tools/synth-whisper" "$VOCAB" "$A.tmp.$$" && mv "$A.tmp.$$" "$A"; fi
I=(import --asr-model "$A" --vad-model "$VAD" --threads 2 --embedding-model "$M/test-embedding.onnx")
"$BUILD/tools/diar-sim" "$SPK" "$W/two.wav" --speakers 2 --minutes 0.5 --seed 13 >/dev/null
"$BUILD/tools/diar-sim" "$SPK" "$W/one.wav" --speakers 1 --minutes 0.5 --seed 12 >/dev/null

speakers() { "$T" speakers --json "$1" | python3 -c 'import json,sys; print("|".join("%s=%s" % (s["label"], s["name"] or "") for s in json.load(sys.stdin)["speakers"]))'; }

# off by default: nothing kept, remember refused with the reason
expect 0 "$T" voices
grep -q "remembered voices are off" "$W/out"
expect 0 "$T" "${I[@]}" --speakers 2 "$W/two.wav"
expect 2 "$T" speakers 1 remember "Speaker 1" Alice
grep -q "biometric" "$W/err"

# on: meeting 2 keeps voiceprints; Speaker 1's is remembered as Alice
expect 0 "$T" voices on
grep -q "biometric" "$W/out"
expect 0 "$T" "${I[@]}" --speakers 2 "$W/two.wav"
expect 0 "$T" speakers 2 remember "Speaker 1" Alice
expect 0 "$T" voices --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["enabled"] and [v["name"] for v in d["voices"]]==["Alice"] and d["voices"][0]["from_session"]==2, d' "$W/out"

# the same voices again: Alice is found, the other speaker stays unnamed
expect 0 "$T" "${I[@]}" --speakers 2 "$W/two.wav"
got=$(speakers 3); echo "meeting 3: $got"
case "|$got|" in *"=Alice (likely)|"*) ;; *) fail "Alice not found by voice: $got";; esac
[ "$(echo "$got" | grep -o 'Alice (likely)' | wc -l)" = 1 ] || fail "one voice named two speakers: $got"

# exports never carry a voiceprint
for f in json md txt srt vtt; do
	"$T" export 3 --format $f >"$W/x.$f" 2>/dev/null
	! grep -qi "voiceprint" "$W/x.$f" || fail "the $f export holds a voiceprint"
done

# two channels: the microphone is "Me", whose voice a one-microphone recording finds
python3 - "$W/one.wav" "$W/two.wav" "$W/stereo.wav" <<'PY'
import sys, wave, array
def read(p):
    w = wave.open(p); a = array.array("h", w.readframes(w.getnframes())); return a
a, b = read(sys.argv[1]), read(sys.argv[2])
n = min(len(a), len(b)); out = array.array("h", [0]) * (2 * n)
out[0::2] = a[:n]; out[1::2] = b[:n]
w = wave.open(sys.argv[3], "wb"); w.setnchannels(2); w.setsampwidth(2); w.setframerate(16000); w.writeframes(out.tobytes())
PY
expect 0 "$T" "${I[@]}" --speakers 2 "$W/stereo.wav"
expect 0 "$T" speakers 4 remember Me
expect 0 "$T" "${I[@]}" --speakers 1 "$W/one.wav"
got=$(speakers 5); echo "meeting 5: $got"
[ "$got" = "Speaker 1=Me (likely)" ] || fail "'Me' not found by voice: $got"

# deleting the meeting a voice came from keeps the remembered voice
expect 0 "$T" delete --yes 2
expect 0 "$T" voices --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v={x["name"]:x for x in d["voices"]}; assert v["Alice"]["from_session"]==0 and "Me" in v, d' "$W/out"

# off: meetings' voiceprints are gone (remember fails even when on again); forget
expect 0 "$T" voices off
expect 0 "$T" voices on
expect 15 "$T" speakers 3 remember "Speaker 2" Bob
grep -q "has no voiceprint" "$W/err"
expect 0 "$T" voices forget alice
expect 15 "$T" voices forget Alice
expect 0 "$T" voices forget --all
grep -q "forgot 1 remembered voice" "$W/out"
expect 2 "$T" voices forget
expect 2 "$T" voices maybe
expect 2 "$T" speakers 3 remember
echo "voices: remembered, found again (Alice, Me), never exported, kept past a delete, forgotten"
