#!/usr/bin/env bash
# The export folder: a meeting is written there as a note with YAML front matter when it
# ends (an import, a live meeting's stop), named once and kept by that name, updated in place when written
# again (a rename, a summary made again), never over a note the user edited (a sibling
# "NAME (tacit).md" instead, the user's bytes untouched), and a missing or read-only
# folder is a clear message that fails nothing: the meeting is saved.
set -eu
T=${TACIT:?}
export TACIT_HOME=$(mktemp -d); trap 'chmod -R u+w "$TACIT_HOME"; rm -rf "$TACIT_HOME"' EXIT
unset TACIT_MODEL
export TZ=UTC
d=$TACIT_HOME
M=../shared/models/stories260K.gguf
expect() { want=$1; shift; if "$@" >"$d/o" 2>"$d/e"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$d/o" "$d/e"; exit 1; }; }

printf 'Alice: The budget is ready.\nBob: Thanks, I will send the report.\n' >"$d/standup.txt"
mkdir "$d/vault"
expect 0 "$T" export --set-folder "$d/vault"
grep -q "written to $d/vault when it ends" "$d/o"

# first write: on import, with a hostile title kept one YAML string
expect 0 "$T" import "$d/standup.txt" --title 'Budget: "Q3" # review'
f=$(ls "$d/vault")
case "$f" in 20[0-9][0-9]-[01][0-9]-[0-3][0-9]-budget-q3-review-1.md) ;; *) echo "unexpected name '$f'"; exit 1 ;; esac
head -1 "$d/vault/$f" | grep -qx -- '---'
grep -qx 'title: "Budget: \\"Q3\\" # review"' "$d/vault/$f"
grep -qx 'speakers: \["Alice", "Bob"\]' "$d/vault/$f"
grep -qx 'tacit_id: 1' "$d/vault/$f"
grep -qx 'duration: "00:00:0[0-9]"' "$d/vault/$f"
grep -q 'Alice:\*\* The budget is ready.' "$d/vault/$f"
python3 - "$d/vault/$f" <<'PY'
import sys
t = open(sys.argv[1]).read().split('\n')
assert t[0] == '---' and '---' in t[1:], 'front matter not closed'
PY

# written again after a rename: in place, by the same name
expect 0 "$T" rename 1 'New name'
expect 0 "$T" export --folder "$d/vault" 1
grep -q "meeting 1: updated $d/vault/$f" "$d/o"
grep -qx 'title: "New name"' "$d/vault/$f"
[ "$(ls "$d/vault")" = "$f" ]
expect 0 "$T" export --folder "" 1
grep -q "meeting 1: unchanged $d/vault/$f" "$d/o"

# the user edits the note: it is never overwritten; the meeting goes beside it
echo "my own line" >>"$d/vault/$f"
cp "$d/vault/$f" "$d/edited"
expect 0 "$T" export --all
sib="${f%.md} (tacit).md"
grep -q "meeting 1: wrote $d/vault/$sib" "$d/o"
grep -q "was edited since tacit wrote it and was left as it is" "$d/e"
cmp "$d/vault/$f" "$d/edited"
[ -f "$d/vault/$sib" ]
expect 0 "$T" export --all # the sibling is tacit's: written again in place
[ "$(ls "$d/vault" | wc -l)" = 2 ]
cmp "$d/vault/$f" "$d/edited"

# a missing folder: a clear message; an import still saves the meeting, with a warning
expect 13 "$T" export --folder "$d/nowhere" 1
grep -q "cannot write to the export folder '$d/nowhere': No such file" "$d/e"
expect 0 "$T" export --set-folder "$d/vault"
rmdir "$d/vault" 2>/dev/null || mv "$d/vault" "$d/vault.moved"
expect 0 "$T" import "$d/standup.txt" --title second
grep -q "meeting 2 was saved, but not written to the export folder: cannot write to the export folder '$d/vault'" "$d/e"
"$T" sessions | grep -q second

# a read-only folder (root writes anywhere: only checked as another user)
mkdir "$d/vault"
if [ "$(id -u)" != 0 ]; then
	chmod a-w "$d/vault"
	expect 0 "$T" import "$d/standup.txt" --title third
	grep -q "meeting 3 was saved, but not written to the export folder: cannot write '$d/vault/" "$d/e"
	chmod u+w "$d/vault"
fi
expect 0 "$T" export --set-folder none
grep -q "no longer written" "$d/o"

# a summary made again updates the note in place (stories260K: the mechanics only)
if [ ! -r "$M" ]; then echo "no ../shared/models/stories260K.gguf: skipping the summary run"; exit 0; fi
expect 0 "$T" export --set-folder "$d/vault"
expect 0 "$T" export --folder "" 2
g=$(ls "$d/vault" | grep -- '-2\.md$')
before=$(sha256sum "$d/vault/$g")
expect 0 "$T" summarize 2 --model "$M" --ctx 1024 --threads 2 --max-tokens 300
[ "$(ls "$d/vault" | grep -c -- '-2')" = 1 ]
[ "$(sha256sum "$d/vault/$g")" != "$before" ]
grep -q '^## Summary' "$d/vault/$g"
grep -qx 'template: "general"' "$d/vault/$g"

# a live meeting's stop writes its note, summary included
expect 0 "$T" live --replay "$d/standup.txt" --speed 0 --model "$M" --ctx 2048 --max-tokens 320 --window-tokens 200
id=$("$T" sessions | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { if ($1 > m) m = $1 } END { print m }')
l=$(ls "$d/vault" | grep -- "-$id\.md$")
grep -qx "tacit_id: $id" "$d/vault/$l"
grep -q '^## Summary' "$d/vault/$l"
echo "export folder: ok"
