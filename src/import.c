/*
 * import.c — turns a transcript file into a session: QMSum-style JSON or "Speaker: text"
 * lines. Neither carries times, so they are synthesized at a stated speaking rate and
 * the session is marked times_synthesized (its settings say how). All of a file goes in
 * one transaction: an import either lands whole or not at all. Recordings go to
 * import_audio.c, which transcribes them.
 */
#include "internal.h"

#include "store.h"

#include <ctype.h>
#include <yyjson.h>

#define IMPORT_MAX_BYTES ((size_t)256 << 20)

struct tacit_import_params tacit_import_default_params(void)
{
	struct tacit_import_params p = { .title = NULL, .words_per_minute = 150 };
	return p;
}

/* A recording: transcribed and stored with its audio (import_audio.c). */
static enum tacit_status import_audio(struct tacit_store *s, const char *path, const struct tacit_import_params *p,
				      int64_t *out_id)
{
	struct tacit_audio_import_params ap = tacit_audio_import_default_params();
	ap.title = p->title;
	return tacit_store_import_audio(s, path, &ap, out_id);
}

static bool has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);
	return n > e && !strcasecmp(path + n - e, ext);
}

static bool looks_like_audio(const char *path, const unsigned char *d, size_t n)
{
	static const char *const exts[] = { ".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a",
					    ".aac", ".webm", ".mp4", ".mkv" };
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++)
		if (has_ext(path, exts[i]))
			return true;
	if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WAVE", 4))
		return true;
	if (n >= 4 && (!memcmp(d, "ID3", 3) || !memcmp(d, "fLaC", 4) || !memcmp(d, "OggS", 4) ||
		       !memcmp(d, "\x1a\x45\xdf\xa3", 4)))
		return true;
	if (n >= 8 && !memcmp(d + 4, "ftyp", 4))
		return true;
	return n >= 2 && d[0] == 0xff && (d[1] & 0xe0) == 0xe0; /* an MPEG audio frame */
}

bool tacit_file_is_audio(const char *path)
{
	unsigned char head[16];
	size_t n = 0;
	if (!path)
		return false;
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	return looks_like_audio(path, head, n);
}

/* Copies text without {markers}, with runs of white space made one space, trimmed. */
static void clean_text(const char *s, size_t len, struct buf *out)
{
	buf_reset(out);
	bool space = false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '{') {
			const char *close = memchr(s + i, '}', len - i);
			if (close && close - (s + i) < 40) {
				i = (size_t)(close - s);
				space = true;
				continue;
			}
		}
		if (isspace((unsigned char)s[i])) {
			space = true;
			continue;
		}
		if (space && out->len)
			buf_adds(out, " ");
		space = false;
		buf_add(out, s + i, 1);
	}
}

static int count_words(const char *s)
{
	int n = 0;
	bool in = false;
	for (; *s; s++) {
		bool w = !isspace((unsigned char)*s);
		if (w && !in)
			n++;
		in = w;
	}
	return n;
}

struct importer {
	struct tacit_store *store;
	int64_t session_id;
	int64_t cursor_ms;
	int wpm;
	int n_turns;
	struct buf text;
};

static enum tacit_status add_turn(struct importer *im, const char *speaker, const char *raw, size_t len)
{
	clean_text(raw, len, &im->text);
	if (im->text.failed)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (!im->text.len)
		return TACIT_OK;
	int64_t dur = (int64_t)count_words(im->text.data) * 60000 / im->wpm;
	if (dur < 1000)
		dur = 1000;
	struct tacit_segment seg = {
		.start_ms = im->cursor_ms,
		.end_ms = im->cursor_ms + dur,
		.speaker = speaker,
		.text = im->text.data,
		.confidence = -1,
	};
	im->cursor_ms += dur;
	im->n_turns++;
	return tacit_store_add_segment(im->store, im->session_id, &seg, NULL);
}

static enum tacit_status import_qmsum(struct importer *im, const char *path, const char *data, size_t len)
{
	yyjson_read_err err;
	yyjson_doc *doc = yyjson_read_opts((char *)data, len, 0, NULL, &err);
	enum tacit_status st = TACIT_OK;
	if (!doc)
		return tacit_fail(TACIT_ERR_FORMAT, "cannot parse '%s' as JSON: %s at byte %zu", path, err.msg, err.pos);
	yyjson_val *turns = yyjson_obj_get(yyjson_doc_get_root(doc), "meeting_transcripts");
	if (!yyjson_is_arr(turns)) {
		st = tacit_fail(TACIT_ERR_FORMAT, "'%s' has no \"meeting_transcripts\" list (expected QMSum JSON)", path);
		goto out;
	}
	size_t i, n;
	yyjson_val *t;
	yyjson_arr_foreach(turns, i, n, t)
	{
		yyjson_val *sp = yyjson_obj_get(t, "speaker");
		yyjson_val *ct = yyjson_obj_get(t, "content");
		if (!yyjson_is_str(ct) || (sp && !yyjson_is_str(sp))) {
			st = tacit_fail(TACIT_ERR_FORMAT, "turn %zu of '%s' has no \"content\" text", i + 1, path);
			break;
		}
		st = add_turn(im, sp ? yyjson_get_str(sp) : NULL, yyjson_get_str(ct), yyjson_get_len(ct));
		if (st != TACIT_OK)
			break;
	}
out:
	yyjson_doc_free(doc);
	return st;
}

