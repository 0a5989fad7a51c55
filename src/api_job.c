/*
 * api_job.c — the event stream both model jobs of the web app answer through (a question
 * in api_chat.c, a summary or notes in api_generate.c), and what they share: one model
 * at a time, the model resolved from the settings, the task run. The job's thread appends SSE
 * frames under the job's lock, the connection's reads take them, and a quiet stream
 * sends a keep-alive comment so a page that has gone is noticed. Freeing the stream
 * cancels the job and joins its thread, so no model work outlives its page.
 */
#include "api.h"
#include "basics.h"
#include "models.h"

#include "utf8.h"

#include <time.h>

#include <yyjson.h>

#define KEEPALIVE_TICKS 2 /* quiet reads (about a second each) between comments */

/* The one-model-at-a-time slot of every model job (api_model_slot_take()). */
static pthread_mutex_t slot_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_cond = PTHREAD_COND_INITIALIZER;
static bool slot_busy;

void api_job_put_frame(struct api_job *j, const char *name, const char *json)
{
	pthread_mutex_lock(&j->mu);
	buf_addf(&j->frames, "event: %s\ndata: %s\n\n", name, json);
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->mu);
}

void api_job_put_doc(struct api_job *j, const char *name, void *mut_doc)
{
	char *json = utf8_json_write(mut_doc, 0, NULL);
	yyjson_mut_doc_free(mut_doc);
	api_job_put_frame(j, name, json ? json : "{\"status\":\"out of memory\",\"message\":\"out of memory\"}");
	free(json);
}

void api_job_put_text(struct api_job *j, const char *name, const char *text, size_t len)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_strncpy(doc, o, "text", text, len);
	api_job_put_doc(j, name, doc);
}

void api_job_answer(struct api_job *j, struct api_response *res)
{
	res->status = 200;
	res->content_type = "text/event-stream";
	res->stream = &j->base;
}

int64_t api_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void api_job_end(struct api_job *j, enum tacit_status st, const char *msg)
{
	if (st != TACIT_OK) {
		yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
		yyjson_mut_val *o = yyjson_mut_obj(doc);
		yyjson_mut_doc_set_root(doc, o);
		yyjson_mut_obj_add_str(doc, o, "status", tacit_status_str(st));
		yyjson_mut_obj_add_strcpy(doc, o, "message", *msg ? msg : tacit_status_str(st));
		char *json = utf8_json_write(doc, 0, NULL);
		yyjson_mut_doc_free(doc);
		api_job_put_frame(j, "error", json ? json : "{\"status\":\"out of memory\",\"message\":\"out of memory\"}");
		free(json);
	}
	pthread_mutex_lock(&j->mu);
	j->finished = true;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->mu);
}

static int job_read(struct api_stream *s, struct buf *out)
{
	struct api_job *j = (struct api_job *)s;
	int rc = 0;

	if (j->ended)
		return -1;
	if (api_stopping(j->api)) {
		cancel_request(&j->cancel); /* the server stops: so does the job */
		j->ended = true;
		return -1;
	}
	pthread_mutex_lock(&j->mu);
	if (j->frames.len == 0 && !j->finished) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&j->cond, &j->mu, &ts);
	}
	if (j->frames.len) {
		buf_add(out, j->frames.data, j->frames.len);
		buf_reset(&j->frames);
		j->quiet = 0;
		rc = 1;
	} else if (j->finished) {
		j->ended = true;
		rc = -1;
	} else if (++j->quiet >= KEEPALIVE_TICKS) {
		/* writing to a closed connection is how the server learns the page has gone,
		 * and then frees this stream, which cancels the job */
		buf_adds(out, ": keep-alive\n\n");
		j->quiet = 0;
		rc = 1;
	}
	pthread_mutex_unlock(&j->mu);
	return rc;
}

static void job_free(struct api_stream *s)
{
	struct api_job *j = (struct api_job *)s;
	cancel_request(&j->cancel);
	pthread_join(j->thread, NULL); /* the model worker has ended when this returns */
	buf_release(&j->frames);
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->mu);
	j->release(j);
}

