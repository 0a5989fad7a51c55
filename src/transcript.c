/*
 * transcript.c — the one transcript reader: files (JSON segments, `tacit transcribe` JSON,
 * QMSum turns, "Speaker: text" lines) and a session's segments in the store both become
 * a struct tacit_transcript here; import builds its session from the same parse. Text is
 * cleaned so a segment is always one prompt line; empty segments are skipped.
 */
#include "internal.h"

#include "plan.h"
#include "transcript.h"
#include "utf8.h"

#include <ctype.h>

#include <yyjson.h>

#define TRANSCRIPT_MAX_BYTES (64u << 20)

/* A copy of s[0..n) without {markers}, with runs of whitespace made one space, trimmed. */
static char *clean_text(const char *s, size_t n, size_t *words)
{
	char *out = malloc(n + 1);
	size_t j = 0;
	bool space = true;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '{') { /* QMSum's {vocalsound}, {disfmarker}: not words anyone said */
			const char *close = memchr(s + i, '}', n - i);
			if (close && close - (s + i) < 40) {
				i = (size_t)(close - s);
				space = true;
				continue;
			}
		}
		if (isspace(c) || c < 0x20) {
			space = true;
			continue;
		}
		if (space && j)
			out[j++] = ' ';
		if (space && words)
			(*words)++;
		space = false;
		out[j++] = (char)c;
	}
	out[j] = '\0';
	return out;
}

static bool add_segment(struct tacit_transcript *t, const char *speaker, size_t speaker_len, const char *text,
			size_t text_len, long long start, long long end)
{
	size_t words = 0;
	char *tx = clean_text(text, text_len, &words);
	char *sp = clean_text(speaker ? speaker : "", speaker ? speaker_len : 0, NULL);
	if (!tx || !sp || !*tx) {
		free(tx);
		free(sp);
		return tx && sp; /* an empty segment is skipped, not an error */
	}
	if (t->n == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 64;
		struct segment *s = realloc(t->segs, na * sizeof(*s));
		if (!s) {
			free(tx);
			free(sp);
			return false;
		}
		t->segs = s;
		t->alloc = na;
	}
	t->segs[t->n++] = (struct segment){ start, end < start ? start : end, sp, tx, 0 };
	t->words += words;
	return true;
}

/* A time in ms from key_ms, or from key in seconds (`tacit transcribe` JSON); -1 if none. */
static long long get_ms(yyjson_val *o, const char *key_ms, const char *key)
{
	yyjson_val *v = yyjson_obj_get(o, key_ms);
	double scale = 1;
	if (!yyjson_is_num(v)) {
		v = yyjson_obj_get(o, key);
		scale = 1000;
	}
	if (!yyjson_is_num(v))
		return -1;
	double ms = yyjson_get_num(v) * scale;
	return ms >= 0 && ms < 1e15 ? (long long)(ms + 0.5) : -1;
}

static enum tacit_status parse_json(struct tacit_transcript *t, const char *data, size_t len, const char *name)
{
	yyjson_read_err err;
	yyjson_doc *doc = yyjson_read_opts((char *)data, len, 0, NULL, &err);
	enum tacit_status st = TACIT_OK;
	if (!doc)
		return tacit_fail(TACIT_ERR_FORMAT, "cannot read transcript '%s': bad JSON at byte %zu (%s)", name,
				  err.pos, err.msg);
	yyjson_val *root = yyjson_doc_get_root(doc), *arr = root, *seg;
	const char *text_key = "text";
	t->source = TRANSCRIPT_SEGMENTS;
	if (yyjson_is_obj(root)) {
		arr = yyjson_obj_get(root, "meeting_transcripts");
		text_key = "content";
		t->source = TRANSCRIPT_QMSUM;
		if (!arr) {
			arr = yyjson_obj_get(root, "segments");
			text_key = "text";
			t->source = TRANSCRIPT_SEGMENTS;
		}
		const char *lang = yyjson_get_str(yyjson_obj_get(root, "language"));
		if (lang && strlen(lang) < sizeof(t->language))
			snprintf(t->language, sizeof(t->language), "%s", lang);
	}
	if (!yyjson_is_arr(arr)) {
		yyjson_doc_free(doc);
		return tacit_fail(TACIT_ERR_FORMAT,
				  "cannot read transcript '%s': expected a list of segments {speaker, text, "
				  "start_ms, end_ms} or QMSum \"meeting_transcripts\"",
				  name);
	}
	size_t i, max;
	yyjson_arr_foreach(arr, i, max, seg)
	{
		yyjson_val *tv = yyjson_obj_get(seg, text_key), *sv = yyjson_obj_get(seg, "speaker");
		if (!yyjson_is_str(tv) || (sv && !yyjson_is_str(sv) && !yyjson_is_null(sv))) {
			st = tacit_fail(TACIT_ERR_FORMAT, "turn %zu of '%s' has no \"%s\" text", i + 1, name, text_key);
			break;
		}
		const char *speaker = yyjson_get_str(sv);
		if (!add_segment(t, speaker, yyjson_get_len(sv), yyjson_get_str(tv), yyjson_get_len(tv),
				 get_ms(seg, "start_ms", "start"), get_ms(seg, "end_ms", "end"))) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", name);
			break;
		}
	}
	yyjson_doc_free(doc);
	return st;
}

