/*
 * export.c — renders a stored session as Markdown, JSON, plain text, SubRip or WebVTT.
 * Reads only through the store's functions; the output is deterministic for a given
 * session (times in UTC) so golden files can pin it down.
 */
#include "internal.h"

#include "store.h"
#include "utf8.h"

#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yyjson.h>

/* The names in enum tacit_format's order: the one parser for exports and transcripts. */
enum tacit_status tacit_format_parse(const char *name, enum tacit_format *out)
{
	static const char *const names[] = { "md", "json", "txt", "srt", "vtt" };
	for (size_t i = 0; name && i < ARRAY_SIZE(names); i++) {
		if (!strcmp(name, names[i])) {
			*out = (enum tacit_format)i;
			return TACIT_OK;
		}
	}
	return tacit_fail(TACIT_ERR_USAGE, "unknown format '%s' (use md, json, txt, srt or vtt)", name ? name : "");
}

static void add_clock(struct buf *b, int64_t ms, char frac_sep)
{
	if (ms < 0)
		ms = 0;
	long long h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, f = ms % 1000;
	if (frac_sep)
		buf_addf(b, "%02lld:%02lld:%02lld%c%03lld", h, m, s, frac_sep, f);
	else
		buf_addf(b, "%02lld:%02lld:%02lld", h, m, s);
}

static void add_date(struct buf *b, int64_t ms)
{
	char text[40];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(text, sizeof(text), "%Y-%m-%d %H:%M UTC", &tm);
	buf_adds(b, text);
}

static const char *speaker_of(const struct tacit_segment *g)
{
	if (g->speaker_name && *g->speaker_name)
		return g->speaker_name;
	return g->speaker ? g->speaker : "";
}

/* Escapes the characters WebVTT gives meaning to. */
static void add_vtt_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			buf_adds(b, "&amp;");
		else if (*s == '<')
			buf_adds(b, "&lt;");
		else if (*s == '>')
			buf_adds(b, "&gt;");
		else if (*s == '\n')
			buf_adds(b, " ");
		else
			buf_add(b, s, 1);
	}
}

struct text_ctx {
	struct buf *b;
	enum tacit_format fmt;
	int n;
};

static bool text_segment(const struct tacit_segment *g, void *user)
{
	struct text_ctx *c = user;
	const char *who = speaker_of(g);
	c->n++;
	switch (c->fmt) {
	case TACIT_FORMAT_MD:
		buf_adds(c->b, "**[");
		add_clock(c->b, g->start_ms, 0);
		if (*who)
			buf_addf(c->b, "] %s:** %s\n\n", who, g->text);
		else
			buf_addf(c->b, "]** %s\n\n", g->text);
		break;
	case TACIT_FORMAT_TXT:
		buf_adds(c->b, "[");
		add_clock(c->b, g->start_ms, 0);
		buf_addf(c->b, "] %s%s%s\n", who, *who ? ": " : "", g->text);
		break;
	case TACIT_FORMAT_SRT:
		buf_addf(c->b, "%d\n", c->n);
		add_clock(c->b, g->start_ms, ',');
		buf_adds(c->b, " --> ");
		add_clock(c->b, g->end_ms, ',');
		buf_addf(c->b, "\n%s%s%s\n\n", who, *who ? ": " : "", g->text);
		break;
	case TACIT_FORMAT_VTT:
		add_clock(c->b, g->start_ms, '.');
		buf_adds(c->b, " --> ");
		add_clock(c->b, g->end_ms, '.');
		buf_adds(c->b, "\n");
		if (*who) {
			buf_adds(c->b, "<v ");
			add_vtt_text(c->b, who);
			buf_adds(c->b, ">");
		}
		add_vtt_text(c->b, g->text);
		buf_adds(c->b, "\n\n");
		break;
	case TACIT_FORMAT_JSON:
		break;
	}
	return true;
}

struct names_ctx {
	struct buf *b;
	int n;
};

