/*
 * live_remote.c — questions to a live meeting from another process. The meeting listens on
 * a Unix-domain socket <store dir>/live/<store name>-<id>.sock (directory 0700, socket
 * 0600, peers of another user refused); a client sends one ASK frame and reads TOKEN
 * frames as the answer is written, WAIT frames at least once a second while it waits,
 * and one ANSWER or ERROR frame last (frames as in proto.h). Only AF_UNIX: nothing here
 * can reach the network. A path too long for sun_path goes through /proc/self/fd/N.
 */
#include "internal.h"

#include "basics.h"
#include "live_remote.h"
#include "proto.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <yyjson.h>

#define ASK_DEADLINE_MS 5000 /* a connection must send its question within this */
#define SEND_TIMEOUT_S 5     /* a client that stops reading is dropped after this */

static int silence_ms = 15000;

void live_remote_set_silence_ms(int ms)
{
	silence_ms = ms > 0 ? ms : 15000;
}

/* ---- where the socket lives ---------------------------------------------------------- */

enum tacit_status live_socket_place(const char *store_path, int64_t id, struct buf *dir, struct buf *name)
{
	struct buf base;
	char *data = NULL, *abs = NULL;
	const char *stem = "tacit";
	size_t stem_len = 5;
	buf_init(&base);
	if (!store_path) {
		enum tacit_status st = tacit_dir_path(TACIT_DIR_DATA, &data);
		if (st != TACIT_OK)
			return st;
		buf_adds(&base, data);
	} else if (!*store_path || !strcmp(store_path, ":memory:")) {
		return tacit_fail(TACIT_ERR_USAGE, "a meeting in a store without a file takes no questions from other "
						   "processes");
	} else {
		const char *slash = strrchr(store_path, '/');
		const char *file = slash ? slash + 1 : store_path;
		if (!slash)
			buf_adds(&base, ".");
		else
			buf_add(&base, store_path, slash == store_path ? 1 : (size_t)(slash - store_path));
		const char *dot = strrchr(file, '.');
		stem = file;
		stem_len = dot && dot > file ? (size_t)(dot - file) : strlen(file);
		if (stem_len > 64)
			stem_len = 64;
	}
	abs = realpath(base.data, NULL);
	buf_addf(dir, "%s/live", abs ? abs : base.data);
	buf_addf(name, "%.*s-%lld.sock", (int)stem_len, stem, (long long)id);
	free(abs);
	free(data);
	bool failed = base.failed || dir->failed || name->failed;
	buf_release(&base);
	return failed ? tacit_fail(TACIT_ERR_NOMEM, "out of memory") : TACIT_OK;
}

/* sa names dir/name: directly when it fits sun_path (108 bytes), else through the open
 * directory dirfd as /proc/self/fd/N/name. False when neither fits. */
static bool make_addr(const char *dir, int dirfd, const char *name, struct sockaddr_un *sa, socklen_t *len)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	int n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(sa->sun_path))
		n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", dirfd, name);
	if (n < 0 || (size_t)n >= sizeof(sa->sun_path))
		return false;
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
	return true;
}

/* ---- the listening side --------------------------------------------------------------- */

struct conn {
	struct live_listener *ls;
	int fd;
	pthread_t thread;
	bool used;
	bool finished; /* under ls->mu: the thread is about to return; join it */
};

struct live_listener {
	char *dir, *name, *path;
	int fd, dirfd;
	dev_t dev;
	ino_t ino;
	live_question_fn fn;
	void *user;
	pthread_t thread;
	bool started;
	int closing; /* atomic */
	pthread_mutex_t mu;
	struct conn conns[LIVE_REMOTE_CONNS];
};

struct live_reply {
	struct live_listener *ls;
	int fd;
	double last_sent;
	bool gone;
};

static bool closing(const struct live_listener *ls)
{
	return __atomic_load_n(&ls->closing, __ATOMIC_ACQUIRE) != 0;
}

