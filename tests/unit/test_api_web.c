/*
 * test_api_web.c — the web app's meeting page calls without a socket: a summary and
 * notes written from the page as an event stream (progress, then the stored result),
 * and cancelled for real when the page drops the stream (no model worker left, nothing
 * stored); a meeting's recording served with byte ranges; its speakers listed and
 * renamed; History's status badges, previews and filters; Settings' groups and the
 * refusal of a model that is not downloaded or won't fit; speech models' verdicts. Across
 * meetings: an uploaded recording's refusals (each removes the upload;
 * the headers are checked before a body reaches the disk; the size limit says what to
 * do), action items listed and marked done, and "ask all meetings" refused before any
 * stream when it cannot answer (the upload's transcription runs in tests/e2e).
 */
#include "../check.h"
#include "api_fixture.h"
#include "store.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* The templates the page offers, and generate's "template": a name that does not exist
 * is refused before any model loads, with the remedy; a known one passes to the model
 * check (409 here: no model). */
TEST(api_generate_templates)
{
	struct api *api = new_api();
	struct buf out;
	char target[96];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK_EQ_INT(req(api, "GET", "/api/templates", NULL, NULL, &out, NULL), 200);
	CHECK(out.data[0] == '[' && strstr(out.data, "{\"name\":\"general\",\"description\":") != NULL);
	CHECK(strstr(out.data, "\"name\":\"lecture\"") != NULL);
	CHECK_EQ_INT(req(api, "POST", "/api/templates", "{}", NULL, &out, NULL), 405);
	int64_t id = import_meeting(api, &out);
	CHECK(id > 0);
	snprintf(target, sizeof(target), "/api/sessions/%lld/generate", (long long)id);
	CHECK_EQ_INT(req(api, "POST", target, "{\"task\":\"summary\",\"template\":\"no-such\"}", NULL, &out, NULL), 400);
	CHECK(strstr(out.data, "no-such") != NULL);
	CHECK_EQ_INT(req(api, "POST", target, "{\"task\":\"summary\",\"template\":7}", NULL, &out, NULL), 400);
	CHECK_EQ_INT(req(api, "POST", target, "{\"task\":\"notes\",\"template\":\"lecture\"}", NULL, &out, NULL), 409);
	buf_release(&out);
	api_free(api);
}

/* A remote engine set (engine.llm) writes the summary there, as a question does: never
 * refused for want of a local model, never run locally; an unreachable server is the
 * stream's error naming the host. (Generate ignored the setting.) */
TEST(api_generate_uses_the_remote_engine)
{
	struct api *api = new_api();
	struct tacit_store *store = NULL;
	struct buf out;
	char target[96];
	buf_init(&out);
	CHECK(api != NULL && tacit_store_open(NULL, &store) == TACIT_OK);
	if (!api || !store)
		goto out;
	int64_t id = import_meeting(api, &out);
	CHECK(id > 0);
	CHECK(tacit_store_setting_set(store, "engine.llm", "http://127.0.0.1:1") == TACIT_OK);
	snprintf(target, sizeof(target), "/api/sessions/%lld/generate", (long long)id);
	CHECK_EQ_INT(post_stream(api, target, "{\"task\":\"summary\"}", "event: error", &out, NULL), 200);
	CHECK(strstr(out.data, "event: error") && strstr(out.data, "127.0.0.1:1"));
	CHECK_EQ_INT(n_workers(), 0);
	CHECK(tacit_store_setting_set(store, "engine.llm", "local") == TACIT_OK);
out:
	tacit_store_close(store);
	buf_release(&out);
	api_free(api);
}

/* The tiny synthetic LLM with an 8192-token context (made once into build/models, as
 * test_api_live.c does: stories260K's 512 tokens are too few for a summary), or NULL. */