static void name_speaker(int64_t session_id, const char *label, const char *name, void *user)
{
	(void)session_id;
	struct names_ctx *c = user;
	buf_addf(c->b, "%s%s", c->n++ ? ", " : "", name && *name ? name : label);
}

static enum tacit_status add_artifact_md(struct tacit_store *s, int64_t id, const char *kind, const char *heading,
					 struct buf *b)
{
	char *md = NULL;
	enum tacit_status st = tacit_store_get_artifact(s, id, kind, NULL, &md);
	if (st == TACIT_ERR_NOT_FOUND) {
		tacit_clear_error();
		return TACIT_OK;
	}
	if (st != TACIT_OK)
		return st;
	if (md) {
		/* the artifact is a document of its own ("# Title", "## Key points"): under this
		 * section's heading its title goes and its headings go one level down */
		const char *p = md;
		size_t n = strlen(md);
		while (n && md[n - 1] == '\n')
			n--;
		if (!strncmp(p, "# ", 2)) {
			const char *nl = memchr(p, '\n', n);
			p = nl ? nl + 1 : md + n;
			while (p < md + n && *p == '\n')
				p++;
		}
		buf_addf(b, "## %s\n\n", heading);
		while (p < md + n) {
			const char *nl = memchr(p, '\n', (size_t)(md + n - p));
			size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(md + n - p);
			if (*p == '#')
				buf_adds(b, "#");
			buf_add(b, p, len);
			p += len;
		}
		buf_adds(b, "\n\n");
	}
	free(md);
	return TACIT_OK;
}

static enum tacit_status export_text(struct tacit_store *s, const struct tacit_session *ss,
				     enum tacit_format fmt, struct buf *b)
{
	struct text_ctx c = { b, fmt, 0 };
	enum tacit_status st = TACIT_OK;
	if (fmt == TACIT_FORMAT_MD) {
		struct names_ctx nc = { b, 0 };
		buf_addf(b, "# %s\n\n- Date: ", ss->title);
		add_date(b, ss->started_ms);
		buf_adds(b, "\n- Duration: ");
		add_clock(b, ss->duration_ms, 0);
		if (*ss->language)
			buf_addf(b, "\n- Language: %s", ss->language);
		buf_adds(b, "\n- Speakers: ");
		st = store_speakers(s, ss->id, name_speaker, &nc);
		if (!nc.n)
			buf_adds(b, "none identified");
		buf_adds(b, "\n");
		if (ss->times_synthesized)
			buf_adds(b, "- Times: estimated from the words spoken (the source had none)\n");
		buf_adds(b, "\n");
		if (st == TACIT_OK)
			st = add_artifact_md(s, ss->id, "summary", "Summary", b);
		if (st == TACIT_OK)
			st = add_artifact_md(s, ss->id, "notes", "Notes", b);
		buf_adds(b, "## Transcript\n\n");
	} else if (fmt == TACIT_FORMAT_TXT) {
		buf_addf(b, "%s\n", ss->title);
		add_date(b, ss->started_ms);
		buf_adds(b, ", ");
		add_clock(b, ss->duration_ms, 0);
		buf_addf(b, "%s\n\n", ss->times_synthesized ? " (times estimated)" : "");
	} else if (fmt == TACIT_FORMAT_VTT) {
		buf_adds(b, "WEBVTT\n\n");
	}
	if (st == TACIT_OK)
		st = tacit_store_segments(s, ss->id, false, text_segment, &c);
	return st;
}

/* ---- JSON -------------------------------------------------------------------------- */

struct json_ctx {
	yyjson_mut_doc *doc;
	yyjson_mut_val *arr;
};

/* Adds a JSON value parsed from text, or the text itself when it does not parse. */
static void add_json_or_str(yyjson_mut_doc *doc, yyjson_mut_val *obj, const char *key, const char *text)
{
	if (!text) {
		yyjson_mut_obj_add_null(doc, obj, key);
		return;
	}
	yyjson_doc *d = yyjson_read(text, strlen(text), 0);
	yyjson_mut_val *v = d ? yyjson_val_mut_copy(doc, yyjson_doc_get_root(d)) : NULL;
	yyjson_doc_free(d);
	if (v)
		yyjson_mut_obj_add_val(doc, obj, key, v);
	else
		yyjson_mut_obj_add_strcpy(doc, obj, key, text);
}

