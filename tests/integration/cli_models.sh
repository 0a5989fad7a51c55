#!/usr/bin/env bash
# tacit models: the table and --json for this machine and for profiles, --all, the
# "downloaded" column, the blocking reason, a bad catalog, and usage errors (exit 2).
set -eu
T=${TACIT:?}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT
unset TACIT_CATALOG

# this machine: valid JSON, one entry per listed model, at most one Recommended
"$T" models --json >"$TACIT_HOME/here.json"
python3 - "$TACIT_HOME/here.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["n_ctx"] == 8192 and d["machine"].startswith("this machine")
rec = [m["id"] for m in d["models"] if m["recommended"]]
assert len(rec) <= 1 and d["recommended"] == (rec[0] if rec else None)
for m in d["models"]:
    assert m["listed"] and m["verdict"] in ("great", "tight"), m
    mem = m["memory"]
    assert mem["needed"] == mem["weights"] + mem["kv"] + mem["compute"] + mem["overhead"]
    assert m["ram_at_load_bytes"] == mem["needed"] and 0 <= m["n_gpu_layers"] <= m["n_layers"]
if not d["models"]:
    assert d["blocking_reason"].startswith("no model fits this machine")
PY
"$T" models | head -n 1 | grep -q '^Models for this machine'

# a profile: pinned outcome, sorted by RAM at load
"$T" models --json --profile m3-air-16gb >"$TACIT_HOME/air.json"
python3 - "$TACIT_HOME/air.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ids = [m["id"] for m in d["models"]]
assert ids == ["qwen3.5-2b", "qwen3.5-4b", "gemma4-e2b", "gemma4-e4b", "qwen3.5-9b", "qwen3.5-9b-hq"], ids
assert d["recommended"] == "qwen3.5-9b"
assert [m["verdict"] for m in d["models"]][-1] == "tight"
ram = [m["ram_at_load_bytes"] for m in d["models"]]
assert ram == sorted(ram)
assert d["blocking_reason"] is None
PY
out=$("$T" models --profile m3-air-16gb)
echo "$out" | grep -q 'Qwen 3.5 9B .*Great fit .*Recommended'
echo "$out" | grep -q 'Qwen 3.5 9B HQ .*Tight fit'
if echo "$out" | grep -q 'Qwen 3.6 27B'; then echo "27B listed on a 16 GB Mac"; exit 1; fi

# --all shows what is not listed, with the reason
"$T" models --all --profile m3-air-16gb | grep -q "Qwen 3.6 27B .*Won't fit .*not listed: needs"
# most of the 31B runs on the CPU of an 8 GB GPU machine: listed, and marked slow
"$T" models --profile rtx4060-8gb | grep -q 'Gemma 4 31B .*+ Slow'
"$T" models --profile rtx4060-8gb | grep -q 'Qwen 3.5 9B HQ .*Great fit + Slow'
"$T" models --all --json --profile m1-8gb | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert any(not m["listed"] for m in d["models"])
assert not any(m["archived"] for m in d["models"]), "an archived model that is not downloaded is listed"'
"$T" models --profile list | grep -q '^cpu-2core-24gb '

# downloaded: a file of that name in the models folder (tacit_models_dir)
mkdir -p "$TACIT_HOME/data/models" && : >"$TACIT_HOME/data/models/Qwen3.5-2B-Q4_K_M.gguf"
"$T" models --json --profile m1-8gb | python3 -c '
import json, sys
d = {m["id"]: m for m in json.load(sys.stdin)["models"]}
assert d["qwen3.5-2b"]["downloaded"] and not d["qwen3.5-4b"]["downloaded"]'
"$T" models --profile m1-8gb | grep -q 'Qwen 3.5 2B .* yes '

# nothing fits: a plain blocking reason (the only model needs far more than any profile)
python3 - "$TACIT_HOME/big.json" <<'PY'
import json, sys
m = {"id": "giant", "kind": "llm", "name": "Giant", "family": "g", "arch": "llama", "quant": "Q4_0",
     "quant_label": "Q4_0", "file_name": "giant.gguf", "file_bytes": 900 * 2**30, "sha256": None,
     "status": "active", "replaced_by": None, "urls": ["https://example.org/giant.gguf"],
     "params_total": 1000 * 10**9, "stars": 3, "tier": "max", "n_layers": 4, "n_embd": 256, "n_head": 4,
     "n_head_kv": 2, "head_dim": 64, "n_vocab": 1000, "attn_full_layers": 4, "attn_swa_layers": 0,
     "recurrent_layers": 0, "kv_shared_layers": 0}
json.dump({"version": 1, "models": [m]}, open(sys.argv[1], "w"))
PY
TACIT_CATALOG="$TACIT_HOME/big.json" "$T" models --profile m1-8gb >"$TACIT_HOME/none.txt"
grep -q "no model fits this machine: the smallest, 'Giant', needs 9" "$TACIT_HOME/none.txt"
TACIT_CATALOG="$TACIT_HOME/big.json" "$T" models --json --profile m1-8gb | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["models"] == [] and d["recommended"] is None and "Giant" in d["blocking_reason"]'

# a malformed catalog is a format error (exit 10 + 4)
echo '{"version": 1, "models": [{"id": "x"}]}' >"$TACIT_HOME/bad.json"
if TACIT_CATALOG="$TACIT_HOME/bad.json" "$T" models --profile m1-8gb 2>"$TACIT_HOME/err"; then exit 1; else rc=$?; fi
[ "$rc" -eq 14 ] || { echo "exit $rc"; exit 1; }
grep -q "invalid catalog: model 'x'" "$TACIT_HOME/err"

expect_usage() { if "$@" >/dev/null 2>&1; then echo "expected failure: $*"; exit 1; else rc=$?; fi
	[ "$rc" -eq 2 ] || { echo "expected exit 2, got $rc: $*"; exit 1; }; }
expect_usage "$T" models --profile cray-1
expect_usage "$T" models --profile
expect_usage "$T" models --bogus
expect_usage "$T" models extra
expect_usage "$T" models --ctx 12
"$T" models --profile cray-1 2>&1 | grep -q "unknown hardware profile 'cray-1' (known: m1-8gb, "
"$T" models --help | grep -q -- '--profile NAME'
echo ok
