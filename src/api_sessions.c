/*
 * api_sessions.c — the history and settings API: list, show (the full JSON export),
 * rename, delete, export, full-text search with snippets, transcript import, and the
 * per-device settings (known keys only, each value checked). Each request opens its own
 * store connection, so connection threads never share one.
 */
#include "api.h"
#include "custom.h"
#include "export_folder.h"
#include "store.h"
#include "utf8.h"

#include <ctype.h>
#include <math.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yyjson.h>

#define TITLE_MAX 512
#define QUERY_MAX 512

static yyjson_mut_doc *new_doc(yyjson_mut_val **root)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	*root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, *root);
	return doc;
}

/* UTF-8 that is well formed and free of control characters (tab allowed), under max bytes. */
static bool clean_text(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max || strlen(s) != len)
		return false;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0 || i + n > len || (n == 2 && c < 0xc2) || (n == 4 && c > 0xf4))
			return false;
		if (n == 1 && ((c < 0x20 && c != '\t') || c == 0x7f))
			return false;
		for (size_t k = 1; k < n; k++)
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return false;
		i += n;
	}
	return true;
}

static void add_session(yyjson_mut_doc *doc, yyjson_mut_val *o, const struct tacit_session *s)
{
	yyjson_mut_obj_add_int(doc, o, "id", s->id);
	yyjson_mut_obj_add_strcpy(doc, o, "title", s->title);
	yyjson_mut_obj_add_int(doc, o, "started_ms", s->started_ms);
	yyjson_mut_obj_add_int(doc, o, "ended_ms", s->ended_ms);
	yyjson_mut_obj_add_int(doc, o, "duration_ms", s->duration_ms);
	yyjson_mut_obj_add_int(doc, o, "n_segments", s->n_segments);
	yyjson_mut_obj_add_int(doc, o, "n_speakers", s->n_speakers);
	yyjson_mut_obj_add_bool(doc, o, "times_synthesized", s->times_synthesized);
	yyjson_mut_obj_add_strcpy(doc, o, "language", s->language);
}

/* "from" and "to" (Unix ms, to exclusive) of a list or a search: false after answering
 * 400 when one is not a positive number. */
static bool date_range(struct api_call *c, struct api_response *res, int64_t *from, int64_t *to)
{
	const char *f = api_arg(c, "from"), *t = api_arg(c, "to");
	*from = 0;
	*to = INT64_MAX;
	if ((f && !(*from = api_parse_id(f))) || (t && !(*to = api_parse_id(t)))) {
		api_error_msg(res, 400, "\"from\" and \"to\" must be times in Unix milliseconds");
		return false;
	}
	return true;
}

/* "offset" (0 or more) and "limit" (1 to 1000; none: every one) of a page of the list:
 * false after answering 400. */
static bool page_args(struct api_call *c, struct api_response *res, size_t *offset, size_t *limit)
{
	const char *o = api_arg(c, "offset"), *l = api_arg(c, "limit");
	int64_t ov = o && strcmp(o, "0") ? api_parse_id(o) : 0, lv = l ? api_parse_id(l) : 0;
	if ((o && strcmp(o, "0") && ov < 1) || (l && (lv < 1 || lv > 1000))) {
		api_error_msg(res, 400, "\"offset\" must be a number from 0 and \"limit\" one from 1 to 1000");
		return false;
	}
	*offset = (size_t)ov;
	*limit = l ? (size_t)lv : SIZE_MAX;
	return true;
}

/* One meeting of History's list while it is built: its object, filled by the store's
 * passes over every meeting's speakers and summaries (one statement each, so the cost of
 * a listing follows what it returns, not a few queries per meeting). */
struct card {
	int64_t id;
	const struct tacit_session *s;
	yyjson_mut_val *obj, *speakers;
	bool wanted;     /* one of its speakers is the filter's */
	bool summarized; /* it has a summary */
	char *overview;  /* its summary's (or rolling summary's) overview, or NULL */
};

struct cards {
	yyjson_mut_doc *doc;
	struct card *v;
	size_t n;
	const char *want; /* the speaker filter, or NULL */
	char **names;     /* every listed meeting's speakers (name, else label), for the filter's suggestions */
	size_t n_names, cap_names;
};

/* at most this many speakers' names are suggested, the first in alphabetical order */
#define SPEAKER_NAMES_MAX 500

static int card_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct card *)a)->id, y = ((const struct card *)b)->id;
	return x < y ? -1 : x > y;
}

static struct card *card_find(struct cards *c, int64_t id)
{
	struct card key = { .id = id };
	return bsearch(&key, c->v, c->n, sizeof(*c->v), card_cmp);
}

/* The meeting's speakers (given name, else label) as "speakers"; whether one of them is
 * the filter (a label or a name, any case). */
