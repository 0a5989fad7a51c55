/*
 * workerproc.h — one supervised tacit-worker process: spawn, frames both ways, its
 * stderr forwarded to the log, and its death turned into TACIT_ERR_WORKER with what
 * happened. The LLM client (llm_client.c) and the transcription client (asr_client.c)
 * each run one.
 */
#ifndef TACIT_WORKERPROC_H
#define TACIT_WORKERPROC_H

#include "internal.h"

#include "proto.h"

#include <pthread.h>
#include <sys/types.h>

struct workerproc {
	const char *what;   /* "model worker": how messages name it */
	const char *engine; /* "llama.cpp": what a crash inside it is blamed on */
	pid_t pid; /* > 0 exactly while the pipes are open */
	int to_fd, from_fd, err_fd;
	struct proto_reader rd;
	struct buf err_partial;
	char last_err[512]; /* the worker's last stderr line: often says why it died */
	/* workerproc_pause() comes from another thread: sig_mu guards these three */
	pthread_mutex_t sig_mu;
	pid_t sig_pid;      /* > 0: the worker may be signalled (spawned and not yet reaped) */
	bool paused, hold_off; /* stopped with SIGSTOP; hold_off: pauses are refused */
};

/* what and engine are static strings (see the struct). */
void workerproc_init(struct workerproc *w, const char *what, const char *engine);
/* Reaps the worker (EOF on its stdin, SIGKILL after the grace period) and frees. */
void workerproc_release(struct workerproc *w);
/* Stops the worker without recording an error (EOF on its stdin, or SIGKILL with
 * kill_now; SIGKILL after the grace period either way); the next spawn starts afresh. */
void workerproc_stop(struct workerproc *w, bool kill_now);
/* Starts tacit-worker (TACIT_WORKER, next to the program, TACIT_LIBEXECDIR) and waits for
 * its READY frame. TACIT_ERR_WORKER when it cannot. */
enum tacit_status workerproc_spawn(struct workerproc *w);
/* Pauses (SIGSTOP) or resumes (SIGCONT) the worker; any thread may call it. A paused
 * worker keeps its state (model, cache) and uses no CPU; its requests wait. Refused while
 * hold_off is set (a cancel must reach a running worker); a reap resumes it first, and a
 * worker whose parent dies while it is paused gets SIGHUP and SIGCONT from the kernel
 * (its process group is orphaned), so it never stays stopped. */
void workerproc_pause(struct workerproc *w, bool pause);
/* on: resume the worker and refuse pauses until called with off (the owner's thread). */
void workerproc_hold_off(struct workerproc *w, bool on);
/* Sends one frame; false when the worker is gone. */
bool workerproc_send(struct workerproc *w, enum proto_type type, const void *payload, size_t len);
/* Sends one frame whose payload is head then data (audio, not copied). */
bool workerproc_send_parts(struct workerproc *w, enum proto_type type, const void *head, size_t head_len,
			   const void *data, size_t data_len);
/* 1: a frame (valid until the next call), 0: timeout, -1: the worker is gone. */
int workerproc_wait(struct workerproc *w, int timeout_ms, unsigned *type, const char **payload, size_t *len);
/* Collects a dead (or, with kill_now, a live) worker and records why in tacit_errmsg():
 * returns TACIT_ERR_WORKER. */
enum tacit_status workerproc_died(struct workerproc *w, bool kill_now);
/* Waits for a frame of type want (*payload valid until the next wait), passing over
 * others. An ERROR frame's {"status", "message"} is recorded and returned; no frame
 * within timeout_ms kills the worker ("the diarization worker did not answer within
 * N ms and was killed"); a worker that died is workerproc_died()'s error. */
enum tacit_status workerproc_await(struct workerproc *w, unsigned want, int timeout_ms, const char **payload,
				   size_t *len);

/* The tacit-worker executable into out: TACIT_WORKER, else next to the running program
 * (the build tree, or a tacit unpacked anywhere), else TACIT_LIBEXECDIR, the directory
 * `make install` puts it in (compiled in from the Makefile's LIBEXECDIR). False only when
 * out of memory. */
bool worker_find(struct buf *out);

#endif
