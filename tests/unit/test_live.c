/*
 * test_live.c — live meetings: the suggestion policy (battery, load), load average and
 * power from a fake sysroot, the one-time notice, event JSON, the rolling state (a pure
 * function of its windows), and, on a tiny synthetic model (built by tools/synth-model
 * when missing), a whole replayed meeting with folds, stop cancelling suggestion work in
 * flight, close stopping the worker mid-answer, suggestions pausing on a low battery;
 * questions from other processes over the meeting's socket (stale sockets, long paths,
 * an unwritable directory, a peer gone or silent, a client giving up), and
 * tacit_live_abort() ending a stop in progress; a meeting stopping itself at
 * live.max_minutes (the random-weight whisper).
 */
#include "internal.h"

#include "live.h"
#include "live_int.h" /* the analysis thread's transcript, for the order test */
#include "live_remote.h"
#include "meeting.h"
#include "template.h"

#include "../check.h"

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

TEST(live_transcription_first_gate)
{
	CHECK(!live_llm_must_wait(true, false, 0, 1000));    /* whisper idle, no backlog: the model runs */
	CHECK(live_llm_must_wait(true, true, 0, 1000));      /* a whisper request in flight or queued */
	CHECK(!live_llm_must_wait(true, false, 1000, 1000)); /* a backlog up to the limit */
	CHECK(live_llm_must_wait(true, false, 1001, 1000));  /* past it */
	CHECK(live_llm_must_wait(true, false, 1, 0));
	CHECK(!live_llm_must_wait(false, true, 5000, 1000)); /* live.asr_first off */
	/* a stored limit out of range, or not a number, is clamped */
	CHECK(live_backlog_limit(1000) == 1000);
	CHECK(live_backlog_limit(-5) == 0);
	CHECK(live_backlog_limit(1e300) == 600000);
	CHECK(live_backlog_limit(NAN) == 0);
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

/* ---- the rolling state: a pure function of the windows folded into it ---- */

static const char part1[] =
	"{\"title\":\"Budget\",\"overview\":\"The budget was set.\","
	"\"key_points\":[{\"text\":\"budget is 100\",\"cites\":[1,2]},{\"text\":\"out of window\",\"cites\":[7]}],"
	"\"decisions\":[{\"text\":\"keep it\",\"cites\":[3,9]}],"
	"\"action_items\":[{\"owner\":\"Al\",\"task\":\"write\",\"due\":\"\",\"cites\":[2]}],"
	"\"open_questions\":[]}";

TEST(live_roll_new_and_parse)
{
	struct live_roll *r = live_roll_new(NULL);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(live_roll_is_empty(r));
	CHECK_STR(live_roll_title(r), "");
	CHECK(live_roll_next_segment(r) == 0 && live_roll_windows(r) == 0);
	char *json = live_roll_json(r);
	CHECK_STR(json, "{\"title\":\"\",\"overview\":\"\",\"key_points\":[],\"decisions\":[],\"action_items\":[],"
			"\"open_questions\":[],\"sections\":[],\"next_segment\":0,\"windows\":0}");
	struct live_roll *back = live_roll_parse(json, NULL);
	CHECK(back != NULL && live_roll_is_empty(back));
	live_roll_free(back);
	free(json);
	/* a state missing a field, or not JSON, is not taken: the meeting starts it over */
	CHECK(live_roll_parse("{\"title\":\"\",\"overview\":\"\",\"sections\":[],\"next_segment\":0}", NULL) == NULL);
	CHECK(live_roll_parse("not json", NULL) == NULL);
	CHECK(live_roll_parse(NULL, NULL) == NULL);
	live_roll_free(r);
	live_roll_free(NULL);
}

TEST(live_roll_fold_appends_cut_cites_and_a_section)
{
	struct live_roll *r0 = live_roll_new(NULL);
	if (!r0)
		return;
	/* window [S1, S3]: cites outside it are cut, an item left with none is dropped */
	struct live_roll *r1 = live_roll_fold(r0, part1, strlen(part1), "Budget", "The budget was set.", 0, 3);
	CHECK(r1 != NULL);
	if (!r1) {
		live_roll_free(r0);
		return;
	}
	CHECK(live_roll_is_empty(r0)); /* prev is not changed */
	CHECK(live_roll_next_segment(r0) == 0);
	CHECK_STR(live_roll_title(r1), "Budget");
	CHECK_STR(live_roll_overview(r1), "The budget was set.");
	CHECK(live_roll_next_segment(r1) == 3 && live_roll_windows(r1) == 1);
	char *json = live_roll_json(r1);
	CHECK_STR(json, "{\"title\":\"Budget\",\"overview\":\"The budget was set.\","
			"\"key_points\":[{\"text\":\"budget is 100\",\"cites\":[1,2]}],"
			"\"decisions\":[{\"text\":\"keep it\",\"cites\":[3]}],"
			"\"action_items\":[{\"owner\":\"Al\",\"task\":\"write\",\"due\":\"\",\"cites\":[2]}],"
			"\"open_questions\":[],"
			"\"sections\":[{\"topic\":\"Budget\",\"start\":1,\"end\":3,"
			"\"bullets\":[{\"text\":\"budget is 100\",\"cites\":[1,2]}]}],\"next_segment\":3,\"windows\":1}");
	free(json);

	/* the stop's part: its "part" names the section; no key point left in the window
	 * gives one bullet, the part's overview, cited to the window's first segment */
	static const char last[] = "{\"part\":\"Hiring\",\"title\":\"Budget and hiring\",\"overview\":\"Two hires.\","
				   "\"key_points\":[{\"text\":\"old\",\"cites\":[1]}],\"decisions\":[],"
				   "\"action_items\":[],\"open_questions\":[]}";
	struct live_roll *r2 = live_roll_fold(r1, last, strlen(last), "Budget and hiring", "Two hires.", 3, 5);
	CHECK(r2 != NULL);
	if (r2) {
		CHECK_STR(live_roll_title(r2), "Budget and hiring");
		CHECK(live_roll_next_segment(r2) == 5 && live_roll_windows(r2) == 2);
		char *s = NULL, *n = NULL;
		CHECK_EQ_INT(live_roll_final_json(r2, &s, &n), TACIT_OK);
		CHECK_STR(s, "{\"title\":\"Budget and hiring\",\"overview\":\"Two hires.\","
			     "\"key_points\":[{\"text\":\"budget is 100\",\"cites\":[1,2]}],"
			     "\"decisions\":[{\"text\":\"keep it\",\"cites\":[3]}],"
			     "\"action_items\":[{\"owner\":\"Al\",\"task\":\"write\",\"due\":\"\",\"cites\":[2]}],"
			     "\"open_questions\":[]}");
		CHECK(n && strstr(n, "{\"topic\":\"Hiring\",\"start\":4,\"end\":5,"
				     "\"bullets\":[{\"text\":\"Two hires.\",\"cites\":[4]}]}"));
		free(s);
		free(n);
		live_roll_free(r2);
	}
	CHECK_STR(live_roll_title(r1), "Budget"); /* still r1's */
	live_roll_free(r1);
	live_roll_free(r0);
}

TEST(live_roll_fold_failed_window_still_counts)
{
	struct live_roll *r0 = live_roll_new(NULL);
	struct live_roll *r1 = r0 ? live_roll_fold(r0, part1, strlen(part1), "Budget", "Set.", 0, 3) : NULL;
	/* the model failed on [S4, S6]: no content, the title stays, the state covers it */
	struct live_roll *r2 = r1 ? live_roll_fold(r1, NULL, 0, NULL, NULL, 3, 6) : NULL;
	CHECK(r2 != NULL);
	if (r2) {
		CHECK_STR(live_roll_title(r2), "Budget");
		CHECK_STR(live_roll_overview(r2), "Set.");
		CHECK(live_roll_next_segment(r2) == 6 && live_roll_windows(r2) == 2);
		char *a = live_roll_json(r1), *b = live_roll_json(r2);
		/* the same lists and sections: only the counters moved */
		CHECK(a && b && !strncmp(a, b, (size_t)(strstr(a, "\"next_segment\"") - a)));
		free(a);
		free(b);
		/* a state that went through JSON folds the same as the one in memory */
		char *j = live_roll_json(r2);
		struct live_roll *back = live_roll_parse(j, NULL);
		struct live_roll *x = back ? live_roll_fold(back, part1, strlen(part1), NULL, NULL, 6, 9) : NULL;
		struct live_roll *y = live_roll_fold(r2, part1, strlen(part1), NULL, NULL, 6, 9);
		char *xj = x ? live_roll_json(x) : NULL, *yj = y ? live_roll_json(y) : NULL;
		CHECK_STR(xj, yj);
		CHECK(xj && strstr(xj, "\"title\":\"Budget\"")); /* NULL title and overview keep the old ones */
		free(xj);
		free(yj);
		free(j);
		live_roll_free(x);
		live_roll_free(y);
		live_roll_free(back);
	}
	live_roll_free(r2);
	live_roll_free(r1);
	live_roll_free(r0);
}

TEST(live_roll_recap)
{
	struct live_roll *r0 = live_roll_new(NULL);
	struct buf b;
	buf_init(&b);
	if (!r0)
		return;
	long long *to = NULL;
	size_t n = 1;
	CHECK(live_roll_recap(r0, 7, &b, &to, &n));
	CHECK_EQ_INT(n, 0);
	free(to);
	live_roll_preface(r0, &b);
	CHECK_EQ_INT(b.len, 0); /* nothing before the first fold */
	struct live_roll *r1 = live_roll_fold(r0, part1, strlen(part1), "Budget", "The budget was set.", 0, 3);
	if (r1)
		live_roll_preface(r1, &b);
	CHECK_STR(b.data, "Earlier in the meeting:\nTitle: Budget\nOverview: The budget was set.\n\nThe meeting since then.\n");
	buf_reset(&b);
	/* numbered after the window's 6 segments, each standing for its first cite */
	if (r1 && live_roll_recap(r1, 7, &b, &to, &n)) {
		CHECK_STR(b.data, "\nKey points earlier in the meeting:\n[S7] budget is 100\n");
		CHECK_EQ_INT(n, 1);
		CHECK_EQ_INT(to[0], 1);
		free(to);
	}
	buf_release(&b);
	live_roll_free(r1);
	live_roll_free(r0);
}

TEST(live_roll_with_a_template)
{
	struct template su, custom;
	CHECK_EQ_INT(template_find(NULL, "stand-up", &su), TACIT_OK);
	struct live_roll *r0 = live_roll_new(&su);
	if (!r0)
		return;
	char *j0 = live_roll_json(r0);
	CHECK_STR(j0, "{\"title\":\"\",\"overview\":\"\",\"done\":[],\"next\":[],\"blockers\":[],\"sections\":[],"
		      "\"next_segment\":0,\"windows\":0,\"template\":\"stand-up\"}");
	/* a state goes on only with the template it was folded with */
	struct live_roll *back = live_roll_parse(j0, &su);
	CHECK(back != NULL);
	live_roll_free(back);
	CHECK(live_roll_parse(j0, NULL) == NULL);
	char *general = NULL;
	struct live_roll *g = live_roll_new(NULL);
	if (g && (general = live_roll_json(g)))
		CHECK(live_roll_parse(general, &su) == NULL);
	free(general);
	live_roll_free(g);
	free(j0);

	/* a window: per-speaker items kept with their cites cut to it; no plain list, so
	 * the notes' bullets are "WHO: text" */
	static const char part[] = "{\"title\":\"Stand-up\",\"overview\":\"Status.\","
				   "\"done\":[{\"speaker\":\"Alice\",\"text\":\"login page\",\"cites\":[1,7]}],"
				   "\"next\":[{\"speaker\":\"Bob\",\"text\":\"tests\",\"cites\":[9]}],"
				   "\"blockers\":[{\"speaker\":\"Bob\",\"text\":\"staging is down\",\"cites\":[2]}]}";
	struct live_roll *r1 = live_roll_fold(r0, part, strlen(part), "Stand-up", "Status.", 0, 3);
	char *s = NULL, *n = NULL;
	CHECK(r1 && live_roll_final_json(r1, &s, &n) == TACIT_OK);
	CHECK_STR(s, "{\"title\":\"Stand-up\",\"overview\":\"Status.\","
		     "\"done\":[{\"speaker\":\"Alice\",\"text\":\"login page\",\"cites\":[1]}],\"next\":[],"
		     "\"blockers\":[{\"speaker\":\"Bob\",\"text\":\"staging is down\",\"cites\":[2]}]}");
	CHECK_STR(n, "{\"sections\":[{\"topic\":\"Stand-up\",\"start\":1,\"end\":3,\"bullets\":["
		     "{\"text\":\"Alice: login page\",\"cites\":[1]},{\"text\":\"Bob: staging is down\",\"cites\":[2]}]}]}");
	free(s);
	free(n);
	live_roll_free(r1);
	live_roll_free(r0);

	/* a custom template: no overview, a text section of its own (the latest part's text
	 * that is not empty), and a plain list that makes the bullets */
	static const char file[] = "section: summary text Summary | one sentence\n"
				   "section: risks list Risks | risks named\n"
				   "section: actions actions Actions | who does what\n";
	CHECK_EQ_INT(template_parse(file, sizeof(file) - 1, "review", "review.tmpl", &custom), TACIT_OK);
	struct live_roll *c0 = live_roll_new(&custom);
	static const char p1[] = "{\"title\":\"R\",\"summary\":\"First.\",\"risks\":[{\"text\":\"late\",\"cites\":[1]}],"
				 "\"actions\":[{\"owner\":\"Al\",\"task\":\"fix\",\"due\":\"\",\"cites\":[2]}]}";
	static const char p2[] = "{\"title\":\"R\",\"summary\":\"\",\"risks\":[],\"actions\":[]}";
	struct live_roll *c1 = c0 ? live_roll_fold(c0, p1, strlen(p1), "R", "", 0, 2) : NULL;
	struct live_roll *c2 = c1 ? live_roll_fold(c1, p2, strlen(p2), "R", "", 2, 3) : NULL;
	CHECK(c2 && live_roll_final_json(c2, &s, &n) == TACIT_OK);
	if (c2) {
		CHECK_STR(s, "{\"title\":\"R\",\"summary\":\"First.\",\"risks\":[{\"text\":\"late\",\"cites\":[1]}],"
			     "\"actions\":[{\"owner\":\"Al\",\"task\":\"fix\",\"due\":\"\",\"cites\":[2]}]}");
		CHECK(n && strstr(n, "\"bullets\":[{\"text\":\"late\",\"cites\":[1]}]"));
		free(s);
		free(n);
	}
	live_roll_free(c2);
	live_roll_free(c1);
	live_roll_free(c0);

	/* a list keyed "overview" cannot be folded: said when the meeting opens */
	static const char odd[] = "section: overview list Overview | points\n";
	struct tacit_live_params p = tacit_live_default_params();
	struct tacit_live *l = NULL;
	p.transcribe = false;
	p.analyze = false;
	p.template_name = "odd-overview";
	if (getenv("TACIT_HOME") && test_write_file(getenv("TACIT_HOME"), "config/templates/odd-overview.tmpl", odd,
						    sizeof(odd) - 1)) {
		CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_ERR_UNSUPPORTED);
		CHECK(strstr(tacit_errmsg(), "its section 'overview' is a list") != NULL);
		tacit_live_close(l);
		unlink(test_write_file(getenv("TACIT_HOME"), "config/templates/odd-overview.tmpl", "", 0));
	}
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
	int n[TACIT_LIVE_SPEAKER + 1]; /* by event type */
	bool cancelled, paused, thinking;
	char last_status[256];
	char stopped_json[8192]; /* the STOPPED event's, up to its "summary" */
	char finishing[256];     /* the stop's "finishing: ..." status: its text, then its JSON */
};

