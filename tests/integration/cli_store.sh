#!/usr/bin/env bash
# The session store's commands end to end: import, sessions, show, search, export,
# rename, delete; unknown ids, bad paths, bad queries and bad formats give the right
# exit codes (2 usage, 10 + status otherwise).
set -eu
T=${TACIT:?}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
d=$TACIT_HOME

cat >"$d/standup.txt" <<'TXT'
Alice: Good morning. The budgets for the remote control are ready.
Bob: Thanks. Let us review the remote control design.
Alice: Next week we pick the batteries.
TXT
"$T" sessions 2>"$d/err" >"$d/out"; grep -q "no meetings yet" "$d/err"
"$T" sessions --json | python3 -c 'import json,sys; assert json.load(sys.stdin) == []'
"$T" import "$d/standup.txt" >"$d/out" 2>"$d/err"
grep -q "imported 'standup' as session 1: 3 segments, 2 speakers" "$d/out"
grep -q "estimated at 150 words per minute" "$d/err"
"$T" import --title "Second" --wpm 120 "$d/standup.txt" >/dev/null 2>&1

"$T" sessions | grep -q "standup"
"$T" sessions --json >"$d/s.json"
python3 - "$d/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert [x["id"] for x in s] in ([2, 1], [1, 2]), s
one = [x for x in s if x["id"] == 1][0]
assert one["title"] == "standup" and one["segments"] == 3 and one["speakers"] == 2 and one["times_synthesized"]
PY
"$T" show 1 | grep -q '^# standup'
"$T" show 1 | grep -q 'Bob:\*\* Thanks'
"$T" show --json 1 | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["segments"]) == 3'

# search: stemming, phrase, speaker filter, JSON, bad queries are usage errors
"$T" search budget | grep -q '\[budgets\]'
[ "$("$T" search '"remote control"' | wc -l)" -eq 4 ]
[ "$("$T" search '"remote control"' --speaker bob | wc -l)" -eq 2 ]
[ "$("$T" search '"remote control"' --speaker bob --session 1 | wc -l)" -eq 1 ]
"$T" search battery --json | python3 -c '
import json, sys
h = json.load(sys.stdin)
assert len(h) == 2 and h[0]["speaker"] == "Alice" and "[batteries]" in h[0]["snippet"], h
assert h[0]["start_ms"] > 0'
"$T" search zebra 2>&1 >/dev/null | grep -q "no matches"
expect() { want=$1; shift; if "$@" >"$d/o" 2>"$d/e"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$d/e"; exit 1; }; }
expect 2 "$T" search '"unterminated'
grep -q "unterminated quote" "$d/e"
expect 2 "$T" search 'budget OR'
expect 2 "$T" search
expect 2 "$T" search a b

# export in every format
for f in md json txt srt vtt; do "$T" export 1 --format $f >"$d/x.$f"; done
grep -q '^WEBVTT' "$d/x.vtt"; grep -q '^<v Alice>' "$d/x.vtt"
grep -q -- '-->' "$d/x.srt"; grep -q '^1$' "$d/x.srt"
grep -q '^\[00:00:00\] Alice: Good morning' "$d/x.txt"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$d/x.json"
"$T" export 1 -f txt -o "$d/file.txt"; cmp "$d/file.txt" "$d/x.txt"
expect 2 "$T" export 1 --format docx
expect 2 "$T" export abc
expect 15 "$T" export 99
grep -q "no session 99" "$d/e"
expect 13 "$T" export 1 -o /nonexistent/dir/x.md

# rename, delete, unknown ids
"$T" rename 1 "Daily standup" | grep -q "now 'Daily standup'"
"$T" show 1 | grep -q '^# Daily standup'
expect 2 "$T" rename 1 ""
expect 15 "$T" rename 42 "x"
expect 15 "$T" show 42
expect 2 "$T" show 0
expect 2 "$T" show
"$T" delete --yes 2 | grep -q "deleted session 2"
expect 15 "$T" delete --yes 2
[ "$("$T" search '"remote control"' | wc -l)" -eq 2 ]

# import: missing file, audio, garbage
expect 15 "$T" import "$d/missing.json"   # not found, as for every missing input
grep -q "missing.json" "$d/e"
printf 'RIFF\x24\0\0\0WAVEfmt ' >"$d/talk.wav"
expect 15 "$T" import "$d/talk.wav"   # a recording, but no speech model is downloaded
grep -q "tacit pull" "$d/e"
echo '{"x": 1}' >"$d/bad.json"
expect 14 "$T" import "$d/bad.json"
expect 2 "$T" import --wpm 0 "$d/standup.txt"
"$T" --help | grep -q "^  search "
echo ok
