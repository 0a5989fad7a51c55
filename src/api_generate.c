/*
 * api_generate.c — a stored meeting's summary or notes written from the page: the same
 * library call as `tacit summarize ID` / `tacit notes ID` (tacit_session_task), answered
 * as a Server-Sent Event stream in the POST's own response, with progress the page turns
 * into "loading", "reading about N tokens", "writing x of at most y" and a time left.
 * Invariants (as api_chat.c's): the generation lives exactly as long as its stream;
 * closing it (the page's Cancel, a reload, the server stopping) cancels the work for
 * real and nothing is stored; one model worker at a time across the server.
 * GET /api/templates lists the summary templates a generation can be asked for.
 */
#include "api.h"
#include "basics.h"

#include "utf8.h"

#include <time.h>

#include <yyjson.h>

#define PROGRESS_EVERY_MS 250

struct gen_job {
	struct api_job base; /* first: the stream, its frames, the thread, the cancel flag */
	/* the thread's inputs and counters */
	enum tacit_task task;
	int64_t session;
	struct api_job_model model; /* the setting engine.llm and its model, when asked */
	int read_total;   /* the transcript's estimated prompt tokens */
	int max_tokens;   /* the most the model may write */
	char *template_name; /* the body's "template", checked; NULL = the setting's */
	int written;      /* pieces streamed so far (about one token each) */
	int64_t t0_ms, last_ms, write_ms;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Serialises doc as event name and frees it. */
static void put_doc(struct gen_job *j, const char *name, yyjson_mut_doc *doc)
{
	char *json = utf8_json_write(doc, 0, NULL);
	yyjson_mut_doc_free(doc);
	api_job_put_frame(&j->base, name, json ? json : "{\"status\":\"out of memory\",\"message\":\"out of memory\"}");
	free(json);
}

static yyjson_mut_doc *new_obj(yyjson_mut_val **o)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	*o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, *o);
	return doc;
}

static void put_status(struct gen_job *j, const char *text)
{
	yyjson_mut_val *o;
	yyjson_mut_doc *doc = new_obj(&o);
	yyjson_mut_obj_add_strcpy(doc, o, "text", text);
	put_doc(j, "status", doc);
}

/* {"phase": "load"|"read"|"write", "done", "total", "elapsed_ms", "rate"}: done/total are
 * the load's percent, the prompt's tokens read of its total (before the model's
 * first report: done 0 of the estimated total) or the pieces written of at most max_tokens; rate is pieces per
 * second while writing. */
static void put_progress(struct gen_job *j, const char *phase, int done, int total)
{
	yyjson_mut_val *o;
	yyjson_mut_doc *doc = new_obj(&o);
	int64_t t = now_ms();
	yyjson_mut_obj_add_str(doc, o, "phase", phase);
	yyjson_mut_obj_add_int(doc, o, "done", done);
	yyjson_mut_obj_add_int(doc, o, "total", total);
	yyjson_mut_obj_add_int(doc, o, "elapsed_ms", t - j->t0_ms);
	if (!strcmp(phase, "write") && t > j->write_ms)
		yyjson_mut_obj_add_real(doc, o, "rate", done * 1000.0 / (double)(t - j->write_ms));
	put_doc(j, "progress", doc);
	j->last_ms = t;
}

static void on_token(const char *piece, size_t len, void *user)
{
	struct gen_job *j = user;
	(void)piece;
	(void)len;
	if (j->written++ == 0) {
		j->write_ms = now_ms();
		put_status(j, "writing");
	}
	if (now_ms() - j->last_ms >= PROGRESS_EVERY_MS)
		put_progress(j, "write", j->written, j->max_tokens);
}

static void on_status(const char *text, void *user)
{
	struct gen_job *j = user;
	put_status(j, text);
	put_progress(j, "read", 0, j->read_total);
}

/* The model's load (percent) and its reading of the prompt (exact tokens read of the
 * prompt's total, batch by batch; the cached part counts at once). */
static bool on_progress(const struct tacit_progress *p, void *user)
{
	struct gen_job *j = user;
	if (p->phase == TACIT_PROGRESS_READ) {
		j->read_total = p->total;
		if (now_ms() - j->last_ms >= PROGRESS_EVERY_MS || p->done == p->total)
			put_progress(j, "read", p->done, p->total);
	} else if (now_ms() - j->last_ms >= PROGRESS_EVERY_MS) {
		put_progress(j, "load", (int)(p->fraction * 100.0f), 100);
	}
	return !cancel_requested(&j->base.cancel);
}

static void say_waiting(void *user)
{
	put_status(user, "waiting for another answer to finish");
}

static void say_loading(void *user)
{
	put_status(user, "loading the model");
	put_progress(user, "load", 0, 100);
}

/* The "done" event: what was stored, so the page shows it without asking again. */
static void put_done(struct gen_job *j, const struct tacit_session_task_result *r)
{
	yyjson_mut_val *o;
	yyjson_mut_doc *doc = new_obj(&o);
	yyjson_doc *in = yyjson_read(r->json, strlen(r->json), 0);
	yyjson_mut_obj_add_str(doc, o, "kind", j->task == TACIT_TASK_SUMMARY ? "summary" : "notes");
	yyjson_mut_obj_add_int(doc, o, "id", r->id);
	yyjson_mut_obj_add_val(doc, o, "json", in ? yyjson_val_mut_copy(doc, yyjson_doc_get_root(in)) : yyjson_mut_null(doc));
	yyjson_mut_obj_add_strcpy(doc, o, "markdown", r->markdown ? r->markdown : "");
	yyjson_mut_obj_add_int(doc, o, "elapsed_ms", now_ms() - j->t0_ms);
	yyjson_doc_free(in);
	put_doc(j, "done", doc);
}

