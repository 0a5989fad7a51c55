/*
 * api.c — the web app's front door: the per-launch token, the Host / Origin / token
 * checks every request passes first, target parsing (percent-decoding, path segments,
 * query arguments), the static files and dispatch to the api_*.c modules.
 * Invariant: nothing reaches a handler unless Host is one of our three names with our
 * port, a write carries our own Origin, and an /api/ request carries the token.
 */
#include "api.h"
#include "basics.h"
#include "store.h"

#include "utf8.h"

#include <stdint.h>
#include <sys/random.h>
#include <unistd.h>

#include <yyjson.h>

struct api {
	int port;
	char token[API_TOKEN_HEX + 1];
	struct tacit_catalog *cat;
	struct tacit_system sys;
	bool no_network;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stopping;
	volatile int cancel; /* set with stopping (cancel_request()): model work in requests stops */
	void *models_state;
	void *live_state;
	/* Store connections no request holds (api_store()), under lock: each open runs the
	 * store's quick check, tens of ms on a store of many meetings. */
	struct tacit_store *idle[API_STORE_IDLE];
	int n_idle;
};

static const char COOKIE_NAME[] = "tacit_token";

enum tacit_status api_new(const struct api_params *params, struct api **out)
{
	struct api *api;
	enum tacit_status st;

	*out = NULL;
	if (!params || params->port < 1 || params->port > 65535)
		return tacit_fail(TACIT_ERR_USAGE, "api_new: a port from 1 to 65535 is needed");
	if (!(api = calloc(1, sizeof(*api))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	api->port = params->port;
	api->no_network = params->no_network;
	if (params->token) {
		if (strlen(params->token) != API_TOKEN_HEX) {
			free(api);
			return tacit_fail(TACIT_ERR_USAGE, "api_new: the token must be %d characters", API_TOKEN_HEX);
		}
		memcpy(api->token, params->token, API_TOKEN_HEX + 1);
	} else {
		unsigned char raw[API_TOKEN_HEX / 2];
		size_t got = 0;
		while (got < sizeof(raw)) {
			ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				free(api);
				return tacit_fail_errno(TACIT_ERR_IO, "cannot read random bytes for the access token");
			}
			got += (size_t)n;
		}
		for (size_t i = 0; i < sizeof(raw); i++)
			snprintf(api->token + 2 * i, 3, "%02x", raw[i]);
	}
	if (params->sys) {
		api->sys = *params->sys;
	} else {
		struct tacit_probe_params pp = tacit_probe_default_params();
		if ((st = tacit_system_probe(&pp, &api->sys)) != TACIT_OK) {
			free(api);
			return st;
		}
	}
	if ((st = tacit_catalog_load(&api->cat)) != TACIT_OK) {
		free(api);
		return st;
	}
	pthread_mutex_init(&api->lock, NULL);
	pthread_cond_init(&api->cond, NULL);
	if ((st = api_live_init(api, params->live_grace_ms)) != TACIT_OK) {
		api_free(api);
		return st;
	}
	*out = api;
	return TACIT_OK;
}

void api_shutdown(struct api *api)
{
	if (!api)
		return;
	pthread_mutex_lock(&api->lock);
	api->stopping = true;
	cancel_request(&api->cancel);
	pthread_cond_broadcast(&api->cond);
	pthread_mutex_unlock(&api->lock);
	api_models_shutdown(api);
	api_live_shutdown(api);
}

void api_free(struct api *api)
{
	if (!api)
		return;
	api_shutdown(api);
	api_models_free(api);
	api_live_free(api);
	for (int i = 0; i < api->n_idle; i++)
		tacit_store_close(api->idle[i]);
	tacit_catalog_free(api->cat);
	pthread_cond_destroy(&api->cond);
	pthread_mutex_destroy(&api->lock);
	free(api);
}

const char *api_token(const struct api *api)
{
	return api->token;
}

pthread_mutex_t *api_lock(struct api *api)
{
	return &api->lock;
}

pthread_cond_t *api_cond(struct api *api)
{
	return &api->cond;
}

const struct tacit_catalog *api_catalog(struct api *api)
{
	return api->cat;
}

const struct tacit_system *api_system(struct api *api)
{
	return &api->sys;
}

bool api_no_network(struct api *api)
{
	return api->no_network;
}

void *api_models_state(struct api *api)
{
	return api->models_state;
}

void api_set_models_state(struct api *api, void *state)
{
	api->models_state = state;
}

void *api_live_state(struct api *api)
{
	return api->live_state;
}

void api_set_live_state(struct api *api, void *state)
{
	api->live_state = state;
}

const volatile int *api_cancel_flag(struct api *api)
{
	return &api->cancel;
}

bool api_stopping_locked(struct api *api)
{
	return api->stopping;
}

bool api_stopping(struct api *api)
{
	pthread_mutex_lock(&api->lock);
	bool s = api->stopping;
	pthread_mutex_unlock(&api->lock);
	return s;
}

/* ---- responses ----------------------------------------------------------------- */

void api_response_release(struct api_response *res)
{
	buf_release(&res->body);
	free(res->location);
	free(res->set_cookie);
	free(res->disposition);
	free(res->content_range);
	if (res->has_file)
		close(res->file_fd);
	api_stream_free(res->stream);
	memset(res, 0, sizeof(*res));
}

static int http_code(enum tacit_status st)
{
	switch (st) {
	case TACIT_OK: return 200;
	case TACIT_ERR_USAGE: return 400;
	case TACIT_ERR_FORMAT: return 422;
	case TACIT_ERR_NOT_FOUND: return 404;
	case TACIT_ERR_UNSUPPORTED: return 501;
	case TACIT_ERR_CANCELLED: return 409;
	case TACIT_ERR_NO_FIT: return 409;
	case TACIT_ERR_CONTEXT_FULL: return 409;
	case TACIT_ERR_NETWORK: return 502;
	case TACIT_ERR_NO_SPACE: return 507;
	case TACIT_ERR_NOMEM: return 503;
	default: return 500;
	}
}

static void write_error(struct api_response *res, int http, const char *status, const char *msg)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_val *e = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_val(doc, root, "error", e);
	yyjson_mut_obj_add_strcpy(doc, e, "status", status);
	yyjson_mut_obj_add_strcpy(doc, e, "message", msg);
	api_json(res, http, doc);
}

