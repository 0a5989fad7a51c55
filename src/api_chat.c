/*
 * api_chat.c — asking a stored meeting a question from the History page: the model the
 * user chose (tacit_model_resolve), the meeting's transcript, the grounded answer task;
 * the question and the answer are stored with the meeting. One question at a time
 * across the server, so several tabs cannot start several model workers.
 */
#include "api.h"

#include <unistd.h>

#include <yyjson.h>

#define QUESTION_MAX 2000

static pthread_mutex_t one_at_a_time = PTHREAD_MUTEX_INITIALIZER;

struct seg_writer {
	yyjson_mut_doc *doc;
	yyjson_mut_val *arr;
};

static int add_seg(const struct tacit_segment *g, void *user)
{
	struct seg_writer *w = user;
	yyjson_mut_val *o = yyjson_mut_arr_add_obj(w->doc, w->arr);
	yyjson_mut_obj_add_int(w->doc, o, "start_ms", g->start_ms);
	yyjson_mut_obj_add_int(w->doc, o, "end_ms", g->end_ms);
	yyjson_mut_obj_add_strcpy(w->doc, o, "speaker",
				  g->speaker_name && *g->speaker_name ? g->speaker_name : g->speaker ? g->speaker : "");
	yyjson_mut_obj_add_strcpy(w->doc, o, "text", g->text);
	return 0;
}

/* The session's transcript as the LLM module reads it (through a private temp file). */
static enum tacit_status load_transcript(struct tacit_store *store, int64_t id, struct tacit_transcript **out)
{
	struct seg_writer w = { yyjson_mut_doc_new(NULL), NULL };
	char *dir = NULL, path[4200];
	enum tacit_status st;
	int fd;

	*out = NULL;
	if (!w.doc)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	w.arr = yyjson_mut_arr(w.doc);
	yyjson_mut_doc_set_root(w.doc, w.arr);
	if ((st = tacit_store_segments(store, id, false, add_seg, &w)) != TACIT_OK)
		goto out;
	if (yyjson_mut_arr_size(w.arr) == 0) {
		st = tacit_fail(TACIT_ERR_NOT_FOUND, "meeting %lld has no transcript to ask about", (long long)id);
		goto out;
	}
	if ((st = tacit_dir_path(TACIT_DIR_CACHE, &dir)) != TACIT_OK)
		goto out;
	snprintf(path, sizeof(path), "%s/chat-XXXXXX.json", dir);
	if ((fd = mkstemps(path, 5)) < 0) {
		st = tacit_fail(TACIT_ERR_IO, "cannot create a temporary file in '%s': %s", dir, strerror(errno));
		goto out;
	}
	close(fd);
	if (!yyjson_mut_write_file(path, w.doc, 0, NULL, NULL))
		st = tacit_fail(TACIT_ERR_IO, "cannot write '%s'", path);
	else
		st = tacit_transcript_load(path, out);
	unlink(path);
out:
	tacit_free(dir);
	yyjson_mut_doc_free(w.doc);
	return st;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

void api_chat(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id)
{
	yyjson_doc *doc = api_body_object(c, res);
	struct tacit_transcript *t = NULL;
	struct tacit_llm *llm = NULL;
	struct tacit_session s;
	char *model = NULL, *json = NULL;
	enum tacit_status st;

	if (!doc)
		return;
	yyjson_val *q = yyjson_obj_get(yyjson_doc_get_root(doc), "question");
	if (!yyjson_is_str(q) || yyjson_get_len(q) == 0 || yyjson_get_len(q) > QUESTION_MAX ||
	    strlen(yyjson_get_str(q)) != yyjson_get_len(q)) {
		api_error_msg(res, 400, "\"question\" must be text of 1 to %d bytes", QUESTION_MAX);
		goto out;
	}
	const char *question = yyjson_get_str(q);
	if ((st = tacit_store_session_get(store, id, &s)) != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	if ((st = tacit_model_resolve(TACIT_MODEL_LLM, NULL, &model)) != TACIT_OK) {
		/* not a missing meeting: the request is fine, this device lacks a model */
		api_error_msg(res, 409, "%s", tacit_errmsg());
		goto out;
	}
	if ((st = load_transcript(store, id, &t)) != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	pthread_mutex_lock(&one_at_a_time);
	struct tacit_llm_params lp = tacit_llm_default_params();
	lp.model_path = model;
	st = tacit_llm_open(&lp, &llm);
	if (st == TACIT_OK) {
		struct tacit_meeting_params mp = tacit_meeting_default_params();
		mp.task = TACIT_TASK_ANSWER;
		mp.question = question;
		mp.cancel = api_cancel_flag(c->api);
		/* a small model's context must still hold the transcript window and the answer */
		int n_ctx = tacit_llm_info(llm).n_ctx;
		mp.max_tokens = n_ctx >= 4096 ? 1024 : n_ctx / 4;
		st = tacit_meeting_run(llm, t, &mp, &json);
	}
	tacit_llm_close(llm);
	pthread_mutex_unlock(&one_at_a_time);
	if (st != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	yyjson_doc *ans = yyjson_read(json, strlen(json), 0);
	const char *text = yyjson_get_str(yyjson_obj_get(yyjson_doc_get_root(ans), "answer"));
	struct tacit_chat_record ask = { "user", question, NULL, 0 };
	struct tacit_chat_record reply = { "assistant", text ? text : "", base_name(model), 0 };
	if ((st = tacit_store_add_chat(store, id, &ask, NULL)) == TACIT_OK)
		st = tacit_store_add_chat(store, id, &reply, NULL);
	yyjson_doc_free(ans);
	if (st != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	res->status = 200;
	res->content_type = "application/json";
	buf_adds(&res->body, json);
out:
	tacit_free(json);
	tacit_transcript_free(t);
	tacit_free(model);
	yyjson_doc_free(doc);
}
