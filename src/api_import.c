/*
 * api_import.c — a recording or a transcript uploaded from the History page becomes a
 * meeting: the body arrives in a temporary file (serve.c streams it there), and
 * tacit_store_import_audio() transcribes a recording as `tacit import FILE` does, while
 * tacit_store_import() stores a transcript and, with a language model, folds it into its
 * summary and notes; answered as a Server-Sent Event stream with the progress.
 * Invariants: the import lives exactly as long as its stream (closing it cancels the
 * import: a cancelled recording stores nothing, a transcript keeps its transcript); the
 * uploaded file is removed when the job ends, whatever happened; one model worker at a
 * time across the server (the slot api_chat.c keeps).
 */
#include "api.h"
#include "basics.h"

#include "utf8.h"

#include <unistd.h>

#include <yyjson.h>

#define NAME_MAX_BYTES 200
#define TITLE_MAX_BYTES 512
#define PROGRESS_EVERY_MS 250

struct import_job {
	struct api_job base; /* first: the stream, its frames, the thread, the cancel flag */
	char *path;          /* the upload, removed by job_release() */
	char *name;          /* the file's name as the user chose it */
	char *title;
	char *asr, *vad, *speaker; /* resolved model paths; speaker may be NULL */
	char *llm;           /* a transcript's language model; NULL: no summary */
	bool transcript;
	int n_segments;
	int64_t heard_ms;    /* end of the last final segment */
	int64_t t0_ms, last_ms;
	bool transcribing;
};

static yyjson_mut_doc *new_obj(yyjson_mut_val **o)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	*o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, *o);
	return doc;
}

static void put_status(struct import_job *j, const char *text)
{
	api_job_put_text(&j->base, "status", text, strlen(text));
}

/* {"done_ms", "total_ms", "segments", "heard_ms", "elapsed_ms"}: audio transcribed of
 * the whole (every channel counted), final segments so far and where the last ends. */
static void put_progress(struct import_job *j, int done_ms, int total_ms)
{
	yyjson_mut_val *o;
	yyjson_mut_doc *doc = new_obj(&o);
	int64_t t = api_now_ms();
	yyjson_mut_obj_add_int(doc, o, "done_ms", done_ms);
	yyjson_mut_obj_add_int(doc, o, "total_ms", total_ms);
	yyjson_mut_obj_add_int(doc, o, "segments", j->n_segments);
	yyjson_mut_obj_add_int(doc, o, "heard_ms", j->heard_ms);
	yyjson_mut_obj_add_int(doc, o, "elapsed_ms", t - j->t0_ms);
	api_job_put_doc(&j->base, "progress", doc);
	j->last_ms = t;
}

static bool on_progress(const struct tacit_progress *p, void *user)
{
	struct import_job *j = user;
	if (!j->transcribing) {
		j->transcribing = true;
		put_status(j, "transcribing");
	}
	put_progress(j, p->done, p->total);
	return !cancel_requested(&j->base.cancel);
}

/* Segments come faster than requests end: a "segment" event now and then says how far
 * the speech found so far reaches. */
static bool on_segment(const struct tacit_asr_segment *seg, void *user)
{
	struct import_job *j = user;
	if (!seg->final)
		return !cancel_requested(&j->base.cancel);
	j->n_segments++;
	if (seg->end_ms > j->heard_ms)
		j->heard_ms = seg->end_ms;
	if (api_now_ms() - j->last_ms >= PROGRESS_EVERY_MS) {
		yyjson_mut_val *o;
		yyjson_mut_doc *doc = new_obj(&o);
		yyjson_mut_obj_add_int(doc, o, "segments", j->n_segments);
		yyjson_mut_obj_add_int(doc, o, "heard_ms", j->heard_ms);
		yyjson_mut_obj_add_strncpy(doc, o, "text", seg->text, utf8_cut(seg->text, strlen(seg->text), 200));
		api_job_put_doc(&j->base, "segment", doc);
		j->last_ms = api_now_ms();
	}
	return !cancel_requested(&j->base.cancel);
}

static void say_waiting(void *user)
{
	put_status(user, "waiting for another answer to finish");
}

static void put_done(struct import_job *j, const struct tacit_session *s)
{
	yyjson_mut_val *o;
	yyjson_mut_doc *doc = new_obj(&o);
	yyjson_mut_obj_add_int(doc, o, "id", s->id);
	yyjson_mut_obj_add_strcpy(doc, o, "title", s->title);
	yyjson_mut_obj_add_int(doc, o, "n_segments", s->n_segments);
	yyjson_mut_obj_add_int(doc, o, "duration_ms", s->duration_ms);
	yyjson_mut_obj_add_int(doc, o, "elapsed_ms", api_now_ms() - j->t0_ms);
	api_job_put_doc(&j->base, "done", doc);
}

