/*
 * mcp.c — a Model Context Protocol server's message handling (JSON-RPC 2.0, one JSON object
 * per line, protocol "2025-06-18"): initialize, ping, tools/list and tools/call with
 * read-only tools over the store. It does no I/O of its own: the caller reads lines and
 * writes the replies, so nothing here can listen on a network. Every line gets at most
 * one reply; notifications and the client's own responses get none.
 */
#include "internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stdint.h>
#include <time.h>

#include <yyjson.h>

#define MCP_PROTOCOL "2025-06-18"
#define MCP_LINE_MAX ((size_t)4 << 20)
#define MCP_SEARCH_MAX 200

/* JSON-RPC 2.0 error codes */
#define RPC_PARSE_ERROR (-32700)
#define RPC_INVALID_REQUEST (-32600)
#define RPC_METHOD_NOT_FOUND (-32601)
#define RPC_INVALID_PARAMS (-32602)

struct tacit_mcp {
	struct tacit_store *store;
	char *model;           /* the ask tool's model as named; NULL = the chosen one */
	struct tacit_llm *llm; /* opened by the first question, kept for the next */
};

enum tacit_status tacit_mcp_new(struct tacit_store *store, struct tacit_mcp **out)
{
	if (!store || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_mcp_new needs a store and an out pointer");
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	(*out)->store = store;
	return TACIT_OK;
}

enum tacit_status tacit_mcp_set_model(struct tacit_mcp *m, const char *name)
{
	char *copy = NULL;
	if (!m)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_mcp_set_model needs a server");
	if (name && *name && !(copy = strdup(name)))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	free(m->model);
	m->model = copy;
	tacit_llm_close(m->llm);
	m->llm = NULL;
	return TACIT_OK;
}

void tacit_mcp_free(struct tacit_mcp *m)
{
	if (!m)
		return;
	tacit_llm_close(m->llm);
	free(m->model);
	free(m);
}

/* One call's state: the reply document, the request's id (copied) and, for a tool, the
 * text it answers with and whether that text reports a failure. */
struct call {
	struct tacit_mcp *m;
	yyjson_mut_doc *out;
	yyjson_mut_val *id;
	struct buf text;
	bool tool_error;
	int rpc_code;      /* non-zero: answer with this JSON-RPC error */
	char rpc_msg[256];
};

static void rpc_error(struct call *c, int code, const char *fmt, ...) TACIT_PRINTF(3, 4);
static void rpc_error(struct call *c, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->rpc_msg, sizeof(c->rpc_msg), fmt, ap);
	va_end(ap);
	c->rpc_code = code;
}

static const char *day(int64_t ms, char *b, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(b, n, "%Y-%m-%d %H:%M", &tm))
		snprintf(b, n, "?");
	return b;
}

static const char *clock_str(int64_t ms, char *b, size_t n)
{
	int64_t s = ms / 1000;
	snprintf(b, n, "%02" PRId64 ":%02" PRId64 ":%02" PRId64, s / 3600, s / 60 % 60, s % 60);
	return b;
}

/* Arguments: a string, an integer or a bool, when present and of that type. A present
 * argument of another type is a -32602. */
static bool arg_str(struct call *c, yyjson_val *args, const char *key, bool required, const char **out)
{
	yyjson_val *v = yyjson_obj_get(args, key);
	*out = NULL;
	if (!v) {
		if (required)
			rpc_error(c, RPC_INVALID_PARAMS, "missing argument '%s'", key);
		return !required;
	}
	if (!yyjson_is_str(v)) {
		rpc_error(c, RPC_INVALID_PARAMS, "argument '%s' must be a string", key);
		return false;
	}
	*out = yyjson_get_str(v);
	return true;
}

