/* test_buf.c — the growable buffer: growth, detach (never NULL, even empty), the size
 * cap and its sticky failure flag, formats longer than the first guess. */
#include "internal.h"

#include "../check.h"

TEST(buf_grows_and_detaches)
{
	struct buf b;
	buf_init(&b);
	CHECK(b.data != NULL && b.len == 0 && b.data[0] == '\0');
	for (int i = 0; i < 1000; i++)
		CHECK(buf_addf(&b, "%d,", i));
	CHECK(b.len > 3000);
	CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
	CHECK(b.data[b.len] == '\0');
	size_t n;
	char *p = buf_detach(&b, &n);
	CHECK(p && strlen(p) == n);
	CHECK(b.len == 0 && b.data[0] == '\0');
	free(p);
	p = buf_detach(&b, &n); /* detaching an empty buffer still gives a freeable "" */
	CHECK(p && p[0] == '\0' && n == 0);
	free(p);
	buf_release(&b);
}

TEST(buf_respects_cap)
{
	struct buf b;
	buf_init(&b);
	b.cap = 10;
	CHECK(buf_adds(&b, "0123456789"));
	CHECK(!buf_adds(&b, "x"));
	CHECK(b.failed);
	CHECK(b.len == 10);
	CHECK(!buf_grow(&b, SIZE_MAX));
	buf_release(&b);
}

TEST(buf_long_format)
{
	struct buf b;
	buf_init(&b);
	char big[1000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(buf_addf(&b, "<%s>", big));
	CHECK(b.len == 1001 && b.data[0] == '<' && b.data[1000] == '>');
	buf_release(&b);
}
