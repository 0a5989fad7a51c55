/*
 * test_utf8.c — src/utf8.c: what is valid, what repair makes of each kind of damage, the
 * Windows-1252 decision for imported files, cutting at a character boundary, escaped
 * paths, and a JSON document with bad bytes that still serialises.
 */
#include "../check.h"

#include "utf8.h"

#include <yyjson.h>

static bool repaired_is(const char *in, size_t len, const char *want)
{
	size_t n = 0;
	char *out = utf8_repair(in, len, &n);
	bool ok = out && n == strlen(want) && !memcmp(out, want, n) && utf8_valid(out, n);
	if (!ok)
		fprintf(stderr, "  repair gave '%s'\n", out ? out : "(null)");
	free(out);
	return ok;
}

TEST(utf8_validates)
{
	CHECK(utf8_valid("", 0));
	CHECK(utf8_valid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14));
	CHECK(!utf8_valid("caf\xE9", 4));           /* Latin-1 */
	CHECK(!utf8_valid("\xC0\xAF", 2));          /* overlong '/' */
	CHECK(!utf8_valid("\xE0\x80\xAF", 3));      /* overlong */
	CHECK(!utf8_valid("\xED\xA0\x80", 3));      /* a surrogate */
	CHECK(!utf8_valid("\xF4\x90\x80\x80", 4));  /* past U+10FFFF */
	CHECK(!utf8_valid("\xE2\x82", 2));          /* cut short */
	CHECK(!utf8_valid("\x80", 1));
	CHECK(!utf8_valid("\xFF", 1));
}

TEST(utf8_repair_replaces_maximal_subparts)
{
	CHECK(repaired_is("ok", 2, "ok"));
	CHECK(repaired_is("caf\xE9!", 5, "caf\xEF\xBF\xBD!"));
	CHECK(repaired_is("\xE2\x82\"", 3, "\xEF\xBF\xBD\"")); /* a quote after a cut sequence survives */
	CHECK(repaired_is("\xF0\x9F\x98", 3, "\xEF\xBF\xBD"));  /* one subpart, one U+FFFD */
	CHECK(repaired_is("\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD"));
	CHECK(repaired_is("a\xFF\xFE" "b", 4, "a\xEF\xBF\xBD\xEF\xBF\xBD" "b"));
	CHECK(repaired_is("\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"));
	char *s = utf8_repair_str("\xC3\xA9t\xE9");
	CHECK(s && !strcmp(s, "\xC3\xA9t\xEF\xBF\xBD"));
	free(s);
	CHECK(utf8_repair_str(NULL) == NULL);
}

TEST(utf8_windows_1252_file_is_decoded)
{
	/* "Café – “quoted” €5" as Notepad's ANSI writes it */
	const char cp[] = "Caf\xE9 \x96 \x93quoted\x94 \x80" "5 \x81";
	size_t n = 0;
	char *out = utf8_from_unknown(cp, sizeof(cp) - 1, &n);
	CHECK(out && !strcmp(out, "Caf\xC3\xA9 \xE2\x80\x93 \xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC"
				  "5 \xEF\xBF\xBD"));
	CHECK(out && utf8_valid(out, n));
	free(out);
	/* UTF-8 with one stray byte stays UTF-8: its real characters are not turned into mojibake */
	out = utf8_from_unknown("\xC3\xA9t\xE9", 4, NULL);
	CHECK(out && !strcmp(out, "\xC3\xA9t\xEF\xBF\xBD"));
	free(out);
	out = utf8_from_unknown("plain", 5, NULL);
	CHECK(out && !strcmp(out, "plain"));
	free(out);
}

TEST(utf8_cut_keeps_characters_whole)
{
	const char *s = "ab\xE2\x82\xAC" "c"; /* a b € c */
	CHECK_EQ_INT(utf8_cut(s, 6, 10), 6);
	CHECK_EQ_INT(utf8_cut(s, 6, 4), 2);
	CHECK_EQ_INT(utf8_cut(s, 6, 5), 5);
	CHECK_EQ_INT(utf8_cut(s, 6, 2), 2);
	CHECK_EQ_INT(utf8_cut("\xFF\xFF", 2, 1), 1);
}

TEST(utf8_escapes_paths)
{
	struct buf b;
	buf_init(&b);
	CHECK(utf8_escape_buf(&b, "/tmp/caf\xE9/\xC3\xA9.gguf", 17));
	CHECK(!strcmp(b.data, "/tmp/caf\\xE9/\xC3\xA9.gguf"));
	CHECK(utf8_valid(b.data, b.len));
	buf_release(&b);
}

TEST(utf8_json_write_survives_bad_bytes)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_str(doc, root, "title", "Caf\xE9 \"q\"");
	yyjson_mut_obj_add_str(doc, root, "ok", "\xC3\xA9");
	CHECK(yyjson_mut_write(doc, 0, NULL) == NULL); /* what broke the app before */
	size_t n = 0;
	char *text = utf8_json_write(doc, 0, &n);
	CHECK(text && !strcmp(text, "{\"title\":\"Caf\xEF\xBF\xBD \\\"q\\\"\",\"ok\":\"\xC3\xA9\"}"));
	CHECK(text && n == strlen(text) && utf8_valid(text, n));
	yyjson_doc *back = text ? yyjson_read(text, n, 0) : NULL;
	CHECK(back != NULL);
	yyjson_doc_free(back);
	free(text);
	yyjson_mut_doc_free(doc);
}
