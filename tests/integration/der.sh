#!/usr/bin/env bash
# tools/der on turns whose errors are known to the frame: a late start (missed speech at
# a turn edge), a wrong speaker for the last 5 s of a turn (confusion, 0.5 s of it
# within the edge of the turn's end), one file pooled and per file.
set -eu
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
cat >"$W/ref.rttm" <<'R'
SPEAKER m 1 0.000 10.000 <NA> <NA> alice <NA> <NA>
SPEAKER m 1 10.000 10.000 <NA> <NA> bob <NA> <NA>
R
cat >"$W/hyp.rttm" <<'R'
SPEAKER m 1 0.300 9.700 <NA> <NA> s1 <NA> <NA>
SPEAKER m 1 10.000 5.000 <NA> <NA> s2 <NA> <NA>
SPEAKER m 1 15.000 5.000 <NA> <NA> s1 <NA> <NA>
R
tools/der "$W/ref.rttm" "$W/hyp.rttm" --json >"$W/out"
tools/der "$W/ref.rttm" "$W/hyp.rttm" --json --per-file >"$W/per"
tools/der "$W/ref.rttm" "$W/hyp.rttm" >"$W/text"
python3 - "$W/out" "$W/per" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
near = lambda a, b: abs(a - b) < 1e-9
# 2000 frames of speech: 30 missed at alice's start, 500 of bob's as s1 (50 within 0.5 s of his end)
assert near(d["der"], 26.5) and near(d["missed"], 1.5) and near(d["confusion"], 25.0), d
assert near(d["missed_edge"], 1.5) and near(d["confusion_edge"], 2.5) and d["false_alarm"] == 0, d
lines = [json.loads(l) for l in open(sys.argv[2])]
assert len(lines) == 2 and lines[0]["file"] == "m" and near(lines[0]["der"], 26.5) and "file" not in lines[1], lines
PY
grep -q "at turn edges, within 0.5 s: missed 1.5, confusion 2.5" "$W/text"
echo "der: ok"
