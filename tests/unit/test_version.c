/* test_version.c — tacit_versions() names tacit and every library it was built with. */
#include "internal.h"

#include "../check.h"

TEST(versions_are_reported)
{
	struct tacit_versions v = tacit_versions();
	CHECK_STR(v.tacit, TACIT_VERSION);
	CHECK(v.llama && *v.llama);
	CHECK(v.whisper && *v.whisper);
	CHECK(v.ggml && *v.ggml);
	CHECK(v.sqlite && *v.sqlite);
}

TEST(version_number_matches_the_header)
{
	char text[32];
	snprintf(text, sizeof(text), "%d.%d.%d", TACIT_VERSION_MAJOR, TACIT_VERSION_MINOR, TACIT_VERSION_PATCH);
	CHECK_STR(text, TACIT_VERSION);
	CHECK_EQ_INT(tacit_version_number(), TACIT_VERSION_NUMBER);
	CHECK_EQ_INT(TACIT_VERSION_NUMBER,
		     TACIT_VERSION_MAJOR * 10000 + TACIT_VERSION_MINOR * 100 + TACIT_VERSION_PATCH);
	CHECK(TACIT_VERSION_MINOR < 100 && TACIT_VERSION_PATCH < 100);
}