/* "Name: text": a name starts with a letter, is at most 60 bytes, and ends no sentence
 * ("Note. It was: fine" is text). The length of the name, or 0. */
static size_t speaker_prefix(const char *line, size_t len)
{
	if (!len || !isalpha((unsigned char)line[0]))
		return 0;
	for (size_t i = 1; i < len && i <= 60; i++) {
		if (line[i] == ':')
			return i;
		if (strchr(".?!", line[i]) && i + 1 < len && line[i + 1] == ' ')
			return 0;
	}
	return 0;
}

static enum tacit_status parse_lines(struct tacit_transcript *t, const char *data, size_t len, const char *name)
{
	const char *p = data, *end = data + len;
	const char *who = NULL; /* the current speaker: a line without "Name:" continues it */
	size_t who_len = 0;
	if (memchr(data, '\0', len))
		return tacit_fail(TACIT_ERR_FORMAT,
				  "'%s' is not a transcript (binary data; expected \"Speaker: text\" lines)", name);
	t->source = TRANSCRIPT_LINES;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t k = speaker_prefix(p, (size_t)(le - p));
		const char *text = p;
		if (k) {
			who = p;
			who_len = k;
			text = p + k + 1;
		}
		if (!add_segment(t, who, who_len, text, (size_t)(le - text), -1, -1))
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", name);
		p = le + 1;
	}
	return TACIT_OK;
}

