/*
 * test_custom.c — custom models: the shared stories260K model added, listed, scored,
 * resolved by name and forgotten; truncated and hostile files refused by the pre-parser;
 * a file that passes the pre-parser but not llama.cpp, a probe that crashes and one that
 * hangs (the parent survives and says why); a file that moved or changed; name rules;
 * and the GGUF header's layout as the fit scorer sees it.
 */
#include "internal.h"

#include "../check.h"

#include <dirent.h>
#include <sys/stat.h>
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

/* Copies the first n bytes of src (all when n is 0) to dir/name; returns the path. */
static const char *copy_file(const char *src, const char *dir, const char *name, size_t n)
{
	struct buf b;
	buf_init(&b);
	CHECK(read_small_file(src, &b, 64u << 20));
	const char *p = test_write_file(dir, name, b.data, n && n < b.len ? n : b.len);
	buf_release(&b);
	return p;
}

static size_t n_custom(void)
{
	struct tacit_custom_models *list = NULL;
	CHECK_EQ_INT(tacit_custom_list(&list), TACIT_OK);
	size_t n = tacit_custom_count(list);
	tacit_custom_list_free(list);
	return n;
}

TEST_MODEL(custom_add_list_resolve_forget)
{
	struct tacit_custom_models *list = NULL;
	char *name = NULL, *path = NULL;
	const char *src = stories();
	if (!src)
		SKIP("no ../shared/models/stories260K.gguf");
	char *dir = strdup(test_tmpdir());
	const char *file = copy_file(src, dir, "Stories 260K.gguf", 0);
	char *abs = realpath(file, NULL);

	CHECK_EQ_INT(tacit_custom_add(file, NULL, &name), TACIT_OK);
	CHECK_STR(name, "stories-260k"); /* from the file name */
	CHECK_EQ_INT(tacit_custom_list(&list), TACIT_OK);
	const struct tacit_custom_model *m = tacit_custom_find(list, "stories-260k");
	CHECK(m != NULL);
	if (m) {
		CHECK_STR(m->path, abs);
		CHECK_STR(m->arch, "llama");
		CHECK(!m->missing);
		CHECK_STR(m->problem, "");
		CHECK_EQ_INT(m->layout.n_layers, 5);
		CHECK_EQ_INT(m->layout.attn_full_layers, 5);
		CHECK(m->layout.weights_bytes > 0 && m->layout.n_vocab == 512);
		/* scored like a catalog model */
		struct tacit_system sys;
		struct tacit_fit f;
		CHECK_EQ_INT(tacit_profile_get("m1-8gb", &sys), TACIT_OK);
		CHECK_EQ_INT(tacit_fit_score(&sys, &m->layout, NULL, &f), TACIT_OK);
		CHECK(f.verdict == TACIT_FIT_GREAT && f.mem_needed > m->layout.weights_bytes);
	}
	tacit_custom_list_free(list);
	/* the name resolves; a speech model of that name does not exist */
	CHECK_EQ_INT(tacit_model_resolve(TACIT_MODEL_LLM, "stories-260k", &path), TACIT_OK);
	CHECK_STR(path, abs);
	tacit_free(path);
	path = NULL;
	CHECK_EQ_INT(tacit_model_resolve(TACIT_MODEL_ASR, "stories-260k", &path), TACIT_ERR_USAGE);

	/* adding the same file again refreshes it; a second name for it is fine */
	CHECK_EQ_INT(tacit_custom_add(file, NULL, NULL), TACIT_OK);
	struct tacit_custom_params p = tacit_custom_default_params();
	p.name = "tiny";
	CHECK_EQ_INT(tacit_custom_add(file, &p, NULL), TACIT_OK);
	CHECK_EQ_INT(n_custom(), 2);

	/* names: a taken one, a catalog id, a bad one */
	const char *other = copy_file(src, dir, "other.gguf", 0);
	CHECK_EQ_INT(tacit_custom_add(other, &p, NULL), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "already names") != NULL);
	p.name = "qwen3.5-2b";
	CHECK_EQ_INT(tacit_custom_add(other, &p, NULL), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "catalog") != NULL);
	p.name = "Bad Name";
	CHECK_EQ_INT(tacit_custom_add(other, &p, NULL), TACIT_ERR_USAGE);
	CHECK_EQ_INT(n_custom(), 2);

	/* forget drops the reference, never the file */
	CHECK_EQ_INT(tacit_custom_forget("tiny"), TACIT_OK);
	CHECK_EQ_INT(tacit_custom_forget("tiny"), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(tacit_custom_forget("stories-260k"), TACIT_OK);
	CHECK(access(file, R_OK) == 0);
	CHECK_EQ_INT(n_custom(), 0);
	CHECK_EQ_INT(tacit_model_resolve(TACIT_MODEL_LLM, "stories-260k", &path), TACIT_ERR_NOT_FOUND);
	tacit_free(name);
	free(abs);
	free(dir);
}

