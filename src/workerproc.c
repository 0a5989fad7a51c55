/*
 * workerproc.c — a supervised tacit-worker: posix_spawn with default signal handling and
 * a process group of its own, frames over its stdin/stdout, stderr lines to the log at
 * debug level (the last one kept: it often says why the worker died), and a reap that
 * never waits longer than the grace period before SIGKILL.
 */
#include "internal.h"

#include "basics.h"
#include "llm_client.h"
#include "workerproc.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <yyjson.h>

/* the Makefile passes its LIBEXECDIR, so an installed build looks where it was installed */
#ifndef TACIT_LIBEXECDIR
#define TACIT_LIBEXECDIR "/usr/local/libexec/tacit"
#endif

extern char **environ;

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void workerproc_init(struct workerproc *w, const char *what, const char *engine)
{
	memset(w, 0, sizeof(*w));
	w->what = what;
	w->engine = engine;
	w->pid = -1;
	w->to_fd = w->from_fd = w->err_fd = -1;
	proto_reader_init(&w->rd);
	buf_init(&w->err_partial);
	pthread_mutex_init(&w->sig_mu, NULL);
	w->sig_pid = -1;
}

/* Under sig_mu. */
static void set_paused(struct workerproc *w, bool pause)
{
	if (w->sig_pid > 0 && pause != w->paused && kill(w->sig_pid, pause ? SIGSTOP : SIGCONT) == 0)
		w->paused = pause;
	if (w->sig_pid <= 0)
		w->paused = false;
}

void workerproc_pause(struct workerproc *w, bool pause)
{
	pthread_mutex_lock(&w->sig_mu);
	set_paused(w, pause && !w->hold_off);
	pthread_mutex_unlock(&w->sig_mu);
}

void workerproc_hold_off(struct workerproc *w, bool on)
{
	pthread_mutex_lock(&w->sig_mu);
	w->hold_off = on;
	if (on)
		set_paused(w, false);
	pthread_mutex_unlock(&w->sig_mu);
}

bool worker_find(struct buf *out)
{
	const char *env = getenv("TACIT_WORKER");
	if (env && *env)
		return buf_adds(out, env);
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			slash[1] = '\0';
			buf_reset(out);
			buf_addf(out, "%stacit-worker", self);
			if (access(out->data, X_OK) == 0)
				return true;
		}
	}
	buf_reset(out);
	return buf_adds(out, TACIT_LIBEXECDIR "/tacit-worker");
}

