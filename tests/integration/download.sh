#!/usr/bin/env bash
# tacit pull / rm against tests/tools/http_server.py on 127.0.0.1 (reached through
# TACIT_MODEL_MIRROR, never the internet): fresh download, resume after drops, 200 instead
# of 206, a changed ETag, a wrong Content-Range, a flipped byte, a full disk, a stall,
# 5xx and 404, offline hosts, Ctrl-C, server digests, archived entries, and 100 kill -9
# at random byte positions each followed by a resume whose hash must match.
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
command -v python3 >/dev/null || { echo "python3 is needed for the test server"; exit 77; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
W=$(mktemp -d)
SP=
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
export TACIT_HOME=$W/home TACIT_CATALOG=$W/catalog.json
M=$TACIT_HOME/data/models
SRV=$W/srv/org/repo/resolve/main
mkdir -p "$SRV"

fail() { echo "FAIL: $*"; exit 1; }
ctl() { printf '%s\n' "$1" >"$W/ctl.tmp" && mv "$W/ctl.tmp" "$W/ctl"; }
requests() { grep -c '"event": "request"' "$W/log" || true; }
# logged_since N PATTERN: a response logged after the Nth request matches PATTERN.
# (Responses are logged when they end; an abandoned one ends when its thread notices.)
logged_since() {
	awk -v n="$1" '/"event": "request"/ { seen++ } seen > n' "$W/log" | grep -q -- "$2" ||
		fail "no response like $2 in: $(cat "$W/log")"
}
sha() { sha256sum "$1" | cut -c1-64; }
# expect CODE CMD...: runs CMD, which must exit CODE; stderr lands in $W/err
expect() {
	local want=$1 rc=0; shift
	"$@" >"$W/out" 2>"$W/err" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$W/err"; fail "expected exit $want, got $rc: $*"; }
}

# Files: odd sizes so no chunk boundary lines up by luck.
python3 -c "import os,sys; open(sys.argv[1],'wb').write(os.urandom(1500007))" "$SRV/a.gguf"
python3 -c "import os,sys; open(sys.argv[1],'wb').write(os.urandom(1000003))" "$SRV/b.gguf"
python3 -c "import os,sys; open(sys.argv[1],'wb').write(os.urandom(600011))" "$SRV/k.gguf"
SHA_A=$(sha "$SRV/a.gguf") SHA_B=$(sha "$SRV/b.gguf") SHA_K=$(sha "$SRV/k.gguf")

python3 tests/tools/http_server.py --root "$W/srv" --control "$W/ctl" --log "$W/log" \
	--port-file "$W/port" --lifetime 240 >/dev/null &
SP=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
[ -s "$W/port" ] || fail "the test server did not start"
PORT=$(cat "$W/port")
export TACIT_MODEL_MIRROR=http://127.0.0.1:$PORT/

HF=https://huggingface.example/org/repo/resolve/main
# A catalog the strict loader accepts (speech-model entries: no LLM layout needed).
entry() { # id status file bytes sha url [replaced_by]
	printf ' {"id": "%s", "kind": "asr", "name": "%s", "family": "test", "status": "%s", "file_name": "%s",
  "file_bytes": %s, "sha256": %s, "urls": ["%s"], "replaced_by": %s}' "$1" "$1" "$2" "$3" "$4" "$5" "$6" "${7:-null}"
}
{
	echo '{"version": 1, "models": ['
	entry test-a active a.gguf 1500007 "\"$SHA_A\"" "$HF/a.gguf"; echo ,
	entry test-nosha active b.gguf 1000003 null "$HF/b.gguf"; echo ,
	entry test-redirect active b2.gguf 1000003 null "https://huggingface.example/r/org/repo/resolve/main/b.gguf"; echo ,
	entry test-kill active k.gguf 600011 "\"$SHA_K\"" "$HF/k.gguf"; echo ,
	entry test-huge active huge.gguf 1000000000000000 "\"$SHA_A\"" "$HF/a.gguf"; echo ,
	entry test-archived archived old.gguf 1500007 "\"$SHA_A\"" "$HF/a.gguf" '"test-a"'; echo ,
	entry test-offline active o.gguf 10 null "https://nonexistent.invalid/o.gguf"
	echo ']}'
} >"$TACIT_CATALOG"
"$T" models --json >/dev/null 2>"$W/err" || fail "the test catalog does not load: $(cat "$W/err")"

