/*
 * remote_llm.c — the libcurl adapter for a language model on an OpenAI-compatible server
 * (remote_llm.h). Invariants: requests go to the configured base URL only (no redirects
 * followed, no proxy taken from the environment); TLS is verified; the API key lives in
 * one header buffer, wiped on close, and never reaches a log line or a message; every
 * failure names the host and what failed, and none is retried anywhere else.
 */
#include "internal.h"

#include "basics.h"
#include "engine.h"
#include "remote_http.h"
#include "remote_llm.h"
#include "schema.h"
#include "sse.h"

#include <strings.h>

#include <yyjson.h>

#define BODY_CAP ((size_t)16 << 20) /* a non-streamed answer (models, props, tokens) */
#define ERR_BODY_CAP ((size_t)64 << 10)
#define DEFAULT_N_CTX 8192
#define UNKNOWN_N_VOCAB 32768 /* a server that does not say: a real model, not a toy */
#define CANCEL_POLL_MS 20      /* libcurl's progress callback runs only once a second while
				* the server is silent (a long prompt being read) */

struct remote_llm {
	struct tacit_engine e;
	char base[512];  /* e.url without a trailing "/" or "/v1" */
	char host[256];
	char model[256]; /* sent as "model" */
	char where[600];
	char label[600];
	char *auth;      /* "Authorization: Bearer KEY" or NULL */
	CURL *c;         /* one handle, reused: the connection stays open between requests */
	CURLM *m;        /* drives it, so a cancel is seen within CANCEL_POLL_MS */
	bool llama;      /* llama-server: grammar, cache_prompt, id_slot, /tokenize */
	int n_slots;
};

/* ---- one HTTP exchange ------------------------------------------------------------- */

struct call {
	struct remote_llm *r;
	const volatile int *cancel;
	bool stream;           /* a 200 answer is an event stream */
	struct buf body;       /* a plain answer, or an error's body */
	struct sse sse;
	long code;
	char errbuf[CURL_ERROR_SIZE];
	/* the streamed answer */
	bool raw;              /* /completion (llama-server) instead of chat chunks */
	tacit_token_fn on_token;
	void *user;
	struct buf text;
	bool done;             /* [DONE], or the last chunk seen */
	bool stop;             /* the stream parser was told to stop (error event) */
	enum tacit_status stream_st;
	struct tacit_llm_stats stats;
};

static long response_code(struct call *c)
{
	if (!c->code)
		curl_easy_getinfo(c->r->c, CURLINFO_RESPONSE_CODE, &c->code);
	return c->code;
}

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
	struct call *c = user;
	size_t len = size * n;
	if (cancel_requested(c->cancel))
		return 0; /* closes the connection: llama-server frees the slot */
	if (c->stream && response_code(c) == 200) {
		if (!sse_feed(&c->sse, p, len))
			return 0;
		return len;
	}
	if (!buf_add(&c->body, p, len) && c->body.len >= c->body.cap)
		return 0;
	return len;
}

static int on_progress(void *user, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	struct call *c = user;
	return cancel_requested(c->cancel) ? 1 : 0;
}

static bool exceeds_context(const struct buf *body)
{
	return strstr(body->data, "exceed_context_size") || strstr(body->data, "exceeds the available context");
}

/* A failed exchange as a message a user can act on. what: "the answer", "its models". */
static enum tacit_status call_error(struct call *c, CURLcode rc, const char *what)
{
	struct remote_llm *r = c->r;
	char msg[256];
	if (cancel_requested(c->cancel))
		return tacit_fail(TACIT_ERR_CANCELLED, "cancelled; the stream from '%s' was closed", r->host);
	if (c->stream_st != TACIT_OK)
		return c->stream_st; /* already recorded */
	if (rc == CURLE_OK && response_code(c) == 400 && exceeds_context(&c->body)) {
		remote_http_server_words(c->body.data, c->body.len, msg, sizeof(msg));
		return tacit_fail(TACIT_ERR_CONTEXT_FULL, "the prompt does not fit the context of the model on '%s' (%s)",
				  r->host, msg);
	}
	struct remote_fail f = { .server = "language model server", .kind = "llm", .host = r->host, .what = what,
				 .errbuf = c->errbuf, .rc = rc, .code = rc == CURLE_OK ? response_code(c) : 0,
				 .body = &c->body, .has_key = r->auth != NULL, .timeout_s = r->e.timeout_s };
	return remote_http_fail(&f);
}

