/*
 * test_api.c — the web app's handler without a socket: the security gate (Host, Origin,
 * token, methods), target parsing, and the history and settings calls end to end on a
 * store under the test's TACIT_HOME; custom models added, refused, listed, chosen and
 * forgotten; history chat answered as an event stream (the second question starting from
 * the meeting's saved transcript state), and cancelled for real when the stream is
 * dropped.
 */
#include "../check.h"
#include "api_fixture.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <yyjson.h>

/* Runs one request with valid Host, Origin and token unless overridden ("" = absent). */
static int call(struct api *api, const char *method, const char *target, const char *body, const char *host,
		const char *origin, const char *auth, struct buf *out)
{
	struct api_request rq = { 0 };
	struct api_response res;
	rq.method = method;
	rq.target = target;
	rq.host = host ? (*host ? host : NULL) : "127.0.0.1:4321";
	rq.origin = origin ? (*origin ? origin : NULL) : "http://127.0.0.1:4321";
	rq.authorization = auth ? (*auth ? auth : NULL) : "Bearer " TOKEN;
	rq.body = body;
	rq.body_len = body ? strlen(body) : 0;
	api_handle(api, &rq, &res);
	int st = res.status;
	if (out) {
		buf_reset(out);
		buf_add(out, res.body.data, res.body.len);
	}
	api_response_release(&res);
	return st;
}

#define GET(t) call(api, "GET", t, NULL, NULL, "", NULL, &out)

/* ../shared's tiny real model as an absolute path, or NULL. */
static const char *stories(void)
{
	static char path[4096];
	char rel[4096];
	const char *shared = test_shared_dir();
	if (!shared)
		return NULL;
	snprintf(rel, sizeof(rel), "%s/models/stories260K.gguf", shared);
	return realpath(rel, path) ? path : NULL;
}

/* Imports a two-line meeting; its id, or 0. */
static int64_t import_meeting(struct api *api, struct buf *out)
{
	if (call(api, "POST", "/api/sessions/import?name=m.txt",
		 "Alice: the budget is ten thousand euros\nBob: we ship the remote in May\n", NULL, NULL, NULL, out) != 201)
		return 0;
	const char *p = strstr(out->data, "\"id\":");
	return p ? strtoll(p + 5, NULL, 10) : 0;
}

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

TEST_MODEL(api_chat_needs_a_model)
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
	/* the answer streams: status, tokens as they come, then the checked answer */
	int st = post_stream(api, "/api/sessions/1/chat", "{\"question\":\"When do we ship?\"}", NULL, &out, NULL);
	if (st != 200 || !strstr(out.data, "event: answer\n"))
		fprintf(stderr, "chat answered %d: %s\n", st, out.data);
	CHECK_EQ_INT(st, 200);
	const char *delta = strstr(out.data, "event: answer_delta\ndata: {\"text\":");
	const char *answer = strstr(out.data, "event: answer\ndata: {");
	CHECK(delta && answer && delta < answer);
	CHECK(answer && strstr(answer, "\"answer\"") && strstr(answer, "\"grounded\"") && !strstr(out.data, "event: error"));
	CHECK(strstr(out.data, "event: status\ndata: {\"text\":\"loading the model\"}") == out.data);
	CHECK_EQ_INT(call(api, "GET", "/api/sessions/1", NULL, NULL, "", NULL, &out), 200);
	CHECK(strstr(out.data, "When do we ship?") && strstr(out.data, "\"assistant\""));
	/* leave no model choice behind: the unit run shares one TACIT_HOME */
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{\"model.llm\":null}", NULL, NULL, NULL, &out), 200);
	buf_release(&out);
	api_free(api);
}

/* Saved transcript states of the session in <cache>/kv. */
static int n_states(int64_t id)
{
	char *cache = NULL, dir[4200], prefix[64];
	int n = 0;
	if (tacit_dir_path(TACIT_DIR_CACHE, &cache) != TACIT_OK)
		return -1;
	snprintf(dir, sizeof(dir), "%s/kv", cache);
	tacit_free(cache);
	snprintf(prefix, sizeof(prefix), "session-%lld-", (long long)id);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix)) && !strstr(e->d_name, ".tmp");
	if (d)
		closedir(d);
	return n;
}

