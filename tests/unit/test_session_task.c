/*
 * test_session_task.c — meeting tasks on stored sessions with stories260K: the transcript
 * comes from the store, results are stored (artifact, chat, suggestions), the transcript
 * prefix state is saved once and loaded after a restart, and a state made for another
 * transcript, or a damaged one, is never used; a cancelled task stores nothing but keeps
 * (and records) the state it saved. A meeting longer than the context saves one state per
 * window, every task reuses them, and a question is answered from the window that
 * matches it. Superseded states go (rows and files), and opening the store drops records
 * of missing files and old files nothing records. Also the one transcript parser serving
 * import (times from `tacit transcribe` JSON are kept).
 */
#include "internal.h"

#include "store.h"
#include "transcript.h"

#include "../check.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *stories(void)
{
	static char path[4096];
	const char *shared = test_shared_dir();
	if (!shared)
		return NULL;
	snprintf(path, sizeof(path), "%s/models/stories260K.gguf", shared);
	return access(path, R_OK) == 0 ? path : NULL;
}

static struct tacit_llm *open_stories(void)
{
	struct tacit_llm_params lp = tacit_llm_default_params();
	struct tacit_llm *llm = NULL;
	lp.model_path = stories();
	lp.n_ctx = 1024; /* past its training context: nonsense words, but the grammar holds */
	lp.n_threads = 2;
	CHECK_EQ_INT(tacit_llm_open(&lp, &llm), TACIT_OK);
	return llm;
}

/* State files of the session in <cache>/kv. */
static int count_states(int64_t id)
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
		n += !strncmp(e->d_name, prefix, strlen(prefix)) && strstr(e->d_name, ".kv") &&
		     !strstr(e->d_name, ".tmp");
	if (d)
		closedir(d);
	return n;
}

static enum tacit_status task(struct tacit_store *s, int64_t id, struct tacit_llm *llm, enum tacit_task which,
			      struct tacit_session_task_result *res)
{
	struct tacit_session_task_params p = tacit_session_task_default_params();
	p.meeting.task = which;
	p.meeting.question = "Who writes the notes?";
	p.meeting.max_tokens = 300;
	p.meeting.language = "fr";
	enum tacit_status st = tacit_session_task(s, id, llm, &p, res);
	if (st != TACIT_OK)
		fprintf(stderr, "  task %d: %s\n", (int)which, tacit_errmsg());
	return st;
}

