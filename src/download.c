/*
 * download.c — the model downloader: THE ONLY NETWORK CODE IN TACIT, and the only file that
 * includes curl.h. Invariants: DEST.partial always holds a prefix of the server's file
 * exactly as received (so resuming re-hashes it and appends); DEST.partial.json names its
 * source and validators; a file reaches DEST only after its sha256 verified, by fsync,
 * rename and a directory fsync. Over 1,000 lines but one idea (getting one model file,
 * resumably and verified): splitting it would spread those invariants over several files.
 */
#include "internal.h"

#include "basics.h"
#include "download.h"
#include "hash.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <yyjson.h>

#define SIDECAR_MAX (64 * 1024)
#define SIDECAR_EVERY ((uint64_t)8 << 20) /* rewrite bytes_done after this much */
#define STALL_BYTES_PER_S 1024
#define MAX_RESTARTS 3
#define MAX_BACKOFF_MS 30000

/* ---- pure parsing ------------------------------------------------------------------- */

static bool copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		return false;
	memcpy(dst, src ? src : "", n + 1);
	return true;
}

bool dl_sidecar_parse(const char *text, size_t len, struct dl_sidecar *out)
{
	static const struct {
		const char *key;
		size_t off, cap;
	} strs[] = {
		{ "url", offsetof(struct dl_sidecar, url), sizeof(out->url) },
		{ "etag", offsetof(struct dl_sidecar, etag), sizeof(out->etag) },
		{ "last_modified", offsetof(struct dl_sidecar, last_modified), sizeof(out->last_modified) },
		{ "sha256", offsetof(struct dl_sidecar, sha256), sizeof(out->sha256) },
	};
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (!text || len == 0 || len > SIDECAR_MAX)
		return false;
	yyjson_doc *doc = yyjson_read(text, len, 0);
	yyjson_val *root = yyjson_doc_get_root(doc);
	if (!yyjson_is_obj(root))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		yyjson_val *v = yyjson_obj_get(root, strs[i].key);
		if (!v || yyjson_is_null(v))
			continue;
		if (!yyjson_is_str(v) || strlen(yyjson_get_str(v)) != yyjson_get_len(v) ||
		    !copy_str((char *)out + strs[i].off, strs[i].cap, yyjson_get_str(v)))
			goto out;
	}
	yyjson_val *done = yyjson_obj_get(root, "bytes_done");
	yyjson_val *total = yyjson_obj_get(root, "bytes_total");
	if ((done && !yyjson_is_uint(done)) || (total && !yyjson_is_uint(total)))
		goto out;
	out->bytes_done = done ? yyjson_get_uint(done) : 0;
	out->bytes_total = total ? yyjson_get_uint(total) : 0;
	if (out->sha256[0] && !sha256_is_hex(out->sha256))
		goto out;
	if (out->bytes_total && out->bytes_done > out->bytes_total)
		goto out;
	ok = out->url[0] != '\0';
out:
	yyjson_doc_free(doc);
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok;
}

char *dl_sidecar_format(const struct dl_sidecar *sc)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	if (!doc)
		return NULL;
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_str(doc, root, "url", sc->url);
	yyjson_mut_obj_add_str(doc, root, "etag", sc->etag);
	yyjson_mut_obj_add_str(doc, root, "last_modified", sc->last_modified);
	yyjson_mut_obj_add_str(doc, root, "sha256", sc->sha256);
	yyjson_mut_obj_add_uint(doc, root, "bytes_done", sc->bytes_done);
	yyjson_mut_obj_add_uint(doc, root, "bytes_total", sc->bytes_total);
	char *text = yyjson_mut_write(doc, YYJSON_WRITE_PRETTY, NULL);
	yyjson_mut_doc_free(doc);
	return text;
}

static bool parse_u64(const char **s, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*s = p;
	*out = v;
	return true;
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

bool dl_parse_content_range(const char *value, uint64_t *first, uint64_t *last, uint64_t *total)
{
	const char *s = skip_ws(value);
	if (strncasecmp(s, "bytes", 5) != 0 || (s[5] != ' ' && s[5] != '\t'))
		return false;
	s = skip_ws(s + 5);
	if (!parse_u64(&s, first) || *s != '-')
		return false;
	s++;
	if (!parse_u64(&s, last) || *s != '/')
		return false;
	s++;
	if (*s == '*') {
		*total = 0;
		s++;
	} else if (!parse_u64(&s, total)) {
		return false;
	}
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (*s)
		return false;
	return *first <= *last && (*total == 0 || *last < *total);
}

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static void to_hex(const unsigned char *md, char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

/* base64 (standard or URL alphabet, padding optional) of exactly 32 bytes */
static bool b64_sha256(const char *s, size_t n, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char md[32];
	size_t n_md = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=') { /* padding ends it: nothing but padding may follow */
			while (i < n && s[i] == '=')
				i++;
			if (i != n)
				return false;
			break;
		}
		int v = b64_value((unsigned char)s[i]);
		if (v < 0)
			return false;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n_md == sizeof(md))
				return false;
			md[n_md++] = (unsigned char)(acc >> bits);
		}
	}
	if (n_md != sizeof(md))
		return false;
	to_hex(md, hex);
	return true;
}

