/*
 * hash.c — SHA-256 through libcrypto's EVP interface (the adapter for OpenSSL).
 */
#include "internal.h"

#include "hash.h"

#include <ctype.h>

#include <openssl/evp.h>

bool sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	h->impl = NULL;
	if (!ctx)
		return false;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return false;
	}
	h->impl = ctx;
	return true;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (h->impl && len)
		EVP_DigestUpdate(h->impl, data, len);
}

void sha256_final(struct sha256 *h, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char md[32];
	unsigned int n = 0;
	hex[0] = '\0';
	if (!h->impl)
		return;
	if (EVP_DigestFinal_ex(h->impl, md, &n) == 1 && n == 32)
		for (unsigned i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	sha256_release(h);
}

void sha256_release(struct sha256 *h)
{
	EVP_MD_CTX_free(h->impl);
	h->impl = NULL;
}

enum tacit_status sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 h;
	unsigned char chunk[1 << 16];
	size_t n;
	hex[0] = '\0';
	FILE *f = fopen(path, "rb");
	if (!f)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot open '%s'", path);
	if (!sha256_init(&h)) {
		fclose(f);
		return tacit_fail(TACIT_ERR_NOMEM, "cannot start a sha256 context");
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sha256_update(&h, chunk, n);
	if (ferror(f)) {
		int e = errno;
		sha256_release(&h);
		fclose(f);
		return tacit_fail(TACIT_ERR_IO, "cannot read '%s': %s", path, strerror(e));
	}
	fclose(f);
	sha256_final(&h, hex);
	return TACIT_OK;
}

bool sha256_is_hex(const char *s)
{
	size_t i = 0;
	for (; s && s[i]; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return i == SHA256_HEX_LEN;
}