static void on_speaker(int64_t session_id, const char *label, const char *name, void *user)
{
	struct cards *c = user;
	struct card *k = card_find(c, session_id);
	if (!k)
		return;
	const char *who = name && *name ? name : label;
	yyjson_mut_arr_add_strcpy(c->doc, k->speakers, who);
	if (c->n_names == c->cap_names) { /* out of memory: fewer suggestions, nothing else */
		size_t cap = c->cap_names ? 2 * c->cap_names : 64;
		char **v = realloc(c->names, cap * sizeof(*v));
		if (!v)
			return;
		c->names = v;
		c->cap_names = cap;
	}
	if ((c->names[c->n_names] = strdup(who)))
		c->n_names++;
	if (c->want && (!strcasecmp(c->want, label) || (name && !strcasecmp(c->want, name))))
		k->wanted = true;
}

static int name_cmp(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* "speaker_names": the listed meetings' speakers once each (any case), sorted, for the
 * speaker filter's suggestions: all meetings', not only the page's */
static void add_speaker_names(yyjson_mut_doc *doc, yyjson_mut_val *root, struct cards *c)
{
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, root, "speaker_names");
	if (c->n_names)
		qsort(c->names, c->n_names, sizeof(*c->names), name_cmp);
	for (size_t i = 0, kept = 0; i < c->n_names && kept < SPEAKER_NAMES_MAX; i++)
		if (i == 0 || strcasecmp(c->names[i - 1], c->names[i])) {
			yyjson_mut_arr_add_strcpy(doc, arr, c->names[i]);
			kept++;
		}
	for (size_t i = 0; i < c->n_names; i++)
		free(c->names[i]);
	free(c->names);
}

static void on_overview(int64_t session_id, bool summarized, const char *overview, void *user)
{
	struct card *k = card_find(user, session_id);
	if (!k)
		return;
	k->summarized = summarized;
	if (overview && *overview && !k->overview)
		k->overview = strdup(overview);
}

/* History's badge: live or processing (this server's meeting, running or stopping),
 * unfinished (never ended: resumable), summarized, or ended. With a summary (or the
 * rolling one of a meeting not yet summarized) its overview's start as "preview". */
static void add_status(yyjson_mut_doc *doc, const struct card *k, int64_t live, bool finishing)
{
	yyjson_mut_obj_add_str(doc, k->obj, "status",
			       k->id == live	    ? (finishing ? "processing" : "live")
			       : !k->s->ended_ms    ? "unfinished"
			       : k->summarized	    ? "summarized"
						    : "ended");
	const char *ov = k->overview;
	if (ov) {
		char cut[256];
		size_t n = strlen(ov);
		if (n > 240)
			snprintf(cut, sizeof(cut), "%.*s…", (int)utf8_cut(ov, n, 240), ov);
		yyjson_mut_obj_add_strcpy(doc, k->obj, "preview", n > 240 ? cut : ov);
	}
}

/* GET /api/sessions?from=&to=&speaker=&offset=&limit=: most recent first, each with its
 * status, preview and speakers; a speaker keeps the meetings where that person speaks;
 * "total" counts them all, the page is offset and limit of them; "speaker_names" are the
 * speakers of every meeting in the date range, for the filter's suggestions. */
static void list_sessions(struct api_call *c, struct api_response *res, struct tacit_store *store)
{
	struct tacit_session *list = NULL;
	struct cards cs = { .want = api_arg(c, "speaker") };
	size_t n = 0, offset, limit, total = 0;
	int64_t from, to;
	bool finishing;
	if (!date_range(c, res, &from, &to) || !page_args(c, res, &offset, &limit))
		return;
	if (cs.want && !clean_text(cs.want, strlen(cs.want), 128)) {
		api_error_msg(res, 400, "\"speaker\" must be a name of 1 to 128 bytes");
		return;
	}
	enum tacit_status st = tacit_store_session_list(store, &list, &n);
	if (st != TACIT_OK) {
		api_error(res, st);
		return;
	}
	if (!(cs.v = calloc(n ? n : 1, sizeof(*cs.v)))) {
		tacit_free(list);
		api_error(res, tacit_fail(TACIT_ERR_NOMEM, "out of memory"));
		return;
	}
	int64_t live = api_live_session(c->api, &finishing);
	yyjson_mut_val *root;
	yyjson_mut_doc *doc = new_doc(&root);
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, root, "sessions");
	cs.doc = doc;
	for (size_t i = 0; i < n; i++) {
		if (list[i].started_ms < from || list[i].started_ms >= to)
			continue;
		struct card *k = &cs.v[cs.n++];
		k->id = list[i].id;
		k->s = &list[i];
		k->obj = yyjson_mut_obj(doc);
		add_session(doc, k->obj, &list[i]);
		k->speakers = yyjson_mut_obj_add_arr(doc, k->obj, "speakers");
	}
	/* the list is newest first; the passes find a meeting by id, then it goes back */
	qsort(cs.v, cs.n, sizeof(*cs.v), card_cmp);
	if (cs.n && (store_speakers(store, 0, on_speaker, &cs) != TACIT_OK ||
		     store_overviews(store, on_overview, &cs) != TACIT_OK))
		tacit_clear_error(); /* as before: a meeting whose extras fail is listed without them */
	for (size_t i = 0; i < n; i++) {
		struct card *k = card_find(&cs, list[i].id);
		if (!k || (cs.want && !k->wanted) || total++ < offset || total - offset > limit)
			continue;
		add_status(doc, k, live, finishing);
		yyjson_mut_arr_append(arr, k->obj);
	}
	yyjson_mut_obj_add_uint(doc, root, "total", total);
	add_speaker_names(doc, root, &cs);
	for (size_t i = 0; i < cs.n; i++)
		free(cs.v[i].overview);
	free(cs.v);
	tacit_free(list);
	api_json(res, 200, doc);
}