void api_error_http(struct api_response *res, int http, enum tacit_status st)
{
	const char *msg = tacit_errmsg();
	write_error(res, http, tacit_status_str(st), msg && *msg ? msg : tacit_status_str(st));
}

enum tacit_status api_error(struct api_response *res, enum tacit_status st)
{
	api_error_http(res, http_code(st), st);
	return st;
}

void api_error_msg(struct api_response *res, int http, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* a message echoing a path is cut between characters, never inside one */
	if (n >= (int)sizeof(msg))
		msg[utf8_cut(msg, sizeof(msg) - 1, sizeof(msg) - 4)] = '\0';
	write_error(res, http, http == 401 ? "unauthorized" : http == 403 ? "forbidden" : "error", msg);
}

void api_json(struct api_response *res, int http, void *mut_doc)
{
	yyjson_mut_doc *doc = mut_doc;
	size_t len = 0;
	char *text = doc ? utf8_json_write(doc, 0, &len) : NULL;
	yyjson_mut_doc_free(doc);
	buf_reset(&res->body);
	res->content_type = "application/json";
	if (!text || !buf_add(&res->body, text, len) || !buf_adds(&res->body, "\n")) {
		buf_reset(&res->body);
		buf_adds(&res->body, "{\"error\":{\"status\":\"out of memory\",\"message\":\"out of memory\"}}\n");
		http = 503;
	}
	free(text);
	res->status = http;
}

void *api_body_object(const struct api_call *c, struct api_response *res)
{
	yyjson_read_err err;
	yyjson_doc *doc;
	if (c->req->body_len > API_JSON_MAX) {
		api_error_msg(res, 413, "the request body is larger than %zu bytes", API_JSON_MAX);
		return NULL;
	}
	doc = yyjson_read_opts((char *)(uintptr_t)c->req->body, c->req->body_len, 0, NULL, &err);
	if (!doc || !yyjson_is_obj(yyjson_doc_get_root(doc))) {
		api_error_msg(res, 400, "the request body must be a JSON object%s%s", doc ? "" : ": ",
			      doc ? "" : err.msg ? err.msg : "");
		yyjson_doc_free(doc);
		return NULL;
	}
	return doc;
}