TEST_MODEL(session_task_stores_results_and_reuses_saved_state)
{
	if (!stories())
		SKIP("no ../shared/models/stories260K.gguf");
	const char *dir = test_tmpdir();
	char db[4200];
	snprintf(db, sizeof(db), "%s/t.db", dir);
	const char txt[] = "Alice: Let us ship the beta on Friday.\nBob: I will fix the login bug.\n"
			   "Carol: I write the release notes by Thursday.\n";
	struct tacit_store *s = NULL;
	int64_t id = 0;
	struct tacit_session_task_result res = { 0 };
	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(dir, "standup.txt", txt, sizeof(txt) - 1), NULL, &id),
		     TACIT_OK);
	struct tacit_llm *llm = open_stories();
	if (!llm) {
		tacit_store_close(s);
		return;
	}

	/* summary: stored as an artifact; the transcript prefix is decoded and saved */
	CHECK_EQ_INT(task(s, id, llm, TACIT_TASK_SUMMARY, &res), TACIT_OK);
	CHECK_EQ_INT(res.state, TACIT_STATE_SAVED);
	CHECK_EQ_INT(count_states(id), 1);
	char *json = NULL, *md = NULL;
	CHECK_EQ_INT(tacit_store_get_artifact(s, id, "summary", &json, &md), TACIT_OK);
	CHECK_STR(json, res.json);
	CHECK_STR(md, res.markdown);
	CHECK(res.id > 0);
	tacit_free(json);
	tacit_free(md);
	tacit_session_task_result_release(&res);

	/* a restart: a new worker loads the saved prefix instead of reading the transcript */
	tacit_llm_close(llm);
	llm = open_stories();
	if (!llm)
		goto out;
	CHECK_EQ_INT(task(s, id, llm, TACIT_TASK_ANSWER, &res), TACIT_OK);
	CHECK_EQ_INT(res.state, TACIT_STATE_LOADED);
	CHECK(res.n_reused > 20);
	tacit_session_task_result_release(&res);

	/* the same worker: the prefix is still in its cache */
	CHECK_EQ_INT(task(s, id, llm, TACIT_TASK_SUGGEST, &res), TACIT_OK);
	CHECK_EQ_INT(res.state, TACIT_STATE_NONE);
	CHECK(res.n_reused > 20);
	tacit_session_task_result_release(&res);
	CHECK_EQ_INT(task(s, id, llm, TACIT_TASK_NOTES, &res), TACIT_OK);
	tacit_session_task_result_release(&res);

	char *exp = NULL;
	CHECK_EQ_INT(tacit_store_export(s, id, TACIT_FORMAT_JSON, &exp), TACIT_OK);
	CHECK(exp && strstr(exp, "Who writes the notes?") && strstr(exp, "\"assistant\""));
	CHECK(exp && strstr(exp, "\"notes\"") && strstr(exp, TACIT_PROMPT_VERSION));
	tacit_free(exp);

	/* a new segment: the old state is stale, never loaded, and replaced */
	struct tacit_segment seg = { .start_ms = 60000, .end_ms = 62000, .speaker = "Dan", .text = "And the docs." };
	CHECK_EQ_INT(tacit_store_add_segment(s, id, &seg, NULL), TACIT_OK);
	tacit_llm_close(llm);
	llm = open_stories();
	if (!llm)
		goto out;
	CHECK_EQ_INT(task(s, id, llm, TACIT_TASK_ANSWER, &res), TACIT_OK);
	CHECK_EQ_INT(res.state, TACIT_STATE_SAVED);
	CHECK_EQ_INT(count_states(id), 1);
	tacit_session_task_result_release(&res);

	/* a damaged state file is a cache miss: decoded again and saved over */
	char *cache = NULL;
	CHECK_EQ_INT(tacit_dir_path(TACIT_DIR_CACHE, &cache), TACIT_OK);
	char kvdir[4200];
	snprintf(kvdir, sizeof(kvdir), "%s/kv", cache ? cache : "");
	tacit_free(cache);
	DIR *d = opendir(kvdir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strstr(e->d_name, ".kv"))
			test_write_file(kvdir, e->d_name, "garbage", 7);
	if (d)
		closedir(d);
	tacit_llm_close(llm);
	llm = open_stories();
	if (!llm)
		goto out;
	CHECK_EQ_INT(task(s, id, llm, TACIT_TASK_ANSWER, &res), TACIT_OK);
	CHECK_EQ_INT(res.state, TACIT_STATE_SAVED);
	tacit_session_task_result_release(&res);

	/* deleting the session deletes its saved state */
	CHECK_EQ_INT(tacit_store_session_delete(s, id), TACIT_OK);
	CHECK_EQ_INT(count_states(id), 0);
out:
	tacit_llm_close(llm);
	tacit_store_close(s);
}

static void cancel_at_first_token(const char *piece, size_t len, void *user)
{
	(void)piece;
	(void)len;
	*(volatile int *)user = 1;
}

static void note_status(const char *text, void *user)
{
	(void)user;
	fprintf(stderr, "  status: %s\n", text);
}

