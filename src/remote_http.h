/*
 * remote_http.h — what every remote engine's libcurl adapter shares (remote_llm.c,
 * remote_asr.c): libcurl's one global init, the API key's header, and the transfer
 * options that keep a request on the configured host (no redirect, no proxy, TLS
 * verified, the engine's timeouts).
 */
#ifndef TACIT_REMOTE_HTTP_H
#define TACIT_REMOTE_HTTP_H

#include "internal.h"

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

/* e->url without a trailing "/" or "/v1", into out. */
void remote_http_base(const struct tacit_engine *e, char *out, size_t len);

#endif
