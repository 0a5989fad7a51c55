/*
 * live_prompt.c — the analysis thread's model calls: the shared system message, the
 * window's transcript as the prompt's stable start (so the model's cache reuse applies),
 * and task calls whose output a grammar bounds and citations_check() checks.
 */
#include "internal.h"

#include "citations.h"
#include "grammar.h"
#include "live_int.h"
#include "llm_client.h"
#include "meeting.h"
#include "schema.h"

#define PART_MAX_CHARS 60 /* the topic of the last part, written by the final call */

static const char system_text[] =
	"You are a meeting assistant. Transcript lines start with a segment number like [S12]. Reply with JSON "
	"only. Every item cites, in \"cites\", the numbers of the segments it rests on (12 for [S12]).";

void live_window_body(struct tacit_live *l, size_t first, size_t end, struct buf *user)
{
	live_roll_preface(l->roll, user);
	buf_adds(user, "Transcript:\n");
	for (size_t i = first; i < end; i++)
		transcript_line_as(&l->t, i, i - first + 1, user);
}

/* The checked JSON's cites, numbered as the prompt showed them, in the meeting's numbers. */
static enum tacit_status to_meeting_numbers(const struct cite_map *m, struct buf *checked)
{
	size_t n = m->n_window + m->n_earlier;
	long long *to = malloc((n ? n : 1) * sizeof(*to));
	if (!to)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < m->n_window; i++)
		to[i] = (long long)(m->first + i + 1);
	for (size_t i = 0; i < m->n_earlier; i++)
		to[m->n_window + i] = m->earlier[i];
	enum tacit_status st = citations_renumber(checked, to, n);
	free(to);
	return st;
}

/* One model call with the shared system message; *out_text: caller frees. schema: the
 * JSON Schema of grammar's answers (a server without grammars is held to it, and every
 * remote answer is checked against it: see tacit_llm_request.json_schema). */
enum tacit_status live_generate(struct tacit_live *l, const char *user, const char *grammar, const char *schema,
				  int max_tokens, tacit_token_fn on_token, void *tok_user, char **out_text, const char *what)
{
	struct tacit_chat_message msgs[2] = { { "system", system_text }, { "user", user } };
	struct tacit_llm_request req = tacit_llm_default_request();
	struct tacit_llm_stats stats;
	req.messages = msgs;
	req.n_messages = 2;
	req.grammar = grammar;
	req.json_schema = schema;
	req.max_tokens = max_tokens;
	double t0 = clock_now_s();
	enum tacit_status st;
	memset(&stats, 0, sizeof(stats));
	if (!meeting_generate_hooked(&req, out_text, &stats, &st)) /* tests answer for the model */
		st = tacit_llm_generate(l->llm, &req, on_token, tok_user, &l->job_cancel, out_text, &stats);
	if (st == TACIT_OK && !l->stop_phase && !strcmp(what, "map")) {
		l->map_ms += (clock_now_s() - t0) * 1000.0;
		l->map_calls++;
	}
	if (l->stop_phase) {
		l->stop_read += stats.n_prompt - stats.n_reused;
		l->stop_generated += stats.n_generated;
		l->stop_calls++;
		live_phases_call(l, &stats, (clock_now_s() - t0) * 1000.0);
	}
	if (st == TACIT_OK)
		tacit_log(TACIT_LOG_INFO, "live %s: %d prompt tokens (%d reused), %d generated, %.0f ms prefill, %.0f ms decode",
			  what, stats.n_prompt, stats.n_reused, stats.n_generated, stats.prefill_ms, stats.decode_ms);
	if (st == TACIT_OK && grammar && stats.finish != TACIT_FINISH_STOP && out_text) {
		/* a cut JSON is caught by the check that follows */
		tacit_log(TACIT_LOG_DEBUG, "live %s: output cut at %d tokens", what, stats.n_generated);
	}
	return st;
}

/* One task call whose output is checked; with_part (a summary only) adds a first field
 * "part", a short topic, to the schema. */
enum tacit_status live_task_call(struct tacit_live *l, enum tacit_task task, bool with_part, const char *user,
				   const struct cite_map *map, tacit_token_fn on_token, void *tok_user, struct buf *checked,
				   const char *what)
{
	size_t shown = map->n_window + map->n_earlier;
	size_t n_segments = shown ? shown : 1; /* the grammar's numbers; the check keeps none then */
	static const char root[] = "root ::= \"{\\\"title\\\":\"";
	struct grammar_limits lim;
	struct buf g, schema;
	char *text = NULL;
	size_t bytes = (size_t)l->max_tokens * (l->tiny ? 1 : 3);
	/* the part's field comes on top of the budget (a model token is at least 3 bytes, or 1 when tiny) */
	size_t part = with_part ? sizeof("{\"part\":\"\",") + (size_t)PART_MAX_CHARS * (l->tiny ? 1 : 4) : 0;
	int extra = (int)((part + (l->tiny ? 0 : 2)) / (l->tiny ? 1 : 3));
	/* a summary in a template other than general: its sections, owners among the speakers */
	bool shaped = task == TACIT_TASK_SUMMARY && strcmp(l->tp.name, "general");
	char **names = NULL;
	size_t n_names = 0;
	enum tacit_status st = TACIT_OK;
	buf_init(&g);
	buf_init(&schema);
	if (shaped && l->tp.exact_owner && (st = meeting_speaker_names(&l->t, &names, &n_names)) != TACIT_OK)
		goto out;
	size_t who = grammar_who_width((const char *const *)names, n_names, l->tiny);
	if (shaped ? !grammar_template_limits(&l->tp, who, bytes, n_segments, l->tiny, &lim)
		   : !grammar_limits_for(task, bytes, n_segments, l->tiny, &lim)) {
		st = tacit_fail(TACIT_ERR_USAGE, "%d output tokens are too few for the live %s (raise live.max_tokens)",
				l->max_tokens, what);
		goto out;
	}
	if (shaped) {
		grammar_template_build(&l->tp, (const char *const *)names, n_names, &lim, &g);
		schema_template_build(&l->tp, (const char *const *)names, n_names, &lim, &schema);
	} else {
		grammar_build(task, &lim, &g);
		schema_build(task, &lim, &schema);
	}
	if (with_part)
		schema_add_first_string(&schema, "part", PART_MAX_CHARS);
	char *at = with_part ? strstr(g.data, root) : NULL;
	if (at) {
		struct buf pg;
		buf_init(&pg);
		buf_add(&pg, g.data, (size_t)(at - g.data));
		buf_adds(&pg, "root ::= \"{\\\"part\\\":\" part \",\\\"title\\\":\"");
		buf_adds(&pg, at + sizeof(root) - 1);
		buf_addf(&pg, "part ::= \"\\\"\" chr{0,%d} \"\\\"\"\n", PART_MAX_CHARS);
		buf_release(&g);
		g = pg;
	}
	st = schema.failed ? tacit_fail(TACIT_ERR_NOMEM, "out of memory")
			   : live_generate(l, user, g.data, schema.data, l->max_tokens + extra, on_token, tok_user, &text,
					   what);
	if (st == TACIT_OK)
		st = task == TACIT_TASK_SUMMARY ? citations_check_template(&l->tp, text, shown, checked, NULL)
						: citations_check(task, text, shown, checked, NULL);
	if (st == TACIT_OK)
		st = to_meeting_numbers(map, checked);
out:
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	tacit_free(text);
	buf_release(&schema);
	buf_release(&g);
	return st;
}

