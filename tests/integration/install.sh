#!/usr/bin/env bash
# `make install` into a staging DESTDIR with a space in it: every file in place with its
# mode, libtacit.so.0's SONAME, the worker's installed path compiled in, examples/basic.c
# built from the installed tree with `pkg-config --cflags --libs tacit` alone and run,
# every command of `tacit --help` in tacit(1); `make uninstall` leaves no file; an
# install under a file or under /proc fails with one message and leaves nothing behind.
set -eu
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
for tool in make pkg-config readelf "${CC:-cc}"; do
	command -v "$tool" >/dev/null || { echo "no $tool to install and build against tacit"; exit 77; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
stage="$tmp/stage with space"
export TACIT_HOME="$tmp/home"
# the same build directory: install only relinks what the prefix changes (the worker's path)
mk() { make --no-print-directory BUILD="$B" ${SAN:+SAN="$SAN"} PREFIX=/usr "$@" >"$tmp/make.log" 2>&1; }

mk install DESTDIR="$stage" || { cat "$tmp/make.log"; exit 1; }
lib="$stage/usr/lib"
real=$(cd "$lib" && ls libtacit.so.0.*)
mode() { stat -c %a "$stage/usr/$1"; }
for f in bin/tacit libexec/tacit/tacit-worker "lib/$real"; do
	[ "$(mode "$f")" = 755 ] || { echo "$f: mode $(mode "$f"), not 755"; exit 1; }
done
for f in lib/libtacit.a include/tacit.h lib/pkgconfig/tacit.pc share/man/man1/tacit.1 share/man/man3/libtacit.3; do
	[ "$(mode "$f")" = 644 ] || { echo "$f: mode $(mode "$f"), not 644"; exit 1; }
done
[ "$(readlink "$lib/libtacit.so.0")" = "$real" ] || { echo "libtacit.so.0 does not point at $real"; exit 1; }
[ "$(readlink "$lib/libtacit.so")" = libtacit.so.0 ] || { echo "libtacit.so does not point at libtacit.so.0"; exit 1; }
readelf -d "$lib/$real" | grep -q 'SONAME.*\[libtacit\.so\.0\]' || { echo "$real: no SONAME libtacit.so.0"; exit 1; }
grep -q '/usr/libexec/tacit' "$stage/usr/bin/tacit" || { echo "the installed tacit does not look for its worker in /usr/libexec/tacit"; exit 1; }
cmp -s include/tacit.h "$stage/usr/include/tacit.h" || { echo "installed tacit.h differs"; exit 1; }

# A program built from the installed tree with pkg-config alone: the staged tacit.pc with
# its prefix moved into the stage (space escaped, as pkg-config wants it; eval reads back
# the escaped flags it prints).
mkdir "$tmp/pc"
sed "s|^prefix=/usr\$|prefix=${stage// /\\\\ }/usr|" "$lib/pkgconfig/tacit.pc" >"$tmp/pc/tacit.pc"
export PKG_CONFIG_PATH="$tmp/pc"
flags=$(pkg-config --cflags --libs tacit)
case $flags in *"$PWD/"*) echo "pkg-config points into the source tree: $flags"; exit 1 ;; esac
eval "\"\${CC:-cc}\" -std=c17 -Wall -Werror -o \"\$tmp/basic\" examples/basic.c $flags"
# a sanitized library needs its runtime first, which a plain program does not load
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
LD_LIBRARY_PATH="$lib" "$tmp/basic" >"$tmp/out"
grep -qx "0 meetings" "$tmp/out" || { echo "basic built against the install said:"; cat "$tmp/out"; exit 1; }
LD_LIBRARY_PATH="$lib" ldd "$tmp/basic" | grep -q "libtacit.so.0 => $lib/libtacit.so.0" ||
	{ echo "basic does not load the installed libtacit.so.0"; exit 1; }

# tacit(1) names every command --help lists (read from the installed command: new
# commands need their line in man/tacit.1)
cmds=$("$stage/usr/bin/tacit" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ "$(echo "$cmds" | wc -l)" -gt 10 ] || { echo "cannot read the commands from tacit --help"; exit 1; }
for c in $cmds; do
	grep -Eq "^\.BR? $c( |$)" "$stage/usr/share/man/man1/tacit.1" ||
		{ echo "tacit(1) lacks the command '$c' (add a .TP entry to man/tacit.1)"; exit 1; }
done

mk uninstall DESTDIR="$stage" || { cat "$tmp/make.log"; exit 1; }
left=$(find "$stage" ! -type d)
[ -z "$left" ] || { echo "make uninstall left:"; echo "$left"; exit 1; }

# Failures: a prefix under a regular file, and one under /proc. One message naming the
# directory, a failed make, nothing created.
: >"$tmp/file"
for dest in "$tmp/file/stage" /proc/tacit-install-test; do
	if mk install DESTDIR="$dest"; then echo "install into '$dest' succeeded"; exit 1; fi
	n=$(grep -c '^install: ' "$tmp/make.log" || true)
	[ "$n" = 1 ] && grep -q "^install: cannot install into '$dest/usr/" "$tmp/make.log" ||
		{ echo "install into '$dest' did not fail with one clear message:"; cat "$tmp/make.log"; exit 1; }
	[ ! -e "$dest" ] || { echo "install into '$dest' left it behind"; exit 1; }
done
rmdir "$stage/usr/libexec" 2>/dev/null || true
left=$(find "$tmp" -name '.tacit-install*')
[ -z "$left" ] || { echo "temporary files left: $left"; exit 1; }
echo "install ok"