static void add_str_or_null(yyjson_mut_doc *doc, yyjson_mut_val *obj, const char *key, const char *v)
{
	if (v)
		yyjson_mut_obj_add_strcpy(doc, obj, key, v);
	else
		yyjson_mut_obj_add_null(doc, obj, key);
}

static void json_speaker(int64_t session_id, const char *label, const char *name, void *user)
{
	(void)session_id;
	struct json_ctx *c = user;
	yyjson_mut_val *o = yyjson_mut_arr_add_obj(c->doc, c->arr);
	yyjson_mut_obj_add_strcpy(c->doc, o, "label", label);
	add_str_or_null(c->doc, o, "name", name);
}

static bool json_segment(const struct tacit_segment *g, void *user)
{
	struct json_ctx *c = user;
	yyjson_mut_val *o = yyjson_mut_arr_add_obj(c->doc, c->arr);
	yyjson_mut_obj_add_int(c->doc, o, "id", g->id);
	yyjson_mut_obj_add_int(c->doc, o, "start_ms", g->start_ms);
	yyjson_mut_obj_add_int(c->doc, o, "end_ms", g->end_ms);
	add_str_or_null(c->doc, o, "speaker", g->speaker);
	add_str_or_null(c->doc, o, "speaker_name", g->speaker_name);
	yyjson_mut_obj_add_strcpy(c->doc, o, "text", g->text);
	if (g->confidence >= 0)
		yyjson_mut_obj_add_real(c->doc, o, "confidence", (double)(int)(g->confidence * 1000 + 0.5) / 1000);
	else
		yyjson_mut_obj_add_null(c->doc, o, "confidence");
	return true;
}

static void add_int_col(yyjson_mut_doc *doc, yyjson_mut_val *o, const char *key, const char *v)
{
	yyjson_mut_obj_add_int(doc, o, key, v ? strtoll(v, NULL, 10) : 0);
}

static void json_artifact(const char *const *col, int n, void *user)
{
	struct json_ctx *c = user;
	(void)n;
	yyjson_mut_val *o = yyjson_mut_arr_add_obj(c->doc, c->arr);
	yyjson_mut_obj_add_strcpy(c->doc, o, "kind", col[0] ? col[0] : "");
	add_json_or_str(c->doc, o, "json", col[1]);
	add_str_or_null(c->doc, o, "markdown", col[2]);
	add_str_or_null(c->doc, o, "model", col[3]);
	add_str_or_null(c->doc, o, "prompt_version", col[4]);
	add_int_col(c->doc, o, "created_ms", col[5]);
	if (n > 6 && col[6] && *col[6]) /* the summary template, when one was recorded */
		yyjson_mut_obj_add_strcpy(c->doc, o, "template", col[6]);
}

static void json_chat(const char *const *col, int n, void *user)
{
	struct json_ctx *c = user;
	(void)n;
	yyjson_mut_val *o = yyjson_mut_arr_add_obj(c->doc, c->arr);
	add_str_or_null(c->doc, o, "role", col[0]);
	add_str_or_null(c->doc, o, "text", col[1]);
	add_str_or_null(c->doc, o, "model", col[2]);
	add_int_col(c->doc, o, "created_ms", col[3]);
}

static void json_suggestion(const char *const *col, int n, void *user)
{
	struct json_ctx *c = user;
	(void)n;
	yyjson_mut_val *o = yyjson_mut_arr_add_obj(c->doc, c->arr);
	add_int_col(c->doc, o, "at_ms", col[0]);
	add_str_or_null(c->doc, o, "kind", col[1]);
	add_str_or_null(c->doc, o, "text", col[2]);
	add_str_or_null(c->doc, o, "model", col[3]);
	add_int_col(c->doc, o, "created_ms", col[4]);
}

