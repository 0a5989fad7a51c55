/*
 * ask_all.c — a question asked of every stored meeting: the search index finds the
 * passages (store_retrieve.c), the model answers from them alone, citing each claim as
 * [M12 S40] (meeting 12, its segment 40), and every citation is checked against what was
 * retrieved: one naming anything else is removed and counted, never shown as a source.
 */
#include "internal.h"

#include "ask_filter.h"
#include "date_phrase.h"
#include "retrieve.h"

#include <ctype.h>
#include <inttypes.h>
#include <time.h>

#include <yyjson.h>

#define ASK_ALL_PROMPT_RESERVE 256 /* tokens for the instructions and the question */

struct tacit_ask_all_params tacit_ask_all_default_params(void)
{
	struct tacit_ask_all_params p = { .top_k = 12, .n_neighbours = 1, .max_context_tokens = 0, .max_tokens = 0 };
	return p;
}

/* Reads "[M12 S40]" (spaces or a comma between the two allowed) at s; *len gets its length. */
static bool read_cite(const char *s, int64_t *m, int64_t *seg, size_t *len)
{
	const char *p = s;
	char *end;
	if (*p++ != '[' || (*p != 'M' && *p != 'm'))
		return false;
	p++;
	if (!isdigit((unsigned char)*p))
		return false;
	long long a = strtoll(p, &end, 10);
	p = end;
	while (*p == ' ' || *p == ',')
		p++;
	if ((*p != 'S' && *p != 's') || !isdigit((unsigned char)p[1]))
		return false;
	long long b = strtoll(p + 1, &end, 10);
	if (*end != ']')
		return false;
	*m = a;
	*seg = b;
	*len = (size_t)(end + 1 - s);
	return true;
}

enum tacit_status retrieve_check(const char *answer, const struct retrieval *r, struct buf *clean,
				 struct cite **cites, size_t *n_cites, int *n_dropped)
{
	struct cite *c = NULL;
	size_t n = 0;
	*cites = NULL;
	*n_cites = 0;
	*n_dropped = 0;
	for (const char *p = answer; *p;) {
		int64_t m, s;
		size_t len;
		if (*p != '[' || !read_cite(p, &m, &s, &len)) {
			buf_add(clean, p++, 1);
			continue;
		}
		bool known = false;
		for (size_t i = 0; i < r->n && !known; i++)
			known = r->p[i].session_id == m && r->p[i].seg == s;
		if (!known) {
			(*n_dropped)++;
			/* no double space where the cite stood between words */
			if (clean->len && clean->data[clean->len - 1] == ' ' && p[len] == ' ')
				len++;
			p += len;
			continue;
		}
		buf_addf(clean, "[M%" PRId64 " S%" PRId64 "]", m, s);
		p += len;
		bool dup = false;
		for (size_t i = 0; i < n && !dup; i++)
			dup = c[i].session_id == m && c[i].seg == s;
		if (dup)
			continue;
		if (!(n & (n + 1)) || !c) { /* grow at 0, 1, 3, 7, ... */
			struct cite *nc = realloc(c, (n + 1) * 2 * sizeof(*nc));
			if (!nc) {
				free(c);
				return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			}
			c = nc;
		}
		c[n++] = (struct cite){ m, s };
	}
	if (clean->failed) {
		free(c);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	*cites = c;
	*n_cites = n;
	return TACIT_OK;
}

static const char *day(int64_t ms, char *b, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(b, n, "%Y-%m-%d", &tm))
		snprintf(b, n, "?");
	return b;
}

/* The excerpts as the model reads them: a heading per meeting, one tagged line each. */
static void excerpts(struct tacit_store *store, const struct retrieval *r, struct buf *out)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct passage *p = &r->p[i];
		if (!i || r->p[i - 1].session_id != p->session_id) {
			struct tacit_session s;
			char d[32];
			if (tacit_store_session_get(store, p->session_id, &s) != TACIT_OK) {
				snprintf(s.title, sizeof(s.title), "?"); /* deleted meanwhile: still read */
				s.started_ms = 0;
			}
			buf_addf(out, "%sMeeting M%" PRId64 ": \"%s\", %s\n", i ? "\n" : "", p->session_id, s.title,
				 day(s.started_ms, d, sizeof(d)));
		} else if (r->p[i - 1].seg + 1 != p->seg) {
			buf_adds(out, "...\n");
		}
		buf_addf(out, "[M%" PRId64 " S%" PRId64 "] %s%s%s\n", p->session_id, p->seg, p->speaker,
			 *p->speaker ? ": " : "", p->text);
	}
}