static bool hex_sha256(const char *s, size_t n, char hex[SHA256_HEX_LEN + 1])
{
	char tmp[SHA256_HEX_LEN + 1];
	if (n != SHA256_HEX_LEN)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!sha256_is_hex(tmp))
		return false;
	for (size_t i = 0; i <= n; i++)
		hex[i] = (char)(tmp[i] >= 'A' && tmp[i] <= 'F' ? tmp[i] - 'A' + 'a' : tmp[i]);
	return true;
}

bool dl_parse_digest(const char *name, const char *value, char hex[SHA256_HEX_LEN + 1])
{
	const char *s = skip_ws(value);
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (!strcasecmp(name, "x-linked-etag")) {
		if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
			return hex_sha256(s + 1, n - 2, hex);
		return hex_sha256(s, n, hex);
	}
	bool repr = !strcasecmp(name, "repr-digest");
	if (!repr && strcasecmp(name, "digest") != 0)
		return false;
	/* a comma-separated list of algorithm=value; only sha-256 matters */
	const char *end = s + n;
	while (s < end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *item_end = comma ? comma : end;
		const char *item = skip_ws(s);
		const char *eq = memchr(item, '=', (size_t)(item_end > item ? item_end - item : 0));
		if (eq && eq - item == 7 && !strncasecmp(item, "sha-256", 7)) {
			const char *v = eq + 1, *ve = item_end;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (repr) { /* a structured-field byte sequence: :base64: */
				if (ve - v < 2 || v[0] != ':' || ve[-1] != ':')
					return false;
				v++;
				ve--;
			}
			return b64_sha256(v, (size_t)(ve - v), hex);
		}
		s = comma ? comma + 1 : end;
	}
	return false;
}

/* [start, end) of the authority in url, or false when url has no scheme://host */
static bool url_authority(const char *url, const char **start, const char **end)
{
	const char *sep = strstr(url, "://");
	if (!sep || sep == url)
		return false;
	for (const char *p = url; p < sep; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+' ||
		      *p == '-' || *p == '.'))
			return false;
	*start = sep + 3;
	*end = *start + strcspn(*start, "/?#");
	return *end > *start;
}

bool dl_url_host(const char *url, char *out, size_t len)
{
	const char *a, *e;
	if (!url_authority(url, &a, &e))
		return false;
	for (const char *p = a; p < e; p++)
		if (*p == '@')
			a = p + 1;
	const char *h = a, *he;
	if (*h == '[') {
		he = memchr(h, ']', (size_t)(e - h));
		if (!he)
			return false;
		he++;
	} else {
		he = memchr(h, ':', (size_t)(e - h));
		if (!he)
			he = e;
	}
	if (he == h || (size_t)(he - h) >= len)
		return false;
	memcpy(out, h, (size_t)(he - h));
	out[he - h] = '\0';
	return true;
}

