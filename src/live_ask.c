/*
 * live_ask.c — questions to a live meeting: queued from tacit_live_ask() or from another
 * process (live_remote.c carries those over a socket), answered on the analysis thread
 * from the current window and the rolling state, streamed as events or back to the
 * asking process. A remote question is held by two references: its connection's and
 * the analysis thread's.
 */
#include "internal.h"

#include "live_int.h"
#include "store.h"

static void remote_unref(struct remote *r)
{
	pthread_mutex_lock(&r->mu);
	bool last = --r->refs == 0;
	pthread_mutex_unlock(&r->mu);
	if (!last)
		return;
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cond);
	buf_release(&r->pending);
	free(r->json);
	free(r);
}

/* The answer (json) or the failure (st, msg), once: the connection's thread sends it. */
void live_remote_finish(struct remote *r, enum tacit_status st, const char *json, const char *msg)
{
	pthread_mutex_lock(&r->mu);
	if (r->done) { /* answered already */
		pthread_mutex_unlock(&r->mu);
		return;
	}
	r->st = st;
	if (st == TACIT_OK && !(r->json = strdup(json))) {
		r->st = TACIT_ERR_NOMEM;
		msg = "out of memory";
	}
	snprintf(r->msg, sizeof(r->msg), "%s", msg ? msg : "");
	r->done = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->mu);
}

void live_free_ask(struct ask *a)
{
	if (a->remote) {
		live_remote_finish(a->remote, TACIT_ERR_CANCELLED, NULL, "the meeting closed before the question was answered");
		remote_unref(a->remote);
	}
	free(a->question);
	free(a);
}

/* Queues a question; remote: from another process (the meeting must not be stopping). */
enum tacit_status live_enqueue_ask(struct tacit_live *l, const char *question, struct remote *remote,
				     uint64_t *out_request_id)
{
	struct ask *a = calloc(1, sizeof(*a));
	if (!a || !(a->question = strdup(question))) {
		free(a);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	enum tacit_status st = TACIT_OK;
	pthread_mutex_lock(&l->q_mu);
	if (l->done || l->llm_exited || l->quit || aborted(l))
		st = tacit_fail(TACIT_ERR_USAGE, "meeting %lld has stopped: ask with 'tacit ask %lld' on its transcript",
				(long long)l->session_id, (long long)l->session_id);
	else if (remote && l->stopping)
		st = tacit_fail(TACIT_ERR_USAGE, "meeting %lld is ending: ask after it ends with 'tacit ask %lld'",
				(long long)l->session_id, (long long)l->session_id);
	if (st != TACIT_OK) {
		pthread_mutex_unlock(&l->q_mu);
		free(a->question);
		free(a);
		return st;
	}
	if (l->job == JOB_IDLE_FOLD) /* a question goes first; the fold runs again when idle */
		cancel_request(&l->job_cancel);
	a->id = ++l->next_ask_id;
	a->remote = remote;
	if (l->asks_tail)
		l->asks_tail->next = a;
	else
		l->asks = a;
	l->asks_tail = a;
	l->idle = false;
	if (out_request_id)
		*out_request_id = a->id;
	pthread_cond_broadcast(&l->q_cond);
	pthread_mutex_unlock(&l->q_mu);
	return TACIT_OK;
}

/* The client left or the meeting is closing: a queued question is dropped, one being
 * answered is cancelled. */
static void remote_abandon(struct tacit_live *l, struct remote *r)
{
	struct ask *found = NULL, *prev = NULL;
	pthread_mutex_lock(&r->mu);
	r->abandoned = true;
	pthread_mutex_unlock(&r->mu);
	pthread_mutex_lock(&l->q_mu);
	for (struct ask *a = l->asks; a; prev = a, a = a->next) {
		if (a->remote != r)
			continue;
		if (prev)
			prev->next = a->next;
		else
			l->asks = a->next;
		if (l->asks_tail == a)
			l->asks_tail = prev;
		found = a;
		break;
	}
	if (!found && l->cur_remote == r)
		cancel_request(&l->job_cancel);
	pthread_mutex_unlock(&l->q_mu);
	if (found) {
		remote_unref(r);
		free(found->question);
		free(found);
	}
}

/* A question from another process, on its connection's thread (live_remote.c): queued as
 * any other, its answer streamed back as the model writes it. */
void live_on_remote_question(const char *question, struct live_reply *rep, void *user)
{
	struct tacit_live *l = user;
	struct remote *r = calloc(1, sizeof(*r));
	struct buf out;
	if (!r) {
		live_reply_error(rep, TACIT_ERR_NOMEM, "out of memory");
		return;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cond, NULL);
	buf_init(&r->pending);
	buf_init(&out);
	r->refs = 2;
	enum tacit_status st = l->p.analyze ? live_enqueue_ask(l, question, r, NULL)
					    : tacit_fail(TACIT_ERR_USAGE,
							 "meeting %lld runs without a language model: questions need one",
							 (long long)l->session_id);
	if (st != TACIT_OK) {
		live_reply_error(rep, st, tacit_errmsg());
		r->refs = 1;
		goto out;
	}
	tacit_log(TACIT_LOG_INFO, "live: a question from another process");
	for (;;) {
		pthread_mutex_lock(&r->mu);
		if (!r->done && !r->pending.len) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&r->cond, &r->mu, &ts);
		}
		buf_add(&out, r->pending.data, r->pending.len);
		buf_reset(&r->pending);
		bool done = r->done, started = r->started;
		pthread_mutex_unlock(&r->mu);
		if (out.len && !live_reply_text(rep, out.data, out.len))
			break;
		buf_reset(&out);
		if (done) {
			if (r->st == TACIT_OK)
				live_reply_answer(rep, r->json);
			else
				live_reply_error(rep, r->st, r->msg);
			goto out;
		}
		if (!live_reply_alive(rep, started ? "answering" : "queued"))
			break;
	}
	remote_abandon(l, r);
