#!/usr/bin/env bash
# libtacit exports only tacit_* (include/tacit.h): no internal helper (buf_init) or
# bundled dependency (miniaudio's ma_*) is global in libtacit.a or dynamic in libtacit.so,
# so an application's own symbols never collide with ours.
set -eu
B=${BUILD:?}
command -v nm >/dev/null || { echo "no nm to read the symbol tables"; exit 77; }
fail=0
bad=$(nm -g --defined-only "$B/libtacit.a" | awk 'NF == 3 && $3 !~ /^tacit_/ { print $3 }')
if [ -n "$bad" ]; then
	echo "global symbols in $B/libtacit.a that are not tacit_*:"; echo "$bad" | head -50; fail=1
fi
bad=$(nm -D --defined-only "$B/libtacit.so" | awk 'NF == 3 && $3 !~ /^tacit_/ { print $3 }')
if [ -n "$bad" ]; then
	echo "dynamic symbols in $B/libtacit.so that are not tacit_*:"; echo "$bad" | head -50; fail=1
fi
# the public functions are all still there
n=$(nm -g --defined-only "$B/libtacit.a" | awk 'NF == 3 && $2 == "T" && $3 ~ /^tacit_/' | wc -l)
[ "$n" -gt 100 ] || { echo "only $n tacit_* functions in $B/libtacit.a"; fail=1; }
exit $fail
