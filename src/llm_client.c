/*
 * llm_client.c — the LLM client in the caller's process; implements tacit_llm_*: requests
 * over the framed protocol to a supervised tacit-worker (workerproc.c spawns, reads and
 * reaps it; llm_engine_* runs llama.cpp there), streamed tokens,
 * the caller's cancel flag with a kill after the grace period. Invariant: w.pid > 0
 * exactly while a model is loaded in the worker; otherwise the next call spawns a fresh
 * worker and loads the model again. A handle opened with a remote engine never spawns a
 * worker: each public call hands over to remote_llm.c (the one seam between the two).
 */
#include "internal.h"

#include "basics.h"
#include "llm_client.h"
#include "proto.h"
#include "remote_llm.h"
#include "workerproc.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <yyjson.h>

struct tacit_llm {
	struct tacit_llm_params params;
	char *model_path;
	struct workerproc w;
	struct tacit_llm_info info;
	long long next_id;
	char test_how[16];
	int test_after, test_slow_ms, test_stop_batches;
	int gen_threads; /* > 0: sent with each generate request */
	struct remote_llm *remote; /* non-NULL: the work runs on a server, never here */
};

struct tacit_llm_params tacit_llm_default_params(void)
{
	struct tacit_llm_params p = { 0 };
	return p;
}

struct tacit_llm_request tacit_llm_default_request(void)
{
	struct tacit_llm_request r = { 0 };
	r.top_k = 40;
	return r;
}

/* What one request collects while it runs. */
struct exchange {
	const volatile int *cancel;
	tacit_token_fn on_token;
	void *user;
	struct buf text;
	yyjson_doc *result; /* the final frame's JSON */
	bool load;          /* progress frames go to the params' progress callback */
};

static enum tacit_status send_request(struct tacit_llm *llm, enum proto_type type, yyjson_mut_doc *doc)
{
	size_t len = 0;
	char *json = yyjson_mut_write(doc, 0, &len);
	if (!json)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	bool ok = workerproc_send(&llm->w, type, json, len);
	free(json);
	if (!ok)
		return workerproc_died(&llm->w, false);
	return TACIT_OK;
}

static enum tacit_status exchange_run(struct tacit_llm *llm, enum proto_type type, yyjson_mut_doc *doc, long long id,
				      struct exchange *x);

/* Runs one request to its final frame. A cancel resumes a paused worker (llm_pause()) so
 * that it can stop cleanly, and no pause comes until the request is over. */
static enum tacit_status exchange(struct tacit_llm *llm, enum proto_type type, yyjson_mut_doc *doc, long long id,
				  struct exchange *x)
{
	enum tacit_status st = exchange_run(llm, type, doc, id, x);
	workerproc_hold_off(&llm->w, false);
	return st;
}

