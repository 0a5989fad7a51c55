/*
 * fuzz_utf8.c — src/utf8.c on any bytes: repair, legacy decoding and path escaping always
 * give valid UTF-8, repair keeps every ASCII byte in order, valid text comes back as it
 * was, and a cut never ends inside a character.
 */
#include "internal.h"

#include "utf8.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t n = 0, a = 0;
	char *r = utf8_repair(s, size, &n);
	if (r) {
		assert(utf8_valid(r, n));
		if (utf8_valid(s, size))
			assert(n == size && !memcmp(r, s, size));
		for (size_t i = 0; i < size; i++) /* ASCII survives, in order */
			if (data[i] < 0x80) {
				while (a < n && (unsigned char)r[a] >= 0x80)
					a++;
				assert(a < n && r[a] == s[i]);
				a++;
			}
		free(r);
	}
	char *u = utf8_from_unknown(s, size, &n);
	if (u) {
		assert(utf8_valid(u, n));
		free(u);
	}
	struct buf b;
	buf_init(&b);
	if (utf8_escape_buf(&b, s, size))
		assert(utf8_valid(b.data, b.len));
	buf_release(&b);
	if (utf8_valid(s, size))
		for (size_t max = 0; max <= size && max < 64; max++) {
			size_t k = utf8_cut(s, size, max);
			assert(k <= max && utf8_valid(s, k));
		}
	return 0;
}