int64_t api_parse_id(const char *s)
{
	int64_t v = 0;
	if (!s || !*s || strlen(s) > 18 || *s == '0')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

struct tacit_store *api_store(struct api *api, struct api_response *res)
{
	struct tacit_store *s = NULL;
	for (;;) {
		pthread_mutex_lock(&api->lock);
		s = api->n_idle ? api->idle[--api->n_idle] : NULL;
		pthread_mutex_unlock(&api->lock);
		if (!s || store_reusable(s))
			break;
		tacit_store_close(s); /* the file was replaced: its new self is opened with its checks */
	}
	if (s)
		return s;
	enum tacit_status st = tacit_store_open(NULL, &s);
	if (st != TACIT_OK) {
		if (res)
			api_error(res, st);
		return NULL;
	}
	return s;
}

void api_store_put(struct api *api, struct tacit_store *s)
{
	if (!s)
		return;
	if (store_reusable(s)) {
		pthread_mutex_lock(&api->lock);
		if (api->n_idle < API_STORE_IDLE && !api->stopping) {
			api->idle[api->n_idle++] = s;
			s = NULL;
		}
		pthread_mutex_unlock(&api->lock);
	}
	tacit_store_close(s);
}

const char *api_arg(const struct api_call *c, const char *key)
{
	for (int i = 0; i < c->n_args; i++)
		if (!strcmp(c->key[i], key))
			return c->val[i];
	return NULL;
}

/* ---- parsing ------------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes [s, s + n) into dst (NUL-terminated); plus: '+' is a space (query strings).
 * False for a bad escape, an encoded NUL or a control character. */
static bool url_decode(const char *s, size_t n, bool plus, char *dst)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '%') {
			int h, l;
			if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0)
				return false;
			ch = (unsigned char)(h * 16 + l);
			i += 2;
		} else if (ch == '+' && plus) {
			ch = ' ';
		}
		if (ch < 0x20 || ch == 0x7f)
			return false;
		*dst++ = (char)ch;
	}
	*dst = '\0';
	return true;
}

/* Splits the target into c->seg and c->key/val. False for a malformed target. */
static bool parse_target(struct api_call *c, const char *target)
{
	size_t n = strlen(target), plen;
	const char *q = strchr(target, '?');
	char *out = c->storage;

	if (n == 0 || n > API_TARGET_MAX || target[0] != '/')
		return false;
	plen = q ? (size_t)(q - target) : n;
	/* path segments, each decoded on its own so an encoded '/' stays inside one */
	const char *p = target + 1, *end = target + plen;
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t sl = slash ? (size_t)(slash - p) : (size_t)(end - p);
		if (sl == 0) {
			if (slash && slash + 1 == end)
				break; /* a trailing slash */
			if (!slash)
				break;
			return false; /* "//" */
		}
		if (c->n_seg == API_MAX_SEGS || !url_decode(p, sl, false, out))
			return false;
		if (!strcmp(out, ".") || !strcmp(out, "..") || strchr(out, '/'))
			return false;
		c->seg[c->n_seg++] = out;
		out += strlen(out) + 1;
		p += sl + (slash ? 1 : 0);
	}
	if (!q)
		return true;
	p = q + 1;
	end = target + n;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t al = amp ? (size_t)(amp - p) : (size_t)(end - p);
		const char *eq = memchr(p, '=', al);
		size_t kl = eq ? (size_t)(eq - p) : al;
		if (al > 0) {
			if (c->n_args == API_MAX_ARGS || kl == 0)
				return false;
			c->key[c->n_args] = out;
			if (!url_decode(p, kl, true, out))
				return false;
			out += strlen(out) + 1;
			c->val[c->n_args] = out;
			if (!url_decode(eq ? eq + 1 : p + al, eq ? al - kl - 1 : 0, true, out))
				return false;
			out += strlen(out) + 1;
			/* a repeated key is ambiguous: refuse it rather than guess */
			for (int i = 0; i < c->n_args; i++)
				if (!strcmp(c->key[i], c->key[c->n_args]))
					return false;
			c->n_args++;
		}
		p += al + 1;
	}
	return true;
}