enum tacit_status transcript_parse(const char *raw, size_t raw_len, const char *name, struct tacit_transcript **out)
{
	struct tacit_transcript *t = calloc(1, sizeof(*t));
	size_t len = 0;
	/* Everything stored is UTF-8: a legacy Windows-1252 file is decoded, stray bytes
	 * become U+FFFD (utf8_from_unknown() says when which). */
	char *data = utf8_from_unknown(raw, raw_len, &len);
	enum tacit_status st;
	*out = NULL;
	if (!t || !data) {
		free(t);
		free(data);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	size_t i = 0;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	if (i < len && (data[i] == '[' || data[i] == '{'))
		st = parse_json(t, data, len, name);
	else
		st = parse_lines(t, data, len, name);
	if (st == TACIT_OK && t->n == 0)
		st = tacit_fail(TACIT_ERR_FORMAT, "transcript '%s' has no text", name);
	free(data);
	if (st != TACIT_OK) {
		tacit_transcript_free(t);
		return st;
	}
	*out = t;
	return TACIT_OK;
}

enum tacit_status tacit_transcript_load(const char *path, struct tacit_transcript **out)
{
	struct buf b;
	enum tacit_status st;
	if (!path || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_transcript_load: path and out are required");
	*out = NULL;
	buf_init(&b);
	if (!read_small_file(path, &b, TRANSCRIPT_MAX_BYTES)) {
		int err = errno;
		buf_release(&b);
		return tacit_fail(err == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO, "cannot read transcript '%s': %s",
				  path, strerror(err));
	}
	st = transcript_parse(b.data, b.len, path, out);
	buf_release(&b);
	return st;
}

struct from_store {
	struct tacit_transcript *t;
	bool nomem;
};

static bool add_stored(const struct tacit_segment *seg, void *user)
{
	struct from_store *fs = user;
	const char *who = seg->speaker_name && *seg->speaker_name ? seg->speaker_name : seg->speaker;
	size_t before = fs->t->n;
	if (!add_segment(fs->t, who, who ? strlen(who) : 0, seg->text, strlen(seg->text), seg->start_ms,
			 seg->end_ms)) {
		fs->nomem = true;
		return false;
	}
	if (fs->t->n > before)
		fs->t->segs[before].store_id = seg->id;
	return true;
}

enum tacit_status tacit_transcript_from_session(struct tacit_store *store, int64_t session_id,
						struct tacit_transcript **out)
{
	struct from_store fs = { 0 };
	struct tacit_session ss;
	enum tacit_status st;
	if (!store || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_transcript_from_session: store and out are required");
	*out = NULL;
	if ((st = tacit_store_session_get(store, session_id, &ss)) != TACIT_OK)
		return st;
	if (!(fs.t = calloc(1, sizeof(*fs.t))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	fs.t->source = TRANSCRIPT_STORE;
	snprintf(fs.t->language, sizeof(fs.t->language), "%s", ss.language);
	st = tacit_store_segments(store, session_id, false, add_stored, &fs);
	if (st == TACIT_OK && fs.nomem)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading session %lld", (long long)session_id);
	if (st == TACIT_OK && fs.t->n == 0)
		st = tacit_fail(TACIT_ERR_NOT_FOUND,
				"session %lld has no transcript yet (transcribe or import one first)",
				(long long)session_id);
	if (st != TACIT_OK) {
		tacit_transcript_free(fs.t);
		return st;
	}
	*out = fs.t;
	return TACIT_OK;
}

void tacit_transcript_free(struct tacit_transcript *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->segs[i].speaker);
		free(t->segs[i].text);
	}
	free(t->segs);
	free(t);
}

size_t tacit_transcript_count(const struct tacit_transcript *t)
{
	return t ? t->n : 0;
}

size_t tacit_transcript_words(const struct tacit_transcript *t)
{
	return t ? t->words : 0;
}

bool tacit_transcript_get(const struct tacit_transcript *t, size_t i, struct tacit_segment *out)
{
	if (!t || !out || i >= t->n)
		return false;
	memset(out, 0, sizeof(*out));
	out->start_ms = t->segs[i].start_ms;
	out->end_ms = t->segs[i].end_ms;
	out->speaker = t->segs[i].speaker;
	out->text = t->segs[i].text;
	out->confidence = -1;
	out->final = true;
	return true;
}

bool transcript_has_times(const struct tacit_transcript *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->segs[i].start_ms >= 0)
			return true;
	return false;
}

const char *format_time(long long ms, char *buf, size_t n)
{
	long long s = ms / 1000;
	if (s >= 3600)
		snprintf(buf, n, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, n, "%02lld:%02lld", s / 60, s % 60);
	return buf;
}

void transcript_line(const struct tacit_transcript *t, size_t i, struct buf *out)
{
	transcript_line_as(t, i, i + 1, out);
}

void transcript_line_as(const struct tacit_transcript *t, size_t i, size_t number, struct buf *out)
{
	const struct segment *s = &t->segs[i];
	char tm[32];
	if (s->start_ms >= 0)
		buf_addf(out, "[S%zu %s]", number, format_time(s->start_ms, tm, sizeof(tm)));
	else
		buf_addf(out, "[S%zu]", number);
	if (*s->speaker)
		buf_addf(out, " %s:", s->speaker);
	buf_addf(out, " %s\n", s->text);
}

int tacit_transcript_estimate_tokens(const struct tacit_transcript *t)
{
	long long total = 0;
	for (size_t i = 0; t && i < t->n; i++)
		total += plan_estimate_tokens(t->segs[i].text) + plan_estimate_tokens(t->segs[i].speaker) + 4;
	return total > INT32_MAX ? INT32_MAX : (int)total;
}