static enum tacit_status export_json(struct tacit_store *s, const struct tacit_session *ss, char **out)
{
	char *settings = NULL;
	enum tacit_status st = store_session_settings(s, ss->id, &settings);
	if (st != TACIT_OK)
		return st;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	if (!doc) {
		free(settings);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_int(doc, root, "id", ss->id);
	yyjson_mut_obj_add_strcpy(doc, root, "title", ss->title);
	yyjson_mut_obj_add_int(doc, root, "started_ms", ss->started_ms);
	if (ss->ended_ms)
		yyjson_mut_obj_add_int(doc, root, "ended_ms", ss->ended_ms);
	else
		yyjson_mut_obj_add_null(doc, root, "ended_ms");
	yyjson_mut_obj_add_int(doc, root, "duration_ms", ss->duration_ms);
	yyjson_mut_obj_add_strcpy(doc, root, "language", ss->language);
	yyjson_mut_obj_add_strcpy(doc, root, "models", ss->models);
	add_json_or_str(doc, root, "settings", settings);
	yyjson_mut_obj_add_bool(doc, root, "times_synthesized", ss->times_synthesized);
	free(settings);

	struct json_ctx c = { doc, yyjson_mut_obj_add_arr(doc, root, "speakers") };
	st = store_speakers(s, ss->id, json_speaker, &c);
	c.arr = yyjson_mut_obj_add_arr(doc, root, "segments");
	if (st == TACIT_OK)
		st = tacit_store_segments(s, ss->id, false, json_segment, &c);
	c.arr = yyjson_mut_obj_add_arr(doc, root, "artifacts");
	if (st == TACIT_OK)
		st = store_rows(s, ss->id, STORE_ROWS_ARTIFACTS, json_artifact, &c);
	c.arr = yyjson_mut_obj_add_arr(doc, root, "chat");
	if (st == TACIT_OK)
		st = store_rows(s, ss->id, STORE_ROWS_CHAT, json_chat, &c);
	c.arr = yyjson_mut_obj_add_arr(doc, root, "suggestions");
	if (st == TACIT_OK)
		st = store_rows(s, ss->id, STORE_ROWS_SUGGESTIONS, json_suggestion, &c);
	if (st == TACIT_OK) {
		char *text = utf8_json_write(doc, YYJSON_WRITE_PRETTY_TWO_SPACES, NULL);
		if (!text) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		} else {
			/* yyjson's allocator is malloc; append the final newline text files want. */
			size_t n = strlen(text);
			char *p = realloc(text, n + 2);
			if (!p) {
				free(text);
				st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			} else {
				p[n] = '\n';
				p[n + 1] = '\0';
				*out = p;
			}
		}
	}
	yyjson_mut_doc_free(doc);
	return st;
}

