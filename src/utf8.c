/*
 * utf8.c — validation, repair (U+FFFD for each maximal invalid subpart, the Unicode and
 * WHATWG practice), Windows-1252 decoding of legacy files, escaping of non-text paths and
 * a JSON writer that cannot fail on bad bytes. Repair never touches ASCII bytes, so it is
 * safe on serialised JSON: quotes and backslashes stay where they are.
 */
#include "utf8.h"

#include <yyjson.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Windows-1252's 0x80-0x9F; 0 where the code page defines nothing (then U+FFFD). */
static const unsigned short CP1252_HIGH[32] = {
	0x20AC, 0,	0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0,	0x017D, 0,	0,	0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,	0x017E, 0x0178,
};

/* The bytes at p (n > 0 left) that form one character, or one maximal invalid subpart
 * (*ok false): the longest prefix of a sequence that could still have become valid, or a
 * single byte that starts none. */
static size_t next_char(const unsigned char *p, size_t n, bool *ok)
{
	unsigned char b = p[0], lo = 0x80, hi = 0xBF;
	size_t need, i;

	*ok = true;
	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF) {
		need = 2;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 3;
		lo = b == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
		hi = b == 0xED ? 0x9F : 0xBF; /* no surrogates */
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 4;
		lo = b == 0xF0 ? 0x90 : 0x80;
		hi = b == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
	} else {
		*ok = false;
		return 1;
	}
	for (i = 1; i < need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*ok = false;
			return i;
		}
		lo = 0x80, hi = 0xBF;
	}
	return need;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	bool ok;
	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		i += next_char(p + i, len - i, &ok);
		if (!ok)
			return false;
	}
	return true;
}

bool utf8_repair_buf(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0; /* run: valid bytes not yet copied, ending at i */
	bool ok;
	while (i < len) {
		size_t k = p[i] < 0x80 ? 1 : next_char(p + i, len - i, &ok);
		if (p[i] < 0x80 || ok) {
			i += k;
			run += k;
			continue;
		}
		if (!buf_add(out, s + i - run, run) || !buf_add(out, REPLACEMENT, 3))
			return false;
		run = 0;
		i += k;
	}
	return buf_add(out, s + i - run, run);
}

char *utf8_repair(const char *s, size_t len, size_t *out_len)
{
	struct buf b;
	buf_init(&b);
	if (!buf_grow(&b, len + 1) || !utf8_repair_buf(&b, s, len)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, out_len);
}

char *utf8_repair_str(const char *s)
{
	return s ? utf8_repair(s, strlen(s), NULL) : NULL;
}

static bool add_code_point(struct buf *b, unsigned cp)
{
	char u[3];
	if (cp < 0x80) {
		u[0] = (char)cp;
		return buf_add(b, u, 1);
	}
	if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		return buf_add(b, u, 2);
	}
	u[0] = (char)(0xE0 | cp >> 12);
	u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
	u[2] = (char)(0x80 | (cp & 0x3F));
	return buf_add(b, u, 3);
}

char *utf8_from_unknown(const char *s, size_t len, size_t *out_len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n_valid = 0, n_bad = 0;
	struct buf b;
	bool ok;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		i += next_char(p + i, len - i, &ok);
		if (ok)
			n_valid++;
		else
			n_bad++;
	}
	if (n_bad == 0 || n_valid > 0) /* UTF-8, perhaps damaged: keep what is text */
		return utf8_repair(s, len, out_len);
	buf_init(&b);
	if (!buf_grow(&b, len + len / 2 + 1))
		goto fail;
	for (i = 0; i < len; i++) {
		unsigned cp = p[i];
		if (cp >= 0x80 && cp < 0xA0)
			cp = CP1252_HIGH[cp - 0x80] ? CP1252_HIGH[cp - 0x80] : 0xFFFD;
		if (!add_code_point(&b, cp))
			goto fail;
	}
	return buf_detach(&b, out_len);
fail:
	buf_release(&b);
	return NULL;
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	bool ok;
	if (len <= max)
		return len;
	while (i < max) {
		size_t k = next_char(p + i, len - i, &ok);
		if (i + k > max)
			break;
		i += k;
	}
	return i;
}

bool utf8_escape_buf(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	bool ok;
	while (i < len) {
		size_t k = next_char(p + i, len - i, &ok);
		if (ok) {
			if (!buf_add(out, s + i, k))
				return false;
		} else {
			for (size_t j = 0; j < k; j++)
				if (!buf_addf(out, "\\x%02X", p[i + j]))
					return false;
		}
		i += k;
	}
	return true;
}

char *utf8_json_write(const void *mut_doc, unsigned flags, size_t *len)
{
	size_t n = 0;
	/* Bad bytes are copied as they are, then repaired: only bytes >= 0x80 change. */
	char *text = yyjson_mut_write((const yyjson_mut_doc *)mut_doc, flags | YYJSON_WRITE_ALLOW_INVALID_UNICODE, &n);
	if (text && !utf8_valid(text, n)) {
		char *fixed = utf8_repair(text, n, &n);
		free(text);
		text = fixed;
	}
	if (len)
		*len = text ? n : 0;
	return text;
}
