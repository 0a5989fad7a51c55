/*
 * proto.c — frames over pipes. The reader compacts consumed bytes lazily, checks type and
 * length before buffering a payload (so a hostile length cannot make it allocate 4 GiB),
 * and NUL-terminates every payload so JSON parsers can read it in place.
 */
#include "internal.h"

#include "proto.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

bool proto_type_valid(unsigned type)
{
	return (type >= PROTO_LOAD && type <= PROTO_EMBED) || (type >= PROTO_READY && type <= PROTO_VECTORS);
}

bool proto_encode(struct buf *out, enum proto_type type, const void *payload, size_t len)
{
	if (len > PROTO_MAX_FRAME)
		return false;
	unsigned char h[PROTO_HEADER] = { (unsigned char)(len & 0xff), (unsigned char)((len >> 8) & 0xff),
					  (unsigned char)((len >> 16) & 0xff), (unsigned char)((len >> 24) & 0xff),
					  (unsigned char)type };
	return buf_add(out, h, sizeof(h)) && buf_add(out, payload, len);
}

void proto_reader_init(struct proto_reader *r)
{
	buf_init(&r->in);
	r->in.cap = PROTO_MAX_FRAME + PROTO_HEADER + 65536;
	r->pos = 0;
	r->broken = false;
}

void proto_reader_release(struct proto_reader *r)
{
	buf_release(&r->in);
	r->pos = 0;
}

bool proto_reader_feed(struct proto_reader *r, const void *data, size_t len)
{
	if (r->pos) { /* drop consumed frames before growing */
		memmove(r->in.data, r->in.data + r->pos, r->in.len - r->pos);
		r->in.len -= r->pos;
		r->in.data[r->in.len] = '\0';
		r->pos = 0;
	}
	return buf_add(&r->in, data, len);
}

int proto_reader_next(struct proto_reader *r, unsigned *type, const char **payload, size_t *len)
{
	if (r->broken)
		return -1;
	size_t avail = r->in.len - r->pos;
	if (avail < PROTO_HEADER)
		return 0;
	const unsigned char *h = (const unsigned char *)r->in.data + r->pos;
	uint32_t n = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
	if (n > PROTO_MAX_FRAME || !proto_type_valid(h[4])) {
		r->broken = true;
		return -1;
	}
	if (avail - PROTO_HEADER < n)
		return 0;
	*type = h[4];
	char *p = r->in.data + r->pos + PROTO_HEADER;
	r->pos += PROTO_HEADER + n;
	if (r->pos < r->in.len) {
		/* another frame follows: slide the payload one byte back over its own (already
		 * read) type byte, so its terminating NUL does not clobber the next header */
		memmove(p - 1, p, n);
		p -= 1;
		p[n] = '\0';
	}
	*payload = p;
	*len = n;
	return 1;
}

bool proto_write_all(int fd, const void *data, size_t len)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigset_t pending;
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE);

	const char *p = data;
	bool ok = true;
	int err = 0;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ok = false;
			err = errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!ok && err == EPIPE && !was_pending) {
		const struct timespec zero = { 0, 0 };
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return ok;
}

bool proto_send(int fd, enum proto_type type, const void *payload, size_t len)
{
	struct buf b;
	buf_init(&b);
	bool ok = proto_encode(&b, type, payload, len) && proto_write_all(fd, b.data, b.len);
	int err = errno;
	buf_release(&b);
	errno = err;
	return ok;
}

bool proto_send_parts(int fd, enum proto_type type, const void *head, size_t head_len, const void *data,
		      size_t data_len)
{
	struct buf b;
	if (data_len > PROTO_MAX_FRAME || head_len > PROTO_MAX_FRAME - data_len) {
		errno = EMSGSIZE;
		return false;
	}
	size_t len = head_len + data_len;
	unsigned char h[PROTO_HEADER] = { (unsigned char)(len & 0xff), (unsigned char)((len >> 8) & 0xff),
					  (unsigned char)((len >> 16) & 0xff), (unsigned char)((len >> 24) & 0xff),
					  (unsigned char)type };
	buf_init(&b);
	bool ok = buf_add(&b, h, sizeof(h)) && buf_add(&b, head, head_len) && proto_write_all(fd, b.data, b.len) &&
		  (!data_len || proto_write_all(fd, data, data_len));
	int err = errno;
	buf_release(&b);
	errno = err;
	return ok;
}
