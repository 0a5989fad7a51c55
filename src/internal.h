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
 * `return tacit_fail(TACIT_ERR_IO, "cannot open '%s': %s", path, strerror(errno));` */
enum tacit_status tacit_fail(enum tacit_status status, const char *fmt, ...) TACIT_PRINTF(2, 3);

/* Clears the calling thread's error message. */
void tacit_clear_error(void);

/* Logs one line through the installed sink; the level is checked before formatting. */
void tacit_log(enum tacit_log_level level, const char *fmt, ...) TACIT_PRINTF(2, 3);
bool tacit_log_enabled(enum tacit_log_level level);

/* Reads a whole small file (at most max bytes) into buf; returns false when it cannot
 * be opened or read. Used for /proc and /sys files. */
bool read_small_file(const char *path, struct buf *out, size_t max);

#endif
