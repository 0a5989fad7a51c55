/*
 * remote_http.c — the libcurl setup every remote engine shares (remote_http.h).
 * Invariants: a request goes to the URL given and nowhere else (redirects are not
 * followed, no proxy is taken from the environment), TLS is verified, and the API key
 * exists only in the header buffer handed to the caller, never in a log or a message.
 */
#include "internal.h"

#include "remote_http.h"

#include <pthread.h>

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