/* ---- security checks ----------------------------------------------------------- */

/* host is exactly one of our names followed by ":PORT". */
static bool host_ok(const struct api *api, const char *host)
{
	static const char *const names[] = { "127.0.0.1", "localhost", "[::1]" };
	char want[64];
	if (!host)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(want, sizeof(want), "%s:%d", names[i], api->port);
		if (!strcmp(host, want))
			return true;
	}
	return false;
}

static bool origin_ok(const struct api *api, const char *origin)
{
	return origin && !strncmp(origin, "http://", 7) && host_ok(api, origin + 7);
}

/* Compares without an early exit, so timing says nothing about the token. */
static bool token_equal(const char *a, const char *token)
{
	unsigned char diff = 0;
	size_t n = strlen(a);
	if (n != API_TOKEN_HEX)
		return false;
	for (size_t i = 0; i < API_TOKEN_HEX; i++)
		diff |= (unsigned char)(a[i] ^ token[i]);
	return diff == 0;
}

static bool authorized(const struct api *api, const struct api_request *req)
{
	if (req->authorization && !strncmp(req->authorization, "Bearer ", 7))
		return token_equal(req->authorization + 7, api->token);
	if (req->cookie) {
		/* "a=b; tacit_token=HEX; c=d" */
		const char *p = req->cookie;
		while (p && *p) {
			while (*p == ' ' || *p == ';')
				p++;
			size_t nl = strlen(COOKIE_NAME);
			if (!strncmp(p, COOKIE_NAME, nl) && p[nl] == '=') {
				char v[API_TOKEN_HEX + 2];
				size_t vl = strcspn(p + nl + 1, ";");
				if (vl != API_TOKEN_HEX)
					return false;
				memcpy(v, p + nl + 1, vl);
				v[vl] = '\0';
				return token_equal(v, api->token);
			}
			p = strchr(p, ';');
		}
	}
	return false;
}

static bool is_write(const char *m)
{
	return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "DELETE");
}

size_t api_body_limit(const char *method, const char *target)
{
	if (!method || !target || !is_write(method))
		return 0;
	if (api_body_to_file(method, target))
		return API_RECORDING_MAX;
	if (!strncmp(target, "/api/sessions/import", 20))
		return API_UPLOAD_MAX;
	if (!strncmp(target, "/api/meeting/audio", 18))
		return API_PCM_MAX;
	return API_JSON_MAX;
}

/* ---- static files and the one-time token URL ------------------------------------ */

static void serve_file(struct api_call *c, struct api_response *res)
{
	const char *data, *mime;
	size_t len;
	char path[API_TARGET_MAX + 2] = "";

	if (c->n_seg == 0) {
		const char *t = api_arg(c, "token");
		if (t) {
			if (!token_equal(t, c->api->token)) {
				api_error_msg(res, 403, "this link's access token is wrong or from an earlier launch: "
							"open the URL 'tacit serve' printed this time");
				return;
			}
			/* the cookie carries the token from now on; the redirect drops it from
			 * the address bar and from history */
			if (asprintf(&res->set_cookie, "%s=%s; HttpOnly; SameSite=Strict; Path=/", COOKIE_NAME,
				     c->api->token) < 0 ||
			    !(res->location = strdup("/"))) {
				api_error_msg(res, 503, "out of memory");
				return;
			}
			res->status = 303;
			res->content_type = "text/plain; charset=utf-8";
			buf_adds(&res->body, "see /\n");
			return;
		}
		strcpy(path, "/index.html");
	} else {
		for (int i = 0; i < c->n_seg; i++) {
			if (strlen(path) + strlen(c->seg[i]) + 2 > sizeof(path))
				break;
			strcat(path, "/");
			strcat(path, c->seg[i]);
		}
	}
	if (!webapp_file(path, &data, &len, &mime)) {
		api_error_msg(res, 404, "no page '%s'", path);
		return;
	}
	res->status = 200;
	res->content_type = mime;
	if (!buf_add(&res->body, data, len))
		api_error_msg(res, 503, "out of memory");
}

static void system_route(struct api_call *c, struct api_response *res)
{
	char *text = tacit_system_json(api_system(c->api));
	if (!text) {
		api_error_msg(res, 503, "out of memory");
		return;
	}
	res->status = 200;
	res->content_type = "application/json";
	buf_adds(&res->body, text);
	tacit_free(text);
}

