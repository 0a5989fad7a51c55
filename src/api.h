/*
 * api.h — the web app's request handler without a socket: a request (method, raw target,
 * the few headers that matter, a body) in, a response (status, headers, body or event
 * stream) out. serve.c feeds it from libmicrohttpd; tests/fuzz/fuzz_api.c feeds it
 * directly. Every security rule (Host, Origin, token) lives here, so both see the same.
 */
#ifndef TACIT_API_H
#define TACIT_API_H

#include "internal.h"

#include <pthread.h>

#define API_JSON_MAX ((size_t)64 << 10)    /* a JSON body */
#define API_UPLOAD_MAX ((size_t)32 << 20)  /* an imported transcript file */
#define API_PCM_MAX ((size_t)1 << 20)      /* one chunk of live audio */
#define API_RECORDING_MAX ((size_t)2 << 30) /* an uploaded recording, streamed to a file */
#define API_TARGET_MAX 4096                /* request target, path and query */
#define API_TOKEN_HEX 64                   /* 32 random bytes as hex */
#define API_STORE_IDLE 8                   /* store connections kept open between requests */

struct api;
struct api_stream;

struct api_request {
	const char *method;         /* "GET", "POST", ... */
	const char *target;         /* raw request target ("/api/search?q=a%20b") */
	const char *host;           /* headers; NULL when absent */
	const char *origin;
	const char *authorization;
	const char *cookie;
	const char *sec_fetch_site;
	const char *range;          /* "bytes=0-99" (the recording's GETs read it) */
	const char *body;           /* body_len bytes, need not be NUL-terminated */
	size_t body_len;
	/* For a target api_body_to_file() names, the body is not in memory: serve.c wrote
	 * body_len bytes to this private temporary file (body is NULL), or stopped when a
	 * write failed with body_errno. The caller unlinks it after api_handle() unless the
	 * response says kept_body. */
	const char *body_path;
	int body_errno;
};

struct api_response {
	int status;                 /* HTTP status */
	const char *content_type;   /* static string */
	struct buf body;
	char *location;             /* extra headers, each NULL or owned */
	char *set_cookie;
	char *disposition;
	struct api_stream *stream;  /* non-NULL: the body is this event stream (owned) */
	char *content_range;        /* owned or NULL: "bytes 0-99/1000" (206), "bytes * /1000" (416) */
	bool accept_ranges;         /* say "Accept-Ranges: bytes" */
	bool kept_body;             /* the handler owns the request's body_path now */
	bool has_file;              /* the body is file_len bytes of file_fd from file_off */
	int file_fd;                /* owned while has_file (serve.c hands it to libmicrohttpd) */
	uint64_t file_off, file_len;
};

struct api_params {
	int port;                       /* the port the Host and Origin checks expect */
	const char *token;              /* NULL = a fresh random one (tests pass their own) */
	const struct tacit_system *sys; /* NULL = probe this machine */
	bool no_network;                /* refuse downloads (the fuzz target) */
	int live_grace_ms;              /* a live meeting no page follows and no audio
					 * reaches is closed after this; 0 = 30 s */
};

/* Creates the handler's state: token, catalog, machine probe. Free with api_free(). */
enum tacit_status api_new(const struct api_params *params, struct api **out);
/* Ends event streams and cancels downloads; requests after this get 503. */
void api_shutdown(struct api *api);
void api_free(struct api *api);
const char *api_token(const struct api *api);

/* The largest body accepted for this request (0: none). serve.c answers 413 beyond it
 * without buffering. */
size_t api_body_limit(const char *method, const char *target);

/* Whether this request's body goes to a temporary file rather than memory (an uploaded
 * recording): serve.c streams it there, after api_admit() has accepted the headers. */
bool api_body_to_file(const char *method, const char *target);

/* The checks that need only the headers (Host, method, Origin, the token of an /api/
 * target): false with the refusal written into *res (initialised here; release it).
 * api_handle() makes them too; serve.c asks before it writes a body to disk. */
bool api_admit(struct api *api, const struct api_request *req, struct api_response *res);

/* Handles one request into *res (initialised here; release with api_response_release()).
 * Thread-safe: any number of connection threads may call it at once. */
void api_handle(struct api *api, const struct api_request *req, struct api_response *res);
void api_response_release(struct api_response *res);

/* Appends the stream's next bytes to out, waiting up to about a second for an event.
 * Returns 1 when bytes were added (an event, or a keep-alive comment now and then), 0
 * when nothing happened yet, -1 when the stream has ended. */
int api_stream_read(struct api_stream *s, struct buf *out);
void api_stream_free(struct api_stream *s);

/* ---- for the api_*.c modules --------------------------------------------------- */

#define API_MAX_ARGS 16
#define API_MAX_SEGS 8

/* A parsed request: decoded path segments and query arguments. */
struct api_call {
	struct api *api;
	const struct api_request *req;
	const char *seg[API_MAX_SEGS]; /* "/api/sessions/3" -> "api", "sessions", "3" */
	int n_seg;
	const char *key[API_MAX_ARGS], *val[API_MAX_ARGS];
	int n_args;
	char storage[API_TARGET_MAX + 16];
};

