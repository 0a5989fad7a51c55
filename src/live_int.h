/*
 * live_int.h — what the files of a live meeting share (like SQLite's vdbeInt.h): the
 * session struct, its queues and jobs, and the functions one file of the family calls in
 * another. Only src/live*.c include it; the public face is include/tacit.h, the pure
 * decisions (unit-tested without models) are in live.h.
 */
#ifndef TACIT_LIVE_INT_H
#define TACIT_LIVE_INT_H

#include "internal.h"

#include "asr.h"
#include "live.h"
#include "live_remote.h"
#include "transcript.h"

#include <pthread.h>
#include <time.h>

#include <yyjson.h>

/* Models and settings the family shares. */
#define DEFAULT_MAX_TOKENS 320
#define PROMPT_VERSION "live-1"

enum job { JOB_NONE, JOB_INGEST, JOB_WARM, JOB_ASK, JOB_SUGGEST, JOB_IDLE_FOLD, JOB_FINAL };

struct pending {
	char *speaker, *text;
	int64_t start_ms, end_ms;
};

/* A question from another process (live_remote.c): the connection's thread waits on it
 * while the analysis thread answers; each holds a reference. */
struct remote {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int refs;
	struct buf pending; /* answer text not yet sent to the client */
	bool started, done, abandoned;
	enum tacit_status st;
	char *json;
	char msg[512];
};

struct ask {
	uint64_t id;
	char *question;
	struct remote *remote; /* NULL: asked with tacit_live_ask(), answered as events */
	struct ask *next;
};

struct tacit_live {
	struct tacit_live_params p;
	char *title, *store_path, *sysroot, *model_name;
	int64_t session_id;
	int64_t offset_ms; /* session time of the first frame pushed now */
	struct tacit_system sys;

	pthread_mutex_t ev_mu; /* the event queue (live_event.c) */
	pthread_cond_t ev_cond; /* the deliverer finished */
	struct live_event_node *ev_head, *ev_tail;
	bool ev_delivering; /* a thread is draining the queue: one callback at a time */
	pthread_t ev_thread; /* which one, while ev_delivering */

	pthread_mutex_t seg_mu; /* seg_store, rec, n_segments */
	struct tacit_store *seg_store;
	struct tacit_recording *rec;
	int64_t n_segments;

	pthread_mutex_t a_mu; /* the audio queue */
	pthread_cond_t a_cond;
	float *aq;
	size_t aq_head, aq_len, aq_alloc; /* floats */
	bool a_eof, a_busy, a_quit;
	enum tacit_status a_err;
	char a_errmsg[512];
	bool a_err_told;
	pthread_t asr_thread;
	bool asr_started;
	bool lang_stored; /* the session's language is known (asr thread) */
	struct tacit_asr *asr;
	struct tacit_asr_stream *stream;
	int asr_cancel; /* atomic */
	/* transcription first: the model worker is paused while whisper has work */
	struct tacit_llm *gate_llm; /* atomic: set once the analysis thread has opened it */
	bool gate_on, gate_paused;  /* gate_paused: transcription thread only */
	int64_t gate_backlog_ms;
	uint64_t n_gate_pauses;

	pthread_mutex_t q_mu; /* everything the analysis thread is asked to do */
	pthread_cond_t q_cond;
	struct pending *pend;
	size_t n_pend, pend_alloc;
	struct ask *asks, *asks_tail;
	uint64_t next_ask_id;
	bool suggest_req, stopping, stop_req, quit, done, idle, ready, llm_exited;
	enum tacit_status ready_st;
	char ready_msg[512];
	enum job job;
	int job_cancel;             /* atomic: the model call in flight stops */
	struct remote *cur_remote; /* the remote question being answered */
	int aborted;                /* atomic: tacit_live_abort() was called */
	struct live_listener *listener;
	enum tacit_status stop_st;
	char stop_msg[512];
	char *stop_summary;
	double stop_t0;
	pthread_t llm_thread;
	bool llm_started;

