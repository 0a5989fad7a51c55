# lib/import_env.sh — sourced by the import tests (cli_import_fold.sh,
# cli_import_transcript.sh): the store in a temporary TACIT_HOME ($W), expect WANT CMD...
# (runs CMD with its output in $W/out and $W/err, and fails the test on another exit
# status), and the generated 2-layer language model in $M (its words are noise; the
# mechanics are not).
T=${TACIT:?}
BUILD=${BUILD:-build}
unset TACIT_MODEL
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
W=$TACIT_HOME

expect() { want=$1; shift; if "$@" >"$W/out" 2>"$W/err"; then rc=0; else rc=$?; fi
	[ "$rc" -eq "$want" ] || { echo "expected exit $want, got $rc: $*"; cat "$W/err"; exit 1; }; }
M=$BUILD/models/live-test.gguf
if [ ! -r "$M" ]; then mkdir -p "$BUILD/models"
	"$BUILD/tools/synth-model" --arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192 --out "$M.tmp.$$" --quiet && mv "$M.tmp.$$" "$M"; fi
