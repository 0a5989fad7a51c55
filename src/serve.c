/*
 * serve.c — `tacit serve`'s socket side, on libmicrohttpd: loopback listeners only (we
 * bind them ourselves, so no other address is ever possible), one thread per connection,
 * bodies buffered up to api_body_limit() and refused past it, and the security headers
 * on every answer. A request must arrive in time (headers, then body): a watchdog shuts
 * slow connections down, so clients trickling bytes cannot hold every slot (all clients
 * are 127.0.0.1, so a per-address limit would lock the user out). An uploaded recording
 * (api_body_to_file()) is written to a private temporary file as it arrives, once its
 * headers passed api_admit(), so its size never becomes memory. The decisions are
 * api.c's; this file only moves bytes.
 */
#include "api.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

/* Enough threads that the slow connections one deadline lets live cannot fill them. */
#define MAX_CONNECTIONS 256
/* A request's headers must arrive within this of the connection (or the previous answer
 * on it), its body within BODY_MS of its headers: a browser sends both at once, while
 * slow-loris clients (a byte every few seconds) would hold a thread for ever. */
#define HEADER_MS 10000
#define BODY_MS 30000
/* Past its limit a body is still read (and dropped) up to this much, so the client,
 * still sending, reads our 413 instead of a reset connection. */
#define DRAIN_MAX ((size_t)8 << 20)

static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
			  "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
			  "form-action 'self'; frame-ancestors 'none'";

/* One connection the watchdog follows: its socket and when it must have sent what we
 * wait for (0: nothing, an answer is being written). */
struct link {
	int fd;
	long long deadline_ms;
	struct link *prev, *next;
};

struct tacit_server {
	struct api *api;
	struct MHD_Daemon *d[2];
	int port;
	char url[160];
	pthread_mutex_t lock; /* guards links and stop */
	pthread_cond_t wake;
	struct link *links;
	bool stop;
	bool watching; /* the watchdog thread runs */
	pthread_t watchdog;
};

/* One request: its raw target (from the URI log callback, before MHD decodes it) and
 * its body. */
struct conn {
	char *target;
	struct buf body;
	size_t limit;
	size_t dropped; /* bytes past the limit read and dropped */
	struct tacit_server *srv;
	struct link *link;
	bool started;
	bool too_large;
	bool refused;    /* api_admit() said no: the body is dropped, api_handle() answers */
	int file_fd;     /* the body's temporary file (api_body_to_file()), else -1 */
	char *file_path; /* owned until api_handle() keeps it; unlinked otherwise */
	uint64_t file_len;
	int file_errno;  /* a write failed: the rest is dropped */
};

/* An event stream being written: bytes not yet handed to MHD. */
struct out_stream {
	struct api_stream *s;
	struct buf pending;
	size_t off;
};

struct tacit_serve_params tacit_serve_default_params(void)
{
	struct tacit_serve_params p = { "localhost", 0 };
	return p;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	if (!tacit_log_enabled(TACIT_LOG_DEBUG))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	tacit_log(TACIT_LOG_DEBUG, "http: %s", line);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_deadline(struct tacit_server *srv, struct link *l, long long ms)
{
	if (!l)
		return;
	pthread_mutex_lock(&srv->lock);
	l->deadline_ms = ms ? now_ms() + ms : 0;
	pthread_mutex_unlock(&srv->lock);
}

/* Follows each connection from accept to close (MHD calls this on its thread). */
static void notify_connection(void *cls, struct MHD_Connection *con, void **socket_context,
			      enum MHD_ConnectionNotificationCode code)
{
	struct tacit_server *srv = cls;
	struct link *l = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci || !(l = calloc(1, sizeof(*l))))
			return; /* not followed: only the idle timeout applies */
		l->fd = ci->connect_fd;
		pthread_mutex_lock(&srv->lock);
		l->deadline_ms = now_ms() + HEADER_MS;
		l->next = srv->links;
		if (srv->links)
			srv->links->prev = l;
		srv->links = l;
		pthread_mutex_unlock(&srv->lock);
		*socket_context = l;
	} else if (l) { /* closed: MHD closes the socket after this returns */
		pthread_mutex_lock(&srv->lock);
		if (l->prev)
			l->prev->next = l->next;
		else
			srv->links = l->next;
		if (l->next)
			l->next->prev = l->prev;
		pthread_mutex_unlock(&srv->lock);
		free(l);
		*socket_context = NULL;
	}
}

/* Shuts down the sockets of requests that are late; their threads then see the end of
 * the stream and close them. */