int api_job_start(struct api_job *j, struct api *api, void *(*run)(void *job),
		  void (*release)(struct api_job *job))
{
	j->base.read = job_read;
	j->base.free = job_free;
	j->api = api;
	j->release = release;
	buf_init(&j->frames);
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cond, NULL);
	int err = pthread_create(&j->thread, NULL, run, j);
	if (err != 0) {
		pthread_cond_destroy(&j->cond);
		pthread_mutex_destroy(&j->mu);
	}
	return err;
}

/* ---- the model jobs' shared part: the slot, the model, the task ------------------- */

bool api_model_slot_take(const volatile int *cancel, void (*waiting)(void *user), void *user)
{
	bool told = false;
	pthread_mutex_lock(&slot_mu);
	while (slot_busy && !cancel_requested(cancel)) {
		struct timespec ts;
		if (!told) {
			pthread_mutex_unlock(&slot_mu);
			if (waiting)
				waiting(user);
			told = true;
			pthread_mutex_lock(&slot_mu);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&slot_cond, &slot_mu, &ts);
	}
	bool got = !slot_busy && !cancel_requested(cancel);
	if (got)
		slot_busy = true;
	pthread_mutex_unlock(&slot_mu);
	return got;
}

void api_model_slot_give(void)
{
	pthread_mutex_lock(&slot_mu);
	slot_busy = false;
	pthread_cond_broadcast(&slot_cond);
	pthread_mutex_unlock(&slot_mu);
}

enum tacit_status api_job_model_resolve(struct tacit_store *store, const struct tacit_transcript *t,
					struct api_job_model *m, struct api_response *res)
{
	enum tacit_status st;
	*m = (struct api_job_model){ 0 };
	if ((st = tacit_engine_from_settings(store, "llm", &m->engine)) == TACIT_OK && !tacit_engine_is_remote(&m->engine))
		st = models_resolve_in(store, TACIT_MODEL_LLM, NULL, &m->path);
	if (st != TACIT_OK) {
		/* not a missing meeting: the request is fine, this device lacks a model */
		api_error_msg(res, 409, "%s", tacit_errmsg());
		return st;
	}
	m->n_ctx_cap = t ? tacit_transcript_one_pass_context(t, 0) : 0;
	return TACIT_OK;
}

void api_job_model_release(struct api_job_model *m)
{
	tacit_free(m->path);
	m->path = NULL;
}

enum tacit_status api_job_run_task(struct api_job *job, const struct api_job_task *task,
				   struct tacit_session_task_params *sp, struct tacit_session_task_result *res,
				   struct errsave *why)
{
	struct tacit_llm *llm = NULL;
	struct tacit_store *store = NULL;
	enum tacit_status st;

	if (!api_model_slot_take(&job->cancel, task->waiting, task->user)) {
		st = tacit_fail(TACIT_ERR_CANCELLED, "%s", task->cancelled);
		errsave_push(why);
		return st;
	}
	task->loading(task->user);
	struct tacit_llm_params lp = tacit_llm_default_params();
	lp.model_path = task->model->path;
	lp.engine = tacit_engine_is_remote(&task->model->engine) ? &task->model->engine : NULL;
	lp.n_ctx_cap = task->model->n_ctx_cap;
	lp.progress = task->progress;
	lp.progress_user = task->user;
	st = tacit_llm_open(&lp, &llm);
	if (st == TACIT_OK)
		st = tacit_store_open(NULL, &store); /* this thread's own connection */
	if (st == TACIT_OK) {
		if (task->opened)
			task->opened(llm, sp, task->user);
		st = tacit_session_task(store, task->session, llm, sp, res);
	}
	if (st != TACIT_OK)
		errsave_push(why);
	tacit_store_close(store);
	tacit_llm_close(llm); /* the worker ends here, before the slot is given back */
	api_model_slot_give();
	return st;
}
