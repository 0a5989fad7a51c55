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
