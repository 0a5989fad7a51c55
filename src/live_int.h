/*
 * live_int.h — what the files of a live meeting share (like SQLite's vdbeInt.h): the
 * session struct, its queues and jobs, and the functions one file of the family calls in
 * another. Only src/live*.c (and test_live.c, to look inside) include it; the public
 * face is include/tacit.h, the pure decisions (unit-tested without models) live.h.
 */
/*
 * Threads of a live meeting.
 *  - The caller's threads: tacit_live_open() ... tacit_live_close(). push() takes a_mu
 *    only. add_segment() is a producer of final segments (accept_final(), see seg_mu);
 *    ask() and suggest() queue work under q_mu; wait_idle() and stop() wait on a_cond and
 *    q_cond; abort() stores atomics only (it runs in signal handlers).
 *  - The transcription thread (live_asr.c; with params.transcribe): takes audio from the
 *    queue under a_mu, writes the recording and partials under seg_mu, feeds whisper
 *    and produces final segments (accept_final()). It never waits on the model. About
 *    once a second it sends the meter (live_asr.c: levels, lag, and the analysis job read
 *    under q_mu with nothing else held). When push() found live.max_minutes reached, it ends by starting the stop itself
 *    (live_stop_self()); tacit_live_stop() then waits for that stop.
 *  - The analysis thread (live_analysis.c; with params.analyze): owns the language model,
 *    its own store connection (llm_store), the transcript t, tok, roll and the policy
 *    (no lock: nobody else touches them). It takes its jobs under q_mu and runs them
 *    without it: questions, new segments, the stop, suggestions, warming, idle folds.
 *  - Two worker processes (tacit-worker): whisper's (asr_client.c) and the language
 *    model's (worker.c). Model work never runs in this process.
 *  - Questions from other processes (live_remote.c): an accepting thread and one
 *    thread per connection (at most LIVE_REMOTE_CONNS); each connection's thread queues
 *    its question under q_mu and then waits on its struct remote.
 *  - Events (live_event.c) have no thread of their own: they are queued and delivered
 *    by whichever thread finds nobody delivering, with no lock of the meeting held.
 *
 * Locks (what each guards) and their order.
 *  - a_mu + a_cond: the audio queue, a_eof/a_busy/a_quit, the transcription thread's
 *    failure; the gate's state. asr_gate() calls llm_pause() with it held, which takes
 *    the worker's sig_mu (workerproc.c): a_mu -> sig_mu.
 *  - seg_mu: seg_store (the segment store connection), rec, n_segments, the segments
 *    waiting for a busy store (held, journal). A final segment's store write, number,
 *    FINAL event and pending copy are taken with it held, so every order agrees with the
 *    store's: seg_mu -> q_mu, seg_mu -> ev_mu. A write under it waits at most a short
 *    busy timeout (live_final.c), never another process's whole transaction.
 *  - q_mu + q_cond: everything the analysis thread is asked to do (pend, asks,
 *    suggest_req, stopping, stop_req, quit, done, idle, ready, job, cur_remote, stop_*).
 *  - ev_mu + ev_cond: the event queue and which thread delivers it. Held only to move
 *    an event on or off the queue, never across the callback; nothing is taken under it.
 *  - remote->mu + cond (one per remote question): the answer text not yet sent, its
 *    state, its references. Never held with another lock of the meeting.
 *  Order: a_mu and seg_mu are never held together; seg_mu -> q_mu -> (nothing);
 *  seg_mu -> ev_mu; seg_mu -> the labelling thread's mu (live_diar.c), innermost. The
 *  event callback runs with none of them held, so it may call tacit_live_add_segment(),
 *  _ask(), _suggest() or _push(); its own events come after it returns. Atomics instead
 *  of locks: aborted, job_cancel, asr_cancel (read by the model and whisper calls),
 *  gate_llm (published once by the analysis thread).
 *
 * The worker pause (transcription first, asr_gate() in live_asr.c). While whisper has a
 * final request in flight or queued, or more than live.asr_backlog_ms of audio waits,
 * the transcription thread stops the language model's worker process with SIGSTOP
 * (llm_pause(), workerproc.c) and resumes it with SIGCONT when that work is done; a
 * partial does not pause it. A stopped worker keeps its state, so a model call in
 * flight just takes longer. The pause is sent again while it lasts (a respawned worker
 * starts running); a cancel, an abort, a stop (the transcription thread opens the gate
 * when it ends) or close resumes it, and a worker whose parent dies while it is stopped
 * is ended by the kernel (SIGHUP to its orphaned process group).
 */
#ifndef TACIT_LIVE_INT_H
#define TACIT_LIVE_INT_H

#include "internal.h"

#include "asr.h"
#include "basics.h"
#include "live.h"
#include "live_remote.h"
#include "template.h"
#include "transcript.h"

#include <pthread.h>
#include <time.h>

#include <yyjson.h>

/* Models and settings the family shares. */
#define DEFAULT_MAX_TOKENS 320
#define PROMPT_VERSION "live-1"
/* The longest title the meeting's overview fold may write (chr{0,N} in its grammar). */
#define LIVE_TITLE_MAX_CHARS 80

