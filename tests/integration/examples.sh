#!/usr/bin/env bash
# examples/*.c, the manual's programs: each compiles against include/ alone (it may
# include <tacit.h> and standard C headers, nothing from src/), and examples/basic
# runs: an empty store lists no meeting, a transcript imports without any model, a
# missing file fails with the library's message.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
d=$TACIT_HOME

for src in examples/*.c; do
	bad=$(grep -E '^[[:space:]]*#[[:space:]]*include' "$src" |
		grep -vE '<(tacit|stdio|stdlib|string|stdint|stdbool|stddef|inttypes|errno|signal|time)\.h>' || true)
	if [ -n "$bad" ]; then
		echo "$src includes more than <tacit.h> and the C library: $bad"
		exit 1
	fi
	${CC:-cc} -std=c17 -Wall -Wextra -Wpedantic -Werror -Iinclude -c "$src" -o "$d/$(basename "$src" .c).o"
done

ex=$B/examples/basic
"$ex" >"$d/out"
grep -qx "0 meetings" "$d/out"

cat >"$d/standup.txt" <<'TXT'
Alice: Good morning. The budgets are ready.
Bob: Thanks. Let us review the design.
TXT
"$ex" "$d/standup.txt" >"$d/out"
grep -q "imported '$d/standup.txt' as meeting 1" "$d/out"
grep -qx "1 meeting" "$d/out"
grep -q "^1  standup  2 segments" "$d/out"

if "$ex" "$d/missing.txt" >"$d/out" 2>"$d/err"; then
	echo "importing a missing file succeeded"; exit 1
fi
grep -q "^basic: .*missing.txt" "$d/err"
if "$ex" a b 2>"$d/err"; then echo "two arguments accepted"; exit 1; fi
grep -q "usage:" "$d/err"
echo "examples ok"
