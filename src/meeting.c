/*
 * meeting.c — meeting tasks on a transcript: builds the prompt (instructions, numbered
 * segments), the grammar (bounded by the token budget), runs one call when the meeting
 * fits the context and map→reduce when it does not, checks citations and renders
 * Markdown. Invariant: segment numbers are global ([S1] is always the first segment), so
 * citations survive the map and reduce steps and are checked once, at the end. The user
 * message starts with the transcript and everything task-specific (instructions,
 * language, question) comes after it, so one saved transcript prefix serves every task;
 * the window plan reserves a fixed room for that task-specific tail, so every task cuts
 * a long meeting into the same windows and one saved state per window serves them all.
 */
#include "internal.h"

#include "citations.h"
#include "grammar.h"
#include "owners.h"
#include "schema.h"
#include "lang_detect.h"
#include "meeting.h"
#include "plan.h"
#include "template.h"
#include "transcript.h"
#include "llm_client.h"

#include <time.h>

#include <yyjson.h>

#define DEFAULT_MAX_TOKENS 1024
/* Tokens the window plan keeps for the task-specific end of the prompt (instructions,
 * language, question) whatever the task (an eighth of a small context): more than any
 * task's own instructions take, so windows, and their saved states, do not depend on
 * the task. A longer question makes its own, smaller windows. */
#define TAIL_RESERVE 256
/* An answer reads the window that matches the question best; when no word matches it
 * reads every window, but only up to this many: a question about a meeting of 100,000
 * segments must not map over all of it while holding the only answer slot. */
#define ANSWER_MAX_WINDOWS 4
/* And the windows it reads must be done within this (checked between model calls). */
#define ANSWER_TIME_MS (3 * 60 * 1000)

static const char *const task_names[] = { "summary", "notes", "answer", "suggestions" };

/* The instructions after the transcript. An answer has none there: its rule is in the
 * system message, so the prompt after a saved transcript state is the question alone
 * (every token after the transcript is computed against all of it, which on a CPU costs
 * about a tenth of a second per token for an hour-long meeting with a 1B model). */
static const char *const task_instructions[] = {
	"Summarize the meeting: a title, a short overview, the key points, decisions, action items "
	"(owner, task, due date or \"\") and open questions.",
	"Write detailed notes: sections by topic, each with the segment numbers where it starts and ends "
	"and bullet points.",
	NULL,
	"Suggest what to ask or do next: questions, follow-ups, risks and ideas.",
};

struct tacit_meeting_params tacit_meeting_default_params(void)
{
	struct tacit_meeting_params p = { 0 };
	return p;
}

static const struct {
	const char *code, *name;
} languages[] = {
	{ "en", "English" }, { "fr", "French" },   { "de", "German" },   { "es", "Spanish" }, { "it", "Italian" },
	{ "pt", "Portuguese" }, { "nl", "Dutch" }, { "sv", "Swedish" },  { "pl", "Polish" },  { "ru", "Russian" },
	{ "uk", "Ukrainian" }, { "tr", "Turkish" }, { "ja", "Japanese" }, { "zh", "Chinese" }, { "ko", "Korean" },
	{ "ar", "Arabic" },   { "hi", "Hindi" },
};

/* How the model is told to write in a language it may not follow: the English line
 * small models understand, then the same in the language itself, which they follow
 * more often than an English instruction alone. */
static const struct {
	const char *code, *native, *strong;
} native_lines[] = {
	{ "fr", "\xc3\x89" "cris en fran\xc3\xa7" "ais.", "R\xc3\xa9ponds uniquement en fran\xc3\xa7" "ais." },
	{ "es", "Escribe en espa\xc3\xb1ol.", "Responde solo en espa\xc3\xb1ol." },
	{ "de", "Schreibe auf Deutsch.", "Antworte nur auf Deutsch." },
};

const char *meeting_language_name(const char *lang)
{
	for (size_t i = 0; lang && i < ARRAY_SIZE(languages); i++)
		if (!strcasecmp(lang, languages[i].code) || !strcasecmp(lang, languages[i].name))
			return languages[i].name;
	return lang;
}

const char *meeting_language_code(const char *lang)
{
	for (size_t i = 0; lang && i < ARRAY_SIZE(languages); i++)
		if (!strcasecmp(lang, languages[i].code) || !strcasecmp(lang, languages[i].name))
			return languages[i].code;
	return NULL;
}

const char *meeting_output_language(enum tacit_task task, const char *lang, const struct tacit_transcript *t)
{
	bool asked = lang && *lang && strcmp(lang, "auto");
	if (asked)
		return lang;
	/* an answer is written in the question's language unless one is asked for */
	if (task == TACIT_TASK_ANSWER)
		return NULL;
	if (t && t->language[0])
		return t->language;
	if (!t)
		return NULL;
	/* no language stored (a transcript file, an import): the transcript's words say */
	struct buf text;
	buf_init(&text);
	for (size_t i = 0; i < t->n && text.len < 16384; i++) {
		buf_adds(&text, t->segs[i].text);
		buf_adds(&text, " ");
	}
	const char *got = text.failed ? NULL : lang_detect(text.data, text.len, 16384, NULL);
	buf_release(&text);
	return got;
}

