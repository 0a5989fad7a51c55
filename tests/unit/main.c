/*
 * main.c — runs every registered TEST (or those whose name contains argv[1]), each with a
 * fresh temp dir, and ends with the line "N passed, N failed, N skipped".
 */
#include "../check.h"

#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct test_case *head, **tail = &head;
static int case_failures;
static const char *case_skip;
static char tmpdir[4096];

void test_register(struct test_case *tc)
{
	*tail = tc;
	tail = &tc->next;
}

void test_failed(const char *file, int line, const char *what)
{
	fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", file, line, what);
	case_failures++;
}

void test_skip(const char *why)
{
	case_skip = why;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

const char *test_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(tmpdir, sizeof(tmpdir), "%s/tacit-test-XXXXXX", base && *base ? base : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return tmpdir;
}

const char *test_shared_dir(void)
{
	static char path[4096];
	const char *env = getenv("TACIT_SHARED");
	struct stat st;
	if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else
		snprintf(path, sizeof(path), "../shared");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return path;
	return NULL;
}

const char *test_write_file(const char *dir, const char *name, const void *data, size_t len)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (char *p = path + strlen(dir) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0700);
			*p = '/';
		}
	}
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
	return path;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	const char *filter = argc > 1 ? argv[1] : NULL;

	/* Tests must never touch the user's real tacit data, and each case gets a home of
	 * its own, so no case depends on what another left behind (settings, sessions). */
	char run[4096], home[4200];
	snprintf(run, sizeof(run), "%s", test_tmpdir());
	tmpdir[0] = '\0';

	int n = 0;
	for (struct test_case *tc = head; tc; tc = tc->next) {
		if (filter && !strstr(tc->name, filter))
			continue;
		snprintf(home, sizeof(home), "%s/home-%d", run, n++);
		mkdir(home, 0700);
		setenv("TACIT_HOME", home, 1);
		case_failures = 0;
		case_skip = NULL;
		tmpdir[0] = '\0';
		tc->fn();
		if (tmpdir[0])
			nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		nftw(home, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		if (case_failures) {
			printf("FAIL %s (%s)\n", tc->name, tc->file);
			failed++;
		} else if (case_skip) {
			printf("skip %s: %s\n", tc->name, case_skip);
			skipped++;
		} else {
			printf("ok   %s\n", tc->name);
			passed++;
		}
		fflush(stdout);
	}
	rmdir(run);
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