TEST_MODEL(custom_moved_and_changed_files)
{
	struct tacit_custom_models *list = NULL;
	char *path = NULL, moved[4096];
	const char *src = stories();
	if (!src)
		SKIP("no ../shared/models/stories260K.gguf");
	struct tacit_custom_params p = tacit_custom_default_params();
	char *file = strdup(copy_file(src, test_tmpdir(), "m.gguf", 0));
	p.name = "mover";
	CHECK_EQ_INT(tacit_custom_add(file, &p, NULL), TACIT_OK);
	snprintf(moved, sizeof(moved), "%s.moved", file);
	CHECK(rename(file, moved) == 0);

	CHECK_EQ_INT(tacit_custom_list(&list), TACIT_OK);
	const struct tacit_custom_model *m = tacit_custom_find(list, "mover");
	CHECK(m && m->missing && strstr(m->problem, "is missing") && strstr(m->problem, "tacit add NEWPATH --name mover"));
	tacit_custom_list_free(list);
	CHECK_EQ_INT(tacit_model_resolve(TACIT_MODEL_LLM, "mover", &path), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "is missing") != NULL);
	CHECK(path == NULL);

	/* pointed at the new place, it works again; then the file changes under it */
	CHECK_EQ_INT(tacit_custom_add(moved, &p, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_model_resolve(TACIT_MODEL_LLM, "mover", &path), TACIT_OK);
	tacit_free(path);
	path = NULL;
	FILE *f = fopen(moved, "ab");
	CHECK(f != NULL);
	if (f) {
		fputc(0, f);
		fclose(f);
	}
	CHECK_EQ_INT(tacit_model_resolve(TACIT_MODEL_LLM, "mover", &path), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "changed since it was checked") != NULL);
	CHECK_EQ_INT(tacit_custom_forget("mover"), TACIT_OK);
	free(file);
}

TEST_MODEL(custom_refuses_truncated_and_hostile_files)
{
	const char *src = stories();
	size_t before = n_custom();
	char *dir = strdup(test_tmpdir());
	if (src) {
		struct stat sb;
		CHECK(stat(src, &sb) == 0);
		static const double cuts[] = { 0.001, 0.1, 0.5, 0.999 };
		for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
			const char *t = copy_file(src, dir, "trunc.gguf", (size_t)((double)sb.st_size * cuts[i]));
			enum tacit_status st = tacit_custom_add(t, NULL, NULL);
			CHECK(st == TACIT_ERR_FORMAT);
		}
	}
	CHECK_EQ_INT(tacit_custom_add("/no/such/file.gguf", NULL, NULL), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(tacit_custom_add(dir, NULL, NULL), TACIT_ERR_IO); /* a directory */

	/* the pre-parser's whole fuzz corpus: each one refused (or, if valid, probed) and
	 * the caller unharmed */
	DIR *d = opendir("tests/fuzz/corpus/gguf");
	CHECK(d != NULL);
	struct dirent *e;
	int n = 0, refused = 0;
	while (d && (e = readdir(d))) {
		char path[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "tests/fuzz/corpus/gguf/%s", e->d_name);
		struct tacit_custom_params p = tacit_custom_default_params();
		p.name = "hostile";
		enum tacit_status st = tacit_custom_add(path, &p, NULL);
		n++;
		refused += st != TACIT_OK;
		CHECK(st == TACIT_OK || st == TACIT_ERR_FORMAT || st == TACIT_ERR_UNSUPPORTED || st == TACIT_ERR_MODEL ||
		      st == TACIT_ERR_IO);
		if (st == TACIT_OK)
			tacit_custom_forget("hostile");
		else
			CHECK(tacit_errmsg()[0] != '\0');
	}
	if (d)
		closedir(d);
	CHECK(n > 20 && refused == n);
	CHECK_EQ_INT(n_custom(), before);
	free(dir);
}