/* GET (json NULL) or POST json to base + path. A plain answer lands in c->body. */
static CURLcode perform(struct call *c, const char *path, const char *json)
{
	struct remote_llm *r = c->r;
	struct curl_slist *hdrs = NULL;
	char url[sizeof(r->base) + 64];
	snprintf(url, sizeof(url), "%s%s", r->base, path);
	CURL *h = r->c;
	remote_http_setup(h, &r->e, url, c->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	if (r->auth)
		hdrs = curl_slist_append(hdrs, r->auth);
	if (json) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
	}
	if (c->stream)
		hdrs = curl_slist_append(hdrs, "Accept: text/event-stream");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	c->code = 0;
	CURLcode rc = CURLE_OK;
	int running = 1;
	curl_multi_add_handle(r->m, h);
	while (running) {
		if (curl_multi_perform(r->m, &running) != CURLM_OK) {
			rc = CURLE_OUT_OF_MEMORY;
			break;
		}
		if (!running)
			break;
		if (cancel_requested(c->cancel)) { /* removing it mid-transfer closes the connection */
			rc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
		curl_multi_poll(r->m, NULL, 0, c->cancel ? CANCEL_POLL_MS : 1000, NULL);
	}
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(r->m, &left)))
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == h && rc == CURLE_OK)
			rc = msg->data.result;
	curl_multi_remove_handle(r->m, h);
	c->code = 0;
	response_code(c);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	return rc;
}

static void call_init(struct call *c, struct remote_llm *r, const volatile int *cancel)
{
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->cancel = cancel;
	buf_init(&c->body);
	c->body.cap = BODY_CAP;
	buf_init(&c->text);
}

static void call_release(struct call *c)
{
	buf_release(&c->body);
	buf_release(&c->text);
	if (c->stream)
		sse_release(&c->sse);
}

/* GETs or POSTs and parses a JSON answer: *out on success (caller frees). */
static enum tacit_status get_json(struct remote_llm *r, const char *path, const char *json, const char *what,
				  bool missing_ok, yyjson_doc **out)
{
	struct call c;
	call_init(&c, r, NULL);
	*out = NULL;
	CURLcode rc = perform(&c, path, json);
	enum tacit_status st = TACIT_OK;
	if (rc == CURLE_OK && missing_ok && (c.code == 404 || c.code == 405 || c.code == 501))
		goto out;
	if (rc != CURLE_OK || c.code != 200) {
		st = call_error(&c, rc, what);
		goto out;
	}
	if (!(*out = yyjson_read(c.body.data, c.body.len, 0)))
		st = tacit_fail(TACIT_ERR_NETWORK, "the language model server '%s' sent %s that is not JSON", r->host,
				what);
out:
	call_release(&c);
	return st;
}

/* ---- the streamed answer -------------------------------------------------------------- */

static void take_timings(struct call *c, yyjson_val *t)
{
	if (!yyjson_is_obj(t))
		return;
	struct tacit_llm_stats *s = &c->stats;
	int cache = (int)yyjson_get_num(yyjson_obj_get(t, "cache_n"));
	s->n_reused = cache;
	s->n_prompt = cache + (int)yyjson_get_num(yyjson_obj_get(t, "prompt_n"));
	s->prefill_ms = yyjson_get_num(yyjson_obj_get(t, "prompt_ms"));
	s->n_generated = (int)yyjson_get_num(yyjson_obj_get(t, "predicted_n"));
	s->decode_ms = yyjson_get_num(yyjson_obj_get(t, "predicted_ms"));
}

static void add_text(struct call *c, const char *p, size_t n)
{
	if (!n)
		return;
	buf_add(&c->text, p, n);
	if (c->on_token && !cancel_requested(c->cancel))
		c->on_token(p, n, c->user);
}

