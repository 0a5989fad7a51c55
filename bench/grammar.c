/*
 * grammar.c — the cost of the JSON grammar per written token: the live summary's grammar
 * (grammar_build(), as the stop's final call uses it) on greedy decoding, with a rejected
 * pick the best 256 tokens do not decide filtered over only the tokens whose first
 * character the grammar allows (now) against the whole vocabulary (before). Both runs
 * write the same tokens (the filters agree); the figures are sampling ms per token and
 * all generation ms per token, in process (no worker, no IPC).
 * Model: $TACIT_BENCH_MODEL, else build/models/llama-3.2-1b-Q4_K_M.gguf (128k vocabulary,
 * where a whole-vocabulary filter is dear). Tokens: $TACIT_BENCH_TOKENS (default 256).
 */
#include "bench.h"

#include "grammar.h"
#include "llm_engine.h"

#include <string.h>
#include <unistd.h>

static bool sink(const char *piece, size_t len, void *user)
{
	(void)piece;
	(void)len;
	(void)user;
	return true;
}

int main(void)
{
	const char *model = getenv("TACIT_BENCH_MODEL") ? getenv("TACIT_BENCH_MODEL")
							: "build/models/llama-3.2-1b-Q4_K_M.gguf";
	int n_tokens = getenv("TACIT_BENCH_TOKENS") ? atoi(getenv("TACIT_BENCH_TOKENS")) : 256;
	if (access(model, R_OK) != 0) {
		fprintf(stderr, "bench grammar: no %s (build/tools/synth-model --arch llama-3.2-1b), skipped\n", model);
		return 0;
	}
	struct llm_engine_params lp = { 0 };
	struct llm_engine *llm = NULL;
	lp.model_path = model;
	lp.n_ctx = 2048;
	lp.n_threads = bench_threads();
	if (llm_engine_load(&lp, &llm) != TACIT_OK) {
		fprintf(stderr, "bench grammar: %s\n", tacit_errmsg());
		return 1;
	}
	struct grammar_limits lim;
	struct buf g;
	buf_init(&g);
	grammar_limits_for(TACIT_TASK_SUMMARY, (size_t)n_tokens * 3, 800, false, &lim);
	grammar_build(TACIT_TASK_SUMMARY, &lim, &g);
	struct tacit_llm_stats st[2];
	for (int full = 0; full < 2; full++) {
		struct llm_engine_gen gen = { 0 };
		gen.prompt = "Transcript:\n[S1] Alice: the budget stays at 100 euros until Friday.\n"
			     "[S2] Bob: I will send the report.\nSummarize this part of the meeting as JSON.\n";
		gen.grammar = g.data;
		gen.max_tokens = n_tokens;
		gen.test_full_filter = full;
		if (llm_engine_generate(llm, &gen, sink, NULL, &st[full]) != TACIT_OK) {
			fprintf(stderr, "bench grammar: %s\n", tacit_errmsg());
			return 1;
		}
	}
	char note[512];
	for (int full = 1; full >= 0; full--)
		fprintf(stderr,
			"bench grammar: %s: %d tokens, %d rejected, %d whole-vocabulary and %d first-character filters "
			"(%lld tokens filtered), sampling %.1f ms, generation %.1f ms\n",
			full ? "before (whole vocabulary)" : "now (first character)", st[full].n_generated,
			st[full].n_rejected, st[full].n_full_filter, st[full].n_narrow_filter, st[full].n_filtered,
			st[full].sample_ms, st[full].decode_ms);
	snprintf(note, sizeof(note),
		 "live summary grammar, greedy, %d tokens, %d rejected picks: %d filtered over the whole vocabulary "
		 "before, %d over the tokens whose first character the grammar allows now (%lld vs %lld tokens filtered)",
		 st[0].n_generated, st[0].n_rejected, st[1].n_full_filter, st[0].n_narrow_filter, st[0].n_filtered,
		 st[1].n_filtered);
	double n0 = st[0].n_generated > 0 ? st[0].n_generated : 1, n1 = st[1].n_generated > 0 ? st[1].n_generated : 1;
	bench_emit("grammar_sample_ms_per_token", st[0].sample_ms / n0, "ms", "whole-vocabulary filter",
		   st[1].sample_ms / n1, 0, note);
	bench_emit("grammar_generation_ms_per_token", st[0].decode_ms / n0, "ms", "whole-vocabulary filter",
		   st[1].decode_ms / n1, 0, note);
	buf_release(&g);
	llm_engine_free(llm);
	return 0;
}
