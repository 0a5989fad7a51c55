/*
 * api_audio.c — a meeting's recording for the page's player: the list of its chunks (one
 * WAV each, consecutive on the meeting's timeline: chunk k starts where k-1 ends) and
 * each chunk's bytes with HTTP byte ranges, so the browser can seek without reading the
 * whole file. Invariant: a Range is one satisfiable byte range (206 with Content-Range),
 * absent or several (200, the whole file: RFC 9110 lets a server ignore a multi-range),
 * or refused (416 with "Content-Range: bytes * /SIZE"): never a partial guess.
 */
#include "api.h"
#include "basics.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yyjson.h>

/* Digits only, no sign, no overflow; false otherwise. *end gets the first other byte. */
static bool parse_u64(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*end = p;
	*out = v;
	return p != s;
}

int api_parse_range(const char *h, uint64_t size, uint64_t *first, uint64_t *last)
{
	uint64_t a = 0, b = 0;
	const char *p;

	if (!h)
		return 0;
	if (strncmp(h, "bytes=", 6) != 0)
		return -1; /* another unit: nothing of it can be served */
	h += 6;
	while (*h == ' ')
		h++;
	if (strchr(h, ','))
		return 0; /* several ranges: the whole file */
	if (*h == '-') { /* the last n bytes */
		if (!parse_u64(h + 1, &p, &b) || *p || b == 0 || size == 0)
			return -1;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return 1;
	}
	if (!parse_u64(h, &p, &a) || *p != '-')
		return -1;
	h = p + 1;
	if (!*h) {
		b = size ? size - 1 : 0;
	} else if (!parse_u64(h, &p, &b) || *p || b < a) {
		return -1;
	}
	if (a >= size)
		return -1;
	*first = a;
	*last = b >= size ? size - 1 : b;
	return 1;
}

static int64_t chunk_ms(const struct tacit_audio_file *f)
{
	if (f->sample_rate <= 0 || f->channels <= 0)
		return 0;
	return f->data_bytes * 1000 / (2 * (int64_t)f->channels * f->sample_rate);
}

static void list_chunks(struct api_response *res, int64_t id, const struct tacit_audio_file *f, size_t n)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, root, "chunks");
	int64_t at = 0;
	for (size_t i = 0; i < n; i++) {
		char url[96];
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
		snprintf(url, sizeof(url), "/api/sessions/%" PRId64 "/audio/%d", id, f[i].chunk);
		yyjson_mut_obj_add_int(doc, o, "chunk", f[i].chunk);
		yyjson_mut_obj_add_int(doc, o, "start_ms", at);
		yyjson_mut_obj_add_int(doc, o, "duration_ms", chunk_ms(&f[i]));
		yyjson_mut_obj_add_int(doc, o, "channels", f[i].channels);
		yyjson_mut_obj_add_int(doc, o, "sample_rate", f[i].sample_rate);
		yyjson_mut_obj_add_strcpy(doc, o, "state", f[i].state);
		yyjson_mut_obj_add_strcpy(doc, o, "url", url);
		at += chunk_ms(&f[i]);
	}
	api_json(res, 200, doc);
}

static void send_chunk(struct api_call *c, struct api_response *res, const struct tacit_audio_file *f)
{
	struct stat sb;
	uint64_t first = 0, last = 0;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		api_error_msg(res, 404, "the recording's chunk %d is missing from disk", f->chunk);
		return;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		api_error_msg(res, 404, "the recording's chunk %d is not a file", f->chunk);
		return;
	}
	uint64_t size = (uint64_t)sb.st_size;
	int r = api_parse_range(c->req->range, size, &first, &last);
	res->accept_ranges = true;
	if (r < 0) {
		close(fd);
		api_error_msg(res, 416, "the range '%.60s' is outside the recording's %" PRIu64 " bytes", c->req->range,
			      size);
		if (asprintf(&res->content_range, "bytes */%" PRIu64, size) < 0)
			res->content_range = NULL;
		return;
	}
	if (r == 1 && asprintf(&res->content_range, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last, size) < 0) {
		res->content_range = NULL;
		close(fd);
		api_error_msg(res, 503, "out of memory");
		return;
	}
	res->status = r == 1 ? 206 : 200;
	res->content_type = "audio/wav";
	res->has_file = true;
	res->file_fd = fd;
	res->file_off = r == 1 ? first : 0;
	res->file_len = r == 1 ? last - first + 1 : size;
}

void api_audio(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id)
{
	struct tacit_audio_file *files = NULL;
	struct tacit_session s;
	size_t n = 0;
	enum tacit_status st;

	if ((st = tacit_store_session_get(store, id, &s)) != TACIT_OK ||
	    (st = tacit_store_audio_files(store, id, &files, &n)) != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	if (c->n_seg == 4) {
		list_chunks(res, id, files, n);
		goto out;
	}
	char *end;
	long k = strtol(c->seg[4], &end, 10);
	if (!*c->seg[4] || *end || k < 0) {
		api_error_msg(res, 400, "'%.40s' is not a chunk number", c->seg[4]);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (files[i].chunk == k) {
			send_chunk(c, res, &files[i]);
			goto out;
		}
	api_error_msg(res, 404, "meeting %" PRId64 " has no recording chunk %ld", id, k);
out:
	tacit_free(files);
}
