/*
 * fuzz_api.c — the web app's request handler without a socket: the input is a request
 * ("METHOD TARGET" line, "Name: value" header lines, a blank line, the body). Host,
 * Origin and the bearer token default to valid values so inputs reach the handlers;
 * a header line in the input replaces the default. An uploaded recording's body goes to
 * a temporary file first, as serve.c writes it. Every answer must be a valid status
 * and, when it says JSON, valid JSON; nothing may crash, leak or hang. Downloads are off.
 */
#include "api.h"

#include <assert.h>
#include <ftw.h>
#include <stdint.h>
#include <unistd.h>

#include <yyjson.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TOKEN "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct api *api;
static char home[] = "/tmp/tacit-fuzz-api-XXXXXX";

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	api_free(api);
	nftw(home, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	struct tacit_system sys;
	struct api_params p = { .port = 8080, .token = TOKEN, .no_network = true };
	if (!mkdtemp(home) || setenv("TACIT_HOME", home, 1) != 0)
		abort();
	unsetenv("TACIT_CATALOG");
	if (tacit_profile_get("m3-air-16gb", &sys) != TACIT_OK)
		abort();
	p.sys = &sys;
	if (api_new(&p, &api) != TACIT_OK)
		abort();
	atexit(teardown);
}

/* The next line of [*p, end) as a new string without its "\r\n"; NULL at the end. */
static char *next_line(const char **p, const char *end)
{
	const char *s = *p, *nl;
	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
	*p = nl ? nl + 1 : end;
	if (n && s[n - 1] == '\r')
		n--;
	return strndup(s, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *line, *first = NULL, *hdr[16] = { 0 };
	int n_hdr = 0;
	struct api_request req = { 0 };
	struct api_response res;

	if (!api)
		setup();
	req.host = "127.0.0.1:8080";
	req.origin = "http://localhost:8080";
	req.authorization = "Bearer " TOKEN;
	if (!(first = next_line(&p, end)))
		return 0;
	char *sp = strchr(first, ' ');
	if (!sp)
		goto out;
	*sp = '\0';
	req.method = first;
	req.target = sp + 1;
	while ((line = next_line(&p, end))) {
		if (!*line || n_hdr == 16) {
			free(line);
			break;
		}
		hdr[n_hdr++] = line;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		const char *v = colon + 1 + (colon[1] == ' ');
		if (!strcasecmp(line, "host"))
			req.host = *v ? v : NULL;
		else if (!strcasecmp(line, "origin"))
			req.origin = *v ? v : NULL;
		else if (!strcasecmp(line, "authorization"))
			req.authorization = *v ? v : NULL;
		else if (!strcasecmp(line, "cookie"))
			req.cookie = v;
		else if (!strcasecmp(line, "sec-fetch-site"))
			req.sec_fetch_site = v;
		else if (!strcasecmp(line, "range"))
			req.range = v;
	}
	req.body = p;
	req.body_len = (size_t)(end - p);
	/* as serve.c does: an over-long body never reaches the handler whole */
	if (req.body_len > api_body_limit(req.method, req.target))
		req.body_len = api_body_limit(req.method, req.target) + 1;
	/* and an uploaded recording arrives as a temporary file */
	char upload[sizeof(home) + 32] = "";
	if (api_body_to_file(req.method, req.target)) {
		snprintf(upload, sizeof(upload), "%s/upload-XXXXXX", home);
		int fd = mkstemp(upload);
		if (fd < 0 || write(fd, p, (size_t)(end - p)) != (ssize_t)(end - p))
			abort();
		close(fd);
		req.body = NULL;
		req.body_path = upload;
	}

	api_handle(api, &req, &res);
	/* a refused upload the handler kept is gone already; serve.c removes the others */
	assert(!(*upload && res.kept_body && !res.stream && access(upload, F_OK) == 0));
	if (*upload && !res.kept_body)
		unlink(upload);
	assert(res.status >= 200 && res.status < 600);
	assert(res.content_type);
	if (!strcmp(res.content_type, "application/json")) {
		yyjson_doc *doc = yyjson_read(res.body.data, res.body.len, 0);
		assert(doc);
		yyjson_doc_free(doc);
	}
	if (res.status >= 400 && !strcmp(res.content_type, "application/json"))
		assert(strstr(res.body.data, "\"message\""));
	api_response_release(&res);
out:
	for (int i = 0; i < n_hdr; i++)
		free(hdr[i]);
	free(first);
	return 0;
}
