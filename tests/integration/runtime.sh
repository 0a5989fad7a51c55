#!/usr/bin/env bash
# tools/runtime, the Debian 12 install, run on the host with a fake HOME: the runtime root
# is made by hard-linking the dev root (TACIT_RUNTIME_FROM; the real install runs
# mmdebstrap through tools/devroot), and `tacit` then works from any directory on files in
# the home and reaches a PulseAudio server through $XDG_RUNTIME_DIR; its data lands in the
# fake ~/.local/share/tacit; a half-built root, a rebuild, and a removal and reinstall
# leave every meeting and model in place and usable. Bad input (no bubblewrap, a prefix
# that cannot be written) gives one message and installs nothing.
# Runs on the host, not inside the dev root (`.ci/run` calls it; `make test` skips it).
set -eu
cd "$(dirname "$0")/../.."
[ "${TACIT_IN_DEVROOT:-}" != 1 ] || { echo "skip: runs on the host (.ci/run), not inside the dev root"; exit 77; }
command -v bwrap >/dev/null || { echo "skip: no bubblewrap on this host"; exit 77; }
seed=$(tools/devroot path)
[ -x "$seed/usr/bin/pkg-config" ] || { echo "skip: no dev root to make the runtime from (run make first)"; exit 77; }
[ -x build/tacit ] && [ -x build/tools/synth-whisper ] || { echo "skip: build/ is not built (run make first)"; exit 77; }
SHARED=$(cd "${TACIT_SHARED:-../shared}" 2>/dev/null && pwd) || { echo "skip: no ../shared"; exit 77; }
VOCAB=$SHARED/models/whisper-vocab-tiny.en.bin VAD=$SHARED/models/ggml-silero-v6.2.0.bin JFK=$SHARED/audio/jfk.wav
if [ ! -r "$VOCAB" ] || [ ! -r "$VAD" ] || [ ! -r "$JFK" ]; then echo "skip: ../shared models/audio absent"; exit 77; fi

