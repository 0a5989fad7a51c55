#!/usr/bin/env bash
# First run in headless Chromium: a fresh `tacit serve` (empty data folder) whose models
# come from tests/tools/http_server.py through TACIT_MODEL_MIRROR (never the internet),
# with a test catalog (TACIT_CATALOG) of real entries pointing at small fake files. The
# Meeting page's first-run card lists what `tacit setup --dry-run --json` picks; a 404 and
# then a damaged file (sha256) each leave an actionable message on the card; the one
# button then downloads all three with progress, and the API and the Models page show
# them downloaded. Screenshots at 1200x900 and 390x844 go to build/e2e-artifacts/.
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
ROOT=$PWD
command -v python3 >/dev/null || { echo "python3 is needed for the test server"; exit 77; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
. tests/integration/lib/e2e_serve.sh

W=$(mktemp -d)
export TACIT_HOME=$W/home TACIT_CATALOG=$W/catalog.json TACIT_AUDIO_BACKEND=null
mkdir -p "$TACIT_HOME"
HP=
cleanup() { serve_stop; [ -n "$HP" ] && kill "$HP" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT

# The catalog: real entries (so the scorers see real shapes and pick as they would
# here), two or three of each kind, each file a fake of 300 kB whose sha256 it declares.
SRV=$W/srv/org/repo/resolve/main
mkdir -p "$SRV"
python3 - "$SRV" data/catalog.json "$TACIT_CATALOG" <<'PY'
import hashlib, json, os, sys
srv, src, dst = sys.argv[1:]
real = {m["id"]: m for m in json.load(open(src))["models"]}
out = []
for rid in ("qwen3.5-2b", "qwen3.5-4b", "gemma4-e2b", "whisper-tiny.en", "whisper-base.en", "silero-vad-v6.2.0"):
    data = os.urandom(300007)
    f = rid + ".bin"
    open(os.path.join(srv, f), "wb").write(data)
    m = dict(real[rid])
    m.update(file_name=f, file_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
             urls=["https://huggingface.example/org/repo/resolve/main/" + f])
    out.append(m)
json.dump({"version": 1, "models": out}, open(dst, "w"))
PY
echo '{}' >"$W/ctl"
python3 tests/tools/http_server.py --root "$W/srv" --control "$W/ctl" --log "$W/log" \
	--port-file "$W/port" --lifetime 300 >/dev/null &
HP=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
[ -s "$W/port" ] || { echo "the test server did not start"; exit 1; }
export TACIT_MODEL_MIRROR=http://127.0.0.1:$(cat "$W/port")/

# what the command line would download: the card must offer the same
"$T" setup --dry-run --json >"$W/plan.json"

serve_start "$W"

mkdir -p build/e2e-artifacts
CONTROL=$W/ctl PLAN=$W/plan.json PLAYWRIGHT_CORE=$NPM_DIR/node_modules/playwright-core CHROMIUM=$CHROMIUM \
	timeout 300 node tests/e2e/first_run.test.cjs "$(head -n 1 "$W/url")" "$ROOT/build/e2e-artifacts" ||
	{ tail -n 20 "$W/serve.log"; exit 1; }
# the files are where `tacit setup` puts them, intact
python3 - "$W/plan.json" "$SRV" "$TACIT_HOME/data/models" <<'PY'
import filecmp, json, os, sys
plan, srv, models = sys.argv[1:]
for m in json.load(open(plan))["models"]:
    f = m["id"] + ".bin"
    assert filecmp.cmp(os.path.join(srv, f), os.path.join(models, f), shallow=False), f + " not downloaded intact"
PY
echo "ok: first run in Chromium"
