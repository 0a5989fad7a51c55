/*
 * test_api_web.c — the web app's meeting page calls without a socket: a summary and
 * notes written from the page as an event stream (progress, then the stored result),
 * and cancelled for real when the page drops the stream (no model worker left, nothing
 * stored); a meeting's recording served with byte ranges; its speakers listed and
 * renamed. Across meetings: an uploaded recording's refusals (each removes the upload;
 * the headers are checked before a body reaches the disk; the size limit says what to
 * do), action items listed and marked done, and "ask all meetings" refused before any
 * stream when it cannot answer (the upload's transcription runs in tests/e2e).
 */
#include "../check.h"
#include "api.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
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

/* One request with a valid Host, Origin and token; range may be NULL. */
static int req(struct api *api, const char *method, const char *target, const char *body, const char *range,
	       struct buf *out, struct api_response *keep)
{
	struct api_request rq = { .method = method, .target = target, .host = "127.0.0.1:4321",
				  .origin = "http://127.0.0.1:4321", .authorization = "Bearer " TOKEN,
				  .body = body, .body_len = body ? strlen(body) : 0 };
	struct api_response res;
	rq.range = range;
	api_handle(api, &rq, &res);
	int st = res.status;
	buf_reset(out);
	buf_add(out, res.body.data, res.body.len);
	if (keep)
		*keep = res;
	else
		api_response_release(&res);
	return st;
}

/* A POST answered with an event stream, read until `until` appears or it ends (two
 * minutes at most); the open stream goes to *keep when keep is not NULL. */
static int post_stream(struct api *api, const char *target, const char *body, const char *until, struct buf *events,
		       struct api_stream **keep)
{
	struct api_response res;
	int st = req(api, "POST", target, body, NULL, events, &res);
	buf_reset(events);
	if (!res.stream) {
		buf_add(events, res.body.data, res.body.len);
	} else {
		time_t end = time(NULL) + 120;
		while (time(NULL) < end && !(until && strstr(events->data, until)))
			if (api_stream_read(res.stream, events) < 0)
				break;
		if (keep) {
			*keep = res.stream;
			res.stream = NULL;
		}
	}
	api_response_release(&res);
	return st;
}

/* Model workers this process has running. */
static int n_workers(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d))) {
		char path[300], line[512];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f)) {
			const char *close = strrchr(line, ')');
			int ppid = 0;
			char state;
			if (strstr(line, "(tacit-worker)") && close && sscanf(close + 1, " %c %d", &state, &ppid) == 2 &&
			    ppid == (int)getpid())
				n++;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

static int64_t import_meeting(struct api *api, struct buf *out)
{
	if (req(api, "POST", "/api/sessions/import?name=m.txt",
		"Alice: the budget is ten thousand euros\nBob: we ship the remote in May\n"
		"Alice: Bob writes the launch plan by Friday\n",
		NULL, out, NULL) != 201)
		return 0;
	const char *p = strstr(out->data, "\"id\":");
	return p ? strtoll(p + 5, NULL, 10) : 0;
}

TEST(api_generate_refusals)
{
	struct api *api = new_api();
	struct buf out;
	char target[96];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	int64_t id = import_meeting(api, &out);
	CHECK(id > 0);
	snprintf(target, sizeof(target), "/api/sessions/%lld/generate", (long long)id);
	CHECK_EQ_INT(req(api, "POST", target, "{\"task\":\"poem\"}", NULL, &out, NULL), 400);
	CHECK(strstr(out.data, "\\\"summary\\\" or \\\"notes\\\"") != NULL);
	CHECK_EQ_INT(req(api, "POST", "/api/sessions/999999/generate", "{\"task\":\"notes\"}", NULL, &out, NULL), 404);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 405);
	/* no language model chosen or downloaded: refused before any stream, saying why */
	CHECK_EQ_INT(req(api, "POST", target, "{\"task\":\"summary\"}", NULL, &out, NULL), 409);
	CHECK(strstr(out.data, "\"error\"") != NULL);
	buf_release(&out);
	api_free(api);
}