static bool arg_int(struct call *c, yyjson_val *args, const char *key, bool required, int64_t *out)
{
	yyjson_val *v = yyjson_obj_get(args, key);
	if (!v) {
		if (required)
			rpc_error(c, RPC_INVALID_PARAMS, "missing argument '%s'", key);
		return !required;
	}
	if (!yyjson_is_int(v)) {
		rpc_error(c, RPC_INVALID_PARAMS, "argument '%s' must be an integer", key);
		return false;
	}
	*out = yyjson_get_sint(v);
	if (yyjson_is_uint(v) && yyjson_get_uint(v) > INT64_MAX) {
		rpc_error(c, RPC_INVALID_PARAMS, "argument '%s' is out of range", key);
		return false;
	}
	return true;
}

static bool arg_bool(struct call *c, yyjson_val *args, const char *key, bool *out)
{
	yyjson_val *v = yyjson_obj_get(args, key);
	if (!v)
		return true;
	if (!yyjson_is_bool(v)) {
		rpc_error(c, RPC_INVALID_PARAMS, "argument '%s' must be true or false", key);
		return false;
	}
	*out = yyjson_get_bool(v);
	return true;
}

/* A failure inside a tool is the tool's answer (isError), so the assistant reads it. */
static void tool_failed(struct call *c, enum tacit_status st)
{
	buf_reset(&c->text);
	buf_addf(&c->text, "%s: %s", tacit_status_str(st), tacit_errmsg());
	c->tool_error = true;
}

static bool on_hit(const struct tacit_search_hit *h, void *user)
{
	struct call *c = user;
	char t[32];
	/* the time, not the row id, links a hit to get_meeting's "[hh:mm:ss]" lines */
	buf_addf(&c->text, "meeting %" PRId64 " \"%s\" at %s, %s%s%s\n", h->session_id, h->session_title,
		 clock_str(h->start_ms, t, sizeof(t)), h->speaker, *h->speaker ? ": " : "", h->snippet);
	return true;
}

static void tool_search(struct call *c, yyjson_val *args)
{
	struct tacit_search_params p = tacit_search_default_params();
	const char *query;
	int64_t limit = p.limit, session = 0;
	if (!arg_str(c, args, "query", true, &query) || !arg_int(c, args, "limit", false, &limit) ||
	    !arg_int(c, args, "meeting_id", false, &session))
		return;
	if (limit < 1 || limit > MCP_SEARCH_MAX) {
		rpc_error(c, RPC_INVALID_PARAMS, "argument 'limit' must be from 1 to %d", MCP_SEARCH_MAX);
		return;
	}
	p.limit = (int)limit;
	p.session_id = session;
	enum tacit_status st = tacit_store_search(c->m->store, query, &p, on_hit, c);
	if (st != TACIT_OK)
		tool_failed(c, st);
	else if (!c->text.len)
		buf_addf(&c->text, "no matches for '%s'\n", query);
}

static void tool_get_meeting(struct call *c, yyjson_val *args)
{
	struct tacit_session s;
	char *summary = NULL, *transcript = NULL, d[32], dur[32];
	int64_t id;
	if (!arg_int(c, args, "id", true, &id))
		return;
	enum tacit_status st = tacit_store_session_get(c->m->store, id, &s);
	if (st == TACIT_OK)
		st = tacit_store_export(c->m->store, id, TACIT_FORMAT_TXT, &transcript);
	if (st != TACIT_OK) {
		tool_failed(c, st);
		goto out;
	}
	st = tacit_store_get_artifact(c->m->store, id, "summary", NULL, &summary);
	if (st != TACIT_OK && st != TACIT_ERR_NOT_FOUND) {
		tool_failed(c, st);
		goto out;
	}
	buf_addf(&c->text, "# Meeting %" PRId64 ": %s\nDate: %s\nDuration: %s\nSegments: %" PRId64 "\n\n", s.id,
		 s.title, day(s.started_ms, d, sizeof(d)), clock_str(s.duration_ms, dur, sizeof(dur)), s.n_segments);
	buf_addf(&c->text, "## Summary\n%s\n\n## Transcript\n%s", summary ? summary : "(none yet)", transcript);
out:
	tacit_free(summary);
	tacit_free(transcript);
}