static const char *test_llm(void)
{
	static char path[PATH_MAX];
	return test_synth_model("live-test.gguf", "--arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192", path) ? path
														  : NULL;
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

/* Remembering a voice from the page: refused while remembered voices are off (the
 * listing says so), then kept; the listing shows which speakers have a voiceprint and
 * never the vector, nor does any export. */
TEST(api_speakers_remember_a_voice)
{
	struct api *api = new_api();
	struct tacit_store *s = NULL;
	struct buf out;
	char target[96];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	int64_t id = import_meeting(api, &out);
	snprintf(target, sizeof(target), "/api/sessions/%lld/speakers", (long long)id);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "{\"voices\":false,") != NULL);
	CHECK(strstr(out.data, "\"voiceprint\":false") != NULL);
	CHECK_EQ_INT(req(api, "PUT", target, "{\"speaker\":\"Bob\",\"remember\":true}", NULL, &out, NULL), 400);
	CHECK(strstr(out.data, "biometric") != NULL);
	CHECK_EQ_INT(tacit_store_open(NULL, &s), TACIT_OK);
	float v[4] = { 1, 2, 3, 4 };
	CHECK_EQ_INT(tacit_store_voices_enable(s, true), TACIT_OK);
	CHECK_EQ_INT(tacit_store_speaker_voiceprint_set(s, id, "Bob", v, 4), TACIT_OK);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "{\"voices\":true,") != NULL);
	CHECK(strstr(out.data, "\"voiceprint\":true") != NULL);
	CHECK_EQ_INT(req(api, "PUT", target, "{\"speaker\":\"Bob\",\"remember\":7}", NULL, &out, NULL), 400);
	CHECK_EQ_INT(req(api, "PUT", target, "{\"speaker\":\"Alice\",\"remember\":true}", NULL, &out, NULL), 404);
	CHECK_EQ_INT(req(api, "PUT", target, "{\"speaker\":\"Bob\",\"remember\":true,\"name\":\"Robert\"}", NULL,
			 &out, NULL),
		     200);
	int n = 0;
	CHECK_EQ_INT(tacit_store_voice_forget(s, "Robert", &n), TACIT_OK);
	CHECK_EQ_INT(n, 1);
	snprintf(target, sizeof(target), "/api/sessions/%lld/export?format=json", (long long)id);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(!strstr(out.data, "voiceprint"));
	tacit_store_close(s);
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
	/* History's badge for the running meeting */
	CHECK_EQ_INT(req(api, "GET", "/api/sessions", NULL, NULL, &out, NULL), 200);
	const char *listed = strstr(out.data, "\"title\":\"Short\"");
	CHECK(listed && strstr(listed, "\"status\":\"live\"") &&
	      strstr(listed, "\"status\":\"live\"") < (strstr(listed, "{\"id\":") ? strstr(listed, "{\"id\":") : listed + strlen(listed)));
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
	/* Settings refuses a model that is not downloaded: one chosen before (by the CLI, or
	 * a model deleted since) is stored as such */
	struct tacit_store *st = NULL;
	CHECK_EQ_INT(tacit_store_open(NULL, &st), TACIT_OK);
	CHECK_EQ_INT(tacit_store_setting_set(st, "model.llm", "qwen3.6-27b"), TACIT_OK);
	tacit_store_close(st);
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

/* ---- History's badges and filters, Settings' refusals, the Models page's speech verdicts.
 * The unit run shares one TACIT_HOME, so the meetings here are dated in 2001, where no
 * other test puts one. */

#define DAY_MS 86400000LL
#define JAN_2001 978307200000LL /* 2001-01-01T00:00:00Z */

/* A meeting started at `started` with one line; ended unless still running. */
static int64_t add_meeting(struct tacit_store *st, const char *title, int64_t started, const char *line, bool ended)
{
	struct tacit_session_params p = tacit_session_default_params();
	struct tacit_segment seg = { .start_ms = 0, .end_ms = 2000, .speaker = "S1", .text = line, .confidence = -1 };
	int64_t id = 0;
	p.title = title;
	p.started_ms = started;
	if (tacit_store_session_create(st, &p, &id) != TACIT_OK || tacit_store_add_segment(st, id, &seg, NULL) != TACIT_OK ||
	    (ended && tacit_store_session_end(st, id, started + 60000) != TACIT_OK))
		return 0;
	return id;
}