TEST_MODEL(api_chat_reuses_the_saved_transcript_state)
{
	struct api *api = new_api();
	const char *model = stories();
	struct buf out;
	char body[4200], target[64];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	if (!model) {
		api_free(api);
		SKIP("../shared/models/stories260K.gguf is absent: no model to answer with");
	}
	snprintf(body, sizeof(body), "{\"model.llm\":\"%s\"}", model);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", body, NULL, NULL, NULL, &out), 200);
	int64_t id = import_meeting(api, &out);
	CHECK(id > 0);
	snprintf(target, sizeof(target), "/api/sessions/%lld/chat", (long long)id);

	/* the first question reads the meeting, and its transcript state is saved */
	CHECK_EQ_INT(post_stream(api, target, "{\"question\":\"What is the budget?\"}", NULL, &out, NULL), 200);
	const char *answer = strstr(out.data, "event: answer\n");
	if (!answer)
		fprintf(stderr, "first answer: %s\n", out.data);
	CHECK(strstr(out.data, "event: status\ndata: {\"text\":\"reading the meeting's transcript\"}") != NULL);
	CHECK(answer && strstr(answer, "\"state\":\"saved\""));
	CHECK_EQ_INT(n_states(id), 1);

	/* the second, in a new model worker, starts from that state instead of the meeting */
	CHECK_EQ_INT(post_stream(api, target, "{\"question\":\"When do we ship?\"}", NULL, &out, NULL), 200);
	answer = strstr(out.data, "event: answer\n");
	if (!answer)
		fprintf(stderr, "second answer: %s\n", out.data);
	CHECK(strstr(out.data, "event: status\ndata: {\"text\":\"using the meeting's saved transcript state\"}") !=
	      NULL);
	CHECK(answer && strstr(answer, "\"state\":\"loaded\""));
	const char *reused = answer ? strstr(answer, "\"reused_tokens\":") : NULL;
	CHECK(reused && atoi(reused + strlen("\"reused_tokens\":")) > 20);
	CHECK(answer && strstr(answer, "\"id\":"));
	CHECK_EQ_INT(n_states(id), 1);

	/* both questions and answers are stored; deleting the meeting deletes its state */
	snprintf(target, sizeof(target), "/api/sessions/%lld", (long long)id);
	CHECK_EQ_INT(call(api, "GET", target, NULL, NULL, "", NULL, &out), 200);
	CHECK(strstr(out.data, "What is the budget?") && strstr(out.data, "When do we ship?"));
	const char *reply = strstr(out.data, "\"assistant\"");
	CHECK(reply && strstr(reply + 1, "\"assistant\""));
	CHECK_EQ_INT(call(api, "DELETE", target, NULL, NULL, NULL, NULL, &out), 200);
	CHECK_EQ_INT(n_states(id), 0);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{\"model.llm\":null}", NULL, NULL, NULL, &out), 200);
	buf_release(&out);
	api_free(api);
}

