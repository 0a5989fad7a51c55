/*
 * preflight.c — what a command checks before it starts work, in the order a user fixes
 * things: the input file first (a typo in its name is likelier than a missing model),
 * then the models it needs, resolved together so that a user who lacks several hears of
 * all of them in one message, each with the flag of the command at hand.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_input_check(const char *path)
{
	struct stat sb;
	if (!strcmp(path, "-"))
		return 0;
	if (stat(path, &sb) != 0) {
		int err = errno;
		fprintf(stderr, "tacit: cannot open '%s': %s\n", path, strerror(err));
		return tacit_status_exit_code(err == ENOENT || err == ENOTDIR ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO);
	}
	if (S_ISDIR(sb.st_mode)) { /* a usage error, as the library says of one */
		fprintf(stderr, "tacit: '%s' is a directory, not a recording or a transcript\n", path);
		return EXIT_USAGE;
	}
	return 0;
}

int cli_models_resolve(const char *cmd, struct cli_model *m, size_t n)
{
	char lines[4][512];
	enum tacit_status first = TACIT_OK;
	size_t n_missing = 0;

	for (size_t i = 0; i < n; i++) {
		m[i].path = NULL;
		enum tacit_status st = tacit_model_resolve(m[i].kind, m[i].name, &m[i].path);
		if (st == TACIT_OK)
			continue;
		if (first == TACIT_OK)
			first = st;
		if (n_missing < sizeof(lines) / sizeof(lines[0])) {
			const char *msg = tacit_errmsg();
			/* nothing named and nothing found: the flag is the other remedy */
			bool hint = !m[i].name && st == TACIT_ERR_NOT_FOUND;
			snprintf(lines[n_missing], sizeof(lines[0]), "%s%s%s%s%s", msg && *msg ? msg : tacit_status_str(st),
				 hint ? ", or pass " : "", hint ? m[i].flag : "", hint ? " FILE" : "",
				 m[i].extra && hint ? m[i].extra : "");
			n_missing++;
		}
	}
	if (first == TACIT_OK)
		return 0;
	if (n_missing == 1) {
		fprintf(stderr, "tacit: %s\n", lines[0]);
	} else {
		fprintf(stderr, "tacit %s: %zu models are missing:\n", cmd, n_missing);
		for (size_t i = 0; i < n_missing; i++)
			fprintf(stderr, "  %s\n", lines[i]);
	}
	for (size_t i = 0; i < n; i++) {
		tacit_free(m[i].path);
		m[i].path = NULL;
	}
	return tacit_status_exit_code(first);
}