/* The JSON object of session id in a list answer, up to the next session's "id". */
static const char *session_in(const char *list, int64_t id, char *out, size_t n)
{
	char key[48];
	snprintf(key, sizeof(key), "{\"id\":%lld,", (long long)id);
	const char *p = strstr(list, key);
	if (!p)
		return NULL;
	const char *end = strstr(p + 1, "{\"id\":");
	size_t len = end ? (size_t)(end - p) : strlen(p);
	snprintf(out, n, "%.*s", (int)(len < n - 1 ? len : n - 1), p);
	return out;
}

TEST(api_history_status_preview_and_dates)
{
	struct api *api = new_api();
	struct tacit_store *st = NULL;
	struct buf out;
	char target[160], one[2048];
	buf_init(&out);
	CHECK(api != NULL);
	CHECK_EQ_INT(tacit_store_open(NULL, &st), TACIT_OK);
	if (!api || !st)
		goto out;
	int64_t a = add_meeting(st, "Quokka budget review", JAN_2001, "the quokka budget is ten thousand", true);
	int64_t b = add_meeting(st, "Quokka launch", JAN_2001 + 10 * DAY_MS, "the quokka launch is in May", true);
	int64_t u = add_meeting(st, "Quokka unfinished", JAN_2001 + 20 * DAY_MS, "a quokka meeting cut short", false);
	CHECK(a > 0 && b > 0 && u > 0);
	struct tacit_artifact art = { .kind = "summary",
				      .json = "{\"overview\":\"The team agreed the quokka budget.\",\"key_points\":[]}" };
	CHECK_EQ_INT(tacit_store_add_artifact(st, a, &art, NULL), TACIT_OK);
	/* a long overview is cut between characters, with an ellipsis */
	static char longer[600];
	snprintf(longer, sizeof(longer), "{\"overview\":\"%0300d é\"}", 0);
	struct tacit_artifact rolling = { .kind = "rolling_summary", .json = longer };
	CHECK_EQ_INT(tacit_store_add_artifact(st, u, &rolling, NULL), TACIT_OK);

	/* badges: summarized, ended, unfinished; the summary's overview as a preview */
	CHECK_EQ_INT(req(api, "GET", "/api/sessions", NULL, NULL, &out, NULL), 200);
	CHECK(session_in(out.data, a, one, sizeof(one)) && strstr(one, "\"status\":\"summarized\"") &&
	      strstr(one, "\"preview\":\"The team agreed the quokka budget.\""));
	CHECK(session_in(out.data, b, one, sizeof(one)) && strstr(one, "\"status\":\"ended\"") && !strstr(one, "preview"));
	CHECK(session_in(out.data, u, one, sizeof(one)) && strstr(one, "\"status\":\"unfinished\"") &&
	      strstr(one, "0000…\""));

	/* a date range: from inclusive, to exclusive */
	snprintf(target, sizeof(target), "/api/sessions?from=%lld&to=%lld", JAN_2001 + DAY_MS, JAN_2001 + 20 * DAY_MS);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(!session_in(out.data, a, one, sizeof(one)) && session_in(out.data, b, one, sizeof(one)) &&
	      !session_in(out.data, u, one, sizeof(one)));
	/* a speaker: by label or given name, any case */
	CHECK_EQ_INT(tacit_store_speaker_name(st, b, "S1", "Wilma"), TACIT_OK);
	CHECK_EQ_INT(req(api, "GET", "/api/sessions?speaker=wilma", NULL, NULL, &out, NULL), 200);
	CHECK(!session_in(out.data, a, one, sizeof(one)) && session_in(out.data, b, one, sizeof(one)) &&
	      strstr(one, "\"speakers\":[\"Wilma\"]"));
	CHECK_EQ_INT(req(api, "GET", "/api/sessions?speaker=s1", NULL, NULL, &out, NULL), 200);
	CHECK(session_in(out.data, a, one, sizeof(one)) && strstr(one, "\"speakers\":[\"S1\"]"));
	/* the filter's suggestions: every meeting's speakers once, sorted, whatever the page
	 * or the speaker filter (a page of one meeting still names the other meetings' too) */
	CHECK_EQ_INT(req(api, "GET", "/api/sessions?speaker=wilma&limit=1", NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"speaker_names\":[\"S1\",\"Wilma\"]") != NULL);
	CHECK_EQ_INT(req(api, "GET", "/api/sessions?from=yesterday", NULL, NULL, &out, NULL), 400);
	CHECK(strstr(out.data, "Unix milliseconds") != NULL);

	/* search: every quokka meeting, then the range, then a speaker no line has */
	CHECK_EQ_INT(req(api, "GET", "/api/search?q=quokka&limit=50", NULL, NULL, &out, NULL), 200);
	snprintf(target, sizeof(target), "\"session_started_ms\":%lld", JAN_2001);
	CHECK(strstr(out.data, target) != NULL);
	snprintf(target, sizeof(target), "/api/search?q=quokka&from=%lld&to=%lld", JAN_2001 + DAY_MS,
		 JAN_2001 + 20 * DAY_MS);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "Quokka launch") && !strstr(out.data, "Quokka budget") &&
	      !strstr(out.data, "Quokka unfinished"));
	snprintf(target, sizeof(target), "/api/search?q=quokka&limit=1&to=%lld", JAN_2001 + 30 * DAY_MS);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"segment_id\"") && !strstr(strstr(out.data, "\"segment_id\"") + 1, "\"segment_id\""));
	CHECK_EQ_INT(req(api, "GET", "/api/search?q=quokka&speaker=Nobody", NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"hits\":[]") != NULL);
	CHECK_EQ_INT(req(api, "GET", "/api/search?q=quokka&to=0", NULL, NULL, &out, NULL), 400);

	CHECK_EQ_INT(tacit_store_session_delete(st, a), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_delete(st, b), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_delete(st, u), TACIT_OK);