TEST_MODEL(session_task_cancelled_stores_nothing_but_keeps_the_state)
{
	if (!stories())
		SKIP("no ../shared/models/stories260K.gguf");
	const char *dir = test_tmpdir();
	char db[4200];
	snprintf(db, sizeof(db), "%s/c.db", dir);
	const char txt[] = "Alice: The budget is ten thousand euros.\nBob: We ship the remote in May.\n";
	struct tacit_store *s = NULL;
	int64_t id = 0;
	struct tacit_session_task_result res = { 0 };
	volatile int cancel = 0;
	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(dir, "budget.txt", txt, sizeof(txt) - 1), NULL, &id),
		     TACIT_OK);
	struct tacit_llm *llm = open_stories();
	if (!llm) {
		tacit_store_close(s);
		return;
	}
	/* the first token cancels: the prefix state was saved before the answer began */
	struct tacit_session_task_params p = tacit_session_task_default_params();
	p.meeting.task = TACIT_TASK_ANSWER;
	p.meeting.question = "What is the budget?";
	p.meeting.max_tokens = 300;
	p.meeting.on_token = cancel_at_first_token;
	p.meeting.user = (void *)&cancel;
	p.meeting.cancel = &cancel;
	p.on_status = note_status;
	CHECK_EQ_INT(tacit_session_task(s, id, llm, &p, &res), TACIT_ERR_CANCELLED);
	CHECK(res.json == NULL && res.markdown == NULL);
	CHECK_EQ_INT(count_states(id), 1); /* kept, and recorded with the session */
	char *exp = NULL;
	CHECK_EQ_INT(tacit_store_export(s, id, TACIT_FORMAT_JSON, &exp), TACIT_OK);
	CHECK(exp && !strstr(exp, "What is the budget?")); /* no chat stored */
	tacit_free(exp);
	/* a cancel raised before the call is also a cancel: nothing stored */
	p.meeting.on_token = NULL;
	CHECK_EQ_INT(tacit_session_task(s, id, llm, &p, &res), TACIT_ERR_CANCELLED);
	exp = NULL;
	CHECK_EQ_INT(tacit_store_export(s, id, TACIT_FORMAT_JSON, &exp), TACIT_OK);
	CHECK(exp && !strstr(exp, "What is the budget?"));
	tacit_free(exp);
	/* the kept state serves the next question, and goes with the session */
	tacit_llm_close(llm);
	llm = open_stories();
	if (!llm)
		goto out;
	cancel = 0;
	CHECK_EQ_INT(tacit_session_task(s, id, llm, &p, &res), TACIT_OK);
	CHECK_EQ_INT(res.state, TACIT_STATE_LOADED);
	tacit_session_task_result_release(&res);
	CHECK_EQ_INT(tacit_store_session_delete(s, id), TACIT_OK);
	CHECK_EQ_INT(count_states(id), 0);
out:
	tacit_llm_close(llm);
	tacit_store_close(s);
}

TEST(session_task_errors)
{
	struct tacit_store *s = NULL;
	struct tacit_session_task_result res = { 0 };
	struct tacit_transcript *t = NULL;
	int64_t id = 0;
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(tacit_transcript_from_session(s, 42, &t), TACIT_ERR_NOT_FOUND);
	struct tacit_session_params sp = tacit_session_default_params();
	CHECK_EQ_INT(tacit_store_session_create(s, &sp, &id), TACIT_OK);
	CHECK_EQ_INT(tacit_transcript_from_session(s, id, &t), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "no transcript yet"));
	struct tacit_session_task_params p = tacit_session_task_default_params();
	CHECK_EQ_INT(tacit_session_task(s, id, NULL, &p, &res), TACIT_ERR_USAGE);
	tacit_store_close(s);
}

TEST(import_keeps_transcribed_times)
{
	/* `tacit transcribe --format json` output imports with its own times */
	const char json[] = "{\"segments\":[{\"start\":1.5,\"end\":3.0,\"speaker\":\"Me\",\"text\":\"Hello there.\"},"
			    "{\"start\":4.25,\"end\":6.0,\"speaker\":null,\"text\":\"  Fine {laugh} thanks. \"}]}";
	struct tacit_store *s = NULL;
	struct tacit_transcript *t = NULL;
	struct tacit_session ss;
	int64_t id = 0;
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(test_tmpdir(), "m.json", json, sizeof(json) - 1), NULL, &id),
		     TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_get(s, id, &ss), TACIT_OK);
	CHECK(!ss.times_synthesized);
	CHECK_EQ_INT(ss.duration_ms, 6000);
	CHECK_EQ_INT(tacit_transcript_from_session(s, id, &t), TACIT_OK);
	if (t) {
		CHECK_EQ_INT(t->n, 2);
		CHECK_EQ_INT(t->segs[0].start_ms, 1500);
		CHECK_EQ_INT(t->segs[1].start_ms, 4250);
		CHECK_STR(t->segs[0].speaker, "Me");
		CHECK_STR(t->segs[1].text, "Fine thanks.");
		CHECK(tacit_transcript_estimate_tokens(t) > 4);
	}
	tacit_transcript_free(t);
	tacit_store_close(s);
}

/* What an import's on_session saw: how often it was called, with which id, and how many
 * segments the session held then. */