/* The tiny synthetic LLM with an 8192-token context (made once into build/models, as
 * test_api_live.c does: stories260K's 512 tokens are too few for a summary), or NULL. */
static const char *test_llm(void)
{
	static char path[4096];
	char rel[4096], cmd[9000];
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(rel, sizeof(rel), "%s/models/live-test.gguf", build);
	if (access(rel, R_OK) != 0) {
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p %s/models && %s/tools/synth-model --arch qwen2.5-0.5b --layers 2 --vocab 1024 "
			 "--ctx 8192 --out %s.tmp.%d --quiet >/dev/null 2>&1 && mv %s.tmp.%d %s",
			 build, build, rel, (int)getpid(), rel, (int)getpid(), rel);
		if (system(cmd) != 0)
			return NULL;
	}
	return realpath(rel, path) ? path : NULL;
}

TEST_MODEL(api_generate_streams_progress_and_cancels)
{
	struct api *api = new_api();
	struct api_stream *open = NULL;
	struct buf out;
	char target[96], body[4200];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	const char *model = test_llm();
	if (!model) {
		api_free(api);
		SKIP("cannot build the synthetic test model (build/tools/synth-model)");
	}
	int64_t id = import_meeting(api, &out);
	snprintf(body, sizeof(body), "{\"model.llm\":\"%s\"}", model);
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", body, NULL, &out, NULL), 200);
	snprintf(target, sizeof(target), "/api/sessions/%lld/generate", (long long)id);

	/* the page's Cancel: the stream is dropped while the model writes */
	int st = post_stream(api, target, "{\"task\":\"notes\"}", "\"phase\":\"read\"", &out, &open);
	CHECK_EQ_INT(st, 200);
	CHECK(strstr(out.data, "event: status\ndata: {\"text\":\"loading the model\"}") == out.data);
	CHECK(strstr(out.data, "event: progress\ndata: {\"phase\":\"load\"") != NULL);
	CHECK(strstr(out.data, "\"phase\":\"read\",\"done\":0,\"total\":") != NULL);
	api_stream_free(open); /* joins the job: its worker has ended when this returns */
	CHECK_EQ_INT(n_workers(), 0);
	snprintf(target, sizeof(target), "/api/sessions/%lld", (long long)id);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"artifacts\": []") != NULL); /* nothing stored */

	/* to its end: writing progress, then the stored summary */
	snprintf(target, sizeof(target), "/api/sessions/%lld/generate", (long long)id);
	st = post_stream(api, target, "{\"task\":\"summary\"}", NULL, &out, NULL);
	CHECK_EQ_INT(st, 200);
	if (!strstr(out.data, "event: done\n"))
		fprintf(stderr, "generate answered: %s\n", out.data);
	CHECK(strstr(out.data, "event: status\ndata: {\"text\":\"writing\"}") != NULL);
	const char *done = strstr(out.data, "event: done\ndata: {\"kind\":\"summary\",\"id\":");
	CHECK(done && strstr(done, "\"markdown\":") && !strstr(out.data, "event: error"));
	snprintf(target, sizeof(target), "/api/sessions/%lld", (long long)id);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"kind\": \"summary\"") != NULL);
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", "{\"model.llm\":null}", NULL, &out, NULL), 200);
	buf_release(&out);
	api_free(api);
}

/* A one-second two-channel recording for the imported meeting; true when written. */
static bool record(int64_t id)
{
	struct tacit_store *store = NULL;
	struct tacit_recording *rec = NULL;
	static int16_t pcm[16000 * 2];
	bool ok = tacit_store_open(NULL, &store) == TACIT_OK &&
		  tacit_recording_open(store, id, 16000, 2, &rec) == TACIT_OK &&
		  tacit_recording_write(rec, pcm, 16000) == TACIT_OK;
	ok = tacit_recording_close(rec) == TACIT_OK && ok;
	tacit_store_close(store);
	return ok;
}

