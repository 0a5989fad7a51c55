/*
 * buf.c — growable buffer. The empty buffer points at a static "" so data is never NULL
 * and init needs no allocation; nothing writes to that "" (threads share it).
 */
#include "internal.h"

static char buf_empty[1];

void buf_init(struct buf *b)
{
	b->data = buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = BUF_DEFAULT_CAP;
	b->failed = false;
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->data);
	buf_init(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	/* the shared "" is never written: every thread's empty buffers point at it */
	if (b->alloc)
		b->data[0] = '\0';
	b->failed = false;
}

bool buf_grow(struct buf *b, size_t extra)
{
	if (extra > b->cap || b->len > b->cap - extra) {
		b->failed = true;
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->alloc)
		return true;
	size_t n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	char *p = realloc(b->alloc ? b->data : NULL, n);
	if (!p) {
		b->failed = true;
		return false;
	}
	if (!b->alloc)
		p[0] = '\0';
	b->data = p;
	b->alloc = n;
	return true;
}

bool buf_add(struct buf *b, const void *data, size_t len)
{
	if (!buf_grow(b, len))
		return false;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return true;
}

bool buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

bool buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return false;
	}
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	if (!buf_grow(b, (size_t)n))
		return false;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return true;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;
	if (len)
		*len = b->len;
	if (b->alloc) {
		p = b->data;
	} else {
		p = malloc(1);
		if (p)
			p[0] = '\0';
	}
	buf_init(b);
	return p;
}

bool read_small_file(const char *path, struct buf *out, size_t max)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	char chunk[4096];
	size_t n;
	bool ok = true;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > max) {
			n = max - out->len;
			buf_add(out, chunk, n);
			break;
		}
		if (!buf_add(out, chunk, n)) {
			ok = false;
			break;
		}
	}
	if (ferror(f))
		ok = false;
	fclose(f);
	return ok;
}
