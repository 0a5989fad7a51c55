/*
 * remote_asr.c — the libcurl adapter for speech on a server (remote_asr.h): each request
 * is one WAV posted as multipart form data, answered with verbose_json segments.
 * Invariants: audio goes to the configured URL only (remote_http.c's options), the API
 * key stays in one header buffer wiped on close, an answer is parsed and checked whole
 * before any segment is handed on, and every failure names the host and is never
 * retried on this device.
 */
#include "internal.h"

#include "basics.h"
#include "engine.h"
#include "remote_asr.h"
#include "remote_http.h"
#include "utf8.h"

#include <math.h>
#include <strings.h>

#include <yyjson.h>

#define ASR_BODY_CAP ((size_t)16 << 20)
#define MAX_SEGMENTS 100000

struct remote_asr {
	struct tacit_engine e;
	char url[640];  /* where the audio is posted */
	char host[256];
	char model[128]; /* OpenAI-style: the "model" field */
	char where[600];
	char label[600];
	char language[16];
	bool translate;
	bool openai;
	char *auth;
	CURL *c;
};

struct xfer {
	const volatile int *cancel;
	struct buf body;
	char errbuf[CURL_ERROR_SIZE];
};

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
	struct xfer *x = user;
	size_t len = size * n;
	if (cancel_requested(x->cancel))
		return 0;
	if (!buf_add(&x->body, p, len) && x->body.len >= x->body.cap)
		return 0;
	return len;
}

static int on_progress(void *user, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	struct xfer *x = user;
	return cancel_requested(x->cancel) ? 1 : 0;
}

/* A failed exchange as a message a user can act on. */
static enum tacit_status xfer_error(const struct remote_asr *r, struct xfer *x, CURLcode rc, long code,
				    const char *what)
{
	if (cancel_requested(x->cancel))
		return tacit_fail(TACIT_ERR_CANCELLED, "transcription cancelled; the request to '%s' was closed", r->host);
	struct remote_fail f = { .server = "speech server", .kind = "asr", .host = r->host, .what = what,
				 .errbuf = x->errbuf, .rc = rc, .code = code, .body = &x->body,
				 .has_key = r->auth != NULL, .timeout_s = r->e.timeout_s };
	return remote_http_fail(&f);
}

/* One exchange: GET (form NULL) or a multipart POST to url; the answer in x->body. */
static CURLcode perform(struct remote_asr *r, struct xfer *x, const char *url, curl_mime *form, long *code)
{
	struct curl_slist *hdrs = NULL;
	CURL *h = r->c;
	remote_http_setup(h, &r->e, url, x->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	if (r->auth)
		hdrs = curl_slist_append(hdrs, r->auth);
	hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (form)
		curl_easy_setopt(h, CURLOPT_MIMEPOST, form);
	CURLcode rc = curl_easy_perform(h);
	*code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_MIMEPOST, NULL);
	curl_slist_free_all(hdrs);
	return rc;
}

static void xfer_init(struct xfer *x, const volatile int *cancel)
{
	memset(x, 0, sizeof(*x));
	x->cancel = cancel;
	buf_init(&x->body);
	x->body.cap = ASR_BODY_CAP;
}

/* ---- the answer ---------------------------------------------------------------------- */

/* whisper names languages in full in verbose_json ("english"); tacit keeps codes. */
static const char *const lang_names[][2] = {
	{ "english", "en" },    { "french", "fr" },   { "spanish", "es" },  { "german", "de" },
	{ "italian", "it" },    { "portuguese", "pt" }, { "dutch", "nl" },  { "polish", "pl" },
	{ "russian", "ru" },    { "ukrainian", "uk" }, { "chinese", "zh" }, { "japanese", "ja" },
	{ "korean", "ko" },     { "arabic", "ar" },   { "turkish", "tr" },  { "swedish", "sv" },
	{ "danish", "da" },     { "norwegian", "no" }, { "finnish", "fi" }, { "czech", "cs" },
	{ "greek", "el" },      { "hindi", "hi" },    { "catalan", "ca" },  { "romanian", "ro" },
	{ "hungarian", "hu" },  { "hebrew", "he" },   { "vietnamese", "vi" }, { "indonesian", "id" },
};

static void language_code(const char *name, char lang[8])
{
	lang[0] = '\0';
	if (!name)
		return;
	size_t n = strlen(name);
	if (n >= 2 && n <= 3) {
		for (size_t i = 0; i < n; i++)
			if (name[i] < 'a' || name[i] > 'z')
				return;
		snprintf(lang, 8, "%s", name);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(lang_names); i++)
		if (!strcasecmp(name, lang_names[i][0])) {
			snprintf(lang, 8, "%s", lang_names[i][1]);
			return;
		}
}

