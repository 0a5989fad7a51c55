/*
 * fuzz_http_headers.c — the response headers the downloader interprets come from any
 * server on the path: Content-Range, Digest, Repr-Digest, x-linked-etag, and URLs for the
 * mirror mapping. The first byte picks the parser; the rest is the value.
 */
#include "internal.h"

#include "download.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "Digest", "Repr-Digest", "x-linked-etag", "ETag" };
	char value[2048], hex[SHA256_HEX_LEN + 1], host[256];
	uint64_t first, last, total;
	if (size < 1 || size > sizeof(value))
		return 0;
	memcpy(value, data + 1, size - 1);
	value[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		if (dl_parse_content_range(value, &first, &last, &total))
			assert(first <= last && (total == 0 || last < total));
		break;
	case 1:
		if (dl_parse_digest(names[(data[0] >> 2) % 4], value, hex))
			assert(strlen(hex) == SHA256_HEX_LEN && sha256_is_hex(hex));
		break;
	case 2: {
		char *u = dl_mirror_url(value, "http://mirror.local/base/");
		if (u)
			assert(!strncmp(u, "http://mirror.local/base/", 25));
		free(u);
		break;
	}
	default:
		if (dl_url_host(value, host, sizeof(host)))
			assert(host[0] && strlen(host) < sizeof(host));
		break;
	}
	return 0;
}
