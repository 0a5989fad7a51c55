#!/usr/bin/env bash
# tools/synth-model writes GGUF files llama.cpp loads: tiny variants (--layers, --vocab) of
# qwen3, gemma3 and qwen35 load and decode through tools/model-measure; the Q4_K_M mix
# gives the expected types; output depends on the seed, not the thread count; bad
# arguments exit 2.
set -eu
BUILD=${BUILD:-build}
S=$PWD/$BUILD/tools/synth-model
M=$PWD/$BUILD/tools/model-measure
[ -x "$S" ] && [ -x "$M" ] || { echo "tools not built"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$S" --list >"$tmp/list"
for m in qwen2.5-0.5b qwen2.5-1.5b qwen3-0.6b qwen3-1.7b llama-3.2-1b llama-3.2-3b gemma-3-1b qwen3.5-2b; do
	grep -q "^$m " "$tmp/list" || { echo "--list lacks $m"; exit 1; }
done
"$S" --list --json | python3 -c '
import json, sys
d = {m["name"]: m for m in json.load(sys.stdin)}
l = d["llama-3.2-1b"]
assert (l["n_layers"], l["n_embd"], l["n_head"], l["n_head_kv"], l["n_ff"], l["n_vocab"]) == (16, 2048, 32, 8, 8192, 128256), l
q = d["qwen3.5-2b"]
assert q["attn_full_layers"] == 6 and q["recurrent_layers"] == 18, q
g = d["gemma-3-1b"]
assert g["attn_full_layers"] == 4 and g["attn_swa_layers"] == 22 and g["sliding_window"] == 512, g
'

expect_usage() { if "$@" >/dev/null 2>&1; then echo "expected failure: $*"; exit 1; else rc=$?; fi
	[ "$rc" -eq 2 ] || { echo "expected exit 2, got $rc: $*"; exit 1; }; }
expect_usage "$S"
expect_usage "$S" --arch no-such-model --out "$tmp/x.gguf"
expect_usage "$S" --arch qwen3-0.6b --quant Q3_K --out "$tmp/x.gguf"
expect_usage "$S" --arch qwen3-0.6b --layers 0 --out "$tmp/x.gguf"
expect_usage "$S" --arch qwen3-0.6b --vocab 10 --out "$tmp/x.gguf"
expect_usage "$S" --arch qwen3-0.6b --bogus
expect_usage "$S" --arch qwen3-0.6b --tokenizer wordpiece --out "$tmp/x.gguf"
expect_usage "$S" --arch qwen3-0.6b --bpe-vocab
expect_usage "$S" --arch
expect_usage "$M"
expect_usage "$M" --model "$tmp/x.gguf" --ctx 8 --prompt 16
[ ! -e "$tmp/x.gguf" ] || { echo "a usage error wrote a file"; exit 1; }

# the BPE vocabulary comes from ../shared; without it the tool says so and writes bytes
[ -r "${TACIT_SHARED:-../shared}/models/whisper-vocab-base.en.bin" ] || echo "note: ../shared absent, byte vocabulary only"
"$S" --arch qwen3-0.6b --layers 1 --vocab 512 --tokenizer bytes --out "$tmp/bytes.gguf" --quiet >/dev/null
if "$S" --arch qwen3-0.6b --layers 1 --vocab 512 --bpe-vocab "$tmp/none.bin" --out "$tmp/x.gguf" --quiet 2>"$tmp/err"; then
	echo "a missing --bpe-vocab was accepted"; exit 1; fi
grep -q "cannot open" "$tmp/err" || { echo "no message for a missing --bpe-vocab"; cat "$tmp/err"; exit 1; }
small="--arch qwen3-0.6b --layers 2 --vocab 1024 --quant Q4_K_M --quiet"
"$S" $small --out "$tmp/a.gguf" --threads 1 >/dev/null
"$S" $small --out "$tmp/b.gguf" --threads 2 >/dev/null
"$S" $small --out "$tmp/c.gguf" --seed 7 >/dev/null
cmp -s "$tmp/a.gguf" "$tmp/b.gguf" || { echo "output depends on --threads"; exit 1; }
! cmp -s "$tmp/a.gguf" "$tmp/c.gguf" || { echo "--seed changes nothing"; exit 1; }
[ ! -e "$tmp/a.gguf.partial" ] || { echo "partial file left behind"; exit 1; }

# the header: magic, metadata, tensor types of the Q4_K_M mix (tied embeddings as Q6_K;
# attn_v and ffn_down as Q6_K in llama.cpp's "more bits" layers), tensor data aligned
python3 - "$tmp/a.gguf" <<'PY'
import struct, sys
f = open(sys.argv[1], "rb")
rd = lambda fmt: struct.unpack("<" + fmt, f.read(struct.calcsize("<" + fmt)))
def rstr():
    n, = rd("Q"); return f.read(n).decode()
SZ = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
def rval(t):
    if t == 8: return rstr()
    if t == 9:
        at, n = rd("IQ"); return [rval(at) for _ in range(n)]
    return rd(SZ[t])[0]
assert f.read(4) == b"GGUF"
version, nt, nkv = rd("IQQ")
kv = {}
for _ in range(nkv):
    k = rstr(); t, = rd("I"); kv[k] = rval(t)
types = {}
offsets = []
for _ in range(nt):
    name = rstr(); nd, = rd("I"); ne = rd("Q" * nd); ty, = rd("I"); off, = rd("Q")
    types[name] = ty; offsets.append(off)
assert kv["general.architecture"] == "qwen3" and kv["qwen3.block_count"] == 2, kv.get("qwen3.block_count")
assert kv["qwen3.embedding_length"] == 1024 and kv["qwen3.attention.head_count_kv"] == 8
toks, tt = kv["tokenizer.ggml.tokens"], kv["tokenizer.ggml.token_type"]
assert len(toks) == 1024 and toks[13] == "<0x0A>" and tt[13] == 6 and tt[1] == tt[2] == 3
assert len(set(toks)) == len(toks), "duplicate tokens"
if kv["general.description"].find("BPE") >= 0:
    # GPT-2's merges as SentencePiece pieces: the space is U+2581, scores fall with rank
    assert "\u2581the" in toks and "\u2581and" in toks and not any(" " in t for t in toks), toks[259:300]
    sc = kv["tokenizer.ggml.scores"]; i, j = toks.index("\u2581t"), toks.index("\u2581the")
    assert sc[i] > sc[j], (sc[i], sc[j])
Q4_K, Q6_K, F32 = 12, 14, 0
assert types["token_embd.weight"] == Q6_K, types["token_embd.weight"]
# llama.cpp's use_more_bits() over 2 layers: the last (>= 7n/8) gets Q6_K, the first not
assert types["blk.1.attn_v.weight"] == Q6_K and types["blk.1.ffn_down.weight"] == Q6_K
assert types["blk.0.attn_v.weight"] == Q4_K and types["blk.0.ffn_down.weight"] == Q4_K
assert types["blk.0.attn_q.weight"] == Q4_K and types["blk.1.ffn_gate.weight"] == Q4_K
assert types["blk.0.attn_norm.weight"] == F32 and "output.weight" not in types
assert nt == 2 * 11 + 2, nt
assert all(o % 32 == 0 for o in offsets)
PY

measure() { "$M" --model "$1" --ctx 64 --prompt 8 --gen 2 --reps 1 >"$1.json" || { echo "cannot run $1"; exit 1; }; }
measure "$tmp/a.gguf"
"$S" --arch gemma-3-1b --layers 2 --vocab 512 --quant Q8_0 --out "$tmp/g.gguf" --quiet >/dev/null
measure "$tmp/g.gguf"
"$S" --arch qwen3.5-0.8b --layers 4 --vocab 512 --quant F16 --out "$tmp/q.gguf" --quiet >/dev/null
measure "$tmp/q.gguf"
python3 - "$tmp" <<'PY'
import json, os, sys
t = sys.argv[1]
for name, arch, layers, vocab in (("a", "qwen3", 2, 1024), ("g", "gemma3", 2, 512), ("q", "qwen35", 4, 512)):
    d = json.load(open(os.path.join(t, name + ".gguf.json")))
    assert d["arch"] == arch and d["n_layers"] == layers and d["n_vocab"] == vocab, d
    assert d["file_bytes"] == os.path.getsize(os.path.join(t, name + ".gguf")), d
    assert d["peak_rss_bytes"] > d["rss_base_bytes"] > 0, d
    assert d["decode_tps"] > 0 and d["prefill_tps"] > 0, d
    assert 0 < d["weights_bytes"] < d["file_bytes"], d
PY
echo ok
