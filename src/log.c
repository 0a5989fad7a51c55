/*
 * log.c — the log sink. The level is checked before any formatting so disabled debug
 * lines cost one comparison. The sink is set once, before threads start (documented).
 */
#include "internal.h"

static tacit_log_fn log_fn;
static void *log_user;
static enum tacit_log_level log_max = TACIT_LOG_WARN;

void tacit_log_set(tacit_log_fn fn, void *user, enum tacit_log_level max_level)
{
	log_fn = fn;
	log_user = user;
	log_max = max_level;
}

bool tacit_log_enabled(enum tacit_log_level level)
{
	return log_fn && level <= log_max;
}

void tacit_log(enum tacit_log_level level, const char *fmt, ...)
{
	if (!tacit_log_enabled(level))
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	size_t n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	log_fn(level, line, log_user);
}