char *dl_mirror_url(const char *url, const char *mirror)
{
	const char *a, *e;
	struct buf b;
	size_t n = strlen(mirror);
	if (!url_authority(url, &a, &e))
		return NULL;
	while (n && mirror[n - 1] == '/')
		n--;
	buf_init(&b);
	buf_add(&b, mirror, n);
	if (*e != '/')
		buf_adds(&b, "/");
	buf_adds(&b, e);
	if (b.failed) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* ---- the transfer ------------------------------------------------------------------- */

enum stop {
	STOP_NONE,
	STOP_RESTART, /* the answer cannot continue the partial: start from byte 0 */
	STOP_FAIL,    /* a failure already recorded with tacit_fail() */
	STOP_HTTP,    /* an HTTP error status */
	STOP_CANCEL,
};

struct dl {
	const struct tacit_download_params *p;
	const char *url; /* the one fetched (after the mirror) */
	char host[256];
	char *dir;
	struct buf partial, side;
	int fd;
	struct sha256 h;
	uint64_t have;  /* bytes in the partial file, all hashed */
	uint64_t total; /* the full size; 0 = unknown */
	struct dl_sidecar sc;
	uint64_t saved_at;
	bool space_checked;
	bool locked;    /* we hold the partial file's lock: its files are ours to delete */
	bool mirrored;  /* url came from TACIT_MODEL_MIRROR */
	bool responded; /* some server answered during this call */

	/* the response being received */
	long code;
	char r_etag[256], r_lm[128], r_crange[128];
	uint64_t r_len;
	bool r_has_len;
	char digest[SHA256_HEX_LEN + 1];
	bool accepted; /* the final response's body goes into the partial file */

	enum stop stop;
	enum tacit_status stop_status;

	double t_cb, t_window, rate;
	uint64_t window_bytes;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static bool cancelled(const struct dl *d)
{
	return cancel_requested(d->p->cancel);
}

static const char *human(uint64_t n, char *out, size_t len)
{
	if (n >= 1000000000ull)
		snprintf(out, len, "%.1f GB", (double)n / 1e9);
	else if (n >= 1000000ull)
		snprintf(out, len, "%.1f MB", (double)n / 1e6);
	else if (n >= 10000)
		snprintf(out, len, "%.1f kB", (double)n / 1e3);
	else
		snprintf(out, len, "%llu bytes", (unsigned long long)n);
	return out;
}

static bool write_atomic(const char *path, const char *text)
{
	struct buf tmp;
	bool ok = false;
	size_t len = strlen(text);
	buf_init(&tmp);
	buf_addf(&tmp, "%s.tmp", path);
	int fd = tmp.failed ? -1 : open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ok = write(fd, text, len) == (ssize_t)len;
		ok = close(fd) == 0 && ok;
		ok = ok && rename(tmp.data, path) == 0;
		if (!ok)
			unlink(tmp.data);
	}
	buf_release(&tmp);
	return ok;
}

static bool save_sidecar(struct dl *d)
{
	d->sc.bytes_done = d->have;
	d->sc.bytes_total = d->total;
	char *text = dl_sidecar_format(&d->sc);
	bool ok = text && write_atomic(d->side.data, text);
	free(text);
	if (ok)
		d->saved_at = d->have;
	return ok;
}

static enum tacit_status check_space(struct dl *d)
{
	struct statvfs v;
	char b1[32], b2[32];
	if (!d->total || d->space_checked)
		return TACIT_OK;
	d->space_checked = true;
	if (statvfs(d->dir, &v) != 0) {
		tacit_log(TACIT_LOG_DEBUG, "cannot tell the free space in '%s': %s", d->dir, strerror(errno));
		return TACIT_OK;
	}
	uint64_t avail = (uint64_t)v.f_bavail * (uint64_t)v.f_frsize;
	uint64_t need = d->total + d->total / 20;
	need = need > d->have ? need - d->have : 0;
	if (avail >= need)
		return TACIT_OK;
	return tacit_fail(TACIT_ERR_NO_SPACE, "not enough disk space in '%s': need %s (file + 5 %%%s), %s free", d->dir,
			  human(need, b1, sizeof(b1)), d->have ? ", less the part already downloaded" : "",
			  human(avail, b2, sizeof(b2)));
}

static void progress_tick(struct dl *d, bool force)
{
	double t = clock_now_s();
	if (d->have < d->window_bytes) { /* restarted from 0 */
		d->window_bytes = d->have;
		d->t_window = t;
		d->rate = 0;
	}
	if (t - d->t_window >= 1.0) {
		double inst = (double)(d->have - d->window_bytes) / (t - d->t_window);
		d->rate = d->rate > 0 ? 0.5 * d->rate + 0.5 * inst : inst;
		d->t_window = t;
		d->window_bytes = d->have;
	}
	if (!d->p->progress || (!force && t - d->t_cb < 0.1))
		return;
	d->t_cb = t;
	d->p->progress(d->have, d->total, d->rate, d->p->progress_user);
}

/* Empties the partial file: its bytes cannot be continued. */
static bool restart_partial(struct dl *d)
{
	sha256_release(&d->h);
	d->have = 0;
	d->saved_at = 0;
	/* another version of the file may be coming: its validators and digest are new too */
	d->sc.etag[0] = d->sc.last_modified[0] = d->sc.sha256[0] = '\0';
	if (ftruncate(d->fd, 0) != 0 || !sha256_init(&d->h)) {
		d->stop_status = tacit_fail_errno(TACIT_ERR_IO, "cannot truncate '%s'", d->partial.data);
		return false;
	}
	return true;
}

static bool stop(struct dl *d, enum stop why)
{
	d->stop = why;
	return false;
}

/* The final response's headers are in: can its body continue the partial file? */
static bool on_response(struct dl *d)
{
	uint64_t first = 0, last = 0, full = 0;
	char b1[32];

	if (d->code == 200) {
		if (d->have > 0) {
			tacit_log(TACIT_LOG_WARN, "'%s' answered a resume request with the whole file: starting again from byte 0",
				  d->host);
			if (!restart_partial(d))
				return stop(d, STOP_FAIL);
		}
		full = d->r_has_len ? d->r_len : 0;
	} else if (d->code == 206) {
		bool ok = dl_parse_content_range(d->r_crange, &first, &last, &full) && first == d->have &&
			  (full == 0 || last == full - 1);
		if (ok && d->have > 0 && d->sc.etag[0] && d->r_etag[0] && strcmp(d->sc.etag, d->r_etag) != 0)
			ok = false; /* a server that ignored If-Range */
		if (!ok) {
			tacit_log(TACIT_LOG_WARN,
				  "'%s' answered a resume request with another range (%s) or file: starting again from byte 0",
				  d->host, d->r_crange[0] ? d->r_crange : "none");
			return stop(d, STOP_RESTART);
		}
	} else if (d->code == 416) {
		tacit_log(TACIT_LOG_WARN, "'%s' cannot continue the partial file: starting again from byte 0", d->host);
		return stop(d, STOP_RESTART);
	} else {
		return stop(d, STOP_HTTP);
	}
	if (d->p->expected_bytes && full && full != d->p->expected_bytes) {
		d->stop_status = tacit_fail(TACIT_ERR_INTEGRITY,
					    "'%s' offers %s (%llu bytes) for '%s', expected %llu bytes (the catalog entry or "
					    "the mirror is out of date)",
					    d->host, human(full, b1, sizeof(b1)), (unsigned long long)full, d->url,
					    (unsigned long long)d->p->expected_bytes);
		return stop(d, STOP_FAIL);
	}
	if (full)
		d->total = full;
	if ((d->stop_status = check_space(d)) != TACIT_OK)
		return stop(d, STOP_FAIL);
	/* validators for a later If-Range; a weak ETag cannot serve */
	if (!copy_str(d->sc.etag, sizeof(d->sc.etag), strncmp(d->r_etag, "W/", 2) ? d->r_etag : ""))
		d->sc.etag[0] = '\0';
	copy_str(d->sc.last_modified, sizeof(d->sc.last_modified), d->r_lm);
	if (d->digest[0])
		memcpy(d->sc.sha256, d->digest, sizeof(d->sc.sha256));
	if (!save_sidecar(d)) {
		d->stop_status = tacit_fail_errno(TACIT_ERR_IO, "cannot write '%s'", d->side.data);
		return stop(d, STOP_FAIL);
	}
	d->accepted = true;
	return true;
}

static size_t on_header(char *data, size_t size, size_t n, void *user)
{
	struct dl *d = user;
	size_t len = size * n, k = len;
	char line[1024], digest[SHA256_HEX_LEN + 1];

	while (k && (data[k - 1] == '\r' || data[k - 1] == '\n'))
		k--;
	if (k >= sizeof(line))
		return len; /* no header we use is this long */
	memcpy(line, data, k);
	line[k] = '\0';
	if (!strncmp(line, "HTTP/", 5)) { /* a new response (redirects, 1xx) */
		const char *sp = strchr(line, ' ');
		d->code = sp ? strtol(sp + 1, NULL, 10) : 0;
		d->r_etag[0] = d->r_lm[0] = d->r_crange[0] = '\0';
		d->r_has_len = false;
		d->responded = true;
		return len;
	}
	if (k == 0) { /* end of this response's headers */
		if (d->code < 200 || (d->code >= 300 && d->code < 400))
			return len;
		return on_response(d) ? len : 0;
	}
	char *colon = strchr(line, ':');
	if (!colon)
		return len;
	*colon = '\0';
	const char *value = skip_ws(colon + 1);
	if (!strcasecmp(line, "etag"))
		copy_str(d->r_etag, sizeof(d->r_etag), value);
	else if (!strcasecmp(line, "last-modified"))
		copy_str(d->r_lm, sizeof(d->r_lm), value);
	else if (!strcasecmp(line, "content-range"))
		copy_str(d->r_crange, sizeof(d->r_crange), value);
	else if (!strcasecmp(line, "content-length")) {
		const char *v = value;
		d->r_has_len = parse_u64(&v, &d->r_len);
	} else if (dl_parse_digest(line, value, digest))
		memcpy(d->digest, digest, sizeof(digest));
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	struct dl *d = user;
	size_t len = size * n, done = 0;

	if (!d->accepted)
		return len; /* a redirect's body */
	if (cancelled(d))
		return stop(d, STOP_CANCEL);
	while (done < len) {
		ssize_t w = pwrite(d->fd, data + done, len - done, (off_t)(d->have + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;
			sha256_update(&d->h, data, done);
			d->have += done;
			if (e == ENOSPC || e == EDQUOT || e == EFBIG)
				d->stop_status = tacit_fail(TACIT_ERR_NO_SPACE,
							    "cannot write '%s': %s (free some space and pull again: the "
							    "partial download is kept and resumes)",
							    d->partial.data, strerror(e));
			else
				d->stop_status = tacit_fail(TACIT_ERR_IO, "cannot write '%s': %s", d->partial.data,
							    strerror(e));
			return stop(d, STOP_FAIL);
		}
		done += (size_t)w;
	}
	sha256_update(&d->h, data, len);
	d->have += len;
	if (d->have - d->saved_at >= SIDECAR_EVERY)
		save_sidecar(d);
	progress_tick(d, false);
	return len;
}

static int on_xfer(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct dl *d = user;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (cancelled(d)) {
		d->stop = STOP_CANCEL;
		return 1;
	}
	if (d->accepted)
		progress_tick(d, false);
	return 0;
}

/* Re-hashes what a previous run left, if its sidecar says it can be continued. */
static enum tacit_status open_partial(struct dl *d)
{
	struct buf text;
	struct stat st;
	unsigned char chunk[1 << 16];

	d->fd = open(d->partial.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d->fd < 0)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot create '%s'", d->partial.data);
	if (flock(d->fd, LOCK_EX | LOCK_NB) != 0)
		return tacit_fail(TACIT_ERR_IO, "another download of '%s' is in progress (wait for it, or stop it)",
				  d->p->dest);
	d->locked = true;
	if (fstat(d->fd, &st) != 0)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot read '%s'", d->partial.data);
	if (!sha256_init(&d->h))
		return tacit_fail(TACIT_ERR_NOMEM, "cannot start a sha256 context");

	buf_init(&text);
	bool resumable = read_small_file(d->side.data, &text, SIDECAR_MAX) &&
			 dl_sidecar_parse(text.data, text.len, &d->sc) && !strcmp(d->sc.url, d->url) &&
			 (d->sc.etag[0] || d->sc.last_modified[0]) && st.st_size > 0 &&
			 (!d->sc.bytes_total || (uint64_t)st.st_size <= d->sc.bytes_total) &&
			 (!d->p->expected_bytes || !d->sc.bytes_total || d->sc.bytes_total == d->p->expected_bytes);
	buf_release(&text);
	if (!resumable) {
		memset(&d->sc, 0, sizeof(d->sc));
		copy_str(d->sc.url, sizeof(d->sc.url), d->url);
		if (st.st_size > 0 && ftruncate(d->fd, 0) != 0)
			return tacit_fail_errno(TACIT_ERR_IO, "cannot truncate '%s'", d->partial.data);
		return TACIT_OK;
	}
	/* the file's size, not bytes_done, is the truth: the sidecar lags behind writes */
	uint64_t size = (uint64_t)st.st_size;
	while (d->have < size) {
		size_t want = size - d->have < sizeof(chunk) ? (size_t)(size - d->have) : sizeof(chunk);
		ssize_t r = pread(d->fd, chunk, want, (off_t)d->have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return tacit_fail(TACIT_ERR_IO, "cannot read '%s': %s", d->partial.data,
					  r < 0 ? strerror(errno) : "file shrank");
		sha256_update(&d->h, chunk, (size_t)r);
		d->have += (uint64_t)r;
	}
	d->total = d->sc.bytes_total;
	tacit_log(TACIT_LOG_INFO, "resuming '%s' at byte %llu", d->p->dest, (unsigned long long)d->have);
	return TACIT_OK;
}

static void set_common_options(struct dl *d, CURL *c)
{
	bool https = !strncasecmp(d->url, "https:", 6);
	curl_easy_setopt(c, CURLOPT_URL, d->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tacit/" TACIT_VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(d->p->connect_timeout_s > 0 ? d->p->connect_timeout_s : 15));
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, (long)STALL_BYTES_PER_S);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)(d->p->stall_timeout_s > 0 ? d->p->stall_timeout_s : 60));
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, d->errbuf);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, d);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, d);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xfer);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, d);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
}

