/*
 * api_fixture.h — what the tests of the web app's handler share (test_api.c,
 * test_api_web.c): a handler on a store under the test's TACIT_HOME, one request with a
 * valid Host, Origin and token, an event-stream POST read to a marker, and a count of
 * this process's model workers (a cancelled job must leave none).
 */
#ifndef TACIT_TEST_API_FIXTURE_H
#define TACIT_TEST_API_FIXTURE_H

#include "api.h"

#define TOKEN "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* A handler on port 4321 with TOKEN, no network, the "m3-air-16gb" machine; NULL on failure. */
struct api *new_api(void);

/* One request with a valid Host, Origin and token; range may be NULL. Its status; the
 * body in out; the whole response in *keep (the caller releases it) when keep is not NULL. */
int req(struct api *api, const char *method, const char *target, const char *body, const char *range,
	struct buf *out, struct api_response *keep);

/* A POST answered with an event stream: its status, and in *events everything it sent,
 * read to its end or until `until` appears (two minutes at most); with keep, the
 * still-open stream goes to *keep instead of being freed. */
int post_stream(struct api *api, const char *target, const char *body, const char *until, struct buf *events,
		struct api_stream **keep);

/* Model workers (children named tacit-worker) this process has running. */
int n_workers(void);

#endif
