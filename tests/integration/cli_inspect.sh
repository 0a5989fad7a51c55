#!/usr/bin/env bash
# tacit inspect: stories260K in text and JSON; bad, missing and special files give one
# clear error line and a failure exit code (not 2); usage errors exit 2.
set -eu
T=${TACIT:?}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT

expect_usage() { if "$@" >/dev/null 2>&1; then echo "expected failure: $*"; exit 1; else rc=$?; fi
	[ "$rc" -eq 2 ] || { echo "expected exit 2, got $rc: $*"; exit 1; }; }
expect_usage "$T" inspect
expect_usage "$T" inspect --bogus x.gguf
expect_usage "$T" inspect a.gguf b.gguf
"$T" inspect --help | grep -q '^usage: tacit inspect'

# expect_fail CODE PATTERN FILE: exit CODE, exactly one line on stderr matching PATTERN
expect_fail() {
	if "$T" inspect "$3" >"$W/out" 2>"$W/err"; then echo "expected failure: $3"; exit 1; else rc=$?; fi
	[ "$rc" -eq "$1" ] || { echo "exit $rc, expected $1: $3"; cat "$W/err"; exit 1; }
	[ "$(wc -l <"$W/err")" -eq 1 ] || { echo "not one error line: $3"; cat "$W/err"; exit 1; }
	grep -q -- "$2" "$W/err" || { echo "no '$2' in:"; cat "$W/err"; exit 1; }
	[ ! -s "$W/out" ] || { echo "stdout not empty on failure"; exit 1; }
}
expect_fail 15 "cannot open '$W/missing.gguf'" "$W/missing.gguf"
expect_fail 13 "not a regular file (a directory)" "$W"
: >"$W/empty.gguf"
expect_fail 14 "not a GGUF file: '$W/empty.gguf' (empty file)" "$W/empty.gguf"
printf 'PK\003\004 this is a zip' >"$W/zip.gguf"
expect_fail 14 "(bad magic)" "$W/zip.gguf"
printf 'GGUF\001\000\000\000' >"$W/v1.gguf"
expect_fail 16 "version 1" "$W/v1.gguf"

M=../shared/models/stories260K.gguf
[ -n "${TACIT_SHARED:-}" ] && M=$TACIT_SHARED/models/stories260K.gguf
if [ ! -f "$M" ]; then echo "skip: no ../shared/models/stories260K.gguf"; exit 77; fi

"$T" inspect "$M" >"$W/text"
grep -q '^Architecture  llama$' "$W/text"
grep -q '^Context       512 tokens' "$W/text"
grep -q 'vocabulary 512$' "$W/text"
grep -q '^Chat template no$' "$W/text"

"$T" inspect --json "$M" >"$W/json"
python3 - "$W/json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["architecture"] == "llama", d["architecture"]
assert d["n_vocab"] == 512 and d["n_ctx_train"] == 512 and d["n_layers"] == 5
assert d["has_chat_template"] is False and d["tokenizer_model"] == "llama"
assert d["data_offset"] + d["weight_bytes"] == d["file_size"]
assert sum(d["layer_bytes"]) + d["other_bytes"] == d["weight_bytes"]
assert d["types"][0]["name"] == "f32" and d["metadata"]["llama.block_count"] == 5
for k in ("version", "alignment", "n_params", "n_embd", "n_head", "n_head_kv", "head_dim",
          "sliding_window", "n_expert", "bos_token_id", "eos_token_id", "file_type_name", "main_type_name"):
    assert k in d, k
PY

# a cut copy: the header is whole, the last tensor's data is not
head -c 600000 "$M" >"$W/cut.gguf"
expect_fail 14 "data ends at byte .*, past the end of the file (600000 bytes; " "$W/cut.gguf"
head -c 3000 "$M" >"$W/head.gguf"
expect_fail 14 "malformed GGUF '$W/head.gguf': .* runs past the end of the file (3000 bytes; " "$W/head.gguf"
echo ok