void meeting_language_line(enum tacit_task task, const char *lang, bool strong, struct buf *out)
{
	if (task == TACIT_TASK_ANSWER && !lang)
		return;
	if (!lang) {
		buf_adds(out, " Write in the language of the transcript.");
		return;
	}
	const char *code = meeting_language_code(lang);
	const char *name = meeting_language_name(lang);
	size_t n;
	for (n = 0; code && n < ARRAY_SIZE(native_lines); n++)
		if (!strcmp(code, native_lines[n].code))
			break;
	bool native = code && n < ARRAY_SIZE(native_lines);
	if (!strong) {
		buf_addf(out, " Write in %s.", name);
		if (native)
			buf_addf(out, " %s", native_lines[n].native);
		return;
	}
	buf_addf(out, " Important: write every text of the JSON in %s%s; keep the JSON keys as they are.", name,
		 code && strcmp(code, "en") ? ", not in English" : "");
	if (native)
		buf_addf(out, " %s", native_lines[n].strong);
}

const char *meeting_answer_language(const char *json, int *hits)
{
	static const char *const skip[] = { "owner", "speaker", "kind", "template", NULL };
	yyjson_doc *doc = json ? yyjson_read(json, strlen(json), 0) : NULL;
	struct buf text;
	const char *got = NULL;
	buf_init(&text);
	/* every string value but names and fixed words, in document order */
	yyjson_val *stack[64];
	size_t depth = 0;
	yyjson_val *root = yyjson_doc_get_root(doc);
	if (root)
		stack[depth++] = root;
	while (depth) {
		yyjson_val *v = stack[--depth];
		size_t i, max;
		yyjson_val *k, *item;
		if (yyjson_is_obj(v)) {
			yyjson_obj_foreach(v, i, max, k, item)
			{
				bool skipped = false;
				for (const char *const *s = skip; *s && !skipped; s++)
					skipped = !strcmp(yyjson_get_str(k), *s);
				if (yyjson_is_str(item) && !skipped) {
					buf_adds(&text, yyjson_get_str(item));
					buf_adds(&text, " ");
				} else if (!skipped && (yyjson_is_obj(item) || yyjson_is_arr(item)) && depth < ARRAY_SIZE(stack)) {
					stack[depth++] = item;
				}
			}
		} else if (yyjson_is_arr(v)) {
			yyjson_arr_foreach(v, i, max, item)
			{
				if (yyjson_is_str(item)) {
					buf_adds(&text, yyjson_get_str(item));
					buf_adds(&text, " ");
				} else if ((yyjson_is_obj(item) || yyjson_is_arr(item)) && depth < ARRAY_SIZE(stack)) {
					stack[depth++] = item;
				}
			}
		}
	}
	if (!text.failed)
		got = lang_detect(text.data, text.len, 0, hits);
	buf_release(&text);
	yyjson_doc_free(doc);
	return got;
}

static void build_messages(const struct tacit_meeting_params *p, const struct template *tp, const char *lang,
			   bool strong, const char *body, bool merge, struct buf *system, struct buf *user)
{
	buf_adds(system, "You are a meeting assistant. Transcript lines start with a segment number like [S12]. "
			 "Reply with JSON only. Every item cites, in \"cites\", the numbers of the segments it "
			 "rests on (12 for [S12]). Answer questions from the meeting only, or say it does not say.");
	if (merge)
		buf_adds(user, "These are partial results, in order, from consecutive parts of one meeting. Merge "
			       "them into one result, keeping their segment numbers.\n\n");
	else
		buf_adds(user, "Transcript:\n");
	buf_adds(user, body);
	if (p->task == TACIT_TASK_ANSWER) {
		buf_addf(user, "\nQuestion: %s", p->question);
	} else if (p->task == TACIT_TASK_SUMMARY && tp) {
		buf_adds(user, "\n");
		template_instructions(tp, user);
	} else {
		buf_addf(user, "\n%s", task_instructions[p->task]);
		if (p->task == TACIT_TASK_NOTES && tp && tp->notes[0])
			buf_addf(user, " %s", tp->notes);
	}
	meeting_language_line(p->task, lang, strong, user);
}

struct runner {
	struct tacit_llm *llm;
	const struct tacit_meeting_params *p;
	struct tacit_llm_info info;
	int max_tokens;
	struct buf grammar;
	struct buf schema; /* the grammar's JSON Schema: a server without grammars gets it */
	const struct tacit_transcript *t;
	size_t n_segments;
	int n_calls;
	char **paths;                /* per window: its saved state file, or NULL */
	enum tacit_state_use *use;   /* per window: what its state did */
	struct tacit_llm_stats last; /* of the last model call */
	struct template tp;          /* summary, notes: the template */
	const char *lang;            /* the output's language (code or name); NULL = unknown */
	const char *lang_code;       /* its code when lang_detect() can check it, else NULL */
	int n_lang_retries;          /* calls made again because the answer's language differed */
};

static meeting_generate_hook gen_hook;
static void *gen_hook_user;

void meeting_set_generate_hook(meeting_generate_hook fn, void *user)
{
	gen_hook = fn;
	gen_hook_user = user;
}

bool meeting_generate_hooked(const struct tacit_llm_request *req, char **out_text, struct tacit_llm_stats *stats,
			     enum tacit_status *st)
{
	if (!gen_hook)
		return false;
	*st = gen_hook(req, out_text, stats, gen_hook_user);
	return true;
}

static enum tacit_status model_call(struct runner *r, const char *body, int window, bool strong, struct buf *out);

/* One model call, checked; when the answer is clearly in another language than the one
 * asked, once more with a stronger instruction (a failure of that second call keeps the
 * first answer: a wrong language is better than none). */
