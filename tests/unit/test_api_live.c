/*
 * test_api_live.c — the Meeting endpoints on the live-meeting library, without a socket:
 * the suggestions toggle and its one-time notice; with a random-weight whisper, the
 * Silero VAD from ../shared and a tiny synthetic LLM: start, a second start refused
 * (409), audio in both formats, the event stream, a question answered as streamed
 * tokens, stop with the summary; closing by server shutdown leaves the meeting
 * resumable, and a meeting nobody follows is closed by the watchdog; POST close during a
 * slow stop aborts it: no worker left, the meeting unfinished and resumable.
 */
#include "../check.h"
#include "api.h"
#include "store.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static struct api *new_api(int grace_ms)
{
	struct tacit_system sys;
	struct api_params p = { .port = 4321, .token = TOKEN, .no_network = true, .live_grace_ms = grace_ms };
	struct api *api = NULL;
	if (tacit_profile_get("m3-air-16gb", &sys) != TACIT_OK)
		return NULL;
	p.sys = &sys;
	return api_new(&p, &api) == TACIT_OK ? api : NULL;
}

static int call(struct api *api, const char *method, const char *target, const char *body, size_t len,
		struct buf *out)
{
	struct api_request req = { 0 };
	struct api_response res;
	req.method = method;
	req.target = target;
	req.host = "127.0.0.1:4321";
	req.origin = strcmp(method, "GET") ? "http://127.0.0.1:4321" : NULL;
	req.authorization = "Bearer " TOKEN;
	req.body = body;
	req.body_len = len;
	api_handle(api, &req, &res);
	int st = res.status;
	if (out) {
		buf_reset(out);
		buf_add(out, res.body.data, res.body.len);
	}
	api_response_release(&res);
	return st;
}

#define POST(t, b, o) call(api, "POST", t, b, strlen(b), o)

TEST(api_live_suggestions_notice)
{
	struct api *api = new_api(0);
	struct buf out;
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK_EQ_INT(POST("/api/meeting/suggestions", "{\"on\":true}", &out), 200);
	CHECK(strstr(out.data, "Automatic Suggestions run the AI continuously") != NULL);
	CHECK_EQ_INT(POST("/api/meeting/suggestions", "{\"on\":false}", &out), 200);
	CHECK(strstr(out.data, "\"notice\":null") != NULL);
	CHECK_EQ_INT(POST("/api/meeting/suggestions", "{\"on\":true}", &out), 200);
	CHECK(strstr(out.data, "\"notice\":null") != NULL); /* once per device */
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	CHECK(strstr(out.data, "\"suggestions\":true") != NULL);
	buf_release(&out);
	api_free(api);
}

/* The Meeting page's status resolves three models and reads four settings and the
 * meetings through one store connection (issue #20: it opened six, each running the
 * store's quick check, 479 ms on 54 meetings), and answers the same on a second call. */
TEST(api_live_status_opens_the_store_once)
{
	struct api *api = new_api(0);
	struct buf out, again;
	buf_init(&out);
	buf_init(&again);
	CHECK(api != NULL);
	if (!api)
		return;
	unsigned long opens = store_opens();
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	CHECK_EQ_INT((long long)(store_opens() - opens), 1);
	CHECK(strstr(out.data, "\"models\":{\"asr\":{") && strstr(out.data, "\"resumable\":["));
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &again), 200);
	CHECK_STR(again.data, out.data);
	CHECK_EQ_INT((long long)(store_opens() - opens), 1); /* the first request's connection, reused */
	buf_release(&again);
	buf_release(&out);
	api_free(api);
}

/* Where work runs, for the header and the live page: "local" for each kind until a
 * remote engine is set, then that server's HOST:PORT for its kind only (issue #19). */