enum tacit_status tacit_store_export(struct tacit_store *s, int64_t session_id, enum tacit_format fmt,
				     char **out)
{
	struct tacit_session ss;
	struct buf b;
	if (!s || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_export: store or out is NULL");
	*out = NULL;
	if ((unsigned)fmt > TACIT_FORMAT_VTT)
		return tacit_fail(TACIT_ERR_USAGE, "unknown export format %d", (int)fmt);
	enum tacit_status st = tacit_store_session_get(s, session_id, &ss);
	if (st != TACIT_OK)
		return st;
	if (fmt == TACIT_FORMAT_JSON)
		return export_json(s, &ss, out);
	buf_init(&b);
	st = export_text(s, &ss, fmt, &b);
	if (st == TACIT_OK && b.failed)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (st == TACIT_OK)
		*out = buf_detach(&b, NULL);
	buf_release(&b);
	return st;
}

/* ---- writing an export to a file the user named ---------------------------------- */

/* Whether dir (already resolved) is tacit's data, cache or config directory or lies
 * beneath one: the meetings database and the model state live there, and an export
 * given the wrong name must not land on them. */
static bool in_tacit_dir(const char *dir)
{
	bool in = false;
	for (int d = TACIT_DIR_DATA; d <= TACIT_DIR_CONFIG && !in; d++) {
		char *p = NULL, *r = NULL;
		if (tacit_dir_path((enum tacit_dir)d, &p) == TACIT_OK && (r = realpath(p, NULL))) {
			size_t n = strlen(r);
			in = n > 1 && !strncmp(dir, r, n) && (dir[n] == '/' || !dir[n]);
		}
		free(r);
		tacit_free(p);
	}
	tacit_clear_error();
	return in;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static enum tacit_status write_failed(const char *path)
{
	return tacit_fail_errno(errno == ENOSPC ? TACIT_ERR_NO_SPACE : TACIT_ERR_IO, "cannot write '%s'", path);
}

/* Writes to a FIFO or a terminal-like device (/dev/stdout) as it is: nothing to replace. */
static enum tacit_status write_stream(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return write_failed(path);
	bool ok = write_all(fd, text, len);
	int err = errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		err = errno;
	}
	errno = err;
	return ok ? TACIT_OK : write_failed(path);
}

enum tacit_status tacit_export_save(const char *path, const char *text, size_t len, bool overwrite)
{
	enum tacit_status st = TACIT_OK;
	char *dir_copy = NULL, *dir = NULL;
	struct buf tmp;
	struct stat sb;
	bool made = false;
	int fd = -1;

	buf_init(&tmp);
	if (!path || !*path || !text)
		return tacit_fail(TACIT_ERR_USAGE, "an export needs a file name and a text");
	if (stat(path, &sb) == 0 && (S_ISFIFO(sb.st_mode) || S_ISCHR(sb.st_mode)))
		return write_stream(path, text, len);
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return tacit_fail(TACIT_ERR_USAGE, "'%s' is a directory (name the file to write)", path);
	if (!(dir_copy = strdup(path))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!(dir = realpath(dirname(dir_copy), NULL))) {
		st = tacit_fail_errno(TACIT_ERR_IO, "cannot write '%s'", path);
		goto out;
	}
	if (in_tacit_dir(dir)) {
		st = tacit_fail(TACIT_ERR_USAGE,
				"refusing to write '%s' into tacit's own directory '%s', where the meetings database "
				"lives (choose a file elsewhere)",
				path, dir);
		goto out;
	}
	if (!overwrite && lstat(path, &sb) == 0) {
		st = tacit_fail(TACIT_ERR_USAGE, "'%s' already exists (choose another name, or --force to replace it)",
				path);
		goto out;
	}
	/* A temporary file beside the target, renamed into place: a failure midway leaves
	 * the old file (or none), never half an export. */
	buf_addf(&tmp, "%s.XXXXXX", path);
	if (tmp.failed) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((fd = mkstemp(tmp.data)) < 0) {
		st = write_failed(path);
		goto out;
	}
	made = true;
	if (fchmod(fd, 0600) != 0 || !write_all(fd, text, len) || fsync(fd) != 0) {
		st = write_failed(path);
		goto out;
	}
	int r = close(fd);
	fd = -1;
	if (r != 0) {
		st = write_failed(path);
		goto out;
	}
	if (overwrite) {
		r = rename(tmp.data, path);
	} else if ((r = link(tmp.data, path)) != 0 && errno != EEXIST) {
		/* A file system without hard links (FAT): no atomic no-replace, so look first. */
		r = lstat(path, &sb) == 0 ? (errno = EEXIST, -1) : rename(tmp.data, path);
	}
	if (r != 0) {
		st = errno == EEXIST ? tacit_fail(TACIT_ERR_USAGE,
						  "'%s' already exists (choose another name, or --force to replace it)", path)
				     : write_failed(path);
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(tmp.data); /* after link() the export has its own name; after rename, gone */
	buf_release(&tmp);
	free(dir);
	free(dir_copy);
	return st;
}
