/*
 * api_live.c — the Meeting page's endpoints: start/stop, PCM upload (16 kHz s16le, one
 * or two channels: Me / Them), an event stream of segments and suggestions, and chat.
 * Requests are validated here in full; the work goes to a struct live_backend, so wiring
 * the live-meeting library in is a matter of filling one table. This build has no
 * backend: every call that needs one answers 501 with the reason, and the page says so.
 */
#include "api.h"

#include <yyjson.h>

#define LIVE_TITLE_MAX 512
#define LIVE_QUESTION_MAX 2000

/* What the endpoints need from a live meeting. Events (segments, suggestions, answer
 * tokens) reach the page through the stream the backend's subscribe() returns. */
struct live_backend {
	/* NULL when live meetings work, else a sentence saying why they do not */
	const char *(*unavailable)(void);
	enum tacit_status (*start)(const char *title, int n_channels, int64_t *out_session);
	enum tacit_status (*push)(const int16_t *pcm, size_t n_frames, int n_channels);
	enum tacit_status (*stop)(int64_t *out_session);
	enum tacit_status (*ask)(const char *question);
	struct api_stream *(*subscribe)(void);
};

static const char *none_unavailable(void)
{
	return "live meetings are not available in this build: import a transcript or use 'tacit transcribe' for now";
}

static const struct live_backend backend = { none_unavailable, NULL, NULL, NULL, NULL, NULL };

static bool unavailable(struct api_response *res)
{
	const char *why = backend.unavailable ? backend.unavailable() : NULL;
	if (why)
		api_error_msg(res, 501, "%s", why);
	return why != NULL;
}

static void ok(struct api_response *res, int http, const char *key, int64_t v)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_int(doc, root, key, v);
	api_json(res, http, doc);
}

static void status(struct api_response *res)
{
	const char *why = backend.unavailable ? backend.unavailable() : NULL;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_bool(doc, root, "available", why == NULL);
	if (why)
		yyjson_mut_obj_add_str(doc, root, "reason", why);
	else
		yyjson_mut_obj_add_null(doc, root, "reason");
	api_json(res, 200, doc);
}

static void start(struct api_call *c, struct api_response *res)
{
	yyjson_doc *doc = api_body_object(c, res);
	if (!doc)
		return;
	yyjson_val *root = yyjson_doc_get_root(doc);
	yyjson_val *title = yyjson_obj_get(root, "title"), *ch = yyjson_obj_get(root, "channels");
	int64_t id = 0;
	if (title && !(yyjson_is_str(title) && yyjson_get_len(title) <= LIVE_TITLE_MAX &&
		       strlen(yyjson_get_str(title)) == yyjson_get_len(title))) {
		api_error_msg(res, 400, "\"title\" must be text of at most %d bytes", LIVE_TITLE_MAX);
	} else if (ch && !(yyjson_is_int(ch) && (yyjson_get_sint(ch) == 1 || yyjson_get_sint(ch) == 2))) {
		api_error_msg(res, 400, "\"channels\" must be 1 (microphone) or 2 (microphone and meeting audio)");
	} else if (!unavailable(res)) {
		enum tacit_status st = backend.start(title ? yyjson_get_str(title) : NULL,
						     ch ? (int)yyjson_get_sint(ch) : 1, &id);
		if (st != TACIT_OK)
			api_error(res, st);
		else
			ok(res, 201, "session_id", id);
	}
	yyjson_doc_free(doc);
}

static void audio(struct api_call *c, struct api_response *res)
{
	const char *chs = api_arg(c, "channels");
	int64_t n_ch = chs ? api_parse_id(chs) : 1;
	size_t len = c->req->body_len;
	if (n_ch != 1 && n_ch != 2) {
		api_error_msg(res, 400, "\"channels\" must be 1 or 2");
		return;
	}
	if (len == 0 || len % (size_t)(2 * n_ch)) {
		api_error_msg(res, 400, "the body must be whole frames of 16-bit PCM (%d bytes each)", (int)(2 * n_ch));
		return;
	}
	if (unavailable(res))
		return;
	size_t n_frames = len / (size_t)(2 * n_ch);
	int16_t *pcm = malloc(len);
	if (!pcm) {
		api_error_msg(res, 503, "out of memory");
		return;
	}
	for (size_t i = 0; i < len / 2; i++) { /* little-endian on the wire, whatever the host */
		const unsigned char *b = (const unsigned char *)c->req->body + 2 * i;
		pcm[i] = (int16_t)(uint16_t)(b[0] | b[1] << 8);
	}
	enum tacit_status st = backend.push(pcm, n_frames, (int)n_ch);
	free(pcm);
	if (st != TACIT_OK)
		api_error(res, st);
	else
		ok(res, 200, "frames", (int64_t)n_frames);
}

static void chat(struct api_call *c, struct api_response *res)
{
	yyjson_doc *doc = api_body_object(c, res);
	if (!doc)
		return;
	yyjson_val *q = yyjson_obj_get(yyjson_doc_get_root(doc), "question");
	if (!yyjson_is_str(q) || yyjson_get_len(q) == 0 || yyjson_get_len(q) > LIVE_QUESTION_MAX ||
	    strlen(yyjson_get_str(q)) != yyjson_get_len(q)) {
		api_error_msg(res, 400, "\"question\" must be text of 1 to %d bytes", LIVE_QUESTION_MAX);
	} else if (!unavailable(res)) {
		enum tacit_status st = backend.ask(yyjson_get_str(q));
		if (st != TACIT_OK)
			api_error(res, st);
		else
			ok(res, 202, "accepted", 1);
	}
	yyjson_doc_free(doc);
}

bool api_live_route(struct api_call *c, struct api_response *res)
{
	const char *m = c->req->method;
	bool get = !strcmp(m, "GET") || !strcmp(m, "HEAD"), post = !strcmp(m, "POST");
	if (c->n_seg < 2 || strcmp(c->seg[1], "meeting"))
		return false;
	const char *what = c->n_seg == 3 ? c->seg[2] : c->n_seg == 2 ? "" : NULL;
	if (!what) {
		api_error_msg(res, 404, "no such meeting call");
	} else if (!*what && get) {
		status(res);
	} else if (!strcmp(what, "start") && post) {
		start(c, res);
	} else if (!strcmp(what, "audio") && post) {
		audio(c, res);
	} else if (!strcmp(what, "chat") && post) {
		chat(c, res);
	} else if (!strcmp(what, "stop") && post) {
		int64_t id = 0;
		enum tacit_status st;
		if (!unavailable(res)) {
			if ((st = backend.stop(&id)) != TACIT_OK)
				api_error(res, st);
			else
				ok(res, 200, "session_id", id);
		}
	} else if (!strcmp(what, "events") && get) {
		if (!unavailable(res)) {
			if (!(res->stream = backend.subscribe())) {
				api_error_msg(res, 503, "out of memory");
			} else {
				res->status = 200;
				res->content_type = "text/event-stream";
			}
		}
	} else {
		api_error_msg(res, 405, "no %s on /api/meeting/%s", m, what);
	}
	return true;
}