/* Event streams: a read function and a free function over a caller's state. */
struct api_stream {
	int (*read)(struct api_stream *s, struct buf *out);
	void (*free)(struct api_stream *s);
};

/* A model job answered as an event stream (api_job.c): a thread writes SSE frames, the
 * stream hands them on with a keep-alive now and then, and freeing the stream cancels
 * the thread and joins it. api_chat.c and api_generate.c embed it as their first
 * member; the thread reads cancel (through cancel_requested()) and ends with
 * api_job_end(). */
struct api_job {
	struct api_stream base;
	struct api *api;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct buf frames;   /* SSE frames the thread wrote and the reader has not taken */
	bool finished;       /* the thread wrote its last frame */
	volatile int cancel; /* through cancel_request()/cancel_requested() only */
	pthread_t thread;
	int quiet;           /* reads without a frame since the last bytes */
	bool ended;
	void (*release)(struct api_job *job); /* frees the embedding job, after the join */
};

/* Starts run(job) on the job's thread; job is zeroed but for the embedder's fields.
 * Returns 0, or pthread_create's error with nothing left to undo but the caller's own
 * allocation. From then on the stream (job->base) owns the job; release runs at its end. */
int api_job_start(struct api_job *job, struct api *api, void *(*run)(void *job),
		  void (*release)(struct api_job *job));
/* Appends "event: name\ndata: json\n\n" for the reader. */
void api_job_put_frame(struct api_job *job, const char *name, const char *json);
/* The same for a yyjson_mut_doc (as void *), which it frees. */
void api_job_put_doc(struct api_job *job, const char *name, void *mut_doc);
/* The event name with data {"text": text}. */
void api_job_put_text(struct api_job *job, const char *name, const char *text, size_t len);
/* The job answers the request: 200, an event stream, res->stream = &job->base. */
void api_job_answer(struct api_job *job, struct api_response *res);
/* A monotonic clock in milliseconds, for progress events. */
int64_t api_now_ms(void);
/* The thread's last act: on a failure (st not TACIT_OK) the "error" event {"status",
 * "message"} (msg, or the status's name when msg is empty); then the stream ends once
 * its frames are read. */
void api_job_end(struct api_job *job, enum tacit_status st, const char *msg);

/* Shared state the modules reach through these. */
pthread_mutex_t *api_lock(struct api *api);
pthread_cond_t *api_cond(struct api *api);
bool api_stopping(struct api *api);
/* Becomes non-zero when the server stops: a cancel flag for model work. */
const volatile int *api_cancel_flag(struct api *api);
/* The same while holding api_lock(). */
bool api_stopping_locked(struct api *api);
const struct tacit_catalog *api_catalog(struct api *api);
const struct tacit_system *api_system(struct api *api);
bool api_no_network(struct api *api);

/* A query argument, or NULL. */
const char *api_arg(const struct api_call *c, const char *key);
/* Writes {"error":{"status":..,"message":..}} with the HTTP code for st; returns st. */
enum tacit_status api_error(struct api_response *res, enum tacit_status st);
/* The same with an HTTP code of the caller's choosing (the message stays whole). */
void api_error_http(struct api_response *res, int http, enum tacit_status st);
/* Same with an explicit HTTP code and message (lowercase, no final period). */
void api_error_msg(struct api_response *res, int http, const char *fmt, ...) TACIT_PRINTF(3, 4);
/* Serialises a yyjson_mut_doc (passed as void * to keep yyjson out of this header)
 * into res with status http; frees the doc. */
void api_json(struct api_response *res, int http, void *mut_doc);
/* Parses the body as a JSON object; NULL (and a 400 in res) when it is not one. The
 * returned yyjson_doc (as void *) is freed by the caller with yyjson_doc_free(). */
void *api_body_object(const struct api_call *c, struct api_response *res);
/* A positive integer id from a path segment, or 0 when it is not one. */
int64_t api_parse_id(const char *s);
/* A connection to the default store for this request, given back with api_store_put():
 * one the server keeps open when one is idle, else a new one (the open's quick check,
 * migrations and repairs run then: at the server's start, and when requests overlap).
 * One thread uses it until it is given back (docs/threads.md). NULL on failure, with the
 * error written into res (when res is not NULL). */
struct tacit_store *api_store(struct api *api, struct api_response *res);
/* Gives a connection back for the next request (or closes it: more than API_STORE_IDLE
 * idle, a transaction left open, a store file replaced, a server stopping). Accepts NULL. */
void api_store_put(struct api *api, struct tacit_store *s);

/* Handlers, one module each: true when the route was theirs. */
bool api_models_route(struct api_call *c, struct api_response *res);
bool api_sessions_route(struct api_call *c, struct api_response *res);
bool api_live_route(struct api_call *c, struct api_response *res);
bool api_custom_route(struct api_call *c, struct api_response *res);
/* POST /api/sessions/import-audio?name=F[&title=T]: the uploaded recording (the body, in
 * a temporary file) transcribed as `tacit import F` does, answered as an event stream
 * (status, progress, segment..., then done {id} or error) whose free cancels the import
 * (api_import.c). */
