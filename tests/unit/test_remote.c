/* test_remote.c — the pieces of remote engines that need no server: the event-stream
 * parser (CRLF split across pieces, multi-line data, comments, the cap), the engine URL
 * check and settings, and a handle on a port where nothing listens failing at once with
 * the host named (the server tests are tests/integration/remote_llm.sh). */
#include "internal.h"

#include "../check.h"
#include "engine.h"
#include "sse.h"

struct got {
	char all[512];
	int n;
};

static bool collect(const char *event, const char *data, size_t len, void *user)
{
	struct got *g = user;
	size_t k = strlen(g->all);
	snprintf(g->all + k, sizeof(g->all) - k, "[%s|%.*s]", event, (int)len, data);
	g->n++;
	return true;
}

TEST(sse_parses_events_in_any_pieces)
{
	static const char s[] = ": ping\r\ndata: {\"a\":1}\r\n\r\nevent: error\ndata: one\ndata:two\n\n"
				"id: 7\rdata\r\rdata: never ended";
	for (size_t step = 1; step <= sizeof(s); step++) {
		struct got g = { "", 0 };
		struct sse p;
		sse_init(&p, 0, collect, &g);
		for (size_t i = 0; i < sizeof(s) - 1; i += step)
			CHECK(sse_feed(&p, s + i, i + step < sizeof(s) - 1 ? step : sizeof(s) - 1 - i));
		sse_release(&p);
		CHECK(g.n == 3);
		CHECK(!strcmp(g.all, "[message|{\"a\":1}][error|one\ntwo][message|]"));
	}
}

TEST(sse_stops_at_the_cap)
{
	struct got g = { "", 0 };
	struct sse p;
	sse_init(&p, 16, collect, &g);
	CHECK(!sse_feed(&p, "data: 0123456789abcdefghij\n\n", 28));
	CHECK(g.n == 0);
	sse_release(&p);
}

TEST(engine_url_is_checked)
{
	struct tacit_engine e = tacit_engine_default();
	char host[64];
	CHECK(!tacit_engine_is_remote(&e) && !tacit_engine_is_remote(NULL));
	CHECK(tacit_engine_set_url(&e, "local") == TACIT_OK && !tacit_engine_is_remote(&e));
	CHECK(tacit_engine_set_url(&e, "ftp://x") == TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "neither 'local' nor an http:// or https:// URL"));
	CHECK(tacit_engine_set_url(&e, "http://") == TACIT_ERR_USAGE);
	CHECK(tacit_engine_set_url(&e, "http://user:secret@host") == TACIT_ERR_USAGE);
	CHECK(!strstr(tacit_errmsg(), "secret") || strstr(tacit_errmsg(), "API key"));
	CHECK(tacit_engine_set_url(&e, "http://a b") == TACIT_ERR_USAGE);
	CHECK(tacit_engine_set_url(&e, "https://gpu-box:8080/v1") == TACIT_OK && tacit_engine_is_remote(&e));
	engine_host(&e, host, sizeof(host));
	CHECK(!strcmp(host, "gpu-box:8080"));
}

TEST(engine_settings_are_read)
{
	struct tacit_store *s = NULL;
	struct tacit_engine e;
	CHECK(tacit_store_open(":memory:", &s) == TACIT_OK);
	CHECK(tacit_engine_from_settings(s, "llm", &e) == TACIT_OK && !tacit_engine_is_remote(&e));
	CHECK(tacit_store_setting_set(s, "engine.llm", "http://127.0.0.1:9") == TACIT_OK);
	CHECK(tacit_store_setting_set(s, "engine.llm.model", "m") == TACIT_OK);
	CHECK(tacit_store_setting_set(s, "engine.llm.timeout_s", "7") == TACIT_OK);
	CHECK(tacit_engine_from_settings(s, "llm", &e) == TACIT_OK && tacit_engine_is_remote(&e));
	CHECK(!strcmp(e.url, "http://127.0.0.1:9") && !strcmp(e.model, "m") && e.timeout_s == 7);
	CHECK(tacit_store_setting_set(s, "engine.llm.timeout_s", "soon") == TACIT_OK);
	CHECK(tacit_engine_from_settings(s, "llm", &e) == TACIT_ERR_USAGE);
	CHECK(tacit_store_setting_set(s, "engine.llm", "gopher://x") == TACIT_OK);
	CHECK(tacit_engine_from_settings(s, "llm", &e) == TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "setting engine.llm: "));
	tacit_store_close(s);
}

/* No silent fallback: a remote engine that cannot be reached fails, naming the host,
 * even with a model file given that would load locally. */
TEST(remote_unreachable_is_an_error_naming_the_host)
{
	struct tacit_engine e = tacit_engine_default();
	struct tacit_llm_params lp = tacit_llm_default_params();
	struct tacit_llm *llm = NULL;
	CHECK(tacit_engine_set_url(&e, "http://127.0.0.1:1") == TACIT_OK);
	e.connect_timeout_s = 2;
	lp.engine = &e;
	lp.model_path = "../shared/models/stories260K.gguf";
	CHECK(tacit_llm_open(&lp, &llm) == TACIT_ERR_NETWORK);
	CHECK(llm == NULL);
	CHECK(strstr(tacit_errmsg(), "cannot reach the language model server '127.0.0.1:1': connection refused"));
}
