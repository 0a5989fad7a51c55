/*
 * remote_http.c — the libcurl setup every remote engine shares (remote_http.h).
 * Invariants: a request goes to the URL given and nowhere else (redirects are not
 * followed, no proxy is taken from the environment), TLS is verified, and the API key
 * exists only in the header buffer handed to the caller, never in a log or a message.
 */
#include "internal.h"

#include "remote_http.h"

#include <pthread.h>

#include <yyjson.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum tacit_status remote_http_init(void)
{
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK)
		return tacit_fail(TACIT_ERR_NETWORK, "cannot start libcurl: %s", curl_easy_strerror(curl_init_rc));
	return TACIT_OK;
}

enum tacit_status remote_http_auth(const struct tacit_engine *e, const char *kind, char **out)
{
	char line[4096];
	enum tacit_status st = TACIT_OK;
	*out = NULL;
	const char *key = getenv("TACIT_ENGINE_KEY");
	if (e->key_file[0]) {
		FILE *f = fopen(e->key_file, "r");
		if (!f)
			return tacit_fail_errno(TACIT_ERR_IO, "cannot read the API key file '%s'", e->key_file);
		bool got = fgets(line, sizeof(line), f) != NULL;
		fclose(f);
		line[got ? strcspn(line, "\r\n") : 0] = '\0';
		if (!line[0])
			return tacit_fail(TACIT_ERR_USAGE, "the API key file '%s' is empty", e->key_file);
		key = line;
	}
	if (!key || !*key)
		goto out;
	for (const char *p = key; *p; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p >= 0x7f) {
			st = e->key_file[0] ? tacit_fail(TACIT_ERR_USAGE,
							 "the API key (engine.%s.key_file) holds a character a header "
							 "cannot carry",
							 kind)
					    : tacit_fail(TACIT_ERR_USAGE, "the API key (TACIT_ENGINE_KEY) holds a "
									  "character a header cannot carry");
			goto out;
		}
	if (asprintf(out, "Authorization: Bearer %s", key) < 0) {
		*out = NULL;
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
out:
	explicit_bzero(line, sizeof(line));
	return st;
}

void remote_http_setup(CURL *h, const struct tacit_engine *e, const char *url, char *errbuf)
{
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* the transcript goes to this host only */
	curl_easy_setopt(h, CURLOPT_PROXY, "");          /* and not through a proxy from the environment */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "tacit/" TACIT_VERSION);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (e->ca_file[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, e->ca_file);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
			 (long)(e->connect_timeout_s > 0 ? e->connect_timeout_s : REMOTE_DEFAULT_CONNECT_S));
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
			 (long)(e->timeout_s > 0 ? e->timeout_s : REMOTE_DEFAULT_TIMEOUT_S));
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

void remote_http_base(const struct tacit_engine *e, char *out, size_t len)
{
	snprintf(out, len, "%s", e->url);
	size_t n = strlen(out);
	while (n && out[n - 1] == '/')
		out[--n] = '\0';
	if (n >= 3 && !strcmp(out + n - 3, "/v1"))
		out[n - 3] = '\0';
}

void remote_http_auth_free(char *auth)
{
	if (!auth)
		return;
	explicit_bzero(auth, strlen(auth));
	free(auth);
}

void remote_http_server_words(const char *body, size_t len, char *out, size_t n)
{
	yyjson_doc *d = yyjson_read(body, len, 0);
	yyjson_val *root = yyjson_doc_get_root(d), *err = yyjson_obj_get(root, "error");
	const char *m = yyjson_get_str(yyjson_obj_get(err, "message"));
	if (!m)
		m = yyjson_get_str(err);
	if (!m)
		m = yyjson_get_str(yyjson_obj_get(root, "message"));
	if (!m)
		m = yyjson_get_str(yyjson_obj_get(root, "detail"));
	if (!m && !d)
		m = body; /* not JSON: its text */
	snprintf(out, n, "%s", m ? m : "");
	for (char *q = out; *q; q++)
		if ((unsigned char)*q < ' ')
			*q = ' ';
	if (strlen(out) > 200)
		strcpy(out + 197, "...");
	yyjson_doc_free(d);
}

enum tacit_status remote_http_fail(const struct remote_fail *f)
{
	const char *h = f->host, *s = f->server, *k = f->kind, *w = f->what;
	const char *why = f->errbuf && f->errbuf[0] ? f->errbuf : curl_easy_strerror(f->rc);
	char msg[256];
	switch (f->rc) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_CONNECT:
		return tacit_fail(TACIT_ERR_NETWORK,
				  "cannot reach the %s '%s': connection refused (is it running? engine set with %s or "
				  "setting engine.%s)",
				  s, h, strcmp(k, "asr") ? "--engine" : "--asr-engine", k);
	case CURLE_COULDNT_RESOLVE_HOST:
		return tacit_fail(TACIT_ERR_NETWORK, "cannot find the %s '%s': no such host name", s, h);
	case CURLE_OPERATION_TIMEDOUT:
		return tacit_fail(TACIT_ERR_NETWORK,
				  "the %s '%s' did not answer in time (%s): nothing was received for %d s (setting "
				  "engine.%s.timeout_s)",
				  s, h, f->errbuf && f->errbuf[0] ? f->errbuf : "timeout",
				  f->timeout_s > 0 ? f->timeout_s : REMOTE_DEFAULT_TIMEOUT_S, k);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CONNECT_ERROR:
		return tacit_fail(TACIT_ERR_NETWORK,
				  "cannot verify the certificate of the %s '%s': %s (give its CA certificate with "
				  "setting engine.%s.ca_file)",
				  s, h, why, k);
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
		return tacit_fail(TACIT_ERR_NETWORK, "the %s '%s' closed the connection before %s was complete (%s)", s, h,
				  w, why);
	default:
		if (f->body->failed)
			return tacit_fail(TACIT_ERR_NETWORK, "the %s '%s' sent more than %zu bytes for %s", s, h, f->body->cap,
					  w);
		return tacit_fail(TACIT_ERR_NETWORK, "cannot get %s from the %s '%s': %s", w, s, h, why);
	}
	remote_http_server_words(f->body->data, f->body->len, msg, sizeof(msg));
	const char *sep = msg[0] ? ": " : "";
	if (f->code == 401 || f->code == 403)
		return tacit_fail(TACIT_ERR_NETWORK,
				  "the %s '%s' refused %s (HTTP %ld%s%s): check the API key (setting engine.%s.key_file "
				  "or TACIT_ENGINE_KEY)",
				  s, h, f->has_key ? "the API key" : "a request without an API key", f->code, sep, msg, k);
	if (f->code >= 300)
		return tacit_fail(TACIT_ERR_NETWORK, "the %s '%s' failed %s: HTTP %ld%s%s", s, h, w, f->code, sep, msg);
	return tacit_fail(TACIT_ERR_NETWORK, "the %s '%s' closed the connection before %s was complete", s, h, w);
}
