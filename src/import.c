/*
 * import.c — turns a transcript file into a session. The file is read by the one
 * transcript parser (transcript.c): JSON segments with times (`tacit transcribe`), QMSum
 * turns or "Speaker: text" lines. Files without times get times synthesized at a stated
 * speaking rate, and the session is marked times_synthesized (its settings say how). All of a file goes in
 * one transaction: an import either lands whole or not at all. Recordings go to
 * import_audio.c, which transcribes them.
 */
#include "internal.h"

#include "store.h"
#include "transcript.h"

#include <ctype.h>
#include <yyjson.h>

#define IMPORT_MAX_BYTES ((size_t)256 << 20)
/* Segments per transaction of an import: a few tens of milliseconds of write lock. */
#define IMPORT_SLICE ((size_t)1000)

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

/* Adds the parsed segments to the session: their own times when the file has them,
 * else back-to-back turns lasting words * 60 s / wpm (at least 1 s). */
static enum tacit_status add_segments(struct tacit_store *s, int64_t session_id, const struct tacit_transcript *t,
				      bool timed, int wpm, int64_t *cursor_io)
{
	enum tacit_status st = TACIT_OK;
	int64_t cursor = *cursor_io;
	for (size_t i = 0; i < t->n && st == TACIT_OK; i++) {
		const struct segment *g = &t->segs[i];
		int64_t dur = (int64_t)count_words(g->text) * 60000 / wpm;
		if (dur < 1000)
			dur = 1000;
		struct tacit_segment seg = {
			.start_ms = timed && g->start_ms >= 0 ? g->start_ms : cursor,
			.end_ms = timed && g->start_ms >= 0 ? g->end_ms : cursor + dur,
			.speaker = *g->speaker ? g->speaker : NULL,
			.text = g->text,
			.confidence = -1,
		};
		cursor = seg.end_ms;
		st = tacit_store_add_segment(s, session_id, &seg, NULL);
	}
	*cursor_io = cursor;
	return st;
}

enum tacit_status tacit_store_import(struct tacit_store *s, const char *path, const struct tacit_import_params *params,
				     int64_t *out_id)
{
	struct tacit_import_params p = params ? *params : tacit_import_default_params();
	struct tacit_transcript *t = NULL;
	int64_t session_id = 0, cursor = 0;
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
	if ((st = transcript_parse(data.data, data.len, path, &t)) != TACIT_OK)
		goto out;
	static const char *const formats[] = { "speaker-lines", "segments-json", "qmsum-json", "store" };
	bool timed = transcript_has_times(t);

	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	if (doc) {
		yyjson_mut_val *root = yyjson_mut_obj(doc), *imp;
		yyjson_mut_doc_set_root(doc, root);
		imp = yyjson_mut_obj_add_obj(doc, root, "import");
		yyjson_mut_obj_add_strcpy(doc, imp, "source", base);
		yyjson_mut_obj_add_str(doc, imp, "format", formats[t->source]);
		if (!timed)
			yyjson_mut_obj_add_int(doc, imp, "words_per_minute", p.words_per_minute);
		yyjson_mut_obj_add_str(doc, imp, "times", timed ? "from the file" : "synthesized");
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
	sp.times_synthesized = !timed;
	sp.language = t->language;
	/* Committed in slices, so a big transcript never holds the store's write lock for
	 * seconds (a live meeting in another process writes meanwhile). Until its end is
	 * stored the session reads as unfinished; a failure deletes what was stored. */
	st = tacit_store_session_create(s, &sp, &session_id);
	if (st != TACIT_OK)
		goto out;
	for (size_t at = 0; st == TACIT_OK && at < t->n; at += IMPORT_SLICE) {
		struct tacit_transcript part = *t;
		part.segs = t->segs + at;
		part.n = t->n - at < IMPORT_SLICE ? t->n - at : IMPORT_SLICE;
		if ((st = store_batch_begin(s)) == TACIT_OK)
			st = store_batch_end(s, add_segments(s, session_id, &part, timed, p.words_per_minute, &cursor));
	}
	if (st == TACIT_OK)
		st = tacit_store_session_end(s, session_id, 0);
	if (st != TACIT_OK) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", tacit_errmsg());
		tacit_store_session_delete(s, session_id);
		st = tacit_fail(st, "%s", msg);
	} else if (out_id) {
		*out_id = session_id;
	}
out:
	tacit_transcript_free(t);
	buf_release(&settings);
	buf_release(&title);
	buf_release(&data);
	return st;
}
