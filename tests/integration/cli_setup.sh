#!/usr/bin/env bash
# tacit setup and tacit doctor against tests/tools/http_server.py on 127.0.0.1 (through
# TACIT_MODEL_MIRROR, never the internet), with a test catalog (TACIT_CATALOG) of three
# tiny fake model files whose sha256 it declares: the plan (--dry-run, --json), no
# terminal without --yes, --yes downloads all three, doctor healthy (sha256 checked), the
# sound servers it names or warns about, then a damaged file (one byte changed: found by
# the sha256, not by --quick; one byte added: by the size) that doctor names with its
# remedy; offline setup names the mirror and 'tacit add'.
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
command -v python3 >/dev/null || { echo "python3 is needed for the test server"; exit 77; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
W=$(mktemp -d)
SP=
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
export TACIT_HOME=$W/home TACIT_CATALOG=$W/catalog.json TACIT_AUDIO_BACKEND=null
M=$TACIT_HOME/data/models
SRV=$W/srv/org/repo/resolve/main
mkdir -p "$SRV"
fail() { echo "FAIL: $*"; exit 1; }
expect() { # expect CODE CMD...: stdout in $W/out, stderr in $W/err
	local want=$1 rc=0; shift
	"$@" >"$W/out" 2>"$W/err" </dev/null || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$W/out" "$W/err"; fail "expected exit $want, got $rc: $*"; }
}

for f in llm.gguf asr.bin vad.bin; do
	python3 -c "import os,sys; open(sys.argv[1],'wb').write(os.urandom(300007))" "$SRV/$f"
done
# The catalog: the real entries of one model of each kind, with the fake files' names,
# sizes, sha256 and URLs (so the scorers see real shapes).
python3 - "$SRV" data/catalog.json "$TACIT_CATALOG" <<'PY'
import hashlib, json, os, sys
srv, src, dst = sys.argv[1:]
real = {m["id"]: m for m in json.load(open(src))["models"]}
out = []
for rid, f in (("qwen3.5-2b", "llm.gguf"), ("whisper-tiny.en", "asr.bin"), ("silero-vad-v6.2.0", "vad.bin")):
    m = dict(real[rid])
    data = open(os.path.join(srv, f), "rb").read()
    m.update(file_name=f, file_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
             urls=["https://huggingface.example/org/repo/resolve/main/" + f])
    out.append(m)
json.dump({"version": 1, "models": out}, open(dst, "w"))
PY

# --- offline: the plan is shown, the failure names the mirror and 'tacit add'
export TACIT_MODEL_MIRROR=http://127.0.0.1:9/
expect 19 "$T" setup --yes
grep -q "TACIT_MODEL_MIRROR" "$W/err" && grep -q "tacit add" "$W/err" || fail "offline setup: $(cat "$W/err")"

python3 tests/tools/http_server.py --root "$W/srv" --control "$W/ctl" --log "$W/log" \
	--port-file "$W/port" --lifetime 120 >/dev/null &
SP=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
[ -s "$W/port" ] || fail "the test server did not start"
export TACIT_MODEL_MIRROR=http://127.0.0.1:$(cat "$W/port")/

# --- the plan
expect 0 "$T" setup --dry-run
for id in qwen3.5-2b whisper-tiny.en silero-vad-v6.2.0; do grep -q "$id" "$W/out" || fail "plan lacks $id: $(cat "$W/out")"; done
grep -q "free in" "$W/out" || fail "plan lacks the disk left"
[ ! -e "$M/llm.gguf" ] || fail "--dry-run downloaded"
expect 0 "$T" setup --dry-run --json
python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))
assert [m['id'] for m in d['models']] == ['qwen3.5-2b','whisper-tiny.en','silero-vad-v6.2.0'], d
assert d['download_bytes'] == 3*300007 and d['state'] == 'planned', d" "$W/out" || fail "setup --json plan"
# no terminal, no --yes: the plan, exit 2 naming --yes
expect 2 "$T" setup
grep -q -- "--yes" "$W/err" || fail "no-terminal setup does not name --yes"
expect 1 "$T" doctor
grep -q "remedy: tacit setup" "$W/out" || fail "doctor before setup: $(cat "$W/out")"