/* "Name: text": a name starts with a letter, is at most 60 bytes and has no ':' in it. */
static size_t speaker_prefix(const char *line, size_t len)
{
	if (!len || !isalpha((unsigned char)line[0]))
		return 0;
	for (size_t i = 1; i < len && i <= 60; i++)
		if (line[i] == ':')
			return i;
	return 0;
}

static enum tacit_status import_lines(struct importer *im, const char *path, const char *data, size_t len)
{
	struct buf speaker;
	enum tacit_status st = TACIT_OK;
	if (memchr(data, '\0', len))
		return tacit_fail(TACIT_ERR_FORMAT, "'%s' is not a transcript (binary data; expected \"Speaker: text\" lines)",
				  path);
	buf_init(&speaker);
	for (const char *p = data, *end = data + len; p < end && st == TACIT_OK;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t k = speaker_prefix(p, n);
		if (k) {
			buf_reset(&speaker);
			clean_text(p, k, &speaker);
			st = add_turn(im, speaker.data, p + k + 1, n - k - 1);
		} else {
			st = add_turn(im, speaker.len ? speaker.data : NULL, p, n);
		}
		p += n + 1;
	}
	buf_release(&speaker);
	return st;
}

enum tacit_status tacit_store_import(struct tacit_store *s, const char *path, const struct tacit_import_params *params,
				     int64_t *out_id)
{
	struct tacit_import_params p = params ? *params : tacit_import_default_params();
	struct importer im = { .store = s };
	struct buf data, title, settings;
	enum tacit_status st;

	if (!s || !path || !*path)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_import: store or path missing");
	if (p.words_per_minute <= 0)
		p.words_per_minute = 150;
	if (p.words_per_minute > 1000)
		return tacit_fail(TACIT_ERR_USAGE, "a speaking rate of %d words per minute is not plausible",
				  p.words_per_minute);
	buf_init(&data);
	buf_init(&title);
	buf_init(&settings);
	buf_init(&im.text);
	if (tacit_file_is_audio(path)) { /* before reading it whole: recordings are big */
		st = import_audio(s, path, &p, out_id);
		goto out;
	}
	errno = 0;
	if (!read_small_file(path, &data, IMPORT_MAX_BYTES)) {
		st = tacit_fail(TACIT_ERR_IO, "cannot read '%s': %s", path, strerror(errno ? errno : EIO));
		goto out;
	}
	if (data.len >= IMPORT_MAX_BYTES) {
		st = tacit_fail(TACIT_ERR_UNSUPPORTED, "'%s' is larger than the %zu MiB a transcript may have", path,
				IMPORT_MAX_BYTES >> 20);
		goto out;
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (p.title && *p.title)
		buf_adds(&title, p.title);
	else
		buf_add(&title, base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
	const char *q = data.data;
	while (isspace((unsigned char)*q))
		q++;
	bool json = *q == '{';

	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	if (doc) {
		yyjson_mut_val *root = yyjson_mut_obj(doc), *imp;
		yyjson_mut_doc_set_root(doc, root);
		imp = yyjson_mut_obj_add_obj(doc, root, "import");
		yyjson_mut_obj_add_strcpy(doc, imp, "source", base);
		yyjson_mut_obj_add_str(doc, imp, "format", json ? "qmsum-json" : "speaker-lines");
		yyjson_mut_obj_add_int(doc, imp, "words_per_minute", p.words_per_minute);
		yyjson_mut_obj_add_str(doc, imp, "times", "synthesized");
		char *text = yyjson_mut_write(doc, 0, NULL);
		if (text)
			buf_adds(&settings, text);
		free(text);
		yyjson_mut_doc_free(doc);
	}
	if (title.failed || settings.failed || !settings.len) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}

	struct tacit_session_params sp = tacit_session_default_params();
	sp.title = title.data;
	sp.settings_json = settings.data;
	sp.times_synthesized = true;
	im.wpm = p.words_per_minute;
	st = store_batch_begin(s);
	if (st != TACIT_OK)
		goto out;
	st = tacit_store_session_create(s, &sp, &im.session_id);
	if (st == TACIT_OK)
		st = json ? import_qmsum(&im, path, data.data, data.len) : import_lines(&im, path, data.data, data.len);
	if (st == TACIT_OK && !im.n_turns)
		st = tacit_fail(TACIT_ERR_FORMAT, "'%s' has no transcript turns", path);
	if (st == TACIT_OK)
		st = tacit_store_session_end(s, im.session_id, 0);
	st = store_batch_end(s, st);
	if (st == TACIT_OK && out_id)
		*out_id = im.session_id;
out:
	buf_release(&im.text);
	buf_release(&settings);
	buf_release(&title);
	buf_release(&data);
	return st;
}