static enum tacit_status call(struct runner *r, const char *body, int window, struct buf *out)
{
	enum tacit_status st = model_call(r, body, window, false, out);
	if (st != TACIT_OK || !r->lang_code)
		return st;
	int hits = 0;
	const char *got = meeting_answer_language(out->data, &hits);
	if (!got || !strcmp(got, r->lang_code))
		return st;
	tacit_log(TACIT_LOG_WARN, "the model wrote in '%s' (%d common words), not in '%s': asking again, more firmly", got,
		  hits, r->lang_code);
	struct buf again;
	buf_init(&again);
	r->n_lang_retries++;
	enum tacit_status st2 = model_call(r, body, window, true, &again);
	if (st2 == TACIT_OK) {
		buf_reset(out);
		buf_add(out, again.data, again.len);
		got = meeting_answer_language(out->data, NULL);
		if (got && strcmp(got, r->lang_code))
			tacit_log(TACIT_LOG_WARN, "the model wrote in '%s' again: keeping its answer", got);
	} else if (st2 == TACIT_ERR_CANCELLED) {
		st = st2;
	} else {
		tacit_log(TACIT_LOG_WARN, "asking again in '%s' failed (%s): keeping the first answer", r->lang_code,
			  tacit_errmsg());
	}
	buf_release(&again);
	return st;
}

/* One model call: instructions + body → the task's JSON, checked against n_segments.
 * window: the plan's window the body is (its saved state is used), or -1 (a merge). */
static enum tacit_status model_call(struct runner *r, const char *body, int window, bool strong, struct buf *out)
{
	struct buf system, user;
	char *text = NULL;
	struct tacit_llm_stats stats;
	buf_init(&system);
	buf_init(&user);
	struct buf prefix;
	buf_init(&prefix);
	bool merge = window < 0;
	build_messages(r->p, &r->tp, r->lang, strong, body, merge, &system, &user);
	struct tacit_chat_message msgs[2] = { { "system", system.data }, { "user", user.data } };
	struct tacit_llm_request req = tacit_llm_default_request();
	req.messages = msgs;
	req.n_messages = 2;
	if (!merge) {
		/* the user message up to the end of the transcript: the same for every task (a
		 * remote engine picks the server slot that keeps it by it, even with no file) */
		const char *end = strstr(user.data, body);
		buf_add(&prefix, user.data, end ? (size_t)(end - user.data) + strlen(body) : 0);
		req.state_prefix = prefix.data;
		if (r->paths && r->paths[window])
			req.state_path = r->paths[window];
	}
	req.grammar = r->grammar.data;
	req.json_schema = r->schema.data;
	req.max_tokens = r->max_tokens;
	memset(&stats, 0, sizeof(stats));
	enum tacit_status st = gen_hook ? gen_hook(&req, &text, &stats, gen_hook_user)
					: tacit_llm_generate(r->llm, &req, r->p->on_token, r->p->user, r->p->cancel, &text, &stats);
	r->n_calls++;
	if (st == TACIT_OK) {
		r->last = stats;
		if (!merge && r->use && stats.state != TACIT_STATE_NONE)
			r->use[window] = stats.state;
		tacit_log(TACIT_LOG_INFO, "call %d: %d prompt tokens (%d reused%s), %d generated, %.0f tok/s prefill, %.0f tok/s decode",
			  r->n_calls, stats.n_prompt, stats.n_reused,
			  stats.state == TACIT_STATE_LOADED  ? ", transcript state loaded"
			  : stats.state == TACIT_STATE_SAVED ? ", transcript state saved"
							     : "",
			  stats.n_generated, stats.prefill_tps, stats.decode_tps);
		st = r->p->task == TACIT_TASK_SUMMARY ? citations_check_template(&r->tp, text, r->n_segments, out, NULL)
						      : citations_check(r->p->task, text, r->n_segments, out, NULL);
		if (st != TACIT_OK)
			tacit_log(TACIT_LOG_DEBUG, "unexpected output (%d tokens): %s", stats.n_generated, text);
		if (st != TACIT_OK && stats.finish != TACIT_FINISH_STOP)
			st = tacit_fail(TACIT_ERR_LLM,
					"the model's %s was cut at %d tokens before its JSON was complete (raise "
					"--max-tokens)",
					task_names[r->p->task], stats.n_generated);
	}
	tacit_free(text);
	buf_release(&prefix);
	buf_release(&system);
	buf_release(&user);
	return st;
}

/* Prompt tokens the instructions take around a body of zero length. */
static enum tacit_status overhead_tokens(struct runner *r, bool merge, int *out)
{
	struct buf system, user;
	buf_init(&system);
	buf_init(&user);
	build_messages(r->p, &r->tp, r->lang, false, "", merge, &system, &user);
	buf_adds(&system, "\n");
	buf_add(&system, user.data, user.len);
	enum tacit_status st = tacit_llm_count_tokens(r->llm, system.data, out);
	*out += 32; /* the chat template's own tokens */
	buf_release(&system);
	buf_release(&user);
	return st;
}

/* Prompt tokens before the transcript: the system message, "Transcript:" and the chat
 * template's own tokens. The same for every task. */
static enum tacit_status head_tokens(struct runner *r, int *out)
{
	struct buf head;
	buf_init(&head);
	struct buf user;
	buf_init(&user);
	build_messages(r->p, &r->tp, r->lang, false, "", false, &head, &user);
	const char *cut = strstr(user.data, "\n");
	buf_adds(&head, "\n");
	buf_add(&head, user.data, cut ? (size_t)(cut - user.data) + 1 : user.len);
	enum tacit_status st = tacit_llm_count_tokens(r->llm, head.data, out);
	*out += 32;
	buf_release(&head);
	buf_release(&user);
	return st;
}