enum tacit_status tacit_date_parse(const char *text, int64_t now_ms, int64_t *from_ms, int64_t *to_ms)
{
	struct date_span s;
	if (!from_ms || !to_ms)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_date_parse: from_ms or to_ms is NULL");
	if (!date_phrase_parse(text, now_ms ? now_ms : (int64_t)time(NULL) * 1000, &s))
		return tacit_fail(TACIT_ERR_USAGE,
				  "'%s' is not a date (use YYYY-MM-DD, or words such as yesterday, last week, in March)",
				  text ? text : "");
	*from_ms = s.from_ms;
	*to_ms = s.to_ms;
	return TACIT_OK;
}

/* The filters in force: the params', else the question's; *rest the question's words
 * less the filters'. */
static enum tacit_status filters(struct tacit_store *store, const char *question, const struct tacit_ask_all_params *p,
				 struct ask_filter *af, struct store_filter *f, struct buf *rest)
{
	memset(f, 0, sizeof(*f));
	memset(af, 0, sizeof(*af));
	if (p->ignore_question_filters)
		buf_adds(rest, question);
	else {
		enum tacit_status st = ask_filter_read(store, question, p->now_ms, af, rest);
		if (st != TACIT_OK)
			return st;
	}
	if (rest->failed)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	bool explicit_date = p->since_ms || p->until_ms;
	f->since_ms = explicit_date ? p->since_ms : af->since_ms;
	f->until_ms = explicit_date ? p->until_ms : af->until_ms;
	f->speaker = p->speaker && *p->speaker ? p->speaker : af->speaker[0] ? af->speaker : NULL;
	return TACIT_OK;
}

static void filters_json(yyjson_mut_doc *d, yyjson_mut_val *root, const struct store_filter *f,
			 const struct ask_filter *af)
{
	struct buf b;
	if (!f->since_ms && !f->until_ms && !f->speaker)
		return;
	yyjson_mut_val *o = yyjson_mut_obj_add_obj(d, root, "filters");
	yyjson_mut_obj_add_int(d, o, "since_ms", f->since_ms);
	yyjson_mut_obj_add_int(d, o, "until_ms", f->until_ms);
	if (f->speaker)
		yyjson_mut_obj_add_strcpy(d, o, "speaker", f->speaker);
	else
		yyjson_mut_obj_add_null(d, o, "speaker");
	yyjson_mut_obj_add_strcpy(d, o, "date_phrase", af->date_phrase);
	buf_init(&b);
	ask_filter_describe(f, &b);
	yyjson_mut_obj_add_strcpy(d, o, "described", b.failed ? "" : b.data);
	buf_release(&b);
}