static bool on_action(const struct tacit_action *a, void *user)
{
	struct call *c = user;
	char d[32];
	buf_addf(&c->text, "%" PRId64 " [%c] %s%s%s", a->id, a->done_ms ? 'x' : ' ', a->owner, *a->owner ? ": " : "",
		 a->task);
	if (*a->due)
		buf_addf(&c->text, " (due %s)", a->due);
	buf_addf(&c->text, " - meeting %" PRId64 " \"%s\", %s\n", a->session_id, a->session_title,
		 day(a->session_started_ms, d, sizeof(d)));
	return true;
}

static void tool_actions(struct call *c, yyjson_val *args)
{
	struct tacit_action_params p = tacit_action_default_params();
	if (!arg_bool(c, args, "open", &p.open_only) || !arg_str(c, args, "owner", false, &p.owner) ||
	    !arg_int(c, args, "meeting_id", false, &p.session_id))
		return;
	enum tacit_status st = tacit_store_actions(c->m->store, &p, on_action, c);
	if (st != TACIT_OK)
		tool_failed(c, st);
	else if (!c->text.len)
		buf_adds(&c->text, "no action items\n");
}

/* The model, opened on the first question: a server that is never asked loads none. */
static enum tacit_status ask_model(struct tacit_mcp *m)
{
	struct tacit_llm_params lp = tacit_llm_default_params();
	char *path = NULL;
	if (m->llm)
		return TACIT_OK;
	enum tacit_status st = tacit_model_resolve(TACIT_MODEL_LLM, m->model, &path);
	if (st != TACIT_OK)
		return st;
	lp.model_path = path;
	st = tacit_llm_open(&lp, &m->llm);
	tacit_free(path);
	return st;
}

/* A date argument ("2026-03-01", "last week"): its span's start (since) or end (until). */
static bool arg_date(struct call *c, yyjson_val *args, const char *key, bool end, int64_t *out)
{
	const char *text;
	int64_t from = 0, to = 0;
	if (!arg_str(c, args, key, false, &text))
		return false;
	if (!text)
		return true;
	if (tacit_date_parse(text, 0, &from, &to) != TACIT_OK) {
		rpc_error(c, RPC_INVALID_PARAMS, "argument '%s': %s", key, tacit_errmsg());
		return false;
	}
	*out = end && to ? to : from;
	return true;
}

static void tool_ask(struct call *c, yyjson_val *args)
{
	const char *question;
	int64_t session = 0;
	char *json = NULL, *md = NULL;
	struct tacit_transcript *t = NULL;
	struct tacit_ask_all_params ap = tacit_ask_all_default_params();
	if (!arg_str(c, args, "question", true, &question) || !arg_int(c, args, "meeting_id", false, &session) ||
	    !arg_date(c, args, "since", false, &ap.since_ms) || !arg_date(c, args, "until", true, &ap.until_ms) ||
	    !arg_str(c, args, "speaker", false, &ap.speaker))
		return;
	if (!*question) {
		rpc_error(c, RPC_INVALID_PARAMS, "argument 'question' is empty");
		return;
	}
	enum tacit_status st = ask_model(c->m);
	if (st == TACIT_OK && !session) {
		/* by meaning too where the lines are indexed already: these tools write nothing,
		 * so the index is what 'tacit index' or the web app's questions left */
		char *embed = NULL;
		if (tacit_model_resolve(TACIT_MODEL_EMBED, NULL, &embed) == TACIT_OK)
			ap.embed_model = embed;
		st = tacit_ask_all(c->m->store, c->m->llm, question, &ap, &json);
		tacit_free(embed);
		if (st == TACIT_OK)
			buf_adds(&c->text, json);
	} else if (st == TACIT_OK) {
		/* one meeting, answered without storing the exchange: these tools only read */
		struct tacit_meeting_params mp = tacit_meeting_default_params();
		mp.task = TACIT_TASK_ANSWER;
		mp.question = question;
		if (tacit_llm_info(c->m->llm).n_ctx / 4 < 1024) /* a small context keeps room for the meeting */
			mp.max_tokens = tacit_llm_info(c->m->llm).n_ctx / 4;
		st = tacit_transcript_from_session(c->m->store, session, &t);
		if (st == TACIT_OK)
			st = tacit_meeting_run(c->m->llm, t, &mp, &json);
		if (st == TACIT_OK && !(md = tacit_meeting_markdown(TACIT_TASK_ANSWER, json, t)))
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		if (st == TACIT_OK)
			buf_adds(&c->text, md);
	}
	if (st != TACIT_OK)
		tool_failed(c, st);
	tacit_free(md);
	tacit_free(json);
	tacit_transcript_free(t);
}

