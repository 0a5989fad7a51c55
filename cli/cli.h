/*
 * cli.h — shared pieces of the `tacit` command: one function per subcommand, and the
 * helpers that turn a tacit_status into a message on stderr and an exit code.
 * The CLI includes only <tacit.h>: it is the first embedder of the library.
 */
#ifndef TACIT_CLI_H
#define TACIT_CLI_H

#include <tacit.h>

#define EXIT_USAGE 2

/* Prints "tacit: <errmsg>" (or the status name) and returns the status's exit code. */
int cli_fail(enum tacit_status st);
/* Prints "tacit CMD: <message>" and the command's usage hint; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "1.2 GiB" into buf. */
const char *cli_bytes(unsigned long long n, char *buf, unsigned len);

int cmd_system(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_rm(int argc, char **argv);

#endif