static void describe_exit(int status, const char *engine, char *out, size_t n)
{
	if (WIFEXITED(status)) {
		snprintf(out, n, "exited with status %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		if (sig == SIGSEGV)
			snprintf(out, n, "was killed by signal %d (a crash in %s)", sig, engine);
		else if (sig == SIGABRT)
			snprintf(out, n, "was killed by signal %d (a GGML_ASSERT or C++ exception in %s)", sig, engine);
		else
			snprintf(out, n, "was killed by signal %d%s", sig,
				 sig == SIGKILL	  ? " (out of memory?)"
				 : sig == SIGBUS ? " (the model file changed or the disk failed?)"
						 : "");
	} else {
		snprintf(out, n, "ended");
	}
}

static void reap(struct workerproc *w, bool kill_now, char *why, size_t n)
{
	int status = 0;
	pid_t r = 0;
	if (why)
		snprintf(why, n, "ended");
	if (w->pid <= 0)
		return;
	/* a paused worker would not see the EOF; after the wait its pid may be reused */
	pthread_mutex_lock(&w->sig_mu);
	set_paused(w, false);
	w->sig_pid = -1;
	pthread_mutex_unlock(&w->sig_mu);
	close_fd(&w->to_fd);
	if (kill_now)
		kill(w->pid, SIGKILL);
	double deadline = clock_now_ms() + WORKER_GRACE_MS;
	while ((r = waitpid(w->pid, &status, WNOHANG)) == 0 && clock_now_ms() < deadline) {
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (r == 0) {
		kill(w->pid, SIGKILL);
		r = waitpid(w->pid, &status, 0);
	}
	if (why && r == w->pid)
		describe_exit(status, w->engine, why, n);
	close_fd(&w->from_fd);
	close_fd(&w->err_fd);
	proto_reader_release(&w->rd);
	proto_reader_init(&w->rd);
	buf_reset(&w->err_partial);
	w->pid = -1;
}

void workerproc_release(struct workerproc *w)
{
	reap(w, false, NULL, 0); /* EOF on its stdin tells the worker to finish */
	proto_reader_release(&w->rd);
	buf_release(&w->err_partial);
	pthread_mutex_destroy(&w->sig_mu);
}

void workerproc_stop(struct workerproc *w, bool kill_now)
{
	reap(w, kill_now, NULL, 0);
}

enum tacit_status workerproc_died(struct workerproc *w, bool kill_now)
{
	char why[128];
	reap(w, kill_now, why, sizeof(why));
	return tacit_fail(TACIT_ERR_WORKER, "the %s %s%s%s%s; the next request restarts it", w->what, why,
			  w->last_err[0] ? " ('" : "", w->last_err, w->last_err[0] ? "')" : "");
}

/* The status and message of an ERROR frame. */
static enum tacit_status error_of(const struct workerproc *w, const char *payload, size_t len)
{
	yyjson_doc *doc = yyjson_read(payload, len, 0);
	yyjson_val *root = yyjson_doc_get_root(doc);
	yyjson_val *sv = yyjson_obj_get(root, "status");
	int code = yyjson_is_int(sv) ? (int)yyjson_get_sint(sv) : TACIT_ERR_INTERNAL;
	if (code <= TACIT_OK || code > TACIT_ERR_INTERNAL)
		code = TACIT_ERR_INTERNAL;
	const char *msg = yyjson_get_str(yyjson_obj_get(root, "message"));
	enum tacit_status st = msg && *msg ? tacit_fail((enum tacit_status)code, "%s", msg)
					   : tacit_fail((enum tacit_status)code, "the %s failed", w->what);
	yyjson_doc_free(doc);
	return st;
}

enum tacit_status workerproc_await(struct workerproc *w, unsigned want, int timeout_ms, const char **payload,
				   size_t *len)
{
	for (;;) {
		unsigned type;
		int got = workerproc_wait(w, timeout_ms, &type, payload, len);
		if (got <= 0) {
			enum tacit_status st = workerproc_died(w, got == 0);
			if (got == 0)
				tacit_fail(st, "the %s did not answer within %d ms and was killed", w->what, timeout_ms);
			return st;
		}
		if (type == want)
			return TACIT_OK;
		if (type == PROTO_ERROR)
			return error_of(w, *payload, *len);
	}
}

static void drain_stderr(struct workerproc *w)
{
	char chunk[4096];
	ssize_t n = read(w->err_fd, chunk, sizeof(chunk));
	if (n <= 0) {
		if (n == 0 || errno != EINTR)
			close_fd(&w->err_fd);
		return;
	}
	buf_add(&w->err_partial, chunk, (size_t)n);
	char *start = w->err_partial.data, *nl;
	while ((nl = memchr(start, '\n', w->err_partial.len - (size_t)(start - w->err_partial.data)))) {
		*nl = '\0';
		if (*start) {
			tacit_log(TACIT_LOG_DEBUG, "worker: %s", start);
			snprintf(w->last_err, sizeof(w->last_err), "%s", start);
		}
		start = nl + 1;
	}
	size_t rest = w->err_partial.len - (size_t)(start - w->err_partial.data);
	memmove(w->err_partial.data, start, rest);
	w->err_partial.len = rest;
	w->err_partial.data[rest] = '\0';
	if (rest > 4096)
		buf_reset(&w->err_partial);
}

int workerproc_wait(struct workerproc *w, int timeout_ms, unsigned *type, const char **payload, size_t *len)
{
	if (w->pid <= 0)
		return -1;
	for (;;) {
		int got = proto_reader_next(&w->rd, type, payload, len);
		if (got != 0)
			return got;
		struct pollfd fds[2] = { { w->from_fd, POLLIN, 0 }, { w->err_fd, POLLIN, 0 } };
		int r = poll(fds, w->err_fd >= 0 ? 2 : 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -1 : 0;
		if (w->err_fd >= 0 && fds[1].revents)
			drain_stderr(w);
		if (fds[0].revents) {
			char chunk[65536];
			ssize_t n = read(w->from_fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				while (w->err_fd >= 0) /* its last words, e.g. the GGML_ASSERT */
					drain_stderr(w);
				return -1;
			}
			if (!proto_reader_feed(&w->rd, chunk, (size_t)n))
				return -1;
		}
	}
}

bool workerproc_send(struct workerproc *w, enum proto_type type, const void *payload, size_t len)
{
	return w->pid > 0 && proto_send(w->to_fd, type, payload, len);
}

bool workerproc_send_parts(struct workerproc *w, enum proto_type type, const void *head, size_t head_len,
			   const void *data, size_t data_len)
{
	return w->pid > 0 && proto_send_parts(w->to_fd, type, head, head_len, data, data_len);
}

/* The protocol version a READY announces (1: none, as before versions existed). */
static int ready_version(const char *payload, size_t len)
{
	yyjson_doc *doc = yyjson_read(payload, len, 0);
	yyjson_val *v = yyjson_obj_get(yyjson_doc_get_root(doc), "proto");
	int version = yyjson_is_int(v) ? (int)yyjson_get_sint(v) : 1;
	yyjson_doc_free(doc);
	return version;
}

enum tacit_status workerproc_spawn(struct workerproc *w)
{
	enum tacit_status st = TACIT_OK;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct buf path;
	bool fa_ok = false, attr_ok = false;

	buf_init(&path);
	w->last_err[0] = '\0';
	if (!worker_find(&path)) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		st = tacit_fail_errno(TACIT_ERR_WORKER, "cannot create pipes for the %s", w->what);
		goto out;
	}
	fa_ok = posix_spawn_file_actions_init(&fa) == 0;
	attr_ok = posix_spawnattr_init(&attr) == 0;
	if (!fa_ok || !attr_ok) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory starting the %s", w->what);
		goto out;
	}
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	/* default signals and an empty mask whatever the host app uses, and a process group
	 * of its own so the terminal's Ctrl-C reaches the caller, which cancels */
	sigset_t none, defaults;
	sigemptyset(&none);
	sigfillset(&defaults);
	sigdelset(&defaults, SIGKILL);
	sigdelset(&defaults, SIGSTOP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	char *argv[] = { (char *)"tacit-worker", NULL };
	int rc = posix_spawn(&w->pid, path.data, &fa, &attr, argv, environ);
	if (rc != 0) {
		w->pid = -1;
		st = tacit_fail(TACIT_ERR_WORKER, "cannot start the %s '%s': %s (set TACIT_WORKER to its path)",
				w->what, path.data, strerror(rc));
		goto out;
	}
	w->to_fd = in[1];
	w->from_fd = out[0];
	w->err_fd = err[0];
	in[1] = out[0] = err[0] = -1;

	unsigned type;
	const char *payload;
	size_t len;
	int got = workerproc_wait(w, 30000, &type, &payload, &len);
	if (got <= 0 || type != PROTO_READY) {
		st = workerproc_died(w, got == 0);
		goto out;
	}
	int version = ready_version(payload, len);
	if (version != PROTO_VERSION) {
		workerproc_stop(w, true);
		st = tacit_fail(TACIT_ERR_WORKER,
				"the %s '%s' speaks protocol %d, this library %d (reinstall tacit so both come from "
				"the same build)",
				w->what, path.data, version, PROTO_VERSION);
		goto out;
	}
	tacit_log(TACIT_LOG_DEBUG, "%s %s started as pid %ld", w->what, path.data, (long)w->pid);
	pthread_mutex_lock(&w->sig_mu);
	w->sig_pid = w->pid;
	w->paused = false;
	pthread_mutex_unlock(&w->sig_mu);
out:
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
		close_fd(&err[i]);
	}
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (attr_ok)
		posix_spawnattr_destroy(&attr);
	buf_release(&path);
	return st;
}
