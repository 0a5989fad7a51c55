#!/usr/bin/env bash
# An option error names the option the user typed: 'tacit search -budget' blamed
# 'search'; a missing value is told from an unknown option.
set -eu
T=${TACIT:?}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
d=$TACIT_HOME
expect() { want=$1; shift; if "$@" >"$d/o" 2>"$d/e"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$d/e"; exit 1; }; }
printf 'Alice: The budget is ready.\nBob: Thanks.\n' >"$d/standup.txt"
"$T" import "$d/standup.txt" >/dev/null 2>&1

# option errors name what the user typed
expect 2 "$T" search -budget
grep -q "unknown option '-b'.*goes after '--'" "$d/e"
if grep -q "or missing value 'search'" "$d/e"; then exit 1; fi
expect 2 "$T" search --speaker
grep -q "option '--speaker' needs a value" "$d/e"
expect 2 "$T" export 1 --bogus
grep -q "unknown option '--bogus'" "$d/e"
"$T" search -- budget | grep -q budget
expect 2 "$T" transcribe --model
grep -q "option '--model' needs a value" "$d/e"
expect 2 "$T" sessions -x
grep -q "unknown option '-x'" "$d/e"
