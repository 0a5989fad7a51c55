/*
 * test_download.c — the downloader without a network: Content-Range and digest header
 * parsing, the resume sidecar, mirror URLs, parameter checks, the free-space check, the
 * already-downloaded fast path, an unreachable host, cancellation and tacit_download_remove.
 * Transfers against a live server are in tests/integration/download.sh.
 */
#include "internal.h"

#include "download.h"

#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"

/* sha256("abc") */
#define ABC_SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define ABC_B64 "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
/* a URL nothing listens on: port 1 on loopback refuses at once */
#define DEAD_URL "http://127.0.0.1:1/org/x.gguf"

TEST(download_content_range)
{
	uint64_t a, b, t;
	CHECK(dl_parse_content_range("bytes 100-199/200", &a, &b, &t));
	CHECK(a == 100 && b == 199 && t == 200);
	CHECK(dl_parse_content_range("  Bytes  0-0/1 \r\n", &a, &b, &t));
	CHECK(a == 0 && b == 0 && t == 1);
	CHECK(dl_parse_content_range("bytes 5-9/*", &a, &b, &t));
	CHECK(a == 5 && b == 9 && t == 0);
	CHECK(dl_parse_content_range("bytes 17179869184-34359738367/34359738368", &a, &b, &t));
	CHECK(a == 17179869184ull && t == 34359738368ull);

	CHECK(!dl_parse_content_range("bytes */200", &a, &b, &t)); /* a 416's form */
	CHECK(!dl_parse_content_range("bytes 10-5/200", &a, &b, &t));
	CHECK(!dl_parse_content_range("bytes 10-200/200", &a, &b, &t));
	CHECK(!dl_parse_content_range("bytes=10-20/200", &a, &b, &t));
	CHECK(!dl_parse_content_range("items 1-2/3", &a, &b, &t));
	CHECK(!dl_parse_content_range("bytes 1-2/3x", &a, &b, &t));
	CHECK(!dl_parse_content_range("bytes -1-2/3", &a, &b, &t));
	CHECK(!dl_parse_content_range("bytes 1-2", &a, &b, &t));
	CHECK(!dl_parse_content_range("bytes 99999999999999999999-1/2", &a, &b, &t));
	CHECK(!dl_parse_content_range("", &a, &b, &t));
}

