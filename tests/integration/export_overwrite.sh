#!/usr/bin/env bash
# `tacit export --output` must never destroy data: the attack that exported over the
# store's own tacit.db (every meeting gone, exit 0) is refused, as is any existing file
# without --force; an export is written whole through a temporary file and is private.
set -eu
T=${TACIT:?}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
d=$TACIT_HOME
expect() { want=$1; shift; if "$@" >"$d/o" 2>"$d/e"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$d/e"; exit 1; }; }

printf 'Alice: The budget is ready.\nBob: Thanks.\n' >"$d/standup.txt"
"$T" import "$d/standup.txt" >/dev/null 2>&1
db=$d/data/tacit.db
[ -f "$db" ]

# the store's own database, by its path, through a symlinked directory and a relative path
expect 2 "$T" export 1 --output "$db"
grep -q "refusing to write .* into tacit's own directory" "$d/e"
expect 2 "$T" export 1 --output "$db" --force
ln -s "$d/data" "$d/link"
expect 2 "$T" export 1 --output "$d/link/tacit.db" --force
expect 2 sh -c 'cd "$1/data" && exec "$2" export 1 --force -o tacit.db' sh "$d" "$T"
expect 2 "$T" export 1 --output "$d/cache/new.md"
"$T" sessions | grep -q standup # the meetings survived

# an existing file is kept unless --force; then it is replaced whole
echo "keep me" >"$d/notes.md"
expect 2 "$T" export 1 --output "$d/notes.md"
grep -q "already exists (choose another name, or --force to replace it)" "$d/e"
grep -qx "keep me" "$d/notes.md"
"$T" export 1 --output "$d/notes.md" --force
grep -q '^# standup' "$d/notes.md"
# a hard link to the database: --force replaces the name, never the database's bytes
ln "$db" "$d/hard.db"
"$T" export 1 --output "$d/hard.db" --force
"$T" sessions | grep -q standup
# a symlink is not followed into the file it names
ln -s "$d/notes.md" "$d/sym.md"
expect 2 "$T" export 1 --output "$d/sym.md"

# a new file is private whatever the umask, and no temporary file is left behind
mkdir -p "$d/out"
(umask 000 && "$T" export 1 -f txt -o "$d/out/new.txt")
[ "$(stat -c %a "$d/out/new.txt")" = 600 ]
[ "$(ls "$d/out")" = new.txt ]
expect 2 "$T" export 1 --output "$d/out"
grep -q "is a directory" "$d/e"
# a pipe or /dev/stdout is written as it is
"$T" export 1 -f txt -o /dev/stdout | grep -q 'Alice: The budget'

