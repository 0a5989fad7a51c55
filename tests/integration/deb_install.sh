#!/usr/bin/env bash
# The Debian packages as a user gets them (`make test-deb`, after `make deb`): a fresh
# minimal Debian forky root (mmdebstrap --variant=apt, in a temporary directory) where apt
# installs build/deb's three packages with their dependencies from the archive and nothing
# else (no Recommends); inside it (bubblewrap, empty environment) tacit --version, tacit
# system, a transcription of jfk.wav with a generated whisper model (the worker found in
# /usr/libexec/tacit), tacit serve answering on loopback; then apt-get purge leaves none
# of the files `dpkg -L` listed. Needs the host's mmdebstrap, bwrap and curl, and network.
set -eu
cd "$(dirname "$0")/../.."
[ "${TACIT_TEST_DEB:-}" = 1 ] || { echo "skip: the package test runs with 'make test-deb' (a fresh Debian root: network, minutes)"; exit 77; }
fail() { echo "deb_install: $*" >&2; exit 1; }
for tool in mmdebstrap bwrap curl cc python3; do
	command -v "$tool" >/dev/null || fail "needs '$tool' on the host (apt-get install mmdebstrap bubblewrap curl gcc python3)"
done
debs=()
for p in tacit libtacit0 libtacit-dev; do
	f=$(ls build/deb/${p}_*.deb 2>/dev/null | tail -n 1)
	[ -n "$f" ] || fail "no build/deb/${p}_*.deb: run 'make deb' first"
	debs+=("/debs/$(basename "$f")")