TEST(api_live_status_says_where_work_runs)
{
	struct api *api = new_api(0);
	struct tacit_store *s = NULL;
	struct buf out;
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	CHECK(strstr(out.data, "\"engines\":{\"asr\":\"local\",\"llm\":\"local\"}") != NULL);
	CHECK(strstr(out.data, "\"remote_hosts\":\"\"") != NULL);
	CHECK(tacit_store_open(NULL, &s) == TACIT_OK);
	CHECK(s && tacit_store_setting_set(s, "engine.asr", "http://127.0.0.1:8178/inference") == TACIT_OK);
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	CHECK(strstr(out.data, "\"engines\":{\"asr\":\"127.0.0.1:8178\",\"llm\":\"local\"}") != NULL);
	CHECK(strstr(out.data, "\"remote_hosts\":\"127.0.0.1:8178\"") != NULL);
	/* no whisper model is needed for a live meeting then: the server transcribes */
	CHECK(strstr(out.data, "\"asr\":{\"remote\":\"127.0.0.1:8178\"") != NULL);
	CHECK(s && tacit_store_setting_set(s, "engine.llm", "https://gpu.example:8443/v1") == TACIT_OK);
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	CHECK(strstr(out.data, "\"engines\":{\"asr\":\"127.0.0.1:8178\",\"llm\":\"gpu.example:8443\"}") != NULL);
	CHECK(strstr(out.data, "\"remote_hosts\":\"gpu.example:8443, 127.0.0.1:8178\"") != NULL);
	tacit_store_close(s);
	buf_release(&out);
	api_free(api);
}

/* ---- with models ---- */

static const char *build_dir(void)
{
	return getenv("BUILD") ? getenv("BUILD") : "build";
}

/* Makes (once) the tiny LLM and the random-weight whisper; false when it cannot. */
static bool models(char *llm, char *asr, char *vad, size_t n)
{
	const char *shared = test_shared_dir();
	char rel[4096], cmd[8192];
	if (!shared)
		return false;
	snprintf(rel, sizeof(rel), "%s/models/ggml-silero-v6.2.0.bin", shared);
	if (!realpath(rel, vad))
		return false;
	if (!test_synth_model("live-test.gguf", "--arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192", llm))
		return false;
	snprintf(rel, sizeof(rel), "%s/models/ggml-tiny.en-random.bin", build_dir());
	if (access(rel, R_OK) != 0) {
		snprintf(cmd, sizeof(cmd),
			 "%s/tools/synth-whisper %s/models/whisper-vocab-tiny.en.bin %s.tmp.%d >/dev/null 2>&1 && "
			 "mv %s.tmp.%d %s",
			 build_dir(), shared, rel, (int)getpid(), rel, (int)getpid(), rel);
		if (system(cmd) != 0)
			return false;
	}
	(void)n;
	return realpath(rel, asr) != NULL;
}

/* Reads the stream until text appears in it (true) or it ends / a minute passes. */
static bool read_until(struct api_stream *s, struct buf *all, const char *text)
{
	time_t end = time(NULL) + 60;
	while (!strstr(all->data, text) && time(NULL) < end) {
		if (api_stream_read(s, all) < 0)
			break;
	}
	return strstr(all->data, text) != NULL;
}

static struct api_stream *open_events(struct api *api)
{
	struct api_request req = { .method = "GET", .target = "/api/meeting/events", .host = "127.0.0.1:4321",
				   .authorization = "Bearer " TOKEN };
	struct api_response res;
	api_handle(api, &req, &res);
	struct api_stream *s = res.status == 200 ? res.stream : NULL;
	res.stream = NULL;
	api_response_release(&res);
	return s;
}

/* A meeting in the default store, never ended, with lines of "Them" two seconds apart:
 * what a resume finds. Its id, or 0. */
static int64_t unfinished_meeting(const char *title, const char *const *lines, int n)
{
	struct tacit_store *store = NULL;
	struct tacit_session_params sp = tacit_session_default_params();
	int64_t id = 0;
	sp.title = title;
	if (tacit_store_open(NULL, &store) != TACIT_OK || tacit_store_session_create(store, &sp, &id) != TACIT_OK)
		id = 0;
	for (int i = 0; id && i < n; i++) {
		struct tacit_segment seg = { .start_ms = i * 2000, .end_ms = i * 2000 + 1500, .speaker = "Them",
					     .text = lines[i], .confidence = -1 };
		if (tacit_store_add_segment(store, id, &seg, NULL) != TACIT_OK)
			id = 0;
	}
	tacit_store_close(store);
	return id;
}