TEST(api_audio_ranges)
{
	struct api *api = new_api();
	struct api_response res;
	struct buf out;
	char target[96];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	int64_t id = import_meeting(api, &out);
	snprintf(target, sizeof(target), "/api/sessions/%lld/audio", (long long)id);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "{\"chunks\":[]}") != NULL); /* an imported transcript has none */
	CHECK(record(id));
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"chunk\":0,\"start_ms\":0,\"duration_ms\":1000,\"channels\":2") != NULL);
	uint64_t size = 44 + 16000 * 2 * 2;

	snprintf(target, sizeof(target), "/api/sessions/%lld/audio/0", (long long)id);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, &res), 200);
	CHECK(res.has_file && res.file_off == 0 && res.file_len == size && res.accept_ranges && !res.content_range);
	CHECK_STR(res.content_type, "audio/wav");
	api_response_release(&res);
	CHECK_EQ_INT(req(api, "GET", target, NULL, "bytes=0-43", &out, &res), 206);
	CHECK(res.has_file && res.file_off == 0 && res.file_len == 44);
	CHECK_STR(res.content_range, "bytes 0-43/64044");
	api_response_release(&res);
	CHECK_EQ_INT(req(api, "GET", target, NULL, "bytes=64000-", &out, &res), 206);
	CHECK(res.file_off == 64000 && res.file_len == 44);
	api_response_release(&res);
	CHECK_EQ_INT(req(api, "GET", target, NULL, "bytes=-10", &out, &res), 206);
	CHECK(res.file_off == size - 10 && res.file_len == 10);
	CHECK_STR(res.content_range, "bytes 64034-64043/64044");
	api_response_release(&res);
	CHECK_EQ_INT(req(api, "GET", target, NULL, "bytes=100-999999", &out, &res), 206); /* cut at the end */
	CHECK(res.file_off == 100 && res.file_len == size - 100);
	api_response_release(&res);
	static const char *const bad[] = { "bytes=64044-", "bytes=9-3", "bytes=abc", "items=0-1", "bytes=-0", "bytes=1-2x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ_INT(req(api, "GET", target, NULL, bad[i], &out, &res), 416);
		CHECK(!res.has_file && res.content_range && !strcmp(res.content_range, "bytes */64044"));
		api_response_release(&res);
	}
	CHECK_EQ_INT(req(api, "GET", target, NULL, "bytes=0-1,5-9", &out, &res), 200); /* several: the whole file */
	CHECK(res.file_len == size);
	api_response_release(&res);
	snprintf(target, sizeof(target), "/api/sessions/%lld/audio/7", (long long)id);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 404);
	snprintf(target, sizeof(target), "/api/sessions/%lld/audio/x", (long long)id);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 400);
	snprintf(target, sizeof(target), "/api/sessions/%lld/audio/0", (long long)id);
	CHECK_EQ_INT(req(api, "DELETE", target, NULL, NULL, &out, NULL), 405);
	buf_release(&out);
	api_free(api);
}