static bool on_event(const char *event, const char *data, size_t len, void *user)
{
	struct call *c = user;
	if (len == 6 && !memcmp(data, "[DONE]", 6)) {
		c->done = true;
		return true;
	}
	yyjson_doc *d = yyjson_read(data, len, 0);
	yyjson_val *root = yyjson_doc_get_root(d), *err = yyjson_obj_get(root, "error");
	bool go = true;
	if (!yyjson_is_obj(root) || err || !strcmp(event, "error")) {
		char msg[256];
		remote_http_server_words(data, len, msg, sizeof(msg));
		c->stream_st = tacit_fail(TACIT_ERR_NETWORK, "the language model server '%s' failed during the answer: %s",
					  c->r->host, d ? (msg[0] ? msg : "an error event") : "a chunk that is not JSON");
		go = false;
		goto out;
	}
	take_timings(c, yyjson_obj_get(root, "timings"));
	if (c->raw) { /* llama-server's /completion */
		yyjson_val *content = yyjson_obj_get(root, "content");
		add_text(c, yyjson_get_str(content), yyjson_get_len(content));
		if (yyjson_get_bool(yyjson_obj_get(root, "stop"))) {
			const char *why = yyjson_get_str(yyjson_obj_get(root, "stop_type"));
			c->stats.finish = why && !strcmp(why, "limit") ? TACIT_FINISH_LENGTH : TACIT_FINISH_STOP;
			c->done = true;
		}
		goto out;
	}
	yyjson_val *ch = yyjson_arr_get_first(yyjson_obj_get(root, "choices"));
	yyjson_val *delta = yyjson_obj_get(ch, "delta");
	yyjson_val *content = delta ? yyjson_obj_get(delta, "content") : yyjson_obj_get(ch, "text");
	add_text(c, yyjson_get_str(content), yyjson_get_len(content));
	const char *finish = yyjson_get_str(yyjson_obj_get(ch, "finish_reason"));
	if (finish)
		c->stats.finish = !strcmp(finish, "length") ? TACIT_FINISH_LENGTH : TACIT_FINISH_STOP;
	yyjson_val *usage = yyjson_obj_get(root, "usage");
	if (yyjson_is_obj(usage) && !c->stats.n_prompt) {
		c->stats.n_prompt = (int)yyjson_get_num(yyjson_obj_get(usage, "prompt_tokens"));
		c->stats.n_generated = (int)yyjson_get_num(yyjson_obj_get(usage, "completion_tokens"));
	}
out:
	yyjson_doc_free(d);
	return go;
}

