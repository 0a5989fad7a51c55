/*
 * basics.c — the clock, cancel flags and directory fsync every module shares (basics.h).
 * Cancel flags are sequentially consistent: then every hand-written access (some order a
 * flag against another, as live.c's abort does) can become a helper call unchanged; a flag
 * is read once per decode step or poll, so the cost does not show.
 */
#include "internal.h"

#include "basics.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

double clock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

double clock_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double clock_thread_cpu_s(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0.0;
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void clock_realtime_in(int ms, struct timespec *out)
{
	clock_gettime(CLOCK_REALTIME, out);
	out->tv_sec += ms / 1000;
	out->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (out->tv_nsec >= 1000000000L) {
		out->tv_sec++;
		out->tv_nsec -= 1000000000L;
	}
}

bool cancel_requested(const volatile int *flag)
{
	return flag && __atomic_load_n((const int *)flag, __ATOMIC_SEQ_CST) != 0;
}

void cancel_request(volatile int *flag)
{
	__atomic_store_n((int *)flag, 1, __ATOMIC_SEQ_CST);
}

void cancel_clear(volatile int *flag)
{
	__atomic_store_n((int *)flag, 0, __ATOMIC_SEQ_CST);
}

enum tacit_status fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot flush directory '%s'", path);
	enum tacit_status st = TACIT_OK;
	if (fsync(fd) != 0 && errno != EINVAL) /* EINVAL: this file system cannot */
		st = tacit_fail_errno(TACIT_ERR_IO, "cannot flush directory '%s'", path);
	close(fd);
	return st;
}
