/*
 * status.c — the status enum's names, exit codes, and the per-thread last error message.
 * Messages live in thread-local storage so concurrent callers never see each other's.
 */
#include "internal.h"

static _Thread_local char last_error[TACIT_ERRMSG_MAX];

static const char *const status_names[] = {
	[TACIT_OK] = "ok",
	[TACIT_ERR_USAGE] = "usage error",
	[TACIT_ERR_NOMEM] = "out of memory",
	[TACIT_ERR_IO] = "i/o error",
	[TACIT_ERR_FORMAT] = "malformed input",
	[TACIT_ERR_NOT_FOUND] = "not found",
	[TACIT_ERR_UNSUPPORTED] = "unsupported",
	[TACIT_ERR_CANCELLED] = "cancelled",
	[TACIT_ERR_NO_FIT] = "does not fit",
	[TACIT_ERR_NETWORK] = "network error",
	[TACIT_ERR_DB] = "session store error",
	[TACIT_ERR_MODEL] = "model error",
	[TACIT_ERR_LLM] = "llm error",
	[TACIT_ERR_ASR] = "transcription error",
	[TACIT_ERR_WORKER] = "worker failed",
	[TACIT_ERR_CONTEXT_FULL] = "context full",
	[TACIT_ERR_INTEGRITY] = "integrity check failed",
	[TACIT_ERR_NO_SPACE] = "not enough disk space",
	[TACIT_ERR_INTERNAL] = "internal error",
};

const char *tacit_status_str(enum tacit_status status)
{
	if ((unsigned)status < ARRAY_SIZE(status_names) && status_names[status])
		return status_names[status];
	return "unknown status";
}

int tacit_status_exit_code(enum tacit_status status)
{
	if (status == TACIT_OK)
		return 0;
	if (status == TACIT_ERR_USAGE)
		return 2;
	return 10 + (int)status;
}

const char *tacit_errmsg(void)
{
	return last_error;
}

void tacit_clear_error(void)
{
	last_error[0] = '\0';
}

enum tacit_status tacit_fail(enum tacit_status status, const char *fmt, ...)
{
	/* formatted aside first: an argument may be tacit_errmsg() itself ("cannot X: %s"),
	 * and writing into the buffer it reads wrote the prefix twice and cut the rest */
	char msg[sizeof(last_error)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(last_error, msg, sizeof(msg));
	tacit_log(TACIT_LOG_DEBUG, "failure (%s): %s", tacit_status_str(status), last_error);
	return status;
}

enum tacit_status tacit_fail_errno(enum tacit_status status, const char *fmt, ...)
{
	int err = errno;
	char what[TACIT_ERRMSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return tacit_fail(status, "%s: %s", what, strerror(err));
}

void errsave_push(struct errsave *e)
{
	snprintf(e->msg, sizeof(e->msg), "%s", last_error);
}

enum tacit_status errsave_pop(const struct errsave *e, enum tacit_status status)
{
	return tacit_fail(status, "%s", e->msg);
}

void tacit_free(void *ptr)
{
	free(ptr);
}
