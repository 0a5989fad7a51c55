/* test_hash.c — SHA-256 against the FIPS 180-2 vectors, incremental and from a file,
 * the hex check, and a missing file's error naming it. */
#include "internal.h"

#include "hash.h"

#include "../check.h"

TEST(sha256_known_vectors)
{
	char hex[SHA256_HEX_LEN + 1];
	struct sha256 h;
	CHECK(sha256_init(&h));
	sha256_final(&h, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK(sha256_init(&h));
	sha256_update(&h, "ab", 2);
	sha256_update(&h, "c", 1);
	sha256_final(&h, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *path = test_write_file(test_tmpdir(), "abc.txt", "abc", 3);
	CHECK_EQ_INT(sha256_file(path, hex), TACIT_OK);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(sha256_is_hex(hex));
	CHECK(!sha256_is_hex("abc"));
	CHECK_EQ_INT(sha256_file("/nonexistent/x", hex), TACIT_ERR_IO);
	CHECK(strstr(tacit_errmsg(), "/nonexistent/x") != NULL);
}
