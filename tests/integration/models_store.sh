#!/usr/bin/env bash
# The model store without a network: the archive rules (an archived entry is listed and
# selectable while its file is downloaded, gone from every listing once 'tacit rm'
# removes it, and nothing is deleted because the catalog moved on), the "downloaded"
# column, the default model when none is chosen, and custom models through the CLI
# (tacit add / forget, their heading in 'tacit models', missing files, a crashing probe).
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export TACIT_HOME=$W/home TACIT_CATALOG=$W/catalog.json
M=$TACIT_HOME/data/models
fail() { echo "FAIL: $*"; exit 1; }
expect() { # expect CODE CMD...: stdout in $W/out, stderr in $W/err
	local want=$1 rc=0; shift
	"$@" >"$W/out" 2>"$W/err" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$W/out" "$W/err"; fail "expected exit $want, got $rc: $*"; }
}
listed() { "$T" models --all --json --profile m3-pro-36gb | python3 -c '
import json, sys
print(" ".join(m["id"] for m in json.load(sys.stdin)["models"]))'; }

# --- the shipped catalog, through TACIT_CATALOG: qwen3.5-27b is archived
cp data/catalog.json "$TACIT_CATALOG"
ARCH_FILE=$(python3 -c '
import json, sys
m = {m["id"]: m for m in json.load(open(sys.argv[1]))["models"]}["qwen3.5-27b"]
assert m["status"] == "archived"
print(m["file_name"])' "$TACIT_CATALOG")
case " $(listed) " in *" qwen3.5-27b "*) fail "archived, not downloaded, yet listed" ;; esac
expect 15 "$T" pull qwen3.5-27b
grep -q "archived and no longer offered for download (pull 'qwen3.6-27b' instead)" "$W/err" || fail "$(cat "$W/err")"

# downloaded earlier: listed (with --all too), marked downloaded, selectable by id
mkdir -p "$M" && : >"$M/$ARCH_FILE"
case " $(listed) " in *" qwen3.5-27b "*) ;; *) fail "a downloaded archived model is not listed" ;; esac
"$T" models --all --json --profile m3-pro-36gb | python3 -c '
import json, sys
m = {m["id"]: m for m in json.load(sys.stdin)["models"]}["qwen3.5-27b"]
assert m["archived"] and m["downloaded"] and "archived" in m["reason"], m'
"$T" models --all --profile m3-pro-36gb | grep -q "Qwen 3.5 27B .* yes " || fail "not shown as downloaded"

# 'tacit rm' removes it, and with it every listing of it
expect 0 "$T" rm qwen3.5-27b
grep -q "no longer listed" "$W/out" || fail "$(cat "$W/out")"
case " $(listed) " in *" qwen3.5-27b "*) fail "archived model listed after rm" ;; esac

# the catalog moves on: an entry the user downloaded becomes archived; nothing is deleted
: >"$M/Qwen3.5-2B-Q4_K_M.gguf"
python3 - "$TACIT_CATALOG" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for m in d["models"]:
    if m["id"] == "qwen3.5-2b":
        m["status"], m["replaced_by"] = "archived", "qwen3.5-4b"
json.dump(d, open(sys.argv[1], "w"))
PY
expect 0 "$T" models --profile m3-pro-36gb
grep -q "Qwen 3.5 2B .* yes " "$W/out" || fail "the newly archived download is not listed: $(cat "$W/out")"
[ -e "$M/Qwen3.5-2B-Q4_K_M.gguf" ] || fail "a file was deleted because the catalog moved on"

# --- custom models through the CLI (needs ../shared for a real model)
S=../shared/models/stories260K.gguf
if [ ! -r "$S" ]; then
	echo "custom-model checks skipped"
	echo "no ../shared/models/stories260K.gguf: archive rules checked, custom models not"
	exit 77
fi
cp "$S" "$W/My Stories.gguf"
expect 0 "$T" add "$W/My Stories.gguf"
grep -q "^added my-stories: $W/My Stories.gguf (llama F32, 5 layers" "$W/out" || fail "$(cat "$W/out")"
expect 0 "$T" add --json --name tiny "$S"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["name"] == "tiny" and d["n_layers"] == 5, d' "$W/out"
expect 0 "$T" models --profile m1-8gb
grep -q "^Custom models" "$W/out" || fail "no custom heading: $(cat "$W/out")"
grep -q "^my-stories .*Great fit" "$W/out" || fail "$(cat "$W/out")"
"$T" models --json --profile m1-8gb | python3 -c '
import json, sys
c = {m["name"]: m for m in json.load(sys.stdin)["custom"]}
assert set(c) == {"my-stories", "tiny"} and not c["tiny"]["missing"] and c["tiny"]["verdict"] == "great", c'

# a custom model's name works wherever --model NAME does (the resolver); one that moved
# shows as missing with what to do
mv "$W/My Stories.gguf" "$W/moved.gguf"
expect 0 "$T" models --profile m1-8gb
grep -q "^my-stories .*missing .*is missing .*tacit add NEWPATH --name my-stories" "$W/out" || fail "$(cat "$W/out")"
expect 0 "$T" add --name my-stories "$W/moved.gguf"
expect 0 "$T" models --profile m1-8gb
grep -q "^my-stories .*Great fit" "$W/out" || fail "not repaired: $(cat "$W/out")"

# refused files: truncated, hostile, llama.cpp-unloadable, a probe that crashes; the
# parent reports in one line and records nothing
head -c 100000 "$S" >"$W/trunc.gguf"
expect 14 "$T" add "$W/trunc.gguf"
grep -q "malformed GGUF" "$W/err" || fail "$(cat "$W/err")"
expect 14 "$T" add tests/fuzz/corpus/gguf/seed-07-huge-array.gguf
expect 21 "$T" add tests/fuzz/corpus/gguf/seed-00-valid.gguf
expect 21 env TACIT_WORKER_TEST=1 TACIT_WORKER_TEST_PROBE=abort "$T" add --name boom "$S"
grep -q "crashed (signal 6" "$W/err" || fail "$(cat "$W/err")"
[ "$(wc -l <"$W/err")" -eq 1 ] || fail "not one line: $(cat "$W/err")"
"$T" models --json --profile m1-8gb | python3 -c '
import json, sys
assert sorted(m["name"] for m in json.load(sys.stdin)["custom"]) == ["my-stories", "tiny"]'

# forget leaves the file; usage errors exit 2
expect 0 "$T" forget tiny
[ -r "$S" ] || fail "forget touched the file"
expect 15 "$T" forget tiny
expect 2 "$T" add
expect 2 "$T" add --bogus x
expect 2 "$T" forget
expect 2 "$T" add --name "Bad Name" "$S"
echo ok