bool api_import_route(struct api_call *c, struct api_response *res);
/* POST /api/ask {"question"}: tacit_ask_all() as an event stream (api_ask_all.c). */
bool api_ask_all_route(struct api_call *c, struct api_response *res);
/* GET /api/actions[?open=1] and PUT /api/actions/ID {"done"} (api_actions.c). */
bool api_actions_route(struct api_call *c, struct api_response *res);
/* POST /api/sessions/ID/chat {"question"} on an open store (api_chat.c): checks the
 * question, the meeting and the model, then answers with an event stream (status,
 * answer_delta..., then answer or error) whose free cancels the generation. */
void api_chat(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id);
/* POST /api/sessions/ID/generate {"task": "summary"|"notes", "template"?} (api_generate.c): the
 * same shape as api_chat, with progress events; the result is stored with the meeting. */
void api_generate(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id);
/* GET /api/templates (api_generate.c): [{"name","description"}], the loadable ones. */
bool api_templates_route(struct api_call *c, struct api_response *res);
/* One model worker at a time across the server (api_job.c): questions, summaries and
 * notes take turns. take waits until the slot is free (false when *cancel is set first),
 * calling waiting(user) once if it has to wait; give hands it back. */
bool api_model_slot_take(const volatile int *cancel, void (*waiting)(void *user), void *user);
void api_model_slot_give(void);

/* The language model a job runs on, resolved on the request's thread when it was asked:
 * the setting engine.llm, and the local model's path when that engine is local. */
struct api_job_model {
	char *path; /* owned (tacit_free); NULL with a remote engine */
	struct tacit_engine engine;
	int n_ctx_cap; /* a context that holds the whole meeting in one pass */
};
/* Resolves m for the meeting transcript t (NULL: no one meeting, the model's own
 * context); on failure a 409 saying why (no model
 * chosen or downloaded, a bad engine setting) is in res and m holds nothing. */
enum tacit_status api_job_model_resolve(struct tacit_store *store, const struct tacit_transcript *t,
					struct api_job_model *m, struct api_response *res);
void api_job_model_release(struct api_job_model *m);

/* One meeting task of a model job, run on the job's thread by api_job_run_task(): */
struct api_job_task {
	int64_t session;
	const struct api_job_model *model;
	const char *cancelled;          /* the message when cancelled before the model was free */
	void (*waiting)(void *user);    /* once, when another job has the model */
	void (*loading)(void *user);    /* once, before the model is opened */
	tacit_progress_fn progress;     /* the model's load and its reading of the prompt */
	/* after the model opened, before the task runs (may be NULL): e.g. sizes the answer */
	void (*opened)(struct tacit_llm *llm, struct tacit_session_task_params *sp, void *user);
	void *user;
};
/* Takes the model slot, opens the model (the local worker or the remote engine) and the
 * thread's own store connection, runs tacit_session_task(sp) into res, and closes the
 * model before the slot is given back. A failure's message is kept in why (the slot's
 * release would otherwise overwrite it). */
enum tacit_status api_job_run_task(struct api_job *job, const struct api_job_task *task,
				   struct tacit_session_task_params *sp, struct tacit_session_task_result *res,
				   struct errsave *why);
/* GET /api/sessions/ID/audio (the recording's chunks, JSON) and
 * GET /api/sessions/ID/audio/N (chunk N's WAV, with byte ranges) (api_audio.c). */
/* GET /api/sessions/ID/speakers and PUT {"speaker", "name"} (api_speakers.c). */
void api_speakers(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id);
/* A Range header against a file of size bytes: 1 with the one range to send in
 * [*first, *last], 0 to send the whole file (no header, or several ranges), -1 for 416
 * (another unit, malformed, or starting past the end). */
int api_parse_range(const char *h, uint64_t size, uint64_t *first, uint64_t *last);
void api_audio(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id);
/* Cancels and joins the download threads; frees the jobs once no stream can read them
 * (api_models.c). */
void api_models_shutdown(struct api *api);
void api_models_free(struct api *api);
void *api_models_state(struct api *api);
void api_set_models_state(struct api *api, void *state);
/* The live meeting's state (api_live.c): created by api_new(), closed by api_shutdown()
 * (the meeting stays resumable), freed by api_free(). */
enum tacit_status api_live_init(struct api *api, int grace_ms);
void api_live_shutdown(struct api *api);
void api_live_free(struct api *api);
void *api_live_state(struct api *api);
/* The session of the meeting this server runs, 0 when none; *finishing says it is
 * stopping (its summary being written). History shows it as live or processing. */
int64_t api_live_session(struct api *api, bool *finishing);
void api_set_live_state(struct api *api, void *state);

/* The web app's files, embedded at build time (webapp.c): the file for a path
 * ("/" = "/index.html") and its MIME type; false when there is none. */
bool webapp_file(const char *path, const char **data, size_t *len, const char **mime);

#endif
