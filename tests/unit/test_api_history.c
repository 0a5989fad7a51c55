/*
 * test_api_history.c — the API behind History's badges and filters and behind
 * Settings' refusals, without a socket: each meeting's status and summary preview,
 * meetings and search hits limited to a date range, a speech model's languages and
 * live verdict, settings in groups with their defaults, and a chosen model that is not
 * downloaded or won't fit refused next to its field. The unit run shares one
 * TACIT_HOME, so the meetings here are dated in 2001, where no other test puts one.
 */
#include "../check.h"
#include "api.h"

#include <stdlib.h>
#include <unistd.h>

#define TOKEN "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define DAY_MS 86400000LL
#define JAN_2001 978307200000LL /* 2001-01-01T00:00:00Z */

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

static int req(struct api *api, const char *method, const char *target, const char *body, struct buf *out)
{
	struct api_request rq = { .method = method, .target = target, .host = "127.0.0.1:4321",
				  .origin = "http://127.0.0.1:4321", .authorization = "Bearer " TOKEN,
				  .body = body, .body_len = body ? strlen(body) : 0 };
	struct api_response res;
	api_handle(api, &rq, &res);
	int st = res.status;
	buf_reset(out);
	buf_add(out, res.body.data, res.body.len);
	api_response_release(&res);
	return st;
}

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

	/* badges: summarized, ended, unfinished; the summary's overview as a preview */
	CHECK_EQ_INT(req(api, "GET", "/api/sessions", NULL, &out), 200);
	CHECK(session_in(out.data, a, one, sizeof(one)) && strstr(one, "\"status\":\"summarized\"") &&
	      strstr(one, "\"preview\":\"The team agreed the quokka budget.\""));
	CHECK(session_in(out.data, b, one, sizeof(one)) && strstr(one, "\"status\":\"ended\"") && !strstr(one, "preview"));
	CHECK(session_in(out.data, u, one, sizeof(one)) && strstr(one, "\"status\":\"unfinished\""));

	/* a date range: from inclusive, to exclusive */
	snprintf(target, sizeof(target), "/api/sessions?from=%lld&to=%lld", JAN_2001 + DAY_MS, JAN_2001 + 20 * DAY_MS);
	CHECK_EQ_INT(req(api, "GET", target, NULL, &out), 200);
	CHECK(!session_in(out.data, a, one, sizeof(one)) && session_in(out.data, b, one, sizeof(one)) &&
	      !session_in(out.data, u, one, sizeof(one)));
	/* a speaker: by label or given name, any case */
	CHECK_EQ_INT(tacit_store_speaker_name(st, b, "S1", "Wilma"), TACIT_OK);
	CHECK_EQ_INT(req(api, "GET", "/api/sessions?speaker=wilma", NULL, &out), 200);
	CHECK(!session_in(out.data, a, one, sizeof(one)) && session_in(out.data, b, one, sizeof(one)) &&
	      strstr(one, "\"speakers\":[\"Wilma\"]"));
	CHECK_EQ_INT(req(api, "GET", "/api/sessions?speaker=s1", NULL, &out), 200);
	CHECK(session_in(out.data, a, one, sizeof(one)) && strstr(one, "\"speakers\":[\"S1\"]"));
	CHECK_EQ_INT(req(api, "GET", "/api/sessions?from=yesterday", NULL, &out), 400);
	CHECK(strstr(out.data, "Unix milliseconds") != NULL);

	/* search: every quokka meeting, then the range, then a speaker no line has */
	CHECK_EQ_INT(req(api, "GET", "/api/search?q=quokka&limit=50", NULL, &out), 200);
	snprintf(target, sizeof(target), "\"session_started_ms\":%lld", JAN_2001);
	CHECK(strstr(out.data, target) != NULL);
	snprintf(target, sizeof(target), "/api/search?q=quokka&from=%lld&to=%lld", JAN_2001 + DAY_MS,
		 JAN_2001 + 20 * DAY_MS);
	CHECK_EQ_INT(req(api, "GET", target, NULL, &out), 200);
	CHECK(strstr(out.data, "Quokka launch") && !strstr(out.data, "Quokka budget") &&
	      !strstr(out.data, "Quokka unfinished"));
	snprintf(target, sizeof(target), "/api/search?q=quokka&limit=1&to=%lld", JAN_2001 + 30 * DAY_MS);
	CHECK_EQ_INT(req(api, "GET", target, NULL, &out), 200);
	CHECK(strstr(out.data, "\"segment_id\"") && !strstr(strstr(out.data, "\"segment_id\"") + 1, "\"segment_id\""));
	CHECK_EQ_INT(req(api, "GET", "/api/search?q=quokka&speaker=Nobody", NULL, &out), 200);
	CHECK(strstr(out.data, "\"hits\":[]") != NULL);
	CHECK_EQ_INT(req(api, "GET", "/api/search?q=quokka&to=0", NULL, &out), 400);

	CHECK_EQ_INT(tacit_store_session_delete(st, a), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_delete(st, b), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_delete(st, u), TACIT_OK);
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
	CHECK_EQ_INT(req(api, "GET", "/api/settings", NULL, &out), 200);
	CHECK(strstr(out.data, "\"key\":\"model.llm\",\"label\":") && strstr(out.data, "\"group\":\"basic\""));
	const char *backlog = strstr(out.data, "\"key\":\"live.asr_backlog_ms\"");
	CHECK(backlog && strstr(backlog, "\"group\":\"advanced\",\"default\":\"1000\""));

	/* not downloaded (nothing is, in the unit run's home) */
	CHECK_EQ_INT(req(api, "PUT", "/api/settings", "{\"output.language\":\"fr\",\"model.llm\":\"qwen3.5-2b\"}", &out),
		     400);
	CHECK(strstr(out.data, "\"field\":\"model.llm\"") && strstr(out.data, "not downloaded"));
	CHECK_EQ_INT(req(api, "GET", "/api/settings", NULL, &out), 200);
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
		CHECK_EQ_INT(req(api, "PUT", "/api/settings", body, &out), 400);
		CHECK(strstr(out.data, "won't fit this machine") && strstr(out.data, "\"field\":\"model.llm\""));
		unlink(path);
	}

	/* the Models page's speech models: their languages and live verdict */
	CHECK_EQ_INT(req(api, "GET", "/api/models", NULL, &out), 200);
	const char *asr = strstr(out.data, "\"kind\":\"asr\"");
	CHECK(asr && strstr(asr, "\"languages\":") && strstr(asr, "\"speech_verdict\":"));
	CHECK(strstr(out.data, "\"languages\":\"en\"") && strstr(out.data, "\"languages\":\"multilingual\""));
	tacit_free(dir);
	tacit_catalog_free(cat);
	buf_release(&out);
	api_free(api);
}
