/*
 * fuzz_sidecar.c — the resume sidecar (NAME.partial.json) is read back from disk after a
 * crash, a full disk or another program's meddling: any bytes must parse or be refused,
 * and whatever parses must survive a format/parse round trip unchanged.
 */
#include "internal.h"

#include "download.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dl_sidecar a, b;
	if (!dl_sidecar_parse((const char *)data, size, &a))
		return 0;
	char *text = dl_sidecar_format(&a);
	if (!text)
		return 0;
	bool ok = dl_sidecar_parse(text, strlen(text), &b);
	assert(ok);
	assert(!strcmp(a.url, b.url) && !strcmp(a.etag, b.etag) && !strcmp(a.last_modified, b.last_modified));
	assert(!strcmp(a.sha256, b.sha256) && a.bytes_done == b.bytes_done && a.bytes_total == b.bytes_total);
	(void)ok;
	free(text);
	return 0;
}