# --- a fresh download, JSON progress, and a second pull that needs no network
ctl '{"rate": 3000000}'
expect 0 "$T" pull --json test-a
[ "$(sha "$M/a.gguf")" = "$SHA_A" ] || fail "fresh download hash"
python3 - "$W/out" "$SHA_A" <<'PY' || fail "pull --json output"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev[-1]["event"] == "done" and ev[-1]["sha256"] == sys.argv[2] and ev[-1]["bytes"] == 1500007, ev[-1]
prog = [e for e in ev if e["event"] == "progress"]
assert prog and all(e["bytes_total"] == 1500007 for e in prog), prog
assert prog[-1]["bytes_done"] == 1500007
assert all(a["bytes_done"] <= b["bytes_done"] for a, b in zip(prog, prog[1:]))
PY
ls "$M" | grep -q partial && fail "leftover partial files: $(ls "$M")"
ctl '{}'
n=$(requests)
expect 0 "$T" pull test-a
[ "$(requests)" -eq "$n" ] || fail "a verified model was fetched again"
grep -q "^test-a: ready at $M/a.gguf" "$W/out" || fail "pull output: $(cat "$W/out")"

# --- rm says what it freed; a second rm finds nothing
expect 0 "$T" rm test-a
grep -q "removed test-a: 1 MiB freed" "$W/out" || fail "rm output: $(cat "$W/out")"
[ ! -e "$M/a.gguf" ] || fail "rm left the file"
expect 15 "$T" rm test-a
grep -q "model 'test-a' is not downloaded" "$W/err" || fail "rm twice: $(cat "$W/err")"

# --- a dropped connection is retried and resumed with Range + If-Range
ctl '{"drop_at": 700001}'
n=$(requests)
expect 0 "$T" pull test-a
[ "$(sha "$M/a.gguf")" = "$SHA_A" ] || fail "resume after drop: hash"
grep -q "retrying in" "$W/err" || fail "no retry message: $(cat "$W/err")"
logged_since "$n" '"status": 206, "range": "bytes=700001-", "if_range": "\\"'

"$T" rm test-a >/dev/null

# helper: leave a partial of test-a (a drop and no retries)
partial_a() {
	ctl "{\"drop_at\": $1}"
	expect 19 "$T" pull --retries 0 test-a
	grep -q "the partial file is kept" "$W/err" || fail "partial message: $(cat "$W/err")"
	[ "$(stat -c %s "$M/a.gguf.partial")" -eq "$1" ] || fail "partial size $(stat -c %s "$M/a.gguf.partial")"
	[ ! -e "$M/a.gguf" ] || fail "final name exists after a failed pull"
}

# --- 200 instead of 206: restart from byte 0, correct file
partial_a 500000
ctl '{"no_range": 1}'
n=$(requests)
expect 0 "$T" pull test-a
[ "$(sha "$M/a.gguf")" = "$SHA_A" ] || fail "200-instead-of-206: hash"
grep -q "whole file: starting again from byte 0" "$W/err" || fail "no restart message: $(cat "$W/err")"
logged_since "$n" '"status": 200, "range": "bytes=500000-".*"sent": 1500007'
"$T" rm test-a >/dev/null

# --- a changed ETag: the server's If-Range check sends the whole new file
partial_a 400000
ctl '{"etag": "\"a-new-version\""}'
n=$(requests)
expect 0 "$T" pull test-a
[ "$(sha "$M/a.gguf")" = "$SHA_A" ] || fail "changed etag: hash"
logged_since "$n" '"status": 200, "range": "bytes=400000-".*"sent": 1500007'
"$T" rm test-a >/dev/null

# --- a 206 for the wrong range is refused: a fresh request without Range
partial_a 300000
ctl '{"bad_range": 1}'
n=$(requests)
expect 0 "$T" pull test-a
[ "$(sha "$M/a.gguf")" = "$SHA_A" ] || fail "bad content-range: hash"
grep -q "another range (bytes 300001-" "$W/err" || fail "bad range message: $(cat "$W/err")"
logged_since "$n" '"status": 200, "range": null.*"sent": 1500007'
"$T" rm test-a >/dev/null

# --- a flipped byte: integrity error, no final file, no partial left to resume
ctl '{"flip": 1234567}'
expect 26 "$T" pull test-a
grep -q "does not match its sha256" "$W/err" || fail "flip message: $(cat "$W/err")"
[ "$(wc -l <"$W/err")" -eq 1 ] || fail "integrity failure is not one line: $(cat "$W/err")"
[ -z "$(ls "$M")" ] || fail "files left after an integrity failure: $(ls "$M")"