static void show_session(struct api_response *res, struct tacit_store *store, int64_t id)
{
	char *text = NULL;
	enum tacit_status st = tacit_store_export(store, id, TACIT_FORMAT_JSON, &text);
	if (st != TACIT_OK) {
		api_error(res, st);
		return;
	}
	res->status = 200;
	res->content_type = "application/json";
	if (!buf_adds(&res->body, text))
		api_error_msg(res, 503, "out of memory");
	tacit_free(text);
}

static void rename_session(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id)
{
	yyjson_doc *doc = api_body_object(c, res);
	if (!doc)
		return;
	yyjson_val *t = yyjson_obj_get(yyjson_doc_get_root(doc), "title");
	if (!yyjson_is_str(t) || !clean_text(yyjson_get_str(t), yyjson_get_len(t), TITLE_MAX)) {
		api_error_msg(res, 400, "\"title\" must be text of 1 to %d bytes without control characters", TITLE_MAX);
	} else {
		enum tacit_status st = tacit_store_session_rename(store, id, yyjson_get_str(t));
		if (st == TACIT_OK) {
			struct tacit_session s;
			if ((st = tacit_store_session_get(store, id, &s)) == TACIT_OK) {
				yyjson_mut_val *root;
				yyjson_mut_doc *out = new_doc(&root);
				add_session(out, root, &s);
				api_json(res, 200, out);
			}
		}
		if (st != TACIT_OK)
			api_error(res, st);
	}
	yyjson_doc_free(doc);
}

static void delete_session(struct api_response *res, struct tacit_store *store, int64_t id)
{
	struct tacit_session s;
	enum tacit_status st = tacit_store_session_get(store, id, &s);
	if (st == TACIT_OK)
		st = tacit_store_session_delete(store, id);
	if (st != TACIT_OK) {
		api_error(res, st);
		return;
	}
	yyjson_mut_val *root;
	yyjson_mut_doc *doc = new_doc(&root);
	yyjson_mut_obj_add_int(doc, root, "deleted", id);
	api_json(res, 200, doc);
}

static void export_session(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id)
{
	static const char *const mimes[] = { "text/markdown; charset=utf-8", "application/json",
					     "text/plain; charset=utf-8", "application/x-subrip", "text/vtt" };
	const char *name = api_arg(c, "format");
	enum tacit_format fmt;
	char *text = NULL;
	if (!name)
		name = "md";
	if (tacit_format_parse(name, &fmt) != TACIT_OK) {
		api_error_msg(res, 400, "unknown export format '%.16s' (md, json, txt, srt or vtt)", name);
		return;
	}
	enum tacit_status st = tacit_store_export(store, id, fmt, &text);
	if (st != TACIT_OK) {
		api_error(res, st);
		return;
	}
	res->status = 200;
	res->content_type = mimes[fmt];
	if (asprintf(&res->disposition, "attachment; filename=\"meeting-%lld.%s\"", (long long)id, name) < 0)
		res->disposition = NULL;
	if (!buf_adds(&res->body, text))
		api_error_msg(res, 503, "out of memory");
	tacit_free(text);
}

/* POST /api/sessions/ID/export: the meeting's note into the export folder now, as
 * `tacit export ID` does: {"outcome": "written" | "updated" | "unchanged" | "sibling",
 * "path", "file" (its name), "edited_path" (sibling: the user's file, left alone)}. */
static void export_to_folder(struct api_response *res, struct tacit_store *store, int64_t id)
{
	static const char *const outcomes[] = { "written", "updated", "unchanged", "sibling" };
	struct tacit_folder_result r;
	enum tacit_status st = tacit_export_folder(store, id, NULL, &r);
	if (st != TACIT_OK) {
		api_error(res, st);
		return;
	}
	yyjson_mut_val *root;
	yyjson_mut_doc *doc = new_doc(&root);
	const char *slash = strrchr(r.path, '/');
	yyjson_mut_obj_add_str(doc, root, "outcome", outcomes[r.outcome]);
	yyjson_mut_obj_add_strcpy(doc, root, "path", r.path);
	yyjson_mut_obj_add_strcpy(doc, root, "file", slash ? slash + 1 : r.path);
	if (r.outcome == TACIT_FOLDER_SIBLING)
		yyjson_mut_obj_add_strcpy(doc, root, "edited_path", r.edited_path);
	api_json(res, 200, doc);
}

struct hits {
	yyjson_mut_doc *doc;
	yyjson_mut_val *arr;
	const struct tacit_session *list; /* every meeting: each hit's date, and the range */
	size_t n_list;
	int64_t from, to;
	int left;
};

