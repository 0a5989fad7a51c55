/*
 * internal.h — first include of every source file in src/: the public header, the helpers every
 * module shares (failure recording, logging, growable buffers), and nothing that names
 * a dependency. Adapter modules include their dependency's header themselves.
 */
#ifndef TACIT_INTERNAL_H
#define TACIT_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <tacit.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define TACIT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TACIT_PRINTF(f, a)
#endif

/* Records the calling thread's error message and returns status, so failures read
 * `return tacit_fail(TACIT_ERR_MODEL, "cannot load model '%s': %s", path, why);` */
enum tacit_status tacit_fail(enum tacit_status status, const char *fmt, ...) TACIT_PRINTF(2, 3);

/* tacit_fail() with ": <strerror(errno)>" appended, errno taken before anything can change
 * it: `return tacit_fail_errno(TACIT_ERR_IO, "cannot open '%s'", path);` */
enum tacit_status tacit_fail_errno(enum tacit_status status, const char *fmt, ...) TACIT_PRINTF(2, 3);

/* The longest error message kept (longer ones are cut). */
#define TACIT_ERRMSG_MAX 1024

/* Keeps the calling thread's error message across cleanup that may fail and overwrite it:
 *     struct errsave e;
 *     errsave_push(&e);
 *     cleanup();
 *     return errsave_pop(&e, st);
 * e.msg may also be read in between, to wrap the message in a new one. */
struct errsave {
	char msg[TACIT_ERRMSG_MAX];
};
void errsave_push(struct errsave *e);
/* Records e's message again as the calling thread's and returns status. */
enum tacit_status errsave_pop(const struct errsave *e, enum tacit_status status);

/* Clears the calling thread's error message. */
void tacit_clear_error(void);

/* Logs one line through the installed sink; the level is checked before formatting. */
void tacit_log(enum tacit_log_level level, const char *fmt, ...) TACIT_PRINTF(2, 3);
bool tacit_log_enabled(enum tacit_log_level level);

/* Reads a whole small file (at most max bytes) into buf; returns false when it cannot
 * be opened or read. Used for /proc and /sys files. */
bool read_small_file(const char *path, struct buf *out, size_t max);

#endif