TEST(download_digest_headers)
{
	char hex[SHA256_HEX_LEN + 1];
	CHECK(dl_parse_digest("Digest", "SHA-256=" ABC_B64, hex));
	CHECK_STR(hex, ABC_SHA);
	memset(hex, 0, sizeof(hex));
	CHECK(dl_parse_digest("digest", "md5=HUXZLQLMuI/KZ5KDcJPcOA==, sha-256=" ABC_B64 " ", hex));
	CHECK_STR(hex, ABC_SHA);
	memset(hex, 0, sizeof(hex));
	CHECK(dl_parse_digest("Repr-Digest", "sha-512=:AAAA:, sha-256=:" ABC_B64 ":", hex));
	CHECK_STR(hex, ABC_SHA);
	memset(hex, 0, sizeof(hex));
	CHECK(dl_parse_digest("X-Linked-Etag", "\"" ABC_SHA "\"", hex));
	CHECK_STR(hex, ABC_SHA);
	memset(hex, 0, sizeof(hex));
	CHECK(dl_parse_digest("x-linked-etag", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", hex));
	CHECK_STR(hex, ABC_SHA);
	/* URL-safe alphabet, no padding */
	CHECK(dl_parse_digest("Digest", "SHA-256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0", hex));
	CHECK_STR(hex, ABC_SHA);

	CHECK(!dl_parse_digest("ETag", "\"" ABC_SHA "\"", hex));           /* not a digest */
	CHECK(!dl_parse_digest("Content-Digest", "sha-256=:" ABC_B64 ":", hex)); /* of a range */
	CHECK(!dl_parse_digest("Digest", "md5=HUXZLQLMuI/KZ5KDcJPcOA==", hex));
	CHECK(!dl_parse_digest("Digest", "SHA-256=c2hvcnQ=", hex));           /* too short */
	CHECK(!dl_parse_digest("Digest", "SHA-256=" ABC_B64 "QUFB", hex));     /* too long */
	CHECK(!dl_parse_digest("Digest", "SHA-256=un*Wv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", hex));
	CHECK(!dl_parse_digest("Repr-Digest", "sha-256=" ABC_B64, hex));        /* needs :...: */
	CHECK(!dl_parse_digest("x-linked-etag", "\"abc\"", hex));
	CHECK(!dl_parse_digest("x-linked-etag", "\"" ABC_SHA "0\"", hex));
	CHECK(!dl_parse_digest("Digest", "", hex));
}

TEST(download_sidecar_round_trip)
{
	struct dl_sidecar a, b;
	memset(&a, 0, sizeof(a));
	strcpy(a.url, "https://huggingface.co/org/r/resolve/main/f \"q\".gguf");
	strcpy(a.etag, "\"abc\\def\"");
	strcpy(a.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
	strcpy(a.sha256, ABC_SHA);
	a.bytes_done = 12345678901ull;
	a.bytes_total = 22345678901ull;
	char *text = dl_sidecar_format(&a);
	CHECK(text != NULL);
	CHECK(dl_sidecar_parse(text, strlen(text), &b));
	CHECK_STR(b.url, a.url);
	CHECK_STR(b.etag, a.etag);
	CHECK_STR(b.last_modified, a.last_modified);
	CHECK_STR(b.sha256, a.sha256);
	CHECK(b.bytes_done == a.bytes_done && b.bytes_total == a.bytes_total);
	free(text);
}

TEST(download_sidecar_rejects_damage)
{
	struct dl_sidecar sc;
	static const char *const bad[] = {
		"",
		"[]",
		"{}",
		"{\"etag\": \"x\"}",                                     /* no url */
		"{\"url\": 5}",
		"{\"url\": \"u\", \"bytes_done\": -1}",
		"{\"url\": \"u\", \"bytes_done\": 1.5}",
		"{\"url\": \"u\", \"bytes_done\": \"7\"}",
		"{\"url\": \"u\", \"sha256\": \"xyz\"}",
		"{\"url\": \"u\", \"bytes_done\": 10, \"bytes_total\": 5}",
		"{\"url\": \"u\", \"etag\": \"a\\u0000b\"}",               /* embedded NUL */
		"{\"url\": \"u\"",                                       /* truncated by a crash */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&sc, 0x5a, sizeof(sc));
		bool ok = dl_sidecar_parse(bad[i], strlen(bad[i]), &sc);
		CHECK(!ok);
		CHECK(sc.url[0] == '\0' && sc.bytes_done == 0);
		if (ok)
			fprintf(stderr, "  accepted: %s\n", bad[i]);
	}
	/* too long for its field */
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "{\"url\": \"u\", \"etag\": \"");
	for (int i = 0; i < 300; i++)
		buf_adds(&b, "e");
	buf_adds(&b, "\"}");
	CHECK(!dl_sidecar_parse(b.data, b.len, &sc));
	buf_release(&b);
	static const char nul_etag[] = "{\"url\": \"u\", \"etag\": null}";
	CHECK(dl_sidecar_parse(nul_etag, strlen(nul_etag), &sc));
	CHECK_STR(sc.url, "u");
}

TEST(download_mirror_urls)
{
	char *u = dl_mirror_url("https://huggingface.co/unsloth/X/resolve/main/f.gguf", "http://10.0.0.5:8080/models/");
	CHECK_STR(u, "http://10.0.0.5:8080/models/unsloth/X/resolve/main/f.gguf");
	free(u);
	u = dl_mirror_url("https://user@host.example:443/a?x=1", "file-server");
	CHECK_STR(u, "file-server/a?x=1");
	free(u);
	u = dl_mirror_url("https://host.example", "http://m//");
	CHECK_STR(u, "http://m/");
	free(u);
	CHECK(dl_mirror_url("no-scheme/x", "http://m") == NULL);
	CHECK(dl_mirror_url("://x/y", "http://m") == NULL);

	setenv("TACIT_MODEL_MIRROR", "http://127.0.0.1:9/", 1);
	CHECK_EQ_INT(tacit_download_url("https://huggingface.co/a/b.gguf", &u), TACIT_OK);
	CHECK_STR(u, "http://127.0.0.1:9/a/b.gguf");
	tacit_free(u);
	CHECK_EQ_INT(tacit_download_url("not a url", &u), TACIT_ERR_USAGE);
	CHECK(u == NULL);
	unsetenv("TACIT_MODEL_MIRROR");
	CHECK_EQ_INT(tacit_download_url("https://huggingface.co/a/b.gguf", &u), TACIT_OK);
	CHECK_STR(u, "https://huggingface.co/a/b.gguf");
	tacit_free(u);
}

TEST(download_url_host)
{
	char h[64];
	CHECK(dl_url_host("https://huggingface.co/a", h, sizeof(h)));
	CHECK_STR(h, "huggingface.co");
	CHECK(dl_url_host("http://u:p@127.0.0.1:8080", h, sizeof(h)));
	CHECK_STR(h, "127.0.0.1");
	CHECK(dl_url_host("http://[::1]:80/x", h, sizeof(h)));
	CHECK_STR(h, "[::1]");
	CHECK(!dl_url_host("http:///x", h, sizeof(h)));
	CHECK(!dl_url_host("huggingface.co/a", h, sizeof(h)));
	CHECK(!dl_url_host("http://a-very-long-host-name-that-does-not-fit.example/x", h, 8));
}

TEST(download_rejects_bad_params)
{
	struct tacit_download_params p = tacit_download_default_params();
	char *sha = (char *)"untouched";
	CHECK_EQ_INT(tacit_download(&p, &sha), TACIT_ERR_USAGE);
	CHECK(sha == NULL);
	p.url = DEAD_URL;
	p.dest = "";
	CHECK_EQ_INT(tacit_download(&p, NULL), TACIT_ERR_USAGE);
	p.dest = "/tmp/never-written.gguf";
	p.expected_sha256 = "abc";
	CHECK_EQ_INT(tacit_download(&p, NULL), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "'abc' is not 64 hex digits") != NULL);
	p.expected_sha256 = NULL;
	p.url = "ftp://127.0.0.1/x.gguf";
	CHECK_EQ_INT(tacit_download(&p, NULL), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "only http:// and https://") != NULL);
	CHECK(access("/tmp/never-written.gguf.partial", F_OK) != 0);
}