static void *job_main(void *arg)
{
	struct gen_job *j = arg;
	struct tacit_session_task_result res = { 0 };
	struct tacit_session_task_params sp = tacit_session_task_default_params();
	struct errsave why = { "" };
	struct api_job_task task = { .session = j->session, .model = &j->model,
				     .cancelled = "the generation was cancelled", .waiting = say_waiting,
				     .loading = say_loading, .progress = on_progress, .user = j };

	sp.meeting.task = j->task;
	sp.meeting.template_name = j->template_name;
	sp.meeting.cancel = &j->base.cancel;
	sp.meeting.on_token = on_token;
	sp.meeting.user = j;
	sp.on_status = on_status;
	enum tacit_status st = api_job_run_task(&j->base, &task, &sp, &res, &why);
	if (st == TACIT_OK)
		put_done(j, &res);
	api_job_end(&j->base, st, why.msg);
	tacit_session_task_result_release(&res);
	return NULL;
}

static void job_release(struct api_job *base)
{
	struct gen_job *j = (struct gen_job *)base;
	api_job_model_release(&j->model);
	free(j->template_name);
	free(j);
}

void api_generate(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id)
{
	yyjson_doc *doc = api_body_object(c, res);
	struct tacit_transcript *t = NULL;
	struct gen_job *j = NULL;
	struct tacit_session s;
	struct api_job_model model = { 0 };
	enum tacit_task task;
	enum tacit_status st;

	if (!doc)
		return;
	const char *what = yyjson_get_str(yyjson_obj_get(yyjson_doc_get_root(doc), "task"));
	if (what && !strcmp(what, "summary")) {
		task = TACIT_TASK_SUMMARY;
	} else if (what && !strcmp(what, "notes")) {
		task = TACIT_TASK_NOTES;
	} else {
		api_error_msg(res, 400, "\"task\" must be \"summary\" or \"notes\"");
		goto out;
	}
	yyjson_val *tv = yyjson_obj_get(yyjson_doc_get_root(doc), "template");
	if (tv && !yyjson_is_str(tv)) {
		api_error_msg(res, 400, "\"template\" must be a template's name (see GET /api/templates)");
		goto out;
	}
	const char *tname = yyjson_get_str(tv);
	/* refused here, with the template's own message, not in the stream once a model loaded */
	if (tname && *tname && (st = tacit_template_check(tname)) != TACIT_OK) {
		api_error_http(res, 400, st);
		goto out;
	}
	if ((st = tacit_store_session_get(store, id, &s)) != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	if ((st = tacit_transcript_from_session(store, id, &t)) != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	if ((st = api_job_model_resolve(store, t, &model, res)) != TACIT_OK)
		goto out;
	if (!(j = calloc(1, sizeof(*j)))) {
		api_error_msg(res, 503, "out of memory");
		goto out;
	}
	j->task = task;
	j->session = id;
	if (tname && *tname && !(j->template_name = strdup(tname))) {
		api_error_msg(res, 503, "out of memory");
		goto out;
	}
	j->model = model;
	j->read_total = tacit_transcript_estimate_tokens(t);
	j->max_tokens = tacit_meeting_default_params().max_tokens;
	if (j->max_tokens <= 0)
		j->max_tokens = 1024; /* the library's default when it is 0 */
	j->t0_ms = j->last_ms = now_ms();
	int err = api_job_start(&j->base, c->api, job_main, job_release);
	if (err != 0) {
		api_error_msg(res, 503, "cannot start writing the %s: %s", what, strerror(err));
		goto out;
	}
	model = (struct api_job_model){ 0 };
	res->status = 200;
	res->content_type = "text/event-stream";
	res->stream = &j->base.base;
	j = NULL;
out:
	if (j)
		free(j->template_name);
	free(j);
	tacit_transcript_free(t);
	api_job_model_release(&model);
	yyjson_doc_free(doc);
}

/* One loadable template as {"name","description"}; a custom file that does not load is
 * left out (`tacit templates` says why). */
static bool add_template(const struct tacit_template_info *t, void *user)
{
	yyjson_mut_doc *doc = user;
	if (t->error)
		return true;
	yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, yyjson_mut_doc_get_root(doc));
	yyjson_mut_obj_add_strcpy(doc, o, "name", t->name);
	yyjson_mut_obj_add_strcpy(doc, o, "description", t->description ? t->description : "");
	return true;
}

bool api_templates_route(struct api_call *c, struct api_response *res)
{
	if (c->n_seg != 2 || strcmp(c->seg[1], "templates"))
		return false;
	if (strcmp(c->req->method, "GET") && strcmp(c->req->method, "HEAD")) {
		api_error_msg(res, 405, "no %s on /api/templates", c->req->method);
		return true;
	}
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	if (!doc) {
		api_error_msg(res, 503, "out of memory");
		return true;
	}
	yyjson_mut_doc_set_root(doc, yyjson_mut_arr(doc));
	enum tacit_status st = tacit_templates_list(add_template, doc);
	if (st != TACIT_OK) {
		yyjson_mut_doc_free(doc);
		api_error(res, st);
		return true;
	}
	api_json(res, 200, doc);
	return true;
}
