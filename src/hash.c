/*
 * hash.c — SHA-256 through libcrypto's EVP interface (the adapter for OpenSSL), and the
 * public check of a file against a known digest (tacit doctor's model check).
 */
#include "internal.h"

#include "basics.h"
#include "hash.h"

#include <ctype.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

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

enum tacit_status tacit_file_verify_sha256(const char *path, const char *expected_sha256,
					   tacit_download_progress_fn progress, void *user, const volatile int *cancel)
{
	enum tacit_status st = TACIT_OK;
	struct sha256 h = { 0 };
	unsigned char chunk[1 << 16];
	char hex[SHA256_HEX_LEN + 1];
	struct stat sb;
	FILE *f = NULL;

	if (!path || !expected_sha256 || !sha256_is_hex(expected_sha256))
		return tacit_fail(TACIT_ERR_USAGE, "a file and a sha256 of 64 hex digits are needed");
	if (!(f = fopen(path, "rb")))
		return tacit_fail_errno(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO, "cannot open '%s'", path);
	uint64_t total = fstat(fileno(f), &sb) == 0 ? (uint64_t)sb.st_size : 0, done = 0;
	if (!sha256_init(&h)) {
		st = tacit_fail(TACIT_ERR_NOMEM, "cannot start a sha256 context");
		goto out;
	}
	double t0 = clock_now_s(), told = 0;
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		sha256_update(&h, chunk, n);
		done += n;
		double now = clock_now_s();
		if (progress && now - told >= 0.1) {
			told = now;
			progress(done, total, now > t0 ? (double)done / (now - t0) : 0, user);
		}
		if (cancel_requested(cancel)) {
			st = tacit_fail(TACIT_ERR_CANCELLED, "checking '%s' was cancelled", path);
			goto out;
		}
	}
	if (ferror(f)) {
		st = tacit_fail(TACIT_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	sha256_final(&h, hex);
	if (progress) {
		double now = clock_now_s();
		progress(done, total, now > t0 ? (double)done / (now - t0) : 0, user);
	}
	if (strcasecmp(hex, expected_sha256) != 0)
		st = tacit_fail(TACIT_ERR_INTEGRITY, "'%s' has sha256 %s, expected %s", path, hex, expected_sha256);
out:
	sha256_release(&h);
	fclose(f);
	return st;
}
