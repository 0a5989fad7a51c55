#!/usr/bin/env bash
# bench/models.sh — the fit scorer's proof data: for each synthetic model (real shapes,
# random weights, from tools/synth-model) measure peak RSS, load time and prefill/decode
# tok/s through libllama (tools/model-measure, n_ctx 4096, 2 threads) and llama-bench's
# pp128/tg64 on the same file and threads as the reference. Prints bench JSON lines and
# writes build/models/measurements.json with every shape fact an estimate needs, so
# estimates can be joined to measurements by model id.
#
# TACIT_BENCH_MODELS / TACIT_BENCH_QUANTS pick models (default: the list below, Q4_K_M);
# measurements.json holds every model measured so far in build/models.
# Models are generated once into build/models (about 1-3 minutes each on 2 cores).
# Rates are best-of-3 (median beside them): on a shared machine the best run is the one
# least disturbed by other work. Memory figures do not depend on load.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
synth=$BUILD/tools/synth-model
measure=$BUILD/tools/model-measure
dir=$BUILD/models
models=${TACIT_BENCH_MODELS:-"qwen3-0.6b llama-3.2-1b qwen2.5-0.5b qwen2.5-1.5b qwen3-1.7b gemma-3-1b llama-3.2-3b qwen3.5-0.8b qwen3.5-2b"}
quants=${TACIT_BENCH_QUANTS:-Q4_K_M}
threads=${TACIT_BENCH_THREADS:-2}
mkdir -p "$dir"

for x in "$synth" "$measure" "$BUILD/tacit"; do
	[ -x "$x" ] || { echo "models.sh: $x not built (run make)" >&2; exit 1; }
done
have_bench=1
command -v llama-bench >/dev/null || { have_bench=0; echo "models.sh: llama-bench not found; no reference rates" >&2; }

"$BUILD/tacit" system --json >"$dir/system.json"
"$synth" --list --json >"$dir/specs.json"
for m in $models; do
	for q in $quants; do
		f=$dir/$m-$q.gguf
		if [ ! -f "$f" ]; then
			echo "models.sh: generating $f" >&2
			"$synth" --arch "$m" --quant "$q" --out "$f" --quiet >&2 || { echo "models.sh: cannot generate $m $q" >&2; continue; }
		fi
		echo "models.sh: measuring $f" >&2
		if ! "$measure" --model "$f" --threads "$threads" --ctx 4096 --prompt 128 --gen 64 --reps 3 >"$dir/$m-$q.measure.json"; then
			echo "models.sh: model-measure failed on $f" >&2
			continue
		fi
		lb=null
		if [ "$have_bench" = 1 ] &&
			llama-bench -m "$f" -t "$threads" -p 128 -n 64 -r 3 -o json >"$dir/$m-$q.llama-bench.json" 2>/dev/null; then
			lb=$(tr -d '\n' <"$dir/$m-$q.llama-bench.json")
		fi
		printf '{"id":"%s","quant":"%s","measure":%s,"llama_bench":%s}\n' "$m" "$q" \
			"$(cat "$dir/$m-$q.measure.json")" "$lb" >"$dir/$m-$q.run.json"
	done
done

python3 - "$dir" <<'PY'
import json, os, sys
d = sys.argv[1]
system = json.load(open(os.path.join(d, "system.json")))
specs = {s["name"]: s for s in json.load(open(os.path.join(d, "specs.json")))}
bw = system["memory"]["cpu_bandwidth_gbs"]
cpu = system["cpu"]
machine = "%s, %d cores, %.0f GiB" % (cpu["model"], cpu["cores_usable"], system["memory"]["ram_total"] / 2**30)
out = {"machine": {"cpu": cpu["model"], "cores_usable": cpu["cores_usable"], "ram_total": system["memory"]["ram_total"],
                   "cpu_bandwidth_gbs": bw, "machine_id": system.get("machine_id")},
       "method": "tools/model-measure (libllama, default model params, mmap, n_ctx 4096, n_batch 512, "
                 "prompt 128 random tokens, 64 decoded, best of 3) and llama-bench -p 128 -n 64 -r 3 "
                 "(best sample); peak RSS = getrusage ru_maxrss of the whole process",
       "models": []}

def emit(name, value, unit, ref, ref_value, hib, note):
    print(json.dumps({"name": name, "value": value, "unit": unit, "reference": ref, "reference_value": ref_value,
                      "ratio": round(value / ref_value, 4) if ref_value else 0.0, "higher_is_better": hib,
                      "machine": machine, "note": note}))