static enum tacit_status exchange_run(struct tacit_llm *llm, enum proto_type type, yyjson_mut_doc *doc, long long id,
				      struct exchange *x)
{
	enum tacit_status st = send_request(llm, type, doc);
	bool cancel_sent = false, progress_stop = false;
	double kill_at = 0;
	if (st != TACIT_OK)
		return st;
	for (;;) {
		unsigned ft;
		const char *payload;
		size_t len;
		/* a cancel flag is a plain int, so it is polled every 5 ms; without one (and
		 * before a cancel was sent) nothing needs this process until the next frame, and
		 * waking it 200 times a second takes a core from the worker's threads when they
		 * use all of them */
		int got = workerproc_wait(&llm->w, x->cancel || cancel_sent || progress_stop ? 5 : -1, &ft, &payload, &len);
		if (got < 0)
			return workerproc_died(&llm->w, false);
		if (!cancel_sent && (cancel_requested(x->cancel) || progress_stop)) {
			char msg[64];
			int n = snprintf(msg, sizeof(msg), "{\"id\":%lld}", id);
			workerproc_hold_off(&llm->w, true);
			if (!workerproc_send(&llm->w, PROTO_CANCEL, msg, (size_t)n))
				return workerproc_died(&llm->w, false);
			cancel_sent = true;
			kill_at = clock_now_ms() + WORKER_GRACE_MS;
		}
		if (got == 0) {
			if (cancel_sent && clock_now_ms() > kill_at) {
				workerproc_stop(&llm->w, true);
				return tacit_fail(TACIT_ERR_CANCELLED, "cancelled; the model worker did not stop within "
								       "%d ms and was killed (the next request restarts it)",
						  WORKER_GRACE_MS);
			}
			continue;
		}
		if (ft == PROTO_TOKEN) {
			buf_add(&x->text, payload, len);
			if (x->on_token && !cancel_sent)
				x->on_token(payload, len, x->user);
			continue;
		}
		yyjson_doc *jd = yyjson_read(payload, len, 0);
		yyjson_val *root = yyjson_doc_get_root(jd);
		if (ft == PROTO_PROGRESS) {
			struct tacit_progress ev = { TACIT_PROGRESS_LOAD, 0, 0, 0 };
			yyjson_val *done = yyjson_obj_get(root, "done"), *idv = yyjson_obj_get(root, "id");
			bool ours = x->load;
			if (yyjson_is_int(done)) { /* a generate call's prompt reading */
				ev.phase = TACIT_PROGRESS_READ;
				ev.done = (int)yyjson_get_sint(done);
				ev.total = (int)yyjson_get_sint(yyjson_obj_get(root, "total"));
				ev.fraction = ev.total > 0 ? (float)ev.done / (float)ev.total : 0;
				ours = !x->load && yyjson_is_int(idv) && yyjson_get_sint(idv) == id && ev.done >= 0 &&
				       ev.done <= ev.total;
			} else {
				ev.fraction = (float)yyjson_get_num(yyjson_obj_get(root, "progress"));
			}
			if (ours && !cancel_sent && llm->params.progress &&
			    !llm->params.progress(&ev, llm->params.progress_user))
				progress_stop = true;
			yyjson_doc_free(jd);
			continue;
		}
		yyjson_val *idv = yyjson_obj_get(root, "id");
		if (!yyjson_is_int(idv) || yyjson_get_sint(idv) != id) { /* a stale answer */
			yyjson_doc_free(jd);
			continue;
		}
		if (ft == PROTO_ERROR) {
			yyjson_val *sv = yyjson_obj_get(root, "status");
			int code = yyjson_is_int(sv) ? (int)yyjson_get_sint(sv) : TACIT_ERR_INTERNAL;
			if (code <= TACIT_OK || code > TACIT_ERR_INTERNAL)
				code = TACIT_ERR_INTERNAL;
			const char *msg = yyjson_get_str(yyjson_obj_get(root, "message"));
			st = tacit_fail((enum tacit_status)code, "%s", msg && *msg ? msg : "the model worker failed");
			yyjson_doc_free(jd);
			return st;
		}
		x->result = jd;
		return TACIT_OK;
	}
}

static yyjson_mut_val *new_request(yyjson_mut_doc *doc, long long id)
{
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", id);
	return o;
}

/* Spawns a worker and loads the model when none is running. */
static enum tacit_status ensure_worker(struct tacit_llm *llm, const volatile int *cancel)
{
	if (llm->w.pid > 0)
		return TACIT_OK;
	enum tacit_status st = workerproc_spawn(&llm->w);
	if (st != TACIT_OK)
		return st;
	long long id = ++llm->next_id;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = new_request(doc, id);
	yyjson_mut_obj_add_str(doc, o, "engine", "llm");
	yyjson_mut_obj_add_str(doc, o, "model", llm->model_path);
	yyjson_mut_obj_add_int(doc, o, "n_ctx", llm->params.n_ctx);
	yyjson_mut_obj_add_int(doc, o, "n_threads", llm->params.n_threads);
	yyjson_mut_obj_add_int(doc, o, "n_gpu_layers", llm->params.n_gpu_layers);
	yyjson_mut_obj_add_int(doc, o, "n_batch", llm->params.n_batch);
	yyjson_mut_obj_add_int(doc, o, "n_ctx_cap", llm->params.n_ctx_cap);
	struct exchange x = { .cancel = cancel, .load = true };
	buf_init(&x.text);
	st = exchange(llm, PROTO_LOAD, doc, id, &x);
	yyjson_mut_doc_free(doc);
	if (st == TACIT_OK) {
		yyjson_val *r = yyjson_doc_get_root(x.result);
		memset(&llm->info, 0, sizeof(llm->info));
		llm->info.n_ctx = (int)yyjson_get_sint(yyjson_obj_get(r, "n_ctx"));
		llm->info.n_ctx_train = (int)yyjson_get_sint(yyjson_obj_get(r, "n_ctx_train"));
		llm->info.n_vocab = (int)yyjson_get_sint(yyjson_obj_get(r, "n_vocab"));
		const char *s = yyjson_get_str(yyjson_obj_get(r, "arch"));
		snprintf(llm->info.arch, sizeof(llm->info.arch), "%s", s ? s : "");
		s = yyjson_get_str(yyjson_obj_get(r, "chat_format"));
		snprintf(llm->info.chat_format, sizeof(llm->info.chat_format), "%s", s ? s : "");
	} else if (llm->w.pid > 0) {
		workerproc_stop(&llm->w, true); /* a worker without a model is no use */
	}
	yyjson_doc_free(x.result);
	buf_release(&x.text);
	return st;
}