/* FNV-1a of the transcript prefix: the same meeting goes to the same slot. */
static int slot_for(const struct remote_llm *r, const char *prefix)
{
	if (!r->llama || r->n_slots <= 0 || !prefix)
		return -1;
	uint64_t h = 1469598103934665603ull;
	for (const unsigned char *p = (const unsigned char *)prefix; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (int)(h % (uint64_t)r->n_slots);
}

/* Removes every U+FFFD from an answer, raw or escaped (\\ufffd); false when it had none. A
 * server sends a malformed UTF-8 sequence its grammar took as one character (an overlong
 * one: llama.cpp's grammar decodes code points without checking the shortest form) as
 * one U+FFFD per byte, so a string the grammar held to N characters can arrive longer
 * than the schema's N. The marks only say that bytes were lost, and they occur inside
 * strings only, so dropping them keeps the JSON whole; the answer is then checked again. */
static bool drop_replacements(struct buf *text)
{
	static const char mark[] = "\xEF\xBF\xBD";
	size_t w = 0, n = text->len;
	bool dropped = false;
	char *d = text->data;
	for (size_t i = 0; i < n;) {
		if (i + 3 <= n && !memcmp(d + i, mark, 3)) {
			i += 3;
			dropped = true;
		} else if (d[i] == '\\' && i + 6 <= n && d[i + 1] == 'u' && !strncasecmp(d + i + 2, "fffd", 4)) {
			i += 6;
			dropped = true;
		} else if (d[i] == '\\' && i + 1 < n) { /* an escape pair: "\\ufffd" is a backslash, then text */
			d[w++] = d[i++];
			d[w++] = d[i++];
		} else {
			d[w++] = d[i++];
		}
	}
	if (dropped) { /* then the buffer is its own, never the shared empty string */
		text->len = w;
		d[w] = '\0';
	}
	return dropped;
}

enum tacit_status remote_llm_generate(struct remote_llm *r, const struct tacit_llm_request *req,
				      tacit_token_fn on_token, void *user, const volatile int *cancel, char **out_text,
				      struct tacit_llm_stats *out_stats)
{
	struct call c;
	enum tacit_status st = TACIT_OK;
	char *json = NULL;
	const char *path;
	double t0 = clock_now_ms();

	call_init(&c, r, cancel);
	c.stream = true;
	c.on_token = on_token;
	c.user = user;
	sse_init(&c.sse, 0, on_event, &c);
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	c.raw = !req->n_messages && r->llama;
	if (req->n_messages) {
		path = "/v1/chat/completions";
		yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, o, "messages");
		for (size_t i = 0; i < req->n_messages; i++) {
			yyjson_mut_val *m = yyjson_mut_arr_add_obj(doc, arr);
			yyjson_mut_obj_add_str(doc, m, "role", req->messages[i].role ? req->messages[i].role : "user");
			yyjson_mut_obj_add_str(doc, m, "content", req->messages[i].content ? req->messages[i].content : "");
		}
	} else {
		path = r->llama ? "/completion" : "/v1/completions";
		yyjson_mut_obj_add_str(doc, o, "prompt", req->prompt);
	}
	if (r->model[0])
		yyjson_mut_obj_add_str(doc, o, "model", r->model);
	yyjson_mut_obj_add_bool(doc, o, "stream", true);
	if (req->max_tokens > 0)
		yyjson_mut_obj_add_int(doc, o, c.raw ? "n_predict" : "max_tokens", req->max_tokens);
	yyjson_mut_obj_add_real(doc, o, "temperature", req->temperature);
	yyjson_mut_obj_add_int(doc, o, "seed", (int64_t)req->seed);
	if (r->llama) {
		/* the local sampler's settings: greedy at temperature 0, else top-k alone */
		yyjson_mut_obj_add_int(doc, o, "top_k", req->temperature > 0 ? req->top_k : 1);
		yyjson_mut_obj_add_real(doc, o, "top_p", 1.0);
		yyjson_mut_obj_add_real(doc, o, "min_p", 0.0);
		if (req->grammar)
			yyjson_mut_obj_add_str(doc, o, "grammar", req->grammar);
		yyjson_mut_obj_add_bool(doc, o, "cache_prompt", true);
		yyjson_mut_obj_add_int(doc, o, "id_slot", slot_for(r, req->state_prefix));
	} else {
		yyjson_doc *sd = req->json_schema ? yyjson_read(req->json_schema, strlen(req->json_schema), 0) : NULL;
		if (sd) { /* no grammar there: the same shape as a schema, checked below */
			yyjson_mut_val *rf = yyjson_mut_obj_add_obj(doc, o, "response_format");
			yyjson_mut_obj_add_str(doc, rf, "type", "json_schema");
			yyjson_mut_val *js = yyjson_mut_obj_add_obj(doc, rf, "json_schema");
			yyjson_mut_obj_add_str(doc, js, "name", "tacit_answer");
			yyjson_mut_obj_add_bool(doc, js, "strict", true);
			yyjson_mut_obj_add_val(doc, js, "schema", yyjson_val_mut_copy(doc, yyjson_doc_get_root(sd)));
			yyjson_doc_free(sd);
		} else if (req->grammar) { /* JSON at least, checked by the caller */
			yyjson_mut_val *rf = yyjson_mut_obj_add_obj(doc, o, "response_format");
			yyjson_mut_obj_add_str(doc, rf, "type", "json_object");
		}
		yyjson_mut_val *so = yyjson_mut_obj_add_obj(doc, o, "stream_options");
		yyjson_mut_obj_add_bool(doc, so, "include_usage", true);
	}
	json = yyjson_mut_write(doc, 0, NULL);
	yyjson_mut_doc_free(doc);
	if (!json) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	CURLcode rc = perform(&c, path, json);
	if (rc != CURLE_OK || c.code != 200 || c.stream_st != TACIT_OK || cancel_requested(cancel)) {
		st = call_error(&c, rc, "the answer");
		goto out;
	}
	if (!c.done) {
		st = tacit_fail(TACIT_ERR_NETWORK,
				"the language model server '%s' closed the connection before the answer was complete",
				r->host);
		goto out;
	}
	if (c.text.failed) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory collecting the answer");
		goto out;
	}
	char why[256];
	if (req->json_schema && !schema_check(req->json_schema, c.text.data, c.text.len, why, sizeof(why)) &&
	    drop_replacements(&c.text))
		tacit_log(TACIT_LOG_DEBUG, "remote llm: U+FFFD dropped from the answer of '%s' (%s)", r->host, why);
	if (req->json_schema && !schema_check(req->json_schema, c.text.data, c.text.len, why, sizeof(why))) {
		if (!strcmp(why, "not JSON"))
			st = tacit_fail(TACIT_ERR_LLM, "the language model server '%s' answered with text that is not "
						       "the expected JSON",
					r->host);
		else
			st = tacit_fail(TACIT_ERR_LLM, "the language model server '%s' answered outside the task's JSON "
						       "schema (%s)",
					r->host, why);
		goto out;
	}
	if (c.stats.prefill_ms <= 0 && c.stats.decode_ms <= 0)
		c.stats.decode_ms = clock_now_ms() - t0; /* a server without timings: the whole wait */
	if (c.stats.prefill_ms > 0)
		c.stats.prefill_tps = (c.stats.n_prompt - c.stats.n_reused) / (c.stats.prefill_ms / 1e3);
	if (c.stats.decode_ms > 0)
		c.stats.decode_tps = c.stats.n_generated / (c.stats.decode_ms / 1e3);
	snprintf(c.stats.sampler, sizeof(c.stats.sampler), "server");
	if (out_stats)
		*out_stats = c.stats;
	if (out_text)
		*out_text = buf_detach(&c.text, NULL);