static void on_event(const struct tacit_live_event *ev, void *user)
{
	struct seen *s = user;
	pthread_mutex_lock(&s->mu);
	s->n[ev->type]++;
	if (ev->type == TACIT_LIVE_STOPPED && ev->json)
		snprintf(s->stopped_json, sizeof(s->stopped_json), "%s", ev->json);

	if (ev->type == TACIT_LIVE_STATUS) {
		snprintf(s->last_status, sizeof(s->last_status), "%s", ev->text);
		if (!strncmp(ev->text, "finishing: summarizing", 22))
			snprintf(s->finishing, sizeof(s->finishing), "%s %s", ev->text, ev->json ? ev->json : "(no json)");
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

/* A two-segment meeting in one window (so its summary is the stop's one call), the model
 * answered by hook: the stop's summary into *out_summary (caller frees); the session's
 * id, 0 when it did not open. */
static int64_t hooked_meeting(struct tacit_live_params *p, meeting_generate_hook hook, void *user, char **out_summary)
{
	struct tacit_live *l = NULL;
	int64_t id = 0;
	p->window_tokens = 2000;
	meeting_set_generate_hook(hook, user);
	CHECK_EQ_INT(tacit_live_open(p, &l), TACIT_OK);
	if (l) {
		id = tacit_live_session_id(l);
		add(l, 1);
		add(l, 2);
		CHECK_EQ_INT(tacit_live_stop(l, out_summary), TACIT_OK);
		tacit_live_close(l);
	}
	meeting_set_generate_hook(NULL, NULL);
	return id;
}

/* The model's answers in the language test below: English first, French once asked
 * firmly; warming calls (no grammar) get nothing. */
struct lang_calls {
	int n_summary;
	bool strong[2];
};

static enum tacit_status answer_in_english_first(const struct tacit_llm_request *req, char **out,
						 struct tacit_llm_stats *stats, void *user)
{
	static const char en[] = "{\"title\":\"Budget\",\"overview\":\"The budget for the project is set and we will "
				 "keep it until the end of the year.\",\"key_points\":[{\"text\":\"The team will ship "
				 "it on Friday and the client is happy with it.\",\"cites\":[1]}],\"decisions\":[],"
				 "\"action_items\":[],\"open_questions\":[]}";
	static const char fr[] = "{\"title\":\"Budget\",\"overview\":\"Le budget du projet est fix\xc3\xa9 et nous "
				 "le gardons pour la fin de l'ann\xc3\xa9" "e.\",\"key_points\":[{\"text\":\"L'\xc3\xa9quipe "
				 "le livre vendredi et le client est content.\",\"cites\":[1]}],\"decisions\":[],"
				 "\"action_items\":[],\"open_questions\":[]}";
	struct lang_calls *c = user;
	const char *msg = req->messages[req->n_messages - 1].content;
	stats->finish = TACIT_FINISH_STOP;
	bool summary = req->grammar && strstr(req->grammar, "key_points");
	if (summary && c->n_summary < 2)
		c->strong[c->n_summary] = strstr(msg, "Important: write every text of the JSON in French") != NULL;
	c->n_summary += summary;
	*out = strdup(!summary ? "" : strstr(msg, "Important: write every text") ? fr : en);
	return *out ? TACIT_OK : TACIT_ERR_NOMEM;
}

/* A window's summary in another language than the one asked (output_language) is asked
 * again, firmly, once; the French answer is what the stop stores. */
TEST_MODEL(live_fold_asks_again_in_the_language_asked)
{
	const char *model = test_model();
	if (!model)
		SKIP("build/tools/synth-model unavailable");
	struct seen s = { 0 };
	struct lang_calls c = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/lang.db", test_tmpdir());
	struct tacit_live_params p = params(model, &s, db);
	char *summary = NULL;
	p.output_language = "fr";
	int64_t id = hooked_meeting(&p, answer_in_english_first, &c, &summary);
	CHECK(summary && strstr(summary, "Le budget du projet"));
	tacit_free(summary);
	CHECK_EQ_INT(c.n_summary, 2);
	CHECK(!c.strong[0] && c.strong[1]);
	struct tacit_store *st = NULL;
	char *notes = NULL;
	CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
	CHECK_EQ_INT(tacit_store_get_artifact(st, id, "notes", &notes, NULL), TACIT_OK);
	CHECK(notes && strstr(notes, "livre vendredi"));
	tacit_free(notes);
	tacit_store_close(st);
	pthread_mutex_destroy(&s.mu);
	pthread_cond_destroy(&s.cond);
}

/* The between-window overview in the language test below: the windows' summaries come
 * in French; the overview that joins them comes in English until asked firmly. */
struct overview_calls {
	int n_overview, n_summary;
	bool strong[8];
};

static enum tacit_status overview_in_english_first(const struct tacit_llm_request *req, char **out,
						   struct tacit_llm_stats *stats, void *user)
{
	static const char summary_fr[] = "{\"title\":\"Budget\",\"overview\":\"Le budget du projet est fix\xc3\xa9 et nous "
					 "le gardons pour la fin de l'ann\xc3\xa9" "e.\",\"key_points\":[{\"text\":\"L'\xc3\xa9quipe "
					 "le livre vendredi et le client est content.\",\"cites\":[1]}],\"decisions\":[],"
					 "\"action_items\":[],\"open_questions\":[]}";
	static const char en[] = "{\"title\":\"Budget\",\"overview\":\"The budget for the project is set and we will keep "
				 "it until the end of the year.\"}";
	static const char fr[] = "{\"title\":\"Budget\",\"overview\":\"Le budget du projet reste le m\xc3\xaame et nous "
				 "le gardons pour toute la r\xc3\xa9union.\"}";
	struct overview_calls *c = user;
	const char *msg = req->messages[req->n_messages - 1].content;
	bool strong = strstr(msg, "Important: write every text of the JSON in French") != NULL;
	stats->finish = TACIT_FINISH_STOP;
	if (req->grammar && strstr(req->grammar, "key_points")) {
		c->n_summary++;
		*out = strdup(summary_fr);
	} else if (req->grammar) { /* the overview's: title and overview only */
		if (c->n_overview < 8)
			c->strong[c->n_overview] = strong;
		c->n_overview++;
		*out = strdup(strong ? fr : en);
	} else {
		*out = strdup("");
	}
	return *out ? TACIT_OK : TACIT_ERR_NOMEM;
}

/* A French meeting (no language asked: its words say French) folded window by window:
 * the overview that joins a window to the meeting so far is asked in French too, and an
 * English answer is asked again once, firmly; the French one is what the rolling state
 * keeps. */
TEST_MODEL(live_overview_asks_again_in_the_meetings_language)
{
	const char *model = test_model();
	if (!model)
		SKIP("build/tools/synth-model unavailable");
	struct seen s = { 0 };
	struct overview_calls c = { 0 };
	char db[1024], *json = NULL;
	snprintf(db, sizeof(db), "%s/overview.db", test_tmpdir());
	struct tacit_live_params p = params(model, &s, db);
	struct tacit_live *l = NULL;
	int64_t id = 0;
	meeting_set_generate_hook(overview_in_english_first, &c);
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (l) {
		id = tacit_live_session_id(l);
		for (int i = 0; i < 16; i++) {
			char text[200];
			snprintf(text, sizeof(text),
				 "Nous avons d\xc3\xa9" "cid\xc3\xa9 que le budget du point %d reste \xc3\xa0 %d euros, et nous le "
				 "gardons pour la fin de l'ann\xc3\xa9" "e avec le client.",
				 i, 100 * i);
			struct tacit_segment seg = { .start_ms = i * 5000, .end_ms = i * 5000 + 4000,
						     .speaker = i % 2 ? "Alice" : "Bob", .text = text, .confidence = -1 };
			CHECK_EQ_INT(tacit_live_add_segment(l, &seg), TACIT_OK);
		}
		CHECK_EQ_INT(tacit_live_wait_idle(l, -1), TACIT_OK);
		struct tacit_store *st = NULL;
		CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
		CHECK_EQ_INT(tacit_store_get_artifact(st, id, "rolling_summary", &json, NULL), TACIT_OK);
		CHECK(json && strstr(json, "toute la r\xc3\xa9union"));
		CHECK(json && !strstr(json, "The budget"));
		tacit_free(json);
		tacit_store_close(st);
		CHECK_EQ_INT(tacit_live_stop(l, NULL), TACIT_OK);
		tacit_live_close(l);
	}
	meeting_set_generate_hook(NULL, NULL);
	CHECK(c.n_summary >= 2);
	CHECK(c.n_overview >= 2); /* at least one overview, asked twice */
	CHECK(!c.strong[0] && c.strong[1]);
	pthread_mutex_destroy(&s.mu);
	pthread_cond_destroy(&s.cond);
}

/* Model calls by the grammar they are held to: the template's, general's, others. */
struct shaped_calls {
	int standup, general, other;
};

static enum tacit_status answer_as_a_standup(const struct tacit_llm_request *req, char **out,
					     struct tacit_llm_stats *stats, void *user)
{
	static const char standup[] = "{\"title\":\"Daily\",\"overview\":\"The budget stays.\",\"done\":[{\"speaker\":"
				      "\"Alice\",\"text\":\"budget for item 1\",\"cites\":[1]}],\"next\":[],\"blockers\":"
				      "[{\"speaker\":\"Bob\",\"text\":\"item 2 waits for Friday\",\"cites\":[2]}]}";
	struct shaped_calls *c = user;
	stats->finish = TACIT_FINISH_STOP;
	if (req->grammar && strstr(req->grammar, "blockers"))
		c->standup++;
	else if (req->grammar && strstr(req->grammar, "key_points"))
		c->general++;
	else if (req->grammar)
		c->other++;
	*out = strdup(req->grammar && strstr(req->grammar, "blockers") ? standup : "");
	return *out ? TACIT_OK : TACIT_ERR_NOMEM;
}

/* A live meeting with a template: the stop's summary and notes are the template's own,
 * from its rolling state, in one call; nothing is asked in the general template and no
 * general summary is stored beside it (tacit live --template once made one, then read
 * the transcript again for the template's). */
TEST_MODEL(live_stop_writes_the_templates_own_summary)
{
	const char *model = test_model();
	if (!model)
		SKIP("build/tools/synth-model unavailable");
	struct seen s = { 0 };
	struct shaped_calls c = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/standup.db", test_tmpdir());
	struct tacit_live_params p = params(model, &s, db);
	char *summary = NULL;
	p.template_name = "stand-up";
	int64_t id = hooked_meeting(&p, answer_as_a_standup, &c, &summary);
	CHECK(summary && strstr(summary, "\"blockers\":[{\"speaker\":\"Bob\""));
	CHECK(summary && !strstr(summary, "key_points"));
	tacit_free(summary);
	CHECK_EQ_INT(c.standup, 1);
	CHECK_EQ_INT(c.general, 0);
	CHECK_EQ_INT(c.other, 0);
	struct tacit_store *st = NULL;
	char *json = NULL;
	CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
	CHECK_EQ_INT(tacit_store_get_artifact_template(st, id, "summary", "stand-up", &json, NULL), TACIT_OK);
	CHECK(json && strstr(json, "item 2 waits for Friday"));
	tacit_free(json);
	json = NULL;
	CHECK_EQ_INT(tacit_store_get_artifact_template(st, id, "summary", "general", &json, NULL), TACIT_ERR_NOT_FOUND);
	tacit_free(json);
	json = NULL;
	CHECK_EQ_INT(tacit_store_get_artifact(st, id, "notes", &json, NULL), TACIT_OK);
	CHECK(json && strstr(json, "Alice: budget for item 1"));
	tacit_free(json);
	tacit_store_close(st);
	pthread_mutex_destroy(&s.mu);
	pthread_cond_destroy(&s.cond);
}

TEST_MODEL(live_replayed_meeting_folds_and_stops)
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
	/* the stop's phases account for its time: nothing was in flight, the final call read
	 * and wrote tokens, and no phase is negative or larger than the whole */
	const char *ph = strstr(s.stopped_json, "\"phases\":{");
	CHECK(ph != NULL);
	if (ph) {
		double stop_ms = -1, wait = -1, prompt = -1, gen = -1, other = -1;
		long long ptok = -1, gtok = -1;
		char job[32] = "";
		sscanf(strstr(s.stopped_json, "\"stop_ms\":"), "\"stop_ms\":%lf", &stop_ms);
		sscanf(ph, "\"phases\":{\"wait_ms\":%lf,\"wait_job\":\"%31[a-z_]\"", &wait, job);
		sscanf(strstr(ph, "\"prompt\":"), "\"prompt\":{\"tokens\":%lld,\"cached\":%*d,\"ms\":%lf", &ptok, &prompt);
		sscanf(strstr(ph, "\"generation\":"), "\"generation\":{\"tokens\":%lld,\"ms\":%lf", &gtok, &gen);
		sscanf(strstr(ph, "\"other_ms\":"), "\"other_ms\":%lf", &other);
		CHECK_STR(job, "none");
		CHECK(ptok > 0 && gtok > 0);
		CHECK(wait >= 0 && prompt > 0 && gen > 0 && other >= 0);
		CHECK(wait + prompt + gen + other <= stop_ms + 1);
	}
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

TEST_MODEL(live_stop_cancels_suggestion_close_stops_worker)
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

TEST_MODEL(live_suggestions_pause_on_low_battery)
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

/* ---- two producers: segment numbers, events and the analysis queue agree ---- */

#define PRODUCER_SEGMENTS 60

struct order {
	struct tacit_live *live;
	pthread_mutex_t mu;
	int n;
	int64_t no[2 * PRODUCER_SEGMENTS];
	char text[2 * PRODUCER_SEGMENTS][16];
};

static void on_event_order(const struct tacit_live_event *ev, void *user)
{
	struct order *o = user;
	if (ev->type != TACIT_LIVE_FINAL)
		return;
	pthread_mutex_lock(&o->mu);
	if (o->n < 2 * PRODUCER_SEGMENTS) {
		o->no[o->n] = ev->segment_no;
		snprintf(o->text[o->n], sizeof(o->text[0]), "%s", ev->text);
	}
	o->n++;
	pthread_mutex_unlock(&o->mu);
	usleep(200); /* a slow client: the old code numbered, then told, then queued */
}

struct producer {
	struct order *o;
	char name;
	enum tacit_status st;
};

static void *producer_main(void *arg)
{
	struct producer *pr = arg;
	for (int i = 0; i < PRODUCER_SEGMENTS && pr->st == TACIT_OK; i++) {
		char text[16];
		snprintf(text, sizeof(text), "%c%d", pr->name, i);
		/* one time for all: the store lists segments by time, then in the order stored */
		struct tacit_segment seg = { .start_ms = 0, .end_ms = 500, .speaker = "Me", .text = text,
					     .confidence = -1 };
		pr->st = tacit_live_add_segment(pr->o->live, &seg);
	}
	return NULL;
}

static bool collect_text(const struct tacit_segment *seg, void *user)
{
	struct buf *b = user;
	buf_addf(b, "%s,", seg->text);
	return true;
}

TEST_MODEL(live_two_producers_keep_segment_order)
{
	const char *model = test_model();
	if (!model)
		SKIP("cannot build the synthetic model (tools/synth-model)");
	struct seen s = { 0 };
	static struct order o;
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	struct tacit_live_params p = params(model, &s, db);
	p.window_tokens = 100000; /* no folds: the window is the whole transcript */
	memset(&o, 0, sizeof(o));
	pthread_mutex_init(&o.mu, NULL);
	p.on_event = on_event_order;
	p.user = &o;
	CHECK_EQ_INT(tacit_live_open(&p, &o.live), TACIT_OK);
	if (!o.live)
		return;
	struct producer pa = { &o, 'A', TACIT_OK }, pb = { &o, 'B', TACIT_OK };
	pthread_t ta, tb;
	CHECK(pthread_create(&ta, NULL, producer_main, &pa) == 0);
	CHECK(pthread_create(&tb, NULL, producer_main, &pb) == 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK_EQ_INT(pa.st, TACIT_OK);
	CHECK_EQ_INT(pb.st, TACIT_OK);
	CHECK_EQ_INT(tacit_live_wait_idle(o.live, 120000), TACIT_OK);

	/* the store's order is the truth: [S i] is the store's i-th segment */
	struct tacit_store *st = NULL;
	struct buf stored, told, analysed;
	buf_init(&stored);
	buf_init(&told);
	buf_init(&analysed);
	CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
	if (st)
		CHECK_EQ_INT(tacit_store_segments(st, tacit_live_session_id(o.live), false, collect_text, &stored),
			     TACIT_OK);
	tacit_store_close(st);
	/* events: numbered 1, 2, 3 ... in the order told, each with its stored text */
	CHECK_EQ_INT(o.n, 2 * PRODUCER_SEGMENTS);
	bool numbered = true;
	for (int i = 0; i < o.n && i < 2 * PRODUCER_SEGMENTS; i++) {
		numbered = numbered && o.no[i] == i + 1;
		buf_addf(&told, "%s,", o.text[i]);
	}
	CHECK(numbered);
	CHECK_STR(told.data, stored.data);
	/* the analysis thread's transcript, which the model cites by position: the same order */
	for (size_t i = 0; i < o.live->t.n; i++)
		buf_addf(&analysed, "%s,", o.live->t.segs[i].text);
	CHECK_STR(analysed.data, stored.data);
	buf_release(&stored);
	buf_release(&told);
	buf_release(&analysed);
	tacit_live_close(o.live);
}

/* ---- questions from other processes, and abort ---- */

/* A meeting without models: segments come from tacit_live_add_segment() only. */
static struct tacit_live_params bare_params(struct seen *s, const char *db)
{
	struct tacit_live_params p = params(NULL, s, db);
	p.analyze = false;
	return p;
}

static char warned[512];

static void on_event_warn(const struct tacit_live_event *ev, void *user)
{
	if (ev->type == TACIT_LIVE_WARNING)
		snprintf(warned, sizeof(warned), "%s", ev->text);
	on_event(ev, user);
}

static const char *socket_path(const char *db, int64_t id)
{
	static char path[2048];
	struct buf dir, name;
	buf_init(&dir);
	buf_init(&name);
	CHECK_EQ_INT(live_socket_place(db, id, &dir, &name), TACIT_OK);
	snprintf(path, sizeof(path), "%s/%s", dir.data, name.data);
	buf_release(&dir);
	buf_release(&name);
	return path;
}

TEST(live_remote_socket_bare_meeting)
{
	struct seen s = { 0 };
	char db[1024], *json = NULL;
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	struct tacit_live_params p = bare_params(&s, db);
	struct tacit_live *l = NULL;
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	int64_t id = tacit_live_session_id(l);
	const char *path = socket_path(db, id);
	CHECK(strstr(path, "/live/t-") != NULL);
	struct stat st;
	CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600);
	char dir[2048];
	snprintf(dir, sizeof(dir), "%s/live", test_tmpdir());
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	/* it answers, and says why it cannot help: no language model */
	CHECK_EQ_INT(tacit_live_ask_remote(db, id, "What is the budget?", NULL, NULL, NULL, &json), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "without a language model"));
	CHECK(json == NULL);
	CHECK_EQ_INT(tacit_live_ask_remote(db, id, "", NULL, NULL, NULL, &json), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_live_ask_remote(":memory:", id, "Q?", NULL, NULL, NULL, &json), TACIT_ERR_USAGE);
	tacit_live_close(l);
	CHECK(stat(path, &st) != 0); /* removed on close */
	CHECK_EQ_INT(tacit_live_ask_remote(db, id, "What is the budget?", NULL, NULL, NULL, &json), TACIT_ERR_NOT_FOUND);
	char want[256];
	snprintf(want, sizeof(want),
		 "no live meeting '%lld' is running on this device; start one with 'tacit live' or ask after it ends "
		 "with 'tacit ask %lld'",
		 (long long)id, (long long)id);
	CHECK_STR(tacit_errmsg(), want);
	CHECK_EQ_INT(tacit_live_ask_remote(db, 424242, "Q?", NULL, NULL, NULL, NULL), TACIT_ERR_NOT_FOUND);
}

/* ---- an event callback that calls back into the meeting ---- */

struct reentry {
	struct tacit_live *live;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int depth, max_depth, n_final, n_added;
	int64_t order[8];
	enum tacit_status add_st;
	bool done;
};

/* Adds a segment from inside the FINAL event of the first two (a client that answers
 * what it hears): the old code took the event lock again here and hung. */
static void on_event_reenter(const struct tacit_live_event *ev, void *user)
{
	struct reentry *r = user;
	if (ev->type != TACIT_LIVE_FINAL)
		return;
	pthread_mutex_lock(&r->mu);
	r->depth++;
	if (r->depth > r->max_depth)
		r->max_depth = r->depth;
	if (r->n_final < (int)ARRAY_SIZE(r->order))
		r->order[r->n_final] = ev->segment_no;
	r->n_final++;
	bool add = r->n_added < 2;
	if (add)
		r->n_added++;
	pthread_mutex_unlock(&r->mu);
	if (add) {
		struct tacit_segment seg = { .start_ms = 9000, .end_ms = 9500, .speaker = "Bot", .text = "noted",
					     .confidence = -1 };
		enum tacit_status st = tacit_live_add_segment(r->live, &seg);
		pthread_mutex_lock(&r->mu);
		if (st != TACIT_OK)
			r->add_st = st;
		pthread_mutex_unlock(&r->mu);
	}
	pthread_mutex_lock(&r->mu);
	r->depth--;
	pthread_mutex_unlock(&r->mu);
}

static void *reenter_main(void *arg)
{
	struct reentry *r = arg;
	struct tacit_segment seg = { .start_ms = 0, .end_ms = 1000, .speaker = "Me", .text = "hello", .confidence = -1 };
	enum tacit_status st = tacit_live_add_segment(r->live, &seg);
	pthread_mutex_lock(&r->mu);
	if (st != TACIT_OK)
		r->add_st = st;
	r->done = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

TEST(live_event_callback_may_add_a_segment)
{
	struct seen s = { 0 };
	static struct reentry r; /* a hung thread (the old deadlock) may still point at it */
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	struct tacit_live_params p = bare_params(&s, db);
	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cond, NULL);
	p.on_event = on_event_reenter;
	p.user = &r;
	CHECK_EQ_INT(tacit_live_open(&p, &r.live), TACIT_OK);
	if (!r.live)
		return;
	pthread_t th;
	CHECK(pthread_create(&th, NULL, reenter_main, &r) == 0);
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 10; /* the guard: a deadlock fails the test instead of hanging the suite */
	pthread_mutex_lock(&r.mu);
	while (!r.done && pthread_cond_timedwait(&r.cond, &r.mu, &dl) == 0) {
	}
	bool done = r.done;
	pthread_mutex_unlock(&r.mu);
	CHECK(done);
	if (!done) { /* hung: leave the meeting and its thread alone */
		pthread_detach(th);
		return;
	}
	pthread_join(th, NULL);
	CHECK_EQ_INT(r.add_st, TACIT_OK);
	/* every segment announced once, in order, one callback at a time (not nested) */
	CHECK_EQ_INT(r.n_final, 3);
	CHECK(r.order[0] == 1 && r.order[1] == 2 && r.order[2] == 3);
	CHECK_EQ_INT(r.max_depth, 1);
	CHECK_EQ_INT(tacit_live_stop(r.live, NULL), TACIT_OK);
	tacit_live_close(r.live);
}

/* A socket file whose process is gone: bound, then its descriptor closed. */
static void make_stale_socket(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(fd);
}

TEST(live_remote_stale_socket_and_long_path)
{
	struct seen s = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	const char *path = socket_path(db, 1); /* the first session of a new store */
	char dir[1100];
	snprintf(dir, sizeof(dir), "%s/live", test_tmpdir());
	CHECK(mkdir(dir, 0755) == 0);
	make_stale_socket(path);
	CHECK_EQ_INT(tacit_live_ask_remote(db, 1, "Q?", NULL, NULL, NULL, NULL), TACIT_ERR_NOT_FOUND);
	struct tacit_live_params p = bare_params(&s, db);
	struct tacit_live *l = NULL;
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	CHECK_EQ_INT(tacit_live_session_id(l), 1);
	struct stat st;
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700); /* made private */
	/* the stale socket was replaced: this one answers */
	CHECK_EQ_INT(tacit_live_ask_remote(db, 1, "Q?", NULL, NULL, NULL, NULL), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "without a language model"));
	/* a second meeting process for the same id does not take the socket over */
	struct tacit_live_params p2 = bare_params(&s, db);
	p2.resume_id = 1;
	p2.on_event = on_event_warn;
	warned[0] = '\0';
	struct tacit_live *l2 = NULL;
	CHECK_EQ_INT(tacit_live_open(&p2, &l2), TACIT_OK);
	CHECK(strstr(warned, "already answers questions for meeting 1"));
	tacit_live_close(l2);
	CHECK(stat(path, &st) == 0); /* still the first one's */
	tacit_live_close(l);

	/* a store whose directory path is longer than a socket address holds */
	char deep[2048];
	int n = snprintf(deep, sizeof(deep), "%s", test_tmpdir());
	while (n < 150) {
		n += snprintf(deep + n, sizeof(deep) - (size_t)n, "/a-rather-long-directory-name");
		CHECK(mkdir(deep, 0700) == 0);
	}
	snprintf(db, sizeof(db), "%s/t.db", deep);
	p = bare_params(&s, db);
	p.on_event = on_event_warn;
	warned[0] = '\0';
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	CHECK_STR(warned, "");
	CHECK(strlen(socket_path(db, 1)) > 108);
	CHECK_EQ_INT(tacit_live_ask_remote(db, 1, "Q?", NULL, NULL, NULL, NULL), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "without a language model"));
	tacit_live_close(l);
	CHECK(access(socket_path(db, 1), F_OK) != 0);
}

