/*
 * version.c — versions of tacit and of the libraries it runs on, read from the libraries
 * at run time (not from headers), so `tacit --version` tells what is really loaded.
 */
#include "internal.h"

#include "store.h"

#include <pthread.h>

#include <ggml.h>
#include <llama.h>
#include <whisper.h>

static char ggml[96];
static pthread_once_t ggml_once = PTHREAD_ONCE_INIT;

static void ggml_version_init(void)
{
	const char *commit = ggml_commit();
	if (commit && *commit && strcmp(commit, "unknown") != 0)
		snprintf(ggml, sizeof(ggml), "%s (%s)", ggml_version(), commit);
	else
		snprintf(ggml, sizeof(ggml), "%s", ggml_version());
}

int tacit_version_number(void)
{
	return TACIT_VERSION_NUMBER;
}

struct tacit_versions tacit_versions(void)
{
	pthread_once(&ggml_once, ggml_version_init);
	struct tacit_versions v = {
		.tacit = TACIT_VERSION,
		.llama = llama_version(),
		.whisper = whisper_version(),
		.ggml = ggml,
		.sqlite = store_sqlite_version(),
	};
	return v;
}