static bool on_hit(const struct tacit_search_hit *h, void *user)
{
	struct hits *x = user;
	int64_t started = -1;
	for (size_t i = 0; i < x->n_list && started < 0; i++)
		if (x->list[i].id == h->session_id)
			started = x->list[i].started_ms;
	if (started < x->from || started >= x->to)
		return true;
	yyjson_mut_val *o = yyjson_mut_arr_add_obj(x->doc, x->arr);
	yyjson_mut_obj_add_int(x->doc, o, "session_id", h->session_id);
	yyjson_mut_obj_add_strcpy(x->doc, o, "session_title", h->session_title);
	yyjson_mut_obj_add_int(x->doc, o, "session_started_ms", started);
	yyjson_mut_obj_add_int(x->doc, o, "segment_id", h->segment_id);
	yyjson_mut_obj_add_int(x->doc, o, "start_ms", h->start_ms);
	yyjson_mut_obj_add_int(x->doc, o, "end_ms", h->end_ms);
	yyjson_mut_obj_add_strcpy(x->doc, o, "speaker", h->speaker);
	yyjson_mut_obj_add_strcpy(x->doc, o, "snippet", h->snippet);
	return --x->left > 0;
}

/* GET /api/search?q=&limit=&speaker=&session=&from=&to=: with a date range the store
 * is asked for the most hits and those in range are kept, up to limit. */
static void search(struct api_call *c, struct api_response *res, struct tacit_store *store)
{
	const char *q = api_arg(c, "q"), *limit = api_arg(c, "limit"), *speaker = api_arg(c, "speaker");
	const char *session = api_arg(c, "session");
	struct tacit_search_params p = tacit_search_default_params();
	struct tacit_session *list = NULL;
	size_t n_list = 0;
	int64_t from, to;

	if (!q || !clean_text(q, strlen(q), QUERY_MAX)) {
		api_error_msg(res, 400, "\"q\" must be a search of 1 to %d bytes", QUERY_MAX);
		return;
	}
	if (limit) {
		int64_t v = api_parse_id(limit);
		if (v < 1 || v > 200) {
			api_error_msg(res, 400, "\"limit\" must be a number from 1 to 200");
			return;
		}
		p.limit = (int)v;
	}
	if (speaker) {
		if (!clean_text(speaker, strlen(speaker), 128)) {
			api_error_msg(res, 400, "\"speaker\" must be a name of 1 to 128 bytes");
			return;
		}
		p.speaker = speaker;
	}
	if (session && !(p.session_id = api_parse_id(session))) {
		api_error_msg(res, 400, "\"session\" must be a session id");
		return;
	}
	if (!date_range(c, res, &from, &to))
		return;
	enum tacit_status st = tacit_store_session_list(store, &list, &n_list);
	if (st != TACIT_OK) {
		api_error(res, st);
		return;
	}
	yyjson_mut_val *root;
	struct hits x = { .list = list, .n_list = n_list, .from = from, .to = to, .left = p.limit };
	if (from > 0 || to < INT64_MAX)
		p.limit = 200;
	x.doc = new_doc(&root);
	yyjson_mut_obj_add_strcpy(x.doc, root, "query", q);
	x.arr = yyjson_mut_obj_add_arr(x.doc, root, "hits");
	st = tacit_store_search(store, q, &p, on_hit, &x);
	tacit_free(list);
	if (st != TACIT_OK) {
		yyjson_mut_doc_free(x.doc);
		api_error(res, st);
		return;
	}
	api_json(res, 200, x.doc);
}

/* The uploaded file goes to a private temporary file with the name's extension, which
 * tells the importer its format; the title defaults to the name. */
static void import_file(struct api_call *c, struct api_response *res, struct tacit_store *store)
{
	const char *name = api_arg(c, "name");
	char *dir = NULL, path[4200];
	int fd = -1;
	int64_t id = 0;
	struct tacit_import_params p = tacit_import_default_params();
	char title[256];

	if (!name || !clean_text(name, strlen(name), 200) || strchr(name, '/') || name[0] == '.') {
		api_error_msg(res, 400, "\"name\" must be the file's name (1 to 200 bytes, no '/')");
		return;
	}
	const char *dot = strrchr(name, '.');
	const char *ext = dot && (!strcmp(dot, ".json") || !strcmp(dot, ".txt")) ? dot : NULL;
	if (!ext) {
		api_error_msg(res, 415, "import takes a transcript: a QMSum-style .json file or a .txt file");
		return;
	}
	if (c->req->body_len == 0) {
		api_error_msg(res, 400, "the uploaded file is empty");
		return;
	}
	snprintf(title, sizeof(title), "%.*s", (int)(dot - name), name);
	const char *t = api_arg(c, "title");
	if (t && !clean_text(t, strlen(t), TITLE_MAX)) {
		api_error_msg(res, 400, "\"title\" must be text of 1 to %d bytes", TITLE_MAX);
		return;
	}
	p.title = t ? t : title;
	enum tacit_status st = tacit_dir_path(TACIT_DIR_CACHE, &dir);
	if (st != TACIT_OK) {
		api_error(res, st);
		return;
	}
	snprintf(path, sizeof(path), "%s/upload-XXXXXX%s", dir, ext);
	tacit_free(dir);
	if ((fd = mkstemps(path, (int)strlen(ext))) < 0) {
		api_error(res, tacit_fail_errno(TACIT_ERR_IO, "cannot create a temporary file in '%s'", path));
		return;
	}
	size_t off = 0;
	while (off < c->req->body_len) {
		ssize_t n = write(fd, c->req->body + off, c->req->body_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			st = tacit_fail_errno(errno == ENOSPC ? TACIT_ERR_NO_SPACE : TACIT_ERR_IO, "cannot write '%s'",
					      path);
			break;
		}
		off += (size_t)n;
	}
	close(fd);
	if (st == TACIT_OK)
		st = tacit_store_import(store, path, &p, &id);
	unlink(path);
	if (st != TACIT_OK) {
		api_error(res, st);
		return;
	}
	struct tacit_session s;
	if ((st = tacit_store_session_get(store, id, &s)) != TACIT_OK) {
		api_error(res, st);
		return;
	}
	yyjson_mut_val *root;
	yyjson_mut_doc *doc = new_doc(&root);
	add_session(doc, root, &s);
	api_json(res, 201, doc);
}