TEST(live_remote_unwritable_dir_is_a_warning)
{
	struct seen s = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	test_write_file(test_tmpdir(), "live", "not a directory", 15); /* works as root too */
	struct tacit_live_params p = bare_params(&s, db);
	p.on_event = on_event_warn;
	warned[0] = '\0';
	struct tacit_live *l = NULL;
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	CHECK(strstr(warned, "questions from other processes are off"));
	CHECK_EQ_INT(s.n[TACIT_LIVE_WARNING], 1);
	struct tacit_segment seg = { .start_ms = 0, .end_ms = 1000, .speaker = "Me", .text = "hello", .confidence = -1 };
	CHECK_EQ_INT(tacit_live_add_segment(l, &seg), TACIT_OK); /* the meeting goes on */
	CHECK_EQ_INT(tacit_live_stop(l, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_live_ask_remote(db, tacit_live_session_id(l), "Q?", NULL, NULL, NULL, NULL),
		     TACIT_ERR_NOT_FOUND);
	tacit_live_close(l);
}

/* A fake meeting on the socket: reads the question, then sends `frames` and either
 * closes (gone mid-answer) or stays silent until told to go. */
struct fake {
	int fd;
	const char *frames;
	size_t n_frames;
	bool hang;
	volatile int quit;
};

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	int c = accept(f->fd, NULL, NULL);
	char in[512];
	if (c < 0)
		return NULL;
	if (read(c, in, sizeof(in)) > 0 && f->n_frames)
		CHECK(write(c, f->frames, f->n_frames) == (ssize_t)f->n_frames);
	while (f->hang && !__atomic_load_n(&f->quit, __ATOMIC_RELAXED))
		usleep(10000);
	close(c);
	return NULL;
}

