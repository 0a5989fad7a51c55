/*
 * deplog.c — routes ggml, llama.cpp and whisper.cpp log lines into tacit's sink (at
 * debug level), so the libraries never write to the application's stderr by themselves.
 * Their callbacks get line fragments; fragments are joined until a newline.
 */
#include "internal.h"

#include "deplog.h"

#include <pthread.h>

#include <ggml.h>
#include <llama.h>
#include <whisper.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Thread_local char pending[1024];

static void dep_log(enum ggml_log_level level, const char *text, void *user)
{
	(void)user;
	enum tacit_log_level lv = level == GGML_LOG_LEVEL_ERROR ? TACIT_LOG_WARN : TACIT_LOG_DEBUG;
	size_t have = strlen(pending);
	snprintf(pending + have, sizeof(pending) - have, "%s", text ? text : "");
	have = strlen(pending);
	if (have && pending[have - 1] != '\n' && have < sizeof(pending) - 1)
		return; /* wait for the rest of the line */
	tacit_log(lv, "%s", pending);
	pending[0] = '\0';
}

static void install(void)
{
	ggml_log_set(dep_log, NULL);
	llama_log_set(dep_log, NULL);
	whisper_log_set(dep_log, NULL);
}

void deplog_init(void)
{
	pthread_once(&once, install);
}