TEST_MODEL(api_custom_models)
{
	struct api *api = new_api();
	struct buf out;
	char body[8192];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK_EQ_INT(GET("/api/custom"), 200);
	CHECK(strstr(out.data, "\"custom\":[]") != NULL);

	/* fields are checked before the library sees them */
	const char *dir = test_tmpdir();
	static const char *const bad[] = {
		"[]",
		"{}",
		"{\"path\":7}",
		"{\"path\":\"\"}",
		"{\"path\":\"models/x.gguf\"}",
		"{\"path\":\"/tmp/a\\u0000b.gguf\"}",
		"{\"path\":\"/tmp/a\\nb.gguf\"}",
		"{\"path\":\"/tmp/x.gguf\",\"size\":1}",
		"{\"path\":\"/tmp/x.gguf\",\"name\":\"Bad Name\"}",
		"{\"path\":\"/tmp/x.gguf\",\"name\":\"-x\"}",
		"{\"path\":\"/tmp/x.gguf\",\"name\":7}",
		"{\"path\":\"/tmp/x.gguf\",\"name\":\"a\\u0000b\"}",
		"{\"path\":\"/tmp/x.gguf\",\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st = call(api, "POST", "/api/custom", bad[i], NULL, NULL, NULL, &out);
		if (st != 400)
			fprintf(stderr, "  %s -> %d\n", bad[i], st);
		CHECK_EQ_INT(st, 400);
	}
	int n = snprintf(body, sizeof(body), "{\"path\":\"/");
	while (n < 4200)
		body[n++] = 'a';
	snprintf(body + n, sizeof(body) - (size_t)n, "\"}");
	CHECK_EQ_INT(call(api, "POST", "/api/custom", body, NULL, NULL, NULL, &out), 400); /* too long */
	CHECK_EQ_INT(call(api, "POST", "/api/custom", "{\"path\":\"/no/such/model.gguf\"}", NULL, NULL, NULL, &out), 404);
	CHECK(strstr(out.data, "/no/such/model.gguf") != NULL);
	snprintf(body, sizeof(body), "{\"path\":\"%s\"}", dir);
	CHECK_EQ_INT(call(api, "POST", "/api/custom", body, NULL, NULL, NULL, &out), 422); /* a directory */
	/* the gate: writes need our Origin and the token */
	CHECK_EQ_INT(call(api, "POST", "/api/custom", "{\"path\":\"/x.gguf\"}", NULL, "", NULL, &out), 403);
	CHECK_EQ_INT(call(api, "POST", "/api/custom", "{\"path\":\"/x.gguf\"}", NULL, "http://evil.example", NULL, &out),
		     403);
	CHECK_EQ_INT(call(api, "POST", "/api/custom", "{\"path\":\"/x.gguf\"}", NULL, NULL, "", &out), 401);
	CHECK_EQ_INT(call(api, "DELETE", "/api/custom/x", NULL, NULL, "", NULL, &out), 403);
	CHECK_EQ_INT(call(api, "DELETE", "/api/custom/x", NULL, NULL, NULL, NULL, &out), 404);
	CHECK_EQ_INT(call(api, "DELETE", "/api/custom/Bad%20Name", NULL, NULL, NULL, NULL, &out), 400);
	CHECK_EQ_INT(call(api, "PUT", "/api/custom", "{}", NULL, NULL, NULL, &out), 405);
	CHECK_EQ_INT(GET("/api/custom/x/y"), 404);

	const char *src = stories();
	if (!src) {
		buf_release(&out);
		api_free(api);
		SKIP("../shared/models/stories260K.gguf is absent: no model to add");
	}
	/* a file the strict parser refuses: 422 with the library's message */
	struct buf whole;
	buf_init(&whole);
	CHECK(read_small_file(src, &whole, 64u << 20));
	char trunc[4200], other[4200];
	snprintf(trunc, sizeof(trunc), "%s", test_write_file(dir, "truncated.gguf", whole.data, whole.len / 2));
	snprintf(other, sizeof(other), "%s", test_write_file(dir, "other.gguf", whole.data, whole.len));
	buf_release(&whole);
	snprintf(body, sizeof(body), "{\"path\":\"%s\"}", trunc);
	CHECK_EQ_INT(call(api, "POST", "/api/custom", body, NULL, NULL, NULL, &out), 422);
	CHECK(strstr(out.data, "truncated.gguf") != NULL);

	/* the shared model by its path: 201 with the entry, named after the file */
	snprintf(body, sizeof(body), "{\"path\":\"%s\"}", src);
	int st = call(api, "POST", "/api/custom", body, NULL, NULL, NULL, &out);
	if (st != 201)
		fprintf(stderr, "  add answered %d: %s\n", st, out.data);
	CHECK_EQ_INT(st, 201);
	CHECK(strstr(out.data, "\"name\":\"stories260k\"") && strstr(out.data, "\"status\":\"ok\"") &&
	      strstr(out.data, "\"arch\":\"llama\"") && strstr(out.data, "\"verdict\":\"great\"") &&
	      strstr(out.data, "\"problem\":null"));
	CHECK_EQ_INT(call(api, "POST", "/api/custom", body, NULL, NULL, NULL, &out), 200); /* checked again */
	CHECK_EQ_INT(GET("/api/custom"), 200);
	CHECK(strstr(out.data, "\"name\":\"stories260k\"") && strstr(out.data, "\"ram_at_load_bytes\""));
	CHECK(strstr(out.data, "\"in_use\":false") != NULL);
	/* chosen as the language model: marked in use (then the choice is cleared again) */
	{
		struct tacit_store *ss = NULL;
		CHECK_EQ_INT(tacit_store_open(NULL, &ss), TACIT_OK);
		CHECK_EQ_INT(tacit_store_setting_set(ss, "model.llm", "stories260k"), TACIT_OK);
		CHECK_EQ_INT(GET("/api/custom"), 200);
		CHECK(strstr(out.data, "\"in_use\":true") != NULL);
		tacit_store_setting_set(ss, "model.llm", NULL);
		tacit_store_close(ss);
	}
	/* names: taken by another file, a catalog id */
	snprintf(body, sizeof(body), "{\"path\":\"%s\",\"name\":\"stories260k\"}", other);
	CHECK_EQ_INT(call(api, "POST", "/api/custom", body, NULL, NULL, NULL, &out), 409);
	CHECK(strstr(out.data, "already names") != NULL);
	snprintf(body, sizeof(body), "{\"path\":\"%s\",\"name\":\"qwen3.5-2b\"}", other);
	CHECK_EQ_INT(call(api, "POST", "/api/custom", body, NULL, NULL, NULL, &out), 409);

	/* chosen in Settings by its name, and offered there */
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{\"model.llm\":\"stories260k\"}", NULL, NULL, NULL, &out), 200);
	CHECK(strstr(out.data, "\"id\":\"stories260k\",\"name\":\"stories260k\",\"custom\":true") != NULL);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{\"model.asr\":\"stories260k\"}", NULL, NULL, NULL, &out), 400);

	/* history chat on it; dropping the stream mid-answer stops the model worker for real
	 * (tokens are slowed to 100 ms so the answer is far from done when it is dropped) */
	int64_t id = import_meeting(api, &out);
	CHECK(id > 0);
	char target[64];
	snprintf(target, sizeof(target), "/api/sessions/%lld/chat", (long long)id);
	CHECK_EQ_INT(post_stream(api, target, "{\"question\":\"What is the budget?\"}", NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "event: answer_delta\n") && strstr(out.data, "event: answer\n"));
	int workers = n_workers();
	setenv("TACIT_WORKER_TEST", "1", 1);
	setenv("TACIT_WORKER_TEST_SLOW_MS", "100", 1);
	struct api_stream *s = NULL;
	CHECK_EQ_INT(post_stream(api, target, "{\"question\":\"Who ships?\"}", "event: answer_delta\n", &out, &s), 200);
	CHECK(strstr(out.data, "event: answer_delta\n") != NULL);
	CHECK_EQ_INT(n_workers(), workers + 1); /* it is generating now */
	api_stream_free(s);                     /* the page went away */
	CHECK_EQ_INT(n_workers(), workers);
	unsetenv("TACIT_WORKER_TEST_SLOW_MS");
	unsetenv("TACIT_WORKER_TEST");
	snprintf(target, sizeof(target), "/api/sessions/%lld", (long long)id);
	CHECK_EQ_INT(call(api, "GET", target, NULL, NULL, "", NULL, &out), 200);
	CHECK(strstr(out.data, "What is the budget?") && !strstr(out.data, "Who ships?"));
	CHECK_EQ_INT(call(api, "DELETE", target, NULL, NULL, NULL, NULL, &out), 200);
	CHECK_EQ_INT(n_states(id), 0);

	/* forget: the reference goes, the file stays */
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", "{\"model.llm\":null}", NULL, NULL, NULL, &out), 200);
	CHECK_EQ_INT(call(api, "DELETE", "/api/custom/stories260k", NULL, NULL, NULL, NULL, &out), 200);
	CHECK(strstr(out.data, "\"forgot\":\"stories260k\"") != NULL);
	CHECK_EQ_INT(call(api, "DELETE", "/api/custom/stories260k", NULL, NULL, NULL, NULL, &out), 404);
	CHECK(access(src, R_OK) == 0);
	CHECK_EQ_INT(GET("/api/custom"), 200);
	CHECK(strstr(out.data, "\"custom\":[]") != NULL);
	buf_release(&out);
	api_free(api);
}