/* ---- settings ---------------------------------------------------------------------- */

enum setting_type { SET_MODEL, SET_ONOFF, SET_LANGUAGE, SET_NUMBER, SET_FOLDER };

/* basic: the choices most people make; advanced: the live meeting's thresholds. def is
 * the value used when the setting is unset, as the page shows it ("" = chosen here:
 * the best downloaded model, or the meeting's language). */
static const struct setting {
	const char *key;
	enum setting_type type;
	enum tacit_model_kind kind;
	const char *label;
	double min, max; /* SET_NUMBER */
	bool advanced;
	const char *def;
} settings[] = {
	{ "model.llm", SET_MODEL, TACIT_MODEL_LLM, "Language model for summaries, notes, chat and suggestions", 0, 0, false, "" },
	{ "model.asr", SET_MODEL, TACIT_MODEL_ASR, "Speech model for transcription", 0, 0, false, "" },
	{ "model.vad", SET_MODEL, TACIT_MODEL_VAD, "Voice activity model", 0, 0, true, "" },
	{ "model.embed", SET_MODEL, TACIT_MODEL_EMBED, "Text-embedding model: Ask all meetings finds lines by meaning too", 0, 0, true, "" },
	{ "suggestions.auto", SET_ONOFF, TACIT_MODEL_LLM, "Suggest questions and follow-ups during a meeting", 0, 0, false, "off" },
	{ "output.language", SET_LANGUAGE, TACIT_MODEL_LLM, "Language of summaries and notes (\"auto\" = the meeting's)", 0, 0, false, "auto" },
	{ "export.folder", SET_FOLDER, TACIT_MODEL_LLM, "Folder every meeting is written to as a Markdown note (an Obsidian vault, say)", 0, 0, false, "" },
	{ "asr.fallback", SET_ONOFF, TACIT_MODEL_ASR, "Live meetings: retry unclear speech at higher temperature (more CPU)", 0, 0, true, "on" },
	/* the live meeting's thresholds (see "Live meetings" in include/tacit.h) */
	{ "suggestions.interval_s", SET_NUMBER, TACIT_MODEL_LLM, "Seconds between automatic suggestions", 10, 3600, true, "60" },
	{ "suggestions.battery_factor", SET_NUMBER, TACIT_MODEL_LLM, "On battery, suggestions come this many times less often", 1, 20, true, "3" },
	{ "suggestions.battery_min_percent", SET_NUMBER, TACIT_MODEL_LLM, "On battery below this charge (%), suggestions pause", 0, 100, true, "30" },
	{ "suggestions.max_load", SET_NUMBER, TACIT_MODEL_LLM, "Load per core above which suggestions back off", 0.1, 16, true, "1.5" },
	{ "live.window_tokens", SET_NUMBER, TACIT_MODEL_LLM, "Transcript tokens per rolling summary window", 64, 6144, true, "" },
	{ "live.max_tokens", SET_NUMBER, TACIT_MODEL_LLM, "Output budget of each model call during a meeting", 32, 4096, true, "320" },
	{ "live.asr_first", SET_ONOFF, TACIT_MODEL_LLM, "Live meetings: the language model waits while speech is transcribed", 0, 0, true, "on" },
	{ "live.asr_backlog_ms", SET_NUMBER, TACIT_MODEL_LLM, "Live meetings: untranscribed audio (ms) that also makes it wait", 0, 600000, true, "1000" },
	{ "live.max_minutes", SET_NUMBER, TACIT_MODEL_ASR, "Live meetings stop by themselves after this many minutes of audio", 0.1, 1440, true, "480" },
};

static const struct setting *find_setting(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++)
		if (!strcmp(settings[i].key, key))
			return &settings[i];
	return NULL;
}

/* Whether name is a custom model's (`tacit add`, or the Models page): they are all
 * language models. */
