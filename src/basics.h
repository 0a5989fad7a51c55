/*
 * basics.h — small things many modules need, written once: the monotonic clock, cancel
 * flags read and written atomically (the public API keeps `volatile int *` for its ABI, so
 * every access goes through these two helpers), and the directory fsync that makes a
 * rename durable. The error-message helpers sit with tacit_fail() in internal.h.
 */
#ifndef TACIT_BASICS_H
#define TACIT_BASICS_H

#include <tacit.h>

#include <time.h>

/* Monotonic time (CLOCK_MONOTONIC): for intervals and deadlines, never for dates. */
double clock_now_ms(void);
double clock_now_s(void);
/* CPU seconds the calling thread has used (CLOCK_THREAD_CPUTIME_ID), 0 when unknown. */
double clock_thread_cpu_s(void);
/* CLOCK_REALTIME ms (>= 0) from now, for pthread_cond_timedwait(). */
void clock_realtime_in(int ms, struct timespec *out);

/* True when flag is set; a NULL flag is never set. An atomic load: the flag is written by
 * another thread or a signal handler. */
bool cancel_requested(const volatile int *flag);

/* Sets flag (atomic store); work reading it through cancel_requested() stops. */
void cancel_request(volatile int *flag);

/* Clears flag (atomic store) before it is handed to new work. */
void cancel_clear(volatile int *flag);

/* Makes the entries of directory path (a rename, a new file) durable. Policy: a file
 * system that cannot sync a directory (EINVAL) counts as done; otherwise a directory
 * that cannot be opened or synced fails with TACIT_ERR_IO and "cannot flush directory
 * '<path>': <strerror>". A caller for which durability is best effort logs the message
 * and goes on; none ignores it silently. */
enum tacit_status fsync_dir(const char *path);

#endif