static bool reply_send(struct live_reply *r, enum proto_type type, const void *payload, size_t len)
{
	if (r->gone)
		return false;
	if (!proto_send(r->fd, type, payload, len)) {
		r->gone = true;
		return false;
	}
	r->last_sent = clock_now_s();
	return true;
}

bool live_reply_text(struct live_reply *r, const char *text, size_t len)
{
	return reply_send(r, PROTO_TOKEN, text, len);
}

bool live_reply_answer(struct live_reply *r, const char *json)
{
	return reply_send(r, PROTO_ANSWER, json, strlen(json));
}

void live_reply_error(struct live_reply *r, enum tacit_status st, const char *msg)
{
	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = d ? yyjson_mut_obj(d) : NULL;
	char *json = NULL;
	size_t len = 0;
	if (o) {
		yyjson_mut_doc_set_root(d, o);
		yyjson_mut_obj_add_int(d, o, "status", (int)st);
		yyjson_mut_obj_add_strcpy(d, o, "message", msg && *msg ? msg : tacit_status_str(st));
		json = yyjson_mut_write(d, 0, &len);
	}
	if (json)
		reply_send(r, PROTO_ERROR, json, len);
	free(json);
	yyjson_mut_doc_free(d);
}

bool live_reply_alive(struct live_reply *r, const char *state)
{
	if (r->gone || closing(r->ls))
		return false;
	struct pollfd p = { r->fd, POLLIN | POLLRDHUP, 0 };
	if (poll(&p, 1, 0) > 0) {
		char scratch[256];
		ssize_t n = p.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)
				    ? recv(r->fd, scratch, sizeof(scratch), MSG_DONTWAIT)
				    : 1;
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || (p.revents & (POLLHUP | POLLERR))) {
			r->gone = true; /* the client closed: nobody reads the answer any more */
			return false;
		}
		/* anything more a client sends after its question is ignored */
	}
	if (clock_now_s() - r->last_sent >= 1.0) {
		char json[96];
		int n = snprintf(json, sizeof(json), "{\"state\":\"%s\"}", state ? state : "working");
		return reply_send(r, PROTO_WAIT, json, (size_t)n);
	}
	return true;
}

/* Reads the one ASK frame and hands its question over. */
static void serve_conn(struct conn *c)
{
	struct live_listener *ls = c->ls;
	struct live_reply r = { ls, c->fd, clock_now_s(), false };
	struct proto_reader rd;
	double deadline = clock_now_s() + ASK_DEADLINE_MS / 1000.0;
	char in[4096];
	proto_reader_init(&rd);
	rd.in.cap = 4 * LIVE_QUESTION_MAX + 1024; /* a question, JSON-escaped */
	while (!closing(ls)) {
		struct pollfd p = { c->fd, POLLIN, 0 };
		if (poll(&p, 1, 200) <= 0) {
			if (clock_now_s() > deadline) {
				live_reply_error(&r, TACIT_ERR_USAGE, "no question came within 5 s");
				break;
			}
			continue;
		}
		ssize_t n = read(c->fd, in, sizeof(in));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		unsigned type = 0;
		const char *payload = NULL;
		size_t len = 0;
		int got = proto_reader_feed(&rd, in, (size_t)n) ? proto_reader_next(&rd, &type, &payload, &len) : -1;
		if (got == 0)
			continue;
		yyjson_doc *doc = got > 0 && type == PROTO_ASK ? yyjson_read(payload, len, 0) : NULL;
		yyjson_val *q = yyjson_obj_get(yyjson_doc_get_root(doc), "question");
		const char *question = yyjson_get_str(q);
		if (!question || !*question || yyjson_get_len(q) > LIVE_QUESTION_MAX ||
		    strlen(question) != yyjson_get_len(q))
			live_reply_error(&r, TACIT_ERR_USAGE,
					 got < 0 || type != PROTO_ASK
						 ? "not a question: expected one ASK frame"
						 : "a question is {\"question\": text of 1 to 4000 bytes without NUL}");
		else
			ls->fn(question, &r, ls->user);
		yyjson_doc_free(doc);
		break;
	}
	proto_reader_release(&rd);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	serve_conn(c);
	close(c->fd);
	pthread_mutex_lock(&c->ls->mu);
	c->finished = true;
	pthread_mutex_unlock(&c->ls->mu);
	return NULL;
}