static void result_json(struct tacit_store *store, const char *question, const char *answer,
			const struct retrieval *r, const struct cite *c, size_t n_cites, int dropped,
			const struct store_filter *f, const struct ask_filter *af, char **out)
{
	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(d);
	yyjson_mut_doc_set_root(d, root);
	yyjson_mut_obj_add_strcpy(d, root, "question", question);
	yyjson_mut_obj_add_strcpy(d, root, "answer", answer);
	yyjson_mut_val *ca = yyjson_mut_obj_add_arr(d, root, "cites");
	for (size_t i = 0; i < n_cites; i++) {
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(d, ca);
		yyjson_mut_obj_add_int(d, o, "meeting", c[i].session_id);
		yyjson_mut_obj_add_int(d, o, "segment", c[i].seg);
		for (size_t j = 0; j < r->n; j++)
			if (r->p[j].session_id == c[i].session_id && r->p[j].seg == c[i].seg) {
				yyjson_mut_obj_add_int(d, o, "start_ms", r->p[j].start_ms);
				yyjson_mut_obj_add_strcpy(d, o, "speaker", r->p[j].speaker);
				yyjson_mut_obj_add_strcpy(d, o, "text", r->p[j].text);
			}
	}
	yyjson_mut_obj_add_int(d, root, "dropped", dropped);
	yyjson_mut_obj_add_bool(d, root, "grounded", n_cites > 0);
	yyjson_mut_val *ma = yyjson_mut_obj_add_arr(d, root, "meetings");
	yyjson_mut_val *cur = NULL, *segs = NULL;
	for (size_t i = 0; i < r->n; i++) {
		if (!i || r->p[i - 1].session_id != r->p[i].session_id) {
			struct tacit_session s;
			cur = yyjson_mut_arr_add_obj(d, ma);
			yyjson_mut_obj_add_int(d, cur, "meeting", r->p[i].session_id);
			if (tacit_store_session_get(store, r->p[i].session_id, &s) == TACIT_OK) {
				yyjson_mut_obj_add_strcpy(d, cur, "title", s.title);
				yyjson_mut_obj_add_int(d, cur, "started_ms", s.started_ms);
			}
			segs = yyjson_mut_obj_add_arr(d, cur, "segments");
		}
		yyjson_mut_arr_add_int(d, segs, r->p[i].seg);
	}
	filters_json(d, root, f, af);
	*out = yyjson_mut_write(d, YYJSON_WRITE_ALLOW_INVALID_UNICODE, NULL);
	yyjson_mut_doc_free(d);
}

