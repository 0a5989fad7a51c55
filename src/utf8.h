/*
 * utf8.h — every string tacit stores or shows is valid UTF-8. Input is repaired where it
 * enters (invalid sequences become U+FFFD; a legacy Windows-1252 file is decoded), and
 * JSON is written with utf8_json_write(), which repairs at output too, so a value stored
 * by an older version can never make an answer or an export fail.
 */
#ifndef TACIT_UTF8_H
#define TACIT_UTF8_H

#include "internal.h"

/* Whether s[0..len) is valid UTF-8: no overlong forms, no surrogates, nothing past
 * U+10FFFF, no truncated sequence. */
bool utf8_valid(const char *s, size_t len);

/* Appends s[0..len) to out with each maximal invalid subpart (as Unicode recommends)
 * replaced by U+FFFD; false when out of memory or past out's cap. */
bool utf8_repair_buf(struct buf *out, const char *s, size_t len);

/* A NUL-terminated copy of s[0..len), repaired as above; NULL when out of memory. The
 * length goes to *out_len when out_len is not NULL. Caller frees. */
char *utf8_repair(const char *s, size_t len, size_t *out_len);

/* The same for a NUL-terminated string; NULL in, NULL out. */
char *utf8_repair_str(const char *s);

/* Text of unknown encoding (an imported transcript): valid UTF-8 is kept; text whose
 * bytes >= 0x80 never form a UTF-8 sequence is decoded as Windows-1252 (the legacy
 * encoding of Western Windows editors, a superset of Latin-1 in practice); anything else
 * is UTF-8 with damage and is repaired. Caller frees; NULL when out of memory. */
char *utf8_from_unknown(const char *s, size_t len, size_t *out_len);

/* The longest prefix of s[0..len) no longer than max bytes that does not end inside a
 * character (for messages cut to a buffer's size). */
size_t utf8_cut(const char *s, size_t len, size_t max);

/* Appends a file path for display: valid UTF-8 as is, each byte of an invalid sequence
 * as "\xNN" (a path need not be text, but what we show must be). */
bool utf8_escape_buf(struct buf *out, const char *s, size_t len);

/* yyjson_mut_write() (the document passed as void * to keep yyjson out of this header)
 * that never fails on a string that is not UTF-8: such a string is written with U+FFFD
 * in place of its bad bytes. NULL only when out of memory. Caller frees. */
char *utf8_json_write(const void *mut_doc, unsigned flags, size_t *len);

#endif