out:
	tacit_store_close(st);
	buf_release(&out);
	api_free(api);
}

/* The list's extras come from one pass over every meeting's speakers and one over their
 * summaries: each meeting keeps its own speakers (names over labels, in the order first
 * heard, one with no line too), its newest summary's overview before a rolling one, and
 * a summary with no overview text is summarized without a preview. The statements a
 * listing prepares do not grow with the number of meetings (issue #20: 54 meetings took
 * 293 ms when each one's speakers were a window query over all its lines). */
TEST(api_history_list_extras_in_fixed_statements)
{
	struct api *api = new_api();
	struct tacit_store *st = NULL;
	struct buf out;
	char one[2048];
	int64_t ids[8] = { 0 };
	buf_init(&out);
	CHECK(api != NULL);
	CHECK_EQ_INT(tacit_store_open(NULL, &st), TACIT_OK);
	if (!api || !st)
		goto out;
	int64_t a = add_meeting(st, "Wombat plan", JAN_2001 + 40 * DAY_MS, "wombats first", true);
	int64_t b = add_meeting(st, "Wombat review", JAN_2001 + 41 * DAY_MS, "wombats again", true);
	CHECK(a > 0 && b > 0);
	struct tacit_segment seg = { .start_ms = 3000, .end_ms = 4000, .speaker = "S2", .text = "me too", .confidence = -1 };
	CHECK_EQ_INT(tacit_store_add_segment(st, a, &seg, NULL), TACIT_OK);
	seg.speaker = "S0";
	CHECK_EQ_INT(tacit_store_add_segment(st, a, &seg, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_speaker_name(st, a, "S2", "Nadia"), TACIT_OK);
	struct tacit_artifact rolling = { .kind = "rolling_summary", .json = "{\"overview\":\"so far, wombats\"}",
					  .created_ms = JAN_2001 + 50 * DAY_MS };
	struct tacit_artifact sum = { .kind = "summary", .json = "{\"overview\":\"Wombats won.\"}",
				      .created_ms = JAN_2001 };
	CHECK_EQ_INT(tacit_store_add_artifact(st, a, &rolling, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_artifact(st, a, &sum, NULL), TACIT_OK);
	struct tacit_artifact bare = { .kind = "summary", .json = "{\"overview\":7}" };
	CHECK_EQ_INT(tacit_store_add_artifact(st, b, &bare, NULL), TACIT_OK);

	/* the first request opens the server's store connection (its checks prepare more) */
	CHECK_EQ_INT(req(api, "GET", "/api/sessions", NULL, NULL, &out, NULL), 200);
	unsigned long before = store_statements_prepared();
	CHECK_EQ_INT(req(api, "GET", "/api/sessions", NULL, NULL, &out, NULL), 200);
	unsigned long few = store_statements_prepared() - before;
	CHECK(session_in(out.data, a, one, sizeof(one)) && strstr(one, "\"speakers\":[\"S1\",\"Nadia\",\"S0\"]") &&
	      strstr(one, "\"status\":\"summarized\"") && strstr(one, "\"preview\":\"Wombats won.\""));
	CHECK(session_in(out.data, b, one, sizeof(one)) && strstr(one, "\"speakers\":[\"S1\"]") &&
	      strstr(one, "\"status\":\"summarized\"") && !strstr(one, "preview"));
	CHECK_EQ_INT(req(api, "GET", "/api/sessions?speaker=nadia", NULL, NULL, &out, NULL), 200);
	CHECK(session_in(out.data, a, one, sizeof(one)) && !session_in(out.data, b, one, sizeof(one)));

	/* eight more meetings, each with lines, a speaker and a summary: the same statements */
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		ids[i] = add_meeting(st, "Wombat extra", JAN_2001 + 42 * DAY_MS, "one more wombat", true);
		CHECK(ids[i] > 0 && tacit_store_add_artifact(st, ids[i], &sum, NULL) == TACIT_OK);
	}
	before = store_statements_prepared();
	CHECK_EQ_INT(req(api, "GET", "/api/sessions", NULL, NULL, &out, NULL), 200);
	CHECK_EQ_INT((long long)(store_statements_prepared() - before), (long long)few);
	CHECK(session_in(out.data, ids[7], one, sizeof(one)) && strstr(one, "\"preview\":\"Wombats won.\""));
	/* a page: the ten wombat meetings newest first are the eight extras, then b, then a */
	char target[200];
	snprintf(target, sizeof(target), "/api/sessions?from=%lld&to=%lld&offset=8&limit=3", JAN_2001 + 40 * DAY_MS,
		 JAN_2001 + 43 * DAY_MS);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(session_in(out.data, b, one, sizeof(one)) && session_in(out.data, a, one, sizeof(one)) &&
	      !session_in(out.data, ids[0], one, sizeof(one)) && strstr(out.data, "\"total\":10"));
	snprintf(target, sizeof(target), "/api/sessions?from=%lld&to=%lld&offset=0&limit=1", JAN_2001 + 40 * DAY_MS,
		 JAN_2001 + 43 * DAY_MS);
	CHECK_EQ_INT(req(api, "GET", target, NULL, NULL, &out, NULL), 200);
	CHECK(session_in(out.data, ids[7], one, sizeof(one)) && !session_in(out.data, ids[6], one, sizeof(one)) &&
	      strstr(out.data, "\"total\":10"));
	CHECK_EQ_INT(req(api, "GET", "/api/sessions?limit=0", NULL, NULL, &out, NULL), 400);
	CHECK_EQ_INT(req(api, "GET", "/api/sessions?offset=-1", NULL, NULL, &out, NULL), 400);
	CHECK(strstr(out.data, "must be a number from 0") != NULL);

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		if (ids[i])
			CHECK_EQ_INT(tacit_store_session_delete(st, ids[i]), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_delete(st, a), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_delete(st, b), TACIT_OK);
out:
	tacit_store_close(st);
	buf_release(&out);
	api_free(api);
}

/* Settings come in a basic and an advanced group with the value used when unset; a
 * model that is not downloaded, or won't fit this machine, is refused with the reason
 * and the field it belongs to, and nothing is stored. */
TEST(api_settings_groups_and_model_refusals)
{
	struct api *api = new_api();
	struct tacit_catalog *cat = NULL;
	struct tacit_system sys;
	struct buf out;
	char *dir = NULL, body[256], path[4200];
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	CHECK_EQ_INT(req(api, "GET", "/api/settings", NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"key\":\"model.llm\",\"label\":") && strstr(out.data, "\"group\":\"basic\""));
	const char *backlog = strstr(out.data, "\"key\":\"live.asr_backlog_ms\"");
	CHECK(backlog && strstr(backlog, "\"group\":\"advanced\",\"default\":\"1000\""));

	/* not downloaded (nothing is, in the unit run's home) */
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", "{\"output.language\":\"fr\",\"model.llm\":\"qwen3.5-2b\"}", NULL, &out, NULL),
		     400);
	CHECK(strstr(out.data, "\"field\":\"model.llm\"") && strstr(out.data, "not downloaded"));
	CHECK_EQ_INT(req(api, "GET", "/api/settings", NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"value\":\"fr\"") == NULL && strstr(out.data, "\"value\":\"qwen3.5-2b\"") == NULL);

	/* downloaded (a file by the catalog's name is enough to count) but won't fit the
	 * profile's 16 GB: refused with the fit scorer's reason */
	CHECK_EQ_INT(tacit_catalog_load(&cat), TACIT_OK);
	CHECK_EQ_INT(tacit_profile_get("m3-air-16gb", &sys), TACIT_OK);
	CHECK_EQ_INT(tacit_models_dir(&dir), TACIT_OK);
	const struct tacit_model_info *big = NULL;
	struct tacit_fit_params fp = tacit_fit_default_params();
	for (size_t i = 0; cat && i < tacit_catalog_count(cat) && !big; i++) {
		const struct tacit_model_info *m = tacit_catalog_get(cat, i);
		struct tacit_fit f;
		if (m->kind == TACIT_MODEL_LLM && !m->archived && tacit_fit_score(&sys, &m->layout, &fp, &f) == TACIT_OK &&
		    f.verdict == TACIT_FIT_NONE)
			big = m;
	}
	CHECK(big != NULL);
	if (big && dir) {
		snprintf(path, sizeof(path), "%s/%s", dir, big->file_name);
		test_write_file(dir, big->file_name, "GGUF", 4);
		snprintf(body, sizeof(body), "{\"model.llm\":\"%s\"}", big->id);
		CHECK_EQ_INT(req(api, "PUT", "/api/settings", body, NULL, &out, NULL), 400);
		CHECK(strstr(out.data, "won't fit this machine") && strstr(out.data, "\"field\":\"model.llm\""));
		unlink(path);
	}

	/* the Models page's speech models: their languages and live verdict */
	CHECK_EQ_INT(req(api, "GET", "/api/models", NULL, NULL, &out, NULL), 200);
	const char *asr = strstr(out.data, "\"kind\":\"asr\"");
	CHECK(asr && strstr(asr, "\"languages\":") && strstr(asr, "\"speech_verdict\":"));
	CHECK(strstr(out.data, "\"languages\":\"en\"") && strstr(out.data, "\"languages\":\"multilingual\""));
	tacit_free(dir);
	tacit_catalog_free(cat);
	buf_release(&out);
	api_free(api);
}


