/*
 * test_api.c — the web app's handler without a socket: the security gate (Host, Origin,
 * token, methods), target parsing, and the history and settings calls end to end on a
 * store under the test's TACIT_HOME.
 */
#include "../check.h"
#include "api.h"

#include <stdlib.h>

#include <yyjson.h>

#define TOKEN "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static struct api *new_api(void)
{
	struct tacit_system sys;
	struct api_params p = { .port = 4321, .token = TOKEN, .no_network = true };
	struct api *api = NULL;
	if (tacit_profile_get("m3-air-16gb", &sys) != TACIT_OK)
		return NULL;
	p.sys = &sys;
	return api_new(&p, &api) == TACIT_OK ? api : NULL;
}

/* Runs one request with valid Host, Origin and token unless overridden ("" = absent). */
static int call(struct api *api, const char *method, const char *target, const char *body, const char *host,
		const char *origin, const char *auth, struct buf *out)
{
	struct api_request req = { 0 };
	struct api_response res;
	req.method = method;
	req.target = target;
	req.host = host ? (*host ? host : NULL) : "127.0.0.1:4321";
	req.origin = origin ? (*origin ? origin : NULL) : "http://127.0.0.1:4321";
	req.authorization = auth ? (*auth ? auth : NULL) : "Bearer " TOKEN;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	api_handle(api, &req, &res);
	int st = res.status;
	if (out) {
		buf_reset(out);
		buf_add(out, res.body.data, res.body.len);
	}
	api_response_release(&res);
	return st;
}

#define GET(t) call(api, "GET", t, NULL, NULL, "", NULL, &out)

TEST(api_security_gate)
{
	struct api *api = new_api();
	struct buf out;
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK_EQ_INT(GET("/api/sessions"), 200);
	CHECK_EQ_INT(call(api, "GET", "/api/sessions", NULL, "localhost:4321", "", NULL, NULL), 200);
	CHECK_EQ_INT(call(api, "GET", "/api/sessions", NULL, "[::1]:4321", "", NULL, NULL), 200);
	CHECK_EQ_INT(call(api, "GET", "/api/sessions", NULL, "evil.example:4321", "", NULL, NULL), 421);
	CHECK_EQ_INT(call(api, "GET", "/api/sessions", NULL, "127.0.0.1:4322", "", NULL, NULL), 421);
	CHECK_EQ_INT(call(api, "GET", "/api/sessions", NULL, "", "", NULL, NULL), 421);
	CHECK_EQ_INT(call(api, "GET", "/api/sessions", NULL, NULL, "http://evil.example", NULL, NULL), 403);
	CHECK_EQ_INT(call(api, "GET", "/api/sessions", NULL, NULL, "", "", NULL), 401);
	CHECK_EQ_INT(call(api, "GET", "/api/sessions", NULL, NULL, "", "Bearer nope", NULL), 401);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{}", NULL, "", NULL, NULL), 403);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{}", NULL, "http://127.0.0.1:4322", NULL, NULL), 403);
	CHECK_EQ_INT(call(api, "OPTIONS", "/api/settings", NULL, NULL, NULL, NULL, NULL), 405);
	/* the one-time link */
	struct api_request req = { .method = "GET", .target = "/?token=" TOKEN, .host = "localhost:4321" };
	struct api_response res;
	api_handle(api, &req, &res);
	CHECK_EQ_INT(res.status, 303);
	CHECK(res.set_cookie && strstr(res.set_cookie, "HttpOnly") && strstr(res.set_cookie, "SameSite=Strict"));
	CHECK_STR(res.location, "/");
	api_response_release(&res);
	req.target = "/?token=00112233445566778899aabbccddeeff00112233445566778899aabbccddeefe";
	api_handle(api, &req, &res);
	CHECK_EQ_INT(res.status, 403);
	CHECK(res.set_cookie == NULL);
	api_response_release(&res);
	/* the cookie instead of the bearer */
	req.target = "/api/sessions";
	req.cookie = "x=1; tacit_token=" TOKEN "; y=2";
	api_handle(api, &req, &res);
	CHECK_EQ_INT(res.status, 200);
	api_response_release(&res);
	/* targets */
	CHECK_EQ_INT(GET("/api/../x"), 400);
	CHECK_EQ_INT(GET("/api/%2e%2e"), 400);
	CHECK_EQ_INT(GET("/api/search?q=%zz"), 400);
	CHECK_EQ_INT(GET("/api/search?q=a&q=b"), 400);
	CHECK_EQ_INT(GET("/api/nothing"), 404);
	CHECK_EQ_INT(GET("/missing.js"), 404);
	CHECK_EQ_INT(GET("/"), 200);
	CHECK(strstr(out.data, "<html") != NULL);
	CHECK_EQ_INT(GET("/api/meeting"), 200);
	CHECK(strstr(out.data, "\"available\":false") != NULL);
	CHECK(strstr(out.data, "\"meeting\":null") != NULL);
	/* no models on this device: a clear 409 that says what to do, and no session */
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/start", "{\"channels\":2}", NULL, NULL, NULL, &out), 409);
	CHECK(strstr(out.data, "tacit pull") != NULL);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/start", "{\"channels\":3}", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/start", "{\"resume\":0}", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/start", "{\"resume\":\"1\"}", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/start", "{\"partials\":1}", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/start", "[]", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/audio?channels=1", "\x01\x02", NULL, NULL, NULL, &out), 409);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/audio?channels=3", "\x01\x02", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/audio?channels=1&format=f32le", "\x01\x02", NULL, NULL, NULL, &out),
		     400);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/audio?channels=1&format=u8", "\x01\x02", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/stop", "", NULL, NULL, NULL, &out), 409);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/chat", "{\"question\":\"why?\"}", NULL, NULL, NULL, &out), 409);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/chat", "{\"question\":7}", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(GET("/api/meeting/events"), 409);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/suggestions", "{\"on\":\"yes\"}", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/events", "", NULL, NULL, NULL, &out), 405);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/close", "", NULL, NULL, NULL, &out), 200);
	buf_release(&out);
	api_free(api);
}