TEST_MODEL(custom_probe_failures_leave_the_caller_standing)
{
	const char *src = stories();
	if (!src)
		SKIP("no ../shared/models/stories260K.gguf");
	struct tacit_custom_params p = tacit_custom_default_params();
	size_t before = n_custom();

	/* valid GGUF for the pre-parser, but llama.cpp knows no such architecture */
	CHECK_EQ_INT(tacit_custom_add("tests/fuzz/corpus/gguf/seed-00-valid.gguf", &p, NULL), TACIT_ERR_MODEL);
	CHECK(strstr(tacit_errmsg(), "llama.cpp cannot load") != NULL);

	/* the probe child aborts, then hangs: the parent reports and goes on */
	setenv("TACIT_WORKER_TEST", "1", 1);
	setenv("TACIT_WORKER_TEST_PROBE", "abort", 1);
	CHECK_EQ_INT(tacit_custom_add(src, &p, NULL), TACIT_ERR_MODEL);
	CHECK(strstr(tacit_errmsg(), "crashed (signal 6") != NULL);
	setenv("TACIT_WORKER_TEST_PROBE", "hang", 1);
	p.timeout_ms = 300;
	CHECK_EQ_INT(tacit_custom_add(src, &p, NULL), TACIT_ERR_MODEL);
	CHECK(strstr(tacit_errmsg(), "did not finish") != NULL);
	unsetenv("TACIT_WORKER_TEST_PROBE");
	unsetenv("TACIT_WORKER_TEST");

	/* a missing worker is its own error */
	setenv("TACIT_WORKER", "/no/such/tacit-worker", 1);
	p.timeout_ms = 0;
	CHECK_EQ_INT(tacit_custom_add(src, &p, NULL), TACIT_ERR_WORKER);
	unsetenv("TACIT_WORKER");
	CHECK_EQ_INT(n_custom(), before);
}

TEST(gguf_layout_of_headers)
{
	struct tacit_gguf_info *info = NULL;
	struct tacit_model_layout l;
	CHECK_EQ_INT(tacit_gguf_layout(NULL, &l), TACIT_ERR_USAGE);
	const char *src = stories();
	if (!src)
		SKIP("no ../shared/models/stories260K.gguf");
	CHECK_EQ_INT(tacit_gguf_inspect(src, &info), TACIT_OK);
	CHECK_EQ_INT(tacit_gguf_layout(info, &l), TACIT_OK);
	CHECK_EQ_INT(l.n_layers, 5);
	CHECK_EQ_INT(l.n_embd, 64);
	CHECK_EQ_INT(l.n_head, 8);
	CHECK_EQ_INT(l.n_head_kv, 4);
	CHECK_EQ_INT(l.head_dim, 8);
	CHECK_EQ_INT(l.attn_swa_layers + l.recurrent_layers, 0);
	CHECK(l.weights_bytes == info->weight_bytes && l.params_total == info->n_params);
	tacit_gguf_info_free(info);
}
