/* test_basics.c — the shared basics: clock, thread CPU time, cancel flags, errno messages, error save/restore, fsync_dir. */
#include "internal.h"

#include "basics.h"

#include "../check.h"

#include <time.h>

TEST(basics_clock_is_monotonic)
{
	double s0 = clock_now_s(), m0 = clock_now_ms();
	struct timespec nap = { 0, 20 * 1000000L };
	nanosleep(&nap, NULL);
	double s1 = clock_now_s(), m1 = clock_now_ms();
	CHECK(s0 > 0 && m0 > 0);
	CHECK(s1 - s0 >= 0.019);
	CHECK(m1 - m0 >= 19.0);
	CHECK(m1 - m0 < 10000.0); /* milliseconds, not microseconds */
	/* the same clock in two units */
	CHECK(m1 / 1000.0 - s1 < 0.5 && s1 - m1 / 1000.0 < 0.5);
	double prev = clock_now_ms();
	for (int i = 0; i < 10000; i++) {
		double t = clock_now_ms();
		CHECK(t >= prev);
		prev = t;
	}
}

/* The thread's CPU time grows while it computes, and not while it sleeps. */
TEST(basics_thread_cpu_time)
{
	double c0 = clock_thread_cpu_s();
	struct timespec nap = { 0, 100 * 1000000L };
	nanosleep(&nap, NULL);
	double c1 = clock_thread_cpu_s();
	CHECK(c0 > 0.0);
	CHECK(c1 - c0 < 0.05);
	volatile double x = 0.0;
	double t0 = clock_now_s();
	while (clock_now_s() - t0 < 0.1) /* 100 ms of wall time on the CPU, less when others run */
		for (int i = 0; i < 10000; i++)
			x += i * 0.5;
	double c2 = clock_thread_cpu_s();
	CHECK(x > 0.0);
	CHECK(c2 - c1 > 0.005);
	CHECK(c2 - c1 <= clock_now_s() - t0 + 0.01);
}

TEST(basics_cancel_flag)
{
	volatile int flag = 0;
	CHECK(!cancel_requested(NULL));
	CHECK(!cancel_requested(&flag));
	cancel_request(&flag);
	CHECK(cancel_requested(&flag));
	CHECK(flag == 1);
	cancel_clear(&flag);
	CHECK(!cancel_requested(&flag));
}

TEST(basics_fail_errno_appends_strerror)
{
	errno = ENOENT;
	CHECK_EQ_INT(tacit_fail_errno(TACIT_ERR_IO, "cannot open '%s'", "/x/y"), TACIT_ERR_IO);
	char want[256];
	snprintf(want, sizeof(want), "cannot open '/x/y': %s", strerror(ENOENT));
	CHECK_STR(tacit_errmsg(), want);
	/* the same text as the hand-written form it replaces */
	errno = EACCES;
	char hand[256];
	snprintf(hand, sizeof(hand), "cannot create a socket: %s", strerror(errno));
	tacit_fail_errno(TACIT_ERR_IO, "cannot create a socket");
	CHECK_STR(tacit_errmsg(), hand);
}

static enum tacit_status failing_cleanup(void)
{
	return tacit_fail(TACIT_ERR_IO, "cleanup failed too");
}

TEST(basics_errsave_keeps_message_across_cleanup)
{
	enum tacit_status st = tacit_fail(TACIT_ERR_MODEL, "cannot load model '%s'", "m.gguf");
	struct errsave e;
	errsave_push(&e);
	CHECK_EQ_INT(failing_cleanup(), TACIT_ERR_IO);
	CHECK_STR(tacit_errmsg(), "cleanup failed too");
	CHECK_EQ_INT(errsave_pop(&e, st), TACIT_ERR_MODEL);
	CHECK_STR(tacit_errmsg(), "cannot load model 'm.gguf'");
	/* a message can be wrapped in a new one while saved */
	errsave_push(&e);
	tacit_fail(st, "%s (in '%s')", e.msg, "cat.json");
	CHECK_STR(tacit_errmsg(), "cannot load model 'm.gguf' (in 'cat.json')");
}

TEST(basics_fsync_dir)
{
	CHECK_EQ_INT(fsync_dir(test_tmpdir()), TACIT_OK);
	char path[4096], want[4352];
	snprintf(path, sizeof(path), "%s/missing", test_tmpdir());
	CHECK_EQ_INT(fsync_dir(path), TACIT_ERR_IO);
	snprintf(want, sizeof(want), "cannot flush directory '%s': %s", path, strerror(ENOENT));
	CHECK_STR(tacit_errmsg(), want);
	/* a file is not a directory */
	const char *file = test_write_file(test_tmpdir(), "f", "x", 1);
	CHECK_EQ_INT(fsync_dir(file), TACIT_ERR_IO);
	CHECK(strstr(tacit_errmsg(), "cannot flush directory") != NULL);
}