/* The import's message names the temporary file; the user knows the file by its name. */
static void name_the_file(struct import_job *j, const char *msg, struct buf *out)
{
	const char *at;
	while ((at = strstr(msg, j->path))) {
		buf_add(out, msg, (size_t)(at - msg));
		buf_adds(out, j->name);
		msg = at + strlen(j->path);
	}
	buf_adds(out, msg);
}

/* A transcript's analysis: {"phase":"summarize","done","total" (segments),"elapsed_ms"}. */
static bool on_summarized(const struct tacit_progress *p, void *user)
{
	struct import_job *j = user;
	yyjson_mut_val *o;
	yyjson_mut_doc *doc = new_obj(&o);
	yyjson_mut_obj_add_str(doc, o, "phase", "summarize");
	yyjson_mut_obj_add_int(doc, o, "done", p->done);
	yyjson_mut_obj_add_int(doc, o, "total", p->total);
	yyjson_mut_obj_add_int(doc, o, "elapsed_ms", api_now_ms() - j->t0_ms);
	api_job_put_doc(&j->base, "progress", doc);
	return true;
}

/* A transcript: stored, then summarized with the model when there is one. */
static enum tacit_status import_transcript(struct import_job *j, struct tacit_store *store, int64_t *id)
{
	struct tacit_import_params p = tacit_import_default_params();
	p.title = j->title;
	p.analyze = j->llm != NULL;
	p.llm_model = j->llm;
	p.progress = on_summarized;
	p.progress_user = j;
	p.cancel = &j->base.cancel;
	put_status(j, p.analyze ? "summarizing" : "reading the transcript");
	return tacit_store_import(store, j->path, &p, id);
}

static void *job_main(void *arg)
{
	struct import_job *j = arg;
	struct tacit_store *store = NULL;
	struct tacit_session s;
	struct errsave why = { "" };
	struct buf msg;
	int64_t id = 0;
	enum tacit_status st;

	buf_init(&msg);
	if (!api_model_slot_take(&j->base.cancel, say_waiting, j)) {
		st = tacit_fail(TACIT_ERR_CANCELLED, "the import was cancelled");
		goto out;
	}
	if (!j->transcript)
		put_status(j, "decoding the recording");
	st = tacit_store_open(NULL, &store); /* this thread's own connection */
	if (st == TACIT_OK && j->transcript) {
		st = import_transcript(j, store, &id);
		if (st != TACIT_OK && st != TACIT_ERR_CANCELLED && id > 0) {
			/* the transcript is stored: the meeting opens, and Generate can try again */
			char why_text[700];
			snprintf(why_text, sizeof(why_text), "the summary failed, the transcript is kept: %s", tacit_errmsg());
			put_status(j, why_text);
			st = TACIT_OK;
		}
	} else if (st == TACIT_OK) {
		struct tacit_audio_import_params ap = tacit_audio_import_default_params();
		ap.title = j->title;
		ap.asr_model = j->asr;
		ap.vad_model = j->vad;
		ap.embedding_model = j->speaker;
		ap.temperature_fallback = false; /* as `tacit import`: a bounded cost */
		ap.on_segment = on_segment;
		ap.user = j;
		ap.progress = on_progress;
		ap.progress_user = j;
		ap.cancel = &j->base.cancel;
		st = tacit_store_import_audio(store, j->path, &ap, &id);
	}
	if (st == TACIT_OK)
		st = tacit_store_session_get(store, id, &s);
	if (st == TACIT_OK)
		put_done(j, &s);
	else
		errsave_push(&why);
	tacit_store_close(store);
	api_model_slot_give();
out:
	name_the_file(j, why.msg[0] ? why.msg : tacit_errmsg(), &msg);
	api_job_end(&j->base, st, msg.failed ? "" : msg.data);
	buf_release(&msg);
	return NULL;
}

static void job_release(struct api_job *base)
{
	struct import_job *j = (struct import_job *)base;
	if (j->path)
		unlink(j->path);
	free(j->path);
	free(j->name);
	free(j->title);
	tacit_free(j->asr);
	tacit_free(j->vad);
	tacit_free(j->speaker);
	tacit_free(j->llm);
	free(j);
}