static bool transient_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_COULDNT_CONNECT:
		return true;
	default:
		return false;
	}
}

static enum tacit_status offline(struct dl *d, CURLcode rc)
{
	if (d->mirrored)
		return tacit_fail(TACIT_ERR_NETWORK,
				  "cannot reach the mirror '%s': %s (check TACIT_MODEL_MIRROR=%s, or add a model file you "
				  "already have with 'tacit add PATH')",
				  d->host, curl_easy_strerror(rc), getenv("TACIT_MODEL_MIRROR"));
	return tacit_fail(TACIT_ERR_NETWORK,
			  "cannot reach '%s': %s (offline? set TACIT_MODEL_MIRROR=URL to use a local mirror, or add a "
			  "model file you already have with 'tacit add PATH')",
			  d->host, curl_easy_strerror(rc));
}

static enum tacit_status http_error(struct dl *d)
{
	const char *hint = d->code == 404 ? " (not found: the catalog entry is out of date or the mirror lacks "
					    "this file)"
			   : d->code == 401 || d->code == 403 ? " (access denied: the file may need a login, or be gone)"
							      : "";
	return tacit_fail(TACIT_ERR_NETWORK, "cannot download '%s': '%s' answered HTTP %ld%s", d->url, d->host, d->code,
			  hint);
}

