/*
 * api_job.c — the event stream both model jobs of the web app answer through (a question
 * in api_chat.c, a summary or notes in api_generate.c): the job's thread appends SSE
 * frames under the job's lock, the connection's reads take them, and a quiet stream
 * sends a keep-alive comment so a page that has gone is noticed. Freeing the stream
 * cancels the job and joins its thread, so no model work outlives its page.
 */
#include "api.h"
#include "basics.h"

#include "utf8.h"

#include <time.h>

#include <yyjson.h>

#define KEEPALIVE_TICKS 2 /* quiet reads (about a second each) between comments */

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
