/*
 * fit_check.c — the fit scorer against measurements: for every model that
 * bench/models.sh measured (build/models/measurements.json), the scorer's estimate from
 * the model's GGUF header (tacit_gguf_layout(), on this machine as the measurement saw
 * it: its bandwidth and cores, no GPU) beside what libllama actually used. Emits, per
 * model, estimated vs measured peak RSS and decode tokens/s with the error in the note.
 * Targets (issue #3): memory within 5 % or 150 MiB, tokens/s within 20 %.
 *
 * Like for like: memory is scored at the measurement's n_ctx (4096) and n_ubatch (512);
 * the scorer's speed assumes a context half full on average, so speed is scored at a
 * context of twice the measurement's average fill (prompt + half the generated tokens).
 * Usage: fit_check [measurements.json]   (default build/models/measurements.json)
 */
#include "bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yyjson.h>

#define MEM_TOLERANCE 0.05
#define MEM_TOLERANCE_BYTES (150.0 * 1048576.0)
#define TPS_TOLERANCE 0.20

static double num(yyjson_val *o, const char *key)
{
	return yyjson_get_num(yyjson_obj_get(o, key));
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "build/models/measurements.json";
	yyjson_read_err err;
	yyjson_doc *doc = yyjson_read_file(path, 0, NULL, &err);
	int n_ok_mem = 0, n_ok_tps = 0, n = 0;

	if (!doc) {
		fprintf(stderr, "fit_check: no measurements in '%s' (%s): run bench/models.sh first\n", path, err.msg);
		return 0; /* nothing to compare is not a failure of the benchmark */
	}
	yyjson_val *root = yyjson_doc_get_root(doc), *machine = yyjson_obj_get(root, "machine");
	struct tacit_probe_params pp = tacit_probe_default_params();
	struct tacit_system sys;
	pp.bandwidth = 0;
	pp.devices = false; /* model-measure runs on the CPU */
	if (tacit_system_probe(&pp, &sys) != TACIT_OK) {
		fprintf(stderr, "fit_check: %s\n", tacit_errmsg());
		yyjson_doc_free(doc);
		return 1;
	}
	sys.n_devices = 0;
	sys.unified_memory = false;
	sys.cpu_bandwidth_gbs = num(machine, "cpu_bandwidth_gbs");
	if (yyjson_is_int(yyjson_obj_get(machine, "cores_usable")))
		sys.n_cores_usable = sys.n_cores_physical = (int)num(machine, "cores_usable");

	size_t i, max;
	yyjson_val *m;
	yyjson_arr_foreach(yyjson_obj_get(root, "models"), i, max, m)
	{
		const char *id = yyjson_get_str(yyjson_obj_get(m, "id"));
		const char *quant = yyjson_get_str(yyjson_obj_get(m, "quant"));
		const char *file = yyjson_get_str(yyjson_obj_get(m, "file"));
		struct tacit_gguf_info *info = NULL;
		struct tacit_model_layout layout;
		struct tacit_fit fmem, fspeed;
		if (!id || !file)
			continue;
		int threads = (int)num(m, "n_threads");
		struct tacit_system s = sys;
		if (threads > 0 && threads < s.n_cores_usable)
			s.n_cores_usable = s.n_cores_physical = threads;
		if (tacit_gguf_inspect(file, &info) != TACIT_OK || tacit_gguf_layout(info, &layout) != TACIT_OK) {
			fprintf(stderr, "fit_check: %s: %s\n", id, tacit_errmsg());
			tacit_gguf_info_free(info);
			continue;
		}
		tacit_gguf_info_free(info);
		struct tacit_fit_params fp = tacit_fit_default_params();
		fp.n_ctx = (uint32_t)num(m, "n_ctx");
		if (tacit_fit_score(&s, &layout, &fp, &fmem) != TACIT_OK) {
			fprintf(stderr, "fit_check: %s: %s\n", id, tacit_errmsg());
			continue;
		}
		/* the measurement decodes after a 128-token prompt: average fill 128 + 64/2 */
		fp.n_ctx = 2 * (128 + 64 / 2);
		tacit_fit_score(&s, &layout, &fp, &fspeed);

		double mem_meas = num(m, "peak_rss_bytes"), mem_est = (double)fmem.mem_needed;
		double tps_meas = num(m, "decode_tps"), tps_est = fspeed.est_tokens_per_s;
		double lb = num(m, "llama_bench_tg_tps");
		double mem_err = mem_meas > 0 ? (mem_est - mem_meas) / mem_meas : 0;
		double tps_err = tps_meas > 0 ? (tps_est - tps_meas) / tps_meas : 0;
		bool mem_ok = fabs(mem_err) <= MEM_TOLERANCE || fabs(mem_est - mem_meas) <= MEM_TOLERANCE_BYTES;
		bool tps_ok = fabs(tps_err) <= TPS_TOLERANCE;
		char name[160], note[320];
		n++;
		n_ok_mem += mem_ok;
		n_ok_tps += tps_ok;
		snprintf(name, sizeof(name), "fit.%s-%s.memory", id, quant ? quant : "");
		snprintf(note, sizeof(note),
			 "estimate %.0f MiB (weights %.0f + kv %.0f + compute %.0f + overhead %.0f) vs peak RSS %.0f MiB: "
			 "error %+.1f%% (%+.0f MiB), %s (target 5%% or 150 MiB); n_ctx %u",
			 mem_est / 1048576, (double)fmem.mem_weights / 1048576, (double)fmem.mem_kv / 1048576,
			 (double)fmem.mem_compute / 1048576, (double)fmem.mem_overhead / 1048576, mem_meas / 1048576,
			 mem_err * 100, (mem_est - mem_meas) / 1048576, mem_ok ? "within" : "OUTSIDE",
			 (unsigned)num(m, "n_ctx"));
		bench_emit(name, mem_est / 1048576, "MiB", "measured peak RSS", mem_meas / 1048576, 0, note);
		snprintf(name, sizeof(name), "fit.%s-%s.decode_tps", id, quant ? quant : "");
		snprintf(note, sizeof(note),
			 "estimate %.1f vs measured %.1f tok/s (libllama, %d threads, best of 3; llama-bench tg64 %.1f): "
			 "error %+.1f%%, %s (target 20%%)",
			 tps_est, tps_meas, threads, lb, tps_err * 100, tps_ok ? "within" : "OUTSIDE");
		bench_emit(name, tps_est, "tok/s", "measured decode tok/s", tps_meas, 1, note);
	}
	yyjson_doc_free(doc);
	fprintf(stderr, "fit_check: %d models; memory within target for %d, tokens/s for %d\n", n, n_ok_mem, n_ok_tps);
	return 0;
}