# every model measured so far (a run with TACIT_BENCH_MODELS re-measures only those)
for run in sorted(f for f in os.listdir(d) if f.endswith(".run.json")):
    r = json.load(open(os.path.join(d, run)))
    m, lb = r["measure"], r["llama_bench"] or []
    spec = specs.get(r["id"], {})
    tg = [x for x in lb if x.get("n_gen", 0) > 0 and x.get("n_prompt", 0) == 0]
    pp = [x for x in lb if x.get("n_prompt", 0) > 0 and x.get("n_gen", 0) == 0]
    best = lambda rows: max(max(x.get("samples_ts") or [x["avg_ts"]]) for x in rows) if rows else None
    lb_tg, lb_pp = best(tg), best(pp)
    eff = m["decode_tps"] * m["bytes_per_token"] / (bw * 1e9) if bw else None
    rec = {"id": r["id"], "quant": r["quant"], "arch": m["arch"], "file": m["file"], "file_bytes": m["file_bytes"],
           "weights_bytes": m["weights_bytes"], "bytes_per_token": m["bytes_per_token"], "n_params": m["n_params"],
           "n_layers": m["n_layers"], "n_embd": m["n_embd"], "n_head": m["n_head"], "n_head_kv": m["n_head_kv"],
           "head_dim": m["head_dim"], "n_vocab": m["n_vocab"], "n_ff": spec.get("n_ff"),
           "attn_full_layers": spec.get("attn_full_layers"), "attn_swa_layers": spec.get("attn_swa_layers"),
           "sliding_window": spec.get("sliding_window"), "recurrent_layers": spec.get("recurrent_layers"),
           "ssm_state": spec.get("ssm_state"), "ssm_k_heads": spec.get("ssm_k_heads"),
           "ssm_v_heads": spec.get("ssm_v_heads"), "ssm_conv": spec.get("ssm_conv"), "tied": spec.get("tied"),
           "n_ctx": m["n_ctx"], "n_threads": m["n_threads"],
           "rss_base_bytes": m["rss_base_bytes"], "rss_after_load_bytes": m["rss_after_load_bytes"],
           "rss_after_ctx_bytes": m["rss_after_ctx_bytes"], "peak_rss_bytes": m["peak_rss_bytes"],
           "rss_anon_bytes": m["rss_anon_bytes"], "rss_file_bytes": m["rss_file_bytes"], "load_s": m["load_s"],
           "prefill_tps": m["prefill_tps"], "prefill_tps_median": m["prefill_tps_median"],
           "decode_tps": m["decode_tps"], "decode_tps_median": m["decode_tps_median"],
           "llama_bench_tg_tps": lb_tg, "llama_bench_pp_tps": lb_pp,
           "llama_bench_tg_tps_avg": tg[0]["avg_ts"] if tg else None,
           "bandwidth_efficiency": eff}
    out["models"].append(rec)
    key = "models.%s-%s" % (r["id"], r["quant"])
    emit(key + ".decode_tps", m["decode_tps"], "tok/s", "llama-bench tg64, best of 3", lb_tg or 0, True,
         "libllama n_ctx 4096, %d threads, best of 3 (median %.1f)" % (m["n_threads"], m["decode_tps_median"]))
    emit(key + ".prefill_tps", m["prefill_tps"], "tok/s", "llama-bench pp128, best of 3", lb_pp or 0, True,
         "128-token prompt, best of 3")
    emit(key + ".peak_rss", m["peak_rss_bytes"] / 2**20, "MiB", "file size", m["file_bytes"] / 2**20, False,
         "n_ctx 4096; anon %.0f MiB, file-backed %.0f MiB" % (m["rss_anon_bytes"] / 2**20, m["rss_file_bytes"] / 2**20))
    if eff is not None:
        emit(key + ".decode_bandwidth", m["decode_tps"] * m["bytes_per_token"] / 1e9, "GB/s", "triad bandwidth", bw,
             True, "tok/s x %d weight bytes read per token; ratio = efficiency" % m["bytes_per_token"])

json.dump(out, open(os.path.join(d, "measurements.json"), "w"), indent=1)
print("models.sh: wrote %s" % os.path.join(d, "measurements.json"), file=sys.stderr)
PY