/* Whether an answer's body is valid UTF-8 JSON (yyjson checks both). */
static bool json_text(const struct buf *b)
{
	yyjson_doc *d = yyjson_read(b->data, b->len, 0);
	yyjson_doc_free(d);
	return d != NULL;
}

TEST(api_invalid_utf8_never_breaks_answers)
{
	struct api *api = new_api();
	struct tacit_store *s = NULL;
	struct buf out;
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	/* a Windows-1252 transcript is decoded at import (it was stored raw, then every
	 * answer that touched it failed with "out of memory") */
	CHECK_EQ_INT(call(api, "POST", "/api/sessions/import?name=legacy.txt",
			  "Ren\xE9" "e: the caf\xE9 costs \x80" "5, \x93ok\x94\n", NULL, NULL, NULL, &out),
		     201);
	CHECK_EQ_INT(GET("/api/sessions/1"), 200);
	CHECK(strstr(out.data, "Ren\xC3\xA9" "e") && strstr(out.data, "caf\xC3\xA9 costs \xE2\x82\xAC" "5"));
	/* a store written by an older version, with bad bytes in a title and in text */
	CHECK(tacit_store_open(NULL, &s) == TACIT_OK);
	struct tacit_session_params sp = tacit_session_default_params();
	sp.title = "Old \xFF title";
	int64_t id = 0;
	CHECK(tacit_store_session_create(s, &sp, &id) == TACIT_OK);
	struct tacit_segment seg = { .start_ms = 0, .end_ms = 1000, .speaker = "S\xE9", .text = "budget caf\xE9",
				     .confidence = -1 };
	CHECK(tacit_store_add_segment(s, id, &seg, NULL) == TACIT_OK);
	char *exported = NULL;
	CHECK(tacit_store_export(s, id, TACIT_FORMAT_JSON, &exported) == TACIT_OK);
	CHECK(exported && strstr(exported, "caf\xEF\xBF\xBD"));
	tacit_free(exported);
	tacit_store_close(s);
	CHECK_EQ_INT(GET("/api/sessions"), 200);
	CHECK(json_text(&out) && strstr(out.data, "Old \xEF\xBF\xBD title"));
	char target[64];
	snprintf(target, sizeof(target), "/api/sessions/%lld", (long long)id);
	CHECK_EQ_INT(GET(target), 200);
	CHECK(json_text(&out) && strstr(out.data, "budget caf\xEF\xBF\xBD"));
	CHECK_EQ_INT(GET("/api/search?q=budget"), 200);
	CHECK(json_text(&out));
	/* an error echoing a long path is cut between characters */
	struct buf path;
	buf_init(&path);
	buf_adds(&path, "/api/xy"); /* odd: the old 200-byte cut fell inside a character */
	for (int i = 0; i < 150; i++)
		buf_adds(&path, "\xC3\xA9");
	CHECK_EQ_INT(GET(path.data), 404);
	CHECK(json_text(&out) && !strstr(out.data, "\xEF\xBF\xBD"));
	buf_release(&path);
	buf_release(&out);
	api_free(api);
}