static bool is_custom(const char *name)
{
	struct tacit_custom_models *list = NULL;
	bool yes = tacit_custom_list(&list) == TACIT_OK && tacit_custom_find(list, name) != NULL;
	tacit_custom_list_free(list);
	tacit_clear_error();
	return yes;
}

/* A catalog model chosen in Settings must work here: downloaded, and not one the
 * scorers say won't run (a language model that won't fit this machine's memory, a
 * speech model too slow even for recordings). NULL, or why not, for the page to show
 * next to the field; the choice is then not stored, so chat never meets it later. */
static const char *usable_here(struct api *api, const struct tacit_model_info *m)
{
	static _Thread_local char why[TACIT_FIT_REASON_MAX + 160];
	char *dir = NULL;
	bool here = tacit_models_dir(&dir) == TACIT_OK && tacit_model_downloaded(dir, m);
	tacit_free(dir);
	tacit_clear_error();
	if (!here) {
		snprintf(why, sizeof(why), "names '%s', which is not downloaded: download it on the Models page first",
			 m->id);
		return why;
	}
	if (m->kind == TACIT_MODEL_LLM) {
		struct tacit_fit_params fp = tacit_fit_default_params();
		struct tacit_fit f;
		if (tacit_fit_score(api_system(api), &m->layout, &fp, &f) == TACIT_OK && f.verdict == TACIT_FIT_NONE) {
			snprintf(why, sizeof(why), "names '%s', which won't fit this machine: %s", m->id, f.reason);
			return why;
		}
	} else if (m->kind == TACIT_MODEL_ASR) {
		struct tacit_speech_fit f;
		if (tacit_speech_score(api_system(api), m, &f) == TACIT_OK && f.verdict == TACIT_SPEECH_TOO_SLOW) {
			snprintf(why, sizeof(why), "names '%s', which is too slow on this machine: %s", m->id, f.reason);
			return why;
		}
	}
	tacit_clear_error();
	return NULL;
}

/* A custom model whose file is gone or changed is refused with what is wrong. */
static const char *custom_problem(const char *name)
{
	static _Thread_local char why[512];
	struct tacit_custom_models *list = NULL;
	const struct tacit_custom_model *c;
	why[0] = '\0';
	if (tacit_custom_list(&list) == TACIT_OK && (c = tacit_custom_find(list, name)) && c->missing)
		snprintf(why, sizeof(why), "names custom model '%s', which is unusable: %s", name, c->problem);
	tacit_custom_list_free(list);
	tacit_clear_error();
	return why[0] ? why : NULL;
}