enum job { JOB_NONE, JOB_INGEST, JOB_WARM, JOB_ASK, JOB_SUGGEST, JOB_IDLE_FOLD, JOB_FINAL };

/* The stop's time, phase by phase, in ms (the STOPPED event's "phases"); the analysis
 * thread's only. Model calls count in state/prompt/generation whichever phase made them,
 * so no millisecond is counted twice; other_ms is what is left of stop_ms. */
struct live_stop_phases {
	double wait_ms;     /* the job in flight when the stop came, until it ended */
	double catch_up_ms; /* then: segments still queued (counting their tokens) and the
			     * transcription's end, less model calls */
	double state_ms;    /* saved prefix states loaded or saved by the worker */
	double prompt_ms, gen_ms, sample_ms;
	long long prompt_tokens, gen_tokens;
	long long cached_tokens; /* prompt tokens reused from the model's cache (attention spans them) */
	int rejected, full_filters, narrow_filters;
	double call_ms;     /* the model calls end to end (state, prompt, generation and the
			     * round trip): the rest of it goes to other_ms */
	double fold_ms;     /* the rolling state's updates and the final JSON built from it */
	double store_ms;    /* artifacts written, the session ended */
	int catch_up_folds; /* windows folded before the final one: analysis had fallen behind */
	double t_loop;      /* clock_now_s() when the analysis thread took up the stop */
	double estimate_ms; /* the last fold's estimate told to the page (0: none) ... */
	double final_ms;    /* ... and how long that fold took */
};

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
	struct template tp;  /* the summary's template (p.template_name); the roll points here */
	char out_lang[32];   /* p.output_language; "" = the meeting's */
	bool lang_told;      /* the log said which language and template (analysis thread) */
	int64_t session_id;
	bool discard_session; /* a failed open: close deletes the meeting it created */
	int64_t offset_ms; /* session time of the first frame pushed now */
	struct tacit_system sys;

	pthread_mutex_t ev_mu; /* the event queue (live_event.c) */
	pthread_cond_t ev_cond; /* the deliverer finished */
	struct live_event_node *ev_head, *ev_tail;
	bool ev_delivering; /* a thread is draining the queue: one callback at a time */
	pthread_t ev_thread; /* which one, while ev_delivering */

	pthread_mutex_t seg_mu; /* seg_store, rec, n_segments, held, journal */
	struct tacit_store *seg_store;
	struct tacit_recording *rec;
	int64_t n_segments;
	/* final segments waiting for a busy store, in order (live_final.c) */
	struct held *held;
	size_t n_held, held_alloc;
	int held_waiting; /* atomic: n_held > 0, read without seg_mu */
	struct store_journal *journal;
	bool held_told, held_err_told;

	pthread_mutex_t a_mu; /* the audio queue */
	pthread_cond_t a_cond;
	float *aq;
	size_t aq_head, aq_len, aq_alloc; /* floats */
	bool a_eof, a_busy, a_quit;
	int64_t a_frames;       /* frames pushed so far in this run */
	int64_t max_audio_ms;   /* live.max_minutes */
	int64_t a_limit_frames; /* max_audio_ms less the session's audio before this run */
	bool a_limited;         /* the limit was reached: the meeting stops itself */
	bool a_disk_full;       /* a final segment found the disk full: it stops itself */
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
	/* the meter (transcription thread only): the audio's levels since the last one */
	double m_sumsq[2];
	float m_peak[2];
	int64_t m_frames;
	double m_last_ms;

	pthread_mutex_t q_mu; /* everything the analysis thread is asked to do */
	pthread_cond_t q_cond;
	struct pending *pend;
	size_t n_pend, pend_alloc;
	struct ask *asks, *asks_tail;
	uint64_t next_ask_id;
	bool suggest_req, stopping, stop_req, quit, done, idle, ready, llm_exited;
	bool user_stop;   /* tacit_live_stop() was called */
	bool self_ended;  /* without a model: live_stop_self() ended the session (stop_st) */
	enum tacit_status ready_st;
	char ready_msg[512];
	enum job job;
	int job_cancel;             /* atomic: the model call in flight stops */
	struct remote *cur_remote; /* the remote question being answered */
	int aborted;                /* atomic: tacit_live_abort() was called */
	struct live_listener *listener;
	enum tacit_status stop_st;
	enum job stop_job;    /* the job in flight when the stop began */
	size_t stop_pending;  /* segments not yet analysed when it began */
	char stop_msg[512];
	char *stop_summary;
	double stop_t0;
	pthread_t llm_thread;
	bool llm_started;

	/* analysis thread only */
	struct tacit_llm *llm;
	struct tacit_store *llm_store;
	char *llm_path;
	struct tacit_engine engine; /* set at open; remote: llm_path is NULL */
	struct tacit_engine asr_engine; /* set at open with transcribe; remote: no asr model */
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
	struct live_stop_phases ph; /* where the stop's time went (live_phases.c) */
	/* the window summaries before the stop: how long they took, for the stop's estimate */
	double map_ms;
	int map_calls;

	struct live_diar *diar; /* speaker labels (live_diar.c); NULL: none */
};