checkout=$PWD
tmp=$(mktemp -d /tmp/tacit-runtime-test.XXXXXX)
cleanup() { [ ! -f "$tmp/run/pulse/pid" ] || kill "$(cat "$tmp/run/pulse/pid")" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
export HOME=$tmp/home TACIT_RUNTIME_FROM=$seed
unset TACIT_HOME XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME PREFIX TACIT_RUNTIME_DIR
mkdir -p "$HOME" "$tmp/elsewhere"
rt=$HOME/.local/share/tacit-runtime bin=$HOME/.local/bin data=$HOME/.local/share/tacit
fail() { echo "FAIL: $*"; [ ! -f "$tmp/err" ] || sed 's/^/  | /' "$tmp/err"; exit 1; }
# one line on stderr, and it says $1
one_message() { [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "$1" "$tmp/err" || fail "not one message saying '$1'"; }

# --- bad input, before anything is built -----------------------------------------------
# no bubblewrap: a PATH with the commands tools/runtime uses, less bwrap
mkdir "$tmp/nobwrap"
for f in bash env dirname sed grep cat mkdir rmdir rm mv cp ln tar mktemp id date readlink sha256sum cut tail nproc; do
	ln -s "$(command -v "$f")" "$tmp/nobwrap/$f"
done
if PATH=$tmp/nobwrap tools/runtime install 2>"$tmp/err"; then fail "installed without bubblewrap"; fi
one_message "bubblewrap is missing: run 'sudo apt-get install bubblewrap'"
# a prefix that cannot be written (read-only, or a virtual file system for root)
if [ "$(id -u)" = 0 ]; then bad=/proc/tacit-runtime-test; else mkdir -m 555 "$tmp/ro"; bad=$tmp/ro/prefix; fi
if PREFIX=$bad tools/runtime install 2>"$tmp/err"; then fail "installed into '$bad'"; fi
one_message "cannot install into '$bad/bin': "
[ ! -e "$bad" ] && [ ! -e "$rt" ] || fail "a failed install left '$bad' or '$rt' behind"

# --- install with a fresh HOME, whose ~/.local/bin does not exist yet ----------------------
tools/runtime install 2>"$tmp/err" || fail "install"
[ -x "$bin/tacit" ] && [ -x "$bin/tacit-runtime" ] || fail "no tacit and tacit-runtime in $bin"
# from another directory, with the checkout out of reach: the root has everything
cd "$tmp/elsewhere"
export PATH="$bin:$PATH"
tacit --version >"$tmp/out" 2>"$tmp/err" || fail "tacit --version"
grep -qx "runtime: Debian forky root at $rt/root, built 20[0-9-]* [0-9:]* UTC" "$tmp/out" ||
	fail "tacit --version does not name the runtime: $(tail -n 1 "$tmp/out")"
tacit system >"$tmp/out" 2>"$tmp/err" || fail "tacit system"
grep -q '^Memory' "$tmp/out" || fail "tacit system printed no memory line"

# sound: a PulseAudio server started in one sandbox, its socket in $XDG_RUNTIME_DIR on the
# host, is reached by tacit in another, as a desktop session's server would be
if tacit-runtime run sh -c 'command -v pulseaudio' >/dev/null 2>&1; then
	export XDG_RUNTIME_DIR=$tmp/run
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	tacit-runtime run pulseaudio -n --daemonize=no --exit-idle-time=-1 --disable-shm=yes \
		-L module-native-protocol-unix -L "module-null-sink sink_name=meeting" >"$tmp/pulse.log" 2>&1 &
	for _ in $(seq 50); do [ -f "$XDG_RUNTIME_DIR/pulse/pid" ] && [ -S "$XDG_RUNTIME_DIR/pulse/native" ] && break; sleep 0.2; done
	tacit transcribe --list-devices >"$tmp/out" 2>"$tmp/err" || fail "tacit transcribe --list-devices"
	grep -q "Monitor of Null Output" "$tmp/out" || fail "tacit does not see the sound server's sink: $(cat "$tmp/out")"
	kill "$(cat "$XDG_RUNTIME_DIR/pulse/pid")"
	wait
	unset XDG_RUNTIME_DIR
else
	echo "note: no pulseaudio in the runtime root; the sound server check is left out"
fi

# the models as `tacit pull` leaves them: catalog file names in the data directory; the
# speech model is a random-weight tiny.en made inside the runtime from ../shared's vocabulary
mkdir -p "$data/models"
cp "$VAD" "$data/models/ggml-silero-v6.2.0.bin"
cp "$VOCAB" "$JFK" "$HOME/"
tacit-runtime run /usr/src/tacit/build/tools/synth-whisper "$HOME/whisper-vocab-tiny.en.bin" \
	"$data/models/ggml-tiny.en.bin" >/dev/null 2>"$tmp/err" || fail "synth-whisper in the runtime"
tacit transcribe --format json --no-fallback ~/jfk.wav >"$tmp/out" 2>"$tmp/err" || fail "tacit transcribe ~/jfk.wav"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["language"]=="en" and d["segments"], d' "$tmp/out" ||
	fail "transcribe gave no segments"
# a relative path, from the current directory outside the home
cp "$JFK" "$tmp/elsewhere/call.wav"
tacit import --no-fallback call.wav >"$tmp/out" 2>"$tmp/err" || fail "tacit import call.wav"
[ -f "$data/tacit.db" ] && [ -n "$(ls -A "$data/audio")" ] || fail "the meeting is not in $data"
[ ! -e "$rt/root$HOME" ] || fail "the home was made inside the runtime root"
# the root is read-only from inside: tacit could not keep anything there
for d in /usr/local /etc /var/lib /; do
	if tacit-runtime run touch "$d/.tacit-probe" 2>/dev/null; then fail "'$d' is writable inside the runtime"; fi
done
before=$(tacit sessions --json)

# every meeting and model is there and usable with the root in its state now
still_there() {
	[ "$(tacit sessions --json 2>"$tmp/err")" = "$before" ] || fail "after $1, the meetings differ"
	tacit show 1 >"$tmp/out" 2>"$tmp/err" || fail "after $1, tacit show 1"
	tacit transcribe --no-fallback ~/jfk.wav >"$tmp/out" 2>"$tmp/err" || fail "after $1, the models do not transcribe"
}

# an interrupted rebuild (half-built root.new): one message, a fresh root swapped in
mkdir -p "$rt/root.new/usr/bin" "$rt/root.new/var/lib/dpkg"
tacit-runtime rebuild 2>"$tmp/err" || fail "rebuild"
[ "$(grep -c 'half-built' "$tmp/err")" = 1 ] || fail "the half-built root was not named once"
[ ! -e "$rt/root.new" ] && [ ! -e "$rt/root.old" ] || fail "rebuild left root.new or root.old"
still_there "a rebuild"

# the root deleted by hand: tacit says what to do; the data stays; installing again brings it back
rm -rf "$rt/root"
if tacit --version >/dev/null 2>"$tmp/err"; then fail "tacit ran without its root"; fi
one_message "no tacit runtime at '$rt/root'"
(cd "$checkout" && tools/runtime install) 2>"$tmp/err" || fail "reinstall"
still_there "deleting and reinstalling the root"

# a root without its stamp (an install killed before it finished) is not run
mv "$rt/root/.tacit-runtime" "$tmp/stamp"
if tacit --version >/dev/null 2>"$tmp/err"; then fail "tacit ran in a half-built root"; fi
one_message "is half-built (an interrupted install): run 'tacit-runtime rebuild'"
mv "$tmp/stamp" "$rt/root/.tacit-runtime"
# nor one whose update was interrupted (apt-get half done): the next update finishes it
sed -i 's/^state=ready$/state=updating/' "$rt/root/.tacit-runtime"
if tacit --version >/dev/null 2>"$tmp/err"; then fail "tacit ran in a root left half-updated"; fi
one_message "was interrupted while updating: run 'tacit-runtime update' to finish"
sed -i 's/^state=updating$/state=ready/' "$rt/root/.tacit-runtime"

tacit-runtime remove 2>"$tmp/err" || fail "remove"
[ ! -e "$rt" ] && [ ! -e "$bin/tacit" ] && [ ! -e "$bin/tacit-runtime" ] || fail "remove left the runtime or its commands"
[ -f "$data/tacit.db" ] && [ -f "$data/models/ggml-tiny.en.bin" ] || fail "remove touched the data"
echo "runtime ok"
