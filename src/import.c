/*
 * import.c — turns a transcript file into a session. The file is read by the one
 * transcript parser (transcript.c): JSON segments with times (`tacit transcribe`), QMSum
 * turns or "Speaker: text" lines. Files without times get times synthesized at a stated
 * speaking rate, and the session is marked times_synthesized (its settings say how). All of a file goes in
 * one transaction: an import either lands whole or not at all. Analysed (import_fold.c),
 * the stored transcript is then folded by a live meeting's analysis, whose stop stores
 * the summary and notes; its failure keeps the transcript. Recordings go to
 * import_audio.c, which transcribes them.
 */
#include "internal.h"

#include "export_folder.h"
#include "import_fold.h"
#include "store.h"
#include "transcript.h"
#include "utf8.h"

#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yyjson.h>

#define IMPORT_MAX_BYTES ((size_t)256 << 20)
/* Segments per transaction of an import: a few tens of milliseconds of write lock. */
#define IMPORT_SLICE ((size_t)1000)

struct tacit_import_params tacit_import_default_params(void)
{
	struct tacit_import_params p = { .title = NULL, .words_per_minute = 150 };
	return p;
}

/* A recording's import params: the speech settings given (else the defaults), with this
 * import's title and analysis fields. */
static struct tacit_audio_import_params analysis_params(const struct tacit_import_params *p)
{
	struct tacit_audio_import_params ap = p->audio ? *p->audio : tacit_audio_import_default_params();
	ap.title = p->title;
	ap.analyze = p->analyze;
	ap.llm_model = p->llm_model;
	ap.llm_threads = p->llm_threads;
	ap.window_tokens = p->window_tokens;
	ap.n_ctx = p->n_ctx;
	ap.template_name = p->template_name;
	ap.output_language = p->output_language;
	ap.on_event = p->on_event;
	ap.event_user = p->event_user;
	ap.cancel = p->cancel;
	ap.on_session = p->on_session;
	ap.session_user = p->session_user;
	ap.llm_engine = p->llm_engine;
	ap.max_tokens = p->max_tokens;
	return ap;
}

/* A recording: transcribed and stored with its audio (import_audio.c). */
static enum tacit_status import_audio(struct tacit_store *s, const char *path, const struct tacit_import_params *p,
				      int64_t *out_id)
{
	struct tacit_audio_import_params ap = analysis_params(p);
	return tacit_store_import_audio(s, path, &ap, out_id);
}

/* The analysis's events pass through; each fold is also told as progress. */
struct relay {
	const struct tacit_import_params *p;
	int total;
};

static void relay_progress(const struct relay *r, uint64_t done)
{
	struct tacit_progress pr = { TACIT_PROGRESS_SUMMARIZE, r->total ? (float)done / (float)r->total : 1.0f,
				     (int)done, r->total };
	if (r->p->progress)
		r->p->progress(&pr, r->p->progress_user);
}

static void relay_event(const struct tacit_live_event *ev, void *user)
{
	const struct relay *r = user;
	if (ev->type == TACIT_LIVE_SUMMARY && ev->json) {
		yyjson_doc *d = yyjson_read(ev->json, strlen(ev->json), 0);
		relay_progress(r, yyjson_get_uint(yyjson_obj_get(yyjson_doc_get_root(d), "next_segment")));
		yyjson_doc_free(d);
	}
	if (r->p->on_event)
		r->p->on_event(ev, r->p->event_user);
}

/* The stored transcript folded by a live meeting's analysis, whose stop stores the
 * summary and notes and ends the session (import_fold.c). */