int meeting_answer_focus(const struct plan *plan, const double *relevance)
{
	int best = -1;
	double best_score = 0;
	for (size_t w = 0; relevance && w < plan->n; w++) {
		double score = 0;
		for (size_t i = plan->w[w].first; i <= plan->w[w].last; i++)
			score += relevance[i];
		if (score > best_score) {
			best_score = score;
			best = (int)w;
		}
	}
	if (best < 0 && plan->n > ANSWER_MAX_WINDOWS)
		return MEETING_TOO_MANY_WINDOWS;
	return best;
}

static long long clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Merges results (checked JSON texts) until one is left. */
static enum tacit_status reduce(struct runner *r, char **parts, size_t n, struct buf *out)
{
	enum tacit_status st = TACIT_OK;
	int over = 0;
	int *tok = calloc(n, sizeof(*tok));
	if (!tok)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if ((st = overhead_tokens(r, true, &over)) != TACIT_OK)
		goto out;
	int budget = r->info.n_ctx - r->max_tokens - over;
	for (size_t i = 0; i < n && st == TACIT_OK; i++)
		st = tacit_llm_count_tokens(r->llm, parts[i], &tok[i]);
	if (st != TACIT_OK)
		goto out;
	for (int round = 1; n > 1; round++) {
		struct plan p;
		if ((st = plan_windows(tok, n, budget, 0, &p)) != TACIT_OK)
			goto out;
		if (p.n >= n) {
			plan_release(&p);
			st = tacit_fail(TACIT_ERR_CONTEXT_FULL,
					"the context of %d tokens cannot hold two partial results to merge (use a "
					"larger context or lower --max-tokens)",
					r->info.n_ctx);
			goto out;
		}
		tacit_log(TACIT_LOG_INFO, "reduce round %d: %zu partial results into %zu", round, n, p.n);
		for (size_t g = 0; g < p.n && st == TACIT_OK; g++) {
			struct buf body, res;
			buf_init(&body);
			buf_init(&res);
			for (size_t i = p.w[g].first; i <= p.w[g].last; i++)
				buf_addf(&body, "Part %zu: %s\n", i + 1, parts[i]);
			st = call(r, body.data, -1, &res);
			if (st == TACIT_OK)
				st = tacit_llm_count_tokens(r->llm, res.data, &tok[g]);
			for (size_t i = p.w[g].first; i <= p.w[g].last; i++) {
				free(parts[i]);
				parts[i] = NULL;
			}
			parts[g] = buf_detach(&res, NULL);
			buf_release(&body);
		}
		n = p.n;
		plan_release(&p);
		if (st != TACIT_OK)
			goto out;
	}
	buf_adds(out, parts[0]);
out:
	free(tok);
	return st;
}

enum tacit_status tacit_meeting_run(struct tacit_llm *llm, const struct tacit_transcript *t,
				    const struct tacit_meeting_params *params, char **out_json)
{
	return meeting_run(llm, t, params, NULL, out_json, NULL);
}

/* Each segment's prompt line in tokens, in one request to the worker. */
static enum tacit_status count_lines(struct tacit_llm *llm, const struct tacit_transcript *t, int *tok)
{
	struct buf all;
	size_t *off = calloc(t->n ? t->n : 1, sizeof(*off));
	const char **lines = calloc(t->n ? t->n : 1, sizeof(*lines));
	enum tacit_status st = TACIT_OK;
	buf_init(&all);
	if (!off || !lines)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < t->n && st == TACIT_OK; i++) {
		off[i] = all.len;
		transcript_line(t, i, &all);
		buf_add(&all, "", 1);
	}
	if (st == TACIT_OK && all.failed)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < t->n && st == TACIT_OK; i++)
		lines[i] = all.data + off[i];
	if (st == TACIT_OK)
		st = llm_count_tokens_many(llm, lines, t->n, tok);
	buf_release(&all);
	free(lines);
	free(off);
	return st;
}

/* The windows' state files: from states, or params->state_path for a one-pass run. */
static enum tacit_status window_paths(struct runner *r, const struct plan *plan, const struct meeting_states *states)
{
	struct buf body, path;
	enum tacit_status st = TACIT_OK;
	r->paths = calloc(plan->n, sizeof(*r->paths));
	r->use = calloc(plan->n, sizeof(*r->use));
	if (!r->paths || !r->use)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (!states || !states->path) {
		const char *p = r->p->state_path;
		if (plan->n == 1 && p && *p && !(r->paths[0] = strdup(p)))
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		return st;
	}
	buf_init(&body);
	buf_init(&path);
	for (size_t w = 0; w < plan->n && st == TACIT_OK; w++) {
		buf_reset(&body);
		buf_reset(&path);
		for (size_t i = plan->w[w].first; i <= plan->w[w].last; i++)
			transcript_line(r->t, i, &body);
		if (body.failed)
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		else if (states->path(states->user, body.data, &path) && !path.failed)
			r->paths[w] = buf_detach(&path, NULL);
	}
	buf_release(&body);
	buf_release(&path);
	return st;
}

#define MAX_NAMES 32
enum tacit_status meeting_speaker_names(const struct tacit_transcript *t, char ***out, size_t *n_out)
{
	char **names = calloc(MAX_NAMES, sizeof(*names));
	size_t n = 0;
	if (!names)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < t->n && n < MAX_NAMES; i++) {
		const char *sp = t->segs[i].speaker;
		bool seen = !*sp;
		for (size_t j = 0; j < n && !seen; j++)
			seen = !strcmp(names[j], sp);
		if (seen)
			continue;
		if (!(names[n] = strdup(sp))) {
			for (size_t j = 0; j < n; j++)
				free(names[j]);
			free(names);
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		}
		n++;
	}
	*out = names;
	*n_out = n;
	return TACIT_OK;
}

