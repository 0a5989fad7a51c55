/*
 * segments.c — a sorted list of final segments and its renderings: txt, json, srt,
 * vtt, md, plus the JSON line of one live segment. Times are integer milliseconds all
 * the way down, so formatting never rounds differently from one format to another.
 */
#include "internal.h"

#include "utf8.h"

#include <inttypes.h>

#include <yyjson.h>

void tacit_segments_init(struct tacit_segments *t)
{
	memset(t, 0, sizeof(*t));
}

void tacit_segments_release(struct tacit_segments *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_segments; i++)
		free((char *)t->segments[i].text);
	free(t->segments);
	tacit_segments_init(t);
}

enum tacit_status tacit_segments_add(struct tacit_segments *t, const struct tacit_asr_segment *seg)
{
	if (t->n_segments == t->alloc) {
		size_t want = t->alloc ? t->alloc * 2 : 16;
		struct tacit_asr_segment *p = realloc(t->segments, want * sizeof(*p));
		if (!p)
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		t->segments = p;
		t->alloc = want;
	}
	char *text = strdup(seg->text ? seg->text : "");
	if (!text)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	/* Stable insertion: equal starts keep arrival order (channel 0 before channel 1). */
	size_t at = t->n_segments;
	while (at > 0 && t->segments[at - 1].start_ms > seg->start_ms)
		at--;
	memmove(&t->segments[at + 1], &t->segments[at], (t->n_segments - at) * sizeof(*t->segments));
	t->segments[at] = *seg;
	t->segments[at].text = text;
	t->n_segments++;
	return TACIT_OK;
}

bool tacit_segments_collect(const struct tacit_asr_segment *seg, void *user)
{
	if (!seg->final)
		return true;
	return tacit_segments_add(user, seg) == TACIT_OK;
}

static void add_time(struct buf *b, int64_t ms, char sep)
{
	if (ms < 0)
		ms = 0;
	buf_addf(b, "%02" PRId64 ":%02" PRId64 ":%02" PRId64 "%c%03" PRId64, ms / 3600000, ms / 60000 % 60,
		 ms / 1000 % 60, sep, ms % 1000);
}

/* A speaker change: the label differs from the previous segment's, or the model marked
 * a turn after the previous segment. */
static bool speaker_changed(const struct tacit_segments *t, size_t i)
{
	if (i == 0)
		return true;
	return t->segments[i].speaker != t->segments[i - 1].speaker || t->segments[i - 1].turn_next;
}

static void render_txt(const struct tacit_segments *t, struct buf *b)
{
	for (size_t i = 0; i < t->n_segments; i++) {
		const struct tacit_asr_segment *s = &t->segments[i];
		if (i > 0 && t->segments[i - 1].turn_next && s->speaker == TACIT_SPEAKER_UNKNOWN)
			buf_adds(b, "--\n"); /* a turn the model heard, without a name for it */
		buf_adds(b, "[");
		add_time(b, s->start_ms, '.');
		buf_adds(b, " --> ");
		add_time(b, s->end_ms, '.');
		buf_adds(b, "] ");
		if (*tacit_speaker_name(s->speaker))
			buf_addf(b, "%s: ", tacit_speaker_name(s->speaker));
		buf_addf(b, "%s\n", s->text);
	}
}

static void render_srt_vtt(const struct tacit_segments *t, struct buf *b, bool vtt)
{
	if (vtt)
		buf_adds(b, "WEBVTT\n\n");
	for (size_t i = 0; i < t->n_segments; i++) {
		const struct tacit_asr_segment *s = &t->segments[i];
		if (!vtt)
			buf_addf(b, "%zu\n", i + 1);
		add_time(b, s->start_ms, vtt ? '.' : ',');
		buf_adds(b, " --> ");
		add_time(b, s->end_ms, vtt ? '.' : ',');
		buf_adds(b, "\n");
		const char *who = tacit_speaker_name(s->speaker);
		if (*who)
			buf_addf(b, vtt ? "<v %s>" : "%s: ", who);
		else if (vtt && speaker_changed(t, i) && i > 0)
			buf_adds(b, "- ");
		buf_addf(b, "%s\n\n", s->text);
	}
}

