/*
 * live_phases.c — where a live meeting's stop spent its time: the STOPPED event's "phases"
 * object. Each millisecond lands in one phase: model calls in state/prompt/generation
 * (their round trip beyond that in other_ms), the rest where the analysis thread was. The
 * figures are the analysis thread's; the caller only says which job was in flight.
 */
#include "internal.h"

#include "live_int.h"

const char *live_job_name(enum job j)
{
	switch (j) {
	case JOB_NONE:
		return "none";
	case JOB_INGEST:
		return "ingest";
	case JOB_WARM:
		return "warm";
	case JOB_ASK:
		return "ask";
	case JOB_SUGGEST:
		return "suggest";
	case JOB_IDLE_FOLD:
		return "idle_fold";
	case JOB_FINAL:
		return "final";
	}
	return "none";
}

void live_phases_call(struct tacit_live *l, const struct tacit_llm_stats *s, double call_ms)
{
	struct live_stop_phases *ph = &l->ph;
	ph->state_ms += s->state_ms;
	ph->prompt_ms += s->prefill_ms;
	ph->prompt_tokens += s->n_prompt - s->n_reused;
	ph->cached_tokens += s->n_reused;
	ph->gen_ms += s->decode_ms;
	ph->sample_ms += s->sample_ms;
	ph->gen_tokens += s->n_generated;
	ph->rejected += s->n_rejected;
	ph->full_filters += s->n_full_filter;
	ph->narrow_filters += s->n_narrow_filter;
	ph->call_ms += call_ms;
}

void live_phases_json(struct tacit_live *l, double stop_ms, struct buf *out)
{
	const struct live_stop_phases *ph = &l->ph;
	double other = stop_ms - ph->wait_ms - ph->catch_up_ms - ph->state_ms - ph->prompt_ms - ph->gen_ms -
		       ph->fold_ms - ph->store_ms;
	buf_addf(out,
		 "{\"wait_ms\":%.0f,\"wait_job\":\"%s\",\"pending_segments\":%zu,\"catch_up_ms\":%.0f,"
		 "\"catch_up_folds\":%d,\"state_ms\":%.0f,\"prompt\":{\"tokens\":%lld,\"cached\":%lld,\"ms\":%.0f},"
		 "\"generation\":{\"tokens\":%lld,\"ms\":%.0f,\"sample_ms\":%.0f,\"grammar_rejections\":%d,"
		 "\"full_vocab_filters\":%d,\"first_char_filters\":%d},\"fold_ms\":%.0f,\"store_ms\":%.0f,\"other_ms\":%.0f,"
		 "\"final_fold\":{\"ms\":%.0f,\"estimate_ms\":%.0f}}",
		 ph->wait_ms, live_job_name(l->stop_job), l->stop_pending, ph->catch_up_ms,
		 ph->catch_up_folds, ph->state_ms, ph->prompt_tokens, ph->cached_tokens, ph->prompt_ms,
		 ph->gen_tokens, ph->gen_ms, ph->sample_ms, ph->rejected, ph->full_filters, ph->narrow_filters, ph->fold_ms,
		 ph->store_ms, other, ph->final_ms, ph->estimate_ms);
	tacit_log(TACIT_LOG_INFO,
		  "live stop: %.0f ms = wait %.0f (%s in flight, %zu segments queued) + catch-up %.0f (%d folds) + "
		  "state %.0f + prompt %.0f (%lld tokens) + generation %.0f (%lld tokens, %d grammar rejections, %d "
		  "full-vocabulary and %d first-character filters) + fold %.0f + store %.0f + other %.0f",
		  stop_ms, ph->wait_ms, live_job_name(l->stop_job), l->stop_pending, ph->catch_up_ms,
		  ph->catch_up_folds, ph->state_ms, ph->prompt_ms, ph->prompt_tokens, ph->gen_ms,
		  ph->gen_tokens, ph->rejected, ph->full_filters, ph->narrow_filters, ph->fold_ms, ph->store_ms, other);
}
