/*
 * live_analysis.c — the analysis thread: it owns the language model and takes its jobs
 * from the queue (questions first, then new segments, the stop, suggestions, warming the
 * cache, idle folds). The prompt starts with the current window's transcript, which only
 * grows until the window is folded into the rolling state; the rolling state in the
 * store always covers segments [1, next_segment).
 */
#include "internal.h"

#include "citations.h"
#include "engine.h"
#include "export_folder.h"
#include "live_int.h"
#include "meeting.h"
#include "store.h"
#include "llm_client.h"
#include "schema.h"

#define DEFAULT_N_CTX 8192
#define MAX_WINDOW_TOKENS 6144
#define ASK_RESERVE_TOKENS 768
/* An idle meeting whose window holds more than IDLE_FOLD_TOKENS folds all but its last
 * IDLE_KEEP_TOKENS (kept verbatim for questions), so a stop finds a short window. */
#define IDLE_FOLD_TOKENS 2048
#define IDLE_KEEP_TOKENS 1024
/* At a stop, a fold before the final one joins its part's overview to the meeting's up to
 * this length, for the final call to rewrite (so the prompt stays bounded). */
#define STOP_OVERVIEW_BYTES 1200

/* Whether a stop has begun (the analysis thread reads it in the middle of a job). */
static bool stopping_now(struct tacit_live *l)
{
	pthread_mutex_lock(&l->q_mu);
	bool stopping = l->stopping;
	pthread_mutex_unlock(&l->q_mu);
	return stopping;
}

/* A model call came back cancelled: true when the stop cancelled it (begin_stop_locked())
 * and the job goes on without it; the flag is cleared for the calls that follow. False
 * for an abort or a close, which end the job. */
static bool cancelled_by_stop(struct tacit_live *l)
{
	pthread_mutex_lock(&l->q_mu);
	bool go_on = l->stopping && !l->quit && !aborted(l);
	if (go_on)
		__atomic_store_n(&l->job_cancel, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&l->q_mu);
	if (go_on)
		tacit_clear_error();
	return go_on;
}