# --- a full file system (RLIMIT_FSIZE with SIGXFSZ ignored: writes fail with EFBIG)
ctl '{}'
rc=0; (ulimit -f 512; trap '' XFSZ; exec "$T" pull test-a) >"$W/out" 2>"$W/err" || rc=$?
[ "$rc" -eq 27 ] || fail "full disk: exit $rc: $(cat "$W/err")"
grep -q "cannot write '$M/a.gguf.partial': File too large (free some space" "$W/err" || fail "$(cat "$W/err")"
[ ! -e "$M/a.gguf" ] || fail "final name exists after a full disk"
[ "$(stat -c %s "$M/a.gguf.partial")" -eq 524288 ] || fail "partial after full disk"
expect 0 "$T" pull test-a # space again: it resumes
[ "$(sha "$M/a.gguf")" = "$SHA_A" ] || fail "resume after full disk: hash"
"$T" rm test-a >/dev/null
# ... and the free-space check before any transfer
n=$(requests)
expect 27 "$T" pull test-huge
grep -q "not enough disk space in '$M': need 1050000.0 GB (file + 5 %)" "$W/err" || fail "$(cat "$W/err")"
[ "$(requests)" -eq "$n" ] || fail "the space check ran after a request"

# --- a stall times out with a clear message and keeps the partial
ctl '{"stall_at": 200000, "stall": 20}'
expect 19 "$T" pull --stall-timeout 1 --retries 0 test-a
grep -q "stalled at 200.0 kB" "$W/err" || fail "stall message: $(cat "$W/err")"
[ "$(stat -c %s "$M/a.gguf.partial")" -eq 200000 ] || fail "partial after stall"
"$T" rm test-a >/dev/null

# --- 500 then OK is retried; 404 is not
ctl '{"fail": 1}'
expect 0 "$T" pull test-a
grep -q "answered HTTP 500; retrying" "$W/err" || fail "500 retry: $(cat "$W/err")"
"$T" rm test-a >/dev/null
ctl '{"status": 404}'
n=$(requests)
expect 19 "$T" pull test-a
grep -q "answered HTTP 404 (not found" "$W/err" || fail "404: $(cat "$W/err")"
[ "$(requests)" -eq $((n + 1)) ] || fail "404 was retried"
[ -z "$(ls "$M")" ] || fail "files left after a 404: $(ls "$M")"

# --- no sha256 in the catalog: the server's digest is checked, then recorded
ctl '{"digest": "repr"}'
expect 0 "$T" pull test-nosha
[ "$(cut -c1-64 "$M/b.gguf.sha256")" = "$SHA_B" ] || fail "recorded sha"
grep -q ", recorded)" "$W/out" || fail "$(cat "$W/out")"
"$T" rm test-nosha >/dev/null
[ ! -e "$M/b.gguf.sha256" ] || fail "rm left the recorded sha256"
ctl '{"digest": "digest", "digest_value": "'"$SHA_A"'"}'
expect 26 "$T" pull test-nosha
grep -q "expected $SHA_A" "$W/err" || fail "$(cat "$W/err")"
# a new file version (changed ETag) makes the digest announced for the old one void
ctl '{"drop_at": 300000, "digest": "digest", "digest_value": "'"$SHA_A"'"}'
expect 19 "$T" pull --retries 0 test-nosha
grep -q "$SHA_A" "$M/b.gguf.partial.json" || fail "digest not in the sidecar"
ctl '{"etag": "\"v2\""}'
expect 0 "$T" pull test-nosha
[ "$(cut -c1-64 "$M/b.gguf.sha256")" = "$SHA_B" ] || fail "recorded sha after a new version"
"$T" rm test-nosha >/dev/null
# x-linked-etag on a redirect, as Hugging Face sends it
ctl '{"digest_value": "'"$SHA_A"'"}'
expect 26 "$T" pull test-redirect
ctl '{}'
expect 0 "$T" pull test-redirect
[ "$(sha "$M/b2.gguf")" = "$SHA_B" ] || fail "redirect hash"

# --- Ctrl-C keeps the partial; the next pull resumes it
ctl '{"rate": 400000}'
"$T" pull test-a >/dev/null 2>"$W/err" &
P=$!
for _ in $(seq 400); do [ "$(stat -c %s "$M/a.gguf.partial" 2>/dev/null || echo 0)" -gt 100000 ] && break; sleep 0.01; done
kill -INT "$P"
rc=0; wait "$P" || rc=$?
[ "$rc" -eq 17 ] || fail "ctrl-c: exit $rc: $(cat "$W/err")"
grep -q "cancelled at .* the partial file is kept" "$W/err" || fail "$(cat "$W/err")"
[ -s "$M/a.gguf.partial" ] && [ -s "$M/a.gguf.partial.json" ] || fail "ctrl-c lost the partial"
ctl '{}'
n=$(requests)
expect 0 "$T" pull test-a
[ "$(sha "$M/a.gguf")" = "$SHA_A" ] || fail "resume after ctrl-c: hash"
logged_since "$n" '"status": 206, "range": "bytes=[1-9]'


