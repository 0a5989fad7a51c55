/*
 * live_remote.h — questions to a live meeting from another process, over a Unix-domain
 * socket in a private directory next to the meeting's store. This module knows sockets,
 * paths and frames; live.c knows questions and answers (it answers through the reply
 * functions below). The client side is tacit_live_ask_remote() in include/tacit.h.
 */
#ifndef TACIT_LIVE_REMOTE_H
#define TACIT_LIVE_REMOTE_H

#include "internal.h"

#define LIVE_QUESTION_MAX 4000 /* bytes of one question */
#define LIVE_REMOTE_CONNS 8    /* questions in flight at once; more are refused */

struct live_listener;
struct live_reply;

/* Runs on the connection's own thread with one question (NUL-terminated, at most
 * LIVE_QUESTION_MAX bytes); answers through r and returns when done. */
typedef void (*live_question_fn)(const char *question, struct live_reply *r, void *user);

/* The socket's directory and file name for session id of the store at store_path (NULL:
 * the default store in the data dir): <store dir>/live and <store name>-<id>.sock.
 * The directory is made absolute when it exists. */
enum tacit_status live_socket_place(const char *store_path, int64_t id, struct buf *dir, struct buf *name);

/* Listens for questions to session id: creates the directory (0700), replaces a stale
 * socket left by a killed process, binds (0600) and starts the accepting thread. Fails
 * (TACIT_ERR_IO with the reason, TACIT_ERR_USAGE when another live process already
 * answers for this meeting) without side effects; the caller goes on without it. */
enum tacit_status live_listen_open(const char *store_path, int64_t id, live_question_fn fn, void *user,
				   struct live_listener **out);

/* Stops accepting, tells every question in progress to end (live_reply_alive() turns
 * false), waits for their handlers to return, removes the socket. Accepts NULL. */
void live_listen_close(struct live_listener *ls);

/* The socket's path, for messages (owned by the listener). */
const char *live_listen_path(const struct live_listener *ls);

/* Answer pieces as the model writes them; false when the client is gone. */
bool live_reply_text(struct live_reply *r, const char *text, size_t len);
/* The checked answer JSON: the last frame. */
bool live_reply_answer(struct live_reply *r, const char *json);
/* A failure, with its status and message: the last frame. */
void live_reply_error(struct live_reply *r, enum tacit_status st, const char *msg);
/* Call at least every 200 ms while waiting: sends a WAIT frame when nothing was sent
 * for a second; false when the client has gone or the listener is closing (stop). */
bool live_reply_alive(struct live_reply *r, const char *state);

/* Tests: how long the client waits without any frame before it gives up (default
 * 15000 ms; the live side sends one at least every second). */
void live_remote_set_silence_ms(int ms);

#endif