#define IMPORT_AUDIO_TARGET "/api/sessions/import-audio"

bool api_body_to_file(const char *method, const char *target)
{
	size_t n = strlen(IMPORT_AUDIO_TARGET);
	return method && target && !strcmp(method, "POST") && !strncmp(target, IMPORT_AUDIO_TARGET, n) &&
	       (target[n] == '\0' || target[n] == '?');
}

bool api_admit(struct api *api, const struct api_request *req, struct api_response *res)
{
	memset(res, 0, sizeof(*res));
	buf_init(&res->body);
	if (!req->method || !req->target) {
		api_error_msg(res, 400, "malformed request");
		return false;
	}
	/* DNS rebinding: a foreign name resolving to 127.0.0.1 still says its own name here */
	if (!host_ok(api, req->host)) {
		api_error_msg(res, 421, "this server answers only to 127.0.0.1:%d, localhost:%d or [::1]:%d", api->port,
			      api->port, api->port);
		return false;
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD") && !is_write(req->method)) {
		api_error_msg(res, 405, "method '%.16s' is not allowed", req->method);
		return false;
	}
	/* Another site's page may send requests here; it can never carry our Origin. */
	if (req->origin && !origin_ok(api, req->origin)) {
		api_error_msg(res, 403, "requests from other sites are refused");
		return false;
	}
	if (is_write(req->method) && (!req->origin || (req->sec_fetch_site && strcmp(req->sec_fetch_site, "same-origin") &&
						       strcmp(req->sec_fetch_site, "none")))) {
		api_error_msg(res, 403, "a change needs the Origin header of this server");
		return false;
	}
	/* the decoded path decides later; this catches the raw spelling before a body is
	 * written to disk */
	if (!strncmp(req->target, "/api/", 5) && !authorized(api, req)) {
		api_error_msg(res, 401, "missing or wrong access token: open the URL 'tacit serve' printed");
		return false;
	}
	return true;
}

void api_handle(struct api *api, const struct api_request *req, struct api_response *res)
{
	struct api_call *c = NULL;

	if (!api_admit(api, req, res))
		return;
	if (req->body_len > api_body_limit(req->method, req->target)) {
		if (api_body_to_file(req->method, req->target))
			api_error_msg(res, 413, "the recording is larger than the %zu GiB an upload may be: "
				      "convert it to a compressed format (mp3, m4a, ogg) first", API_RECORDING_MAX >> 30);
		else
			api_error_msg(res, 413, "the request body is too large");
		return;
	}
	if (!(c = calloc(1, sizeof(*c)))) {
		api_error_msg(res, 503, "out of memory");
		return;
	}
	c->api = api;
	c->req = req;
	if (!parse_target(c, req->target)) {
		api_error_msg(res, 400, "malformed request target");
		goto out;
	}
	if (c->n_seg == 0 || strcmp(c->seg[0], "api")) {
		if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD"))
			api_error_msg(res, 405, "pages are read-only");
		else
			serve_file(c, res);
		goto out;
	}
	if (!authorized(api, req)) {
		api_error_msg(res, 401, "missing or wrong access token: open the URL 'tacit serve' printed");
		goto out;
	}
	if (api_stopping(api)) {
		api_error_msg(res, 503, "the server is stopping");
		goto out;
	}
	if (c->n_seg == 2 && !strcmp(c->seg[1], "system") && !strcmp(req->method, "GET")) {
		system_route(c, res);
		goto out;
	}
	if (api_models_route(c, res) || api_custom_route(c, res) || api_import_route(c, res) ||
	    api_ask_all_route(c, res) || api_actions_route(c, res) || api_sessions_route(c, res) ||
	    api_live_route(c, res) || api_templates_route(c, res))
		goto out;
	api_error_msg(res, 404, "no such API call: %s %.*s", req->method,
		      (int)utf8_cut(req->target, strlen(req->target), 200), req->target);
out:
	free(c);
}

int api_stream_read(struct api_stream *s, struct buf *out)
{
	return s->read(s, out);
}

void api_stream_free(struct api_stream *s)
{
	if (s)
		s->free(s);
}