/* Sleeps ms, waking early when cancelled; false when cancelled. */
static bool backoff(const struct dl *d, long ms)
{
	for (long slept = 0; slept < ms; slept += 50) {
		if (cancelled(d))
			return false;
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return !cancelled(d);
}

static enum tacit_status transfer(struct dl *d)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	enum tacit_status st = TACIT_OK;
	int tries = 0, restarts = 0;
	char b1[32];

	if (!c)
		return tacit_fail(TACIT_ERR_NOMEM, "cannot start a curl handle");
	set_common_options(d, c);
	for (;;) {
		if (cancelled(d)) {
			st = tacit_fail(TACIT_ERR_CANCELLED, "download of '%s' cancelled before it started", d->p->dest);
			break;
		}
		if (d->total && d->have == d->total)
			break; /* a previous run received everything but stopped before the rename */
		if (d->have > 0 && !d->sc.etag[0] && !d->sc.last_modified[0]) {
			tacit_log(TACIT_LOG_WARN, "'%s' gave no ETag or Last-Modified to resume with: starting again from "
						  "byte 0", d->host);
			if (!restart_partial(d)) {
				st = d->stop_status;
				break;
			}
		}
		char range[32];
		curl_slist_free_all(hdrs);
		hdrs = NULL;
		if (d->have > 0) {
			struct buf h;
			buf_init(&h);
			buf_addf(&h, "If-Range: %s", d->sc.etag[0] ? d->sc.etag : d->sc.last_modified);
			hdrs = curl_slist_append(NULL, h.data);
			buf_release(&h);
			if (!hdrs) {
				st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
				break;
			}
			snprintf(range, sizeof(range), "%llu-", (unsigned long long)d->have);
		}
		curl_easy_setopt(c, CURLOPT_RANGE, d->have > 0 ? range : NULL);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		d->stop = STOP_NONE;
		d->accepted = false;
		d->digest[0] = '\0'; /* announced afresh in each try's redirect chain */
		d->code = 0;
		d->errbuf[0] = '\0';
		uint64_t before = d->have;

		CURLcode rc = curl_easy_perform(c);

		bool progressed = d->have > before;
		if (d->stop == STOP_CANCEL || cancelled(d)) {
			save_sidecar(d);
			st = tacit_fail(TACIT_ERR_CANCELLED,
					"download of '%s' cancelled at %s; the partial file is kept (pull again to resume)",
					d->p->dest, human(d->have, b1, sizeof(b1)));
			break;
		}
		if (d->stop == STOP_FAIL) {
			save_sidecar(d);
			st = d->stop_status;
			break;
		}
		if (d->stop == STOP_RESTART) {
			if (++restarts > MAX_RESTARTS) {
				st = tacit_fail(TACIT_ERR_NETWORK, "'%s' keeps answering resume requests for '%s' with the "
								   "wrong range",
						d->host, d->url);
				break;
			}
			if (!restart_partial(d)) {
				st = d->stop_status;
				break;
			}
			continue;
		}
		bool transient;
		const char *why;
		if (d->stop == STOP_HTTP) {
			if (d->code < 500 && d->code != 408 && d->code != 429) {
				st = http_error(d);
				break;
			}
			transient = true;
			why = "server error";
		} else if (rc == CURLE_OK) {
			if (!d->accepted) {
				st = http_error(d);
				break;
			}
			if (!d->total || d->have == d->total)
				break; /* complete */
			transient = true;
			why = "the transfer ended early";
		} else if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
			   (rc == CURLE_COULDNT_CONNECT && !d->responded)) {
			st = offline(d, rc);
			break;
		} else {
			transient = transient_curl(rc);
			why = d->errbuf[0] ? d->errbuf : curl_easy_strerror(rc);
		}
		if (!transient) {
			st = tacit_fail(TACIT_ERR_NETWORK, "cannot download '%s': %s", d->url, why);
			break;
		}
		save_sidecar(d);
		if (progressed)
			tries = 0;
		if (++tries > d->p->max_retries) {
			if (rc == CURLE_OPERATION_TIMEDOUT)
				st = tacit_fail(TACIT_ERR_NETWORK,
						"download of '%s' stalled at %s: %s (the partial file is kept: check the "
						"connection and pull again to resume)",
						d->url, human(d->have, b1, sizeof(b1)), why);
			else
				st = tacit_fail(TACIT_ERR_NETWORK,
						"download of '%s' failed after %d tries at %s: %s (the partial file is kept: "
						"pull again to resume)",
						d->url, tries, human(d->have, b1, sizeof(b1)),
						d->stop == STOP_HTTP ? "server error" : why);
			break;
		}
		long delay = d->p->retry_delay_ms > 0 ? d->p->retry_delay_ms : 0;
		for (int i = 1; i < tries && delay < MAX_BACKOFF_MS; i++)
			delay *= 2;
		if (delay > MAX_BACKOFF_MS)
			delay = MAX_BACKOFF_MS;
		if (d->stop == STOP_HTTP)
			tacit_log(TACIT_LOG_WARN, "'%s' answered HTTP %ld; retrying in %.1f s (try %d of %d)", d->host,
				  d->code, (double)delay / 1000, tries + 1, d->p->max_retries + 1);
		else
			tacit_log(TACIT_LOG_WARN, "download interrupted at %s: %s; retrying in %.1f s (try %d of %d)",
				  human(d->have, b1, sizeof(b1)), why, (double)delay / 1000, tries + 1,
				  d->p->max_retries + 1);
		if (!backoff(d, delay)) {
			st = tacit_fail(TACIT_ERR_CANCELLED,
					"download of '%s' cancelled at %s; the partial file is kept (pull again to resume)",
					d->p->dest, human(d->have, b1, sizeof(b1)));
			break;
		}
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return st;
}

