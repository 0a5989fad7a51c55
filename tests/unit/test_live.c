/*
 * test_live.c — live meetings: the suggestion policy (battery, load), load average and
 * power from a fake sysroot, the one-time notice, event JSON, and, on a tiny synthetic
 * model (built by tools/synth-model when missing), a whole replayed meeting with folds,
 * stop cancelling suggestion work in flight, close stopping the worker mid-answer, and
 * suggestions pausing on a low battery.
 */
#include "internal.h"

#include "live.h"

#include "../check.h"

#include <dirent.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <yyjson.h>

static void put(const char *root, const char *rel, const char *text)
{
	test_write_file(root, rel, text, strlen(text));
}

TEST(live_policy)
{
	struct live_policy p = { 60, 3, 30, 1.5 };
	double iv = 0;
	CHECK_EQ_INT(live_suggest_decide(&p, TACIT_POWER_AC, -1, 0.5, 2, 0, &iv), LIVE_SUGGEST_RUN);
	CHECK(iv == 60);
	CHECK_EQ_INT(live_suggest_decide(&p, TACIT_POWER_BATTERY, 80, 0.5, 2, 0, &iv), LIVE_SUGGEST_RUN);
	CHECK(iv == 180); /* widened on battery */
	CHECK_EQ_INT(live_suggest_decide(&p, TACIT_POWER_BATTERY, 29, 0.5, 2, 0, &iv), LIVE_SUGGEST_PAUSED_BATTERY);
	CHECK_EQ_INT(live_suggest_decide(&p, TACIT_POWER_AC, 10, 0.5, 2, 0, &iv), LIVE_SUGGEST_RUN); /* charging */
	CHECK_EQ_INT(live_suggest_decide(&p, TACIT_POWER_AC, -1, 3.1, 2, 0, &iv), LIVE_SUGGEST_BUSY);
	CHECK_EQ_INT(live_suggest_decide(&p, TACIT_POWER_AC, -1, 3.1, 4, 0, &iv), LIVE_SUGGEST_RUN);
	CHECK_EQ_INT(live_suggest_decide(&p, TACIT_POWER_AC, -1, -1, 2, 2, &iv), LIVE_SUGGEST_RUN); /* unknown load */
	CHECK(iv == 240); /* backed off twice */
	live_suggest_decide(&p, TACIT_POWER_AC, -1, 0, 2, 9, &iv);
	CHECK(iv == 480); /* at most 8x */
}

TEST(live_loadavg_and_power)
{
	const char *root = test_tmpdir();
	CHECK(live_loadavg(root) < 0);
	put(root, "proc/loadavg", "2.50 1.00 0.50 3/400 1234\n");
	CHECK(live_loadavg(root) == 2.5);
}

TEST(live_notice_once)
{
	struct tacit_store *s = NULL;
	char *n = NULL, *v = NULL;
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(tacit_suggestions_enable(s, true, &n), TACIT_OK);
	CHECK_STR(n, TACIT_SUGGESTIONS_NOTICE);
	CHECK(n && strstr(n, "keep your CPU and GPU busy"));
	tacit_free(n);
	n = (char *)"x";
	CHECK_EQ_INT(tacit_suggestions_enable(s, false, &n), TACIT_OK);
	CHECK(n == NULL);
	CHECK_EQ_INT(tacit_suggestions_enable(s, true, &n), TACIT_OK);
	CHECK(n == NULL); /* once per device */
	CHECK_EQ_INT(tacit_suggestions_notice(s, &n), TACIT_OK);
	CHECK(n == NULL);
	CHECK_EQ_INT(tacit_store_setting_get(s, "suggestions.auto", &v), TACIT_OK);
	CHECK_STR(v, "on");
	tacit_free(v);
	tacit_store_close(s);
}

TEST(live_event_json)
{
	struct tacit_live_event ev = { .type = TACIT_LIVE_FINAL, .session_id = 7, .segment_no = 3, .start_ms = 1500,
				       .end_ms = 3000, .label = "Me", .text = "he said \"go\"" };
	char *j = tacit_live_event_json(&ev);
	CHECK_STR(j, "{\"type\":\"final\",\"session\":7,\"segment\":3,\"start\":1.5,\"end\":3.0,\"speaker\":\"Me\","
		     "\"text\":\"he said \\\"go\\\"\"}");
	tacit_free(j);
	struct tacit_live_event ev2 = { .type = TACIT_LIVE_STOPPED, .session_id = 1, .text = "",
					.json = "{\"summary\":null}" };
	j = tacit_live_event_json(&ev2);
	CHECK_STR(j, "{\"type\":\"stopped\",\"session\":1,\"text\":\"\",\"data\":{\"summary\":null}}");
	tacit_free(j);
	ev2.type = (enum tacit_live_event_type)99;
	CHECK(tacit_live_event_json(&ev2) == NULL);
}