struct told {
	int calls;
	int64_t id;
	int64_t n_segments;
	enum tacit_status answer;
};

static enum tacit_status on_session(struct tacit_store *s, int64_t id, void *user)
{
	struct told *t = user;
	struct tacit_session ss;
	t->calls++;
	t->id = id;
	t->n_segments = tacit_store_session_get(s, id, &ss) == TACIT_OK ? ss.n_segments : -1;
	return t->answer == TACIT_OK ? TACIT_OK : tacit_fail(t->answer, "the caller cannot record meeting %lld", (long long)id);
}

/* on_session is told the new session once, as soon as it exists (before its segments);
 * a failure there fails the import and leaves no session. */
TEST(import_tells_its_session_at_once)
{
	const char text[] = "Alice: We ship on Friday.\nBob: I fix the login bug first.\n";
	struct tacit_store *s = NULL;
	struct tacit_import_params p = tacit_import_default_params();
	struct told t = { 0, 0, -1, TACIT_OK };
	struct tacit_session *list = NULL;
	size_t n = 9;
	int64_t id = 0;
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	if (!s)
		return;
	const char *path = test_write_file(test_tmpdir(), "told.txt", text, sizeof(text) - 1);
	p.on_session = on_session;
	p.session_user = &t;
	CHECK_EQ_INT(tacit_store_import(s, path, &p, &id), TACIT_OK);
	CHECK_EQ_INT(t.calls, 1);
	CHECK(id > 0 && t.id == id);
	CHECK_EQ_INT(t.n_segments, 0);

	t = (struct told){ 0, 0, -1, TACIT_ERR_DB };
	id = 0;
	CHECK_EQ_INT(tacit_store_import(s, path, &p, &id), TACIT_ERR_DB);
	CHECK(strstr(tacit_errmsg(), "cannot record meeting") != NULL);
	CHECK_EQ_INT(t.calls, 1);
	CHECK_EQ_INT(id, 0);
	CHECK_EQ_INT(tacit_store_session_list(s, &list, &n), TACIT_OK);
	CHECK_EQ_INT(n, 1); /* the first import's only */
	tacit_free(list);
	tacit_store_close(s);
}

static void count_path(const char *path, void *user)
{
	(void)path;
	(*(int *)user)++;
}

/* Rows in the store's model_states for the session. */
static int count_rows(struct tacit_store *s, int64_t id)
{
	int n = 0;
	CHECK_EQ_INT(store_model_states(s, id, count_path, &n), TACIT_OK);
	return n;
}

static struct tacit_llm *open_stories_ctx(int n_ctx)
{
	struct tacit_llm_params lp = tacit_llm_default_params();
	struct tacit_llm *llm = NULL;
	lp.model_path = stories();
	lp.n_ctx = n_ctx;
	lp.n_threads = 2;
	CHECK_EQ_INT(tacit_llm_open(&lp, &llm), TACIT_OK);
	return llm;
}

static enum tacit_status long_task(struct tacit_store *s, int64_t id, struct tacit_llm *llm, enum tacit_task which,
				   const char *question, struct tacit_session_task_result *res)
{
	struct tacit_session_task_params p = tacit_session_task_default_params();
	p.meeting.task = which;
	p.meeting.question = question;
	p.meeting.max_tokens = 200;
	enum tacit_status st = tacit_session_task(s, id, llm, &p, res);
	if (st != TACIT_OK)
		fprintf(stderr, "  task %d: %s\n", (int)which, tacit_errmsg());
	return st;
}

/* The web chat's question on a very long meeting: nothing in it matches, so an answer
 * would have mapped over every window (9 minutes on 104,858 segments); it now fails at
 * once with a message, and a matching question still reads its one window. */
