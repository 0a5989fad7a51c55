#!/usr/bin/env bash
# Power loss, not only kill -9: tests/tools/faultfs.c (LD_PRELOAD) fails fsync and
# fdatasync with EIO, or makes every write short, while a live meeting writes segments
# and audio. Either the failure is reported (an event or the exit status) or what tacit
# acknowledged is on disk after a "reboot" (the store reopened by another process):
# every segment announced as final is stored, and the recording holds at least the
# bytes the store records as durable, under a valid WAV header.
set -eu
. tests/integration/lib/faults.sh
tools/make-meeting "$W/meeting-full.wav" 2>/dev/null
sox "$W/meeting-full.wav" "$W/meeting.wav" trim 0 10
"$T" sessions >/dev/null 2>&1 # the store exists before the faults begin

# After the run with faults $@: acknowledged data is there, or the failure was told.
run() {
	local name=$1; shift
	if env LD_PRELOAD="$W/faultfs.so" "$@" "$T" live "${A[@]}" --realtime "$W/meeting.wav" --speed 8 --json \
		>"$W/$name.out" 2>"$W/$name.err"; then rc=0; else rc=$?; fi
	"$T" sessions >/dev/null 2>&1 # the "reboot": another process opens the store (and repairs)
	python3 - "$W/$name.out" "$W/$name.err" "$rc" "$W/data" <<'PY'
import json, os, sqlite3, sys, wave
out, err, rc, data = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3]), sys.argv[4]
ev = [json.loads(l) for l in open(out) if l.startswith("{")]
told = rc != 0 or any(e["type"] == "warning" for e in ev)
assert rc == 0 or err.strip(), ("failed without a message", rc)
db = sqlite3.connect(os.path.join(data, "tacit.db"))
sid = ev[0]["session"] if ev else db.execute("SELECT max(id) FROM sessions").fetchone()[0]
texts = [r[0] for r in db.execute("SELECT text FROM segments WHERE session_id = ?", (sid,))]
for e in ev:
    if e["type"] == "final":
        assert e["text"] in texts, ("acknowledged segment lost", e)
for path, durable, state in db.execute("SELECT path, bytes_durable, state FROM audio_files WHERE session_id = ?", (sid,)):
    path = path if path.startswith("/") else os.path.join(data, path)
    with wave.open(path) as w:
        have = w.getnframes() * w.getnchannels() * 2
    assert have >= durable, ("acknowledged audio lost", path, have, durable, state)
    assert 44 + have == os.path.getsize(path), ("header does not say what is there", path)
    assert durable > 0 or told, ("no audio and nothing told", state)
print("%s: rc %d, %d finals, told %s" % (os.path.basename(out), rc, sum(e["type"] == "final" for e in ev), told))
PY
}

# fdatasync of the recording fails from its 4th call: a warning, the durable part kept
run audio_sync TACIT_FAULT_PATH=/audio/ TACIT_FAULT_FSYNC_FAIL_AFTER=4
grep -q '"the recording stopped at 0:0.*cannot sync recording' "$W/audio_sync.out" ||
	{ echo "a failed fdatasync of the audio was not told"; cat "$W/audio_sync.out" "$W/audio_sync.err"; exit 1; }
# the database's fsync fails mid-meeting: reported, every announced segment stored
run db_sync TACIT_FAULT_PATH=tacit.db TACIT_FAULT_FSYNC_FAIL_AFTER=14
grep -Eiq "disk I/O error|cannot" "$W/db_sync.err" "$W/db_sync.out" ||
	{ echo "a failed fsync of the database was not told"; cat "$W/db_sync.err"; exit 1; }
# every write short (retried to completion): nothing told, nothing lost
run short TACIT_FAULT_SHORT_WRITES=1
! grep -q '"type":"warning"' "$W/short.out" || { echo "short writes made a failure"; cat "$W/short.out"; exit 1; }
grep -q '"type":"stopped"' "$W/short.out"
echo ok