/* A file's name or a title: UTF-8 text of 1 to max bytes, no control characters. */
static bool plain_text(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max || !utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* The upload under its own extension (FFmpeg's hint for formats without a header), or
 * where it was; NULL when out of memory. */
static char *with_extension(const char *path, const char *name)
{
	const char *dot = strrchr(name, '.');
	char ext[12] = "";
	size_t n = 0;
	if (dot && dot != name)
		for (dot++; *dot && n + 2 < sizeof(ext) && ((*dot >= 'a' && *dot <= 'z') || (*dot >= 'A' && *dot <= 'Z') ||
							     (*dot >= '0' && *dot <= '9'));
		     dot++)
			ext[n++] = *dot;
	ext[n] = '\0';
	char *to = NULL;
	if (!n || (dot && *dot) || asprintf(&to, "%s.%s", path, ext) < 0)
		return strdup(path);
	if (rename(path, to) == 0)
		return to;
	free(to);
	return strdup(path);
}

static void import_audio(struct api_call *c, struct api_response *res)
{
	const struct api_request *req = c->req;
	const char *name = api_arg(c, "name"), *title = api_arg(c, "title");
	struct import_job *j = NULL;
	char *path = NULL, *asr = NULL, *vad = NULL, *speaker = NULL, *llm = NULL;
	enum tacit_status st;

	if (!req->body_path && !req->body_errno) {
		api_error_msg(res, 400, "the recording must be the request's body, sent to tacit serve");
		return;
	}
	res->kept_body = true; /* from here on, path is removed on every way out */
	if (req->body_path && !(path = strdup(req->body_path))) {
		unlink(req->body_path);
		api_error_msg(res, 503, "out of memory");
		return;
	}
	if (req->body_errno) {
		api_error_msg(res, req->body_errno == ENOSPC || req->body_errno == EDQUOT ? 507 : 500,
			      "cannot store the uploaded recording: %s%s", strerror(req->body_errno),
			      req->body_errno == ENOSPC || req->body_errno == EDQUOT ? " (free some disk space)" : "");
		goto out;
	}
	if (!name || !plain_text(name, NAME_MAX_BYTES) || strchr(name, '/') || name[0] == '.') {
		api_error_msg(res, 400, "\"name\" must be the file's name (1 to %d bytes, no '/')", NAME_MAX_BYTES);
		goto out;
	}
	if (title && !plain_text(title, TITLE_MAX_BYTES)) {
		api_error_msg(res, 400, "\"title\" must be text of 1 to %d bytes without control characters", TITLE_MAX_BYTES);
		goto out;
	}
	const char *dot = strrchr(name, '.');
	bool transcript = dot && (!strcasecmp(dot, ".json") || !strcasecmp(dot, ".txt"));
	if (req->body_len == 0) {
		api_error_msg(res, 400, "the uploaded file '%s' is empty", name);
		goto out;
	}
	/* the models first: a missing one is the device's state, said before any work; a
	 * transcript needs none, and is summarized when a language model is there */
	if (transcript) {
		if (tacit_model_resolve(TACIT_MODEL_LLM, NULL, &llm) != TACIT_OK)
			llm = NULL;
		tacit_clear_error();
	} else if ((st = tacit_model_resolve(TACIT_MODEL_ASR, NULL, &asr)) != TACIT_OK ||
		   (st = tacit_model_resolve(TACIT_MODEL_VAD, NULL, &vad)) != TACIT_OK) {
		api_error_msg(res, 409, "%s", tacit_errmsg());
		goto out;
	}
	if (!transcript && tacit_model_resolve(TACIT_MODEL_SPEAKER, NULL, &speaker) != TACIT_OK)
		speaker = NULL; /* speakers are optional, as `tacit import --speakers auto` */
	if (!(j = calloc(1, sizeof(*j))) || !(j->name = strdup(name))) {
		api_error_msg(res, 503, "out of memory");
		goto out;
	}
	char *moved = with_extension(path, name); /* NULL: the file stayed where it was */
	if (!moved) {
		api_error_msg(res, 503, "out of memory");
		goto out;
	}
	free(path);
	path = moved;
	if (title && !(j->title = strdup(title))) {
		api_error_msg(res, 503, "out of memory");
		goto out;
	}
	if (!title) {
		size_t n = dot && dot != name ? (size_t)(dot - name) : strlen(name);
		if (!(j->title = strndup(name, n))) {
			api_error_msg(res, 503, "out of memory");
			goto out;
		}
	}
	j->path = path;
	j->asr = asr;
	j->vad = vad;
	j->speaker = speaker;
	j->llm = llm;
	j->transcript = transcript;
	j->t0_ms = j->last_ms = api_now_ms();
	int err = api_job_start(&j->base, c->api, job_main, job_release);
	if (err != 0) {
		j->path = NULL;
		j->asr = j->vad = j->speaker = j->llm = NULL;
		api_error_msg(res, 503, "cannot start the import: %s", strerror(err));
		goto out;
	}
	path = asr = vad = speaker = llm = NULL; /* the job's now */
	api_job_answer(&j->base, res);
	j = NULL;
out:
	if (j) {
		free(j->name);
		free(j->title);
		free(j);
	}
	if (path)
		unlink(path);
	free(path);
	tacit_free(asr);
	tacit_free(vad);
	tacit_free(speaker);
	tacit_free(llm);
}

bool api_import_route(struct api_call *c, struct api_response *res)
{
	if (c->n_seg != 3 || strcmp(c->seg[1], "sessions") || strcmp(c->seg[2], "import-audio"))
		return false;
	if (strcmp(c->req->method, "POST")) {
		api_error_msg(res, 405, "import-audio takes a POST of the recording or transcript");
		return true;
	}
	import_audio(c, res);
	return true;
}