static bool read_recorded_sha(const char *dest, char hex[SHA256_HEX_LEN + 1])
{
	struct buf path, text;
	bool ok = false;
	buf_init(&path);
	buf_init(&text);
	buf_addf(&path, "%s.sha256", dest);
	if (!path.failed && read_small_file(path.data, &text, 4096) && text.len >= SHA256_HEX_LEN)
		ok = hex_sha256(text.data, SHA256_HEX_LEN, hex);
	buf_release(&text);
	buf_release(&path);
	return ok;
}

/* Moves the verified partial file to its final name, durably. */
static enum tacit_status finish(struct dl *d, const char *hex)
{
	if (fsync(d->fd) != 0)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot flush '%s'", d->partial.data);
	if (!d->p->expected_sha256) {
		struct buf rec, text;
		const char *base = strrchr(d->p->dest, '/');
		buf_init(&rec);
		buf_init(&text);
		buf_addf(&rec, "%s.sha256", d->p->dest);
		buf_addf(&text, "%s  %s\n", hex, base ? base + 1 : d->p->dest);
		bool ok = !rec.failed && !text.failed && write_atomic(rec.data, text.data);
		if (!ok)
			tacit_log(TACIT_LOG_WARN, "cannot record the sha256 of '%s' in '%s'", d->p->dest, rec.data);
		buf_release(&text);
		buf_release(&rec);
	}
	if (rename(d->partial.data, d->p->dest) != 0)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot rename '%s' to '%s'", d->partial.data, d->p->dest);
	unlink(d->side.data);
	return fsync_dir(d->dir);
}

