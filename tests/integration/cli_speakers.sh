#!/usr/bin/env bash
# tacit speakers: a meeting's speakers with talk time, lines and a sample (the longest
# line); rename by label, then by the name given before (any case), in every line of the
# export at once; back to the label with ""; --json; unknown meetings and speakers, and
# usage errors, exit with the right codes (2 usage, 15 not found).
set -eu
T=${TACIT:?}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
d=$TACIT_HOME
fail() { echo "FAIL: $*"; exit 1; }
expect() { local want=$1; shift; set +e; "$@" >"$d/out" 2>"$d/err"; local rc=$?; set -e
	[ "$rc" = "$want" ] || fail "$* exited $rc, not $want: $(cat "$d/err")"; }

cat >"$d/m.txt" <<'TXT'
Speaker 1: Good morning. The budgets for the remote control are ready for review today.
Speaker 2: Thanks.
Speaker 1: Next week we pick the batteries.
Speaker 2: And I write the launch plan by Friday.
TXT
"$T" import "$d/m.txt" >/dev/null 2>&1
expect 0 "$T" speakers 1
grep -q '^Speaker 1  00:00:0[0-9] talk, 2 lines$' "$d/out" || fail "listing: $(cat "$d/out")"
grep -q '^    \[00:00:00\] Good morning. The budgets for the remote control are ready for review today.$' "$d/out" ||
	fail "Speaker 1's sample is not the longest line: $(cat "$d/out")"
grep -q '^Speaker 2  .* talk, 2 lines$' "$d/out" || fail "listing: $(cat "$d/out")"

expect 0 "$T" speakers 1 rename "Speaker 2" Alice
grep -qx "'Speaker 2' is now 'Alice' in meeting 1" "$d/out"
expect 0 "$T" speakers 1 rename alice "Alice Martin"
"$T" export 1 --format txt >"$d/txt" 2>/dev/null
[ "$(grep -c 'Alice Martin: ' "$d/txt")" = 2 ] || fail "not every line was renamed: $(cat "$d/txt")"
! grep -q 'Speaker 2:' "$d/txt" || fail "a line kept the old label"
expect 0 "$T" speakers --json 1
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = {x["label"]: x for x in d["speakers"]}
assert d["session_id"] == 1 and s["Speaker 2"]["name"] == "Alice Martin" and s["Speaker 1"]["name"] is None
assert s["Speaker 2"]["n_segments"] == 2 and s["Speaker 2"]["sample"]["text"].startswith("And I write")
assert s["Speaker 1"]["talk_ms"] > s["Speaker 2"]["talk_ms"] > 0' "$d/out"
expect 0 "$T" speakers 1 rename "Speaker 2" ""
grep -q "goes back to its label" "$d/out"
"$T" export 1 --format txt 2>/dev/null | grep -q '^\[00:00:0[0-9]\] Speaker 2: Thanks.$' || fail "the label is not back"

expect 15 "$T" speakers 1 rename Carol X
grep -q "meeting 1 has no speaker 'Carol' (see 'tacit speakers 1')" "$d/err"
expect 15 "$T" speakers 9
expect 2 "$T" speakers
expect 2 "$T" speakers abc
expect 2 "$T" speakers 1 renam A B
expect 2 "$T" speakers 1 rename A
grep -q "rename needs WHO and NAME" "$d/err"
expect 2 "$T" speakers 1 rename "" B
expect 2 "$T" speakers --json 1 rename A B
expect 0 "$T" speakers --help
grep -q 'usage: tacit speakers' "$d/out"
echo "speakers: listed, renamed by label and by name, reset; errors as expected"