/* The tools: name, description and input schema (JSON), and the handler. */
static const struct tool {
	const char *name, *description, *schema;
	void (*run)(struct call *c, yyjson_val *args);
} tools[] = {
	{ "search_meetings",
	  "Full-text search over what was said in every stored meeting, best match first. Query: words (all must "
	  "appear), \"quoted phrases\", prefix*, OR, NOT. Each hit names the meeting id, the time in the meeting and the speaker.",
	  "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"description\":\"the words to find\"},"
	  "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":200,\"description\":\"most hits (default 20)\"},"
	  "\"meeting_id\":{\"type\":\"integer\",\"description\":\"only this meeting\"}},\"required\":[\"query\"]}",
	  tool_search },
	{ "get_meeting",
	  "One stored meeting: its title, date, the newest summary (Markdown) and the whole transcript as "
	  "\"[hh:mm:ss] Speaker: text\" lines.",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\",\"description\":\"the meeting id\"}},"
	  "\"required\":[\"id\"]}",
	  tool_get_meeting },
	{ "list_action_items",
	  "Every action item of every meeting (from the newest summaries), newest meeting first: id, done mark, "
	  "owner, task, due date when stated, and the meeting.",
	  "{\"type\":\"object\",\"properties\":{\"open\":{\"type\":\"boolean\",\"description\":\"only items not done\"},"
	  "\"owner\":{\"type\":\"string\",\"description\":\"only this owner (any case)\"},"
	  "\"meeting_id\":{\"type\":\"integer\",\"description\":\"only this meeting\"}}}",
	  tool_actions },
	{ "ask",
	  "Answers a question with the local language model: from one meeting (meeting_id; the answer cites its "
	  "segments as [S3]), or from every meeting (the search index picks the excerpts; the answer is JSON whose "
	  "text cites [M12 S40], meeting 12 segment 40, with the cited lines). Across meetings, dates and a speaker "
	  "in the question filter (\"last week\", \"in March\", \"what did Alice say\"), as do since, until and "
	  "speaker. Slow: seconds to minutes.",
	  "{\"type\":\"object\",\"properties\":{\"question\":{\"type\":\"string\"},"
	  "\"meeting_id\":{\"type\":\"integer\",\"description\":\"only this meeting; absent = all\"},"
	  "\"since\":{\"type\":\"string\",\"description\":\"all meetings only: from this date (YYYY-MM-DD, "
	  "yesterday, last week, in March)\"},"
	  "\"until\":{\"type\":\"string\",\"description\":\"all meetings only: up to this date, included\"},"
	  "\"speaker\":{\"type\":\"string\",\"description\":\"all meetings only: lines by this speaker\"}},"
	  "\"required\":[\"question\"]}",
	  tool_ask },
};

static void tools_list(struct call *c, yyjson_mut_val *result)
{
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(c->out, result, "tools");
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		yyjson_mut_val *t = yyjson_mut_arr_add_obj(c->out, arr);
		yyjson_mut_obj_add_str(c->out, t, "name", tools[i].name);
		yyjson_mut_obj_add_str(c->out, t, "description", tools[i].description);
		yyjson_doc *sd = yyjson_read(tools[i].schema, strlen(tools[i].schema), 0);
		assert(sd); /* the schemas above are constants */
		yyjson_mut_obj_add_val(c->out, t, "inputSchema", yyjson_val_mut_copy(c->out, yyjson_doc_get_root(sd)));
		yyjson_doc_free(sd);
		yyjson_mut_val *ann = yyjson_mut_obj_add_obj(c->out, t, "annotations");
		yyjson_mut_obj_add_bool(c->out, ann, "readOnlyHint", true);
		yyjson_mut_obj_add_bool(c->out, ann, "openWorldHint", false);
	}
}