static enum tacit_status verify(struct dl *d, char hex[SHA256_HEX_LEN + 1])
{
	char b1[32];
	const char *want = d->p->expected_sha256 ? d->p->expected_sha256 : d->sc.sha256[0] ? d->sc.sha256 : NULL;
	sha256_final(&d->h, hex);
	if (d->p->expected_bytes && d->have != d->p->expected_bytes) {
		unlink(d->partial.data);
		unlink(d->side.data);
		return tacit_fail(TACIT_ERR_INTEGRITY,
				  "downloaded '%s' has %llu bytes, expected %llu; the download was discarded (pull again; "
				  "if it fails again the source is damaged)",
				  d->p->dest, (unsigned long long)d->have, (unsigned long long)d->p->expected_bytes);
	}
	if (want && strcasecmp(hex, want) != 0) {
		unlink(d->partial.data);
		unlink(d->side.data);
		return tacit_fail(TACIT_ERR_INTEGRITY,
				  "downloaded '%s' (%s) does not match its sha256: got %s, expected %s; the download was "
				  "discarded (pull again; if it fails again the source is damaged)",
				  d->p->dest, human(d->have, b1, sizeof(b1)), hex, want);
	}
	return TACIT_OK;
}

struct tacit_download_params tacit_download_default_params(void)
{
	struct tacit_download_params p;
	memset(&p, 0, sizeof(p));
	p.connect_timeout_s = 15;
	p.stall_timeout_s = 60;
	p.max_retries = 5;
	p.retry_delay_ms = 1000;
	p.use_mirror = true;
	return p;
}

enum tacit_status tacit_download_url(const char *url, char **out_url)
{
	const char *mirror = getenv("TACIT_MODEL_MIRROR");
	*out_url = NULL;
	if (!url || !*url)
		return tacit_fail(TACIT_ERR_USAGE, "no url to download");
	if (!mirror || !*mirror) {
		*out_url = strdup(url);
		return *out_url ? TACIT_OK : tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	*out_url = dl_mirror_url(url, mirror);
	if (*out_url)
		return TACIT_OK;
	const char *a, *e;
	if (!url_authority(url, &a, &e))
		return tacit_fail(TACIT_ERR_USAGE, "cannot map '%s' onto TACIT_MODEL_MIRROR: not a scheme://host/path URL",
				  url);
	return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
}

/* The already-downloaded fast path: DEST exists and matches what we know of it. */
static bool already_there(const struct tacit_download_params *p, char hex[SHA256_HEX_LEN + 1])
{
	char rec[SHA256_HEX_LEN + 1];
	const char *want = p->expected_sha256;
	if (access(p->dest, F_OK) != 0)
		return false;
	if (!want && read_recorded_sha(p->dest, rec))
		want = rec;
	if (!want || sha256_file(p->dest, hex) != TACIT_OK)
		return false;
	if (strcasecmp(hex, want) == 0)
		return true;
	tacit_log(TACIT_LOG_WARN, "'%s' does not match its sha256: downloading it again", p->dest);
	return false;
}

enum tacit_status tacit_download(const struct tacit_download_params *p, char **out_sha256)
{
	struct dl d;
	enum tacit_status st;
	char hex[SHA256_HEX_LEN + 1];

