/*
 * api_ask_all.c — "Ask all meetings" on the History page: POST /api/ask {"question"}
 * answered by tacit_ask_all() (as `tacit ask --all`) over a Server-Sent Event stream:
 * status, answer_delta as the model writes, then answer (the library's checked JSON,
 * citations [M12 S40] naming retrieved segments only) or error. With an embedding model
 * downloaded, the lines not indexed yet are indexed first (status says how far) and
 * the passages are found by meaning too. The invariants are
 * api_chat.c's: the work lives as long as its stream, one model worker at a time.
 */
#include "api.h"
#include "basics.h"

#include <yyjson.h>

#define QUESTION_MAX 2000

struct ask_job {
	struct api_job base; /* first: the stream, its frames, the thread, the cancel flag */
	char *question;
	struct api_job_model model; /* the setting engine.llm and its model, when asked */
};

static void put_text(struct ask_job *j, const char *name, const char *text, size_t len)
{
	api_job_put_text(&j->base, name, text, len);
}

static void on_token(const char *piece, size_t len, void *user)
{
	put_text(user, "answer_delta", piece, len);
}

static bool on_load(const struct tacit_progress *p, void *user)
{
	struct ask_job *j = user;
	(void)p;
	return !cancel_requested(&j->base.cancel);
}

static void say_waiting(void *user)
{
	static const char waiting[] = "waiting for another question to be answered";
	put_text(user, "status", waiting, strlen(waiting));
}

static void on_index(int64_t done, int64_t total, void *user)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "indexing for search by meaning: %lld of %lld new lines", (long long)done,
			 (long long)total);
	if (total)
		put_text(user, "status", line, (size_t)n);
}

/* The downloaded embedding model with every line indexed, or NULL (words only): a failure
 * to index is said in the status and the question is still answered by words. */
static char *index_for_search(struct ask_job *j, struct tacit_store *store)
{
	struct tacit_index_params ip = tacit_index_default_params();
	char *path = NULL;
	if (tacit_model_resolve(TACIT_MODEL_EMBED, NULL, &path) != TACIT_OK)
		return NULL;
	ip.embed_model = path;
	ip.on_progress = on_index;
	ip.user = j;
	ip.cancel = &j->base.cancel;
	enum tacit_status st = tacit_index(store, &ip, NULL);
	if (st != TACIT_OK && st != TACIT_ERR_CANCELLED) {
		char line[600];
		int n = snprintf(line, sizeof(line), "searching by words only: %s", tacit_errmsg());
		put_text(j, "status", line, n > 0 && (size_t)n < sizeof(line) ? (size_t)n : strlen(line));
		tacit_log(TACIT_LOG_WARN, "ask all: %s", line);
	}
	if (st != TACIT_OK) {
		tacit_free(path);
		return NULL;
	}
	return path;
}

static void *job_main(void *arg)
{
	struct ask_job *j = arg;
	struct tacit_llm *llm = NULL;
	struct tacit_store *store = NULL;
	struct errsave why = { "" };
	char *json = NULL;
	enum tacit_status st;
	static const char loading[] = "loading the model";

	if (!api_model_slot_take(&j->base.cancel, say_waiting, j)) {
		st = tacit_fail(TACIT_ERR_CANCELLED, "the question was cancelled");
		goto out;
	}
	char *embed = NULL;
	struct tacit_llm_params lp = tacit_llm_default_params();
	lp.model_path = j->model.path;
	lp.engine = tacit_engine_is_remote(&j->model.engine) ? &j->model.engine : NULL;
	lp.progress = on_load;
	lp.progress_user = j;
	st = tacit_store_open(NULL, &store); /* this thread's own connection */
	if (st == TACIT_OK)
		embed = index_for_search(j, store);
	if (st == TACIT_OK) {
		put_text(j, "status", loading, strlen(loading));
		st = tacit_llm_open(&lp, &llm);
	}
	if (st == TACIT_OK) {
		static const char reading[] = "reading the meetings that match";
		put_text(j, "status", reading, strlen(reading));
		struct tacit_ask_all_params ap = tacit_ask_all_default_params();
		ap.on_token = on_token;
		ap.user = j;
		ap.cancel = &j->base.cancel;
		ap.embed_model = embed;
		st = tacit_ask_all(store, llm, j->question, &ap, &json);
	}
	tacit_free(embed);
	if (st != TACIT_OK)
		errsave_push(&why);
	tacit_llm_close(llm); /* the worker ends here, before the slot is given back */
	tacit_store_close(store);
	api_model_slot_give();
	if (st == TACIT_OK)
		api_job_put_frame(&j->base, "answer", json);
out:
	api_job_end(&j->base, st, why.msg[0] ? why.msg : tacit_errmsg());
	tacit_free(json);
	return NULL;
}

static void job_release(struct api_job *base)
{
	struct ask_job *j = (struct ask_job *)base;
	free(j->question);
	api_job_model_release(&j->model);
	free(j);
}

static void ask_all(struct api_call *c, struct api_response *res)
{
	yyjson_doc *doc = api_body_object(c, res);
	struct ask_job *j = NULL;
	struct tacit_store *store = NULL;
	struct api_job_model model = { 0 };

	if (!doc)
		return;
	yyjson_val *q = yyjson_obj_get(yyjson_doc_get_root(doc), "question");
	if (!yyjson_is_str(q) || yyjson_get_len(q) == 0 || yyjson_get_len(q) > QUESTION_MAX ||
	    strlen(yyjson_get_str(q)) != yyjson_get_len(q)) {
		api_error_msg(res, 400, "\"question\" must be text of 1 to %d bytes", QUESTION_MAX);
		goto out;
	}
	/* the device lacks a model, or engine.llm is not usable: a 409 saying why */
	if (!(store = api_store(c->api, res)) || api_job_model_resolve(store, NULL, &model, res) != TACIT_OK)
		goto out;
	if (!(j = calloc(1, sizeof(*j))) || !(j->question = strdup(yyjson_get_str(q)))) {
		api_error_msg(res, 503, "out of memory");
		goto out;
	}
	j->model = model;
	int err = api_job_start(&j->base, c->api, job_main, job_release);
	if (err != 0) {
		j->model = (struct api_job_model){ 0 };
		api_error_msg(res, 503, "cannot start answering: %s", strerror(err));
		goto out;
	}
	model = (struct api_job_model){ 0 };
	api_job_answer(&j->base, res);
	j = NULL;
out:
	if (j) {
		free(j->question);
		free(j);
	}
	api_job_model_release(&model);
	api_store_put(c->api, store);
	yyjson_doc_free(doc);
}

bool api_ask_all_route(struct api_call *c, struct api_response *res)
{
	if (c->n_seg != 2 || strcmp(c->seg[1], "ask"))
		return false;
	if (strcmp(c->req->method, "POST"))
		api_error_msg(res, 405, "ask takes a POST of {\"question\"}");
	else
		ask_all(c, res);
	return true;
}