/* ---- with a model ---- */

static const char *test_model(void)
{
	static char path[1024];
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(path, sizeof(path), "%s/models/live-test.gguf", build);
	if (access(path, R_OK) == 0)
		return path;
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/models && %s/tools/synth-model --arch qwen2.5-0.5b --layers 2 --vocab 1024 --ctx 8192 "
		 "--out %s.tmp --quiet >/dev/null 2>&1 && mv %s.tmp %s",
		 build, build, path, path, path);
	return system(cmd) == 0 && access(path, R_OK) == 0 ? path : NULL;
}

struct seen {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int n[9];
	bool cancelled, paused, thinking;
	char last_status[256];
};

static void on_event(const struct tacit_live_event *ev, void *user)
{
	struct seen *s = user;
	pthread_mutex_lock(&s->mu);
	s->n[ev->type]++;
	if (ev->type == TACIT_LIVE_STATUS) {
		snprintf(s->last_status, sizeof(s->last_status), "%s", ev->text);
		if (strstr(ev->text, "suggestions cancelled"))
			s->cancelled = true;
		if (strstr(ev->text, "paused: on battery"))
			s->paused = true;
		if (strstr(ev->text, "thinking"))
			s->thinking = true;
	}
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

/* Waits (up to a minute: a slow machine is not a failure) until pred holds. */
static bool wait_for(struct seen *s, bool (*pred)(struct seen *))
{
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 60;
	pthread_mutex_lock(&s->mu);
	while (!pred(s) && pthread_cond_timedwait(&s->cond, &s->mu, &dl) == 0) {
	}
	bool ok = pred(s);
	pthread_mutex_unlock(&s->mu);
	return ok;
}

static struct tacit_live_params params(const char *model, struct seen *s, const char *db)
{
	struct tacit_live_params p = tacit_live_default_params();
	p.transcribe = false;
	p.record_audio = false;
	p.llm_model = model;
	p.store_path = db;
	p.n_ctx = 2048;
	p.window_tokens = 300;
	p.max_tokens = 400;
	p.suggest = 0;
	p.on_event = on_event;
	p.user = s;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cond, NULL);
	return p;
}

static void add(struct tacit_live *l, int i)
{
	char text[160];
	snprintf(text, sizeof(text), "Point %d: we agreed that the budget for item %d stays at %d euros until Friday.",
		 i, i, 100 * i);
	struct tacit_segment seg = { .start_ms = i * 5000, .end_ms = i * 5000 + 4000,
				     .speaker = i % 2 ? "Alice" : "Bob", .text = text, .confidence = -1 };
	CHECK_EQ_INT(tacit_live_add_segment(l, &seg), TACIT_OK);
}

TEST(live_replayed_meeting_folds_and_stops)
{
	const char *model = test_model();
	if (!model)
		SKIP("cannot build the synthetic test model (build/tools/synth-model)");
	struct seen s = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	struct tacit_live_params p = params(model, &s, db);
	struct tacit_live *l = NULL;
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	for (int i = 0; i < 12; i++)
		add(l, i);
	CHECK_EQ_INT(tacit_live_wait_idle(l, -1), TACIT_OK);
	CHECK(s.n[TACIT_LIVE_SUMMARY] >= 1); /* folded during the meeting, before stop */
	char *summary = NULL;
	CHECK_EQ_INT(tacit_live_stop(l, &summary), TACIT_OK);
	CHECK(summary && strstr(summary, "\"key_points\""));
	CHECK_EQ_INT(s.n[TACIT_LIVE_FINAL], 12);
	CHECK_EQ_INT(s.n[TACIT_LIVE_STOPPED], 1);
	int64_t id = tacit_live_session_id(l);
	tacit_free(summary);
	tacit_live_close(l);

	struct tacit_store *st = NULL;
	struct tacit_session sess;
	char *json = NULL, *md = NULL;
	CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_get(st, id, &sess), TACIT_OK);
	CHECK(sess.ended_ms > 0);
	CHECK_EQ_INT(sess.n_segments, 12);
	CHECK_EQ_INT(tacit_store_get_artifact(st, id, "summary", &json, &md), TACIT_OK);
	CHECK(md && strstr(md, "# "));
	tacit_free(json);
	tacit_free(md);
	CHECK_EQ_INT(tacit_store_get_artifact(st, id, "notes", &json, NULL), TACIT_OK);
	CHECK(json && strstr(json, "\"sections\""));
	tacit_free(json);
	CHECK_EQ_INT(tacit_store_get_artifact(st, id, "rolling_summary", &json, NULL), TACIT_OK);
	yyjson_doc *d = json ? yyjson_read(json, strlen(json), 0) : NULL;
	CHECK_EQ_INT(yyjson_get_uint(yyjson_obj_get(yyjson_doc_get_root(d), "next_segment")), 12);
	CHECK(yyjson_get_uint(yyjson_obj_get(yyjson_doc_get_root(d), "windows")) >= 2);
	yyjson_doc_free(d);
	tacit_free(json);

	/* an ended meeting cannot be resumed */
	struct tacit_live_params p2 = params(model, &s, db);
	p2.resume_id = id;
	CHECK_EQ_INT(tacit_live_open(&p2, &l), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "has ended"));
	p2.resume_id = 999;
	CHECK_EQ_INT(tacit_live_open(&p2, &l), TACIT_ERR_NOT_FOUND);
	tacit_store_close(st);
}

