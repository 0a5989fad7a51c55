/*
 * engine.c — where model work runs (struct tacit_engine): the URL check, the per-device
 * settings engine.<kind>.*, and the host a remote engine names, for messages. Invariant:
 * an engine is remote only when its URL passed tacit_engine_set_url(); nothing here
 * reads or holds the API key (remote_llm.c reads it when it connects).
 */
#include "internal.h"

#include "engine.h"

#include <strings.h>

struct tacit_engine tacit_engine_default(void)
{
	struct tacit_engine e;
	memset(&e, 0, sizeof(e));
	return e;
}

bool tacit_engine_is_remote(const struct tacit_engine *e)
{
	return e && e->url[0] && strcmp(e->url, "local") != 0;
}

enum tacit_status tacit_engine_set_url(struct tacit_engine *e, const char *url)
{
	if (!e)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_engine_set_url: e is NULL");
	if (!url || !*url || !strcmp(url, "local")) {
		e->url[0] = '\0';
		return TACIT_OK;
	}
	const char *rest = !strncasecmp(url, "https://", 8) ? url + 8 : !strncasecmp(url, "http://", 7) ? url + 7 : NULL;
	if (!rest)
		return tacit_fail(TACIT_ERR_USAGE,
				  "engine '%s' is neither 'local' nor an http:// or https:// URL "
				  "(e.g. http://gpu-box:8080)",
				  url);
	if (!*rest || *rest == '/' || *rest == ':')
		return tacit_fail(TACIT_ERR_USAGE, "engine URL '%s' names no host", url);
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '\\' || (unsigned char)*p >= 0x7f)
			return tacit_fail(TACIT_ERR_USAGE, "engine URL '%s' has a space or character a URL cannot hold",
					  url);
	if (strchr(rest, '@'))
		return tacit_fail(TACIT_ERR_USAGE, "engine URL '%s' holds a user name or password: put the API key in "
						   "a file (setting engine.llm.key_file) or TACIT_ENGINE_KEY instead",
				  url);
	if (strlen(url) >= sizeof(e->url))
		return tacit_fail(TACIT_ERR_USAGE, "engine URL is longer than %zu bytes", sizeof(e->url) - 1);
	snprintf(e->url, sizeof(e->url), "%s", url);
	return TACIT_OK;
}

void engine_host(const struct tacit_engine *e, char *out, size_t len)
{
	const char *u = e ? e->url : "";
	const char *rest = strstr(u, "://");
	rest = rest ? rest + 3 : u;
	size_t n = strcspn(rest, "/?#");
	snprintf(out, len, "%.*s", (int)n, rest);
}

/* One optional setting into a fixed field; too long is an error, not a cut. */
static enum tacit_status get_into(struct tacit_store *store, const char *key, char *dst, size_t cap)
{
	char *v = NULL;
	enum tacit_status st = tacit_store_setting_get(store, key, &v);
	if (st == TACIT_ERR_NOT_FOUND) {
		tacit_clear_error();
		return TACIT_OK;
	}
	if (st == TACIT_OK && strlen(v) >= cap)
		st = tacit_fail(TACIT_ERR_USAGE, "setting %s is longer than %zu bytes", key, cap - 1);
	if (st == TACIT_OK)
		snprintf(dst, cap, "%s", v);
	tacit_free(v);
	return st;
}

enum tacit_status tacit_engine_from_settings(struct tacit_store *store, const char *kind, struct tacit_engine *out)
{
	char key[64], url[sizeof(out->url)] = "", num[16] = "";
	enum tacit_status st = TACIT_OK;

	if (!out || !kind)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_engine_from_settings: kind and out are required");
	*out = tacit_engine_default();
	if (!store)
		return TACIT_OK;
	snprintf(key, sizeof(key), "engine.%s", kind);
	if ((st = get_into(store, key, url, sizeof(url))) != TACIT_OK)
		return st;
	if ((st = tacit_engine_set_url(out, url)) != TACIT_OK) {
		struct errsave why;
		errsave_push(&why);
		return tacit_fail(st, "setting %s: %s", key, why.msg);
	}
	snprintf(key, sizeof(key), "engine.%s.model", kind);
	if ((st = get_into(store, key, out->model, sizeof(out->model))) != TACIT_OK)
		return st;
	snprintf(key, sizeof(key), "engine.%s.key_file", kind);
	if ((st = get_into(store, key, out->key_file, sizeof(out->key_file))) != TACIT_OK)
		return st;
	snprintf(key, sizeof(key), "engine.%s.ca_file", kind);
	if ((st = get_into(store, key, out->ca_file, sizeof(out->ca_file))) != TACIT_OK)
		return st;
	snprintf(key, sizeof(key), "engine.%s.timeout_s", kind);
	if ((st = get_into(store, key, num, sizeof(num))) != TACIT_OK)
		return st;
	if (num[0]) {
		char *end;
		long v = strtol(num, &end, 10);
		if (*end || v < 1 || v > 86400)
			return tacit_fail(TACIT_ERR_USAGE, "setting %s is '%s', not a number of seconds (1 to 86400)", key,
					  num);
		out->timeout_s = (int)v;
	}
	return TACIT_OK;
}

void tacit_engine_host(const struct tacit_engine *e, char *out, size_t len)
{
	if (!out || !len)
		return;
	if (tacit_engine_is_remote(e))
		engine_host(e, out, len);
	else
		snprintf(out, len, "local");
}

void tacit_engine_describe(const struct tacit_engine *e, char *out, size_t len)
{
	char host[256];
	if (!out || !len)
		return;
	if (!tacit_engine_is_remote(e)) {
		snprintf(out, len, "this device");
		return;
	}
	engine_host(e, host, sizeof(host));
	if (e->model[0])
		snprintf(out, len, "remote, %s (model %s)", host, e->model);
	else
		snprintf(out, len, "remote, %s (the server's model)", host);
}