/* NULL when value is acceptable for s, else why not. */
static const char *check_value(struct api *api, const struct setting *s, const char *v)
{
	size_t n = strlen(v);
	switch (s->type) {
	case SET_ONOFF:
		return strcmp(v, "on") && strcmp(v, "off") ? "must be \"on\" or \"off\"" : NULL;
	case SET_LANGUAGE:
		if (!strcmp(v, "auto"))
			return NULL;
		if (n < 2 || n > 3)
			return "must be \"auto\" or a language code such as \"en\"";
		for (size_t i = 0; i < n; i++)
			if (v[i] < 'a' || v[i] > 'z')
				return "must be \"auto\" or a language code such as \"en\"";
		return NULL;
	case SET_NUMBER: {
		char *end;
		double d = strtod(v, &end);
		static _Thread_local char why[96];
		if (n == 0 || n > 16 || *end || !isfinite(d) || d < s->min || d > s->max || !isdigit((unsigned char)v[0])) {
			snprintf(why, sizeof(why), "must be a number from %g to %g", s->min, s->max);
			return why;
		}
		return NULL;
	}
	case SET_FOLDER: {
		/* the library's own check (a probe file), so the page says why now */
		static _Thread_local char why[TACIT_ERRMSG_MAX + 32];
		char *abs = NULL;
		if (v[0] != '/')
			return "must be an absolute path such as /home/you/Notes";
		if (export_folder_check(v, true, &abs) == TACIT_OK) {
			free(abs);
			return NULL;
		}
		snprintf(why, sizeof(why), "is not usable: %s", tacit_errmsg());
		tacit_clear_error();
		return why;
	}
	case SET_MODEL: {
		const struct tacit_model_info *m = tacit_catalog_find(api_catalog(api), v);
		if (m)
			return m->kind == s->kind ? usable_here(api, m) : "names a model of another kind";
		if (s->kind == TACIT_MODEL_LLM && is_custom(v))
			return custom_problem(v);
		struct stat st;
		bool model_ext = n > 5 && (!strcmp(v + n - 5, ".gguf") || !strcmp(v + n - 4, ".bin"));
		if (v[0] == '/' && model_ext && clean_text(v, n, 4096) && stat(v, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(v, R_OK) == 0)
			return NULL;
		return s->kind == TACIT_MODEL_LLM ? "must be a catalog id of that kind, a custom model's name or the "
						    "absolute path of a readable .gguf or .bin file"
						  : "must be a catalog id of that kind or the absolute path of a readable "
						    ".gguf or .bin file";
	}
	}
	return "is not valid";
}

/* The custom models as choices {"id": name, "name", "custom": true, "problem"?}; a
 * store that cannot list them leaves the catalog's choices alone. */
static void add_custom_choices(struct tacit_store *store, yyjson_mut_doc *doc, yyjson_mut_val *arr)
{
	struct tacit_custom_models *list = NULL;
	if (custom_list_in(store, &list) != TACIT_OK) {
		tacit_clear_error();
		return;
	}
	for (size_t i = 0; i < tacit_custom_count(list); i++) {
		const struct tacit_custom_model *c = tacit_custom_get(list, i);
		yyjson_mut_val *e = yyjson_mut_arr_add_obj(doc, arr);
		yyjson_mut_obj_add_strcpy(doc, e, "id", c->name);
		yyjson_mut_obj_add_strcpy(doc, e, "name", c->name);
		yyjson_mut_obj_add_bool(doc, e, "custom", true);
		if (c->missing)
			yyjson_mut_obj_add_strcpy(doc, e, "problem", c->problem);
	}
	tacit_custom_list_free(list);
}

static void get_settings(struct api_call *c, struct api_response *res, struct tacit_store *store)
{
	yyjson_mut_val *root;
	yyjson_mut_doc *doc = new_doc(&root);
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, root, "settings");
	const struct tacit_catalog *cat = api_catalog(c->api);
	char *dir = NULL; /* the page marks the choices not downloaded, which Save refuses */
	if (tacit_models_dir(&dir) != TACIT_OK)
		tacit_clear_error();
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		const struct setting *s = &settings[i];
		char *value = NULL;
		enum tacit_status st = tacit_store_setting_get(store, s->key, &value);
		if (st != TACIT_OK && st != TACIT_ERR_NOT_FOUND) {
			yyjson_mut_doc_free(doc);
			tacit_free(dir);
			api_error(res, st);
			return;
		}
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
		yyjson_mut_obj_add_str(doc, o, "key", s->key);
		yyjson_mut_obj_add_str(doc, o, "label", s->label);
		yyjson_mut_obj_add_str(doc, o, "type",
				       s->type == SET_MODEL	? "model"
				       : s->type == SET_ONOFF	? "onoff"
				       : s->type == SET_NUMBER	? "number"
				       : s->type == SET_FOLDER	? "folder"
								: "language");
		yyjson_mut_obj_add_str(doc, o, "group", s->advanced ? "advanced" : "basic");
		yyjson_mut_obj_add_str(doc, o, "default", s->def);
		if (s->type == SET_NUMBER) {
			yyjson_mut_obj_add_real(doc, o, "min", s->min);
			yyjson_mut_obj_add_real(doc, o, "max", s->max);
		}
		if (value)
			yyjson_mut_obj_add_strcpy(doc, o, "value", value);
		else
			yyjson_mut_obj_add_null(doc, o, "value");
		tacit_free(value);
		if (s->type == SET_MODEL) {
			yyjson_mut_val *ch = yyjson_mut_obj_add_arr(doc, o, "choices");
			for (size_t k = 0; k < tacit_catalog_count(cat); k++) {
				const struct tacit_model_info *m = tacit_catalog_get(cat, k);
				if (m->kind != s->kind || m->archived)
					continue;
				yyjson_mut_val *e = yyjson_mut_arr_add_obj(doc, ch);
				yyjson_mut_obj_add_str(doc, e, "id", m->id);
				yyjson_mut_obj_add_str(doc, e, "name", m->name);
				yyjson_mut_obj_add_bool(doc, e, "downloaded", tacit_model_downloaded(dir, m));
			}
			if (s->kind == TACIT_MODEL_LLM)
				add_custom_choices(store, doc, ch);
		}
	}
	tacit_free(dir);
	api_json(res, 200, doc);
}

/* 400 as every error, with "field": the page shows the message next to that field. */
static void setting_error(struct api_response *res, const char *key, const char *why)
{
	yyjson_mut_val *root;
	yyjson_mut_doc *doc = new_doc(&root);
	yyjson_mut_val *e = yyjson_mut_obj_add_obj(doc, root, "error");
	char msg[1024];
	snprintf(msg, sizeof(msg), "setting '%s' %s", key, why);
	yyjson_mut_obj_add_str(doc, e, "status", "error");
	yyjson_mut_obj_add_strcpy(doc, e, "message", msg);
	yyjson_mut_obj_add_str(doc, e, "field", key);
	api_json(res, 400, doc);
}

