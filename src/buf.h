/*
 * buf.h — the one growable byte buffer (after git's strbuf). Init cannot fail, data is
 * never NULL and always NUL-terminated, growth is bounded by a cap so hostile input
 * cannot make it eat the machine, and buf_detach() hands the bytes over.
 */
#ifndef TACIT_BUF_H
#define TACIT_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;  /* never NULL; NUL-terminated */
	size_t len;
	size_t alloc; /* 0 while data points at the shared empty string */
	size_t cap;   /* most bytes this buffer may hold; appends past it fail */
	bool failed;  /* an append failed (no memory or cap reached): contents incomplete */
};

#define BUF_DEFAULT_CAP ((size_t)1 << 30)

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Appends; false (and b->failed set) when out of memory or past the cap. */
bool buf_add(struct buf *b, const void *data, size_t len);
bool buf_adds(struct buf *b, const char *s);
bool buf_addf(struct buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
bool buf_grow(struct buf *b, size_t extra);
void buf_reset(struct buf *b);
/* Hands the bytes to the caller (free with free()/tacit_free()); b is empty again. */
char *buf_detach(struct buf *b, size_t *len);

#endif