/* The export folder from the page: refused with the library's reason in the field it
 * names, stored as its absolute path, cleared with null; "Export now" (POST .../export)
 * says which file it wrote, then that it is up to date, and without a folder refuses. */
TEST(api_export_folder_setting_and_export_now)
{
	struct api *api = new_api();
	struct buf out;
	char body[4400], vault[4200], want[4300], *abs = NULL;
	buf_init(&out);
	CHECK(api != NULL);
	if (!api)
		return;
	int64_t id = import_meeting(api, &out);
	CHECK(id > 0);
	snprintf(vault, sizeof(vault), "%s/api-vault", test_tmpdir());
	snprintf(body, sizeof(body), "{\"export.folder\":\"%s\"}", vault);
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", body, NULL, &out, NULL), 400); /* not made yet */
	CHECK(strstr(out.data, "\"field\":\"export.folder\"") && strstr(out.data, "No such file or directory"));
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", "{\"export.folder\":\"notes\"}", NULL, &out, NULL), 400);
	CHECK(strstr(out.data, "must be an absolute path"));
	CHECK_EQ_INT(req(api, "GET", "/api/settings", NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"key\":\"export.folder\",\"label\":") && strstr(out.data, "\"type\":\"folder\""));
	CHECK(!strstr(out.data, "api-vault"));

	CHECK_EQ_INT(mkdir(vault, 0700), 0);
	abs = realpath(vault, NULL);
	snprintf(body, sizeof(body), "{\"export.folder\":\"%s/../api-vault\"}", vault);
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", body, NULL, &out, NULL), 200);
	snprintf(want, sizeof(want), "\"value\":\"%s\"", abs ? abs : "?");
	CHECK(strstr(out.data, want) != NULL);

	snprintf(want, sizeof(want), "/api/sessions/%lld/export", (long long)id);
	CHECK_EQ_INT(req(api, "POST", want, NULL, NULL, &out, NULL), 200);
	snprintf(body, sizeof(body), "-%lld.md\"", (long long)id);
	CHECK(strstr(out.data, "\"outcome\":\"written\"") && strstr(out.data, "\"file\":\"") && strstr(out.data, body));
	CHECK_EQ_INT(req(api, "POST", want, NULL, NULL, &out, NULL), 200);
	CHECK(strstr(out.data, "\"outcome\":\"unchanged\""));

	CHECK_EQ_INT(req(api, "PUT", "/api/settings", "{\"export.folder\":null}", NULL, &out, NULL), 200);
	CHECK_EQ_INT(req(api, "POST", want, NULL, NULL, &out, NULL), 404);
	CHECK(strstr(out.data, "no export folder is set"));
	free(abs);
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
		{ "/api/sessions/import-audio?name=notes.txt", "", "is empty", 400 },
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

