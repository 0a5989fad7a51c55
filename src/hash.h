/*
 * hash.h — SHA-256 (OpenSSL's libcrypto): incremental for downloads and recordings that
 * arrive in pieces, and whole-file for verification. Hex digests are lowercase.
 */
#ifndef TACIT_HASH_H
#define TACIT_HASH_H

#include <stdbool.h>
#include <stddef.h>

#define SHA256_HEX_LEN 64

struct sha256 {
	void *impl; /* libcrypto's EVP_MD_CTX */
};

/* false when libcrypto cannot allocate a context */
bool sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
/* Writes 64 hex digits and a NUL into hex; releases the context. */
void sha256_final(struct sha256 *h, char hex[SHA256_HEX_LEN + 1]);
/* Releases a context without finishing it (error paths). Accepts an unused one. */
void sha256_release(struct sha256 *h);

/* Hashes a whole file; TACIT_ERR_IO (with the path in the message) when it cannot be read. */
enum tacit_status sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1]);

/* true when s is 64 hex digits (either case) */
bool sha256_is_hex(const char *s);

#endif