struct writer {
	struct api *api;
	int n, k, failed;
};

/* One request thread: reads the list and renames meeting 1, n times. */
static void *write_and_read(void *arg)
{
	struct writer *w = arg;
	struct buf out;
	char body[64];
	buf_init(&out);
	for (int i = 0; i < w->n; i++) {
		snprintf(body, sizeof(body), "{\"title\":\"t%d-%d\"}", w->k, i);
		if (call(w->api, "PUT", "/api/sessions/1", body, NULL, NULL, NULL, &out) != 200 ||
		    call(w->api, "GET", "/api/sessions", NULL, NULL, "", NULL, &out) != 200)
			w->failed++;
	}
	buf_release(&out);
	return NULL;
}

/* Requests reuse the store's connections instead of opening it (and running its quick
 * check) each time (issue #20: the 80 ms floor of every store-reading request);
 * overlapping requests each get their own, writes stay whole under concurrency, and a
 * store file moved away is not read through a stale connection: the next request opens
 * the new one. */
TEST(api_requests_reuse_store_connections)
{
	static const char *const reads[] = { "/api/sessions", "/api/sessions/1", "/api/search?q=budget",
					     "/api/actions", "/api/settings", "/api/meeting", "/api/models",
					     "/api/custom" };
	struct api *api = new_api();
	struct buf out;
	char *dir = NULL;
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK(import_meeting(api, &out) == 1);
	unsigned long opens = store_opens();
	for (int i = 0; i < 3; i++)
		for (size_t k = 0; k < ARRAY_SIZE(reads); k++)
			CHECK_EQ_INT(GET(reads[k]), 200);
	CHECK_EQ_INT((long long)(store_opens() - opens), 0);

	struct writer w[4];
	pthread_t th[4];
	for (int k = 0; k < 4; k++) {
		w[k] = (struct writer){ .api = api, .n = 15, .k = k };
		CHECK(pthread_create(&th[k], NULL, write_and_read, &w[k]) == 0);
	}
	for (int k = 0; k < 4; k++) {
		pthread_join(th[k], NULL);
		CHECK_EQ_INT(w[k].failed, 0);
	}
	CHECK((long long)(store_opens() - opens) <= 4);
	CHECK_EQ_INT(GET("/api/sessions/1"), 200);
	CHECK(strstr(out.data, "\"title\": \"t") != NULL);

	/* the store moved away (as a restore from a copy would replace it) */
	CHECK(tacit_dir_path(TACIT_DIR_DATA, &dir) == TACIT_OK);
	static const char *const parts[] = { "", "-wal", "-shm" };
	for (size_t i = 0; dir && i < ARRAY_SIZE(parts); i++) {
		char from[4200], to[4200];
		snprintf(from, sizeof(from), "%s/tacit.db%s", dir, parts[i]);
		snprintf(to, sizeof(to), "%s/old.db%s", dir, parts[i]);
		CHECK(rename(from, to) == 0 || (errno == ENOENT && i > 0));
	}
	opens = store_opens();
	CHECK_EQ_INT(GET("/api/sessions"), 200);
	CHECK(strstr(out.data, "\"total\":0") != NULL);
	CHECK_EQ_INT((long long)(store_opens() - opens), 1);
	CHECK(import_meeting(api, &out) == 1);
	/* A stale connection closed after the new store was made would take the new store's
	 * write-ahead log with it (SQLite deletes the log by name; the stale ones are closed
	 * before the new open): with another connection holding the new store open, its
	 * import is still only in that log. */
	struct tacit_store *holder = NULL, *s = NULL;
	struct tacit_session *list = NULL;
	size_t n = 0;
	char path[4200];
	snprintf(path, sizeof(path), "%s/tacit.db", dir ? dir : ".");
	CHECK(tacit_store_open(path, &holder) == TACIT_OK);
	api_free(api);
	CHECK(tacit_store_open(path, &s) == TACIT_OK);
	CHECK(s && tacit_store_session_list(s, &list, &n) == TACIT_OK);
	CHECK_EQ_INT((long long)n, 1);
	tacit_free(list);
	tacit_store_close(s);
	tacit_store_close(holder);
	tacit_free(dir);
	buf_release(&out);
}
