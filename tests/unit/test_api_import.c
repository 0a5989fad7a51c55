/*
 * test_api_import.c — the web app's calls over the whole history, without a socket: an
 * uploaded recording's refusals (each removes the upload; the headers are checked before
 * a body reaches the disk; the size limit says what to do), action items listed and
 * marked done, and "ask all meetings" refused before any stream when it cannot answer.
 * The upload's transcription itself runs in tests/e2e/app.test.cjs with a real model.
 */
#include "../check.h"
#include "api.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* One request with a valid Host, Origin and token; upload (may be NULL) is the body's
 * temporary file as serve.c hands it over. *kept says whether the handler took it. */
static int req(struct api *api, const char *method, const char *target, const char *body, const char *upload,
	       struct buf *out, bool *kept)
{
	struct api_request rq = { .method = method, .target = target, .host = "127.0.0.1:4321",
				  .origin = "http://127.0.0.1:4321", .authorization = "Bearer " TOKEN,
				  .body = body, .body_len = body ? strlen(body) : 0 };
	struct api_response res;
	if (upload) {
		struct stat sb;
		rq.body = NULL;
		rq.body_path = upload;
		rq.body_len = stat(upload, &sb) == 0 ? (size_t)sb.st_size : 0;
	}
	api_handle(api, &rq, &res);
	int st = res.status;
	buf_reset(out);
	buf_add(out, res.body.data, res.body.len);
	if (kept)
		*kept = res.kept_body;
	api_response_release(&res);
	return st;
}