void remote_asr_segments_free(struct remote_asr_seg *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i].text);
	free(s);
}

/* A segment's text, trimmed and valid UTF-8; NULL when empty (or out of memory: *oom). */
static char *clean_text(const char *t, size_t len, bool *oom)
{
	while (len && (unsigned char)*t <= ' ')
		t++, len--;
	while (len && (unsigned char)t[len - 1] <= ' ')
		len--;
	if (!len)
		return NULL;
	char *s = utf8_repair(t, len, NULL);
	if (!s)
		*oom = true;
	return s;
}

static int64_t seconds_ms(yyjson_val *v)
{
	double s = yyjson_get_num(v);
	if (!yyjson_is_num(v) || !isfinite(s) || s < 0)
		return -1;
	if (s > 1e9)
		s = 1e9;
	return (int64_t)llround(s * 1000.0);
}

enum tacit_status remote_asr_parse(const char *body, size_t len, int64_t n_ms, const char *host,
				   struct remote_asr_seg **out, size_t *n_out, char lang[8])
{
	struct remote_asr_seg *segs = NULL;
	size_t n = 0;
	bool oom = false;
	enum tacit_status st = TACIT_OK;
	yyjson_doc *d = yyjson_read(body, len, 0);
	yyjson_val *root = yyjson_doc_get_root(d), *list = yyjson_obj_get(root, "segments");

	*out = NULL;
	*n_out = 0;
	lang[0] = '\0';
	if (!yyjson_is_obj(root)) {
		st = tacit_fail(TACIT_ERR_NETWORK, "the speech server '%s' sent an answer that is not JSON", host);
		goto out;
	}
	if (yyjson_obj_get(root, "error")) {
		char msg[256];
		remote_http_server_words(body, len, msg, sizeof(msg));
		st = tacit_fail(TACIT_ERR_NETWORK, "the speech server '%s' failed the transcription: %s", host, msg);
		goto out;
	}
	language_code(yyjson_get_str(yyjson_obj_get(root, "language")), lang);
	if (list && !yyjson_is_arr(list)) {
		st = tacit_fail(TACIT_ERR_NETWORK, "the speech server '%s' sent segments that are not a list", host);
		goto out;
	}
	size_t cap = list ? yyjson_arr_size(list) : 1;
	if (cap > MAX_SEGMENTS) {
		st = tacit_fail(TACIT_ERR_NETWORK, "the speech server '%s' sent %zu segments for one request", host, cap);
		goto out;
	}
	if (cap && !(segs = calloc(cap, sizeof(*segs)))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!list) { /* response_format text or json: one segment for the whole request */
		yyjson_val *t = yyjson_obj_get(root, "text");
		if (!yyjson_is_str(t)) {
			st = tacit_fail(TACIT_ERR_NETWORK, "the speech server '%s' sent an answer without text or segments",
					host);
			goto out;
		}
		if ((segs[0].text = clean_text(yyjson_get_str(t), yyjson_get_len(t), &oom))) {
			segs[0].end_ms = n_ms;
			segs[0].confidence = 1.0f;
			n = 1;
		}
	} else {
		yyjson_val *s;
		size_t i, max;
		yyjson_arr_foreach(list, i, max, s)
		{
			yyjson_val *t = yyjson_obj_get(s, "text");
			int64_t a = seconds_ms(yyjson_obj_get(s, "start")), b = seconds_ms(yyjson_obj_get(s, "end"));
			/* whisper.cpp's own timestamps can end before they start (its server
			 * sent start 0.3, end 0.1): the segment's text is kept, ending where
			 * it starts, as the local path keeps it */
			if (b >= 0 && b < a)
				b = a;
			if (!yyjson_is_str(t) || a < 0 || b < 0) {
				st = tacit_fail(TACIT_ERR_NETWORK,
						"the speech server '%s' sent segment %zu without text, start and end "
						"(seconds)",
						host, i + 1);
				goto out;
			}
			if (!(segs[n].text = clean_text(yyjson_get_str(t), yyjson_get_len(t), &oom)))
				continue;
			segs[n].start_ms = a;
			segs[n].end_ms = b;
			yyjson_val *lp = yyjson_obj_get(s, "avg_logprob");
			double c = yyjson_is_num(lp) ? exp(yyjson_get_num(lp)) : 1.0;
			segs[n].confidence = (float)(isfinite(c) ? (c > 1 ? 1 : c < 0 ? 0 : c) : 0);
			n++;
		}
	}
	if (oom)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
out:
	yyjson_doc_free(d);
	if (st != TACIT_OK) {
		remote_asr_segments_free(segs, n);
		return st;
	}
	*out = segs;
	*n_out = n;
	return TACIT_OK;
}