TEST_MODEL(api_live_meeting)
{
	char llm[4096], asr[4096], vad[4096], body[16384];
	if (!models(llm, asr, vad, sizeof(llm)))
		SKIP("../shared (Silero VAD, whisper vocabulary) or build/tools/synth-* unavailable");
	struct api *api = new_api(0);
	struct buf out, ev;
	buf_init(&out);
	buf_init(&ev);
	CHECK(api != NULL);
	if (!api)
		return;
	snprintf(body, sizeof(body),
		 "{\"model.llm\":\"%s\",\"model.asr\":\"%s\",\"model.vad\":\"%s\",\"asr.fallback\":\"off\","
		 "\"live.max_tokens\":\"64\"}",
		 llm, asr, vad);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", body, strlen(body), &out), 200);
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	CHECK(strstr(out.data, "\"available\":true") != NULL);

	/* a template that does not exist is refused before any model loads, with its remedy */
	CHECK_EQ_INT(POST("/api/meeting/start", "{\"template\":\"no-such-kind\"}", &out), 400);
	CHECK(strstr(out.data, "no-such-kind") != NULL);
	CHECK_EQ_INT(POST("/api/meeting/start", "{\"template\":5}", &out), 400);
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	CHECK(strstr(out.data, "\"meeting\":null") != NULL);
	CHECK_EQ_INT(POST("/api/meeting/start", "{\"title\":\"Web standup\",\"partials\":false,\"template\":\"stand-up\"}", &out),
		     201);
	CHECK(strstr(out.data, "\"analysis\":true") != NULL);
	int64_t id = 0;
	const char *p = strstr(out.data, "\"session_id\":");
	if (p)
		id = strtoll(p + 13, NULL, 10);
	CHECK(id > 0);
	CHECK_EQ_INT(POST("/api/meeting/start", "{}", &out), 409);
	CHECK(strstr(out.data, "already running") != NULL);
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	CHECK(strstr(out.data, "\"phase\":\"running\"") != NULL);

	/* half a second of quiet as s16le, then as f32le; the wrong channel count is refused */
	static char pcm[16000];
	memset(pcm, 0, sizeof(pcm));
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/audio?channels=1", pcm, 16000, &out), 200);
	CHECK(strstr(out.data, "\"frames\":8000") != NULL);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/audio?channels=1&format=f32le", pcm, 16000, &out), 200);
	CHECK(strstr(out.data, "\"frames\":4000") != NULL);
	CHECK_EQ_INT(call(api, "POST", "/api/meeting/audio?channels=2", pcm, 16000, &out), 400);

	struct api_stream *s = open_events(api);
	CHECK(s != NULL);
	CHECK_EQ_INT(POST("/api/meeting/chat", "{\"question\":\"What was decided?\"}", &out), 202);
	CHECK(strstr(out.data, "\"request\":1") != NULL);
	if (s) {
		CHECK(read_until(s, &ev, "event: answer\n"));
		CHECK(strstr(ev.data, "event: answer_delta\n") != NULL);
	}
	CHECK_EQ_INT(POST("/api/meeting/stop", "", &out), 200);
	snprintf(body, sizeof(body), "\"session_id\":%lld", (long long)id);
	CHECK(strstr(out.data, body) != NULL);
	if (s) {
		CHECK(read_until(s, &ev, "event: stopped\n"));
		CHECK(api_stream_read(s, &ev) < 0); /* the stream ends after the meeting */
		api_stream_free(s);
	}
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	CHECK(strstr(out.data, "\"meeting\":null") != NULL);
	CHECK_EQ_INT(POST("/api/meeting/stop", "", &out), 409);
	snprintf(body, sizeof(body), "/api/sessions/%lld", (long long)id);
	CHECK_EQ_INT(call(api, "GET", body, NULL, 0, &out), 200);
	CHECK(strstr(out.data, "Web standup") != NULL);
	CHECK(strstr(out.data, "\"ended_ms\":0") == NULL);
	/* an unfinished meeting with lines, resumed with a template: its summary is that template's */
	{
		static const char *const standup[] = { "Yesterday I finished part 0; today part 1; no blockers.",
							"Yesterday I finished part 1; today part 2; no blockers.",
							"Yesterday I finished part 2; today part 3; no blockers." };
		int64_t rid = unfinished_meeting("Stand-up resumed", standup, 3);
		CHECK(rid > 0);
		snprintf(body, sizeof(body), "{\"resume\":%lld,\"partials\":false,\"template\":\"stand-up\"}", (long long)rid);
		CHECK_EQ_INT(POST("/api/meeting/start", body, &out), 201);
		CHECK_EQ_INT(POST("/api/meeting/stop", "", &out), 200);
		snprintf(body, sizeof(body), "/api/sessions/%lld", (long long)rid);
		CHECK_EQ_INT(call(api, "GET", body, NULL, 0, &out), 200);
		CHECK(strstr(out.data, "\"template\": \"stand-up\"") != NULL); /* the export's JSON, indented */
	}

	/* the server stops mid-meeting: closed for real, resumable on the next server */
	CHECK_EQ_INT(POST("/api/meeting/start", "{\"title\":\"Interrupted\",\"partials\":false}", &out), 201);
	p = strstr(out.data, "\"session_id\":");
	int64_t id2 = p ? strtoll(p + 13, NULL, 10) : 0;
	s = open_events(api);
	api_shutdown(api);
	if (s) {
		CHECK(api_stream_read(s, &ev) < 0 || api_stream_read(s, &ev) < 0);
		api_stream_free(s);
	}
	api_free(api);
	api = new_api(300); /* this one closes a meeting nobody follows after 0.3 s */
	CHECK(api != NULL);
	if (!api)
		goto out;
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	snprintf(body, sizeof(body), "\"resumable\":[{\"id\":%lld", (long long)id2);
	CHECK(strstr(out.data, body) != NULL);
	snprintf(body, sizeof(body), "{\"resume\":%lld,\"partials\":false}", (long long)id2);
	CHECK_EQ_INT(POST("/api/meeting/start", body, &out), 201);
	/* no page, no audio: the watchdog closes it (waits up to a minute on a slow machine) */
	bool closed = false;
	for (int i = 0; i < 600 && !closed; i++) {
		usleep(100 * 1000);
		closed = call(api, "GET", "/api/meeting", NULL, 0, &out) == 200 && strstr(out.data, "\"meeting\":null");
	}
	CHECK(closed);
	snprintf(body, sizeof(body), "{\"id\":%lld,", (long long)id2);
	CHECK(strstr(out.data, body) != NULL); /* still resumable */
out:
	/* the unit run shares one TACIT_HOME: leave no model choice behind for other tests */
	for (size_t i = 0; i < 4; i++) {
		static const char *const keys[] = { "model.llm", "model.asr", "model.vad", "asr.fallback" };
		struct tacit_store *st = NULL;
		if (tacit_store_open(NULL, &st) == TACIT_OK)
			tacit_store_setting_set(st, keys[i], NULL);
		tacit_store_close(st);
	}
	buf_release(&ev);
	buf_release(&out);
	api_free(api);
}