static void tools_call(struct call *c, yyjson_val *params, yyjson_mut_val *result)
{
	yyjson_val *name = yyjson_obj_get(params, "name"), *args = yyjson_obj_get(params, "arguments");
	if (!yyjson_is_str(name)) {
		rpc_error(c, RPC_INVALID_PARAMS, "tools/call needs a tool 'name'");
		return;
	}
	if (args && !yyjson_is_obj(args)) {
		rpc_error(c, RPC_INVALID_PARAMS, "'arguments' must be an object");
		return;
	}
	const struct tool *t = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++)
		if (!strcmp(tools[i].name, yyjson_get_str(name)))
			t = &tools[i];
	if (!t) {
		rpc_error(c, RPC_INVALID_PARAMS, "unknown tool '%.100s'", yyjson_get_str(name));
		return;
	}
	t->run(c, args); /* yyjson_obj_get(NULL, ...) is NULL: no arguments reads as {} */
	if (c->rpc_code)
		return;
	if (c->text.failed) {
		rpc_error(c, RPC_INVALID_REQUEST, "the answer is too large");
		return;
	}
	yyjson_mut_val *content = yyjson_mut_obj_add_arr(c->out, result, "content");
	yyjson_mut_val *item = yyjson_mut_arr_add_obj(c->out, content);
	yyjson_mut_obj_add_str(c->out, item, "type", "text");
	yyjson_mut_obj_add_strncpy(c->out, item, "text", c->text.data, c->text.len);
	yyjson_mut_obj_add_bool(c->out, result, "isError", c->tool_error);
}

static void initialize(struct call *c, yyjson_val *params, yyjson_mut_val *result)
{
	yyjson_val *v = yyjson_obj_get(params, "protocolVersion");
	if (!yyjson_is_str(v)) {
		rpc_error(c, RPC_INVALID_PARAMS, "initialize needs 'protocolVersion'");
		return;
	}
	/* the one version spoken here; a client that cannot speak it disconnects */
	yyjson_mut_obj_add_str(c->out, result, "protocolVersion", MCP_PROTOCOL);
	yyjson_mut_val *caps = yyjson_mut_obj_add_obj(c->out, result, "capabilities");
	yyjson_mut_val *tl = yyjson_mut_obj_add_obj(c->out, caps, "tools");
	yyjson_mut_obj_add_bool(c->out, tl, "listChanged", false);
	yyjson_mut_val *info = yyjson_mut_obj_add_obj(c->out, result, "serverInfo");
	yyjson_mut_obj_add_str(c->out, info, "name", "tacit");
	yyjson_mut_obj_add_str(c->out, info, "version", TACIT_VERSION);
	yyjson_mut_obj_add_str(c->out, result, "instructions",
			       "Read-only access to the user's recorded meetings: search what was said, read a "
			       "meeting's transcript and summary, list action items, ask a question.");
}

/* Whether v is a JSON-RPC id this server accepts: a string or an integer (MCP forbids null). */
static bool valid_id(yyjson_val *v)
{
	return yyjson_is_str(v) || yyjson_is_int(v);
}

enum tacit_status tacit_mcp_handle(struct tacit_mcp *m, const char *line, size_t len, char **out_reply)
{
	struct call c = { .m = m };
	yyjson_doc *in = NULL;
	yyjson_val *root, *id = NULL, *method, *params;
	enum tacit_status st = TACIT_OK;

