/*
 * fuzz_mcp.c — arbitrary lines into the MCP server's JSON-RPC handling, over an
 * in-memory store with one meeting: every line is handled with TACIT_OK, and any reply
 * is one JSON object with "jsonrpc":"2.0" and exactly one of "result" and "error" —
 * never a crash, a leak or a sanitizer report.
 */
#include <tacit.h>

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yyjson.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tacit_store *store;
static struct tacit_mcp *mcp;

static void setup(void)
{
	int64_t id;
	if (tacit_store_open(":memory:", &store) != TACIT_OK)
		abort();
	struct tacit_session_params p = tacit_session_default_params();
	p.title = "fuzz";
	if (tacit_store_session_create(store, &p, &id) != TACIT_OK)
		abort();
	struct tacit_segment g = { .start_ms = 0, .end_ms = 900, .speaker = "Alice",
				   .text = "We pick the supplier Acme for the batteries.", .confidence = -1 };
	if (tacit_store_add_segment(store, id, &g, NULL) != TACIT_OK || tacit_mcp_new(store, &mcp) != TACIT_OK)
		abort();
	/* the ask tool must fail at once here, not load whatever model this machine has */
	if (tacit_mcp_set_model(mcp, "/nonexistent/fuzz-model.gguf") != TACIT_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *reply = NULL;
	if (!mcp)
		setup();
	enum tacit_status st = tacit_mcp_handle(mcp, (const char *)data, size, &reply);
	assert(st == TACIT_OK);
	if (reply) {
		yyjson_doc *d = yyjson_read(reply, strlen(reply), YYJSON_READ_ALLOW_INVALID_UNICODE);
		yyjson_val *r = yyjson_doc_get_root(d);
		assert(yyjson_is_obj(r));
		assert(yyjson_equals_str(yyjson_obj_get(r, "jsonrpc"), "2.0"));
		assert(!yyjson_obj_get(r, "result") != !yyjson_obj_get(r, "error"));
		yyjson_doc_free(d);
		tacit_free(reply);
	}
	return 0;
}