TEST(download_checks_free_space_first)
{
	char dest[4096];
	snprintf(dest, sizeof(dest), "%s/huge.gguf", test_tmpdir());
	struct tacit_download_params p = tacit_download_default_params();
	p.url = DEAD_URL;
	p.dest = dest;
	p.expected_bytes = 900000000000000000ull; /* 900 PB */
	CHECK_EQ_INT(tacit_download(&p, NULL), TACIT_ERR_NO_SPACE);
	char want[4200];
	snprintf(want, sizeof(want), "not enough disk space in '%s': need 945000000.0 GB (file + 5 %%), ",
		 test_tmpdir());
	CHECK(strstr(tacit_errmsg(), want) == tacit_errmsg());
	CHECK(strstr(tacit_errmsg(), "GB free") != NULL);
	/* nothing was received, so nothing is left to resume */
	char partial[4200];
	snprintf(partial, sizeof(partial), "%s.partial", dest);
	CHECK(access(partial, F_OK) != 0);
	CHECK(access(dest, F_OK) != 0);
}

TEST(download_unreachable_host_is_one_clear_error)
{
	char dest[4096];
	snprintf(dest, sizeof(dest), "%s/x.gguf", test_tmpdir());
	struct tacit_download_params p = tacit_download_default_params();
	p.url = DEAD_URL;
	p.dest = dest;
	p.use_mirror = false;
	CHECK_EQ_INT(tacit_download(&p, NULL), TACIT_ERR_NETWORK);
	CHECK(strstr(tacit_errmsg(), "cannot reach '127.0.0.1': ") == tacit_errmsg());
	CHECK(strstr(tacit_errmsg(), "TACIT_MODEL_MIRROR=URL") != NULL);
	CHECK(strchr(tacit_errmsg(), '\n') == NULL);
	CHECK(access(dest, F_OK) != 0);

	volatile int stop = 1;
	p.cancel = &stop;
	CHECK_EQ_INT(tacit_download(&p, NULL), TACIT_ERR_CANCELLED);
}

TEST(download_existing_verified_file_needs_no_network)
{
	const char *dir = test_tmpdir();
	const char *dest = test_write_file(dir, "abc.gguf", "abc", 3);
	char path[4096];
	snprintf(path, sizeof(path), "%s", dest);
	struct tacit_download_params p = tacit_download_default_params();
	p.url = DEAD_URL; /* would fail if it were used */
	p.dest = path;
	p.expected_sha256 = ABC_SHA;
	char *sha = NULL;
	CHECK_EQ_INT(tacit_download(&p, &sha), TACIT_OK);
	CHECK_STR(sha, ABC_SHA);
	tacit_free(sha);

	/* without a catalog sha256, the one recorded beside the file serves */
	test_write_file(dir, "abc.gguf.sha256", ABC_SHA "  abc.gguf\n", SHA256_HEX_LEN + 11);
	p.expected_sha256 = NULL;
	CHECK_EQ_INT(tacit_download(&p, NULL), TACIT_OK);

	/* a damaged file is fetched again (and here fails: nothing listens) */
	test_write_file(dir, "abc.gguf", "abd", 3);
	CHECK_EQ_INT(tacit_download(&p, NULL), TACIT_ERR_NETWORK);
	CHECK(access(path, F_OK) == 0); /* the old file stays until a verified one replaces it */
}

TEST(download_remove)
{
	const char *dir = test_tmpdir();
	char dest[4096];
	uint64_t freed = 1;
	snprintf(dest, sizeof(dest), "%s/m.gguf", dir);
	CHECK_EQ_INT(tacit_download_remove(dest, &freed), TACIT_ERR_NOT_FOUND);
	CHECK(freed == 0);
	test_write_file(dir, "m.gguf", "0123456789", 10);
	test_write_file(dir, "m.gguf.partial", "01234", 5);
	test_write_file(dir, "m.gguf.partial.json", "{}", 2);
	test_write_file(dir, "m.gguf.sha256", "x", 1);
	test_write_file(dir, "m.gguf.other", "keep", 4);
	CHECK_EQ_INT(tacit_download_remove(dest, &freed), TACIT_OK);
	CHECK_EQ_INT(freed, 18);
	CHECK(access(dest, F_OK) != 0);
	char other[4200];
	snprintf(other, sizeof(other), "%s.other", dest);
	CHECK(access(other, F_OK) == 0);
	/* a partial alone counts as downloaded-in-part */
	test_write_file(dir, "m.gguf.partial", "01234", 5);
	CHECK_EQ_INT(tacit_download_remove(dest, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_download_remove(dest, NULL), TACIT_ERR_NOT_FOUND);
}