/* {"key": "value" | null, ...}: every pair is checked before any is written. */
static void put_settings(struct api_call *c, struct api_response *res, struct tacit_store *store)
{
	yyjson_doc *doc = api_body_object(c, res);
	yyjson_val *root, *k, *v;
	size_t i, n;
	enum tacit_status st = TACIT_OK;

	if (!doc)
		return;
	root = yyjson_doc_get_root(doc);
	if (yyjson_obj_size(root) == 0 || yyjson_obj_size(root) > ARRAY_SIZE(settings)) {
		api_error_msg(res, 400, "send one to %zu settings as {\"key\": \"value\" or null}", ARRAY_SIZE(settings));
		goto out;
	}
	yyjson_obj_foreach(root, i, n, k, v) {
		const struct setting *s = find_setting(yyjson_get_str(k));
		const char *why;
		if (!s || yyjson_get_len(k) != strlen(yyjson_get_str(k))) {
			api_error_msg(res, 400, "unknown setting '%.64s'", yyjson_get_str(k));
			goto out;
		}
		if (yyjson_is_null(v))
			continue;
		if (!yyjson_is_str(v) || !clean_text(yyjson_get_str(v), yyjson_get_len(v), 4096)) {
			api_error_msg(res, 400, "setting '%s' must be text or null", s->key);
			goto out;
		}
		if ((why = check_value(c->api, s, yyjson_get_str(v)))) {
			setting_error(res, s->key, why);
			goto out;
		}
	}
	yyjson_obj_foreach(root, i, n, k, v) {
		const char *value = yyjson_is_null(v) ? NULL : yyjson_get_str(v);
		/* the folder is stored as its absolute path, as `tacit export --set-folder` does */
		st = find_setting(yyjson_get_str(k))->type == SET_FOLDER ? tacit_export_folder_set(store, value)
									  : tacit_store_setting_set(store, yyjson_get_str(k), value);
		if (st != TACIT_OK) {
			api_error(res, st);
			goto out;
		}
	}
	get_settings(c, res, store);
out:
	yyjson_doc_free(doc);
}

bool api_sessions_route(struct api_call *c, struct api_response *res)
{
	const char *m = c->req->method;
	bool get = !strcmp(m, "GET") || !strcmp(m, "HEAD");
	const char *what = c->n_seg >= 2 ? c->seg[1] : "";
	struct tacit_store *store;
	int64_t id = 0;

	if (strcmp(what, "sessions") && strcmp(what, "search") && strcmp(what, "settings"))
		return false;
	/* check the shape before opening the store */
	if (!strcmp(what, "search") || !strcmp(what, "settings")) {
		if (c->n_seg != 2 || (!get && (strcmp(what, "settings") || strcmp(m, "PUT")))) {
			api_error_msg(res, c->n_seg != 2 ? 404 : 405, "no %s on /api/%s", m, what);
			return true;
		}
	} else if (c->n_seg == 3 && !strcmp(c->seg[2], "import")) {
		if (strcmp(m, "POST")) {
			api_error_msg(res, 405, "import takes a POST");
			return true;
		}
	} else if (c->n_seg >= 3) {
		if (!(id = api_parse_id(c->seg[2]))) {
			api_error_msg(res, 400, "'%.40s' is not a session id", c->seg[2]);
			return true;
		}
		bool is_export = c->n_seg == 4 && !strcmp(c->seg[3], "export") && (get || !strcmp(m, "POST"));
		bool is_chat = c->n_seg == 4 && !strcmp(c->seg[3], "chat") && !strcmp(m, "POST");
		bool is_generate = c->n_seg == 4 && !strcmp(c->seg[3], "generate") && !strcmp(m, "POST");
		bool is_audio = (c->n_seg == 4 || c->n_seg == 5) && !strcmp(c->seg[3], "audio") && get;
		bool is_speakers = c->n_seg == 4 && !strcmp(c->seg[3], "speakers") && (get || !strcmp(m, "PUT"));
		if ((c->n_seg > 4 && !is_audio) ||
		    (c->n_seg == 4 && !is_export && !is_chat && !is_generate && !is_audio && !is_speakers) ||
		    (c->n_seg == 3 && strcmp(m, "DELETE") && strcmp(m, "PUT") && !get)) {
			api_error_msg(res, 405, "no %s on this session resource", m);
			return true;
		}
	} else if (!get) {
		api_error_msg(res, 405, "the session list is read-only (POST /api/sessions/import adds one)");
		return true;
	}
	if (!(store = api_store(c->api, res)))
		return true;
	if (!strcmp(what, "search"))
		search(c, res, store);
	else if (!strcmp(what, "settings"))
		get ? get_settings(c, res, store) : put_settings(c, res, store);
	else if (c->n_seg == 2)
		list_sessions(c, res, store);
	else if (!id)
		import_file(c, res, store);
	else if (c->n_seg == 4 && !strcmp(c->seg[3], "chat"))
		api_chat(c, res, store, id);
	else if (c->n_seg == 4 && !strcmp(c->seg[3], "speakers"))
		api_speakers(c, res, store, id);
	else if (c->n_seg >= 4 && !strcmp(c->seg[3], "audio"))
		api_audio(c, res, store, id);
	else if (c->n_seg == 4 && !strcmp(c->seg[3], "generate"))
		api_generate(c, res, store, id);
	else if (c->n_seg == 4 && !get)
		export_to_folder(res, store, id);
	else if (c->n_seg == 4)
		export_session(c, res, store, id);
	else if (!strcmp(m, "DELETE"))
		delete_session(res, store, id);
	else if (!strcmp(m, "PUT"))
		rename_session(c, res, store, id);
	else
		show_session(res, store, id);
	api_store_put(c->api, store);
	return true;
}