/* A temporary upload holding text; its path goes to path. */
static bool upload(char *path, size_t n, const char *text)
{
	snprintf(path, n, "%s/upload-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return false;
	bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok;
}

TEST(api_import_audio_refusals)
{
	struct api *api = new_api();
	struct buf out;
	char path[4096];
	bool kept = false;
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	/* only a POST, and only with the body in a file */
	CHECK_EQ_INT(req(api, "GET", "/api/sessions/import-audio", NULL, NULL, &out, NULL), 405);
	CHECK_EQ_INT(req(api, "POST", "/api/sessions/import-audio?name=a.mp3", "ID3", NULL, &out, NULL), 400);
	CHECK(api_body_to_file("POST", "/api/sessions/import-audio?name=a.mp3"));
	CHECK(api_body_to_file("POST", "/api/sessions/import-audio"));
	CHECK(!api_body_to_file("POST", "/api/sessions/import-audiox"));
	CHECK(!api_body_to_file("GET", "/api/sessions/import-audio"));
	CHECK(!api_body_to_file("POST", "/api/sessions/import?name=a.txt"));

	/* each refusal removes the upload */
	static const struct {
		const char *target, *body, *says;
		int http;
	} bad[] = {
		{ "/api/sessions/import-audio", "x", "\\\"name\\\" must be", 400 },
		{ "/api/sessions/import-audio?name=..%2Fa.mp3", "x", "\\\"name\\\" must be", 400 },
		{ "/api/sessions/import-audio?name=notes.txt", "x", "is a transcript, not a recording", 415 },
		{ "/api/sessions/import-audio?name=a.mp3&title=", "x", "\\\"title\\\" must be", 400 },
		{ "/api/sessions/import-audio?name=a.mp3", "", "is empty", 400 },
		/* no whisper model on this device: said before any work */
		{ "/api/sessions/import-audio?name=a.mp3", "not audio", "\"error\"", 409 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(upload(path, sizeof(path), bad[i].body));
		CHECK_EQ_INT(req(api, "POST", bad[i].target, NULL, path, &out, &kept), bad[i].http);
		if (!strstr(out.data, bad[i].says))
			fprintf(stderr, "case %zu answered: %s\n", i, out.data);
		CHECK(strstr(out.data, bad[i].says) != NULL);
		CHECK(kept && access(path, F_OK) != 0);
	}

	/* a write that failed on the way to disk is said as such */
	struct api_request rq = { .method = "POST", .target = "/api/sessions/import-audio?name=a.mp3",
				  .host = "127.0.0.1:4321", .origin = "http://127.0.0.1:4321",
				  .authorization = "Bearer " TOKEN, .body_errno = ENOSPC };
	struct api_response res;
	api_handle(api, &rq, &res);
	CHECK_EQ_INT(res.status, 507);
	CHECK(strstr(res.body.data, "free some disk space") != NULL);
	api_response_release(&res);

	/* past the limit: 413 saying what to do; the upload stays serve.c's to remove */
	rq.body_errno = 0;
	rq.body_path = "/nonexistent/upload";
	rq.body_len = API_RECORDING_MAX + 1;
	api_handle(api, &rq, &res);
	CHECK_EQ_INT(res.status, 413);
	CHECK(strstr(res.body.data, "larger than the 2 GiB") && strstr(res.body.data, "compressed format"));
	CHECK(!res.kept_body);
	api_response_release(&res);

	/* the headers alone decide before a body is written: no token, another site */
	rq.body_len = 0;
	rq.authorization = NULL;
	CHECK(!api_admit(api, &rq, &res));
	CHECK_EQ_INT(res.status, 401);
	api_response_release(&res);
	rq.authorization = "Bearer " TOKEN;
	rq.origin = "http://evil.example";
	CHECK(!api_admit(api, &rq, &res));
	CHECK_EQ_INT(res.status, 403);
	api_response_release(&res);
	rq.origin = "http://127.0.0.1:4321";
	CHECK(api_admit(api, &rq, &res));
	api_response_release(&res);
	buf_release(&out);
	api_free(api);
}

TEST(api_actions_list_and_mark)
{
	struct api *api = new_api();
	struct tacit_store *store = NULL;
	struct buf out;
	char target[96];
	int64_t sid = 0;
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK_EQ_INT(req(api, "POST", "/api/sessions/import?name=plan.txt",
			 "Alice: Bob writes the launch plan by Friday\nBob: I will\n", NULL, &out, NULL),
		     201);
	const char *p = strstr(out.data, "\"id\":");
	sid = p ? strtoll(p + 5, NULL, 10) : 0;
	CHECK(sid > 0);
	CHECK_EQ_INT(tacit_store_open(NULL, &store), TACIT_OK);
	struct tacit_artifact a = { .kind = "summary", .json = "{\"overview\":\"plan\",\"key_points\":[],\"decisions\":[],"
								   "\"action_items\":[{\"owner\":\"Bob\",\"task\":\"write the launch plan\","
								   "\"due\":\"Friday\",\"cites\":[1]}],\"open_questions\":[]}" };
	CHECK_EQ_INT(tacit_store_add_artifact(store, sid, &a, NULL), TACIT_OK);
	tacit_store_close(store);

	CHECK_EQ_INT(req(api, "GET", "/api/actions", NULL, NULL, &out, NULL), 200);
	p = strstr(out.data, "\"task\":\"write the launch plan\"");
	CHECK(p && strstr(out.data, "\"owner\":\"Bob\"") && strstr(out.data, "\"due\":\"Friday\"") &&
	      strstr(out.data, "\"done\":false") && strstr(out.data, "\"session_title\":\"plan\""));
	const char *idp = strstr(out.data, "{\"id\":");
	int64_t aid = idp ? strtoll(idp + 6, NULL, 10) : 0;
	CHECK(aid > 0);
	snprintf(target, sizeof(target), "/api/actions/%lld", (long long)aid);
	CHECK_EQ_INT(req(api, "PUT", target, "{\"done\":true}", NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"action\":{") && strstr(out.data, "\"done\":true"));
	CHECK_EQ_INT(req(api, "GET", "/api/actions?open=1", NULL, NULL, &out, NULL), 200);
	CHECK(!strstr(out.data, "write the launch plan"));
	CHECK_EQ_INT(req(api, "GET", "/api/actions?open=0", NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "write the launch plan") != NULL);
	CHECK_EQ_INT(req(api, "PUT", target, "{\"done\":false}", NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"done\":false") != NULL);

	CHECK_EQ_INT(req(api, "PUT", target, "{\"done\":\"yes\"}", NULL, &out, NULL), 400);
	CHECK_EQ_INT(req(api, "PUT", "/api/actions/999999", "{\"done\":true}", NULL, &out, NULL), 404);
	CHECK_EQ_INT(req(api, "PUT", "/api/actions/x", "{\"done\":true}", NULL, &out, NULL), 400);
	CHECK_EQ_INT(req(api, "GET", "/api/actions?open=maybe", NULL, NULL, &out, NULL), 400);
	CHECK_EQ_INT(req(api, "POST", "/api/actions", "{}", NULL, &out, NULL), 405);
	CHECK_EQ_INT(req(api, "GET", "/api/actions/1/x", NULL, NULL, &out, NULL), 404);
	buf_release(&out);
	api_free(api);
}

TEST(api_ask_all_refusals)
{
	struct api *api = new_api();
	struct buf out;
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK_EQ_INT(req(api, "GET", "/api/ask", NULL, NULL, &out, NULL), 405);
	CHECK_EQ_INT(req(api, "POST", "/api/ask", "{\"question\":\"\"}", NULL, &out, NULL), 400);
	CHECK_EQ_INT(req(api, "POST", "/api/ask", "{\"q\":\"budget?\"}", NULL, &out, NULL), 400);
	CHECK_EQ_INT(req(api, "POST", "/api/ask", "[1]", NULL, &out, NULL), 400);
	/* no language model here: refused before any stream, saying why */
	CHECK_EQ_INT(req(api, "POST", "/api/ask", "{\"question\":\"what about the budget?\"}", NULL, &out, NULL), 409);
	CHECK(strstr(out.data, "\"error\"") != NULL);
	buf_release(&out);
	api_free(api);
}