static int fake_listen(const char *db)
{
	const char *path = socket_path(db, 7);
	char dir[1100];
	snprintf(dir, sizeof(dir), "%s/live", test_tmpdir());
	mkdir(dir, 0700);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 4) == 0);
	return fd;
}

static void count_tokens(const char *piece, size_t len, void *user)
{
	(void)piece;
	*(size_t *)user += len;
}

TEST(live_remote_peer_gone_or_silent_is_an_error)
{
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	/* one piece of the answer, then the process is gone */
	static const char frames[] = "\x0b\x00\x00\x00\x13{\"answer\":\"";
	struct fake f = { fake_listen(db), frames, sizeof(frames) - 1, false, 0 };
	pthread_t t;
	size_t got = 0;
	char *json = NULL;
	pthread_create(&t, NULL, fake_main, &f);
	CHECK_EQ_INT(tacit_live_ask_remote(db, 7, "Q?", count_tokens, &got, NULL, &json), TACIT_ERR_IO);
	CHECK(strstr(tacit_errmsg(), "stopped answering"));
	CHECK_EQ_INT(got, 11);
	CHECK(json == NULL);
	pthread_join(t, NULL);

	/* a process that takes the question and then says nothing: a timeout, not a hang */
	f = (struct fake){ f.fd, NULL, 0, true, 0 };
	live_remote_set_silence_ms(300);
	pthread_create(&t, NULL, fake_main, &f);
	CHECK_EQ_INT(tacit_live_ask_remote(db, 7, "Q?", NULL, NULL, NULL, &json), TACIT_ERR_IO);
	CHECK(strstr(tacit_errmsg(), "sent nothing"));
	__atomic_store_n(&f.quit, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);

	/* a malformed frame */
	static const char bad[] = "\x02\x00\x00\x00\x63{}";
	f = (struct fake){ f.fd, bad, sizeof(bad) - 1, true, 0 };
	pthread_create(&t, NULL, fake_main, &f);
	CHECK_EQ_INT(tacit_live_ask_remote(db, 7, "Q?", NULL, NULL, NULL, &json), TACIT_ERR_FORMAT);
	__atomic_store_n(&f.quit, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	live_remote_set_silence_ms(0);
	close(f.fd);
}

struct asker {
	const char *db;
	const char *question; /* NULL: "What is the budget?" */
	int64_t id;
	enum tacit_status st;
	char msg[512];
	char *json;
	size_t n_text;
	volatile int cancel;
	int cancel_after; /* bytes of answer text; 0 = never */
};

static void asker_token(const char *piece, size_t len, void *user)
{
	struct asker *a = user;
	(void)piece;
	a->n_text += len;
	if (a->cancel_after && a->n_text >= (size_t)a->cancel_after)
		__atomic_store_n(&a->cancel, 1, __ATOMIC_RELAXED);
}

static void *asker_main(void *arg)
{
	struct asker *a = arg;
	a->st = tacit_live_ask_remote(a->db, a->id, a->question ? a->question : "What is the budget?", asker_token, a,
				      &a->cancel, &a->json);
	snprintf(a->msg, sizeof(a->msg), "%s", tacit_errmsg());
	return NULL;
}

TEST_MODEL(live_remote_question_answered_from_the_live_context)
{
	const char *model = test_model();
	if (!model)
		SKIP("cannot build the synthetic test model (build/tools/synth-model)");
	struct seen s = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	struct tacit_live_params p = params(model, &s, db);
	p.window_tokens = 2000;
	struct tacit_live *l = NULL;
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	for (int i = 0; i < 3; i++)
		add(l, i);
	CHECK_EQ_INT(tacit_live_wait_idle(l, -1), TACIT_OK);
	int64_t id = tacit_live_session_id(l);

	/* two at once, from two threads: both answered, in turn */
	struct asker a = { .db = db, .id = id }, b = { .db = db, .id = id };
	pthread_t ta, tb;
	pthread_create(&ta, NULL, asker_main, &a);
	pthread_create(&tb, NULL, asker_main, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK_EQ_INT(a.st, TACIT_OK);
	CHECK_EQ_INT(b.st, TACIT_OK);
	if (a.st != TACIT_OK)
		fprintf(stderr, "  ask: %s\n", a.msg);
	CHECK(a.json && strstr(a.json, "\"answer\"") && strstr(a.json, "\"grounded\""));
	CHECK(a.n_text > 0 && b.n_text > 0);
	CHECK_EQ_INT(s.n[TACIT_LIVE_ANSWER], 0); /* the answers went to the askers only */
	CHECK_EQ_INT(s.n[TACIT_LIVE_ANSWER_DELTA], 0);
	tacit_free(a.json);
	tacit_free(b.json);

	/* the asker gives up mid-answer: cancelled, and the meeting goes on */
	struct asker c = { .db = db, .id = id, .question = "Cancel me?", .cancel_after = 1 };
	asker_main(&c);
	CHECK_EQ_INT(c.st, TACIT_ERR_CANCELLED);
	CHECK_EQ_INT(tacit_live_wait_idle(l, -1), TACIT_OK);
	CHECK_EQ_INT(tacit_live_ask(l, "And the deadline?", NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_live_wait_idle(l, -1), TACIT_OK);
	CHECK_EQ_INT(s.n[TACIT_LIVE_ANSWER], 1);
	CHECK_EQ_INT(tacit_live_stop(l, NULL), TACIT_OK);
	/* stopped: refused with the remedy */
	struct asker d = { .db = db, .id = id };
	asker_main(&d);
	CHECK_EQ_INT(d.st, TACIT_ERR_USAGE);
	CHECK(strstr(d.msg, "tacit ask"));
	tacit_live_close(l);

	/* both questions are in the meeting's chat */
	struct tacit_store *st = NULL;
	CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
	char *all = NULL;
	CHECK_EQ_INT(tacit_store_export(st, id, TACIT_FORMAT_JSON, &all), TACIT_OK);
	int n = 0;
	for (const char *q = all; q && (q = strstr(q, "What is the budget?")) != NULL; q++)
		n++;
	CHECK_EQ_INT(n, 2);
	tacit_free(all);
	tacit_store_close(st);
}

static bool is_finishing(struct seen *s)
{
	return strstr(s->last_status, "finishing") != NULL;
}

struct stopper {
	struct tacit_live *l;
	enum tacit_status st;
	char msg[512];
	double t_done;
};

static void *stopper_main(void *arg)
{
	struct stopper *s = arg;
	s->st = tacit_live_stop(s->l, NULL);
	snprintf(s->msg, sizeof(s->msg), "%s", tacit_errmsg());
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->t_done = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
	return NULL;
}

TEST_MODEL(live_abort_ends_a_stop_in_progress)
{
	const char *model = test_model();
	if (!model)
		SKIP("cannot build the synthetic test model (build/tools/synth-model)");
	struct seen s = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	struct tacit_live_params p = params(model, &s, db);
	p.window_tokens = 2000;
	p.max_tokens = 400;
	/* a slow model: 300 ms a token, so a stop takes minutes unless aborted */
	setenv("TACIT_WORKER_TEST", "1", 1);
	setenv("TACIT_WORKER_TEST_SLOW_MS", "300", 1);
	struct tacit_live *l = NULL;
	enum tacit_status ost = tacit_live_open(&p, &l);
	unsetenv("TACIT_WORKER_TEST_SLOW_MS");
	unsetenv("TACIT_WORKER_TEST");
	CHECK_EQ_INT(ost, TACIT_OK);
	if (!l)
		return;
	for (int i = 0; i < 3; i++)
		add(l, i);
	CHECK_EQ_INT(tacit_live_wait_idle(l, -1), TACIT_OK);
	int64_t id = tacit_live_session_id(l);
	struct stopper sp = { l, TACIT_OK, "", 0 };
	pthread_t t;
	pthread_create(&t, NULL, stopper_main, &sp);
	CHECK(wait_for(&s, is_finishing)); /* the last window's summary is being written */
	/* a question now is refused: the meeting is ending */
	struct asker q = { .db = db, .id = id };
	asker_main(&q);
	CHECK_EQ_INT(q.st, TACIT_ERR_USAGE);
	CHECK(strstr(q.msg, "is ending"));
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double t0 = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
	tacit_live_abort(l);
	pthread_join(t, NULL);
	CHECK_EQ_INT(sp.st, TACIT_ERR_CANCELLED);
	CHECK(strstr(sp.msg, "tacit live --resume"));
	/* promptly: the cancel plus at most the worker's grace period, not the 400 tokens */
	CHECK(sp.t_done - t0 < 30.0);
	CHECK_EQ_INT(s.n[TACIT_LIVE_STOPPED], 0);
	CHECK_EQ_INT(tacit_live_stop(l, NULL), TACIT_ERR_USAGE); /* once */
	tacit_live_close(l);
	CHECK_EQ_INT(n_children(), 0); /* no worker left */

	/* unfinished: it resumes, and this time it ends */
	struct tacit_store *st = NULL;
	struct tacit_session sess;
	CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_get(st, id, &sess), TACIT_OK);
	CHECK_EQ_INT(sess.ended_ms, 0);
	tacit_store_close(st);
	struct seen s2 = { 0 };
	struct tacit_live_params p2 = params(model, &s2, db);
	p2.resume_id = id;
	CHECK_EQ_INT(tacit_live_open(&p2, &l), TACIT_OK);
	if (!l)
		return;
	CHECK_EQ_INT(tacit_live_stop(l, NULL), TACIT_OK);
	CHECK_EQ_INT(s2.n[TACIT_LIVE_STOPPED], 1);
	tacit_live_close(l);

	/* abort before stop: the stop returns at once, nothing ended */
	struct seen s3 = { 0 };
	p = params(model, &s3, db);
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	add(l, 1);
	tacit_live_abort(l);
	tacit_live_abort(l);
	CHECK_EQ_INT(tacit_live_stop(l, NULL), TACIT_ERR_CANCELLED);
	CHECK_EQ_INT(s3.n[TACIT_LIVE_STOPPED], 0);
	tacit_live_close(l);
	tacit_live_abort(NULL);
}

/* Whether the analysis thread has been on one ingest job for a second (its fold at the
 * budget is then being written). */
static bool ingesting_a_while(struct tacit_live *l)
{
	for (int i = 0; i < 600; i++) {
		pthread_mutex_lock(&l->q_mu);
		bool ingest = l->job == JOB_INGEST && !l->n_pend;
		pthread_mutex_unlock(&l->q_mu);
		if (ingest && i >= 10)
			return true;
		if (!ingest)
			i = 0;
		usleep(100 * 1000);
	}
	return false;
}

/* A stop that comes while a fold at the window's budget is being written does not wait
 * for it: the fold's call is cancelled, the final call covers its window with the rest,
 * and the stopped event says what was in flight. */
TEST_MODEL(live_stop_cancels_a_fold_in_flight)
{
	const char *model = test_model();
	if (!model)
		SKIP("cannot build the synthetic test model (build/tools/synth-model)");
	struct seen s = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	struct tacit_live_params p = params(model, &s, db);
	p.window_tokens = 200;
	/* a slow model (60 ms a token): a fold's two calls take many seconds */
	setenv("TACIT_WORKER_TEST", "1", 1);
	setenv("TACIT_WORKER_TEST_SLOW_MS", "60", 1);
	struct tacit_live *l = NULL;
	enum tacit_status ost = tacit_live_open(&p, &l);
	unsetenv("TACIT_WORKER_TEST_SLOW_MS");
	unsetenv("TACIT_WORKER_TEST");
	CHECK_EQ_INT(ost, TACIT_OK);
	if (!l)
		return;
	int n = 0;
	while (n < 12)
		add(l, n++);
	CHECK(ingesting_a_while(l));
	char *summary = NULL;
	CHECK_EQ_INT(tacit_live_stop(l, &summary), TACIT_OK);
	CHECK(summary != NULL);
	tacit_free(summary);
	CHECK_EQ_INT(s.n[TACIT_LIVE_STOPPED], 1);
	CHECK(strstr(s.stopped_json, "\"wait_job\":\"ingest\"") != NULL);
	const char *w = strstr(s.stopped_json, "\"wait_ms\":");
	double wait_ms = 1e9;
	if (w)
		sscanf(w, "\"wait_ms\":%lf", &wait_ms);
	CHECK(wait_ms < 5000); /* the cancel, not the rest of the fold's two calls */
	int64_t id = tacit_live_session_id(l);
	tacit_live_close(l);
	/* every segment is in the notes: the last section ends with the last segment */
	struct tacit_store *st = NULL;
	char *json = NULL;
	CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
	CHECK_EQ_INT(tacit_store_get_artifact(st, id, "notes", &json, NULL), TACIT_OK);
	yyjson_doc *d = json ? yyjson_read(json, strlen(json), 0) : NULL;
	yyjson_val *secs = yyjson_obj_get(yyjson_doc_get_root(d), "sections");
	CHECK(yyjson_arr_size(secs) >= 1);
	CHECK_EQ_INT(yyjson_get_sint(yyjson_obj_get(yyjson_arr_get(secs, yyjson_arr_size(secs) - 1), "end")), n);
	yyjson_doc_free(d);
	tacit_free(json);
	tacit_store_close(st);
}

/* Field n (1-based, as in proc(5)) of /proc/PID/stat; LLONG_MIN when unreadable. */
static long long stat_field(long pid, int n)
{
	char path[64], text[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	size_t got = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	text[got] = '\0';
	char *p = strrchr(text, ')');
	for (int i = 2; p && i < n; i++)
		p = strchr(p + 1, ' ');
	return p ? strtoll(p + 1, NULL, 10) : LLONG_MIN;
}

/* The first child process of this process (the model worker), or 0. */
static long first_child(void)
{
	char path[300], text[256];
	long pid = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (!pid && d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		FILE *f = fopen(path, "r");
		size_t got = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
		if (f)
			fclose(f);
		text[got] = '\0';
		pid = strtol(text, NULL, 10);
	}
	if (d)
		closedir(d);
	return pid;
}

TEST_MODEL(live_worker_keeps_the_normal_priority)
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
	long pid = first_child();
	CHECK(pid > 0);
	/* the worker's nice (field 19) and policy (41) are this process's: a lower priority
	 * could not be raised back for the final summary (see "Transcription first") */
	CHECK(stat_field(pid, 19) == stat_field((long)getpid(), 19));
	CHECK(stat_field(pid, 41) == stat_field((long)getpid(), 41));
	CHECK(stat_field(pid, 41) != LLONG_MIN);
	tacit_live_close(l);
}

static bool has_summary(struct seen *s)
{
	return s->n[TACIT_LIVE_SUMMARY] > 0;
}

TEST_MODEL(live_idle_fold_keeps_a_short_window_for_the_stop)
{
	const char *model = test_model();
	if (!model)
		SKIP("cannot build the synthetic test model (build/tools/synth-model)");
	struct seen s = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/t.db", test_tmpdir());
	struct tacit_live_params p = params(model, &s, db);
	p.n_ctx = 4096;
	p.window_tokens = 0; /* the default budget: what the context holds, above the idle fold's 2048 */
	p.max_tokens = 400;
	struct tacit_live *l = NULL;
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	/* a few segments at a time, the analysis idle in between, as in a meeting */
	int n = 0;
	while (n < 300 && !has_summary(&s)) {
		for (int k = 0; k < 4; k++)
			add(l, n++);
		CHECK_EQ_INT(tacit_live_wait_idle(l, -1), TACIT_OK);
	}
	CHECK(has_summary(&s));
	int64_t id = tacit_live_session_id(l);
	struct tacit_store *st = NULL;
	char *json = NULL;
	CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
	CHECK_EQ_INT(tacit_store_get_artifact(st, id, "rolling_summary", &json, NULL), TACIT_OK);
	yyjson_doc *d = json ? yyjson_read(json, strlen(json), 0) : NULL;
	int folded = (int)yyjson_get_uint(yyjson_obj_get(yyjson_doc_get_root(d), "next_segment"));
	yyjson_doc_free(d);
	tacit_free(json);
	/* folded early, before the window was full, keeping its recent part (many segments,
	 * where a fold at the budget keeps one) */
	CHECK(folded > 0 && n - folded > 4);
	CHECK_EQ_INT(s.n[TACIT_LIVE_WARNING], 0); /* the fold worked */
	char *summary = NULL;
	CHECK_EQ_INT(tacit_live_stop(l, &summary), TACIT_OK);
	CHECK(summary && strstr(summary, "\"overview\""));
	tacit_free(summary);
	tacit_live_close(l);
	/* the last part's one call: its own notes section, the meeting's title rewritten */
	CHECK_EQ_INT(tacit_store_get_artifact(st, id, "notes", &json, NULL), TACIT_OK);
	d = json ? yyjson_read(json, strlen(json), 0) : NULL;
	yyjson_val *secs = yyjson_obj_get(yyjson_doc_get_root(d), "sections");
	CHECK_EQ_INT(yyjson_arr_size(secs), 2);
	CHECK_EQ_INT(yyjson_get_sint(yyjson_obj_get(yyjson_arr_get(secs, 1), "start")), folded + 1);
	CHECK_EQ_INT(yyjson_get_sint(yyjson_obj_get(yyjson_arr_get(secs, 1), "end")), n);
	yyjson_doc_free(d);
	tacit_free(json);
	tacit_store_close(st);
}

/* A meeting of n segments, the analysis idle after each few, then stopped: the stopped
 * event's tokens read, folds and windows. */
static void stop_after(const char *model, int n, const char *name, long long *read, long long *windows)
{
	struct seen s = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/%s.db", test_tmpdir(), name);
	struct tacit_live_params p = params(model, &s, db);
	struct tacit_live *l = NULL;
	*read = *windows = -1;
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (!l)
		return;
	for (int i = 0; i < n; i++) {
		add(l, i);
		if (i % 4 == 3)
			CHECK_EQ_INT(tacit_live_wait_idle(l, -1), TACIT_OK);
	}
	CHECK_EQ_INT(tacit_live_wait_idle(l, -1), TACIT_OK);
	CHECK_EQ_INT(tacit_live_stop(l, NULL), TACIT_OK);
	tacit_live_close(l);
	yyjson_doc *d = yyjson_read(s.stopped_json, strlen(s.stopped_json), 0);
	yyjson_val *r = yyjson_doc_get_root(d);
	CHECK(d != NULL);
	CHECK_EQ_INT(yyjson_get_sint(yyjson_obj_get(r, "stop_folds")), 1); /* the final call only */
	*read = yyjson_get_sint(yyjson_obj_get(r, "stop_read_tokens"));
	*windows = yyjson_get_sint(yyjson_obj_get(r, "windows"));
	yyjson_doc_free(d);
}

/* The earlier windows' summary leads the prompt (live_roll_preface()), in the model's
 * cache with the window: a stop reads the same instructions after two windows as after
 * eight (it read the whole meeting's title and overview again, more the longer it ran). */
TEST_MODEL(live_stop_reads_the_same_however_long_the_meeting)
{
	const char *model = test_model();
	if (!model)
		SKIP("cannot build the synthetic test model (build/tools/synth-model)");
	long long read_short, read_long, win_short, win_long;
	stop_after(model, 18, "short", &read_short, &win_short);
	stop_after(model, 60, "long", &read_long, &win_long);
	CHECK(win_short >= 2 && win_long >= win_short + 3);
	CHECK(read_short > 0);
	CHECK(llabs(read_long - read_short) <= 2);
}

/* What the model is shown and answers in the test below. */
struct window_calls {
	int summaries, numbered_from_1, most_shown, overviews, titles_bounded;
};

/* Summaries cite the second line they were shown; the overview's fold gets its two fields. */
static enum tacit_status cite_the_second_line(const struct tacit_llm_request *req, char **out,
					      struct tacit_llm_stats *stats, void *user)
{
	struct window_calls *c = user;
	const char *msg = req->messages[req->n_messages - 1].content, *at = strstr(msg, "Transcript:\n");
	stats->finish = TACIT_FINISH_STOP;
	if (!req->grammar || !strstr(req->grammar, "overview")) {
		*out = strdup("");
		return *out ? TACIT_OK : TACIT_ERR_NOMEM;
	}
	if (!strstr(req->grammar, "key_points")) {
		c->overviews++;
		c->titles_bounded += strstr(req->grammar, "title ::= \"\\\"\" chr{0,80} \"\\\"\"") != NULL;
		*out = strdup("{\"title\":\"T\",\"overview\":\"O\"}");
		return *out ? TACIT_OK : TACIT_ERR_NOMEM;
	}
	c->summaries++;
	c->numbered_from_1 += at && !strncmp(at, "Transcript:\n[S1 ", 16);
	for (const char *p = at; p && (p = strstr(p, "[S")); p += 2)
		if (atoi(p + 2) > c->most_shown)
			c->most_shown = atoi(p + 2);
	*out = strdup(strstr(req->grammar, "\\\"part\\\"") ? "{\"part\":\"P\",\"title\":\"T\",\"overview\":\"O\",\"key_points\":"
								   "[{\"text\":\"k\",\"cites\":[2]}],\"decisions\":[],\"action_items\":[],"
								   "\"open_questions\":[]}"
								 : "{\"title\":\"T\",\"overview\":\"O\",\"key_points\":[{\"text\":\"k\","
								   "\"cites\":[2]}],\"decisions\":[],\"action_items\":[],"
								   "\"open_questions\":[]}");
	return *out ? TACIT_OK : TACIT_ERR_NOMEM;
}

/* Every live prompt numbers its window from [S1] (struct cite_map), so a 3-hour meeting's
 * lines and cites are no longer than a short one's; what the model cites comes back as the
 * meeting's segments: each part's key point is its own second segment. The overview's fold
 * writes a title of one line (a random-weight model wrote 364 characters, which every
 * later prompt's preface then carried). */
TEST_MODEL(live_windows_are_numbered_from_one)
{
	const char *model = test_model();
	if (!model)
		SKIP("build/tools/synth-model unavailable");
	struct seen s = { 0 };
	struct window_calls c = { 0 };
	char db[1024];
	snprintf(db, sizeof(db), "%s/numbered.db", test_tmpdir());
	struct tacit_live_params p = params(model, &s, db);
	struct tacit_live *l = NULL;
	int64_t id = 0;
	meeting_set_generate_hook(cite_the_second_line, &c);
	CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
	if (l) {
		id = tacit_live_session_id(l);
		for (int i = 0; i < 40; i++) {
			add(l, i);
			if (i % 4 == 3)
				CHECK_EQ_INT(tacit_live_wait_idle(l, -1), TACIT_OK);
		}
		CHECK_EQ_INT(tacit_live_stop(l, NULL), TACIT_OK);
		tacit_live_close(l);
	}
	meeting_set_generate_hook(NULL, NULL);
	CHECK(c.summaries >= 3);
	CHECK_EQ_INT(c.numbered_from_1, c.summaries);
	CHECK(c.overviews >= 1); /* the meeting's title, in every later preface, is one line */
	CHECK_EQ_INT(c.titles_bounded, c.overviews);
	CHECK(c.most_shown > 1 && c.most_shown < 20); /* a window's lines, never the meeting's 40 */
	/* the stop's last fold is estimated from the window summaries before it (the hook
	 * answers at once: about 0 s), and the STOPPED event says how long it took */
	CHECK(strstr(s.finishing, ", about 0 s {\"estimate_ms\":") != NULL);
	CHECK(strstr(s.stopped_json, "\"final_fold\":{\"ms\":") != NULL);
	struct tacit_store *st = NULL;
	char *notes = NULL;
	CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
	CHECK_EQ_INT(tacit_store_get_artifact(st, id, "notes", &notes, NULL), TACIT_OK);
	yyjson_doc *d = notes ? yyjson_read(notes, strlen(notes), 0) : NULL;
	yyjson_val *secs = yyjson_obj_get(yyjson_doc_get_root(d), "sections"), *sec;
	size_t i, max, good = 0;
	yyjson_arr_foreach(secs, i, max, sec)
	{
		long long start = yyjson_get_sint(yyjson_obj_get(sec, "start"));
		yyjson_val *b = yyjson_arr_get_first(yyjson_obj_get(sec, "bullets"));
		long long end = yyjson_get_sint(yyjson_obj_get(sec, "end"));
		long long cite = yyjson_get_sint(yyjson_arr_get_first(yyjson_obj_get(b, "cites")));
		good += cite == (end > start ? start + 1 : start); /* one line: "(no notes)" at it */
	}
	CHECK(yyjson_arr_size(secs) >= 3);
	CHECK_EQ_INT(good, yyjson_arr_size(secs));
	yyjson_doc_free(d);
	tacit_free(notes);
	tacit_store_close(st);
}

/* ---- the longest meeting (live.max_minutes) ---- */

TEST(live_max_minutes_is_clamped)
{
	CHECK_EQ_INT(live_max_audio_ms(0), 480 * 60000);     /* unset */
	CHECK_EQ_INT(live_max_audio_ms(-3), 480 * 60000);    /* nonsense: the default, not "at once" */
	CHECK_EQ_INT(live_max_audio_ms(NAN), 480 * 60000);
	CHECK_EQ_INT(live_max_audio_ms(30), 30 * 60000);
	CHECK_EQ_INT(live_max_audio_ms(0.01), 6000);          /* at least 0.1 minute */
	CHECK_EQ_INT(live_max_audio_ms(1e9), 1440LL * 60000); /* at most a day */
}

/* The random-weight whisper (built when missing) and the shared VAD; false when absent. */
static bool asr_models(char *asr, char *vad)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	const char *shared = test_shared_dir();
	char rel[2048], cmd[8192];
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

static bool got_stopped(struct seen *s)
{
	return s->n[TACIT_LIVE_STOPPED] > 0;
}

/* A meeting left running stops itself at live.max_minutes (here 0.1 minute: 6 s) as a
 * user's stop would: the audio past it is dropped, a STATUS event says why, the session
 * is ended (with the final summary when a model analyses it), the recording holds
 * exactly the 6 s, and tacit_live_stop() then returns that stop's result. */
TEST_MODEL(live_stops_itself_at_max_minutes)
{
	char asr[PATH_MAX], vad[PATH_MAX], db[PATH_MAX];
	if (!asr_models(asr, vad))
		SKIP("../shared (Silero VAD, whisper vocabulary) or build/tools/synth-whisper unavailable");
	const char *llm = test_model();
	float pcm[1600];
	for (int i = 0; i < 1600; i++)
		pcm[i] = 0.3f * sinf((float)i * 0.17f);
	for (int analyze = 0; analyze <= (llm ? 1 : 0); analyze++) {
		struct seen s = { 0 };
		struct tacit_store *st = NULL;
		struct tacit_live *l = NULL;
		snprintf(db, sizeof(db), "%s/max%d.db", test_tmpdir(), analyze);
		CHECK_EQ_INT(tacit_store_open(db, &st), TACIT_OK);
		CHECK_EQ_INT(tacit_store_setting_set(st, "live.max_minutes", "0.1"), TACIT_OK);
		struct tacit_live_params p = params(llm, &s, db);
		p.analyze = analyze;
		p.transcribe = p.record_audio = true;
		p.asr_model = asr;
		p.vad_model = vad;
		p.asr_fallback = false;
		p.partial_every_ms = 0;
		p.asr_threads = 2;
		CHECK_EQ_INT(tacit_live_open(&p, &l), TACIT_OK);
		if (!l) {
			tacit_store_close(st);
			return;
		}
		for (int i = 0; i < 100; i++) /* 10 s: the last 4 are dropped */
			CHECK_EQ_INT(tacit_live_push(l, pcm, 1600), TACIT_OK);
		CHECK(wait_for(&s, got_stopped));
		CHECK(strstr(s.last_status, "maximum length of 0.1 minutes") != NULL);
		char *summary = NULL;
		CHECK_EQ_INT(tacit_live_stop(l, &summary), TACIT_OK);
		tacit_free(summary); /* a tone: no speech, so no summary to write */
		CHECK_EQ_INT(tacit_live_stop(l, NULL), TACIT_ERR_USAGE); /* once */
		CHECK_EQ_INT(s.n[TACIT_LIVE_STOPPED], 1);
		int64_t id = tacit_live_session_id(l);
		tacit_live_close(l);
		struct tacit_session sess;
		struct tacit_audio_file *files = NULL;
		size_t n_files = 0;
		CHECK_EQ_INT(tacit_store_session_get(st, id, &sess), TACIT_OK);
		CHECK(sess.ended_ms != 0);
		CHECK_EQ_INT(tacit_store_audio_files(st, id, &files, &n_files), TACIT_OK);
		CHECK_EQ_INT(n_files, 1);
		if (n_files == 1) {
			CHECK_EQ_INT(files[0].data_bytes, 6 * TACIT_AUDIO_RATE * 2);
			CHECK(!strcmp(files[0].state, "closed"));
		}
		tacit_free(files);
		tacit_store_close(st);
	}
}