/* With engine.llm set, asking all meetings goes to that server as a meeting's question
 * does: never refused for want of a local model; an unreachable server is the stream's
 * error naming the host. (It resolved only a local model.) */
TEST(api_ask_all_uses_the_remote_engine)
{
	struct api *api = new_api();
	struct tacit_store *store = NULL;
	struct buf out;
	buf_init(&out);
	CHECK(api != NULL && tacit_store_open(NULL, &store) == TACIT_OK);
	if (!api || !store)
		goto out;
	CHECK(tacit_store_setting_set(store, "engine.llm", "http://127.0.0.1:1") == TACIT_OK);
	CHECK_EQ_INT(post_stream(api, "/api/ask", "{\"question\":\"what about the budget?\"}", "event: error", &out,
				 NULL),
		     200);
	CHECK(strstr(out.data, "event: error") && strstr(out.data, "127.0.0.1:1"));
	CHECK_EQ_INT(n_workers(), 0);
	CHECK(tacit_store_setting_set(store, "engine.llm", "local") == TACIT_OK);
out:
	tacit_store_close(store);
	buf_release(&out);
	api_free(api);
}

/* With an embedding model chosen, a question first indexes the lines not indexed yet
 * (its status says so) and then finds them by meaning: a question of stopwords alone,
 * which no word search answers, still reaches its line. */