/* Joins finished connection threads; with all, waits for every one. */
static void reap_conns(struct live_listener *ls, bool all)
{
	for (size_t i = 0; i < LIVE_REMOTE_CONNS; i++) {
		struct conn *c = &ls->conns[i];
		pthread_mutex_lock(&ls->mu);
		bool join = c->used && (c->finished || all);
		pthread_mutex_unlock(&ls->mu);
		if (!join)
			continue;
		pthread_join(c->thread, NULL);
		c->used = false;
		c->finished = false;
	}
}

static void refuse(int fd, const char *msg)
{
	struct live_reply r = { NULL, fd, 0, false };
	live_reply_error(&r, TACIT_ERR_USAGE, msg);
	close(fd);
}

static void *accept_main(void *arg)
{
	struct live_listener *ls = arg;
	while (!closing(ls)) {
		struct pollfd p = { ls->fd, POLLIN, 0 };
		reap_conns(ls, false);
		if (poll(&p, 1, 200) <= 0)
			continue;
		int fd = accept4(ls->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
				poll(NULL, 0, 100); /* out of descriptors: do not spin */
			continue;
		}
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.uid != geteuid()) {
			close(fd); /* the directory is private; this is defence in depth */
			continue;
		}
		struct timeval tv = { SEND_TIMEOUT_S, 0 };
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		struct conn *c = NULL;
		for (size_t i = 0; i < LIVE_REMOTE_CONNS && !c; i++)
			if (!ls->conns[i].used)
				c = &ls->conns[i];
		if (!c) {
			refuse(fd, "too many questions at once: ask again when one is answered");
			continue;
		}
		*c = (struct conn){ .ls = ls, .fd = fd, .used = true };
		if (pthread_create(&c->thread, NULL, conn_main, c) != 0) {
			c->used = false;
			refuse(fd, "cannot start a thread for the question");
		}
	}
	return NULL;
}

const char *live_listen_path(const struct live_listener *ls)
{
	return ls ? ls->path : "";
}