TEST(api_history_and_settings)
{
	struct api *api = new_api();
	struct buf out;
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK_EQ_INT(call(api, "POST", "/api/sessions/import?name=Budget%20review.txt",
			  "Alice: we must cut the budgets this quarter\nBob: the kick-off is on Monday\n", NULL, NULL,
			  NULL, &out),
		     201);
	CHECK(strstr(out.data, "\"title\":\"Budget review\"") != NULL);
	CHECK_EQ_INT(call(api, "POST", "/api/sessions/import?name=x.wav", "RIFF", NULL, NULL, NULL, &out), 415);
	CHECK_EQ_INT(call(api, "POST", "/api/sessions/import?name=x.json", "{", NULL, NULL, NULL, &out), 422);
	CHECK_EQ_INT(GET("/api/sessions"), 200);
	CHECK(strstr(out.data, "Budget review") != NULL);
	CHECK_EQ_INT(GET("/api/search?q=budget"), 200);
	CHECK(strstr(out.data, "[budgets]") != NULL);
	CHECK_EQ_INT(GET("/api/search?q=%22open"), 400);
	CHECK_EQ_INT(GET("/api/search?q=budget&limit=0"), 400);
	CHECK_EQ_INT(GET("/api/sessions/1"), 200);
	CHECK(strstr(out.data, "kick-off") && strstr(out.data, "\"segments\""));
	CHECK_EQ_INT(GET("/api/sessions/1/export?format=vtt"), 200);
	CHECK(!strncmp(out.data, "WEBVTT", 6));
	CHECK_EQ_INT(GET("/api/sessions/1/export?format=doc"), 400);
	CHECK_EQ_INT(call(api, "PUT", "/api/sessions/1", "{\"title\":\"Q3 budget\"}", NULL, NULL, NULL, &out), 200);
	CHECK(strstr(out.data, "Q3 budget") != NULL);
	CHECK_EQ_INT(call(api, "PUT", "/api/sessions/1", "{\"title\":\"\"}", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "PUT", "/api/sessions/1", "{\"title\":7}", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(GET("/api/sessions/2"), 404);
	CHECK_EQ_INT(GET("/api/sessions/0"), 400);
	/* settings: known keys, checked values, nothing written when one is bad */
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{\"suggestions.auto\":\"on\",\"output.language\":\"fr\"}", NULL,
			  NULL, NULL, &out),
		     200);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{\"output.language\":\"de\",\"suggestions.auto\":\"yes\"}", NULL,
			  NULL, NULL, &out),
		     400);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{\"model.asr\":\"qwen3.5-2b\"}", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{\"color\":\"red\"}", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(GET("/api/settings"), 200);
	CHECK(strstr(out.data, "\"value\":\"fr\"") != NULL);
	CHECK(strstr(out.data, "\"value\":\"de\"") == NULL);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{\"output.language\":null}", NULL, NULL, NULL, &out), 200);
	CHECK(strstr(out.data, "\"value\":\"fr\"") == NULL);
	/* models: the picker's fields; downloads are off in this api */
	CHECK_EQ_INT(GET("/api/models"), 200);
	CHECK(strstr(out.data, "\"verdict\"") && strstr(out.data, "\"recommended\""));
	CHECK_EQ_INT(call(api, "POST", "/api/models/qwen3.5-2b/pull", NULL, NULL, NULL, NULL, &out), 503);
	CHECK_EQ_INT(call(api, "POST", "/api/models/no-such-model/pull", NULL, NULL, NULL, NULL, &out), 404);
	CHECK_EQ_INT(call(api, "DELETE", "/api/models/qwen3.5-2b", NULL, NULL, NULL, NULL, &out), 404);
	CHECK_EQ_INT(call(api, "DELETE", "/api/sessions/1", NULL, NULL, NULL, NULL, &out), 200);
	CHECK_EQ_INT(GET("/api/sessions/1"), 404);
	buf_release(&out);
	api_free(api);
}

TEST(api_chat_needs_a_model)
{
	struct api *api = new_api();
	struct buf out;
	char body[4200];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK_EQ_INT(call(api, "POST", "/api/sessions/import?name=m.txt",
			  "Alice: the budget is ten thousand euros\nBob: we ship the remote in May\n", NULL, NULL, NULL,
			  &out),
		     201);
	CHECK_EQ_INT(call(api, "POST", "/api/sessions/1/chat", "{\"question\":\"\"}", NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "POST", "/api/sessions/9/chat", "{\"question\":\"when?\"}", NULL, NULL, NULL, &out), 404);
	CHECK_EQ_INT(call(api, "POST", "/api/sessions/1/chat", "{\"question\":\"when?\"}", NULL, NULL, NULL, &out), 409);
	CHECK(strstr(out.data, "tacit pull") != NULL);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{\"model.llm\":\"/etc/passwd\"}", NULL, NULL, NULL, &out), 400);

	/* with a real (tiny) model the answer comes back and is stored with the meeting */
	const char *shared = test_shared_dir();
	if (!shared) {
		buf_release(&out);
		api_free(api);
		SKIP("../shared is absent: no model to answer with");
	}
	char model[4096];
	snprintf(body, sizeof(body), "%s/models/stories260K.gguf", shared);
	if (!realpath(body, model)) {
		buf_release(&out);
		api_free(api);
		SKIP("../shared/models/stories260K.gguf is absent");
	}
	snprintf(body, sizeof(body), "{\"model.llm\":\"%s\"}", model);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", body, NULL, NULL, NULL, &out), 200);
	int st = call(api, "POST", "/api/sessions/1/chat", "{\"question\":\"When do we ship?\"}", NULL, NULL, NULL, &out);
	if (st != 200)
		fprintf(stderr, "chat answered %d: %s\n", st, out.data);
	CHECK_EQ_INT(st, 200);
	CHECK(strstr(out.data, "\"answer\"") && strstr(out.data, "\"grounded\""));
	CHECK_EQ_INT(call(api, "GET", "/api/sessions/1", NULL, NULL, "", NULL, &out), 200);
	CHECK(strstr(out.data, "When do we ship?") && strstr(out.data, "\"assistant\""));
	buf_release(&out);
	api_free(api);
}
