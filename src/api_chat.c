/*
 * api_chat.c — asking a stored meeting a question from the History page, answered as a
 * Server-Sent Event stream in the POST's own response. The answer is the library's
 * session task (tacit_session_task, as `tacit ask ID`): the model the user chose
 * (tacit_model_resolve), the meeting's saved transcript state when there is one, tokens
 * as they come, and the question and answer stored with the meeting once it is whole.
 * Invariants: the generation lives exactly as long as its stream. Freeing the stream (the
 * page closed it, the server stops) sets the job's cancel flag and joins its thread, and
 * the thread closes its model worker before it ends, so nothing runs on for a page that
 * is gone and nothing is stored. One question is answered at a time across the server
 * (others wait their turn), so several tabs cannot start several model workers.
 */
#include "api.h"
#include "basics.h"

#include "utf8.h"

#include <time.h>

#include <yyjson.h>

#define QUESTION_MAX 2000

struct chat_job {
	struct api_job base; /* first: the stream, its frames, the thread, the cancel flag */
	/* the thread's inputs, owned by the job */
	int64_t session;
	char *question;
	struct api_job_model model; /* the setting engine.llm and its model, when asked */
};

/* ---- the job's frames (user is the job, whose api_job comes first) --------------- */

static void on_token(const char *piece, size_t len, void *user)
{
	api_job_put_text(user, "answer_delta", piece, len);
}

static void on_status(const char *text, void *user)
{
	api_job_put_text(user, "status", text, strlen(text));
}

static bool on_load(const struct tacit_progress *progress, void *user)
{
	struct chat_job *j = user;
	(void)progress;
	return !cancel_requested(&j->base.cancel);
}

/* ---- the thread ------------------------------------------------------------------ */

static void say_waiting(void *user)
{
	static const char waiting[] = "waiting for another question to be answered";
	api_job_put_text(user, "status", waiting, strlen(waiting));
}

static void say_loading(void *user)
{
	static const char loading[] = "loading the model";
	api_job_put_text(user, "status", loading, strlen(loading));
}

/* a small model's context must still hold the transcript window and the answer */
static void size_answer(struct tacit_llm *llm, struct tacit_session_task_params *sp, void *user)
{
	int n_ctx = tacit_llm_info(llm).n_ctx;
	(void)user;
	sp->meeting.max_tokens = n_ctx >= 4096 ? 1024 : n_ctx / 4;
}

/* The "answer" event: the checked JSON plus the stored message's id and what the saved
 * transcript state did ("saved" by a first question, "loaded" by the next). */
static void put_answer(struct chat_job *j, const struct tacit_session_task_result *r)
{
	static const char *const states[] = { "none", "loaded", "saved" };
	yyjson_doc *in = yyjson_read(r->json, strlen(r->json), 0);
	yyjson_mut_doc *doc = yyjson_doc_mut_copy(in, NULL);
	yyjson_mut_val *o = yyjson_mut_doc_get_root(doc);
	char *json = NULL;
	if (yyjson_mut_is_obj(o)) {
		yyjson_mut_obj_add_int(doc, o, "id", r->id);
		yyjson_mut_obj_add_str(doc, o, "state",
				       (unsigned)r->state < sizeof(states) / sizeof(states[0]) ? states[r->state] : "none");
		yyjson_mut_obj_add_int(doc, o, "reused_tokens", r->n_reused);
		json = utf8_json_write(doc, 0, NULL);
	}
	api_job_put_frame(&j->base, "answer", json ? json : r->json);
	free(json);
	yyjson_mut_doc_free(doc);
	yyjson_doc_free(in);
}

static void *job_main(void *arg)
{
	struct chat_job *j = arg;
	struct tacit_session_task_result res = { 0 };
	struct tacit_session_task_params sp = tacit_session_task_default_params();
	struct errsave why = { "" };
	struct api_job_task task = { .session = j->session, .model = &j->model,
				     .cancelled = "the question was cancelled", .waiting = say_waiting,
				     .loading = say_loading, .progress = on_load, .opened = size_answer, .user = j };

	sp.meeting.task = TACIT_TASK_ANSWER;
	sp.meeting.question = j->question;
	sp.meeting.cancel = &j->base.cancel;
	sp.meeting.on_token = on_token;
	sp.meeting.user = j;
	sp.on_status = on_status;
	enum tacit_status st = api_job_run_task(&j->base, &task, &sp, &res, &why);
	if (st == TACIT_OK)
		put_answer(j, &res);
	api_job_end(&j->base, st, why.msg);
	tacit_session_task_result_release(&res);
	return NULL;
}

/* The stream's end, after api_job.c cancelled and joined the thread. */
static void job_release(struct api_job *base)
{
	struct chat_job *j = (struct chat_job *)base;
	free(j->question);
	api_job_model_release(&j->model);
	free(j);
}

void api_chat(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id)
{
	yyjson_doc *doc = api_body_object(c, res);
	struct tacit_transcript *t = NULL;
	struct chat_job *j = NULL;
	struct tacit_session s;
	struct api_job_model model = { 0 };
	enum tacit_status st;

	if (!doc)
		return;
	yyjson_val *q = yyjson_obj_get(yyjson_doc_get_root(doc), "question");
	if (!yyjson_is_str(q) || yyjson_get_len(q) == 0 || yyjson_get_len(q) > QUESTION_MAX ||
	    strlen(yyjson_get_str(q)) != yyjson_get_len(q)) {
		api_error_msg(res, 400, "\"question\" must be text of 1 to %d bytes", QUESTION_MAX);
		goto out;
	}
	if ((st = tacit_store_session_get(store, id, &s)) != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	/* a meeting without a transcript is refused before the stream starts */
	if ((st = tacit_transcript_from_session(store, id, &t)) != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	if ((st = api_job_model_resolve(store, t, &model, res)) != TACIT_OK)
		goto out;
	if (!(j = calloc(1, sizeof(*j))) || !(j->question = strdup(yyjson_get_str(q)))) {
		api_error_msg(res, 503, "out of memory");
		goto out;
	}
	j->session = id;
	j->model = model;
	int err = api_job_start(&j->base, c->api, job_main, job_release);
	if (err != 0) {
		api_error_msg(res, 503, "cannot start answering: %s", strerror(err));
		goto out;
	}
	model = (struct api_job_model){ 0 };
	res->status = 200;
	res->content_type = "text/event-stream";
	res->stream = &j->base.base;
	j = NULL;
out:
	if (j) {
		free(j->question);
		free(j);
	}
	tacit_transcript_free(t);
	api_job_model_release(&model);
	yyjson_doc_free(doc);
}
