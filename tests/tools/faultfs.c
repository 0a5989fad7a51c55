/*
 * faultfs.c — an LD_PRELOAD shim for tests that makes the disk fail the way power cuts
 * and full disks do, on the files whose path contains TACIT_FAULT_PATH (all files when
 * unset): write/pwrite fail with ENOSPC once TACIT_FAULT_ENOSPC_AFTER bytes went to
 * such files; fsync/fdatasync fail with EIO from the TACIT_FAULT_FSYNC_FAIL_AFTER-th call
 * on; TACIT_FAULT_SHORT_WRITES=1 makes every write write at most half of what it was
 * given. Test-only: never linked into tacit.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

static const char *match;
static long long enospc_after = -1, fsync_fail_after = -1;
static int short_writes;
static _Atomic long long written, n_syncs;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static long long env_ll(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? atoll(v) : -1;
}

static void init(void)
{
	real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	real_pwrite = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
	real_pwrite64 = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
	real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	match = getenv("TACIT_FAULT_PATH");
	enospc_after = env_ll("TACIT_FAULT_ENOSPC_AFTER");
	fsync_fail_after = env_ll("TACIT_FAULT_FSYNC_FAIL_AFTER");
	short_writes = env_ll("TACIT_FAULT_SHORT_WRITES") > 0;
}

/* Whether fd is a regular file whose path contains TACIT_FAULT_PATH. */
static int faulty(int fd)
{
	char link[64], path[PATH_MAX];
	pthread_once(&once, init);
	if (fd <= 2)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0 || path[0] != '/')
		return 0;
	path[n] = 0;
	return !match || !*match || strstr(path, match) != NULL;
}

/* How much of len a write may write now; -1 with errno set when it must fail. */
static ssize_t allow(int fd, size_t len)
{
	if (!faulty(fd))
		return (ssize_t)len;
	if (enospc_after >= 0) {
		long long done = atomic_load(&written);
		if (done >= enospc_after) {
			errno = ENOSPC;
			return -1;
		}
		if ((long long)len > enospc_after - done)
			len = (size_t)(enospc_after - done);
	}
	if (short_writes && len > 1)
		len /= 2;
	return (ssize_t)len;
}

/* Counts what a write to a faulty file really wrote (the draft counted what it was
 * allowed, so a write the kernel shortened brought ENOSPC early). */
static ssize_t count(int fd, ssize_t n)
{
	if (n > 0 && faulty(fd))
		atomic_fetch_add(&written, (long long)n);
	return n;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	ssize_t n = allow(fd, len);
	return n < 0 ? -1 : count(fd, real_write(fd, buf, (size_t)n));
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n = allow(fd, len);
	return n < 0 ? -1 : count(fd, real_pwrite(fd, buf, (size_t)n, off));
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n = allow(fd, len);
	return n < 0 ? -1 : count(fd, real_pwrite64(fd, buf, (size_t)n, off));
}

static int sync_fails(int fd)
{
	if (!faulty(fd) || fsync_fail_after < 0)
		return 0;
	if (atomic_fetch_add(&n_syncs, 1) + 1 < fsync_fail_after)
		return 0;
	errno = EIO;
	return 1;
}

int fsync(int fd)
{
	return sync_fails(fd) ? -1 : real_fsync(fd);
}

int fdatasync(int fd)
{
	return sync_fails(fd) ? -1 : real_fdatasync(fd);
}
