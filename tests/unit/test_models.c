/*
 * test_models.c — model resolution: paths, catalog ids (downloaded or not, wrong kind),
 * the per-device setting, and the fallback to a downloaded model. TACIT_HOME points
 * into a fresh temporary directory for the whole unit run.
 */
#include "internal.h"

#include "../check.h"
#include "models.h"
#include "probe.h"

#include <unistd.h>

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("x", f);
		fclose(f);
	}
}

TEST(models_resolve)
{
	char *dir = NULL, *path = NULL, *file = NULL, *other = NULL;
	struct tacit_store *store = NULL;

	CHECK(tacit_models_dir(&dir) == TACIT_OK);

	/* A catalog id that is not downloaded says how to get it. */
	CHECK(tacit_model_resolve(TACIT_MODEL_ASR, "whisper-tiny.en", &path) == TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "tacit pull whisper-tiny.en") != NULL);
	CHECK(path == NULL);
	/* A language model asked for as a speech model. */
	CHECK(tacit_model_resolve(TACIT_MODEL_ASR, "qwen3.5-2b", &path) == TACIT_ERR_USAGE);
	CHECK(tacit_model_resolve(TACIT_MODEL_LLM, "no-such-model", &path) == TACIT_ERR_NOT_FOUND);
	CHECK(tacit_model_resolve(TACIT_MODEL_LLM, "/no/such/file.gguf", &path) == TACIT_ERR_NOT_FOUND);

	/* Nothing chosen, nothing downloaded of this kind (unless another test of this run
	 * chose or downloaded a speech model in the shared TACIT_HOME). */
	enum tacit_status st = tacit_model_resolve(TACIT_MODEL_ASR, NULL, &path);
	if (st == TACIT_OK) {
		tacit_free(path);
		path = NULL;
	} else {
		CHECK(st == TACIT_ERR_NOT_FOUND);
		CHECK(strstr(tacit_errmsg(), "no speech model is downloaded") != NULL);

		/* Downloaded: the id and the default both find it. */
		CHECK(asprintf(&file, "%s/ggml-tiny.en.bin", dir) > 0);
		touch(file);
		CHECK(tacit_model_resolve(TACIT_MODEL_ASR, "whisper-tiny.en", &path) == TACIT_OK);
		CHECK_STR(path, file);
		tacit_free(path);
		CHECK(tacit_model_resolve(TACIT_MODEL_ASR, NULL, &path) == TACIT_OK);
		CHECK_STR(path, file);
		tacit_free(path);
		unlink(file);
	}

	/* A path is used as is; the setting wins over the fallback. */
	CHECK(asprintf(&other, "%s/mine.gguf", test_tmpdir()) > 0);
	touch(other);
	CHECK(tacit_model_resolve(TACIT_MODEL_LLM, other, &path) == TACIT_OK);
	CHECK_STR(path, other);
	tacit_free(path);
	CHECK(tacit_store_open(NULL, &store) == TACIT_OK);
	CHECK(tacit_store_setting_set(store, "model.llm", other) == TACIT_OK);
	CHECK(tacit_model_resolve(TACIT_MODEL_LLM, NULL, &path) == TACIT_OK);
	CHECK_STR(path, other);
	tacit_free(path);
	/* A chosen model that vanished is an error naming the setting, not a silent swap. */
	unlink(other);
	CHECK(tacit_model_resolve(TACIT_MODEL_LLM, NULL, &path) == TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "model.llm") != NULL);
	CHECK(strstr(tacit_errmsg(), "is unusable: model file '") != NULL); /* the reason, not the prefix twice */
	CHECK(tacit_store_setting_set(store, "model.llm", NULL) == TACIT_OK);
	tacit_store_close(store);

	free(other);
	free(file);
	tacit_free(dir);
}

/* Resolving stays cheap without going stale (issue #20: the web app's status resolved
 * three models on every call, and each failed resolve probed the machine): the probe is
 * kept a few seconds, a download or a removal is seen by the very next resolve, and a
 * caller's open store is where the choice is read. */
TEST(models_resolve_keeps_the_probe_not_the_answer)
{
	char *dir = NULL, *path = NULL, *file = NULL, *other = NULL;
	struct tacit_store *mem = NULL;
	struct tacit_system a, b;
	struct tacit_probe_params pp = tacit_probe_default_params();

	pp.bandwidth = 0;
	pp.devices = false;
	CHECK_EQ_INT(system_probe_recent(&pp, &a), TACIT_OK);
	unsigned runs = system_probes_run();
	CHECK_EQ_INT(system_probe_recent(&pp, &b), TACIT_OK);
	CHECK_EQ_INT(system_probes_run(), runs); /* kept: no second probe */
	CHECK(a.ram_total == b.ram_total && !strcmp(a.machine_id, b.machine_id));

	CHECK(tacit_models_dir(&dir) == TACIT_OK);
	CHECK(asprintf(&file, "%s/ggml-tiny.en.bin", dir) > 0);
	for (int round = 0; round < 2 && access(file, F_OK) != 0; round++) {
		if (round == 1)
			runs = system_probes_run();
		enum tacit_status st = tacit_model_resolve(TACIT_MODEL_ASR, NULL, &path);
		tacit_free(path);
		path = NULL;
		if (st == TACIT_OK)
			break; /* another test of this run downloaded a speech model: nothing to see */
		CHECK(strstr(tacit_errmsg(), "no speech model is downloaded") != NULL);
		touch(file); /* downloaded: found at once */
		CHECK(tacit_model_resolve(TACIT_MODEL_ASR, NULL, &path) == TACIT_OK);
		CHECK(path && strstr(path, "ggml-tiny.en.bin"));
		tacit_free(path);
		path = NULL;
		unlink(file); /* removed: missing at once */
		CHECK(tacit_model_resolve(TACIT_MODEL_ASR, NULL, &path) == TACIT_ERR_NOT_FOUND);
		if (round == 1)
			CHECK_EQ_INT(system_probes_run(), runs); /* the second round probed nothing */
	}

	/* the choice comes from the store given (here one in memory), not the default one */
	CHECK(asprintf(&other, "%s/kept.gguf", test_tmpdir()) > 0);
	touch(other);
	CHECK_EQ_INT(tacit_store_open(":memory:", &mem), TACIT_OK);
	CHECK(mem && tacit_store_setting_set(mem, "model.llm", other) == TACIT_OK);
	CHECK(models_resolve_in(mem, TACIT_MODEL_LLM, NULL, &path) == TACIT_OK);
	CHECK(path && !strcmp(path, other));
	tacit_free(path);
	path = NULL;
	CHECK(tacit_store_setting_set(mem, "model.llm", "/no/such/file.gguf") == TACIT_OK);
	CHECK(models_resolve_in(mem, TACIT_MODEL_LLM, NULL, &path) == TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "model.llm") != NULL);
	tacit_store_close(mem);
	unlink(other);

	free(other);
	free(file);
	tacit_free(dir);
}
