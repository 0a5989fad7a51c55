/*
 * serve.c — `tacit serve`'s socket side, on libmicrohttpd: loopback listeners only (we
 * bind them ourselves, so no other address is ever possible), one thread per connection,
 * bodies buffered up to api_body_limit() and refused past it, and the security headers
 * on every answer. The decisions are api.c's; this file only moves bytes.
 */
#include "api.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#define MAX_CONNECTIONS 64

static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
			  "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
			  "form-action 'self'; frame-ancestors 'none'";

struct tacit_server {
	struct api *api;
	struct MHD_Daemon *d[2];
	int port;
	char url[160];
};

/* One request: its raw target (from the URI log callback, before MHD decodes it) and
 * its body. */
struct conn {
	char *target;
	struct buf body;
	size_t limit;
	bool started;
	bool too_large;
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

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct conn *c = calloc(1, sizeof(*c));
	(void)cls;
	(void)con;
	if (!c)
		return NULL;
	buf_init(&c->body);
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
	enum MHD_Result ret = MHD_queue_response(con, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *header(struct MHD_Connection *con, const char *name)
{
	return MHD_lookup_connection_value(con, MHD_HEADER_KIND, name);
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
		const char *cl = header(con, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > c->limit)
			c->too_large = true;
		if (!c->too_large)
			return MHD_YES;
	}
	if (*upload_data_size) {
		if (!c->too_large && !buf_add(&c->body, upload_data, *upload_data_size))
			c->too_large = true;
		*upload_data_size = 0;
		if (!c->too_large)
			return MHD_YES;
	}
	req.method = method;
	req.target = c->target;
	req.host = header(con, "Host");
	req.origin = header(con, "Origin");
	req.authorization = header(con, "Authorization");
	req.cookie = header(con, "Cookie");
	req.sec_fetch_site = header(con, "Sec-Fetch-Site");
	req.body = c->body.data;
	req.body_len = c->too_large ? c->limit + 1 : c->body.len;
	api_handle(srv->api, &req, &res);
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
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
			 (v6 ? MHD_USE_IPv6 : 0);
	return MHD_start_daemon(flags, 0, NULL, NULL, handle, srv, MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)120, MHD_OPTION_URI_LOG_CALLBACK, uri_log, srv, MHD_OPTION_NOTIFY_COMPLETED,
				completed, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, MHD_OPTION_END);
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
}

void tacit_serve_close(struct tacit_server *server)
{
	if (!server)
		return;
	tacit_serve_stop(server);
	api_free(server->api);
	free(server);
}