static void render_md(const struct tacit_segments *t, struct buf *b)
{
	buf_adds(b, "# Transcript\n");
	bool open = false;
	for (size_t i = 0; i < t->n_segments; i++) {
		const struct tacit_asr_segment *s = &t->segments[i];
		int64_t sec = s->start_ms / 1000;
		if (speaker_changed(t, i) || !open) {
			const char *who = tacit_speaker_name(s->speaker);
			buf_addf(b, "\n**%s** [%02" PRId64 ":%02" PRId64 "]", *who ? who : "Speaker", sec / 60, sec % 60);
			if (sec >= 3600)
				buf_addf(b, " (%" PRId64 "h)", sec / 3600);
			buf_adds(b, "\n");
			open = true;
		}
		buf_addf(b, "%s\n", s->text);
	}
}

static bool json_segment(yyjson_mut_doc *doc, yyjson_mut_val *obj, const struct tacit_asr_segment *s)
{
	const char *who = tacit_speaker_name(s->speaker);
	return yyjson_mut_obj_add_real(doc, obj, "start", (double)s->start_ms / 1000.0) &&
	       yyjson_mut_obj_add_real(doc, obj, "end", (double)s->end_ms / 1000.0) &&
	       (*who ? yyjson_mut_obj_add_strcpy(doc, obj, "speaker", who) : yyjson_mut_obj_add_null(doc, obj, "speaker")) &&
	       yyjson_mut_obj_add_bool(doc, obj, "speaker_turn_next", s->turn_next) &&
	       yyjson_mut_obj_add_real(doc, obj, "confidence", (double)(int)(s->confidence * 1000.0f + 0.5f) / 1000.0) &&
	       yyjson_mut_obj_add_strcpy(doc, obj, "text", s->text ? s->text : "");
}

static char *render_json(const struct tacit_segments *t)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	char *text = NULL;
	if (!doc)
		return NULL;
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_val *arr = yyjson_mut_arr(doc);
	bool ok = root && arr;
	if (ok) {
		yyjson_mut_doc_set_root(doc, root);
		if (t->language[0])
			ok = yyjson_mut_obj_add_strncpy(doc, root, "language", t->language,
							strnlen(t->language, sizeof(t->language)));
		ok = ok && yyjson_mut_obj_add_val(doc, root, "segments", arr);
	}
	for (size_t i = 0; ok && i < t->n_segments; i++) {
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
		ok = o && json_segment(doc, o, &t->segments[i]);
	}
	if (ok) {
		char *j = utf8_json_write(doc, YYJSON_WRITE_PRETTY_TWO_SPACES, NULL);
		if (j) {
			size_t n = strlen(j);
			text = malloc(n + 2);
			if (text) {
				memcpy(text, j, n);
				text[n] = '\n';
				text[n + 1] = '\0';
			}
			free(j);
		}
	}
	yyjson_mut_doc_free(doc);
	return text;
}

enum tacit_status tacit_segments_render(const struct tacit_segments *t, enum tacit_format fmt,
					  char **out)
{
	struct buf b;
	*out = NULL;
	if (!t)
		return tacit_fail(TACIT_ERR_USAGE, "no transcript to render");
	if (fmt == TACIT_FORMAT_JSON) {
		*out = render_json(t);
		return *out ? TACIT_OK : tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	buf_init(&b);
	switch (fmt) {
	case TACIT_FORMAT_TXT:
		render_txt(t, &b);
		break;
	case TACIT_FORMAT_SRT:
	case TACIT_FORMAT_VTT:
		render_srt_vtt(t, &b, fmt == TACIT_FORMAT_VTT);
		break;
	case TACIT_FORMAT_MD:
		render_md(t, &b);
		break;
	default:
		return tacit_fail(TACIT_ERR_USAGE, "unknown transcript format %d", (int)fmt);
	}
	if (b.failed) {
		buf_release(&b);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	*out = buf_detach(&b, NULL);
	return TACIT_OK;
}

char *tacit_asr_segment_json(const struct tacit_asr_segment *seg)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	char *text = NULL;
	if (!doc)
		return NULL;
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	if (o && yyjson_mut_obj_add_str(doc, o, "type", seg->final ? "final" : "partial") && json_segment(doc, o, seg)) {
		yyjson_mut_doc_set_root(doc, o);
		text = utf8_json_write(doc, 0, NULL);
	}
	yyjson_mut_doc_free(doc);
	return text;
}