TEST(api_speakers_list_and_rename)
{
	struct api *api = new_api();
	struct buf out;
	char target[96];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	int64_t id = import_meeting(api, &out);
	snprintf(target, sizeof(target), "/api/sessions/%lld/speakers", (long long)id);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	/* Alice: two lines, the longer one her sample; Bob: one */
	CHECK(strstr(out.data, "{\"label\":\"Alice\",\"name\":null,\"n_segments\":2,") != NULL);
	CHECK(strstr(out.data, "\"text\":\"the budget is ten thousand euros\"") != NULL ||
	      strstr(out.data, "\"text\":\"Bob writes the launch plan by Friday\"") != NULL);
	CHECK(strstr(out.data, "{\"label\":\"Bob\",\"name\":null,\"n_segments\":1,") != NULL);

	CHECK_EQ_INT(req(api, "PUT", target, "{\"speaker\":\"Bob\",\"name\":\"Robert\"}", NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "{\"label\":\"Bob\",\"name\":\"Robert\"") != NULL);
	/* by the name given before, any case; every line follows */
	CHECK_EQ_INT(req(api, "PUT", target, "{\"speaker\":\"robert\",\"name\":\"Bobby\"}", NULL, &out, NULL), 200);
	snprintf(target, sizeof(target), "/api/sessions/%lld/export?format=txt", (long long)id);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "Bobby: we ship the remote in May") != NULL && !strstr(out.data, "Bob:"));
	snprintf(target, sizeof(target), "/api/sessions/%lld/speakers", (long long)id);
	CHECK_EQ_INT(req(api, "PUT", target, "{\"speaker\":\"Bob\",\"name\":null}", NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "{\"label\":\"Bob\",\"name\":null") != NULL);

	CHECK_EQ_INT(req(api, "PUT", target, "{\"speaker\":\"Carol\",\"name\":\"C\"}", NULL, &out, NULL), 404);
	CHECK(strstr(out.data, "no speaker 'Carol'") != NULL);
	CHECK_EQ_INT(req(api, "PUT", target, "{\"speaker\":\"\",\"name\":\"C\"}", NULL, &out, NULL), 400);
	CHECK_EQ_INT(req(api, "PUT", target, "{\"speaker\":\"Bob\",\"name\":7}", NULL, &out, NULL), 400);
	CHECK_EQ_INT(req(api, "PUT", target, "{\"speaker\":\"Bob\",\"name\":\"a\\nb\"}", NULL, &out, NULL), 400);
	CHECK_EQ_INT(req(api, "PUT", target,
			 "{\"speaker\":\"Bob\",\"name\":\"0123456789012345678901234567890123456789012345678901234567890123X\"}",
			 NULL, &out, NULL),
		     400);
	CHECK_EQ_INT(req(api, "POST", target, "{}", NULL, &out, NULL), 405);
	CHECK_EQ_INT(req(api, "GET", "/api/sessions/999999/speakers", NULL, NULL, &out, NULL), 404);
	buf_release(&out);
	api_free(api);
}

/* The random-weight whisper (made once into build/models) and ../shared's Silero VAD. */
static bool speech_models(char asr[4096], char vad[4096])
{
	const char *shared = test_shared_dir();
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char rel[4096], cmd[9000];
	if (!shared)
		return false;
	snprintf(rel, sizeof(rel), "%s/models/ggml-silero-v6.2.0.bin", shared);
	if (!realpath(rel, vad))
		return false;
	snprintf(rel, sizeof(rel), "%s/models/ggml-tiny.en-random.bin", build);
	if (access(rel, R_OK) != 0) {
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p %s/models && %s/tools/synth-whisper %s/models/whisper-vocab-tiny.en.bin %s.tmp.%d "
			 ">/dev/null 2>&1 && mv %s.tmp.%d %s",
			 build, build, shared, rel, (int)getpid(), rel, (int)getpid(), rel);
		if (system(cmd) != 0)
			return false;
	}
	return realpath(rel, asr) != NULL;
}

/* A meeting that stops itself at live.max_minutes is released by the server at once:
 * the page sees "stopped" and never a late "closed ... can be resumed", and a new
 * meeting can start right away (the watchdog's grace is an hour here, so it is not what
 * frees it). */
