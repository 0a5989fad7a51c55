/*
 * transcript.c — loads meeting transcripts from files: JSON segments, QMSum-style turns,
 * or "Speaker: text" lines. Whitespace inside a text is collapsed to single spaces so a
 * segment is always one prompt line; empty segments are skipped.
 */
#include "internal.h"

#include "transcript.h"

#include <ctype.h>

#include <yyjson.h>

#define TRANSCRIPT_MAX_BYTES (64u << 20)

/* A copy of s[0..n) with runs of whitespace made one space, trimmed. */
static char *clean_text(const char *s, size_t n, size_t *words)
{
	char *out = malloc(n + 1);
	size_t j = 0;
	bool space = true;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isspace(c) || c < 0x20) {
			space = true;
			continue;
		}
		if (space && j) {
			out[j++] = ' ';
		}
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
	t->segs[t->n++] = (struct segment){ start, end, sp, tx };
	t->words += words;
	return true;
}

static long long get_ms(yyjson_val *o, const char *key)
{
	yyjson_val *v = yyjson_obj_get(o, key);
	return yyjson_is_num(v) && yyjson_get_num(v) >= 0 ? (long long)yyjson_get_num(v) : -1;
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
	if (yyjson_is_obj(root)) {
		arr = yyjson_obj_get(root, "meeting_transcripts");
		text_key = "content";
		if (!arr) {
			arr = yyjson_obj_get(root, "segments");
			text_key = "text";
		}
	}
	if (!yyjson_is_arr(arr)) {
		yyjson_doc_free(doc);
		return tacit_fail(TACIT_ERR_FORMAT,
				  "cannot read transcript '%s': expected a list of segments {speaker, text, "
				  "start_ms, end_ms}",
				  name);
	}
	size_t i, max;
	yyjson_arr_foreach(arr, i, max, seg)
	{
		const char *text = yyjson_get_str(yyjson_obj_get(seg, text_key));
		const char *speaker = yyjson_get_str(yyjson_obj_get(seg, "speaker"));
		if (!text)
			continue;
		if (!add_segment(t, speaker, speaker ? strlen(speaker) : 0, text, strlen(text), get_ms(seg, "start_ms"),
				 get_ms(seg, "end_ms"))) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", name);
			break;
		}
	}
	yyjson_doc_free(doc);
	return st;
}

static enum tacit_status parse_lines(struct tacit_transcript *t, const char *data, size_t len, const char *name)
{
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(le - p));
		/* "Speaker: text" when the part before the colon is short and has no sentence */
		bool speaker = colon && colon - p > 0 && colon - p <= 40 && !memchr(p, '.', (size_t)(colon - p));
		bool ok = speaker ? add_segment(t, p, (size_t)(colon - p), colon + 1, (size_t)(le - colon - 1), -1, -1)
				  : add_segment(t, NULL, 0, p, (size_t)(le - p), -1, -1);
		if (!ok)
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory reading '%s'", name);
		p = le + 1;
	}
	return TACIT_OK;
}

enum tacit_status transcript_parse(const char *data, size_t len, const char *name, struct tacit_transcript **out)
{
	struct tacit_transcript *t = calloc(1, sizeof(*t));
	enum tacit_status st;
	*out = NULL;
	if (!t)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	size_t i = 0;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	if (i < len && (data[i] == '[' || data[i] == '{'))
		st = parse_json(t, data, len, name);
	else
		st = parse_lines(t, data, len, name);
	if (st == TACIT_OK && t->n == 0)
		st = tacit_fail(TACIT_ERR_FORMAT, "transcript '%s' has no text", name);
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
	const struct segment *s = &t->segs[i];
	char tm[32];
	if (s->start_ms >= 0)
		buf_addf(out, "[S%zu %s]", i + 1, format_time(s->start_ms, tm, sizeof(tm)));
	else
		buf_addf(out, "[S%zu]", i + 1);
	if (*s->speaker)
		buf_addf(out, " %s:", s->speaker);
	buf_addf(out, " %s\n", s->text);
}