/* A handle on a server's model: no model file, no worker. */
static enum tacit_status open_remote(const struct tacit_llm_params *params, struct tacit_llm **out)
{
	struct tacit_llm *llm = calloc(1, sizeof(*llm));
	if (!llm)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	llm->params = *params;
	llm->params.model_path = NULL;
	llm->params.engine = NULL; /* the caller's; remote_llm keeps its own copy */
	workerproc_init(&llm->w, "model worker", "llama.cpp");
	enum tacit_status st = remote_llm_open(params->engine, &llm->remote, &llm->info);
	if (st == TACIT_OK && !(llm->model_path = strdup(remote_llm_label(llm->remote))))
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (st != TACIT_OK) {
		tacit_llm_close(llm);
		return st;
	}
	*out = llm;
	return TACIT_OK;
}

enum tacit_status tacit_llm_open(const struct tacit_llm_params *params, struct tacit_llm **out)
{
	struct tacit_llm *llm = NULL;
	enum tacit_status st;

	if (!params || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_llm_open: params and out are required");
	*out = NULL;
	if (tacit_engine_is_remote(params->engine))
		return open_remote(params, out);
	if (!params->model_path || !*params->model_path)
		return tacit_fail(TACIT_ERR_USAGE, "no model given (pass a GGUF file with --model)");
	if (access(params->model_path, R_OK) != 0)
		return tacit_fail_errno(TACIT_ERR_NOT_FOUND, "cannot read model '%s'", params->model_path);
	llm = calloc(1, sizeof(*llm));
	if (!llm || !(llm->model_path = strdup(params->model_path))) {
		free(llm);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	llm->params = *params;
	llm->params.model_path = llm->model_path;
	workerproc_init(&llm->w, "model worker", "llama.cpp");
	st = ensure_worker(llm, NULL);
	if (st != TACIT_OK) {
		tacit_llm_close(llm);
		return st;
	}
	*out = llm;
	return TACIT_OK;
}

void tacit_llm_close(struct tacit_llm *llm)
{
	if (!llm)
		return;
	workerproc_release(&llm->w); /* EOF on its stdin tells the worker to finish */
	remote_llm_close(llm->remote);
	free(llm->model_path);
	free(llm);
}

struct tacit_llm_info tacit_llm_info(const struct tacit_llm *llm)
{
	return llm->info;
}

void llm_test_inject(struct tacit_llm *llm, const char *how, int after_tokens, int slow_ms)
{
	snprintf(llm->test_how, sizeof(llm->test_how), "%s", how ? how : "");
	llm->test_after = after_tokens;
	llm->test_slow_ms = slow_ms;
}

void llm_test_stop_prefill(struct tacit_llm *llm, int n_batches)
{
	llm->test_stop_batches = n_batches;
}

void llm_set_threads(struct tacit_llm *llm, int n_threads)
{
	llm->gen_threads = n_threads > 0 ? n_threads : 0;
}

void llm_pause(struct tacit_llm *llm, bool pause)
{
	if (llm)
		workerproc_pause(&llm->w, pause);
}

pid_t llm_worker_pid(const struct tacit_llm *llm)
{
	return llm->w.pid;
}

const char *llm_model_path(const struct tacit_llm *llm)
{
	return llm->model_path;
}

bool llm_is_remote(const struct tacit_llm *llm)
{
	return llm && llm->remote;
}

const char *tacit_llm_where(const struct tacit_llm *llm)
{
	return llm && llm->remote ? remote_llm_where(llm->remote) : "this device";
}

enum tacit_status tacit_llm_generate(struct tacit_llm *llm, const struct tacit_llm_request *req,
				     tacit_token_fn on_token, void *user, const volatile int *cancel,
				     char **out_text, struct tacit_llm_stats *out_stats)
{
	enum tacit_status st;
	if (out_text)
		*out_text = NULL;
	if (out_stats)
		memset(out_stats, 0, sizeof(*out_stats));
	if (!llm || !req)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_llm_generate: llm and req are required");
	if (!req->prompt && !req->n_messages)
		return tacit_fail(TACIT_ERR_USAGE, "a request needs messages or a prompt");
	if (req->n_messages && !req->messages)
		return tacit_fail(TACIT_ERR_USAGE, "n_messages is %zu but messages is NULL", req->n_messages);
	if (cancel_requested(cancel))
		return tacit_fail(TACIT_ERR_CANCELLED, "cancelled before it started");
	if (llm->remote)
		return remote_llm_generate(llm->remote, req, on_token, user, cancel, out_text, out_stats);
	if (llm->w.pid <= 0)
		tacit_log(TACIT_LOG_INFO, "restarting the model worker for '%s'", llm->model_path);
	if ((st = ensure_worker(llm, cancel)) != TACIT_OK)
		return st;

	long long id = ++llm->next_id;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = new_request(doc, id);
	yyjson_mut_obj_add_str(doc, o, "engine", "llm");
	if (req->n_messages) {
		yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, o, "messages");
		for (size_t i = 0; i < req->n_messages; i++) {
			yyjson_mut_val *m = yyjson_mut_arr_add_obj(doc, arr);
			yyjson_mut_obj_add_str(doc, m, "role", req->messages[i].role ? req->messages[i].role : "user");
			yyjson_mut_obj_add_str(doc, m, "content", req->messages[i].content ? req->messages[i].content : "");
		}
	} else {
		yyjson_mut_obj_add_str(doc, o, "prompt", req->prompt);
	}
	if (req->grammar)
		yyjson_mut_obj_add_str(doc, o, "grammar", req->grammar);
	yyjson_mut_obj_add_int(doc, o, "max_tokens", req->max_tokens);
	yyjson_mut_obj_add_real(doc, o, "temperature", req->temperature);
	yyjson_mut_obj_add_int(doc, o, "top_k", req->top_k);
	yyjson_mut_obj_add_int(doc, o, "seed", (int64_t)req->seed);
	if (llm->gen_threads > 0)
		yyjson_mut_obj_add_int(doc, o, "n_threads", llm->gen_threads);
	if (req->state_prefix && req->state_path) {
		yyjson_mut_obj_add_str(doc, o, "state_prefix", req->state_prefix);
		yyjson_mut_obj_add_str(doc, o, "state_path", req->state_path);
	}
	if (llm->test_how[0]) {
		yyjson_mut_obj_add_strcpy(doc, o, "test_crash", llm->test_how);
		yyjson_mut_obj_add_int(doc, o, "test_crash_after", llm->test_after);
	}
	if (llm->test_slow_ms)
		yyjson_mut_obj_add_int(doc, o, "test_slow_ms", llm->test_slow_ms);
	if (llm->test_stop_batches)
		yyjson_mut_obj_add_int(doc, o, "test_stop_after_batches", llm->test_stop_batches);
	llm->test_how[0] = '\0';
	llm->test_slow_ms = 0;
	llm->test_stop_batches = 0;

	struct exchange x = { .cancel = cancel, .on_token = on_token, .user = user };
	buf_init(&x.text);
	st = exchange(llm, PROTO_GENERATE, doc, id, &x);
	yyjson_mut_doc_free(doc);
	if (st == TACIT_OK && x.text.failed)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory collecting the answer");
	if (st == TACIT_OK) {
		yyjson_val *r = yyjson_doc_get_root(x.result);
		struct tacit_llm_stats s = { 0 };
		s.n_prompt = (int)yyjson_get_sint(yyjson_obj_get(r, "n_prompt"));
		s.n_reused = (int)yyjson_get_sint(yyjson_obj_get(r, "n_reused"));
		s.n_generated = (int)yyjson_get_sint(yyjson_obj_get(r, "n_generated"));
		s.prefill_ms = yyjson_get_num(yyjson_obj_get(r, "prefill_ms"));
		s.decode_ms = yyjson_get_num(yyjson_obj_get(r, "decode_ms"));
		s.finish = (enum tacit_finish)yyjson_get_sint(yyjson_obj_get(r, "finish"));
		s.state = (enum tacit_state_use)yyjson_get_sint(yyjson_obj_get(r, "state"));
		s.n_eval = (int)yyjson_get_sint(yyjson_obj_get(r, "n_eval"));
		s.n_rejected = (int)yyjson_get_sint(yyjson_obj_get(r, "n_rejected"));
		s.n_full_filter = (int)yyjson_get_sint(yyjson_obj_get(r, "n_full_filter"));
		s.eval_ms = yyjson_get_num(yyjson_obj_get(r, "eval_ms"));
		s.sample_ms = yyjson_get_num(yyjson_obj_get(r, "sample_ms"));
		s.emit_ms = yyjson_get_num(yyjson_obj_get(r, "emit_ms"));
		s.state_ms = yyjson_get_num(yyjson_obj_get(r, "state_ms")); /* 0 from an older worker */
		s.n_narrow_filter = (int)yyjson_get_sint(yyjson_obj_get(r, "n_narrow_filter"));
		s.n_filtered = yyjson_get_sint(yyjson_obj_get(r, "n_filtered"));
		const char *smp = yyjson_get_str(yyjson_obj_get(r, "sampler"));
		snprintf(s.sampler, sizeof(s.sampler), "%s", smp ? smp : "");
		if (s.prefill_ms > 0)
			s.prefill_tps = (s.n_prompt - s.n_reused) / (s.prefill_ms / 1e3);
		if (s.decode_ms > 0)
			s.decode_tps = s.n_generated / (s.decode_ms / 1e3);
		if (out_stats)
			*out_stats = s;
		if (out_text)
			*out_text = buf_detach(&x.text, NULL);
	}
	yyjson_doc_free(x.result);
	buf_release(&x.text);
	return st;
}

enum tacit_status tacit_llm_count_tokens(struct tacit_llm *llm, const char *text, int *out_n)
{
	if (!llm || !text || !out_n)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_llm_count_tokens: llm, text and out_n are required");
	if (llm->remote)
		return remote_llm_count_tokens(llm->remote, text, out_n);
	enum tacit_status st = ensure_worker(llm, NULL);
	if (st != TACIT_OK)
		return st;
	long long id = ++llm->next_id;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = new_request(doc, id);
	yyjson_mut_obj_add_str(doc, o, "engine", "llm");
	yyjson_mut_obj_add_str(doc, o, "text", text);
	struct exchange x = { 0 };
	buf_init(&x.text);
	st = exchange(llm, PROTO_TOKENIZE, doc, id, &x);
	yyjson_mut_doc_free(doc);
	if (st == TACIT_OK)
		*out_n = (int)yyjson_get_sint(yyjson_obj_get(yyjson_doc_get_root(x.result), "n_tokens"));
	yyjson_doc_free(x.result);
	buf_release(&x.text);
	return st;
}

/* Texts per TOKENIZE request: well under PROTO_MAX_FRAME once JSON-escaped. */
#define COUNT_BATCH_BYTES ((size_t)2 << 20)

enum tacit_status llm_count_tokens_many(struct tacit_llm *llm, const char *const *texts, size_t n, int *out)
{
	if (!llm || (n && (!texts || !out)))
		return tacit_fail(TACIT_ERR_USAGE, "llm_count_tokens_many: llm, texts and out are required");
	if (llm->remote) {
		enum tacit_status st = TACIT_OK;
		for (size_t i = 0; i < n && st == TACIT_OK; i++)
			st = remote_llm_count_tokens(llm->remote, texts[i], &out[i]);
		return st;
	}
	enum tacit_status st = ensure_worker(llm, NULL);
	for (size_t first = 0; first < n && st == TACIT_OK;) {
		size_t last = first, bytes = 0;
		long long id = ++llm->next_id;
		yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
		yyjson_mut_val *o = new_request(doc, id);
		yyjson_mut_obj_add_str(doc, o, "engine", "llm");
		yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, o, "texts");
		for (; last < n && (last == first || bytes + strlen(texts[last]) < COUNT_BATCH_BYTES); last++) {
			bytes += strlen(texts[last]);
			yyjson_mut_arr_add_str(doc, arr, texts[last]);
		}
		struct exchange x = { 0 };
		buf_init(&x.text);
		st = exchange(llm, PROTO_TOKENIZE, doc, id, &x);
		yyjson_mut_doc_free(doc);
		yyjson_val *counts = yyjson_obj_get(yyjson_doc_get_root(x.result), "counts");
		if (st == TACIT_OK && yyjson_arr_size(counts) != last - first)
			st = tacit_fail(TACIT_ERR_WORKER, "the model worker counted %zu texts of %zu",
					yyjson_arr_size(counts), last - first);
		for (size_t i = first; st == TACIT_OK && i < last; i++)
			out[i] = (int)yyjson_get_sint(yyjson_arr_get(counts, i - first));
		yyjson_doc_free(x.result);
		buf_release(&x.text);
		first = last;
	}
	return st;
}