	if (out_sha256)
		*out_sha256 = NULL;
	if (!p || !p->url || !*p->url || !p->dest || !*p->dest)
		return tacit_fail(TACIT_ERR_USAGE, "a download needs a url and a destination path");
	if (p->expected_sha256 && !sha256_is_hex(p->expected_sha256))
		return tacit_fail(TACIT_ERR_USAGE, "expected sha256 '%s' is not 64 hex digits", p->expected_sha256);

	memset(&d, 0, sizeof(d));
	d.p = p;
	d.fd = -1;
	buf_init(&d.partial);
	buf_init(&d.side);
	char *url = NULL;
	if (p->use_mirror) {
		if ((st = tacit_download_url(p->url, &url)) != TACIT_OK)
			goto out;
		d.mirrored = strcmp(url, p->url) != 0;
	} else if (!(url = strdup(p->url))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	d.url = url;
	if (!dl_url_host(d.url, d.host, sizeof(d.host)) ||
	    (strncasecmp(d.url, "http://", 7) != 0 && strncasecmp(d.url, "https://", 8) != 0)) {
		st = tacit_fail(TACIT_ERR_USAGE, "cannot download '%s': only http:// and https:// URLs are supported",
				d.url);
		goto out;
	}
	buf_addf(&d.partial, "%s.partial", p->dest);
	buf_addf(&d.side, "%s.partial.json", p->dest);
	const char *slash = strrchr(p->dest, '/');
	d.dir = slash ? strndup(p->dest, slash == p->dest ? 1 : (size_t)(slash - p->dest)) : strdup(".");
	if (d.partial.failed || d.side.failed || !d.dir) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}

	if (already_there(p, hex)) {
		unlink(d.partial.data);
		unlink(d.side.data);
		st = TACIT_OK;
		goto done;
	}
	if ((st = open_partial(&d)) != TACIT_OK)
		goto out;
	d.total = p->expected_bytes ? p->expected_bytes : d.total;
	if ((st = check_space(&d)) != TACIT_OK)
		goto out;
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		st = tacit_fail(TACIT_ERR_NETWORK, "cannot start libcurl: %s", curl_easy_strerror(curl_init_rc));
		goto out;
	}
	d.t_window = d.t_cb = clock_now_s();
	d.window_bytes = d.have;
	if ((st = transfer(&d)) != TACIT_OK)
		goto out;
	if ((st = verify(&d, hex)) != TACIT_OK)
		goto out;
	if ((st = finish(&d, hex)) != TACIT_OK)
		goto out;
	progress_tick(&d, true);
done:
	if (out_sha256 && !(*out_sha256 = strdup(hex)))
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
out:
	if (st != TACIT_OK && d.locked && d.have == 0) { /* nothing worth resuming */
		unlink(d.partial.data);
		unlink(d.side.data);
	}
	sha256_release(&d.h);
	if (d.fd >= 0)
		close(d.fd);
	free(d.dir);
	buf_release(&d.side);
	buf_release(&d.partial);
	free(url);
	return st;
}

enum tacit_status tacit_download_remove(const char *dest, uint64_t *out_freed)
{
	static const char *const suffixes[] = { ".partial.json.tmp", ".partial.json", ".partial", ".sha256.tmp",
						".sha256", "" };
	uint64_t freed = 0;
	int found = 0;
	enum tacit_status st = TACIT_OK;

	if (out_freed)
		*out_freed = 0;
	if (!dest || !*dest)
		return tacit_fail(TACIT_ERR_USAGE, "no file to remove");
	for (size_t i = 0; i < ARRAY_SIZE(suffixes) && st == TACIT_OK; i++) {
		struct buf path;
		struct stat s;
		buf_init(&path);
		buf_addf(&path, "%s%s", dest, suffixes[i]);
		if (path.failed)
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		else if (lstat(path.data, &s) == 0) {
			if (unlink(path.data) != 0)
				st = tacit_fail_errno(TACIT_ERR_IO, "cannot remove '%s'", path.data);
			else {
				freed += (uint64_t)s.st_size;
				found++;
			}
		}
		buf_release(&path);
	}
	if (st == TACIT_OK && !found)
		st = tacit_fail(TACIT_ERR_NOT_FOUND, "'%s' is not downloaded", dest);
	if (out_freed)
		*out_freed = freed;
	return st;
}
