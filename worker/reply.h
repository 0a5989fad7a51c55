/*
 * reply.h — how tacit-worker answers its parent (worker/reply.c): one JSON frame on
 * stdout, optionally followed by raw bytes, and the ERROR frame every engine sends.
 * Frames go out from the main thread only. A parent that is gone ends the worker.
 */
#ifndef TACIT_WORKER_REPLY_H
#define TACIT_WORKER_REPLY_H

#include "internal.h"

#include "proto.h"

#include <yyjson.h>

/* Sends doc as one frame of type; the caller still frees doc. */
void worker_send(enum proto_type type, yyjson_mut_doc *doc);
/* The same with data_len bytes of data after the JSON and its NUL (the data starts
 * after the NUL, even when there is none). */
void worker_send_with(enum proto_type type, yyjson_mut_doc *doc, const void *data, size_t data_len);
/* A new answer {"id": id} with its object in *o, for the caller to fill, send and free. */
yyjson_mut_doc *worker_reply(long long id, yyjson_mut_val **o);
/* A LOAD request's "n_threads", 0 (the cores) when it has none. */
int worker_req_threads(yyjson_val *req);

/* ERROR {"id", "status", "message": tacit_errmsg()}. */
void worker_send_error(long long id, enum tacit_status st);

#endif