static void *watchdog(void *arg)
{
	struct tacit_server *srv = arg;
	pthread_mutex_lock(&srv->lock);
	while (!srv->stop) {
		long long now = now_ms();
		for (struct link *l = srv->links; l; l = l->next) {
			if (l->deadline_ms && now > l->deadline_ms) {
				tacit_log(TACIT_LOG_DEBUG, "http: a request took too long to arrive; closing it");
				shutdown(l->fd, SHUT_RDWR);
				l->deadline_ms = 0;
			}
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L)
			ts.tv_sec++, ts.tv_nsec -= 1000000000L;
		pthread_cond_timedwait(&srv->wake, &srv->lock, &ts);
	}
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct conn *c = calloc(1, sizeof(*c));
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (!c)
		return NULL;
	buf_init(&c->body);
	c->file_fd = -1;
	c->srv = cls;
	c->link = ci ? ci->socket_context : NULL;
	c->target = strndup(uri ? uri : "", API_TARGET_MAX + 1);
	return c;
}

static void completed(void *cls, struct MHD_Connection *con, void **req_cls, enum MHD_RequestTerminationCode code)
{
	struct conn *c = *req_cls;
	(void)cls;
	(void)con;
	(void)code;
	if (!c)
		return;
	set_deadline(c->srv, c->link, HEADER_MS); /* the next request on a kept-alive connection */
	if (c->file_fd >= 0)
		close(c->file_fd);
	if (c->file_path) /* a body api_handle() did not keep, or a request cut off */
		unlink(c->file_path);
	free(c->file_path);
	buf_release(&c->body);
	free(c->target);
	free(c);
	*req_cls = NULL;
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct out_stream *o = cls;
	(void)pos;
	while (o->off >= o->pending.len) {
		buf_reset(&o->pending);
		o->off = 0;
		int rc = api_stream_read(o->s, &o->pending);
		if (rc < 0 && o->pending.len == 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (o->pending.failed)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	size_t n = o->pending.len - o->off;
	if (n > max)
		n = max;
	memcpy(buf, o->pending.data + o->off, n);
	o->off += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct out_stream *o = cls;
	api_stream_free(o->s);
	buf_release(&o->pending);
	free(o);
}

static enum MHD_Result send_response(struct MHD_Connection *con, struct api_response *res)
{
	struct MHD_Response *r;
	if (res->stream) {
		struct out_stream *o = calloc(1, sizeof(*o));
		if (!o)
			return MHD_NO;
		o->s = res->stream;
		res->stream = NULL;
		buf_init(&o->pending);
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_reader, o, stream_free);
		if (!r) {
			stream_free(o);
			return MHD_NO;
		}
	} else if (res->has_file) {
		res->has_file = false; /* libmicrohttpd closes it */
		r = MHD_create_response_from_fd_at_offset64(res->file_len, res->file_fd, res->file_off);
		if (!r) {
			close(res->file_fd);
			return MHD_NO;
		}
	} else {
		r = MHD_create_response_from_buffer_copy(res->body.len, res->body.data);
		if (!r)
			return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", res->content_type ? res->content_type : "text/plain; charset=utf-8");
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(r, "Permissions-Policy", "microphone=(self), display-capture=(self), camera=()");
	if (res->location)
		MHD_add_response_header(r, "Location", res->location);
	if (res->set_cookie)
		MHD_add_response_header(r, "Set-Cookie", res->set_cookie);
	if (res->disposition)
		MHD_add_response_header(r, "Content-Disposition", res->disposition);
	if (res->accept_ranges)
		MHD_add_response_header(r, "Accept-Ranges", "bytes");
	if (res->content_range)
		MHD_add_response_header(r, "Content-Range", res->content_range);
	enum MHD_Result ret = MHD_queue_response(con, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *header(struct MHD_Connection *con, const char *name)
{
	return MHD_lookup_connection_value(con, MHD_HEADER_KIND, name);
}

static void read_headers(struct MHD_Connection *con, const char *method, const char *target, struct api_request *req)
{
	req->method = method;
	req->target = target;
	req->host = header(con, "Host");
	req->origin = header(con, "Origin");
	req->authorization = header(con, "Authorization");
	req->cookie = header(con, "Cookie");
	req->sec_fetch_site = header(con, "Sec-Fetch-Site");
	req->range = header(con, "Range");
}

/* A body bound for a file: refused requests drop it; others get a private temporary
 * file in the cache directory (the import reads it from there). */
static void open_body_file(struct tacit_server *srv, struct MHD_Connection *con, const char *method, struct conn *c)
{
	struct api_request req = { 0 };
	struct api_response res;
	char *dir = NULL;

	read_headers(con, method, c->target, &req);
	bool ok = api_admit(srv->api, &req, &res);
	api_response_release(&res);
	if (!ok) {
		c->refused = true;
		return;
	}
	if (tacit_dir_path(TACIT_DIR_CACHE, &dir) != TACIT_OK || asprintf(&c->file_path, "%s/upload-XXXXXX", dir) < 0) {
		c->file_path = NULL;
		c->file_errno = ENOMEM;
	} else if ((c->file_fd = mkstemp(c->file_path)) < 0) {
		c->file_errno = errno;
		free(c->file_path);
		c->file_path = NULL;
	}
	tacit_free(dir);
}

/* Appends to the body's file; after a failed write the rest is dropped. */
static void write_body_file(struct conn *c, const char *data, size_t len)
{
	while (len && c->file_fd >= 0 && !c->file_errno) {
		ssize_t n = write(c->file_fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->file_errno = n < 0 ? errno : EIO;
			break;
		}
		data += n;
		len -= (size_t)n;
		c->file_len += (uint64_t)n;
	}
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *con, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size,
			      void **req_cls)
{
	struct tacit_server *srv = cls;
	struct conn *c = *req_cls;
	struct api_response res;
	struct api_request req = { 0 };
	enum MHD_Result ret;
	(void)url;
	(void)version;

	if (!c)
		return MHD_NO; /* out of memory in uri_log */
	if (!c->started) {
		c->started = true;
		c->limit = api_body_limit(method, c->target);
		c->body.cap = c->limit;
		set_deadline(srv, c->link, BODY_MS);
		const char *cl = header(con, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > c->limit)
			c->too_large = true;
		if (!c->too_large && api_body_to_file(method, c->target))
			open_body_file(srv, con, method, c);
		if (!c->too_large)
			return MHD_YES;
	}
	/* a body bound for a file never goes to memory, even when the file failed */
	if (*upload_data_size && (c->refused || c->file_path || c->file_errno) && !c->too_large) {
		if (c->file_len + c->dropped + *upload_data_size > c->limit) {
			c->too_large = true;
		} else if (c->file_path && !c->file_errno) {
			/* a long upload is fine while it moves: each piece renews the deadline (only
			 * for a request that carried the token) */
			write_body_file(c, upload_data, *upload_data_size);
			set_deadline(srv, c->link, BODY_MS);
		} else {
			c->dropped += *upload_data_size; /* refused, or the file failed: api_handle() says why */
		}
		*upload_data_size = 0;
		if (!c->too_large && (!c->refused || c->dropped <= DRAIN_MAX))
			return MHD_YES;
	}
	if (*upload_data_size) {
		if (!c->too_large && !buf_add(&c->body, upload_data, *upload_data_size))
			c->too_large = true;
		if (c->too_large) /* a chunked body has no length to refuse early: drop the rest */
			c->dropped += *upload_data_size;
		*upload_data_size = 0;
		if (!c->too_large || c->dropped <= DRAIN_MAX)
			return MHD_YES;
	}
	set_deadline(srv, c->link, 0); /* the request is in; the answer may take its time */
	read_headers(con, method, c->target, &req);
	req.body = c->body.data;
	req.body_len = c->too_large ? c->limit + 1 : c->body.len;
	if (c->file_path || c->file_errno) {
		if (c->file_fd >= 0)
			close(c->file_fd);
		c->file_fd = -1;
		req.body = NULL;
		req.body_path = c->file_path;
		req.body_errno = c->file_errno;
		if (!c->too_large)
			req.body_len = (size_t)c->file_len;
	}
	api_handle(srv->api, &req, &res);
	if (res.kept_body) {
		free(c->file_path);
		c->file_path = NULL;
	}
	ret = send_response(con, &res);
	api_response_release(&res);
	return ret;
}

/* A listening socket on the loopback address of family af, or -1 with the error set. */
static int listen_on(int af, int port, int *out_port, enum tacit_status *st)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;
	int fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	}
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (af == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 64) != 0)
		goto fail;
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		goto fail;
	*out_port = ntohs(af == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
fail:
	*st = tacit_fail_errno(errno == EADDRINUSE ? TACIT_ERR_IO : TACIT_ERR_IO, "cannot listen on %s port %d",
			       af == AF_INET ? "127.0.0.1" : "[::1]", port);
	if (fd >= 0)
		close(fd);
	return -1;
}

static struct MHD_Daemon *start_daemon(struct tacit_server *srv, int fd, bool v6)
{
	/* poll, not select: connection sockets may be numbered past FD_SETSIZE */
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
			 MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
	return MHD_start_daemon(flags, 0, NULL, NULL, handle, srv, MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)120, MHD_OPTION_URI_LOG_CALLBACK, uri_log, srv, MHD_OPTION_NOTIFY_COMPLETED,
				completed, srv, MHD_OPTION_NOTIFY_CONNECTION, notify_connection, srv,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, MHD_OPTION_END);
}

enum tacit_status tacit_serve_start(const struct tacit_serve_params *params, struct tacit_server **out)
{
	struct tacit_serve_params p = params ? *params : tacit_serve_default_params();
	struct tacit_server *srv = NULL;
	enum tacit_status st = TACIT_OK;
	int fd4 = -1, fd6 = -1, port = p.port;
	bool want4, want6;

	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_serve_start: out is NULL");
	*out = NULL;
	if (!p.bind || !strcmp(p.bind, "localhost")) {
		want4 = want6 = true;
	} else if (!strcmp(p.bind, "127.0.0.1")) {
		want4 = true, want6 = false;
	} else if (!strcmp(p.bind, "::1") || !strcmp(p.bind, "[::1]")) {
		want4 = false, want6 = true;
	} else {
		return tacit_fail(TACIT_ERR_USAGE,
				  "refusing to listen on '%s': tacit serves this machine only (127.0.0.1, ::1 or localhost)",
				  p.bind);
	}
	if (p.port < 0 || p.port > 65535)
		return tacit_fail(TACIT_ERR_USAGE, "port %d is out of range (1 to 65535, or 0 for any)", p.port);
	if (!(srv = calloc(1, sizeof(*srv))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->wake, NULL);
	if (pthread_create(&srv->watchdog, NULL, watchdog, srv) != 0) {
		st = tacit_fail(TACIT_ERR_NOMEM, "cannot start the web server's watchdog thread");
		goto fail;
	}
	srv->watching = true;
	if (want4 && (fd4 = listen_on(AF_INET, port, &port, &st)) < 0)
		goto fail;
	if (want6 && (fd6 = listen_on(AF_INET6, port, &port, &st)) < 0) {
		if (!want4)
			goto fail;
		tacit_log(TACIT_LOG_INFO, "serving 127.0.0.1 only: %s", tacit_errmsg());
		st = TACIT_OK;
	}
	srv->port = port;
	struct api_params ap = { .port = port };
	if ((st = api_new(&ap, &srv->api)) != TACIT_OK)
		goto fail;
	/* The store's checks (quick check, migrations, repairs) run here, once: requests reuse
	 * this connection. A store that cannot be opened is said on every page that needs it. */
	struct tacit_store *store = api_store(srv->api, NULL);
	if (!store)
		tacit_log(TACIT_LOG_WARN, "the session store cannot be opened: %s", tacit_errmsg());
	tacit_clear_error();
	api_store_put(srv->api, store);
	if (fd4 >= 0) {
		if (!(srv->d[0] = start_daemon(srv, fd4, false))) {
			st = tacit_fail(TACIT_ERR_IO, "cannot start the web server on 127.0.0.1:%d", port);
			goto fail;
		}
		fd4 = -1; /* the daemon owns it now */
	}
	if (fd6 >= 0) {
		if (!(srv->d[1] = start_daemon(srv, fd6, true))) {
			st = tacit_fail(TACIT_ERR_IO, "cannot start the web server on [::1]:%d", port);
			goto fail;
		}
		fd6 = -1;
	}
	snprintf(srv->url, sizeof(srv->url), "http://%s:%d/?token=%s", srv->d[0] ? "127.0.0.1" : "[::1]", port,
		 api_token(srv->api));
	*out = srv;
	return TACIT_OK;
fail:
	if (fd4 >= 0)
		close(fd4);
	if (fd6 >= 0)
		close(fd6);
	tacit_serve_close(srv);
	return st;
}

const char *tacit_serve_url(const struct tacit_server *server)
{
	return server->url;
}

int tacit_serve_port(const struct tacit_server *server)
{
	return server->port;
}

void tacit_serve_stop(struct tacit_server *server)
{
	if (!server)
		return;
	api_shutdown(server->api); /* streams end, so connection threads can finish */
	for (int i = 0; i < 2; i++) {
		if (server->d[i])
			MHD_stop_daemon(server->d[i]);
		server->d[i] = NULL;
	}
	if (server->watching) {
		pthread_mutex_lock(&server->lock);
		server->stop = true;
		pthread_cond_signal(&server->wake);
		pthread_mutex_unlock(&server->lock);
		pthread_join(server->watchdog, NULL);
		server->watching = false;
	}
}

void tacit_serve_close(struct tacit_server *server)
{
	if (!server)
		return;
	tacit_serve_stop(server);
	pthread_cond_destroy(&server->wake);
	pthread_mutex_destroy(&server->lock);
	api_free(server->api);
	free(server);
}