out:
	buf_release(&out);
	remote_unref(r);
}

struct gen_out {
	struct tacit_live *l;
	uint64_t request_id;
	struct remote *remote;
};

static void on_answer_piece(const char *piece, size_t len, void *user)
{
	struct gen_out *g = user;
	if (g->remote) { /* to the connection's thread, which sends it on */
		struct remote *r = g->remote;
		pthread_mutex_lock(&r->mu);
		buf_add(&r->pending, piece, len);
		if (r->abandoned) /* nobody reads it: stop writing */
			__atomic_store_n(&g->l->job_cancel, 1, __ATOMIC_SEQ_CST);
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->mu);
		return;
	}
	char *s = strndup(piece, len);
	if (!s)
		return;
	struct tacit_live_event ev = { .type = TACIT_LIVE_ANSWER_DELTA, .request_id = g->request_id, .text = s };
	live_emit(g->l, &ev);
	free(s);
}

void live_do_ask(struct tacit_live *l, struct ask *a)
{
	struct buf user, out;
	buf_init(&user);
	buf_init(&out);
	struct cite_map map = { l->win_first, l->t.n - l->win_first, NULL, 0 };
	live_window_body(l, l->win_first, l->t.n, &user);
	if (!live_roll_recap(l->roll, map.n_window + 1, &user, &map.earlier, &map.n_earlier))
		tacit_log(TACIT_LOG_WARN, "live: out of memory: the question is asked without the earlier key points");
	buf_addf(&user, "\nAnswer the question from the meeting only; if the meeting does not say, answer so and cite "
			"nothing.\nQuestion: %s",
		 a->question);
	struct gen_out g = { l, a->id, a->remote };
	enum tacit_status st = live_task_call(l, TACIT_TASK_ANSWER, false, user.data, &map, on_answer_piece, &g, &out,
					      "answer");
	if (st == TACIT_OK) {
		char *md = tacit_meeting_markdown(TACIT_TASK_ANSWER, out.data, &l->t);
		struct tacit_chat_record q = { "user", a->question, NULL, 0 };
		struct tacit_chat_record ans = { "assistant", md ? md : out.data, l->model_name, 0 };
		if (tacit_store_add_chat(l->llm_store, l->session_id, &q, NULL) != TACIT_OK ||
		    tacit_store_add_chat(l->llm_store, l->session_id, &ans, NULL) != TACIT_OK)
			live_emit_text(l, TACIT_LIVE_WARNING, "cannot store the answer: %s", tacit_errmsg());
		if (a->remote) {
			live_remote_finish(a->remote, TACIT_OK, out.data, NULL);
		} else {
			struct tacit_live_event ev = { .type = TACIT_LIVE_ANSWER, .request_id = a->id, .json = out.data,
						       .text = md };
			live_emit(l, &ev);
		}
		free(md);
	} else if (a->remote) {
		char msg[512];
		if (st == TACIT_ERR_CANCELLED && aborted(l))
			snprintf(msg, sizeof(msg), "meeting %lld was aborted before the answer was complete",
				 (long long)l->session_id);
		else
			snprintf(msg, sizeof(msg), "the question could not be answered: %s", tacit_errmsg());
		live_remote_finish(a->remote, st, NULL, msg);
	} else {
		live_emit_text(l, TACIT_LIVE_WARNING, "the question could not be answered: %s", tacit_errmsg());
	}
	free(map.earlier);
	buf_release(&out);
	buf_release(&user);
}

