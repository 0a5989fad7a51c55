/*
 * download.h — the downloader's pure pieces, apart so tests and fuzzers reach them without
 * a network: the resume sidecar (NAME.partial.json), HTTP header parsing (Content-Range,
 * Digest / Repr-Digest / x-linked-etag) and the URL mapping onto TACIT_MODEL_MIRROR.
 */
#ifndef TACIT_DOWNLOAD_H
#define TACIT_DOWNLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

/* What a partial download needs to resume: where it came from and the server's
 * validators for If-Range. Fixed sizes bound what a damaged file can make us hold. */
struct dl_sidecar {
	char url[4096];
	char etag[256];          /* strong ETag as sent, quotes included; "" = none */
	char last_modified[128]; /* HTTP date; "" = none */
	char sha256[SHA256_HEX_LEN + 1]; /* digest the server announced; "" = none */
	uint64_t bytes_done;     /* bytes in the partial file when last written */
	uint64_t bytes_total;    /* the file's full size; 0 = unknown */
};

/* Parses a sidecar's JSON. false for anything malformed, oversized or without a url:
 * the caller then starts over from byte 0. Never reads past len. */
bool dl_sidecar_parse(const char *text, size_t len, struct dl_sidecar *out);
/* The sidecar as JSON (malloc'd), or NULL when out of memory. */
char *dl_sidecar_format(const struct dl_sidecar *sc);

/* "bytes FIRST-LAST/TOTAL" (TOTAL may be '*', reported as 0). false unless well formed
 * with FIRST <= LAST < TOTAL. */
bool dl_parse_content_range(const char *value, uint64_t *first, uint64_t *last, uint64_t *total);

/* The sha256 a response header announces for the whole file: `Digest: SHA-256=<b64>`
 * (RFC 3230), `Repr-Digest: sha-256=:<b64>:` (RFC 9530) or `x-linked-etag: "<hex>"`
 * (Hugging Face). Writes lowercase hex and returns true when name/value carry one. */
bool dl_parse_digest(const char *name, const char *value, char hex[SHA256_HEX_LEN + 1]);

/* The URL with its scheme and host replaced by mirror (a base URL; a trailing slash is
 * ignored): https://huggingface.co/a/b/f.gguf -> MIRROR/a/b/f.gguf. NULL when out of
 * memory or when url has no scheme://host. Caller frees with free(). */
char *dl_mirror_url(const char *url, const char *mirror);

/* The host of url (without userinfo and port) into out; false when there is none. */
bool dl_url_host(const char *url, char *out, size_t len);

#endif