	/* analysis thread only */
	struct tacit_llm *llm;
	struct tacit_store *llm_store;
	char *llm_path;
	int max_tokens, budget;
	bool tiny;
	struct tacit_transcript t;
	int *tok;
	size_t win_first, warm_upto;
	int win_tokens;
	struct live_roll *roll;
	struct live_policy policy;
	bool suggest_on;
	double next_suggest;
	int backoff;
	int suggest_state; /* last told, -1 = none */
	/* what the stop did (the STOPPED event): model work from tacit_live_stop() on */
	bool stop_phase;
	long long stop_read, stop_generated;
	int stop_calls, stop_folds;
};

static inline double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int aborted(const struct tacit_live *l)
{
	return __atomic_load_n(&l->aborted, __ATOMIC_SEQ_CST);
}

/* ---- live.c: settings ---- */
double live_setting_num(struct tacit_store *store, const char *key, double def);
bool live_setting_on(struct tacit_store *store, const char *key);
bool live_setting_off(struct tacit_store *store, const char *key);

/* ---- live_event.c: events to the application ---- */
/* Queues the event (copied) and delivers the queue, unless another thread is delivering
 * it: then that thread delivers this one too, after those before it. Call with no lock
 * of the meeting held. */
void live_emit(struct tacit_live *l, const struct tacit_live_event *ev);
/* The two halves: queue under a lock that orders events (seg_mu for FINAL events), then
 * deliver once it is released. */
void live_event_queue(struct tacit_live *l, const struct tacit_live_event *ev);
void live_event_deliver(struct tacit_live *l);
/* Returns once every event queued so far was delivered (at once from inside the
 * callback, which cannot wait for itself). */
void live_event_flush(struct tacit_live *l);
/* Frees what was never delivered (close). */
void live_event_discard(struct tacit_live *l);
void live_emit_text(struct tacit_live *l, enum tacit_live_event_type type, const char *fmt, ...) TACIT_PRINTF(3, 4);

/* ---- live_asr.c: final segments in, the transcription thread ---- */
/* Stores a final segment, announces it, and hands it to the analysis thread. */
enum tacit_status live_accept_final(struct tacit_live *l, const char *label, const char *text, int64_t start_ms,
				    int64_t end_ms, float confidence);
bool live_on_asr_segment(const struct tacit_asr_segment *s, void *user);
void *live_asr_main(void *arg);

/* ---- live_prompt.c: prompts and model calls (analysis thread) ---- */
void live_window_body(struct tacit_live *l, size_t first, size_t end, struct buf *user);
enum tacit_status live_generate(struct tacit_live *l, const char *user, const char *grammar, int max_tokens,
				tacit_token_fn on_token, void *tok_user, char **out_text, const char *what);
enum tacit_status live_task_call(struct tacit_live *l, enum tacit_task task, bool with_part, const char *user,
				 size_t n_segments, tacit_token_fn on_token, void *tok_user, struct buf *checked,
				 const char *what);

/* ---- live_suggest.c: suggestion policy and rounds (analysis thread) ---- */
void live_read_policy(struct tacit_live *l);
bool live_suggestion_due(struct tacit_live *l);
void live_suggest_run(struct tacit_live *l);

/* ---- live_ask.c: questions ---- */
enum tacit_status live_enqueue_ask(struct tacit_live *l, const char *question, struct remote *remote,
				   uint64_t *out_request_id);
void live_on_remote_question(const char *question, struct live_reply *rep, void *user);
void live_do_ask(struct tacit_live *l, struct ask *a);
void live_remote_finish(struct remote *r, enum tacit_status st, const char *json, const char *msg);
void live_free_ask(struct ask *a);

/* ---- live_analysis.c: the analysis thread ---- */
enum tacit_status live_add_to_transcript(struct tacit_live *l, const struct pending *p);
void *live_llm_main(void *arg);

#endif