# --- archived entries: selectable while their file exists, never downloaded again
expect 15 "$T" pull test-archived
grep -q "archived and no longer offered for download (pull 'test-a' instead)" "$W/err" || fail "$(cat "$W/err")"
cp "$M/a.gguf" "$M/old.gguf"
n=$(requests)
expect 0 "$T" pull test-archived
[ "$(requests)" -eq "$n" ] || fail "an archived file was fetched"
expect 0 "$T" rm test-archived
expect 15 "$T" pull test-archived
cp "$M/a.gguf" "$M/old.gguf"

# --- offline: one clear line naming the host
expect 19 env TACIT_MODEL_MIRROR= "$T" pull test-offline
[ "$(wc -l <"$W/err")" -eq 1 ] || fail "offline is not one line: $(cat "$W/err")"
grep -q "cannot reach 'nonexistent.invalid': .*TACIT_MODEL_MIRROR=URL.*'tacit add PATH'" "$W/err" || fail "$(cat "$W/err")"
"$T" rm test-a >/dev/null
python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" >"$W/deadport"
expect 19 env TACIT_MODEL_MIRROR="http://127.0.0.1:$(cat "$W/deadport")" "$T" pull test-a
grep -q "cannot reach the mirror '127.0.0.1'" "$W/err" || fail "$(cat "$W/err")"
[ "$(wc -l <"$W/err")" -eq 1 ] || fail "offline is not one line: $(cat "$W/err")"

# --- with no network at all: pull fails in one line, everything else works
if unshare -rn true 2>/dev/null; then
	expect 19 unshare -rn "$T" pull test-a
	grep -q "cannot reach the mirror '127.0.0.1'" "$W/err" || fail "no network: $(cat "$W/err")"
	expect 0 unshare -rn "$T" system --no-bandwidth
	expect 0 unshare -rn "$T" pull test-archived # verified from disk, no connection needed
	expect 0 unshare -rn "$T" rm test-archived
else
	echo "note: no network namespace here (unshare -rn); skipping the no-network checks"
fi

# --- usage and unknown names
expect 2 "$T" pull
expect 2 "$T" pull --retries lots test-a
expect 2 "$T" rm a b
expect 15 "$T" pull test-aa
grep -q "no model 'test-aa' in the catalog (close: test-a" "$W/err" || fail "$(cat "$W/err")"

# --- 100 kill -9 at random byte positions; every download resumed to the right hash
python3 - "$T" "$M/k.gguf" "$SHA_K" "$W/ctl" <<'PY' || fail "kill -9 test"
import hashlib, os, random, subprocess, sys, time
tacit, dest, want, ctl = sys.argv[1:]
partial, size = dest + ".partial", 600011
seed = int(os.environ.get("TACIT_TEST_SEED", time.time_ns() % 1000000))
rng = random.Random(seed)
def control(text):
    with open(ctl + ".tmp", "w") as f:
        f.write(text)
    os.rename(ctl + ".tmp", ctl)
def size_of(path):
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0
def finish():
    control("{}")
    r = subprocess.run([tacit, "pull", "test-kill"], capture_output=True, text=True)
    assert r.returncode == 0, (seed, r.stderr)
    with open(dest, "rb") as f:
        got = hashlib.sha256(f.read()).hexdigest()
    assert got == want, (seed, "hash mismatch")
    assert not os.path.exists(partial)
    os.remove(dest)
    os.remove(dest + ".sha256") if os.path.exists(dest + ".sha256") else None
mid = finished = 0
for kill in range(100):
    control('{"rate": 6000000}')
    target = rng.randrange(0, size)
    p = subprocess.Popen([tacit, "pull", "test-kill"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while p.poll() is None and size_of(partial) < target:
        time.sleep(0.001)
    p.kill()
    p.wait()
    at = size_of(partial)
    mid += 0 < at < size
    if rng.random() < 0.5:  # resume now, or take another kill on the resumed transfer
        finish()
        finished += 1
finish()
finished += 1
print("seed %d: 100 kills (%d mid-transfer), %d downloads resumed, all hashes match" % (seed, mid, finished))
assert mid >= 10, "kills did not land mid-transfer"
PY
echo ok