/* ---- requests ------------------------------------------------------------------------- */

/* pcm as a 16 kHz 16-bit mono WAV. */
static char *wav_of(const float *pcm, size_t n, size_t *out_len)
{
	size_t data = n * 2, len = 44 + data;
	unsigned char *w = malloc(len);
	if (!w)
		return NULL;
	uint32_t rate = TACIT_AUDIO_RATE;
	const uint32_t v[] = { (uint32_t)(36 + data), 16, rate, rate * 2, (uint32_t)data };
	memcpy(w, "RIFF", 4);
	memcpy(w + 8, "WAVEfmt ", 8);
	memcpy(w + 36, "data", 4);
	for (int k = 0; k < 4; k++) {
		w[4 + k] = (unsigned char)(v[0] >> (8 * k));
		w[16 + k] = (unsigned char)(v[1] >> (8 * k));
		w[24 + k] = (unsigned char)(v[2] >> (8 * k));
		w[28 + k] = (unsigned char)(v[3] >> (8 * k));
		w[40 + k] = (unsigned char)(v[4] >> (8 * k));
	}
	w[20] = 1, w[21] = 0;  /* PCM */
	w[22] = 1, w[23] = 0;  /* mono */
	w[32] = 2, w[33] = 0;  /* block align */
	w[34] = 16, w[35] = 0; /* bits */
	for (size_t i = 0; i < n; i++) {
		float f = pcm[i];
		int s = !(f == f) ? 0 : f >= 1.0f ? 32767 : f <= -1.0f ? -32768 : (int)lrintf(f * 32767.0f);
		w[44 + 2 * i] = (unsigned char)(s & 0xff);
		w[45 + 2 * i] = (unsigned char)((s >> 8) & 0xff);
	}
	*out_len = len;
	return (char *)w;
}

static void add_field(curl_mime *form, const char *name, const char *value)
{
	curl_mimepart *part = curl_mime_addpart(form);
	curl_mime_name(part, name);
	curl_mime_data(part, value, CURL_ZERO_TERMINATED);
}

