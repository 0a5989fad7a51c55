/* test_core.c — buf, status names and exit codes, error messages, log levels, paths. */
#include "internal.h"

#include "../check.h"

#include <sys/stat.h>

TEST(buf_grows_and_detaches)
{
	struct buf b;
	buf_init(&b);
	CHECK(b.data != NULL && b.len == 0 && b.data[0] == '\0');
	for (int i = 0; i < 1000; i++)
		CHECK(buf_addf(&b, "%d,", i));
	CHECK(b.len > 3000);
	CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
	CHECK(b.data[b.len] == '\0');
	size_t n;
	char *p = buf_detach(&b, &n);
	CHECK(p && strlen(p) == n);
	CHECK(b.len == 0 && b.data[0] == '\0');
	free(p);
	p = buf_detach(&b, &n); /* detaching an empty buffer still gives a freeable "" */
	CHECK(p && p[0] == '\0' && n == 0);
	free(p);
	buf_release(&b);
}

TEST(buf_respects_cap)
{
	struct buf b;
	buf_init(&b);
	b.cap = 10;
	CHECK(buf_adds(&b, "0123456789"));
	CHECK(!buf_adds(&b, "x"));
	CHECK(b.failed);
	CHECK(b.len == 10);
	CHECK(!buf_grow(&b, SIZE_MAX));
	buf_release(&b);
}

TEST(buf_long_format)
{
	struct buf b;
	buf_init(&b);
	char big[1000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(buf_addf(&b, "<%s>", big));
	CHECK(b.len == 1001 && b.data[0] == '<' && b.data[1000] == '>');
	buf_release(&b);
}

TEST(status_names_and_exit_codes)
{
	CHECK_STR(tacit_status_str(TACIT_OK), "ok");
	CHECK_STR(tacit_status_str(TACIT_ERR_NO_FIT), "does not fit");
	CHECK_STR(tacit_status_str((enum tacit_status)9999), "unknown status");
	CHECK_EQ_INT(tacit_status_exit_code(TACIT_OK), 0);
	CHECK_EQ_INT(tacit_status_exit_code(TACIT_ERR_USAGE), 2);
	/* every failure has its own exit code */
	for (int a = TACIT_ERR_NOMEM; a <= TACIT_ERR_INTERNAL; a++) {
		CHECK(strcmp(tacit_status_str((enum tacit_status)a), "unknown status") != 0);
		for (int b = a + 1; b <= TACIT_ERR_INTERNAL; b++)
			CHECK(tacit_status_exit_code((enum tacit_status)a) != tacit_status_exit_code((enum tacit_status)b));
		CHECK(tacit_status_exit_code((enum tacit_status)a) < 126);
	}
}

TEST(fail_records_message)
{
	enum tacit_status st = tacit_fail(TACIT_ERR_IO, "cannot open '%s': %s", "x.gguf", "No such file");
	CHECK_EQ_INT(st, TACIT_ERR_IO);
	CHECK_STR(tacit_errmsg(), "cannot open 'x.gguf': No such file");
	tacit_clear_error();
	CHECK_STR(tacit_errmsg(), "");
}

static int log_calls;
static void count_log(enum tacit_log_level level, const char *line, void *user)
{
	(void)level;
	(void)user;
	CHECK(strchr(line, '\n') == NULL);
	log_calls++;
}

TEST(log_level_filters)
{
	log_calls = 0;
	tacit_log_set(count_log, NULL, TACIT_LOG_WARN);
	tacit_log(TACIT_LOG_ERROR, "e %d\n", 1);
	tacit_log(TACIT_LOG_WARN, "w");
	tacit_log(TACIT_LOG_INFO, "i");
	tacit_log(TACIT_LOG_DEBUG, "d");
	CHECK_EQ_INT(log_calls, 2);
	tacit_log_set(NULL, NULL, TACIT_LOG_DEBUG);
	tacit_log(TACIT_LOG_ERROR, "dropped");
	CHECK_EQ_INT(log_calls, 2);
}

TEST(dirs_honour_tacit_home)
{
	char *old = getenv("TACIT_HOME") ? strdup(getenv("TACIT_HOME")) : NULL;
	char home[4200];
	snprintf(home, sizeof(home), "%s/th", test_tmpdir());
	setenv("TACIT_HOME", home, 1);
	char *p = NULL;
	CHECK_EQ_INT(tacit_dir_path(TACIT_DIR_CACHE, &p), TACIT_OK);
	char want[4300];
	snprintf(want, sizeof(want), "%s/cache", home);
	CHECK_STR(p, want);
	struct stat st;
	CHECK(p && stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	tacit_free(p);

	unsetenv("TACIT_HOME");
	setenv("XDG_DATA_HOME", home, 1);
	CHECK_EQ_INT(tacit_dir_path(TACIT_DIR_DATA, &p), TACIT_OK);
	snprintf(want, sizeof(want), "%s/tacit", home);
	CHECK_STR(p, want);
	tacit_free(p);
	unsetenv("XDG_DATA_HOME");

	/* a directory that cannot be created is an error naming it */
	snprintf(want, sizeof(want), "%s/file", test_tmpdir());
	test_write_file(test_tmpdir(), "file", "x", 1);
	setenv("TACIT_HOME", want, 1);
	CHECK_EQ_INT(tacit_dir_path(TACIT_DIR_CONFIG, &p), TACIT_ERR_IO);
	CHECK(p == NULL);
	CHECK(strstr(tacit_errmsg(), "file/config") != NULL);

	if (old) {
		setenv("TACIT_HOME", old, 1);
		free(old);
	}
}

TEST(versions_are_reported)
{
	struct tacit_versions v = tacit_versions();
	CHECK_STR(v.tacit, TACIT_VERSION);
	CHECK(v.llama && *v.llama);
	CHECK(v.whisper && *v.whisper);
	CHECK(v.ggml && *v.ggml);
	CHECK(v.sqlite && *v.sqlite);
}

TEST(version_number_matches_the_header)
{
	char text[32];
	snprintf(text, sizeof(text), "%d.%d.%d", TACIT_VERSION_MAJOR, TACIT_VERSION_MINOR, TACIT_VERSION_PATCH);
	CHECK_STR(text, TACIT_VERSION);
	CHECK_EQ_INT(tacit_version_number(), TACIT_VERSION_NUMBER);
	CHECK_EQ_INT(TACIT_VERSION_NUMBER,
		     TACIT_VERSION_MAJOR * 10000 + TACIT_VERSION_MINOR * 100 + TACIT_VERSION_PATCH);
	CHECK(TACIT_VERSION_MINOR < 100 && TACIT_VERSION_PATCH < 100);
}

#include "hash.h"

TEST(sha256_known_vectors)
{
	char hex[SHA256_HEX_LEN + 1];
	struct sha256 h;
	CHECK(sha256_init(&h));
	sha256_final(&h, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK(sha256_init(&h));
	sha256_update(&h, "ab", 2);
	sha256_update(&h, "c", 1);
	sha256_final(&h, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *path = test_write_file(test_tmpdir(), "abc.txt", "abc", 3);
	CHECK_EQ_INT(sha256_file(path, hex), TACIT_OK);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(sha256_is_hex(hex));
	CHECK(!sha256_is_hex("abc"));
	CHECK_EQ_INT(sha256_file("/nonexistent/x", hex), TACIT_ERR_IO);
	CHECK(strstr(tacit_errmsg(), "/nonexistent/x") != NULL);
}
