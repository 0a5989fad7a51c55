/*
 * fuzz_proto.c — the frame reader on hostile bytes, fed in uneven pieces as a pipe would
 * deliver them: it must never crash, read out of bounds or buffer more than a frame, and
 * every frame it yields must have a valid type, a bounded length and a NUL after it.
 */
#include "internal.h"

#include "proto.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_reader r;
	proto_reader_init(&r);
	size_t off = 0, step = size ? (size_t)(data[0] % 7) + 1 : 1;
	int frames = 0;
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		if (!proto_reader_feed(&r, data + off, n))
			break;
		off += n;
		unsigned type;
		const char *payload;
		size_t len;
		int got;
		while ((got = proto_reader_next(&r, &type, &payload, &len)) == 1) {
			assert(proto_type_valid(type));
			assert(len <= PROTO_MAX_FRAME);
			assert(payload[len] == '\0');
			frames++;
		}
		if (got < 0) {
			assert(proto_reader_next(&r, &type, &payload, &len) == -1); /* stays broken */
			break;
		}
	}
	proto_reader_release(&r);

	/* round trip: what proto_encode writes, the reader gives back */
	struct buf b;
	buf_init(&b);
	size_t plen = size > 64 ? 64 : size;
	if (proto_encode(&b, PROTO_TOKEN, data, plen) && proto_encode(&b, PROTO_DONE, "{}", 2)) {
		proto_reader_init(&r);
		proto_reader_feed(&r, b.data, b.len);
		unsigned type;
		const char *payload;
		size_t len;
		assert(proto_reader_next(&r, &type, &payload, &len) == 1 && type == PROTO_TOKEN && len == plen);
		assert(plen == 0 || memcmp(payload, data, plen) == 0);
		assert(proto_reader_next(&r, &type, &payload, &len) == 1 && type == PROTO_DONE && len == 2);
		assert(proto_reader_next(&r, &type, &payload, &len) == 0);
		proto_reader_release(&r);
	}
	buf_release(&b);
	(void)frames;
	return 0;
}