enum tacit_status remote_asr_transcribe(struct remote_asr *r, const float *pcm, size_t n, int64_t offset_ms,
					int speaker, const volatile int *cancel, tacit_asr_segment_fn fn, void *user,
					char lang[8])
{
	struct xfer x;
	struct remote_asr_seg *segs = NULL;
	size_t n_segs = 0, wav_len = 0;
	enum tacit_status st = TACIT_OK;
	curl_mime *form = NULL;
	char *wav = NULL;
	long code = 0;

	lang[0] = '\0';
	xfer_init(&x, cancel);
	if (!(wav = wav_of(pcm, n, &wav_len)) || !(form = curl_mime_init(r->c))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	curl_mimepart *part = curl_mime_addpart(form);
	curl_mime_name(part, "file");
	curl_mime_filename(part, "audio.wav");
	curl_mime_type(part, "audio/wav");
	curl_mime_data(part, wav, wav_len);
	add_field(form, "response_format", "verbose_json");
	add_field(form, "temperature", "0");
	if (r->language[0])
		add_field(form, "language", r->language);
	if (r->openai) {
		if (r->model[0])
			add_field(form, "model", r->model);
		add_field(form, "timestamp_granularities[]", "segment");
	} else if (r->translate) {
		add_field(form, "translate", "true");
	}
	CURLcode rc = perform(r, &x, r->url, form, &code);
	if (rc != CURLE_OK || code != 200 || cancel_requested(cancel)) {
		st = xfer_error(r, &x, rc, code, "the transcription");
		goto out;
	}
	if ((st = remote_asr_parse(x.body.data, x.body.len, (int64_t)(n * 1000 / TACIT_AUDIO_RATE), r->host, &segs,
				   &n_segs, lang)) != TACIT_OK)
		goto out;
	int64_t n_ms = (int64_t)(n * 1000 / TACIT_AUDIO_RATE);
	for (size_t i = 0; i < n_segs; i++) {
		/* a server's timestamps can run past the audio (whisper's 30 s window): clamped,
		 * as the local worker does */
		int64_t b = segs[i].end_ms < n_ms ? segs[i].end_ms : n_ms, a = segs[i].start_ms < b ? segs[i].start_ms : b;
		struct tacit_asr_segment s = {
			.start_ms = a + offset_ms,
			.end_ms = b + offset_ms,
			.speaker = speaker,
			.final = true,
			.confidence = segs[i].confidence,
			.text = segs[i].text,
		};
		if (fn && !fn(&s, user)) {
			st = tacit_fail(TACIT_ERR_CANCELLED, "transcription cancelled");
			goto out;
		}
	}
out:
	curl_mime_free(form);
	free(wav);
	buf_release(&x.body);
	remote_asr_segments_free(segs, n_segs);
	return st;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && !strcmp(s + a - b, tail);
}

/* The API from the URL, else from /v1/models: a list means OpenAI-style. */
static enum tacit_status pick_api(struct remote_asr *r, const char *base)
{
	struct xfer x;
	char url[sizeof(r->url)];
	long code = 0;
	enum tacit_status st = TACIT_OK;

	if (ends_with(base, "/inference") || ends_with(base, "/audio/transcriptions") ||
	    ends_with(base, "/audio/translations")) {
		snprintf(r->url, sizeof(r->url), "%s", base);
		r->openai = !ends_with(base, "/inference");
		return TACIT_OK;
	}
	xfer_init(&x, NULL);
	snprintf(url, sizeof(url), "%s/v1/models", base);
	CURLcode rc = perform(r, &x, url, NULL, &code);
	if (rc != CURLE_OK || code == 401 || code == 403 || code >= 500) {
		st = xfer_error(r, &x, rc, code, "its list of models");
		goto out;
	}
	yyjson_doc *d = code == 200 ? yyjson_read(x.body.data, x.body.len, 0) : NULL;
	yyjson_val *data = yyjson_obj_get(yyjson_doc_get_root(d), "data");
	r->openai = yyjson_is_arr(data);
	if (r->openai && !r->model[0]) {
		const char *id = yyjson_get_str(yyjson_obj_get(yyjson_arr_get_first(data), "id"));
		snprintf(r->model, sizeof(r->model), "%s", id ? id : "whisper-1");
	}
	yyjson_doc_free(d);
	if (r->openai)
		snprintf(r->url, sizeof(r->url), "%s/v1/audio/%s", base, r->translate ? "translations" : "transcriptions");
	else
		snprintf(r->url, sizeof(r->url), "%s/inference", base);
out:
	buf_release(&x.body);
	return st;
}

enum tacit_status remote_asr_open(const struct tacit_engine *e, const char *language, bool translate,
				  struct remote_asr **out)
{
	struct remote_asr *r = NULL;
	char base[512];
	enum tacit_status st;

	*out = NULL;
	if (!tacit_engine_is_remote(e))
		return tacit_fail(TACIT_ERR_USAGE, "remote_asr_open: the engine is local");
	if ((st = remote_http_init()) != TACIT_OK)
		return st;
	if (!(r = calloc(1, sizeof(*r))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	r->e = *e;
	r->translate = translate;
	if (language && *language && strcmp(language, "auto") != 0)
		snprintf(r->language, sizeof(r->language), "%s", language);
	snprintf(r->model, sizeof(r->model), "%s", e->model);
	engine_host(e, r->host, sizeof(r->host));
	remote_http_base(e, base, sizeof(base));
	if ((st = remote_http_auth(e, "asr", &r->auth)) != TACIT_OK)
		goto out;
	if (!(r->c = curl_easy_init())) {
		st = tacit_fail(TACIT_ERR_NOMEM, "cannot start a libcurl handle");
		goto out;
	}
	if ((st = pick_api(r, base)) != TACIT_OK)
		goto out;
	const char *name = r->model[0] ? r->model : "whisper-server";
	snprintf(r->where, sizeof(r->where), "remote, %s (%s)", r->host, name);
	snprintf(r->label, sizeof(r->label), "%s on %s", name, r->host);
	tacit_log(TACIT_LOG_INFO, "speech: %s, posting to %s", r->where, r->openai ? "an OpenAI-style API" : "/inference");
out:
	if (st != TACIT_OK) {
		remote_asr_close(r);
		return st;
	}
	*out = r;
	return TACIT_OK;
}

void remote_asr_close(struct remote_asr *r)
{
	if (!r)
		return;
	if (r->c)
		curl_easy_cleanup(r->c);
	remote_http_auth_free(r->auth);
	free(r);
}

const char *remote_asr_where(const struct remote_asr *r)
{
	return r->where;
}

const char *remote_asr_label(const struct remote_asr *r)
{
	return r->label;
}