/* The analysis thread's copy of a segment: appended to the transcript and counted. */
enum tacit_status live_add_to_transcript(struct tacit_live *l, const struct pending *p)
{
	if (l->t.n == l->t.alloc) {
		size_t na = l->t.alloc ? l->t.alloc * 2 : 256;
		struct segment *s = realloc(l->t.segs, na * sizeof(*s));
		int *tok = realloc(l->tok, na * sizeof(*tok));
		if (s)
			l->t.segs = s;
		if (tok)
			l->tok = tok;
		if (!s || !tok)
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		l->t.alloc = na;
	}
	char *text = strdup(p->text), *speaker = strdup(p->speaker);
	if (!text || !speaker) {
		free(text);
		free(speaker);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	for (char *c = text; *c; c++) /* one segment is one prompt line */
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	l->t.segs[l->t.n] = (struct segment){ p->start_ms, p->end_ms, speaker, text, 0 };
	l->tok[l->t.n] = 0;
	l->t.n++;
	return TACIT_OK;
}

static enum tacit_status count_segment(struct tacit_live *l, size_t i)
{
	struct buf line;
	buf_init(&line);
	transcript_line(&l->t, i, &line);
	enum tacit_status st = tacit_llm_count_tokens(l->llm, line.data, &l->tok[i]);
	buf_release(&line);
	return st;
}

static enum tacit_status roll_store(struct tacit_live *l)
{
	char *json = live_roll_json(l->roll);
	if (!json)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	struct tacit_artifact art = { "rolling_summary", json, NULL, l->model_name, PROMPT_VERSION, 0, NULL };
	enum tacit_status st = tacit_store_add_artifact(l->llm_store, l->session_id, &art, NULL);
	struct tacit_live_event ev = { .type = TACIT_LIVE_SUMMARY, .json = json, .text = live_roll_overview(l->roll) };
	if (st == TACIT_OK)
		live_emit(l, &ev);
	free(json);
	return st;
}

/* Whether an answer reads clearly as another language than lang's (the check of the
 * language asked, meeting_answer_language()); said in the log. */
static bool wrong_language(const char *json, const char *lang, const char *what)
{
	const char *code = meeting_language_code(lang);
	int hits = 0;
	const char *got = code ? meeting_answer_language(json, &hits) : NULL;
	if (!got || !strcmp(got, code))
		return false;
	tacit_log(TACIT_LOG_WARN, "live: the model wrote the %s in '%s' (%d common words), not in '%s': asking again, more firmly",
		  what, got, hits, code);
	return true;
}

/* The whole meeting's title and overview rewritten by the model from the previous ones
 * and the window's; *out_title and *out_overview: caller frees. lang: the language the
 * summary is told to be written in (NULL: none is told); an answer in another one is
 * asked again once, firmly, as the window's summary is (again_in_language()). */
static enum tacit_status fold_overview(struct tacit_live *l, const char *title, const char *overview, const char *lang,
				       char **out_title, char **out_overview)
{
	struct buf user, g, schema;
	char *text = NULL;
	buf_init(&user);
	buf_init(&g);
	buf_init(&schema);
	buf_addf(&user,
		 "Summary of the meeting so far:\nTitle: %s\nOverview: %s\n\nSummary of its latest part:\nTitle: %s\n"
		 "Overview: %s\n\nWrite the title and a short overview of the whole meeting so far.",
		 live_roll_title(l->roll), live_roll_overview(l->roll), title, overview);
	size_t asked_at = user.len; /* the prompt before its language line */
	if (lang)
		meeting_language_line(TACIT_TASK_SUMMARY, lang, false, &user);
	size_t bytes = (size_t)l->max_tokens * (l->tiny ? 1 : 3);
	int max_str = bytes > 60 ? (int)((bytes - 40) / 2) : 10;
	if (max_str > 400)
		max_str = 400;
	/* a title is one line wherever it shows, and every later prompt's preface carries it */
	int max_title = max_str < LIVE_TITLE_MAX_CHARS ? max_str : LIVE_TITLE_MAX_CHARS;
	buf_addf(&g,
		 "root ::= \"{\\\"title\\\":\" title \",\\\"overview\\\":\" str \"}\"\n"
		 "title ::= \"\\\"\" chr{0,%d} \"\\\"\"\nstr ::= \"\\\"\" chr{0,%d} \"\\\"\"\n",
		 max_title, max_str);
	buf_adds(&g, l->tiny ? GRAMMAR_CHR_ASCII : GRAMMAR_CHR_UTF8);
	buf_adds(&schema, "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{},\"required\":[]}");
	schema_add_first_string(&schema, "overview", max_str);
	schema_add_first_string(&schema, "title", max_title);
	enum tacit_status st = schema.failed ? tacit_fail(TACIT_ERR_NOMEM, "out of memory")
					     : live_generate(l, user.data, g.data, schema.data, l->max_tokens, NULL, NULL,
							     &text, "fold");
	if (st == TACIT_OK && lang && wrong_language(text, lang, "overview")) {
		struct buf firm;
		char *again = NULL;
		buf_init(&firm);
		buf_add(&firm, user.data, asked_at);
		meeting_language_line(TACIT_TASK_SUMMARY, lang, true, &firm);
		enum tacit_status st2 = firm.failed ? tacit_fail(TACIT_ERR_NOMEM, "out of memory")
						    : live_generate(l, firm.data, g.data, schema.data, l->max_tokens,
								    NULL, NULL, &again, "fold");
		buf_release(&firm);
		if (st2 == TACIT_OK) {
			tacit_free(text);
			text = again;
		} else if (st2 == TACIT_ERR_CANCELLED) {
			st = st2;
		} else { /* the first answer stands, as a window's does */
			tacit_log(TACIT_LOG_WARN, "live: asking for the overview again failed (%s): keeping the first answer",
				  tacit_errmsg());
		}
	}
	if (st == TACIT_OK) {
		yyjson_doc *doc = yyjson_read(text, strlen(text), 0);
		const char *t = yyjson_get_str(yyjson_obj_get(yyjson_doc_get_root(doc), "title"));
		const char *o = yyjson_get_str(yyjson_obj_get(yyjson_doc_get_root(doc), "overview"));
		if (!t || !o)
			st = tacit_fail(TACIT_ERR_LLM, "the model's overview is not the expected JSON");
		else if (!(*out_title = strdup(t)) || !(*out_overview = strdup(o)))
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		yyjson_doc_free(doc);
	}
	tacit_free(text);
	buf_release(&schema);
	buf_release(&g);
	buf_release(&user);
	return st;
}

/* A window's summary clearly in another language than the one asked is asked once more,
 * with the stronger instruction (prompt's first asked_at bytes, then that line); a
 * failure of that call keeps the first answer, as tacit_meeting_run() does. */
static enum tacit_status again_in_language(struct tacit_live *l, bool merged, const char *prompt, size_t asked_at,
					   const char *lang, const struct cite_map *map, struct buf *part)
{
	if (!wrong_language(part->data, lang, "summary"))
		return TACIT_OK;
	struct buf user, again;
	buf_init(&user);
	buf_init(&again);
	buf_add(&user, prompt, asked_at);
	meeting_language_line(TACIT_TASK_SUMMARY, lang, true, &user);
	enum tacit_status st = live_task_call(l, TACIT_TASK_SUMMARY, merged, user.data, map, NULL, NULL, &again,
					      merged ? "final" : "map");
	if (st == TACIT_OK) {
		buf_reset(part);
		buf_add(part, again.data, again.len);
	} else if (st != TACIT_ERR_CANCELLED) {
		tacit_log(TACIT_LOG_WARN, "live: asking again in '%s' failed (%s): keeping the first answer", lang,
			  tacit_errmsg());
		st = TACIT_OK;
	}
	buf_release(&again);
	buf_release(&user);
	return st;
}

/* Map the window [win_first, end) and fold it into the rolling state. The window moves
 * on even when the model fails (a warning says so): the meeting must go on. Its prompt
 * starts with the window's transcript, which the model's cache holds (warm()), so only
 * the instructions are read. last (the stop): when earlier parts were folded, one call
 * both summarizes the last part and rewrites the whole meeting's title and overview from
 * the earlier ones, instead of a map and a separate fold_overview() call whose prompt
 * shares nothing with the cache. The model calls happen here; the state's update is
 * live_roll_fold(), a pure function. */
static enum tacit_status fold_window(struct tacit_live *l, size_t end, bool last)
{
	size_t first = l->win_first;
	struct buf user, part;
	enum tacit_status st;
	yyjson_doc *doc = NULL;
	const char *title = NULL, *overview = NULL;
	char *fold_title = NULL, *fold_overview_text = NULL;
	bool merged = last && !live_roll_is_empty(l->roll);
	if (end <= first)
		return TACIT_OK;
	buf_init(&user);
	buf_init(&part);
	live_window_body(l, first, end, &user);
	bool general = !strcmp(l->tp.name, "general");
	if (merged)
		buf_adds(&user, /* the earlier parts' summary is the prompt's preface (live_roll_preface()) */
			 "\nThe meeting ends here; the summary of its earlier part is above its transcript. ");
	if (merged && general)
		buf_adds(&user, "Give this last part a short topic (\"part\"); summarize it: the key points, "
				"decisions, action items (owner, task, due date or \"\") and open questions; and write the "
				"title and a short overview of the whole meeting.");
	else if (general)
		buf_adds(&user, "\nSummarize this part of the meeting: a title, a short overview, the key points, "
				"decisions, action items (owner, task, due date or \"\") and open questions.");
	else { /* the template's own instruction, for this part */
		buf_adds(&user, merged ? "Give this last part a short topic (\"part\"). For this last part: "
				       : "\nThis is one part of the meeting. ");
		template_instructions(&l->tp, &user);
		if (merged)
			buf_adds(&user, " The title and the overview are those of the whole meeting.");
	}
	/* the language asked for, else the meeting's: one whose words read as French,
	 * Spanish or German is summarized in that language (English ones keep the prompt
	 * they always had) */
	const char *lang = meeting_output_language(TACIT_TASK_SUMMARY, l->out_lang, &l->t);
	bool told = lang && (l->out_lang[0] || strcmp(lang, "en"));
	size_t asked_at = user.len; /* the prompt before its language line */
	if (told)
		meeting_language_line(TACIT_TASK_SUMMARY, lang, false, &user);
	if (!l->lang_told) {
		tacit_log(TACIT_LOG_INFO, "live: summarizing in '%s' (%s) with the template '%s'", lang ? lang : "?",
			  l->out_lang[0] ? "asked" : "the meeting's", l->tp.name);
		l->lang_told = true;
	}
	struct cite_map map = { first, end - first, NULL, 0 };
	st = live_task_call(l, TACIT_TASK_SUMMARY, merged, user.data, &map, NULL, NULL, &part, merged ? "final" : "map");
	if (st == TACIT_OK && told)
		st = again_in_language(l, merged, user.data, asked_at, lang, &map, &part);
	if (st == TACIT_OK) {
		doc = yyjson_read(part.data, part.len, 0);
		yyjson_val *r = yyjson_doc_get_root(doc);
		title = yyjson_get_str(yyjson_obj_get(r, "title"));
		overview = yyjson_get_str(yyjson_obj_get(r, "overview"));
		if (!merged) {
			title = title ? title : "";
			overview = overview ? overview : "";
		}
		if (!merged && !live_roll_is_empty(l->roll) && stopping_now(l)) {
			/* the stop's final call rewrites the whole meeting's title and overview from
			 * these: a call of its own now would only delay it */
			const char *prev = live_roll_overview(l->roll);
			bool fits = strlen(prev) + strlen(overview) < STOP_OVERVIEW_BYTES;
			title = live_roll_title(l->roll);
			struct buf joined;
			buf_init(&joined);
			buf_adds(&joined, prev);
			if (fits)
				buf_addf(&joined, " %s", overview);
			fold_overview_text = buf_detach(&joined, NULL);
			if (!fold_overview_text)
				st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			overview = fold_overview_text;
		} else if (!merged && !live_roll_is_empty(l->roll)) { /* the first window's own stand as they are */
			st = fold_overview(l, title, overview, told ? lang : NULL, &fold_title, &fold_overview_text);
			title = fold_title;
			overview = fold_overview_text;
		}
	}
	if (st != TACIT_OK && st != TACIT_ERR_CANCELLED)
		live_emit_text(l, TACIT_LIVE_WARNING, "the summary of segments %zu-%zu failed: %s", first + 1, end,
			       tacit_errmsg());
	if (st != TACIT_ERR_CANCELLED) {
		double t_fold = clock_now_s();
		struct live_roll *next = st == TACIT_OK ? live_roll_fold(l->roll, part.data, part.len, title, overview, first, end)
							: live_roll_fold(l->roll, NULL, 0, NULL, NULL, first, end);
		if (!next) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		live_roll_free(l->roll);
		l->roll = next;
		if (l->stop_phase) {
			l->stop_folds++;
			l->ph.catch_up_folds += !last;
		}
		l->win_first = end;
		l->win_tokens = 0;
		for (size_t i = end; i < l->t.n; i++)
			l->win_tokens += l->tok[i];
		l->warm_upto = end;
		double t_store = clock_now_s();
		enum tacit_status st2 = roll_store(l);
		if (l->stop_phase) {
			l->ph.fold_ms += (t_store - t_fold) * 1000.0;
			l->ph.store_ms += (clock_now_s() - t_store) * 1000.0;
		}
		if (st == TACIT_OK)
			st = st2;
	}
out:
	free(fold_title);
	free(fold_overview_text);
	yyjson_doc_free(doc);
	buf_release(&part);
	buf_release(&user);
	return st;
}

/* Puts the window's transcript into the model's cache: a one-token call on the prompt
 * every later task starts with. */
static void warm(struct tacit_live *l)
{
	if (l->warm_upto >= l->t.n || l->win_first >= l->t.n)
		return;
	struct buf user;
	char *text = NULL;
	buf_init(&user);
	live_window_body(l, l->win_first, l->t.n, &user);
	enum tacit_status st = live_generate(l, user.data, NULL, NULL, 1, NULL, NULL, &text, "prefill");
	if (st != TACIT_ERR_CANCELLED) /* a failure is told once, not tried again at once: the
					 * next segment tries (a server that refuses made a storm) */
		l->warm_upto = l->t.n;
	if (st != TACIT_OK && st != TACIT_ERR_CANCELLED)
		live_emit_text(l, TACIT_LIVE_WARNING, "cannot read the transcript into the model: %s", tacit_errmsg());
	tacit_free(text);
	buf_release(&user);
}

static enum tacit_status ingest(struct tacit_live *l, struct pending *p, size_t n)
{
	enum tacit_status st = TACIT_OK;
	for (size_t k = 0; k < n && st == TACIT_OK; k++) {
		if (aborted(l)) /* the store has every segment: a resume reads them again */
			return tacit_fail(TACIT_ERR_CANCELLED, "the meeting was aborted");
		if ((st = live_add_to_transcript(l, &p[k])) != TACIT_OK)
			break;
		size_t i = l->t.n - 1;
		if ((st = count_segment(l, i)) != TACIT_OK)
			break;
		/* at a stop the final call folds the window (finalize() first folds what is
		 * beyond the budget) */
		if (l->win_tokens + l->tok[i] > l->budget && i > l->win_first && !stopping_now(l)) {
			st = fold_window(l, i, false);
			if (st == TACIT_ERR_CANCELLED && cancelled_by_stop(l))
				st = TACIT_OK; /* the window is left to the stop */
			else if (st != TACIT_ERR_CANCELLED && st != TACIT_ERR_WORKER)
				st = TACIT_OK; /* told as a warning; go on */
		}
		l->win_tokens += l->tok[i];
	}
	return st;
}

/* Where an idle fold cuts the window: the start of its last IDLE_KEEP_TOKENS, or 0
 * when the window is not worth folding yet (or warm() has not read it all). */
static size_t idle_fold_end(const struct tacit_live *l)
{
	if (l->budget <= IDLE_FOLD_TOKENS || l->win_tokens <= IDLE_FOLD_TOKENS || l->warm_upto < l->t.n)
		return 0;
	size_t k = l->t.n;
	int kept = 0;
	while (k > l->win_first + 1 && kept + l->tok[k - 1] <= IDLE_KEEP_TOKENS)
		kept += l->tok[--k];
	return k > l->win_first ? k : 0;
}

static enum tacit_status store_task(struct tacit_live *l, enum tacit_task task, const char *kind, const char *json,
				    struct buf *checked)
{
	bool general = !strcmp(l->tp.name, "general");
	enum tacit_status st = task == TACIT_TASK_SUMMARY ? citations_check_template(&l->tp, json, l->t.n, checked, NULL)
							  : citations_check(task, json, l->t.n, checked, NULL);
	if (st != TACIT_OK)
		return st;
	char *md = tacit_meeting_markdown(task, checked->data, &l->t);
	/* the template made both: regenerating with another one keeps these */
	struct tacit_artifact art = { kind, checked->data, md, l->model_name, PROMPT_VERSION, 0,
				      task == TACIT_TASK_SUMMARY || !general ? l->tp.name : NULL };
	st = tacit_store_add_artifact(l->llm_store, l->session_id, &art, NULL);
	free(md);
	return st;
}

/* The stop's status before its last fold, with how long that should take: about as long
 * as this meeting's window summaries took on average (the same model, machine and window
 * size; the cache holds the window). None before the first window summary: a meeting
 * shorter than a window has nothing to go on. The page counts the estimate down. */
static void finishing_status(struct tacit_live *l)
{
	char json[64];
	struct tacit_live_event ev = { .type = TACIT_LIVE_STATUS };
	char text[160];
	int n = snprintf(text, sizeof(text), "finishing: summarizing segments %zu-%zu", l->win_first + 1, l->t.n);
	if (l->map_calls > 0) {
		l->ph.estimate_ms = l->map_ms / l->map_calls;
		snprintf(text + n, sizeof(text) - (size_t)n, ", about %.0f s", l->ph.estimate_ms / 1000.0);
		snprintf(json, sizeof(json), "{\"estimate_ms\":%.0f}", l->ph.estimate_ms);
		ev.json = json;
	}
	tacit_log(TACIT_LOG_INFO, "%s", text);
	ev.text = text;
	live_emit(l, &ev);
}

/* Stop: the last window, one fold, the summary and notes from the rolling state. */
static enum tacit_status finalize(struct tacit_live *l)
{
	enum tacit_status st = TACIT_OK;
	struct buf summary, notes;
	buf_init(&summary);
	buf_init(&notes);
	double t;
	if (aborted(l)) {
		st = tacit_fail(TACIT_ERR_CANCELLED, "the meeting was aborted");
		goto out;
	}
	l->ph.catch_up_ms = (clock_now_s() - l->ph.t_loop) * 1000.0 - l->ph.call_ms;
	/* analysis fell behind (segments came faster than it folded them, or the stop
	 * cancelled a fold): what is beyond one window is folded first, a window at a time */
	while (st == TACIT_OK && l->win_tokens > l->budget && !aborted(l)) {
		size_t cut = l->win_first + 1;
		int kept = l->tok[l->win_first];
		while (cut < l->t.n && kept + l->tok[cut] <= l->budget)
			kept += l->tok[cut++];
		double t_fold = clock_now_s(), counted = l->ph.call_ms + l->ph.fold_ms + l->ph.store_ms;
		st = fold_window(l, cut, false);
		l->ph.catch_up_ms += (clock_now_s() - t_fold) * 1000.0 - (l->ph.call_ms + l->ph.fold_ms + l->ph.store_ms - counted);
		if (st != TACIT_ERR_CANCELLED && st != TACIT_ERR_WORKER)
			st = TACIT_OK; /* told as a warning: the window moved on */
	}
	if (st == TACIT_OK && l->win_first < l->t.n) {
		finishing_status(l);
		/* transcription has finished: the model may have every core */
		if (l->p.llm_threads <= 0 && l->sys.n_cores_usable > 1)
			llm_set_threads(l->llm, l->sys.n_cores_usable);
		double t_final = clock_now_s();
		st = fold_window(l, l->t.n, true);
		l->ph.final_ms = (clock_now_s() - t_final) * 1000.0;
		/* a server's failure or an answer outside the task's schema: no summary is
		 * made over it (the local model, held to its grammar, goes on as before); the
		 * meeting stays unfinished, its transcript stored, for 'tacit summarize' */
		if (st != TACIT_OK && tacit_engine_is_remote(&l->engine))
			goto out;
	}
	if (st == TACIT_ERR_CANCELLED || st == TACIT_ERR_WORKER)
		goto out;
	st = TACIT_OK;
	if (l->t.n > 0) {
		char *sj = NULL, *nj = NULL;
		t = clock_now_s();
		st = live_roll_final_json(l->roll, &sj, &nj);
		l->ph.fold_ms += (clock_now_s() - t) * 1000.0;
		t = clock_now_s();
		if (st == TACIT_OK)
			st = store_task(l, TACIT_TASK_SUMMARY, "summary", sj, &summary);
		if (st == TACIT_OK)
			st = store_task(l, TACIT_TASK_NOTES, "notes", nj, &notes);
		l->ph.store_ms += (clock_now_s() - t) * 1000.0;
		free(sj);
		free(nj);
	}
	if (st == TACIT_OK && aborted(l)) /* the last moment the meeting can stay unfinished */
		st = tacit_fail(TACIT_ERR_CANCELLED, "the meeting was aborted");
	t = clock_now_s();
	if (st == TACIT_OK)
		st = tacit_store_session_end(l->llm_store, l->session_id, 0);
	if (st == TACIT_OK)
		export_folder_after(l->llm_store, l->session_id);
	l->ph.store_ms += (clock_now_s() - t) * 1000.0;
out:
	if (st != TACIT_OK)
		snprintf(l->stop_msg, sizeof(l->stop_msg), "%s", tacit_errmsg());
	if (st == TACIT_OK) {
		struct buf ev_json;
		double stop_ms = (clock_now_s() - l->stop_t0) * 1000.0;
		buf_init(&ev_json);
		buf_addf(&ev_json,
			 "{\"session\":%lld,\"segments\":%zu,\"windows\":%llu,\"stop_ms\":%.0f,\"stop_read_tokens\":%lld,"
			 "\"stop_generated_tokens\":%lld,\"stop_model_calls\":%d,\"stop_folds\":%d,\"phases\":",
			 (long long)l->session_id, l->t.n, (unsigned long long)live_roll_windows(l->roll), stop_ms,
			 l->stop_read, l->stop_generated, l->stop_calls, l->stop_folds);
		live_phases_json(l, stop_ms, &ev_json);
		buf_addf(&ev_json, ",\"summary\":%s,\"notes\":%s}", summary.len ? summary.data : "null",
			 notes.len ? notes.data : "null");
		char *md = summary.len ? tacit_meeting_markdown(TACIT_TASK_SUMMARY, summary.data, &l->t) : NULL;
		struct tacit_live_event ev = { .type = TACIT_LIVE_STOPPED, .json = ev_json.data, .text = md };
		live_emit(l, &ev);
		free(md);
		buf_release(&ev_json);
		l->stop_summary = summary.len ? buf_detach(&summary, NULL) : NULL;
	}
	buf_release(&summary);
	buf_release(&notes);
	return st;
}

/* ---- the analysis thread ------------------------------------------------------------ */

static void set_job(struct tacit_live *l, enum job j)
{
	l->job = j;
	__atomic_store_n(&l->job_cancel, aborted(l), __ATOMIC_SEQ_CST); /* an abort outlasts jobs */
}

void *live_llm_main(void *arg)
{
	struct tacit_live *l = arg;
	enum tacit_status st;
	/* No lower priority (nice) for the worker: the transcription gets its cores from the
	 * gate (asr_gate()), and an unprivileged process cannot raise a priority back
	 * (RLIMIT_NICE is usually 0), so the stop's final summary, which the user waits for,
	 * would crawl on a machine where other programs are busy (a 100-token stop took 4
	 * minutes at nice 5 beside a load of 10 on 2 cores). SCHED_IDLE would be worse. */
	struct tacit_llm_params lp = tacit_llm_default_params();
	lp.model_path = l->llm_path;
	lp.engine = tacit_engine_is_remote(&l->engine) ? &l->engine : NULL;
	lp.n_ctx = l->p.n_ctx > 0 ? l->p.n_ctx : DEFAULT_N_CTX;
	lp.n_threads = l->p.llm_threads > 0 ? l->p.llm_threads : (l->sys.n_cores_usable > 1 ? l->sys.n_cores_usable - 1 : 1);
	st = tacit_store_open(l->store_path, &l->llm_store);
	if (st == TACIT_OK)
		st = tacit_llm_open(&lp, &l->llm);
	if (st == TACIT_OK)
		__atomic_store_n(&l->gate_llm, l->llm, __ATOMIC_RELEASE);
	pthread_mutex_lock(&l->q_mu);
	l->ready = true;
	l->ready_st = st;
	if (st != TACIT_OK)
		snprintf(l->ready_msg, sizeof(l->ready_msg), "%s", tacit_errmsg());
	pthread_cond_broadcast(&l->q_cond);
	pthread_mutex_unlock(&l->q_mu);
	if (st != TACIT_OK)
		return NULL;

	struct tacit_llm_info info = tacit_llm_info(l->llm);
	l->tiny = info.n_vocab < 4096;
	l->max_tokens = l->p.max_tokens > 0 ? l->p.max_tokens
					    : (int)live_setting_num(l->llm_store, "live.max_tokens", DEFAULT_MAX_TOKENS);
	if (l->max_tokens > info.n_ctx / 4)
		l->max_tokens = info.n_ctx / 4;
	int budget = info.n_ctx - l->max_tokens - ASK_RESERVE_TOKENS - 256;
	if (budget > MAX_WINDOW_TOKENS)
		budget = MAX_WINDOW_TOKENS;
	int want = l->p.window_tokens > 0 ? l->p.window_tokens : (int)live_setting_num(l->llm_store, "live.window_tokens", 0);
	l->budget = want > 0 && want < budget ? want : budget;
	if (l->budget < 64)
		l->budget = 64;
	live_read_policy(l);
	l->suggest_state = -1;
	l->next_suggest = clock_now_s() + l->policy.interval_s;
	tacit_log(TACIT_LOG_INFO, "live: context %d, window %d tokens, %d output tokens, suggestions %s every %.0f s",
		  info.n_ctx, l->budget, l->max_tokens, l->suggest_on ? "on" : "off", l->policy.interval_s);

	/* a resumed session: its window's tokens */
	for (size_t i = 0; i < l->t.n; i++)
		if (count_segment(l, i) == TACIT_OK && i >= l->win_first)
			l->win_tokens += l->tok[i];

	pthread_mutex_lock(&l->q_mu);
	for (;;) {
		if (l->quit)
			break;
		if (l->stopping && !l->stop_phase) { /* the job in flight when the stop came has ended */
			l->ph.t_loop = clock_now_s();
			l->ph.wait_ms = (l->ph.t_loop - l->stop_t0) * 1000.0;
		}
		l->stop_phase = l->stopping; /* from here on the model's work is the stop's */
		if (l->asks) {
			struct ask *a = l->asks;
			l->asks = a->next;
			if (!l->asks)
				l->asks_tail = NULL;
			set_job(l, JOB_ASK);
			l->cur_remote = a->remote;
			pthread_mutex_unlock(&l->q_mu);
			if (a->remote) {
				pthread_mutex_lock(&a->remote->mu);
				a->remote->started = true;
				pthread_mutex_unlock(&a->remote->mu);
			}
			live_do_ask(l, a);
			pthread_mutex_lock(&l->q_mu);
			l->cur_remote = NULL;
			pthread_mutex_unlock(&l->q_mu);
			live_free_ask(a);
			pthread_mutex_lock(&l->q_mu);
			continue;
		}
		if (l->n_pend) {
			struct pending *p = l->pend;
			size_t n = l->n_pend;
			l->pend = NULL;
			l->n_pend = l->pend_alloc = 0;
			set_job(l, JOB_INGEST);
			pthread_mutex_unlock(&l->q_mu);
			st = ingest(l, p, n);
			for (size_t i = 0; i < n; i++) {
				free(p[i].speaker);
				free(p[i].text);
			}
			free(p);
			if (st != TACIT_OK && st != TACIT_ERR_CANCELLED)
				live_emit_text(l, TACIT_LIVE_WARNING, "analysis: %s", tacit_errmsg());
			pthread_mutex_lock(&l->q_mu);
			continue;
		}
		if (l->stop_req) {
			set_job(l, JOB_FINAL);
			pthread_mutex_unlock(&l->q_mu);
			st = finalize(l);
			pthread_mutex_lock(&l->q_mu);
			l->stop_st = st;
			l->done = true;
			break;
		}
		bool held = l->stopping || aborted(l); /* no more background work */
		if (l->suggest_req && !held) {
			l->suggest_req = false;
			set_job(l, JOB_SUGGEST);
			pthread_mutex_unlock(&l->q_mu);
			live_suggest_run(l);
			pthread_mutex_lock(&l->q_mu);
			continue;
		}
		if (l->warm_upto < l->t.n && !held) {
			set_job(l, JOB_WARM);
			pthread_mutex_unlock(&l->q_mu);
			warm(l);
			pthread_mutex_lock(&l->q_mu);
			continue;
		}
		size_t cut = held ? 0 : idle_fold_end(l);
		if (cut) { /* nothing else to do: fold now what a stop would otherwise have to */
			set_job(l, JOB_IDLE_FOLD);
			pthread_mutex_unlock(&l->q_mu);
			fold_window(l, cut, false); /* a failure was told as a warning */
			pthread_mutex_lock(&l->q_mu);
			continue;
		}
		set_job(l, JOB_NONE);
		if (!held && clock_now_s() >= l->next_suggest) {
			pthread_mutex_unlock(&l->q_mu);
			bool run = live_suggestion_due(l);
			pthread_mutex_lock(&l->q_mu);
			if (run && l->t.n > 0)
				l->suggest_req = true;
			continue;
		}
		l->idle = true;
		pthread_cond_broadcast(&l->q_cond);
		double wait = held ? 60 : l->next_suggest - clock_now_s();
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		double until = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 + (wait > 0 ? wait : 0);
		ts.tv_sec = (time_t)until;
		ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&l->q_cond, &l->q_mu, &ts);
	}
	l->job = JOB_NONE;
	l->idle = true;
	l->llm_exited = true;
	struct ask *rest = l->asks; /* asked too late: nobody will answer them now */
	l->asks = l->asks_tail = NULL;
	pthread_cond_broadcast(&l->q_cond);
	pthread_mutex_unlock(&l->q_mu);
	while (rest) {
		struct ask *a = rest;
		rest = a->next;
		if (a->remote) {
			char msg[256];
			snprintf(msg, sizeof(msg), "meeting %lld ended before the question was answered: ask with 'tacit ask %lld'",
				 (long long)l->session_id, (long long)l->session_id);
			live_remote_finish(a->remote, TACIT_ERR_CANCELLED, NULL, msg);
		}
		live_free_ask(a);
	}
	return NULL;
}