enum tacit_status tacit_ask_all(struct tacit_store *store, struct tacit_llm *llm, const char *question,
				const struct tacit_ask_all_params *params, char **out_json)
{
	struct tacit_ask_all_params p = params ? *params : tacit_ask_all_default_params();
	struct retrieval r = { 0 };
	struct buf system, user, clean, words, described;
	struct store_filter f;
	struct ask_filter af;
	struct cite *cites = NULL;
	size_t n_cites = 0;
	char *text = NULL;
	int dropped = 0;
	float *qvec = NULL;
	char embed_key[INDEX_KEY_MAX];
	struct retrieve_dense dense = { 0 };
	enum tacit_status st;

	if (out_json)
		*out_json = NULL;
	if (!store || !llm || !question || !out_json)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_ask_all needs a store, a model, a question and an out pointer");
	if (p.max_tokens <= 0) /* a small context still leaves room for excerpts */
		p.max_tokens = tacit_llm_info(llm).n_ctx / 4 < 512 ? tacit_llm_info(llm).n_ctx / 4 : 512;
	buf_init(&system);
	buf_init(&user);
	buf_init(&clean);
	buf_init(&words);
	buf_init(&described);
	if ((st = filters(store, question, &p, &af, &f, &words)) != TACIT_OK)
		goto out;
	if (p.embed_model && *p.embed_model) {
		struct timespec e0, e1;
		clock_gettime(CLOCK_MONOTONIC, &e0);
		if ((st = index_question(store, p.embed_model, words.data, p.embed_threads, &qvec, &dense.dim)) != TACIT_OK)
			goto out;
		clock_gettime(CLOCK_MONOTONIC, &e1);
		index_model_key(p.embed_model, embed_key);
		dense.model = embed_key;
		dense.q = qvec;
		if (qvec)
			tacit_log(TACIT_LOG_INFO, "ask --all: the question embedded in %.1f ms",
				  (double)(e1.tv_sec - e0.tv_sec) * 1e3 + (double)(e1.tv_nsec - e0.tv_nsec) / 1e6);
	}
	int budget = p.max_context_tokens;
	if (budget <= 0)
		budget = tacit_llm_info(llm).n_ctx - p.max_tokens - ASK_ALL_PROMPT_RESERVE;
	if (budget < 64) {
		st = tacit_fail(TACIT_ERR_CONTEXT_FULL,
				"the model's context (%d tokens) leaves no room for the meetings' excerpts after an answer "
				"of %d tokens (use a larger --ctx or a smaller --max-tokens)",
				tacit_llm_info(llm).n_ctx, p.max_tokens);
		goto out;
	}
	buf_adds(&system,
		 "You answer questions about the user's past meetings using only the excerpts given. Every line of an "
		 "excerpt starts with its source tag, like [M12 S40]: meeting 12, segment 40. After each claim, cite the "
		 "lines it rests on with their tags, written exactly as they appear. If the excerpts do not answer the "
		 "question, say so. Be brief.");
	/* the budget is an estimate from bytes; the model's tokenizer has the last word: a
	 * prompt that does not fit is retrieved again under a budget scaled to fit */
	for (int attempt = 0;; attempt++) {
		int n_prompt = 0, room = tacit_llm_info(llm).n_ctx - p.max_tokens - 16;
		retrieval_release(&r);
		buf_reset(&user);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((st = retrieve_in(store, &f, words.data, p.top_k, p.n_neighbours, budget, qvec ? &dense : NULL,
				      &r)) != TACIT_OK)
			goto out;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!r.n && (f.since_ms || f.until_ms || f.speaker)) {
			ask_filter_describe(&f, &described);
			st = tacit_fail(TACIT_ERR_NOT_FOUND,
					"none of the %s mentions the words of '%s' (try other words or dates, or "
					"'tacit search')",
					described.failed ? "meetings asked about" : described.data, question);
			goto out;
		}
		if (!r.n) {
			st = tacit_fail(TACIT_ERR_NOT_FOUND,
					"no meeting mentions the words of '%s' (try other words, or 'tacit search')", question);
			goto out;
		}
		buf_adds(&user, "Excerpts from the meetings:\n\n");
		excerpts(store, &r, &user);
		buf_addf(&user, "\nQuestion: %s\n\n%s", question, system.data);
		if (user.failed) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((st = tacit_llm_count_tokens(llm, user.data, &n_prompt)) != TACIT_OK)
			goto out;
		user.len -= strlen(system.data) + 2; /* the instructions were there only to be counted */
		user.data[user.len] = '\0';
		char how[64] = "";
		if (qvec)
			snprintf(how, sizeof(how), "; by words and meaning, %d hit(s) by meaning only", r.n_dense_only);
		tacit_log(TACIT_LOG_INFO, "ask --all: %zu passages retrieved in %.1f ms, %d prompt tokens (estimated %d) of %d%s",
			  r.n, (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, n_prompt,
			  r.n_tokens, room, how);
		if (n_prompt + 32 <= room)
			break;
		size_t n_hits = 0;
		for (size_t i = 0; i < r.n; i++)
			n_hits += r.p[i].hit;
		if (n_hits == 1 && p.n_neighbours > 0 && attempt < 3) {
			/* the best line alone is all that can go: without its neighbours */
			p.n_neighbours = 0;
			continue;
		}
		if (attempt == 3 || budget < 64 || r.n == 1) {
			st = tacit_fail(TACIT_ERR_CONTEXT_FULL,
					"the excerpts for '%s' take %d tokens, the context has room for %d (use a larger --ctx)",
					question, n_prompt, room);
			goto out;
		}
		budget = (int)((double)r.n_tokens * (room - 32) / n_prompt * 0.9);
	}
	struct tacit_chat_message msgs[2] = { { "system", system.data }, { "user", user.data } };
	struct tacit_llm_request req = tacit_llm_default_request();
	req.messages = msgs;
	req.n_messages = 2;
	req.max_tokens = p.max_tokens;
	if ((st = tacit_llm_generate(llm, &req, p.on_token, p.user, p.cancel, &text, NULL)) != TACIT_OK)
		goto out;
	if ((st = retrieve_check(text, &r, &clean, &cites, &n_cites, &dropped)) != TACIT_OK)
		goto out;
	if (dropped)
		tacit_log(TACIT_LOG_WARN, "ask --all: %d citation(s) named no retrieved segment and were removed", dropped);
	result_json(store, question, clean.data, &r, cites, n_cites, dropped, &f, &af, out_json);
	if (!*out_json)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
out:
	free(qvec);
	free(cites);
	tacit_free(text);
	retrieval_release(&r);
	buf_release(&described);
	buf_release(&words);
	buf_release(&clean);
	buf_release(&user);
	buf_release(&system);
	return st;
}
