/*
 * test_batch.c — the batch queue (store_batch.c): a file queued twice is one job; claims
 * take queued jobs in order and never twice; a retry waits its delay; recovery re-queues
 * running jobs and removes their half-made meetings, the recorded one or the one found
 * by the import source, never another job's. On :memory: and on a file.
 */
#include "internal.h"

#include "../check.h"

static int64_t imported(struct tacit_store *st, const char *source)
{
	struct tacit_session_params sp = tacit_session_default_params();
	char settings[256];
	int64_t id = 0;
	snprintf(settings, sizeof(settings), "{\"import\":{\"source\":\"%s\"}}", source);
	sp.settings_json = settings;
	CHECK_EQ_INT(tacit_store_session_create(st, &sp, &id), TACIT_OK);
	return id;
}

static bool exists(struct tacit_store *st, int64_t id)
{
	struct tacit_session ss;
	return tacit_store_session_get(st, id, &ss) == TACIT_OK;
}

static void run(const char *path)
{
	struct tacit_store *st = NULL;
	struct tacit_batch_job j, *jobs = NULL;
	int64_t wait = -1, counts[4];
	size_t n = 0;
	bool added = false;
	int requeued = -1, removed = -1;
	CHECK_EQ_INT(tacit_store_open(path, &st), TACIT_OK);

	CHECK_EQ_INT(tacit_batch_enqueue(st, "relative.txt", 1, 1, NULL), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_batch_enqueue(st, "/a/one.txt", 10, 100, &added), TACIT_OK);
	CHECK(added);
	CHECK_EQ_INT(tacit_batch_enqueue(st, "/a/one.txt", 10, 100, &added), TACIT_OK);
	CHECK(!added);
	CHECK_EQ_INT(tacit_batch_enqueue(st, "/a/two.wav", 20, 200, &added), TACIT_OK);
	CHECK_EQ_INT(tacit_batch_enqueue(st, "/b/three.txt", 30, 300, &added), TACIT_OK);

	/* one: claimed, its meeting recorded, then the process "dies" */
	CHECK_EQ_INT(tacit_batch_claim(st, 42, &j, &wait), TACIT_OK);
	CHECK_STR(j.path, "/a/one.txt");
	CHECK_EQ_INT(j.attempts, 1);
	CHECK_EQ_INT(j.state, TACIT_BATCH_RUNNING);
	int64_t one = imported(st, "one.txt");
	CHECK_EQ_INT(tacit_batch_set_session(st, j.id, one), TACIT_OK);
	/* two: claimed, its meeting made but not yet recorded */
	CHECK_EQ_INT(tacit_batch_claim(st, 42, &j, &wait), TACIT_OK);
	CHECK_STR(j.path, "/a/two.wav");
	/* none recorded (0: an import that failed removed it): recovery still looks by name */
	CHECK_EQ_INT(tacit_batch_set_session(st, j.id, 0), TACIT_OK);
	int64_t other = imported(st, "unrelated.wav");
	int64_t two = imported(st, "two.wav");
	/* three: done with its meeting; a meeting of that name made later is not its */
	CHECK_EQ_INT(tacit_batch_claim(st, 42, &j, &wait), TACIT_OK);
	int64_t three = imported(st, "three.txt");
	CHECK_EQ_INT(tacit_batch_set_session(st, j.id, three), TACIT_OK);
	CHECK_EQ_INT(tacit_batch_finish(st, j.id, TACIT_BATCH_DONE, NULL, 0), TACIT_OK);
	CHECK_EQ_INT(tacit_batch_claim(st, 42, &j, &wait), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(wait, 0);

	CHECK_EQ_INT(tacit_batch_recover(st, &requeued, &removed), TACIT_OK);
	CHECK_EQ_INT(requeued, 2);
	CHECK_EQ_INT(removed, 2);
	CHECK(!exists(st, one));
	CHECK(!exists(st, two));
	CHECK(exists(st, other));
	CHECK(exists(st, three));

	/* resumed: one again (attempt 2), then a transient failure waits its delay */
	CHECK_EQ_INT(tacit_batch_claim(st, 43, &j, &wait), TACIT_OK);
	CHECK_STR(j.path, "/a/one.txt");
	CHECK_EQ_INT(j.attempts, 2);
	CHECK_EQ_INT(j.session_id, 0);
	CHECK_EQ_INT(tacit_batch_finish(st, j.id, TACIT_BATCH_QUEUED, "store busy", 60000), TACIT_OK);
	CHECK_EQ_INT(tacit_batch_claim(st, 43, &j, &wait), TACIT_OK);
	CHECK_STR(j.path, "/a/two.wav");
	CHECK_STR(j.speech_engine, "");
	CHECK_EQ_INT(tacit_batch_set_engines(st, j.id, "gpu-box:8081", NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_batch_finish(st, j.id, TACIT_BATCH_FAILED, "cannot decode 'two.wav'", 0), TACIT_OK);
	CHECK_EQ_INT(tacit_batch_claim(st, 43, &j, &wait), TACIT_ERR_NOT_FOUND);
	CHECK(wait > 50000 && wait <= 60000);
	CHECK_EQ_INT(tacit_batch_finish(st, j.id, TACIT_BATCH_RUNNING, NULL, 0), TACIT_ERR_USAGE);

	CHECK_EQ_INT(tacit_batch_list(st, TACIT_BATCH_FAILED, &jobs, &n, counts), TACIT_OK);
	CHECK_EQ_INT(n, 1);
	CHECK_STR(jobs[0].error, "cannot decode 'two.wav'");
	CHECK_STR(jobs[0].speech_engine, "gpu-box:8081"); /* what did the work, kept with the job */
	CHECK_STR(jobs[0].llm_engine, "");
	CHECK_EQ_INT(counts[TACIT_BATCH_QUEUED], 1);
	CHECK_EQ_INT(counts[TACIT_BATCH_DONE], 1);
	CHECK_EQ_INT(counts[TACIT_BATCH_FAILED], 1);
	CHECK_EQ_INT(counts[TACIT_BATCH_RUNNING], 0);
	tacit_free(jobs);
	CHECK_STR(tacit_batch_state_str(TACIT_BATCH_DONE), "done");
	struct tacit_engine e = tacit_engine_default();
	char host[64];
	tacit_engine_host(&e, host, sizeof(host));
	CHECK_STR(host, "local");
	CHECK_EQ_INT(tacit_engine_set_url(&e, "https://gpu-box:8080/v1"), TACIT_OK);
	tacit_engine_host(&e, host, sizeof(host));
	CHECK_STR(host, "gpu-box:8080");
	tacit_store_close(st);
}

TEST(batch_queue_in_memory)
{
	run(":memory:");
}

TEST(batch_queue_on_file)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/batch.db", test_tmpdir());
	run(path);
}