	if (!m || !out_reply || (!line && len))
		return tacit_fail(TACIT_ERR_USAGE, "tacit_mcp_handle needs a server, a line and an out pointer");
	*out_reply = NULL;
	buf_init(&c.text);
	c.text.cap = MCP_LINE_MAX * 4;
	c.out = yyjson_mut_doc_new(NULL);
	if (!c.out) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > MCP_LINE_MAX) {
		rpc_error(&c, RPC_INVALID_REQUEST, "message over %zu bytes", MCP_LINE_MAX);
		goto reply;
	}
	in = yyjson_read(line, len, 0);
	if (!in) {
		rpc_error(&c, RPC_PARSE_ERROR, "parse error: not one JSON value");
		goto reply;
	}
	root = yyjson_doc_get_root(in);
	if (!yyjson_is_obj(root)) {
		/* MCP 2025-06-18 dropped JSON-RPC batches: an array is no request either */
		rpc_error(&c, RPC_INVALID_REQUEST, "invalid request: a message is one JSON object");
		goto reply;
	}
	id = yyjson_obj_get(root, "id");
	method = yyjson_obj_get(root, "method");
	params = yyjson_obj_get(root, "params");
	if (id && !valid_id(id)) {
		id = NULL;
		rpc_error(&c, RPC_INVALID_REQUEST, "invalid request: 'id' must be a string or an integer");
		goto reply;
	}
	if (!method && id && (yyjson_obj_get(root, "result") || yyjson_obj_get(root, "error")))
		goto out; /* the client's answer to a request: none are sent from here */
	if (!yyjson_equals_str(yyjson_obj_get(root, "jsonrpc"), "2.0")) {
		rpc_error(&c, RPC_INVALID_REQUEST, "invalid request: 'jsonrpc' must be \"2.0\"");
		goto reply;
	}
	if (!yyjson_is_str(method)) {
		rpc_error(&c, RPC_INVALID_REQUEST, "invalid request: no 'method'");
		goto reply;
	}
	if (!id)
		goto out; /* a notification (notifications/initialized, cancelled): no reply */
	if (params && !yyjson_is_obj(params)) {
		rpc_error(&c, RPC_INVALID_PARAMS, "'params' must be an object");
		goto reply;
	}

	yyjson_mut_val *result = yyjson_mut_obj(c.out);
	const char *name = yyjson_get_str(method);
	if (!strcmp(name, "initialize"))
		initialize(&c, params, result);
	else if (!strcmp(name, "ping"))
		;
	else if (!strcmp(name, "tools/list"))
		tools_list(&c, result);
	else if (!strcmp(name, "tools/call"))
		tools_call(&c, params, result);
	else
		rpc_error(&c, RPC_METHOD_NOT_FOUND, "method not found: '%.100s'", name);
	if (!c.rpc_code) {
		yyjson_mut_val *r = yyjson_mut_obj(c.out);
		yyjson_mut_doc_set_root(c.out, r);
		yyjson_mut_obj_add_str(c.out, r, "jsonrpc", "2.0");
		yyjson_mut_obj_add_val(c.out, r, "id", yyjson_val_mut_copy(c.out, id));
		yyjson_mut_obj_add_val(c.out, r, "result", result);
		goto write;
	}
reply: {
	yyjson_mut_val *r = yyjson_mut_obj(c.out), *e;
	yyjson_mut_doc_set_root(c.out, r);
	yyjson_mut_obj_add_str(c.out, r, "jsonrpc", "2.0");
	yyjson_mut_obj_add_val(c.out, r, "id", id ? yyjson_val_mut_copy(c.out, id) : yyjson_mut_null(c.out));
	e = yyjson_mut_obj_add_obj(c.out, r, "error");
	yyjson_mut_obj_add_int(c.out, e, "code", c.rpc_code);
	yyjson_mut_obj_add_strcpy(c.out, e, "message", c.rpc_msg);
}
write:
	*out_reply = yyjson_mut_write(c.out, YYJSON_WRITE_ALLOW_INVALID_UNICODE, NULL);
	if (!*out_reply)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory writing a reply");
out:
	yyjson_doc_free(in);
	yyjson_mut_doc_free(c.out);
	buf_release(&c.text);
	return st;
}