TEST_MODEL(api_ask_all_indexes_and_searches_by_meaning)
{
	const char *model = test_llm(), *shared = test_shared_dir();
	char embed[4096], body[8400];
	struct api *api = new_api();
	struct tacit_store *store = NULL;
	struct buf out;
	buf_init(&out);
	/* stories260K as the embedding model: a trained one's lines lie apart (test_ask_all.c) */
	char rel[4200];
	snprintf(rel, sizeof(rel), "%s/models/stories260K.gguf", shared ? shared : ".");
	if (!model || !shared || !realpath(rel, embed)) {
		api_free(api);
		SKIP("build/tools/synth-model or ../shared/models/stories260K.gguf unavailable");
	}
	CHECK(api != NULL && tacit_store_open(NULL, &store) == TACIT_OK);
	if (!api || !store)
		goto out;
	int64_t id = 0;
	struct tacit_session_params sp = tacit_session_default_params();
	sp.title = "Short";
	CHECK_EQ_INT(tacit_store_session_create(store, &sp, &id), TACIT_OK);
	struct tacit_segment g = { .start_ms = 0, .end_ms = 900, .speaker = "Erin", .text = "So it is.", .confidence = -1 };
	CHECK_EQ_INT(tacit_store_add_segment(store, id, &g, NULL), TACIT_OK);
	snprintf(body, sizeof(body), "{\"model.llm\":\"%s\",\"model.embed\":\"%s\"}", model, embed);
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", body, NULL, &out, NULL), 200);
	CHECK_EQ_INT(post_stream(api, "/api/ask", "{\"question\":\"So it is.\"}", "event: answer", &out, NULL), 200);
	CHECK(strstr(out.data, "indexing for search by meaning: 1 of 1 new lines") != NULL);
	CHECK(strstr(out.data, "event: answer") != NULL);
	CHECK_EQ_INT(n_workers(), 0);
out:
	tacit_store_close(store);
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

/* An uploaded transcript with a language model chosen: stored, then folded into its
 * summary and notes, with the analysis's progress in segments, before "done". */
TEST_MODEL(api_import_transcript_streams_its_summary)
{
	const char *model = test_llm();
	if (!model)
		SKIP("build/tools/synth-model unavailable");
	char body[4200], path[4096];
	struct api *api = new_api();
	struct tacit_store *store = NULL;
	struct api_response res = { 0 };
	struct buf out, ev;
	buf_init(&out);
	buf_init(&ev);
	CHECK(api != NULL && tacit_store_open(NULL, &store) == TACIT_OK);
	if (!api || !store)
		goto out;
	snprintf(body, sizeof(body), "{\"model.llm\":\"%s\"}", model);
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", body, NULL, &out, NULL), 200);
	CHECK(upload(path, sizeof(path), "Alice: The supplier is late again.\nBob: Then we switch to the second one.\n"
					 "Alice: I write to them by Friday.\n"));
	struct api_request rq = { .method = "POST", .target = "/api/sessions/import-audio?name=supplier.txt",
				  .host = "127.0.0.1:4321", .origin = "http://127.0.0.1:4321",
				  .authorization = "Bearer " TOKEN, .body_path = path, .body_len = 108 };
	api_handle(api, &rq, &res);
	CHECK(res.status == 200 && res.stream && res.kept_body);
	time_t end = time(NULL) + 240;
	while (res.stream && time(NULL) < end && !strstr(ev.data, "event: done") && !strstr(ev.data, "event: error"))
		if (api_stream_read(res.stream, &ev) < 0)
			break;
	CHECK(strstr(ev.data, "event: status\ndata: {\"text\":\"summarizing\"}") != NULL);
	CHECK(strstr(ev.data, "event: progress\ndata: {\"phase\":\"summarize\",\"done\":0,\"total\":3,") != NULL);
	const char *done = strstr(ev.data, "event: done\ndata: {\"id\":");
	if (!done)
		fprintf(stderr, "import answered: %s\n", ev.data);
	CHECK(done && strstr(done, "\"title\":\"supplier\"") && strstr(done, "\"n_segments\":3"));
	int64_t id = done ? strtoll(done + strlen("event: done\ndata: {\"id\":"), NULL, 10) : 0;
	char *json = NULL;
	CHECK_EQ_INT(tacit_store_get_artifact(store, id, "summary", &json, NULL), TACIT_OK);
	tacit_free(json);
	json = NULL;
	CHECK_EQ_INT(tacit_store_get_artifact(store, id, "notes", &json, NULL), TACIT_OK);
	tacit_free(json);
	api_response_release(&res);
	CHECK_EQ_INT(n_workers(), 0);
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", "{\"model.llm\":null}", NULL, &out, NULL), 200);
out:
	tacit_store_close(store);
	buf_release(&out);
	buf_release(&ev);
	api_free(api);
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