TEST_MODEL(session_task_answer_on_a_huge_meeting_is_bounded)
{
	if (!stories())
		SKIP("no ../shared/models/stories260K.gguf");
	const char *dir = test_tmpdir();
	char db[4200];
	snprintf(db, sizeof(db), "%s/huge.db", dir);
	struct buf text;
	buf_init(&text);
	for (int i = 0; i < 5000; i++)
		buf_addf(&text, "Speaker%d: We went over item number %d and agreed to look at it again.\n", i % 3, i);
	buf_adds(&text, "Dana: The zebra budget needs approval before the offsite.\n");
	struct tacit_store *s = NULL;
	struct tacit_llm *llm = NULL;
	struct tacit_session_task_result res = { 0 };
	int64_t id = 0;
	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		goto out;
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(dir, "huge.txt", text.data, text.len), NULL, &id), TACIT_OK);
	if (!(llm = open_stories_ctx(2048)))
		goto out;
	time_t t0 = time(NULL);
	CHECK_EQ_INT(long_task(s, id, llm, TACIT_TASK_ANSWER, "Qwzx?", &res), TACIT_ERR_CONTEXT_FULL);
	CHECK(strstr(tacit_errmsg(), "ask with words said in the meeting") != NULL);
	tacit_session_task_result_release(&res);
	CHECK_EQ_INT(long_task(s, id, llm, TACIT_TASK_ANSWER, "What about the zebra budget?", &res), TACIT_OK);
	CHECK(res.n_windows > 4);
	CHECK_EQ_INT(res.answer_window, res.n_windows);
	tacit_session_task_result_release(&res);
	CHECK(time(NULL) - t0 < 120);
out:
	tacit_llm_close(llm);
	tacit_store_close(s);
	buf_release(&text);
}

TEST_MODEL(session_task_window_states_on_a_long_meeting)
{
	if (!stories())
		SKIP("no ../shared/models/stories260K.gguf");
	const char *dir = test_tmpdir();
	char db[4200];
	snprintf(db, sizeof(db), "%s/t.db", dir);
	struct buf text;
	buf_init(&text);
	for (int i = 0; i < 52; i++)
		buf_addf(&text, "Speaker%d: We went over item number %d and agreed to look at it again next week.\n",
			 i % 3, i);
	/* the last segment: only the last window holds it */
	buf_adds(&text, "Dana: The zebra budget needs approval before the offsite.\n");
	struct tacit_store *s = NULL;
	struct tacit_llm *llm = NULL;
	struct tacit_session_task_result res = { 0 };
	int64_t id = 0;
	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		goto out;
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(dir, "long.txt", text.data, text.len), NULL, &id), TACIT_OK);
	if (!(llm = open_stories_ctx(2048)))
		goto out;

	/* suggestions: map over the windows (each window's state saved), then reduce */
	CHECK_EQ_INT(long_task(s, id, llm, TACIT_TASK_SUGGEST, NULL, &res), TACIT_OK);
	int n = res.n_windows;
	CHECK(n >= 2);
	CHECK_EQ_INT(res.states_saved, n);
	CHECK_EQ_INT(res.state, TACIT_STATE_SAVED);
	CHECK_EQ_INT(count_states(id), n);
	CHECK_EQ_INT(count_rows(s, id), n);
	tacit_session_task_result_release(&res);

	/* a restart: notes cut the meeting into the same windows and load every state */
	tacit_llm_close(llm);
	if (!(llm = open_stories_ctx(2048)))
		goto out;
	CHECK_EQ_INT(long_task(s, id, llm, TACIT_TASK_NOTES, NULL, &res), TACIT_OK);
	CHECK_EQ_INT(res.n_windows, n);
	CHECK_EQ_INT(res.states_loaded, n);
	CHECK_EQ_INT(res.states_saved, 0);
	CHECK_EQ_INT(res.state, TACIT_STATE_LOADED);
	tacit_session_task_result_release(&res);

	/* a question with a word of the last window: answered from that window alone */
	tacit_llm_close(llm);
	if (!(llm = open_stories_ctx(2048)))
		goto out;
	CHECK_EQ_INT(long_task(s, id, llm, TACIT_TASK_ANSWER, "What about the zebra budgets?", &res), TACIT_OK);
	CHECK_EQ_INT(res.n_windows, n);
	CHECK_EQ_INT(res.answer_window, n);
	CHECK_EQ_INT(res.states_loaded, 1);
	CHECK_EQ_INT(res.state, TACIT_STATE_LOADED);
	CHECK(res.n_reused > 100);
	tacit_session_task_result_release(&res);

	/* a question matching nothing: every window is read, each from its state */
	CHECK_EQ_INT(long_task(s, id, llm, TACIT_TASK_ANSWER, "Qwzx?", &res), TACIT_OK);
	CHECK_EQ_INT(res.answer_window, 0);
	CHECK_EQ_INT(res.states_loaded + res.states_saved, n);
	CHECK_EQ_INT(res.states_saved, 0);
	tacit_session_task_result_release(&res);

	/* the meeting grows: the earlier windows keep their states, the changed ones are
	 * saved anew and the superseded ones removed, rows and files */
	struct tacit_segment seg = { .start_ms = 3600000, .end_ms = 3602000, .speaker = "Dana", .text = "Done." };
	CHECK_EQ_INT(tacit_store_add_segment(s, id, &seg, NULL), TACIT_OK);
	CHECK_EQ_INT(long_task(s, id, llm, TACIT_TASK_SUGGEST, NULL, &res), TACIT_OK);
	CHECK(res.states_loaded >= 1);
	CHECK(res.states_saved >= 1);
	CHECK_EQ_INT(count_states(id), res.n_windows);
	CHECK_EQ_INT(count_rows(s, id), res.n_windows);
	tacit_session_task_result_release(&res);

	/* without states: nothing is loaded, saved or removed */
	struct tacit_session_task_params p = tacit_session_task_default_params();
	p.meeting.task = TACIT_TASK_ANSWER;
	p.meeting.question = "What about the zebra budget?";
	p.meeting.max_tokens = 200;
	p.use_state = false;
	int before = count_states(id);
	CHECK_EQ_INT(tacit_session_task(s, id, llm, &p, &res), TACIT_OK);
	CHECK_EQ_INT(res.states_loaded + res.states_saved, 0);
	CHECK(res.answer_window > 0);
	CHECK_EQ_INT(count_states(id), before);
	tacit_session_task_result_release(&res);

	CHECK_EQ_INT(tacit_store_session_delete(s, id), TACIT_OK);
	CHECK_EQ_INT(count_states(id), 0);