static inline int aborted(const struct tacit_live *l)
{
	return cancel_requested(&l->aborted);
}

/* ---- live.c: settings ---- */
double live_setting_num(struct tacit_store *store, const char *key, double def);
bool live_setting_on(struct tacit_store *store, const char *key);
bool live_setting_off(struct tacit_store *store, const char *key);
/* The meeting stops itself (it reached live.max_minutes; the disk is full) as
 * tacit_live_stop() would stop it: the analysis thread writes the final summary and
 * notes and sends STOPPED; without a model the session is ended here. Nothing when a
 * stop is already under way. The transcription thread, once it has finished. */
void live_stop_self(struct tacit_live *l);

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

/* ---- live_final.c: final segments in, held while the store is busy ---- */
/* Stores a final segment, announces it, and hands it to the analysis thread; while the
 * store is busy (or others wait before it) it waits in memory and in the journal and is
 * announced once stored. Call with no lock of the meeting held. */
enum tacit_status live_accept_final(struct tacit_live *l, const char *label, const char *text, int64_t start_ms,
				    int64_t end_ms, float confidence);
/* Whether segments wait for the store (a lock-free look for the transcription thread). */
bool live_held_waiting(struct tacit_live *l);
/* Tries once to store the waiting segments (takes seg_mu; no lock held). */
void live_held_retry(struct tacit_live *l);
/* The stop: tries until none waits; TACIT_ERR_CANCELLED after tacit_live_abort(), or a
 * failure other than a busy store (the journal keeps them for the next open). */
enum tacit_status live_held_drain(struct tacit_live *l);
/* Runs fn (a write on seg_store, with seg_mu held and a short busy wait) until the store
 * is not busy or the meeting is aborted; returns fn's last status. */
enum tacit_status live_store_retry(struct tacit_live *l, enum tacit_status (*fn)(struct tacit_live *l));
/* Close: frees the waiting segments; the journal keeps them for the next open. */
void live_held_release(struct tacit_live *l);

/* ---- live_asr.c: the transcription thread ---- */
bool live_on_asr_segment(const struct tacit_asr_segment *s, void *user);
void *live_asr_main(void *arg);

/* ---- live_prompt.c: prompts and model calls (analysis thread) ---- */
/* How a live prompt numbers what it shows. The window's segments [first, first +
 * n_window) are [S1]..[S n_window], whatever their place in the meeting, so neither the
 * prompt's lines nor the answer's cites grow longer as the meeting goes on (a 3-hour
 * meeting's stop reads and writes what a 15-minute one's does). A question's recap of
 * earlier key points follows as [S n_window+1].., earlier[k] the meeting's segment
 * number (1-based) each stands for. */
struct cite_map {
	size_t first, n_window;
	long long *earlier;
	size_t n_earlier;
};
/* The window's transcript lines, after the earlier parts' preface; numbered as above. */
void live_window_body(struct tacit_live *l, size_t first, size_t end, struct buf *user);
enum tacit_status live_generate(struct tacit_live *l, const char *user, const char *grammar, const char *schema, int max_tokens,
				tacit_token_fn on_token, void *tok_user, char **out_text, const char *what);
/* checked: the task's checked JSON, its cites in the meeting's numbers. */
enum tacit_status live_task_call(struct tacit_live *l, enum tacit_task task, bool with_part, const char *user,
				 const struct cite_map *map, tacit_token_fn on_token, void *tok_user, struct buf *checked,
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

/* ---- live_phases.c: where the stop's time went ---- */
/* Counts one model call of the stop (its worker figures and its wall time). */
void live_phases_call(struct tacit_live *l, const struct tacit_llm_stats *s, double call_ms);
/* The "phases" object of the STOPPED event, appended to out; stop_ms is the whole stop.
 * Also logged at INFO level (tacit --verbose live). */
void live_phases_json(struct tacit_live *l, double stop_ms, struct buf *out);
const char *live_job_name(enum job j);

/* ---- live_diar.c: speaker labels (a thread of its own, with params.speaker_model) ---- */
/* Starts it (before the transcription thread); a model that cannot be found is a
 * warning, not an error. Errors: TACIT_ERR_NOMEM. */
enum tacit_status live_diar_open(struct tacit_live *l);
/* The transcription thread's audio (interleaved frames), no lock held. */
void live_diar_audio(struct tacit_live *l, const float *pcm, size_t frames);
/* A stored final segment (announce(), seg_mu held): labelled when on the diarized channel. */
void live_diar_segment(struct tacit_live *l, int64_t segment_no, const char *label, int64_t start_ms, int64_t end_ms);
/* The stop, once every final segment is announced: labels the rest, reclusters the
 * meeting, revises labels, and ends the thread. */
void live_diar_finish(struct tacit_live *l);
/* Ends the thread without the recluster (if running) and frees. Accepts NULL. */
void live_diar_free(struct live_diar *d);

/* ---- live_analysis.c: the analysis thread ---- */
enum tacit_status live_add_to_transcript(struct tacit_live *l, const struct pending *p);
void *live_llm_main(void *arg);

#endif