TEST_MODEL(api_live_self_stop_releases_at_once)
{
	char asr[4096], vad[4096], body[9000];
	if (!speech_models(asr, vad))
		SKIP("../shared (Silero VAD, whisper vocabulary) or build/tools/synth-whisper unavailable");
	struct tacit_system sys;
	struct api_params p = { .port = 4321, .token = TOKEN, .no_network = true, .live_grace_ms = 3600 * 1000 };
	struct api *api = NULL;
	struct api_response res;
	struct buf out, ev;
	buf_init(&out);
	buf_init(&ev);
	CHECK_EQ_INT(tacit_profile_get("m3-air-16gb", &sys), TACIT_OK);
	p.sys = &sys;
	CHECK_EQ_INT(api_new(&p, &api), TACIT_OK);
	if (!api)
		return;
	snprintf(body, sizeof(body),
		 "{\"model.llm\":null,\"model.asr\":\"%s\",\"model.vad\":\"%s\",\"live.max_minutes\":\"0.1\"}", asr, vad);
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", body, NULL, &out, NULL), 200);
	CHECK_EQ_INT(req(api, "POST", "/api/meeting/start", "{\"title\":\"Short\",\"partials\":false}", NULL, &out, NULL),
		     201);
	CHECK(req(api, "GET", "/api/meeting/events", NULL, NULL, &out, &res) == 200 && res.stream);
	/* 7 s of quiet: past the 6 s limit */
	static char pcm[16000 * 2 * 7];
	struct api_request rq = { .method = "POST", .target = "/api/meeting/audio?channels=1", .host = "127.0.0.1:4321",
				  .origin = "http://127.0.0.1:4321", .authorization = "Bearer " TOKEN,
				  .body = pcm, .body_len = sizeof(pcm) };
	struct api_response r2;
	api_handle(api, &rq, &r2);
	CHECK_EQ_INT(r2.status, 200);
	api_response_release(&r2);
	time_t end = time(NULL) + 60;
	while (res.stream && time(NULL) < end && !strstr(ev.data, "event: stopped"))
		if (api_stream_read(res.stream, &ev) < 0)
			break;
	CHECK(strstr(ev.data, "event: stopped") != NULL);
	/* released within seconds, not after the grace */
	bool idle = false;
	for (int i = 0; i < 50 && !idle; i++) {
		CHECK_EQ_INT(req(api, "GET", "/api/meeting", NULL, NULL, &out, NULL), 200);
		idle = strstr(out.data, "\"meeting\":null") != NULL;
		if (!idle)
			usleep(100 * 1000);
	}
	CHECK(idle);
	while (res.stream && api_stream_read(res.stream, &ev) >= 0)
		;
	CHECK(strstr(ev.data, "event: closed") == NULL);
	api_response_release(&res);
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", "{\"model.asr\":null,\"model.vad\":null,\"live.max_minutes\":null}",
			 NULL, &out, NULL),
		     200);
	buf_release(&out);
	buf_release(&ev);
	api_free(api);
}

/* The message for a chosen model that is not downloaded says what is wrong once (it was
 * "the chosen language model (setting model.llm) is unusable: " twice, then cut). */
TEST(api_chosen_model_message_once)
{
	struct api *api = new_api();
	struct buf out;
	char target[96];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	int64_t id = import_meeting(api, &out);
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", "{\"model.llm\":\"qwen3.6-27b\"}", NULL, &out, NULL), 200);
	snprintf(target, sizeof(target), "/api/sessions/%lld/chat", (long long)id);
	CHECK_EQ_INT(req(api, "POST", target, "{\"question\":\"when?\"}", NULL, &out, NULL), 409);
	const char *first = strstr(out.data, "unusable");
	CHECK(first && !strstr(first + 1, "unusable"));
	CHECK(strstr(out.data, "model 'qwen3.6-27b' is not downloaded") != NULL);
	CHECK_EQ_INT(req(api, "GET", "/api/meeting", NULL, NULL, &out, NULL), 200);
	first = strstr(out.data, "unusable");
	CHECK(first && !strstr(first + 1, "unusable"));
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", "{\"model.llm\":null}", NULL, &out, NULL), 200);
	buf_release(&out);
	api_free(api);
}

/* The source of that doubling: a message that wraps the last one reads it whole. */
TEST(fail_wraps_the_last_message)
{
	tacit_fail(TACIT_ERR_NOT_FOUND, "model 'qwen3.6-27b' is not downloaded");
	tacit_fail(TACIT_ERR_NOT_FOUND, "the chosen language model (setting model.llm) is unusable: %s", tacit_errmsg());
	CHECK_STR(tacit_errmsg(),
		  "the chosen language model (setting model.llm) is unusable: model 'qwen3.6-27b' is not downloaded");
	tacit_clear_error();
}

/* The Models page and the first-run card name the same picks (tacit_models_recommend, as
 * `tacit setup`), and a downloaded model in use is marked. */
