/* test_paths.c — the data, cache and config directories: TACIT_HOME, then XDG, created
 * private (0700), and a directory that cannot be made is an error naming it. */
#include "internal.h"

#include "../check.h"

#include <sys/stat.h>

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
