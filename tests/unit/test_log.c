/* test_log.c — the log level is checked before the sink sees a line, lines reach it
 * without their newline, and no sink means nothing is delivered. */
#include "internal.h"

#include "../check.h"

static int log_calls;
static void count_log(enum tacit_log_level level, const char *line, void *user)
{
	(void)level;
	(void)user;
	CHECK(strchr(line, '\n') == NULL);
	log_calls++;
}

TEST(log_level_filters)
{
	log_calls = 0;
	tacit_log_set(count_log, NULL, TACIT_LOG_WARN);
	tacit_log(TACIT_LOG_ERROR, "e %d\n", 1);
	tacit_log(TACIT_LOG_WARN, "w");
	tacit_log(TACIT_LOG_INFO, "i");
	tacit_log(TACIT_LOG_DEBUG, "d");
	CHECK_EQ_INT(log_calls, 2);
	tacit_log_set(NULL, NULL, TACIT_LOG_DEBUG);
	tacit_log(TACIT_LOG_ERROR, "dropped");
	CHECK_EQ_INT(log_calls, 2);
}