out:
	free(json);
	call_release(&c);
	return st;
}

enum tacit_status remote_llm_count_tokens(struct remote_llm *r, const char *text, int *out_n)
{
	if (!r->llama) {
		*out_n = (int)((strlen(text) + 3) / 4);
		return TACIT_OK;
	}
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_str(doc, o, "content", text);
	yyjson_mut_obj_add_bool(doc, o, "add_special", false);
	char *json = yyjson_mut_write(doc, 0, NULL);
	yyjson_mut_doc_free(doc);
	if (!json)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	yyjson_doc *d = NULL;
	enum tacit_status st = get_json(r, "/tokenize", json, "a token count", false, &d);
	free(json);
	yyjson_val *tokens = yyjson_obj_get(yyjson_doc_get_root(d), "tokens");
	if (st == TACIT_OK && !yyjson_is_arr(tokens))
		st = tacit_fail(TACIT_ERR_NETWORK, "the language model server '%s' sent a token count without tokens",
				r->host);
	if (st == TACIT_OK)
		*out_n = (int)yyjson_arr_size(tokens);
	yyjson_doc_free(d);
	return st;
}

/* ---- open and close -------------------------------------------------------------------- */

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s && s[1] ? s + 1 : p;
}

enum tacit_status remote_llm_open(const struct tacit_engine *e, struct remote_llm **out, struct tacit_llm_info *info)
{
	struct remote_llm *r = NULL;
	yyjson_doc *models = NULL, *props = NULL;
	enum tacit_status st;