TEST(api_setup_plan_and_models_agree)
{
	struct api *api = new_api();
	struct buf out;
	char *dir = NULL, path[4200], cmd[9000];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK_EQ_INT(req(api, "GET", "/api/setup", NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"picks\":[{\"kind\":\"llm\"") != NULL && strstr(out.data, "\"kind\":\"asr\"") &&
	      strstr(out.data, "\"kind\":\"vad\",\"kind_name\":\"voice activity\",\"id\":\"silero-vad-v6.2.0\""));
	/* each pick is the one the model list marks Recommended */
	char picks[3][64] = { "", "", "" };
	const char *p = out.data;
	for (int k = 0; k < 3 && (p = strstr(p, "\"id\":\"")); k++) {
		p += 6;
		snprintf(picks[k], sizeof(picks[k]), "%.*s", (int)(strchr(p, '"') - p), p);
	}
	CHECK_EQ_INT(req(api, "GET", "/api/models", NULL, NULL, &out, NULL), 200);
	for (int k = 0; k < 3; k++) {
		char needle[128];
		snprintf(needle, sizeof(needle), "\"id\":\"%s\"", picks[k]);
		const char *m = strstr(out.data, needle);
		const char *next = m ? strstr(m + 1, "{\"id\":") : NULL;
		const char *rec = m ? strstr(m, "\"recommended\":true") : NULL;
		CHECK(picks[k][0] && m && rec && (!next || rec < next));
	}
	CHECK(strstr(out.data, "\"recommended_ids\":{\"llm\":\"") != NULL);
	CHECK(strstr(out.data, "\"in_use\":true") == NULL);

	/* ../shared's Silero file under its catalog name: downloaded, in use, and the plan says so */
	const char *shared = test_shared_dir();
	if (shared && tacit_models_dir(&dir) == TACIT_OK) {
		snprintf(path, sizeof(path), "%s/ggml-silero-v6.2.0.bin", dir);
		snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp '%s/models/ggml-silero-v6.2.0.bin' '%s'", dir, shared, path);
		CHECK(system(cmd) == 0);
		CHECK_EQ_INT(req(api, "GET", "/api/models", NULL, NULL, &out, NULL), 200);
		const char *m = strstr(out.data, "\"id\":\"silero-vad-v6.2.0\"");
		CHECK(m && strstr(m, "\"downloaded\":true,\"in_use\":true,\"recommended\":true") != NULL);
		CHECK_EQ_INT(req(api, "GET", "/api/setup", NULL, NULL, &out, NULL), 200);
		m = strstr(out.data, "\"id\":\"silero-vad-v6.2.0\"");
		CHECK(m && strstr(m, "\"downloaded\":true") && strstr(out.data, "\"ready\":false"));
		unlink(path);
	}
	tacit_free(dir);
	CHECK_EQ_INT(req(api, "POST", "/api/setup", "{}", NULL, &out, NULL), 405);
	buf_release(&out);
	api_free(api);
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
	struct api_request rq = { .method = "POST", .host = "127.0.0.1:4321", .origin = "http://127.0.0.1:4321",
				  .authorization = "Bearer " TOKEN };
	struct api_response res;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(upload(path, sizeof(path), bad[i].body));
		rq.target = bad[i].target;
		rq.body_path = path;
		rq.body_len = strlen(bad[i].body);
		api_handle(api, &rq, &res);
		CHECK_EQ_INT(res.status, bad[i].http);
		if (!strstr(res.body.data, bad[i].says))
			fprintf(stderr, "case %zu answered: %s\n", i, res.body.data);
		CHECK(strstr(res.body.data, bad[i].says) != NULL);
		CHECK(res.kept_body && access(path, F_OK) != 0);
		api_response_release(&res);
	}

	/* a write that failed on the way to disk is said as such */
	rq.target = "/api/sessions/import-audio?name=a.mp3";
	rq.body_path = NULL;
	rq.body_len = 0;
	rq.body_errno = ENOSPC;
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

