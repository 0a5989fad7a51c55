/*
 * test_session_task.c — meeting tasks on stored sessions with stories260K: the transcript
 * comes from the store, results are stored (artifact, chat, suggestions), the transcript
 * prefix state is saved once and loaded after a restart, and a state made for another
 * transcript, or a damaged one, is never used; a cancelled task stores nothing but keeps
 * (and records) the state it saved. Also the one transcript parser serving
 * import (times from `tacit transcribe` JSON are kept).
 */
#include "internal.h"

#include "transcript.h"

#include "../check.h"

#include <dirent.h>
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

TEST(session_task_stores_results_and_reuses_saved_state)
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
	CHECK_EQ_INT(tacit_store_export(s, id, TACIT_EXPORT_JSON, &exp), TACIT_OK);
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

TEST(session_task_cancelled_stores_nothing_but_keeps_the_state)
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
	CHECK_EQ_INT(tacit_store_export(s, id, TACIT_EXPORT_JSON, &exp), TACIT_OK);
	CHECK(exp && !strstr(exp, "What is the budget?")); /* no chat stored */
	tacit_free(exp);
	/* a cancel raised before the call is also a cancel: nothing stored */
	p.meeting.on_token = NULL;
	CHECK_EQ_INT(tacit_session_task(s, id, llm, &p, &res), TACIT_ERR_CANCELLED);
	exp = NULL;
	CHECK_EQ_INT(tacit_store_export(s, id, TACIT_EXPORT_JSON, &exp), TACIT_OK);
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