static enum tacit_status analyse(struct tacit_store *s, int64_t session_id, const struct tacit_import_params *p,
				 size_t n_segments)
{
	struct relay r = { p, (int)n_segments };
	struct tacit_audio_import_params ap = analysis_params(p);
	struct import_fold *fold = NULL;
	ap.on_event = relay_event;
	ap.event_user = &r;
	enum tacit_status st = import_fold_open(s, session_id, &ap, false, &fold);
	if (st == TACIT_OK) {
		relay_progress(&r, 0);
		st = import_fold_finish(fold, p->cancel);
	}
	import_fold_close(fold);
	return st;
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
	struct stat sb;
	size_t n = 0;
	/* A stream (FIFO, pipe, terminal) is never opened to look: what was read would be
	 * gone for the import, and a FIFO without a writer would block here. */
	if (!path || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return false;
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	return looks_like_audio(path, head, n);
}

enum tacit_status tacit_import_spool(const char *path, char **out_path)
{
	enum tacit_status st = TACIT_OK;
	bool is_stdin = path && !strcmp(path, "-");
	char *dir = NULL;
	struct buf tmp;
	struct stat sb;
	int in = -1, out = -1;

	*out_path = NULL;
	buf_init(&tmp);
	if (!path || !*path)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_import_spool: no path given");
	if (!is_stdin && (stat(path, &sb) != 0 || S_ISREG(sb.st_mode)))
		return TACIT_OK; /* a file, or nothing: the import says what is wrong with it */
	in = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (in < 0)
		return tacit_fail_errno(TACIT_ERR_IO, "cannot read '%s'", path);
	if (!is_stdin && fstat(in, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		st = tacit_fail(TACIT_ERR_USAGE, "'%s' is a directory, not a recording or a transcript", path);
		goto out;
	}
	if ((st = tacit_dir_path(TACIT_DIR_CACHE, &dir)) != TACIT_OK)
		goto out;
	buf_addf(&tmp, "%s/import-XXXXXX", dir);
	if (tmp.failed) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((out = mkstemp(tmp.data)) < 0 || fchmod(out, 0600) != 0) {
		st = tacit_fail_errno(TACIT_ERR_IO, "cannot create a temporary file in '%s'", dir);
		goto out;
	}
	static char chunk[1 << 16];
	for (;;) {
		ssize_t n = read(in, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			st = tacit_fail_errno(TACIT_ERR_IO, "cannot read '%s'", is_stdin ? "standard input" : path);
			break;
		}
		if (n == 0)
			break;
		if (!store_write_all(out, chunk, (size_t)n, -1)) {
			st = tacit_fail_errno(errno == ENOSPC ? TACIT_ERR_NO_SPACE : TACIT_ERR_IO, "cannot write '%s'", tmp.data);
			break;
		}
	}
	if (st == TACIT_OK)
		*out_path = buf_detach(&tmp, NULL);
out:
	if (out >= 0) {
		close(out);
		if (st != TACIT_OK)
			unlink(tmp.data);
	}
	if (in >= 0 && !is_stdin)
		close(in);
	tacit_free(dir);
	buf_release(&tmp);
	return st;
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

static bool is_regular(const char *path)
{
	struct stat sb;
	return stat(path, &sb) != 0 || S_ISREG(sb.st_mode); /* a missing file fails when read */
}

/* The default title of a stream: its name without extension; "stdin" for "-". */
static void stream_title(const char *path, struct buf *out)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (!strcmp(path, "-"))
		buf_adds(out, "stdin");
	else
		buf_add(out, base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
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
	if (strcmp(path, "-") == 0 || !is_regular(path)) { /* a stream is read once, into a file */
		char *spooled = NULL;
		if ((st = tacit_import_spool(path, &spooled)) != TACIT_OK)
			goto out;
		if (!(p.title && *p.title)) {
			stream_title(path, &title);
			p.title = title.data;
		}
		st = tacit_store_import(s, spooled, &p, out_id);
		unlink(spooled);
		tacit_free(spooled);
		goto out;
	}
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
	/* the title is stored and shown: a file name or --title that is not UTF-8 is repaired */
	if (p.title && *p.title)
		utf8_repair_buf(&title, p.title, strlen(p.title));
	else
		utf8_repair_buf(&title, base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
	if ((st = transcript_parse(data.data, data.len, path, &t)) != TACIT_OK)
		goto out;
	static const char *const formats[] = { "speaker-lines", "segments-json", "qmsum-json", "store" };
	bool timed = transcript_has_times(t);

	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	if (doc) {
		yyjson_mut_val *root = yyjson_mut_obj(doc), *imp;
		yyjson_mut_doc_set_root(doc, root);
		imp = yyjson_mut_obj_add_obj(doc, root, "import");
		struct buf src;
		buf_init(&src);
		utf8_escape_buf(&src, base, strlen(base)); /* a name need not be text */
		yyjson_mut_obj_add_strncpy(doc, imp, "source", src.data, src.len);
		buf_release(&src);
		yyjson_mut_obj_add_str(doc, imp, "format", formats[t->source]);
		if (!timed)
			yyjson_mut_obj_add_int(doc, imp, "words_per_minute", p.words_per_minute);
		yyjson_mut_obj_add_str(doc, imp, "times", timed ? "from the file" : "synthesized");
		char *text = utf8_json_write(doc, 0, NULL);
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
	if (p.on_session)
		st = p.on_session(s, session_id, p.session_user);
	for (size_t at = 0; st == TACIT_OK && at < t->n; at += IMPORT_SLICE) {
		struct tacit_transcript part = *t;
		part.segs = t->segs + at;
		part.n = t->n - at < IMPORT_SLICE ? t->n - at : IMPORT_SLICE;
		if ((st = store_batch_begin(s)) == TACIT_OK)
			st = store_batch_end(s, add_segments(s, session_id, &part, timed, p.words_per_minute, &cursor));
	}
	if (st == TACIT_OK && !p.analyze)
		st = tacit_store_session_end(s, session_id, 0);
	if (st != TACIT_OK) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", tacit_errmsg());
		tacit_store_session_delete(s, session_id);
		st = tacit_fail(st, "%s", msg);
		goto out;
	}
	if (out_id)
		*out_id = session_id;
	if (!p.analyze) {
		export_folder_after(s, session_id);
		goto out;
	}
	/* the transcript is stored whole: a failed or cancelled analysis keeps it, ended */
	if ((st = analyse(s, session_id, &p, t->n)) != TACIT_OK) {
		struct errsave e;
		errsave_push(&e);
		struct tacit_session ss;
		if (tacit_store_session_get(s, session_id, &ss) == TACIT_OK && !ss.ended_ms)
			tacit_store_session_end(s, session_id, 0);
		export_folder_after(s, session_id);
		st = errsave_pop(&e, st);
	}
out:
	tacit_transcript_free(t);
	buf_release(&settings);
	buf_release(&title);
	buf_release(&data);
	return st;
}