void live_listen_close(struct live_listener *ls)
{
	if (!ls)
		return;
	__atomic_store_n(&ls->closing, 1, __ATOMIC_RELEASE);
	if (ls->started)
		pthread_join(ls->thread, NULL);
	reap_conns(ls, true);
	if (ls->fd >= 0)
		close(ls->fd);
	if (ls->dirfd >= 0) {
		/* only our own socket: never one a newer process put there */
		struct stat st;
		if (ls->ino && fstatat(ls->dirfd, ls->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == ls->dev &&
		    st.st_ino == ls->ino)
			unlinkat(ls->dirfd, ls->name, 0);
		close(ls->dirfd);
	}
	pthread_mutex_destroy(&ls->mu);
	free(ls->dir);
	free(ls->name);
	free(ls->path);
	free(ls);
}

/* Binds fd to sa; a socket file left by a process that died is replaced. */
static enum tacit_status bind_socket(struct live_listener *ls, int64_t id, const struct sockaddr_un *sa,
				     socklen_t len)
{
	if (bind(ls->fd, (const struct sockaddr *)sa, len) == 0)
		return TACIT_OK;
	if (errno != EADDRINUSE)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot listen on '%s'", ls->path);
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe < 0)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot create a socket");
	int rc = connect(probe, (const struct sockaddr *)sa, len), err = errno;
	close(probe);
	if (rc == 0)
		return tacit_fail(TACIT_ERR_USAGE, "another tacit process already answers questions for meeting %lld ('%s')",
				  (long long)id, ls->path);
	struct stat st;
	if (err != ECONNREFUSED || fstatat(ls->dirfd, ls->name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISSOCK(st.st_mode))
		return tacit_fail(TACIT_ERR_IO, "cannot listen on '%s': it exists and is not a stale socket", ls->path);
	tacit_log(TACIT_LOG_INFO, "live: replacing the stale socket '%s' of a process that ended", ls->path);
	if (unlinkat(ls->dirfd, ls->name, 0) != 0 && errno != ENOENT)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot remove the stale socket '%s'", ls->path);
	if (bind(ls->fd, (const struct sockaddr *)sa, len) != 0)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot listen on '%s'", ls->path);
	return TACIT_OK;
}

enum tacit_status live_listen_open(const char *store_path, int64_t id, live_question_fn fn, void *user,
				   struct live_listener **out)
{
	struct buf dir, name, path;
	struct live_listener *ls = NULL;
	struct sockaddr_un sa;
	socklen_t sa_len;
	struct stat st;
	enum tacit_status rc;
	*out = NULL;
	buf_init(&dir);
	buf_init(&name);
	buf_init(&path);
	if ((rc = live_socket_place(store_path, id, &dir, &name)) != TACIT_OK)
		goto fail;
	buf_addf(&path, "%s/%s", dir.data, name.data);
	if (!(ls = calloc(1, sizeof(*ls)))) {
		rc = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto fail;
	}
	ls->fd = ls->dirfd = -1;
	ls->fn = fn;
	ls->user = user;
	pthread_mutex_init(&ls->mu, NULL);
	ls->dir = buf_detach(&dir, NULL);
	ls->name = buf_detach(&name, NULL);
	ls->path = buf_detach(&path, NULL);
	if (mkdir(ls->dir, 0700) != 0 && errno != EEXIST) {
		rc = tacit_fail_errno(TACIT_ERR_IO, "cannot create '%s'", ls->dir);
		goto fail;
	}
	if ((ls->dirfd = open(ls->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		rc = tacit_fail_errno(TACIT_ERR_IO, "cannot open '%s'", ls->dir);
		goto fail;
	}
	if (fstat(ls->dirfd, &st) != 0 || st.st_uid != geteuid()) {
		rc = tacit_fail(TACIT_ERR_IO, "'%s' belongs to another user: questions from other processes are off",
				ls->dir);
		goto fail;
	}
	if ((st.st_mode & 077) && fchmod(ls->dirfd, 0700) != 0) {
		rc = tacit_fail_errno(TACIT_ERR_IO, "cannot make '%s' private", ls->dir);
		goto fail;
	}
	if (!make_addr(ls->dir, ls->dirfd, ls->name, &sa, &sa_len)) {
		rc = tacit_fail(TACIT_ERR_IO, "the socket name '%s' is too long for a Unix socket", ls->name);
		goto fail;
	}
	if ((ls->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		rc = tacit_fail_errno(TACIT_ERR_IO, "cannot create a socket");
		goto fail;
	}
	if ((rc = bind_socket(ls, id, &sa, sa_len)) != TACIT_OK)
		goto fail;
	if (fchmodat(ls->dirfd, ls->name, 0600, 0) != 0 || fstatat(ls->dirfd, ls->name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		rc = tacit_fail_errno(TACIT_ERR_IO, "cannot make '%s' private", ls->path);
		unlinkat(ls->dirfd, ls->name, 0);
		goto fail;
	}
	ls->dev = st.st_dev;
	ls->ino = st.st_ino;
	if (listen(ls->fd, 16) != 0) {
		rc = tacit_fail_errno(TACIT_ERR_IO, "cannot listen on '%s'", ls->path);
		goto fail;
	}
	if (pthread_create(&ls->thread, NULL, accept_main, ls) != 0) {
		rc = tacit_fail(TACIT_ERR_NOMEM, "cannot start the thread that takes questions");
		goto fail;
	}
	ls->started = true;
	*out = ls;
	return TACIT_OK;
fail:
	buf_release(&dir);
	buf_release(&name);
	buf_release(&path);
	{
		struct errsave e;
		errsave_push(&e);
		live_listen_close(ls);
		return errsave_pop(&e, rc);
	}
}

/* ---- the asking side ------------------------------------------------------------------- */

static enum tacit_status not_running(int64_t id)
{
	return tacit_fail(TACIT_ERR_NOT_FOUND,
			  "no live meeting '%lld' is running on this device; start one with 'tacit live' or ask after it "
			  "ends with 'tacit ask %lld'",
			  (long long)id, (long long)id);
}

/* Connects to the meeting's socket; *out_fd is blocking, with a peer of this user. */
static enum tacit_status dial(const char *store_path, int64_t id, int *out_fd)
{
	struct buf dir, name;
	struct sockaddr_un sa;
	socklen_t sa_len;
	int dirfd = -1, fd = -1;
	enum tacit_status st;
	buf_init(&dir);
	buf_init(&name);
	if ((st = live_socket_place(store_path, id, &dir, &name)) != TACIT_OK)
		goto out;
	if ((dirfd = open(dir.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		st = errno == ENOENT || errno == ENOTDIR ? not_running(id)
							 : tacit_fail_errno(TACIT_ERR_IO, "cannot open '%s'", dir.data);
		goto out;
	}
	if (!make_addr(dir.data, dirfd, name.data, &sa, &sa_len)) {
		st = tacit_fail(TACIT_ERR_IO, "the socket name '%s' is too long for a Unix socket", name.data);
		goto out;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
		st = tacit_fail_errno(TACIT_ERR_IO, "cannot create a socket");
		goto out;
	}
	/* non-blocking: a meeting whose process is stopped with a full backlog must not hang us */
	double give_up = clock_now_s() + silence_ms / 1000.0;
	while (connect(fd, (const struct sockaddr *)&sa, sa_len) != 0) {
		if (errno == ENOENT || errno == ECONNREFUSED) {
			st = not_running(id);
			goto out;
		}
		if ((errno != EAGAIN && errno != EINTR) || clock_now_s() > give_up) {
			st = tacit_fail(TACIT_ERR_IO, "cannot reach live meeting %lld ('%s/%s'): %s", (long long)id,
					dir.data, name.data, errno == EAGAIN ? "it does not take questions now" : strerror(errno));
			goto out;
		}
		poll(NULL, 0, 50);
	}
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.uid != geteuid()) {
		st = tacit_fail(TACIT_ERR_IO, "the socket of live meeting %lld belongs to another user", (long long)id);
		goto out;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	*out_fd = fd;
	fd = -1;
	st = TACIT_OK;
out:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	buf_release(&dir);
	buf_release(&name);
	return st;
}

enum tacit_status tacit_live_ask_remote(const char *store_path, int64_t session_id, const char *question,
					tacit_token_fn on_token, void *user, const volatile int *cancel,
					char **out_answer_json)
{
	struct proto_reader rd;
	enum tacit_status st = TACIT_OK;
	char *json = NULL;
	int fd = -1;
	if (out_answer_json)
		*out_answer_json = NULL;
	if (session_id <= 0)
		return tacit_fail(TACIT_ERR_USAGE, "bad meeting id %lld", (long long)session_id);
	if (!question || !*question)
		return tacit_fail(TACIT_ERR_USAGE, "no question given");
	if (strlen(question) > LIVE_QUESTION_MAX)
		return tacit_fail(TACIT_ERR_USAGE, "the question is too long (%zu bytes, at most %d)", strlen(question),
				  LIVE_QUESTION_MAX);
	if ((st = dial(store_path, session_id, &fd)) != TACIT_OK)
		return st;

	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = d ? yyjson_mut_obj(d) : NULL;
	size_t len = 0;
	if (o) {
		yyjson_mut_doc_set_root(d, o);
		yyjson_mut_obj_add_str(d, o, "question", question);
		json = yyjson_mut_write(d, 0, &len);
	}
	yyjson_mut_doc_free(d);
	if (!json) {
		close(fd);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	bool sent = proto_send(fd, PROTO_ASK, json, len);
	free(json);
	if (!sent) {
		close(fd);
		return tacit_fail(TACIT_ERR_IO, "live meeting %lld closed the connection before taking the question",
				  (long long)session_id);
	}

	proto_reader_init(&rd);
	double last = clock_now_s();
	for (;;) {
		if (cancel_requested(cancel)) {
			st = tacit_fail(TACIT_ERR_CANCELLED, "the question was cancelled");
			break;
		}
		struct pollfd p = { fd, POLLIN, 0 };
		int pr = poll(&p, 1, 100);
		if (pr < 0 && errno != EINTR) {
			st = tacit_fail_errno(TACIT_ERR_IO, "cannot wait for live meeting %lld", (long long)session_id);
			break;
		}
		if (pr <= 0) {
			if ((clock_now_s() - last) * 1000.0 > silence_ms) {
				st = tacit_fail(TACIT_ERR_IO,
						"live meeting %lld sent nothing for %d s: its process seems stuck (ask again, "
						"or with 'tacit ask %lld' after it ends)",
						(long long)session_id, (silence_ms + 999) / 1000, (long long)session_id);
				break;
			}
			continue;
		}
		char in[4096];
		ssize_t n = read(fd, in, sizeof(in));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			st = tacit_fail(TACIT_ERR_IO,
					"live meeting %lld stopped answering: its process ended before the answer was complete",
					(long long)session_id);
			break;
		}
		last = clock_now_s();
		if (!proto_reader_feed(&rd, in, (size_t)n)) {
			st = tacit_fail(TACIT_ERR_FORMAT, "live meeting %lld sent a frame too large", (long long)session_id);
			break;
		}
		unsigned type;
		const char *payload;
		int got = 0;
		bool end = false;
		while (!end && (got = proto_reader_next(&rd, &type, &payload, &len)) == 1) {
			if (type == PROTO_TOKEN) {
				if (on_token)
					on_token(payload, len, user);
				if (cancel_requested(cancel)) { /* at once, even when the rest came in the same read */
					st = tacit_fail(TACIT_ERR_CANCELLED, "the question was cancelled");
					end = true;
				}
			} else if (type == PROTO_WAIT) {
				/* still working */
			} else if (type == PROTO_ANSWER) {
				end = true;
				if (out_answer_json && !(*out_answer_json = strndup(payload, len)))
					st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			} else if (type == PROTO_ERROR) {
				yyjson_doc *ed = yyjson_read(payload, len, 0);
				yyjson_val *r = yyjson_doc_get_root(ed);
				yyjson_val *sv = yyjson_obj_get(r, "status");
				int code = yyjson_is_int(sv) ? (int)yyjson_get_sint(sv) : TACIT_ERR_INTERNAL;
				const char *msg = yyjson_get_str(yyjson_obj_get(r, "message"));
				if (code <= TACIT_OK || code > TACIT_ERR_INTERNAL)
					code = TACIT_ERR_INTERNAL;
				st = tacit_fail((enum tacit_status)code, "%s", msg && *msg ? msg : "the live meeting failed");
				yyjson_doc_free(ed);
				end = true;
			} else {
				st = tacit_fail(TACIT_ERR_FORMAT, "live meeting %lld sent an unexpected frame (type %u)",
						(long long)session_id, type);
				end = true;
			}
		}
		if (!end && got < 0)
			st = tacit_fail(TACIT_ERR_FORMAT, "live meeting %lld sent a malformed frame", (long long)session_id);
		if (end || got < 0)
			break;
	}
	proto_reader_release(&rd);
	close(fd);
	return st;
}