	*out = NULL;
	if (!tacit_engine_is_remote(e))
		return tacit_fail(TACIT_ERR_USAGE, "remote_llm_open: the engine is local");
	if ((st = remote_http_init()) != TACIT_OK)
		return st;
	if (!(r = calloc(1, sizeof(*r))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	r->e = *e;
	remote_http_base(e, r->base, sizeof(r->base));
	engine_host(e, r->host, sizeof(r->host));
	if ((st = remote_http_auth(e, "llm", &r->auth)) != TACIT_OK)
		goto out;
	if (!(r->c = curl_easy_init()) || !(r->m = curl_multi_init())) {
		st = tacit_fail(TACIT_ERR_NOMEM, "cannot start a libcurl handle");
		goto out;
	}
	if ((st = get_json(r, "/v1/models", NULL, "its list of models", false, &models)) != TACIT_OK)
		goto out;
	/* llama-server answers /props (and checks the key there: /v1/models is public) */
	if ((st = get_json(r, "/props", NULL, "its properties", true, &props)) != TACIT_OK)
		goto out;
	r->llama = props != NULL;

	yyjson_val *data = yyjson_obj_get(yyjson_doc_get_root(models), "data"), *m, *first = NULL, *chosen = NULL;
	size_t i, max;
	yyjson_arr_foreach(data, i, max, m)
	{
		const char *id = yyjson_get_str(yyjson_obj_get(m, "id"));
		if (!id)
			continue;
		if (!first)
			first = m;
		if (e->model[0] && (!strcmp(id, e->model) || !strcmp(basename_of(id), e->model)))
			chosen = m;
	}
	if (e->model[0] && !chosen && !r->llama) { /* llama-server runs one model, whatever the name */
		const char *have = first ? yyjson_get_str(yyjson_obj_get(first, "id")) : NULL;
		st = tacit_fail(TACIT_ERR_NOT_FOUND, "the language model server '%s' has no model '%s'%s%s%s", r->host,
				e->model, have ? " (it has '" : "", have ? have : "", have ? "', setting engine.llm.model)" : "");
		goto out;
	}
	if (!chosen)
		chosen = first;
	const char *id = e->model[0] ? e->model : yyjson_get_str(yyjson_obj_get(chosen, "id"));
	if (!id) {
		st = tacit_fail(TACIT_ERR_NOT_FOUND, "the language model server '%s' lists no model", r->host);
		goto out;
	}
	snprintf(r->model, sizeof(r->model), "%s", id);
	yyjson_val *meta = yyjson_obj_get(chosen, "meta");
	yyjson_val *props_root = yyjson_doc_get_root(props);
	memset(info, 0, sizeof(*info));
	info->n_ctx = (int)yyjson_get_num(yyjson_obj_get(yyjson_obj_get(props_root, "default_generation_settings"), "n_ctx"));
	if (info->n_ctx <= 0)
		info->n_ctx = (int)yyjson_get_num(yyjson_obj_get(chosen, "max_model_len")); /* vLLM */
	if (info->n_ctx <= 0)
		info->n_ctx = (int)yyjson_get_num(yyjson_obj_get(meta, "n_ctx"));
	if (info->n_ctx <= 0)
		info->n_ctx = DEFAULT_N_CTX;
	info->n_ctx_train = (int)yyjson_get_num(yyjson_obj_get(meta, "n_ctx_train"));
	if (info->n_ctx_train < info->n_ctx)
		info->n_ctx_train = info->n_ctx;
	info->n_vocab = (int)yyjson_get_num(yyjson_obj_get(meta, "n_vocab"));
	if (info->n_vocab <= 0)
		info->n_vocab = UNKNOWN_N_VOCAB;
	snprintf(info->arch, sizeof(info->arch), "remote");
	snprintf(info->chat_format, sizeof(info->chat_format), "server");
	r->n_slots = (int)yyjson_get_num(yyjson_obj_get(props_root, "total_slots"));
	info->n_slots = r->n_slots;
	snprintf(r->where, sizeof(r->where), "remote, %s (model %s)", r->host, basename_of(r->model));
	snprintf(r->label, sizeof(r->label), "%s on %s", basename_of(r->model), r->host);
	tacit_log(TACIT_LOG_INFO, "language model: %s; context %d, %d slot%s%s", r->where, info->n_ctx, r->n_slots,
		  r->n_slots == 1 ? "" : "s", r->llama ? ", llama-server" : "");
out:
	yyjson_doc_free(models);
	yyjson_doc_free(props);
	if (st != TACIT_OK) {
		remote_llm_close(r);
		return st;
	}
	*out = r;
	return TACIT_OK;
}

void remote_llm_close(struct remote_llm *r)
{
	if (!r)
		return;
	if (r->c)
		curl_easy_cleanup(r->c);
	if (r->m)
		curl_multi_cleanup(r->m);
	remote_http_auth_free(r->auth);
	free(r);
}

const char *remote_llm_where(const struct remote_llm *r)
{
	return r->where;
}

const char *remote_llm_label(const struct remote_llm *r)
{
	return r->label;
}