done
SHARED=$(cd "${TACIT_SHARED:-../shared}" 2>/dev/null && pwd) || fail "no ../shared (models and audio)"
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin JFK=$SHARED/audio/jfk.wav
for f in "$VOCAB" "$VAD" "$JFK"; do [ -r "$f" ] || fail "missing $f"; done
suite=${TACIT_DEVROOT_SUITE:-forky}
mirror=${TACIT_DEVROOT_MIRROR:-http://deb.debian.org/debian}
t0=$SECONDS
lap() { printf 'deb_install: %-40s done at %3d s\n' "$1" $((SECONDS - t0)); }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tacit-deb.XXXXXX")
serve_pid=
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
root=$tmp/root home=$tmp/home
mkdir -p "$home"

# The whisper model: tools/synth-whisper needs only libc, so the host's compiler builds
# it when the dev root's build has not made the model yet.
M=build/models/ggml-tiny.en-random.bin
if [ ! -r "$M" ]; then
	mkdir -p build/models
	cc -O2 -o "$tmp/synth-whisper" tools/synth-whisper.c -lm
	"$tmp/synth-whisper" "$VOCAB" "$M.tmp.$$" >/dev/null && mv "$M.tmp.$$" "$M"
fi

mode=() in_user=()
if [ "$(id -u)" != 0 ]; then mode=(--mode=unshare); in_user=(--unshare-user --uid 0 --gid 0); fi
chmod 755 "$tmp" # apt's _apt user downloads into the root
# the lists stay for the install; a mirror whose Release file has expired (an old
# snapshot, a clock ahead) is retried without the date check, as tools/devroot does
strap() {
	rm -rf "$root"
	mmdebstrap "${mode[@]}" --variant=apt --skip=cleanup/apt/lists "$@" "$suite" "$root" "$mirror" >"$tmp/mmdebstrap.log" 2>&1
}
if ! strap; then
	grep -q 'is expired' "$tmp/mmdebstrap.log" || { tail -n 20 "$tmp/mmdebstrap.log"; fail "mmdebstrap failed"; }
	echo "deb_install: the mirror's Release file for '$suite' is expired; retrying with Acquire::Check-Valid-Until=false"
	strap --aptopt='Acquire::Check-Valid-Until "false"' || { tail -n 20 "$tmp/mmdebstrap.log"; fail "mmdebstrap failed"; }
fi
lap "fresh $suite root (mmdebstrap)"

# In the fresh root: an empty environment, the packages, ../shared and the model
# read-only, a home for tacit's data. The network is the host's (apt; serve's loopback).
in_root() {
	bwrap --bind "$root" / --proc /proc --dev /dev --ro-bind /sys /sys "${in_user[@]}" \
		--ro-bind /etc/resolv.conf /etc/resolv.conf --ro-bind "$PWD/build/deb" /debs \
		--ro-bind "$SHARED" /shared --ro-bind "$PWD/$M" /model.bin --bind "$home" /home/user \
		--clearenv --setenv PATH /usr/sbin:/usr/bin:/sbin:/bin --setenv HOME /home/user \
		--setenv TACIT_HOME /home/user/tacit --setenv LANG C.UTF-8 --chdir /home/user \
		--die-with-parent -- "$@"
}
apt_opts=(-o APT::Sandbox::User=root -o Dpkg::Use-Pty=0 -q -y)
in_root apt-get "${apt_opts[@]}" install --no-install-recommends "${debs[@]}" >"$tmp/apt.log" 2>&1 ||
	{ tail -n 30 "$tmp/apt.log"; fail "apt-get install of the packages failed"; }
n_new=$(grep -c '^Setting up ' "$tmp/apt.log" || true)
lap "apt-get install ($n_new packages set up)"
in_root dpkg -L tacit libtacit0 libtacit-dev | sort -u >"$home/files"
in_root dpkg-query -W -f '${Package} ${Version}: Depends: ${Depends}\n' tacit libtacit0 libtacit-dev
grep -qx /usr/libexec/tacit/tacit-worker "$home/files" || fail "the tacit package has no /usr/libexec/tacit/tacit-worker"

out=$(in_root tacit --version) || fail "tacit --version failed"
echo "tacit --version: $out"
grep -q "$(sed -n '1s/^tacit (\([^)]*\)).*/\1/p' debian/changelog)" <<<"$out" || fail "tacit --version does not name the package's version"
in_root tacit system >"$tmp/system" || { cat "$tmp/system"; fail "tacit system failed"; }
echo "tacit system: $(head -n 3 "$tmp/system" | tr '\n' ' ')"
lap "tacit --version, tacit system"

# the worker is the installed one: nothing in the empty environment points elsewhere
in_root tacit transcribe --model /model.bin --vad-model /shared/models/ggml-silero-v6.2.0.bin \
	--no-fallback --threads 2 --format json /shared/audio/jfk.wav >"$home/jfk.json" 2>"$tmp/err" ||
	{ cat "$tmp/err"; fail "tacit transcribe jfk.wav failed"; }
n_seg=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["language"] == "en", d; print(len(d["segments"]))' "$home/jfk.json") ||
	{ cat "$home/jfk.json"; fail "the transcript of jfk.wav is not English JSON"; }
echo "tacit transcribe jfk.wav: $n_seg segments (random weights: nonsense text)"
lap "tacit transcribe jfk.wav"

# tacit serve prints its URL; its pid is the host's too (no pid namespace)
in_root sh -c 'echo $$ >/home/user/serve.pid; exec tacit serve --no-open' >"$home/serve.out" 2>"$tmp/serve.err" &
bw_pid=$!
for _ in $(seq 100); do [ -s "$home/serve.out" ] && break; sleep 0.1; done
serve_pid=$(cat "$home/serve.pid" 2>/dev/null || true)
url=$(head -n 1 "$home/serve.out")
[[ $url =~ ^http://127\.0\.0\.1:([0-9]+)/\?token=([0-9a-f]{64})$ ]] || { cat "$tmp/serve.err"; fail "tacit serve printed '$url', not its URL"; }
port=${BASH_REMATCH[1]} token=${BASH_REMATCH[2]}
# the token URL sets the session cookie and redirects to the app
code=$(curl -s -L -c "$tmp/jar" -b "$tmp/jar" -o "$tmp/page" -w '%{http_code}' "$url") ||
	fail "tacit serve does not answer on 127.0.0.1:$port"
[ "$code" = 200 ] && grep -qi '<html' "$tmp/page" || fail "GET $url answered $code, not the web app"
code=$(curl -s -o "$tmp/api" -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/sessions")
[ "$code" = 200 ] || fail "GET /api/sessions answered $code: $(head -c 200 "$tmp/api")"
kill -TERM "$serve_pid"
for _ in $(seq 50); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$serve_pid" 2>/dev/null && fail "tacit serve did not stop on SIGTERM within 5 s"
wait "$bw_pid" || true
serve_pid=
echo "tacit serve: the token URL gives the web app (200), GET /api/sessions 200, on 127.0.0.1:$port"
lap "tacit serve on loopback"

in_root apt-get "${apt_opts[@]}" purge tacit libtacit0 libtacit-dev >"$tmp/purge.log" 2>&1 ||
	{ tail -n 20 "$tmp/purge.log"; fail "apt-get purge failed"; }
# every file is gone; a directory may stay only if another package owns it
in_root sh -c 'while read -r f; do
	case $f in /.|/) continue ;; esac
	if [ -d "$f" ] && [ ! -L "$f" ]; then dpkg-query -S "$f" >/dev/null 2>&1 || echo "$f/"
	elif [ -e "$f" ] || [ -L "$f" ]; then echo "$f"; fi
done </home/user/files' >"$tmp/left"
[ ! -s "$tmp/left" ] || { cat "$tmp/left"; fail "apt-get purge left the files above"; }
in_root dpkg -s tacit >/dev/null 2>&1 && fail "tacit is still installed after the purge"
echo "apt-get purge: no file of the packages remains ($(grep -c . "$home/files") paths of dpkg -L checked; shared directories stay with their owners)"
lap "apt-get purge"
echo "deb_install ok ($((SECONDS - t0)) s)"
