/*
 * remote_http.h — what every remote engine's libcurl adapter shares (remote_llm.c,
 * remote_asr.c): libcurl's one global init, the API key's header, and the transfer
 * options that keep a request on the configured host (no redirect, no proxy, TLS
 * verified, the engine's timeouts).
 */
#ifndef TACIT_REMOTE_HTTP_H
#define TACIT_REMOTE_HTTP_H

#include "internal.h"

#include "buf.h"

#include <curl/curl.h>

#define REMOTE_DEFAULT_CONNECT_S 10
#define REMOTE_DEFAULT_TIMEOUT_S 300

/* curl_global_init() once per process; TACIT_ERR_NETWORK when it failed. */
enum tacit_status remote_http_init(void);

/* "Authorization: Bearer KEY" from e->key_file, else $TACIT_ENGINE_KEY; *out NULL when
 * there is no key. kind ("llm", "asr") names the setting in messages. The caller wipes
 * (explicit_bzero) and frees *out. */
enum tacit_status remote_http_auth(const struct tacit_engine *e, const char *kind, char **out);

/* Resets h and sets url, the safety options and e's timeouts; errbuf (CURL_ERROR_SIZE)
 * receives libcurl's words for a failure. */
void remote_http_setup(CURL *h, const struct tacit_engine *e, const char *url, char *errbuf);

/* The server's own words from an error body (error.message, error, message, detail, or
 * the text when it is not JSON), cut to 200 bytes and without control characters. */
void remote_http_server_words(const char *body, size_t len, char *out, size_t n);

/* A failed exchange, as a message a user can act on, recorded and returned
 * (TACIT_ERR_NETWORK). server: "language model server" or "speech server"; kind: "llm"
 * or "asr" (the settings named); what: "the answer". rc: libcurl's result; code: the HTTP
 * status when rc is CURLE_OK. */
struct remote_fail {
	const char *server, *kind, *host, *what, *errbuf;
	CURLcode rc;
	long code;
	const struct buf *body; /* the answer's body (an error's) */
	bool has_key;
	int timeout_s;
};
enum tacit_status remote_http_fail(const struct remote_fail *f);

/* Wipes and frees an Authorization header from remote_http_auth(). */
void remote_http_auth_free(char *auth);

/* e->url without a trailing "/" or "/v1", into out. */
void remote_http_base(const struct tacit_engine *e, char *out, size_t len);

#endif
