/*
 * main.c — runs every registered TEST (or those whose name contains one of the
 * arguments), each with a fresh temp dir and home, and ends with the line "N passed,
 * N failed, N skipped". A first argument --fast leaves out the TEST_MODEL cases.
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

bool test_synth_model(const char *file, const char *args, char *out)
{
	char rel[4096], cmd[9000];
	const char *build = getenv("BUILD") && *getenv("BUILD") ? getenv("BUILD") : "build";
	snprintf(rel, sizeof(rel), "%s/models/%s", build, file);
	if (access(rel, R_OK) != 0) {
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p %s/models && %s/tools/synth-model %s --out %s.tmp.%d --quiet >/dev/null 2>&1 && "
			 "mv %s.tmp.%d %s",
			 build, build, args, rel, (int)getpid(), rel, (int)getpid(), rel);
		if (system(cmd) != 0)
			return false;
	}
	return realpath(rel, out) != NULL;
}

/* A WAV header and n_bytes of silence: format tag, channels, rate, 16-bit samples. */
size_t test_wav_bytes(uint8_t *b, uint16_t tag, uint16_t channels, uint32_t rate, uint32_t n_bytes)
{
	uint32_t v[] = { 36 + n_bytes, 16, rate, rate * channels * 2, n_bytes };
	memcpy(b, "RIFF", 4), memcpy(b + 4, &v[0], 4), memcpy(b + 8, "WAVEfmt ", 8), memcpy(b + 16, &v[1], 4);
	uint16_t h[] = { tag, channels };
	memcpy(b + 20, h, 4), memcpy(b + 24, &v[2], 4), memcpy(b + 28, &v[3], 4);
	uint16_t h2[] = { (uint16_t)(channels * 2), 16 };
	memcpy(b + 32, h2, 4), memcpy(b + 36, "data", 4), memcpy(b + 40, &v[4], 4);
	memset(b + 44, 0, n_bytes);
	return 44 + n_bytes;
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

static bool matches(const char *name, char **filters, int n_filters)
{
	for (int i = 0; i < n_filters; i++)
		if (strstr(name, filters[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0, left_out = 0;
	bool fast = argc > 1 && strcmp(argv[1], "--fast") == 0;
	char **filters = argv + 1 + fast;
	int n_filters = argc - 1 - fast;

	/* Tests must never touch the user's real tacit data, and each case gets a home of
	 * its own, so no case depends on what another left behind (settings, sessions). */
	char run[4096], home[4200];
	snprintf(run, sizeof(run), "%s", test_tmpdir());
	tmpdir[0] = '\0';

	int n = 0;
	for (struct test_case *tc = head; tc; tc = tc->next) {
		if (n_filters && !matches(tc->name, filters, n_filters))
			continue;
		if (fast && tc->model) {
			left_out++;
			continue;
		}
		/* an untagged case must not start a model worker: there it cannot */
		if (fast)
			setenv("TACIT_WORKER", "/nonexistent/tacit-worker (unit-tests --fast: tag the case TEST_MODEL)", 1);
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
	if (left_out)
		printf("fast: %d cases that load a model left out\n", left_out);
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