static bool is_thinking(struct seen *s)
{
	return s->thinking;
}

static bool has_delta(struct seen *s)
{
	return s->n[TACIT_LIVE_ANSWER_DELTA] > 0;
}

static bool is_paused(struct seen *s)
{
	return s->paused;
}

/* Children of this process (the model worker) still alive. */
static int n_children(void)
{
	char path[64], buf[4096];
	int n = 0;
	snprintf(path, sizeof(path), "/proc/self/task");
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char p2[300];
		snprintf(p2, sizeof(p2), "/proc/self/task/%s/children", e->d_name);
		FILE *f = fopen(p2, "r");
		if (!f)
			continue;
		size_t got = fread(buf, 1, sizeof(buf) - 1, f);
		buf[got] = '\0';
		for (char *c = strtok(buf, " \n"); c; c = strtok(NULL, " \n"))
			n++;
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

TEST(live_stop_cancels_suggestion_close_stops_worker)
{
	const char *model = test_model();
	if (!model)
		SKIP("cannot build the synthetic test model (build/tools/synth-model)");
	struct seen s = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	struct tacit_live_params p = params(model, &s, db);
	p.max_tokens = 512; /* long enough to be in flight when stop comes */
	p.window_tokens = 2000;
	struct tacit_live *l = NULL;
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	for (int i = 0; i < 3; i++)
		add(l, i);
	CHECK_EQ_INT(tacit_live_wait_idle(l, -1), TACIT_OK);
	CHECK_EQ_INT(tacit_live_suggest(l), TACIT_OK);
	CHECK(wait_for(&s, is_thinking));
	CHECK_EQ_INT(tacit_live_stop(l, NULL), TACIT_OK);
	CHECK(s.cancelled);
	CHECK_EQ_INT(s.n[TACIT_LIVE_SUGGESTION], 0);
	CHECK_EQ_INT(s.n[TACIT_LIVE_STOPPED], 1);
	tacit_live_close(l);

	/* close while an answer is being written: the worker is gone when close returns */
	struct seen s2 = { 0 };
	p = params(model, &s2, db);
	p.max_tokens = 512;
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	add(l, 1);
	CHECK(n_children() >= 1);
	CHECK_EQ_INT(tacit_live_ask(l, "What is the budget?", NULL), TACIT_OK);
	CHECK(wait_for(&s2, has_delta));
	tacit_live_close(l);
	CHECK_EQ_INT(n_children(), 0);
}

TEST(live_suggestions_pause_on_low_battery)
{
	const char *model = test_model();
	if (!model)
		SKIP("cannot build the synthetic test model (build/tools/synth-model)");
	const char *root = test_tmpdir();
	put(root, "proc/meminfo", "MemTotal: 8000000 kB\nMemAvailable: 6000000 kB\n");
	put(root, "proc/loadavg", "0.10 0.10 0.10 1/100 1\n");
	put(root, "sys/class/power_supply/AC/type", "Mains\n");
	put(root, "sys/class/power_supply/AC/online", "0\n");
	put(root, "sys/class/power_supply/BAT0/type", "Battery\n");
	put(root, "sys/class/power_supply/BAT0/capacity", "12\n");
	put(root, "sys/class/power_supply/BAT0/status", "Discharging\n");
	struct seen s = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", root);
	struct tacit_live_params p = params(model, &s, db);
	p.sysroot = root;
	p.suggest = 1;
	p.suggest_interval_s = 1;
	struct tacit_live *l = NULL;
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	add(l, 1);
	CHECK(wait_for(&s, is_paused));
	CHECK(strstr(s.last_status, "at 12 %"));
	CHECK_EQ_INT(s.n[TACIT_LIVE_SUGGESTION], 0);
	tacit_live_close(l);
}
