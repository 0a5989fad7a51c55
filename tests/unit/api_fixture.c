/*
 * api_fixture.c — the web app handler's test fixture (api_fixture.h): requests without a
 * socket, event streams read to a marker, model workers counted from /proc.
 */
#include "../check.h"
#include "api_fixture.h"

#include <dirent.h>
#include <time.h>
#include <unistd.h>

struct api *new_api(void)
{
	struct tacit_system sys;
	struct api_params p = { .port = 4321, .token = TOKEN, .no_network = true };
	struct api *api = NULL;
	if (tacit_profile_get("m3-air-16gb", &sys) != TACIT_OK)
		return NULL;
	p.sys = &sys;
	return api_new(&p, &api) == TACIT_OK ? api : NULL;
}

int req(struct api *api, const char *method, const char *target, const char *body, const char *range,
	struct buf *out, struct api_response *keep)
{
	struct api_request rq = { .method = method, .target = target, .host = "127.0.0.1:4321",
				  .origin = "http://127.0.0.1:4321", .authorization = "Bearer " TOKEN,
				  .body = body, .body_len = body ? strlen(body) : 0, .range = range };
	struct api_response res;
	api_handle(api, &rq, &res);
	int st = res.status;
	buf_reset(out);
	buf_add(out, res.body.data, res.body.len);
	if (keep)
		*keep = res;
	else
		api_response_release(&res);
	return st;
}

int post_stream(struct api *api, const char *target, const char *body, const char *until, struct buf *events,
		struct api_stream **keep)
{
	struct api_response res;
	int st = req(api, "POST", target, body, NULL, events, &res);
	buf_reset(events);
	if (!res.stream) {
		buf_add(events, res.body.data, res.body.len);
	} else {
		CHECK_STR(res.content_type, "text/event-stream");
		time_t end = time(NULL) + 120;
		while (time(NULL) < end && !(until && strstr(events->data, until)))
			if (api_stream_read(res.stream, events) < 0)
				break;
		if (keep) {
			*keep = res.stream;
			res.stream = NULL;
		}
	}
	api_response_release(&res);
	return st;
}

int n_workers(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d))) {
		char path[300], line[512];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f)) {
			const char *close = strrchr(line, ')');
			int ppid = 0;
			char state;
			if (strstr(line, "(tacit-worker)") && close && sscanf(close + 1, " %c %d", &state, &ppid) == 2 &&
			    ppid == (int)getpid())
				n++;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}