enum tacit_status meeting_run(struct tacit_llm *llm, const struct tacit_transcript *t,
			      const struct tacit_meeting_params *params, const struct meeting_states *states,
			      char **out_json, struct meeting_outcome *outcome)
{
	struct runner r = { 0 };
	struct buf result, body;
	int *tok = NULL;
	char **parts = NULL;
	struct plan plan = { 0 };
	enum tacit_status st = TACIT_OK;
	int focus = -1;
	char **names = NULL;
	size_t n_names = 0;

	if (!llm || !t || !params || !out_json)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_meeting_run: llm, t, params and out_json are required");
	*out_json = NULL;
	if (outcome)
		memset(outcome, 0, sizeof(*outcome));
	if ((unsigned)params->task > TACIT_TASK_SUGGEST)
		return tacit_fail(TACIT_ERR_USAGE, "unknown task %d", (int)params->task);
	if (params->task == TACIT_TASK_ANSWER && (!params->question || !*params->question))
		return tacit_fail(TACIT_ERR_USAGE, "no question given");
	buf_init(&result);
	buf_init(&body);
	buf_init(&r.grammar);
	buf_init(&r.schema);
	r.llm = llm;
	r.p = params;
	r.t = t;
	r.info = tacit_llm_info(llm);
	r.n_segments = t->n;
	r.lang = meeting_output_language(params->task, params->language, t);
	r.lang_code = lang_detect_knows(meeting_language_code(r.lang)) ? meeting_language_code(r.lang) : NULL;
	if (r.lang && (!params->language || !*params->language || !strcmp(params->language, "auto")) && !t->language[0])
		tacit_log(TACIT_LOG_INFO, "the transcript reads as '%s': writing in it", r.lang);
	r.max_tokens = params->max_tokens > 0 ? params->max_tokens : DEFAULT_MAX_TOKENS;
	if (r.max_tokens > r.info.n_ctx / 2)
		r.max_tokens = r.info.n_ctx / 2;

	/* tiny vocabularies spell with bytes: count one byte per token and stay in ASCII so
	 * the longest output the grammar allows is sure to fit max_tokens */
	bool tiny = r.info.n_vocab < 4096;
	struct grammar_limits lim;
	if (params->task == TACIT_TASK_SUMMARY || params->task == TACIT_TASK_NOTES) {
		if ((st = template_find(NULL, params->template_name, &r.tp)) != TACIT_OK)
			goto out;
		if (params->task == TACIT_TASK_SUMMARY && r.tp.exact_owner &&
		    (st = meeting_speaker_names(t, &names, &n_names)) != TACIT_OK)
			goto out;
	}
	size_t who = grammar_who_width((const char *const *)names, n_names, tiny);
	bool fits = params->task == TACIT_TASK_SUMMARY
			    ? grammar_template_limits(&r.tp, who, (size_t)r.max_tokens * (tiny ? 1 : 3), t->n, tiny, &lim)
			    : grammar_limits_for(params->task, (size_t)r.max_tokens * (tiny ? 1 : 3), t->n, tiny, &lim);
	if (!fits) {
		/* the output gets at most half the context: past that, --max-tokens cannot help */
		bool capped = params->max_tokens <= 0 ? DEFAULT_MAX_TOKENS > r.max_tokens : params->max_tokens > r.max_tokens;
		if (!capped)
			st = tacit_fail(TACIT_ERR_USAGE, "%d tokens are too few for a %s (raise --max-tokens)",
					r.max_tokens, task_names[params->task]);
		else if (r.info.n_ctx < r.info.n_ctx_train)
			st = tacit_fail(TACIT_ERR_USAGE,
					"%d tokens are too few for a %s: the output gets at most half of the %d-token "
					"context (raise --ctx, up to the model's %d)",
					r.max_tokens, task_names[params->task], r.info.n_ctx, r.info.n_ctx_train);
		else
			st = tacit_fail(TACIT_ERR_USAGE,
					"%d tokens are too few for a %s: the output gets at most half of the model's "
					"%d-token context (use a model with a larger context)",
					r.max_tokens, task_names[params->task], r.info.n_ctx);
		goto out;
	}
	if (params->task == TACIT_TASK_SUMMARY) {
		grammar_template_build(&r.tp, (const char *const *)names, n_names, &lim, &r.grammar);
		schema_template_build(&r.tp, (const char *const *)names, n_names, &lim, &r.schema);
	} else {
		grammar_build(params->task, &lim, &r.grammar);
		schema_build(params->task, &lim, &r.schema);
	}
	tacit_log(TACIT_LOG_DEBUG, "grammar (%d items, %d chars, worst %zu bytes):\n%s", lim.max_items, lim.max_str,
		  params->task == TACIT_TASK_SUMMARY ? grammar_template_worst_len(&r.tp, who, &lim)
						     : grammar_worst_len(params->task, &lim),
		  r.grammar.data);

	/* The windows depend on the context only, not on the task: the answer's room is at
	 * least the default's and the task's text gets a fixed reserve (see TAIL_RESERVE). */
	int over = 0, head = 0;
	if ((st = overhead_tokens(&r, false, &over)) != TACIT_OK || (st = head_tokens(&r, &head)) != TACIT_OK)
		goto out;
	int reserve = TAIL_RESERVE < r.info.n_ctx / 8 ? TAIL_RESERVE : r.info.n_ctx / 8;
	int tail = over - head > reserve ? over - head : reserve;
	int answer_room = DEFAULT_MAX_TOKENS < r.info.n_ctx / 4 ? DEFAULT_MAX_TOKENS : r.info.n_ctx / 4;
	if (r.max_tokens > answer_room)
		answer_room = r.max_tokens;
	int budget = r.info.n_ctx - answer_room - head - tail;
	tok = calloc(t->n, sizeof(*tok));
	if (!tok) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	long long total = 0;
	if ((st = count_lines(llm, t, tok)) != TACIT_OK)
		goto out;
	for (size_t i = 0; i < t->n; i++)
		total += tok[i];
	if (budget < 1) {
		st = tacit_fail(TACIT_ERR_CONTEXT_FULL,
				"the context of %d tokens leaves no room for the transcript after the instructions and "
				"%d answer tokens (lower --max-tokens)",
				r.info.n_ctx, answer_room);
		goto out;
	}
	if ((st = plan_windows(tok, t->n, budget, budget / 10, &plan)) != TACIT_OK)
		goto out;
	tacit_log(TACIT_LOG_INFO,
		  "plan: %zu segments, %zu words, %lld tokens; context %d = %d instructions + %d answer + %d "
		  "transcript: %s",
		  t->n, t->words, total, r.info.n_ctx, head + tail, answer_room, budget,
		  plan.n == 1 ? "one pass" : "map over windows, then reduce");
	for (size_t w = 0; plan.n > 1 && w < plan.n; w++)
		tacit_log(TACIT_LOG_INFO, "  window %zu: S%zu-S%zu, %d tokens", w + 1, plan.w[w].first + 1,
			  plan.w[w].last + 1, plan.w[w].tokens);
	if ((st = window_paths(&r, &plan, states)) != TACIT_OK)
		goto out;
	if (params->task == TACIT_TASK_ANSWER && plan.n > 1) {
		focus = meeting_answer_focus(&plan, states ? states->relevance : NULL);
		if (focus == MEETING_TOO_MANY_WINDOWS) {
			st = tacit_fail(TACIT_ERR_CONTEXT_FULL,
					"no words of the question occur in this meeting, and reading all %zu parts of it "
					"would take too long for an answer: ask with words said in the meeting, or "
					"read its summary or notes",
					plan.n);
			focus = -1;
			goto out;
		}
		if (focus >= 0)
			tacit_log(TACIT_LOG_INFO, "answering from window %d (S%zu-S%zu): it matches the question best",
				  focus + 1, plan.w[focus].first + 1, plan.w[focus].last + 1);
		else
			tacit_log(TACIT_LOG_INFO, "no segment matches the question's words: reading every window");
	}

	parts = calloc(plan.n, sizeof(*parts));
	if (!parts) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	long long answer_end = clock_ms() + ANSWER_TIME_MS;
	for (size_t w = 0; w < plan.n && st == TACIT_OK; w++) {
		struct buf part;
		if (focus >= 0 && (int)w != focus)
			continue;
		if (params->task == TACIT_TASK_ANSWER && clock_ms() > answer_end) {
			st = tacit_fail(TACIT_ERR_CONTEXT_FULL,
					"answering needs more than %d minutes on this machine: %zu of the meeting's %zu "
					"parts were read; ask with words said in the meeting, or read its summary",
					ANSWER_TIME_MS / 60000, w, plan.n);
			break;
		}
		buf_init(&part);
		buf_reset(&body);
		for (size_t i = plan.w[w].first; i <= plan.w[w].last; i++)
			transcript_line(t, i, &body);
		st = call(&r, body.data, (int)w, &part);
		parts[w] = buf_detach(&part, NULL);
	}
	buf_reset(&body);
	if (st == TACIT_OK && focus >= 0)
		buf_adds(&body, parts[focus]);
	else if (st == TACIT_OK && plan.n > 1)
		st = reduce(&r, parts, plan.n, &body);
	else if (st == TACIT_OK)
		buf_adds(&body, parts[0]);
	if (st == TACIT_OK)
		st = params->task == TACIT_TASK_SUMMARY ? citations_check_template(&r.tp, body.data, t->n, &result, NULL)
							: citations_check(params->task, body.data, t->n, &result, NULL);
	/* owners are the meeting's speakers or "unassigned", whatever the grammar allowed */
	if (st == TACIT_OK && params->task == TACIT_TASK_SUMMARY && r.tp.exact_owner) {
		int fixed = 0;
		buf_reset(&body);
		st = owners_check(result.data, (const char *const *)names, n_names, &body, &fixed);
		buf_reset(&result);
		if (st == TACIT_OK && fixed)
			tacit_log(TACIT_LOG_INFO, "%d owner%s not among the meeting's speakers became \"unassigned\"", fixed,
				  fixed == 1 ? "" : "s");
		if (st == TACIT_OK && !buf_add(&result, body.data, body.len))
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	if (st == TACIT_OK)
		*out_json = buf_detach(&result, NULL);
out:
	for (size_t w = 0; r.use && w < plan.n; w++) {
		if (outcome) {
			outcome->states_loaded += r.use[w] == TACIT_STATE_LOADED;
			outcome->states_saved += r.use[w] == TACIT_STATE_SAVED;
		}
		if (states && states->report && r.paths && r.paths[w])
			states->report(states->user, r.paths[w], r.use[w]);
	}
	if (outcome) {
		outcome->last = r.last;
		outcome->n_windows = (int)plan.n;
		outcome->answer_window = focus + 1;
		outcome->n_calls = r.n_calls;
		outcome->n_lang_retries = r.n_lang_retries;
		outcome->language = r.lang_code ? r.lang_code : NULL;
	}
	for (size_t w = 0; r.paths && w < plan.n; w++)
		free(r.paths[w]);
	free(r.paths);
	free(r.use);
	for (size_t w = 0; parts && w < plan.n; w++)
		free(parts[w]);
	free(parts);
	plan_release(&plan);
	free(tok);
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	buf_release(&r.grammar);
	buf_release(&r.schema);
	buf_release(&body);
	buf_release(&result);
	return st;
}

/* ---- Markdown --------------------------------------------------------------------- */

static void md_cites(yyjson_val *item, const struct tacit_transcript *t, struct buf *out)
{
	yyjson_val *arr = yyjson_obj_get(item, "cites"), *v;
	size_t i, max;
	bool first = true;
	if (!yyjson_arr_size(arr))
		return;
	buf_adds(out, " [");
	yyjson_arr_foreach(arr, i, max, v)
	{
		long long n = yyjson_get_sint(v);
		char tm[32];
		buf_addf(out, "%sS%lld", first ? "" : ", ", n);
		if (t && n >= 1 && (size_t)n <= t->n && t->segs[n - 1].start_ms >= 0)
			buf_addf(out, " %s", format_time(t->segs[n - 1].start_ms, tm, sizeof(tm)));
		first = false;
	}
	buf_adds(out, "]");
}

static void md_points(yyjson_val *root, const char *key, const char *heading, const struct tacit_transcript *t,
		      struct buf *out)
{
	yyjson_val *arr = yyjson_obj_get(root, key), *item;
	size_t i, max;
	if (!yyjson_arr_size(arr))
		return;
	if (heading)
		buf_addf(out, "\n## %s\n\n", heading);
	yyjson_arr_foreach(arr, i, max, item)
	{
		const char *text = yyjson_get_str(yyjson_obj_get(item, "text"));
		buf_addf(out, "- %s", text ? text : "");
		md_cites(item, t, out);
		buf_adds(out, "\n");
	}
}

static void md_actions(yyjson_val *arr, const struct tacit_transcript *t, struct buf *out)
{
	yyjson_val *item;
	size_t i, max;
	yyjson_arr_foreach(arr, i, max, item)
	{
		const char *owner = yyjson_get_str(yyjson_obj_get(item, "owner"));
		const char *what = yyjson_get_str(yyjson_obj_get(item, "task"));
		const char *due = yyjson_get_str(yyjson_obj_get(item, "due"));
		buf_addf(out, "- [ ] %s%s%s", owner && *owner ? owner : "", owner && *owner ? ": " : "", what ? what : "");
		if (due && *due)
			buf_addf(out, " (due %s)", due);
		md_cites(item, t, out);
		buf_adds(out, "\n");
	}
}

/* Items grouped by speaker, in order of each speaker's first item. */
static void md_speakers(yyjson_val *arr, const struct tacit_transcript *t, struct buf *out)
{
	yyjson_val *item, *other;
	size_t i, max, j, jmax;
	yyjson_arr_foreach(arr, i, max, item)
	{
		const char *who = yyjson_get_str(yyjson_obj_get(item, "speaker"));
		bool first = true;
		who = who ? who : "";
		yyjson_arr_foreach(arr, j, jmax, other)
		{
			const char *w = yyjson_get_str(yyjson_obj_get(other, "speaker"));
			if (j < i && !strcmp(w ? w : "", who))
				first = false;
		}
		if (!first)
			continue;
		buf_addf(out, "**%s**\n\n", *who ? who : "unassigned");
		yyjson_arr_foreach(arr, j, jmax, other)
		{
			const char *w = yyjson_get_str(yyjson_obj_get(other, "speaker"));
			const char *text = yyjson_get_str(yyjson_obj_get(other, "text"));
			if (strcmp(w ? w : "", who))
				continue;
			buf_addf(out, "- %s", text ? text : "");
			md_cites(other, t, out);
			buf_adds(out, "\n");
		}
		buf_adds(out, "\n");
	}
	if (out->len >= 2 && out->data[out->len - 1] == '\n' && out->data[out->len - 2] == '\n')
		out->data[--out->len] = '\0';
}

/* A summary shaped by a template other than "general": the sections in the template's
 * order with its headings; when the template is gone (a custom file removed), the JSON's
 * own keys in their order, each by its shape. */
static void md_template(yyjson_val *root, const char *name, const struct tacit_transcript *t, struct buf *out)
{
	struct template tp;
	bool known = template_find(NULL, name, &tp) == TACIT_OK;
	const char *title = yyjson_get_str(yyjson_obj_get(root, "title"));
	yyjson_obj_iter it;
	yyjson_val *key;
	buf_addf(out, "# %s\n", title && *title ? title : "Meeting summary");
	if (!known) {
		tp.n = 0;
		yyjson_obj_iter_init(root, &it);
		while ((key = yyjson_obj_iter_next(&it)) && tp.n < TEMPLATE_MAX_SECTIONS) {
			const char *k = yyjson_get_str(key);
			yyjson_val *v = yyjson_obj_iter_get_val(key);
			yyjson_val *first = yyjson_arr_get_first(v);
			struct template_section *sec = &tp.s[tp.n];
			if (!strcmp(k, "title") || !strcmp(k, "template") || !strcmp(k, "dropped") || strlen(k) > TEMPLATE_KEY_MAX)
				continue;
			snprintf(sec->key, sizeof(sec->key), "%s", k);
			snprintf(sec->heading, sizeof(sec->heading), "%s", k);
			for (char *c = sec->heading; *c; c++)
				*c = *c == '_' ? ' ' : *c;
			if (sec->heading[0] >= 'a' && sec->heading[0] <= 'z')
				sec->heading[0] = (char)(sec->heading[0] - 'a' + 'A');
			sec->kind = yyjson_is_str(v)			     ? TEMPLATE_TEXT
				    : yyjson_obj_get(first, "task")	     ? TEMPLATE_ACTIONS
				    : yyjson_obj_get(first, "speaker")	     ? TEMPLATE_SPEAKERS
									     : TEMPLATE_LIST;
			tp.n++;
		}
	}
	for (size_t i = 0; i < tp.n; i++) {
		const struct template_section *sec = &tp.s[i];
		yyjson_val *v = yyjson_obj_get(root, sec->key);
		if (sec->kind == TEMPLATE_TEXT) {
			const char *text = yyjson_get_str(v);
			if (!text || !*text)
				continue;
			if (sec->heading[0])
				buf_addf(out, "\n## %s\n", sec->heading);
			buf_addf(out, "\n%s\n", text);
			continue;
		}
		if (!yyjson_arr_size(v))
			continue;
		buf_addf(out, "\n## %s\n\n", sec->heading[0] ? sec->heading : sec->key);
		if (sec->kind == TEMPLATE_ACTIONS)
			md_actions(v, t, out);
		else if (sec->kind == TEMPLATE_SPEAKERS)
			md_speakers(v, t, out);
		else
			md_points(root, sec->key, NULL, t, out);
	}
}

char *tacit_meeting_markdown(enum tacit_task task, const char *json, const struct tacit_transcript *t)
{
	yyjson_doc *doc = json ? yyjson_read(json, strlen(json), 0) : NULL;
	yyjson_val *root = yyjson_doc_get_root(doc), *arr, *item;
	size_t i, max;
	struct buf out;
	if (!yyjson_is_obj(root)) {
		yyjson_doc_free(doc);
		return NULL;
	}
	buf_init(&out);
	const char *tname = yyjson_get_str(yyjson_obj_get(root, "template"));
	if (task == TACIT_TASK_SUMMARY && tname && strcmp(tname, "general")) {
		md_template(root, tname, t, &out);
		goto done;
	}
	switch (task) {
	case TACIT_TASK_SUMMARY: {
		const char *title = yyjson_get_str(yyjson_obj_get(root, "title"));
		const char *overview = yyjson_get_str(yyjson_obj_get(root, "overview"));
		buf_addf(&out, "# %s\n\n%s\n", title && *title ? title : "Meeting summary", overview ? overview : "");
		md_points(root, "key_points", "Key points", t, &out);
		md_points(root, "decisions", "Decisions", t, &out);
		arr = yyjson_obj_get(root, "action_items");
		if (yyjson_arr_size(arr))
			buf_adds(&out, "\n## Action items\n\n");
		yyjson_arr_foreach(arr, i, max, item)
		{
			const char *owner = yyjson_get_str(yyjson_obj_get(item, "owner"));
			const char *what = yyjson_get_str(yyjson_obj_get(item, "task"));
			const char *due = yyjson_get_str(yyjson_obj_get(item, "due"));
			buf_addf(&out, "- [ ] %s%s%s", owner && *owner ? owner : "", owner && *owner ? ": " : "",
				 what ? what : "");
			if (due && *due)
				buf_addf(&out, " (due %s)", due);
			md_cites(item, t, &out);
			buf_adds(&out, "\n");
		}
		md_points(root, "open_questions", "Open questions", t, &out);
		break;
	}
	case TACIT_TASK_NOTES:
		arr = yyjson_obj_get(root, "sections");
		yyjson_arr_foreach(arr, i, max, item)
		{
			const char *topic = yyjson_get_str(yyjson_obj_get(item, "topic"));
			long long s = yyjson_get_sint(yyjson_obj_get(item, "start"));
			long long e = yyjson_get_sint(yyjson_obj_get(item, "end"));
			buf_addf(&out, "%s## %s (S%lld-S%lld)\n\n", i ? "\n" : "", topic && *topic ? topic : "Notes", s, e);
			md_points(item, "bullets", NULL, t, &out);
		}
		break;
	case TACIT_TASK_ANSWER: {
		const char *answer = yyjson_get_str(yyjson_obj_get(root, "answer"));
		buf_addf(&out, "%s", answer ? answer : "");
		md_cites(root, t, &out);
		buf_adds(&out, "\n");
		if (!yyjson_get_bool(yyjson_obj_get(root, "grounded")))
			buf_adds(&out, "\n(This answer cites no part of the meeting: check it.)\n");
		break;
	}
	case TACIT_TASK_SUGGEST:
		arr = yyjson_obj_get(root, "suggestions");
		yyjson_arr_foreach(arr, i, max, item)
		{
			const char *kind = yyjson_get_str(yyjson_obj_get(item, "kind"));
			const char *text = yyjson_get_str(yyjson_obj_get(item, "text"));
			buf_addf(&out, "- **%s**: %s", kind ? kind : "idea", text ? text : "");
			md_cites(item, t, &out);
			buf_adds(&out, "\n");
		}
		break;
	}
done:;
	long long dropped = yyjson_get_sint(yyjson_obj_get(root, "dropped"));
	if (dropped > 0)
		buf_addf(&out, "\n(%lld item%s dropped: %s cited no segment of the transcript.)\n", dropped,
			 dropped == 1 ? "" : "s", dropped == 1 ? "it" : "they");
	yyjson_doc_free(doc);
	if (out.failed) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}