out:
	tacit_llm_close(llm);
	tacit_store_close(s);
	buf_release(&text);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void make_old(const char *path)
{
	struct timespec ts[2];
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= 2 * 24 * 3600;
	ts[1] = ts[0];
	CHECK_EQ_INT(utimensat(AT_FDCWD, path, ts, 0), 0);
}

TEST(store_prunes_model_states)
{
	char *cache = NULL, kv[4200], a[4300], b[4300], c[4300], old_orphan[4300], new_orphan[4300];
	struct tacit_store *s = NULL;
	struct tacit_session_params sp = tacit_session_default_params();
	int64_t id = 0;
	CHECK_EQ_INT(tacit_dir_path(TACIT_DIR_CACHE, &cache), TACIT_OK);
	snprintf(kv, sizeof(kv), "%s", cache ? cache : ".");
	tacit_free(cache);
	snprintf(a, sizeof(a), "%s", test_write_file(kv, "kv/prune-a.kv", "AAAA", 4));
	snprintf(b, sizeof(b), "%s", test_write_file(kv, "kv/prune-b.kv", "BBBB", 4));
	snprintf(c, sizeof(c), "%s", test_write_file(kv, "kv/prune-c.kv", "CCCC", 4));
	snprintf(old_orphan, sizeof(old_orphan), "%s", test_write_file(kv, "kv/prune-old.kv", "OOOO", 4));
	snprintf(new_orphan, sizeof(new_orphan), "%s", test_write_file(kv, "kv/prune-new.kv", "NNNN", 4));
	/* the default store: rows for a, b and c */
	CHECK_EQ_INT(tacit_store_open(NULL, &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(tacit_store_session_create(s, &sp, &id), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_model_state(s, id, "m", a, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_model_state(s, id, "m", b, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_model_state(s, id, "m", c, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_model_state(s, id, "m", c, NULL), TACIT_OK); /* again: one row */
	CHECK_EQ_INT(count_rows(s, id), 3);
	make_old(a);
	make_old(old_orphan);

	/* superseded: keeping a and b removes c, row and file */
	const char *keep[] = { a, b };
	CHECK_EQ_INT(store_model_states_keep(s, id, keep, 2), TACIT_OK);
	CHECK_EQ_INT(count_rows(s, id), 2);
	CHECK(!exists(c));
	CHECK(exists(a) && exists(b));
	tacit_store_close(s);

	/* b's file goes behind the store's back; the next open drops its row, and removes
	 * the day-old file no row names but keeps the fresh one and the old recorded one */
	CHECK_EQ_INT(unlink(b), 0);
	CHECK_EQ_INT(tacit_store_open(NULL, &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(count_rows(s, id), 1);
	CHECK(exists(a));
	CHECK(!exists(old_orphan));
	CHECK(exists(new_orphan));

	/* a store opened by path is not the default one: it leaves <cache>/kv alone */
	struct tacit_store *other = NULL;
	char db[4200];
	snprintf(db, sizeof(db), "%s/other.db", test_tmpdir());
	make_old(new_orphan);
	CHECK_EQ_INT(tacit_store_open(db, &other), TACIT_OK);
	CHECK(exists(new_orphan));
	tacit_store_close(other);
	unlink(new_orphan);

	CHECK_EQ_INT(tacit_store_session_delete(s, id), TACIT_OK);
	CHECK(!exists(a));
	tacit_store_close(s);
}

/* Overwrites every state file of the session with garbage. */
static void damage_states(int64_t id)
{
	char *cache = NULL, kvdir[4200], prefix[64];
	CHECK_EQ_INT(tacit_dir_path(TACIT_DIR_CACHE, &cache), TACIT_OK);
	snprintf(kvdir, sizeof(kvdir), "%s/kv", cache ? cache : "");
	tacit_free(cache);
	snprintf(prefix, sizeof(prefix), "session-%lld-", (long long)id);
	DIR *d = opendir(kvdir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			test_write_file(kvdir, e->d_name, "garbage", 7);
	if (d)
		closedir(d);
}

TEST_MODEL(session_task_damaged_state_with_a_warm_cache)
{
	/* the worker holds another meeting's prompt, which shares the instructions with this
	 * one; this meeting's state file is damaged: the failed load empties the cache, and
	 * the prompt must then be read from its start, not from the shared instructions */
	if (!stories())
		SKIP("no ../shared/models/stories260K.gguf");
	const char *dir = test_tmpdir();
	char db[4200];
	snprintf(db, sizeof(db), "%s/t.db", dir);
	const char a[] = "Alice: Let us ship the beta on Friday.\nBob: I will fix the login bug.\n";
	const char b[] = "Carol: The offsite moves to May.\nDan: I book the rooms.\n";
	struct tacit_store *s = NULL;
	struct tacit_llm *llm = NULL;
	struct tacit_session_task_result res = { 0 };
	int64_t ia = 0, ib = 0;
	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(dir, "a.txt", a, sizeof(a) - 1), NULL, &ia), TACIT_OK);
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(dir, "b.txt", b, sizeof(b) - 1), NULL, &ib), TACIT_OK);
	if (!(llm = open_stories()))
		goto out;
	CHECK_EQ_INT(task(s, ia, llm, TACIT_TASK_ANSWER, &res), TACIT_OK);
	CHECK_EQ_INT(res.state, TACIT_STATE_SAVED);
	tacit_session_task_result_release(&res);
	CHECK_EQ_INT(task(s, ib, llm, TACIT_TASK_ANSWER, &res), TACIT_OK);
	CHECK_EQ_INT(res.state, TACIT_STATE_SAVED);
	tacit_session_task_result_release(&res);
	damage_states(ia);
	CHECK_EQ_INT(task(s, ia, llm, TACIT_TASK_ANSWER, &res), TACIT_OK);
	CHECK_EQ_INT(res.state, TACIT_STATE_SAVED);
	CHECK_EQ_INT(res.n_reused, 0);
	tacit_session_task_result_release(&res);
	/* and the state saved again serves a new worker */
	tacit_llm_close(llm);
	if (!(llm = open_stories()))
		goto out;
	CHECK_EQ_INT(task(s, ia, llm, TACIT_TASK_SUMMARY, &res), TACIT_OK);
	CHECK_EQ_INT(res.state, TACIT_STATE_LOADED);
	tacit_session_task_result_release(&res);
	CHECK_EQ_INT(tacit_store_session_delete(s, ia), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_delete(s, ib), TACIT_OK);
out:
	tacit_llm_close(llm);
	tacit_store_close(s);
}