/* Child processes of this process (model and transcription workers). */
static int n_children(void)
{
	char path[300], text[4096];
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t got = fread(text, 1, sizeof(text) - 1, f);
		text[got] = '\0';
		for (char *c = strtok(text, " \n"); c; c = strtok(NULL, " \n"))
			n++;
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

struct stop_call {
	struct api *api;
	int status;
	struct buf out;
};

static void *stop_main(void *arg)
{
	struct stop_call *c = arg;
	c->status = call(c->api, "POST", "/api/meeting/stop", "", 0, &c->out);
	return NULL;
}

TEST_MODEL(api_live_close_aborts_a_stop)
{
	char llm[4096], asr[4096], vad[4096], body[16384];
	if (!models(llm, asr, vad, sizeof(llm)))
		SKIP("../shared (Silero VAD, whisper vocabulary) or build/tools/synth-* unavailable");
	struct api *api = new_api(0);
	struct buf out, ev;
	buf_init(&out);
	buf_init(&ev);
	CHECK(api != NULL);
	if (!api)
		return;
	snprintf(body, sizeof(body),
		 "{\"model.llm\":\"%s\",\"model.asr\":\"%s\",\"model.vad\":\"%s\",\"asr.fallback\":\"off\","
		 "\"live.max_tokens\":\"400\"}",
		 llm, asr, vad);
	CHECK_EQ_INT(call(api, "PUT", "/api/settings", body, strlen(body), &out), 200);

	/* an unfinished meeting with a transcript: its stop must summarize it */
	static const char *const items[] = { "Item 0: the budget for part 0 stays at 0 euros.",
					     "Item 1: the budget for part 1 stays at 100 euros.",
					     "Item 2: the budget for part 2 stays at 200 euros.",
					     "Item 3: the budget for part 3 stays at 300 euros." };
	int64_t id = unfinished_meeting("Slow stop", items, 4);
	CHECK(id > 0);

	/* a slow model (300 ms a token, up to 400 tokens): a stop takes minutes unless aborted */
	setenv("TACIT_WORKER_TEST", "1", 1);
	setenv("TACIT_WORKER_TEST_SLOW_MS", "300", 1);
	snprintf(body, sizeof(body), "{\"resume\":%lld,\"partials\":false}", (long long)id);
	CHECK_EQ_INT(POST("/api/meeting/start", body, &out), 201);
	unsetenv("TACIT_WORKER_TEST_SLOW_MS");
	unsetenv("TACIT_WORKER_TEST");
	CHECK(n_children() >= 1);
	struct api_stream *s = open_events(api);
	CHECK(s != NULL);
	struct stop_call sc = { api, 0, { 0 } };
	buf_init(&sc.out);
	pthread_t th;
	pthread_create(&th, NULL, stop_main, &sc);
	if (s) /* the last window's summary is being written */
		CHECK(read_until(s, &ev, "finishing: summarizing segments"));
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	CHECK(strstr(out.data, "\"phase\":\"stopping\"") != NULL);

	CHECK_EQ_INT(POST("/api/meeting/close", "", &out), 200);
	CHECK(strstr(out.data, "closed") != NULL);
	pthread_join(th, NULL);
	/* the stop was aborted, not finished: it says so, and how to go on */
	CHECK_EQ_INT(sc.status, 409);
	CHECK(strstr(sc.out.data, "aborted") != NULL);
	CHECK(strstr(sc.out.data, "--resume") != NULL);
	if (s) {
		CHECK(read_until(s, &ev, "event: closed\n"));
		CHECK(strstr(ev.data, "event: stopped\n") == NULL);
		api_stream_free(s);
	}
	CHECK_EQ_INT(n_children(), 0); /* no worker left */
	CHECK_EQ_INT(call(api, "GET", "/api/meeting", NULL, 0, &out), 200);
	CHECK(strstr(out.data, "\"meeting\":null") != NULL);
	snprintf(body, sizeof(body), "{\"id\":%lld,", (long long)id);
	CHECK(strstr(out.data, body) != NULL); /* listed as resumable */

	/* not lost: still unfinished, with its transcript, and it resumes */
	struct tacit_session sess;
	struct tacit_store *store = NULL;
	CHECK_EQ_INT(tacit_store_open(NULL, &store), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_get(store, id, &sess), TACIT_OK);
	CHECK_EQ_INT(sess.ended_ms, 0);
	tacit_store_close(store);
	snprintf(body, sizeof(body), "{\"resume\":%lld,\"partials\":false}", (long long)id);
	CHECK_EQ_INT(POST("/api/meeting/start", body, &out), 201);
	CHECK_EQ_INT(POST("/api/meeting/close", "", &out), 200);
	CHECK_EQ_INT(n_children(), 0);

	for (size_t i = 0; i < 5; i++) {
		static const char *const keys[] = { "model.llm", "model.asr", "model.vad", "asr.fallback", "live.max_tokens" };
		struct tacit_store *st = NULL;
		if (tacit_store_open(NULL, &st) == TACIT_OK)
			tacit_store_setting_set(st, keys[i], NULL);
		tacit_store_close(st);
	}
	buf_release(&sc.out);
	buf_release(&ev);
	buf_release(&out);
	api_free(api);
}