/* ../shared's JFK speech as an uploaded body: a temporary file, as serve.c writes it. */
static bool upload_jfk(char *path, size_t n)
{
	const char *shared = test_shared_dir();
	char src[4096];
	struct buf wav;
	bool ok = false;
	buf_init(&wav);
	snprintf(src, sizeof(src), "%s/audio/jfk.wav", shared ? shared : "/nonexistent");
	FILE *f = fopen(src, "rb");
	char chunk[65536];
	size_t got;
	while (f && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&wav, chunk, got);
	if (f)
		fclose(f);
	if (wav.len > 44)
		ok = upload(path, n, "") && (f = fopen(path, "wb")) && fwrite(wav.data, 1, wav.len, f) == wav.len;
	if (ok)
		ok = fclose(f) == 0;
	buf_release(&wav);
	return ok;
}

/* An uploaded recording transcribed as an event stream (status, progress, done with the
 * stored meeting), and a Cancel (the stream dropped once transcription started) that
 * stores nothing, leaves no worker and removes the upload. */
TEST_MODEL(api_import_audio_streams_and_cancels)
{
	char asr[4096], vad[4096], body[9000], path[4096];
	if (!speech_models(asr, vad))
		SKIP("../shared (Silero VAD, whisper vocabulary) or build/tools/synth-whisper unavailable");
	struct api *api = new_api();
	struct api_response res;
	struct buf out, ev;
	buf_init(&out);
	buf_init(&ev);
	CHECK(api != NULL);
	if (!api)
		return;
	snprintf(body, sizeof(body), "{\"model.asr\":\"%s\",\"model.vad\":\"%s\"}", asr, vad);
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", body, NULL, &out, NULL), 200);
	struct api_request rq = { .method = "POST", .target = "/api/sessions/import-audio?name=jfk.wav&title=Moon%20speech",
				  .host = "127.0.0.1:4321", .origin = "http://127.0.0.1:4321",
				  .authorization = "Bearer " TOKEN, .body_path = path };
	for (int cancel = 1; cancel >= 0; cancel--) {
		CHECK(upload_jfk(path, sizeof(path)));
		struct stat sb;
		rq.body_len = stat(path, &sb) == 0 ? (size_t)sb.st_size : 0;
		api_handle(api, &rq, &res);
		CHECK(res.status == 200 && res.stream && res.kept_body);
		buf_reset(&ev);
		time_t end = time(NULL) + 240;
		const char *until = cancel ? "event: progress" : "event: done";
		while (res.stream && time(NULL) < end && !strstr(ev.data, until) && !strstr(ev.data, "event: error"))
			if (api_stream_read(res.stream, &ev) < 0)
				break;
		CHECK(strstr(ev.data, "event: status\ndata: {\"text\":\"decoding the recording\"}") != NULL);
		CHECK(strstr(ev.data, "event: progress\ndata: {\"done_ms\":0,\"total_ms\":11") != NULL);
		if (!cancel) {
			const char *done = strstr(ev.data, "event: done\ndata: {\"id\":");
			if (!done)
				fprintf(stderr, "import answered: %s\n", ev.data);
			CHECK(done && strstr(done, "\"title\":\"Moon speech\"") && strstr(done, "\"duration_ms\":"));
		}
		api_response_release(&res); /* frees the stream: a cancel when it has not ended */
		CHECK_EQ_INT(n_workers(), 0);
		char moved[4200];
		snprintf(moved, sizeof(moved), "%s.wav", path); /* the job gives it its extension */
		CHECK(access(path, F_OK) != 0 && access(moved, F_OK) != 0);
		CHECK_EQ_INT(req(api, "GET", "/api/sessions", NULL, NULL, &out, NULL), 200);
		const char *first = strstr(out.data, "Moon speech");
		CHECK(cancel ? first == NULL : first && !strstr(first + 1, "Moon speech")); /* stored once, by the second */
	}
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", "{\"model.asr\":null,\"model.vad\":null}", NULL, &out, NULL), 200);
	buf_release(&out);
	buf_release(&ev);
	api_free(api);
}