# --- download, then healthy
expect 0 "$T" setup --yes
for f in llm.gguf asr.bin vad.bin; do cmp -s "$SRV/$f" "$M/$f" || fail "$f not downloaded intact"; done
grep -q "Next:" "$W/out" || fail "setup does not say what to run next"
expect 0 "$T" setup
grep -q "everything is here" "$W/out" || fail "a second setup: $(cat "$W/out")"
expect 0 "$T" doctor
grep -q "^healthy" "$W/out" || fail "doctor after setup: $(cat "$W/out")"
expect 0 "$T" doctor --json
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['healthy'] and not d['problems'], d" "$W/out" ||
	fail "doctor --json healthy"

grep -q "qwen3.5-2b (.*): size and sha256 verified" "$W/out" || fail "doctor does not say the sha256 was checked"

# --- sound servers: a PulseAudio socket is named; none is a warning with its remedy
mkdir -p "$W/run/pulse" "$W/norun"
python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$W/run/pulse/native"
XDG_RUNTIME_DIR=$W/run expect 0 "$T" doctor
grep -q "^ok *sound server *PulseAudio ('$W/run/pulse/native')" "$W/out" || fail "doctor misses PulseAudio: $(cat "$W/out")"
if ! grep -qs "capture" /proc/asound/pcm; then # no ALSA device here either: nothing is seen
	XDG_RUNTIME_DIR=$W/norun PULSE_SERVER= expect 0 "$T" doctor --json
	python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))
w=[x for x in d['warnings'] if x['check']=='sound server']
assert d['healthy'] and w and 'pulseaudio --start' in w[0]['remedy'], d" "$W/out" || fail "doctor --json without a sound server"
fi

# --- a damaged file: doctor names it and the remedy
cp "$M/asr.bin" "$W/asr.good"
python3 -c "
import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[1000]^=0xff; open(p,'wb').write(b)" "$M/asr.bin"
expect 0 "$T" doctor --quick    # the same size: only the sha256 tells
grep -q "whisper-tiny.en (.*): size verified (--quick: sha256 not checked)" "$W/out" || fail "doctor --quick: $(cat "$W/out")"
expect 1 "$T" doctor
grep -q "model 'whisper-tiny.en' is damaged: '$M/asr.bin' has sha256 [0-9a-f]\{64\}, expected " "$W/out" ||
	fail "doctor misses the changed byte: $(cat "$W/out")"
grep -q "remedy: tacit rm whisper-tiny.en && tacit pull whisper-tiny.en" "$W/out" || fail "doctor's remedy"
cp "$W/asr.good" "$M/asr.bin"
printf 'x' >>"$M/asr.bin"
expect 1 "$T" doctor
grep -q "model 'whisper-tiny.en' is damaged" "$W/out" || fail "doctor misses the damaged file: $(cat "$W/out")"
grep -q "remedy: tacit rm whisper-tiny.en && tacit pull whisper-tiny.en" "$W/out" || fail "doctor's remedy"
cp "$W/asr.good" "$M/asr.bin"

# --- a downloaded speaker model, a fourth kind (doctor once marked it in a table of
# three kinds: a write past its end, which the ASan build catches)
python3 - data/catalog.json "$TACIT_CATALOG" "$W/catalog4.json" "$M/spk.onnx" <<'PY'
import hashlib, json, os, sys
real, test, dst, f = sys.argv[1:]
m = dict(next(x for x in json.load(open(real))["models"] if x["id"] == "wespeaker-resnet34"))
data = os.urandom(4099)
open(f, "wb").write(data)
m.update(file_name=os.path.basename(f), file_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
cat = json.load(open(test)); cat["models"].append(m); json.dump(cat, open(dst, "w"))
PY
TACIT_CATALOG=$W/catalog4.json expect 0 "$T" doctor --quick
grep -q "wespeaker-resnet34 (.*): size verified" "$W/out" || fail "doctor with a speaker model: $(cat "$W/out")"
echo ok
